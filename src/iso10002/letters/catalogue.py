"""
Template sets: the templates of each letter kind in each language, checked when they are built.

A :class:`LetterTemplate` is one kind in one language: a one-line subject, a plain-text body,
and optionally an HTML body and a short SMS text. A :class:`TemplateSet` holds many of them and
picks the one for a complainant's language, falling back to a configured language when the set
has no translation.

An organisation overrides the built-in set with its own files (:func:`~iso10002.letters.
load_templates`): an override replaces the built-in template of that kind and language *as a
whole* (subject, text, HTML and SMS together), so the versions of one letter never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.letters.template import Template
from iso10002.letters.variables import LetterKind, check_template, letter_kind
from iso10002.model import _checks as check

__all__ = ["LetterTemplate", "TemplateSet", "language_candidates"]

# A BCP 47 tag in its common shapes (en, cy, fr-CA, zh-Hant-TW), as notifications accept.
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_EXTRA = re.compile(r"^[a-z][a-z0-9_]*$")


def is_language_tag(value: object) -> bool:
    """True for a language tag such as ``en``, ``cy`` or ``fr-CA``."""
    return isinstance(value, str) and _LANGUAGE.match(value) is not None


def language_tag(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validator: a language tag such as ``en``, ``cy`` or ``fr-CA``."""
    if not is_language_tag(value):
        raise ValidationError(
            attribute.name, f"{value!r} is not a language tag such as en, cy or fr-CA"
        )


def _extra_names(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.tuple_of_text(_inst, attribute, value)
    assert isinstance(value, tuple)
    for index, name in enumerate(value):
        if not _EXTRA.match(name):
            raise ValidationError(
                f"{attribute.name}[{index}]",
                f"{name!r} is not a variable name (lower-case letters, digits and '_')",
            )


def _optional_template(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Template):
        raise ValidationError(attribute.name, f"expected a Template, got {type(value).__name__}")


def raise_problems(problems: Sequence[tuple[str, str]]) -> None:
    """
    Raise one :class:`ValidationError` for every ``(template name, problem)`` pair, if any:
    the field is the first template's name, and each further problem is a line of its own that
    starts with its template's name.
    """
    if not problems:
        return
    (first_name, first), *rest = problems
    message = first + "".join(f"\n{name}: {problem}" for name, problem in rest)
    raise ValidationError(first_name, message)


@attrs.frozen(kw_only=True)
class LetterTemplate:
    """
    The templates of one kind of letter in one language.

    Raises:
        ValidationError: a part uses a variable its kind does not document (or an optional one
            outside its section), the text or HTML body leaves out a variable the kind requires,
            or the subject spans lines. The field is the name of the template at fault; the
            message gives the line and the variable, one problem per line.
    """

    kind: LetterKind = attrs.field(converter=letter_kind)
    language: str = attrs.field(validator=language_tag)
    subject: Template = attrs.field(validator=check.instance(Template))
    """One line: the e-mail's subject, and the heading of an SMS."""
    text: Template = attrs.field(validator=check.instance(Template))
    """The plain-text body: always present, and sent for the letter channel too."""
    html: Template | None = attrs.field(default=None, validator=_optional_template)
    """The HTML body of an e-mail or a printed letter, if the organisation has one."""
    sms: Template | None = attrs.field(default=None, validator=_optional_template)
    """The short text sent when the complainant prefers SMS."""
    origin: str = attrs.field(default="code", validator=check.text)
    """Where the template came from: ``"built-in"``, a directory or a file."""
    extra_variables: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=_extra_names
    )
    """The organisation's own variables the templates may use (see ``LetterSettings.extras``)."""

    def __attrs_post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        if "\n" in self.subject.text.strip("\n") or "\r" in self.subject.text:
            problems.append((self.subject.name, "the subject must be one line"))
        parts: list[tuple[Template | None, bool]] = [
            (self.subject, False),
            (self.text, True),
            (self.html, True),
            (self.sms, False),
        ]
        for part, body in parts:
            if part is None:
                continue
            for problem in check_template(
                part, self.kind, extra_variables=self.extra_variables, body=body
            ):
                problems.append((part.name, problem))
        raise_problems(problems)

    @property
    def names(self) -> frozenset[str]:
        """Every variable any part uses."""
        parts = (self.subject, self.text, self.html, self.sms)
        return frozenset().union(*(p.names for p in parts if p is not None))


def language_candidates(requested: str, fallback: str) -> tuple[str, ...]:
    """The languages to try, in order: the tag, its primary subtag, then the fallback."""
    ordered: list[str] = []
    for tag in (requested, requested.split("-", 1)[0], fallback):
        if tag.lower() not in (t.lower() for t in ordered):
            ordered.append(tag)
    return tuple(ordered)


def _unique(_inst: object, _attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    seen: dict[tuple[LetterKind, str], LetterTemplate] = {}
    for template in value:
        key = (template.kind, template.language.lower())
        if key in seen:
            raise ValidationError(
                "templates",
                f"{template.kind.value} in {template.language!r} is given twice "
                f"({seen[key].origin} and {template.origin})",
            )
        seen[key] = template


@attrs.frozen(kw_only=True)
class TemplateSet:
    """
    Letter templates by kind and language.

    Raises:
        ValidationError: two templates share a kind and language (field ``templates``).
    """

    templates: tuple[LetterTemplate, ...] = attrs.field(
        converter=check.to_tuple, validator=[check.tuple_of(LetterTemplate), _unique]
    )

    def get(self, kind: LetterKind | str, language: str) -> LetterTemplate | None:
        """The template of ``kind`` in exactly ``language`` (case-insensitive), if any."""
        wanted = letter_kind(kind)
        for template in self.templates:
            if template.kind is wanted and template.language.lower() == language.lower():
                return template
        return None

    def languages(self, kind: LetterKind | str) -> tuple[str, ...]:
        """The languages the set has ``kind`` in, in the order of the set."""
        wanted = letter_kind(kind)
        return tuple(t.language for t in self.templates if t.kind is wanted)

    @property
    def extra_variables(self) -> frozenset[str]:
        """The organisation's own variables some template uses."""
        found: set[str] = set()
        for template in self.templates:
            found.update(n for n in template.names if n in template.extra_variables)
        return frozenset(found)

    def with_overrides(self, overrides: TemplateSet | Iterable[LetterTemplate]) -> TemplateSet:
        """
        This set with each template of ``overrides`` in place of the one of the same kind and
        language (added when this set has none).
        """
        given = overrides.templates if isinstance(overrides, TemplateSet) else tuple(overrides)
        replaced = {(t.kind, t.language.lower()) for t in given}
        kept = [t for t in self.templates if (t.kind, t.language.lower()) not in replaced]
        return TemplateSet(templates=(*kept, *given))

    def choose(
        self, kind: LetterKind | str, language: str, *, fallback: str, sms: bool = False
    ) -> LetterTemplate:
        """
        The template to write ``kind`` in for a complainant who reads ``language``: in that
        language, else in its primary language (``fr`` for ``fr-CA``), else in ``fallback``.
        With ``sms``, only templates that have an SMS text count.

        Raises:
            ValidationError: none of those languages has the template (field ``templates``).
        """
        wanted = letter_kind(kind)
        for candidate in language_candidates(language, fallback):
            found = self.get(wanted, candidate)
            if found is not None and (not sms or found.sms is not None):
                return found
        part = "SMS template" if sms else "template"
        raise ValidationError(
            "templates",
            f"no {part} of {wanted.value} in {language!r} or in the fallback language {fallback!r}",
        )
