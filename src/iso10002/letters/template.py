"""
A small, logic-less template language for letters: placeholders, sections, comments.

The syntax is a subset of Mustache, chosen because translators and complaints teams can edit it
without learning a programming language, and because it cannot run code:

- ``{{name}}`` inserts a value. Names are lower-case letters, digits and ``_``.
- ``{{#name}}…{{/name}}`` renders its content when ``name`` is set (non-empty text, a true flag),
  and once per item when ``name`` is a list; inside, the item's own variables are in scope.
- ``{{^name}}…{{/name}}`` renders its content when ``name`` is not set (empty, false, none).
- ``{{! a note for translators }}`` is a comment and renders nothing.

A line that holds nothing but one section, closing or comment tag (and spaces) disappears
entirely from the output, so templates can put those tags on lines of their own.

There is no way to call a function, read an attribute, loop over anything but a list the
library supplies, or insert a value without escaping it in HTML: there is no "raw" placeholder.
In HTML output every value is escaped (``<``, ``>``, ``&``, quotes) and its line breaks become
``<br>``; in a one-line output (a subject) line breaks become spaces. A placeholder cannot span
lines, and a literal ``{{`` cannot be written.

Errors raise :class:`~iso10002.errors.ValidationError` whose field is the template's name and
whose message gives the line and the placeholder. Messages never quote a value: values are the
complainant's data.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Iterator, Mapping, Sequence
from enum import Enum
from typing import Any, Union, cast

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check

__all__ = ["Output", "Placeholder", "PlaceholderForm", "Template"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ONE_LINE_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
_OPEN = "{{"
_CLOSE = "}}"


class Output(str, Enum):
    """How values are written into the output."""

    TEXT = "text"
    """As they are: plain-text bodies and SMS."""
    HTML = "html"
    """HTML-escaped, line breaks as ``<br>``."""
    LINE = "line"
    """On one line: every run of white space or control characters becomes one space."""


class PlaceholderForm(str, Enum):
    """What a placeholder does."""

    VALUE = "value"
    """``{{name}}``: inserts the value."""
    SECTION = "section"
    """``{{#name}}``: renders its content when set, once per item for a list."""
    INVERTED = "inverted"
    """``{{^name}}``: renders its content when not set."""


@attrs.frozen(kw_only=True)
class Placeholder:
    """One use of a variable in a template, with the sections around it (outermost first)."""

    name: str
    form: PlaceholderForm
    line: int
    """Line number in the file the template came from."""
    enclosing: tuple[tuple[str, PlaceholderForm], ...]
    """The sections this placeholder is inside, outermost first: (name, SECTION or INVERTED)."""


@attrs.frozen
class _Text:
    text: str


@attrs.frozen
class _Var:
    name: str
    line: int


@attrs.frozen
class _Section:
    name: str
    inverted: bool
    line: int
    children: tuple[_Node, ...]


_Node = Union[_Text, _Var, _Section]  # noqa: UP007 - a runtime alias must work on 3.10


@attrs.frozen
class _Tag:
    sigil: str  # "", "#", "^", "/", "!"
    name: str
    line: int


def _first_line(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(attribute.name, f"expected a line number from 1, got {value!r}")


def _source(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError(attribute.name, f"expected text, got {type(value).__name__}")


@attrs.frozen(kw_only=True)
class Template:
    """
    One parsed template: its source text, the name errors call it by, and the line its text
    starts on in that file (so that line numbers in errors are the file's).

    Raises:
        ValidationError: the text has an unclosed placeholder (``{{`` without ``}}`` on the
            same line), a placeholder that is not a name, or a section that is never closed or
            closed under another name. The field is ``name``; the message gives the line.
    """

    text: str = attrs.field(validator=_source, repr=False)
    name: str = attrs.field(validator=check.text)
    """What errors call the template, e.g. ``"templates/decision.en.txt"``."""
    first_line: int = attrs.field(default=1, validator=_first_line)
    _nodes: tuple[_Node, ...] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_nodes", _parse(self.text, self.name, self.first_line))

    def placeholders(self) -> Iterator[Placeholder]:
        """Every use of a variable, in the order of the text (closing tags left out)."""
        return _walk(self._nodes, ())

    @property
    def names(self) -> frozenset[str]:
        """The names of every variable the template uses."""
        return frozenset(p.name for p in self.placeholders())

    def render(
        self,
        values: Mapping[str, object],
        *,
        output: Output = Output.TEXT,
        hints: Mapping[str, str] | None = None,
    ) -> str:
        """
        Fill the template in.

        Args:
            values: text for each variable (``None`` when it has no value), ``True``/``False``
                for flags, and a sequence of mappings for lists.
            output: how values are written (see :class:`Output`).
            hints: per variable, a sentence saying what gives it a value; added to the error
                when a variable the template inserts has none.

        Raises:
            ValidationError: a variable the template inserts has no value, or is not known at
                all; the field is the template's name, the message the line and the variable.
        """
        out: list[str] = []
        _render(self._nodes, [values], out, output=output, name=self.name, hints=hints or {})
        return "".join(out)


# -- parsing -----------------------------------------------------------------------------------


def _error(name: str, line: int, message: str) -> ValidationError:
    return ValidationError(name, f"line {line}: {message}")


def _tag(inner: str, name: str, line: int) -> _Tag:
    if inner.startswith("{") or inner.endswith("}"):
        raise _error(
            name,
            line,
            f"'{{{{{inner}}}}}' is not supported: every value is inserted with escaping, "
            "so there is no raw placeholder",
        )
    sigil = inner[:1] if inner[:1] in ("#", "^", "/", "!") else ""
    if sigil == "!":
        return _Tag("!", "", line)
    word = inner[len(sigil) :].strip()
    if not _NAME.match(word):
        raise _error(
            name,
            line,
            f"'{{{{{inner}}}}}' is not a placeholder: write a variable name in lower-case "
            "letters, digits and '_', optionally after #, ^ or /",
        )
    return _Tag(sigil, word, line)


def _tokens(text: str, name: str, first_line: int) -> Iterator[str | _Tag]:
    """Text pieces and tags; a line holding only one non-value tag yields only that tag."""
    for offset, line_text in enumerate(text.splitlines(keepends=True)):
        line = first_line + offset
        pieces: list[str | _Tag] = []
        position = 0
        while True:
            start = line_text.find(_OPEN, position)
            if start < 0:
                pieces.append(line_text[position:])
                break
            end = line_text.find(_CLOSE, start + len(_OPEN))
            if end < 0:
                raise _error(name, line, "a placeholder opened with '{{' is not closed with '}}'")
            # A third closing brace belongs to the tag ("{{{raw}}}"), so that it is refused.
            while line_text.startswith("}", end + len(_CLOSE)):
                end += 1
            pieces.append(line_text[position:start])
            inner = line_text[start + len(_OPEN) : end].strip()
            pieces.append(_tag(inner, name, line))
            position = end + len(_CLOSE)
        tags = [p for p in pieces if isinstance(p, _Tag)]
        texts = "".join(p for p in pieces if isinstance(p, str))
        if len(tags) == 1 and tags[0].sigil and not texts.strip():
            yield tags[0]  # a standalone section, closing or comment line vanishes
            continue
        for piece in pieces:
            if isinstance(piece, _Tag) and piece.sigil == "!":
                continue
            if piece != "":
                yield piece


def _parse(text: str, name: str, first_line: int) -> tuple[_Node, ...]:
    # Each open section: (its tag, the nodes collected inside it so far).
    stack: list[tuple[_Tag | None, list[_Node]]] = [(None, [])]
    for token in _tokens(text, name, first_line):
        children = stack[-1][1]
        if isinstance(token, str):
            children.append(_Text(token))
        elif token.sigil == "":
            children.append(_Var(token.name, token.line))
        elif token.sigil in ("#", "^"):
            stack.append((token, []))
        elif token.sigil == "/":
            opened = stack[-1][0]
            if opened is None:
                raise _error(
                    name,
                    token.line,
                    f"'{{{{/{token.name}}}}}' closes a section that was never opened",
                )
            if opened.name != token.name:
                raise _error(
                    name,
                    token.line,
                    f"'{{{{/{token.name}}}}}' does not close the section "
                    f"'{{{{{opened.sigil}{opened.name}}}}}' opened on line {opened.line}",
                )
            stack.pop()
            stack[-1][1].append(
                _Section(opened.name, opened.sigil == "^", opened.line, tuple(children))
            )
    if len(stack) > 1:
        opened = stack[-1][0]
        assert opened is not None
        raise _error(
            name,
            opened.line,
            f"the section '{{{{{opened.sigil}{opened.name}}}}}' is never closed "
            f"with '{{{{/{opened.name}}}}}'",
        )
    return tuple(stack[0][1])


def _walk(
    nodes: Sequence[_Node], enclosing: tuple[tuple[str, PlaceholderForm], ...]
) -> Iterator[Placeholder]:
    for node in nodes:
        if isinstance(node, _Var):
            yield Placeholder(
                name=node.name, form=PlaceholderForm.VALUE, line=node.line, enclosing=enclosing
            )
        elif isinstance(node, _Section):
            form = PlaceholderForm.INVERTED if node.inverted else PlaceholderForm.SECTION
            yield Placeholder(name=node.name, form=form, line=node.line, enclosing=enclosing)
            yield from _walk(node.children, (*enclosing, (node.name, form)))


# -- rendering ---------------------------------------------------------------------------------

_MISSING = object()


def _lookup(scopes: Sequence[Mapping[str, object]], name: str) -> object:
    for scope in reversed(scopes):
        if name in scope:
            return scope[name]
    return _MISSING


def _write(value: str, output: Output) -> str:
    if output is Output.HTML:
        return _LINE_BREAK.sub("<br>\n", _html.escape(value, quote=True))
    if output is Output.LINE:
        return _ONE_LINE_SPACE.sub(" ", value).strip()
    return value


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _render(
    nodes: Sequence[_Node],
    scopes: list[Mapping[str, object]],
    out: list[str],
    *,
    output: Output,
    name: str,
    hints: Mapping[str, str],
) -> None:
    for node in nodes:
        if isinstance(node, _Text):
            out.append(node.text)
            continue
        value = _lookup(scopes, node.name)
        if value is _MISSING:
            raise _error(name, node.line, f"unknown variable '{node.name}'")
        if isinstance(node, _Var):
            if value is None:
                hint = hints.get(node.name)
                raise _error(
                    name,
                    node.line,
                    f"the variable '{node.name}' has no value for this letter"
                    + (f" ({hint})" if hint else ""),
                )
            if not isinstance(value, str):
                raise _error(
                    name,
                    node.line,
                    f"'{node.name}' is a flag or a list: use it as a section, "
                    f"'{{{{#{node.name}}}}}…{{{{/{node.name}}}}}'",
                )
            out.append(_write(value, output))
            continue
        if _is_list(value):
            items = cast(Sequence[object], value)
            if node.inverted:
                if not items:
                    _render(node.children, scopes, out, output=output, name=name, hints=hints)
                continue
            for item in items:
                scope = item if isinstance(item, Mapping) else {}
                _render(node.children, [*scopes, scope], out, output=output, name=name, hints=hints)
            continue
        if bool(value) != node.inverted:
            _render(node.children, scopes, out, output=output, name=name, hints=hints)
