"""
Letter templates from files: a directory of ``<kind>.<language>.<ext>`` files, or one TOML file.

A directory holds, for each kind and language:

- ``<kind>.<language>.txt`` (required): the first line is ``Subject: …``, the second is blank,
  and the rest is the plain-text body;
- ``<kind>.<language>.html`` (optional): the HTML body;
- ``<kind>.<language>.sms`` (optional): the short text for SMS.

Other files (a README, a ``.bak``) are ignored. A TOML file has one table per kind and language,
with the keys ``subject`` and ``text`` (required), ``html`` and ``sms``::

    [decision.en]
    subject = "Your complaint {{reference}}: our final response"
    text = \"\"\"
    Dear {{complainant_name}},
    …
    \"\"\"

Every template is checked as it is loaded (see :mod:`iso10002.letters.variables`), and every
problem of every file is reported at once, each naming its file and line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

from iso10002 import _toml
from iso10002.errors import SerializationError, ValidationError
from iso10002.letters.catalogue import (
    LetterTemplate,
    TemplateSet,
    is_language_tag,
    raise_problems,
)
from iso10002.letters.template import Template
from iso10002.letters.variables import LetterKind, letter_kind

__all__ = ["load_templates"]

_EXTENSIONS = ("txt", "html", "sms")
_SUBJECT = re.compile(r"^subject:(?P<subject>.*)$", re.IGNORECASE)
_TOML_KEYS = ("subject", "text", "html", "sms")
_HEADER = re.compile(r"^\s*\[(?P<key>[^\[\]]+)\]\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(r"^\s*(?P<key>subject|text|html|sms)\s*=\s*(?P<value>.*)$")


class _Entry(Protocol):
    """What :func:`load_templates` needs of a file or directory (a Path, a package resource)."""

    @property
    def name(self) -> str: ...

    def is_file(self) -> bool: ...

    def is_dir(self) -> bool: ...

    def iterdir(self) -> Iterator[_Entry]: ...

    def read_bytes(self) -> bytes: ...


def load_templates(
    path: str | os.PathLike[str], *, extra_variables: Iterable[str] = ()
) -> TemplateSet:
    """
    The templates in the directory or TOML file at ``path``.

    Args:
        extra_variables: the organisation's own variables the templates may use; give the
            same names as ``LetterSettings.extras``.

    Raises:
        ValidationError: the path is neither a directory nor a ``.toml`` file; a file is not
            UTF-8, is named after an unknown kind, lacks its ``Subject:`` line or its text
            template; or a template has a syntax error, an unknown variable, an optional one
            outside its section, or leaves out one its kind requires. The field names the
            first file at fault; the message gives every problem with its file and line.
    """
    location = Path(path)
    extras = tuple(extra_variables)
    if location.is_dir():
        return load_directory(location, label=str(location), extra_variables=extras)
    if location.is_file() and location.suffix.lower() == ".toml":
        return _load_toml(location, extras)
    raise ValidationError(
        str(location), "expected a directory of templates or a .toml file of templates"
    )


def _read(entry: _Entry, name: str) -> str:
    try:
        return entry.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValidationError(name, "is not UTF-8 text") from e


def load_directory(
    directory: _Entry, *, label: str, extra_variables: tuple[str, ...] = ()
) -> TemplateSet:
    """The templates in ``directory`` (a path or a package resource), named ``label/<file>``."""
    problems: list[tuple[str, str]] = []
    groups: dict[tuple[LetterKind, str], dict[str, tuple[str, str]]] = {}
    for entry in sorted(directory.iterdir(), key=lambda e: e.name):
        stem, dot, extension = entry.name.rpartition(".")
        if not dot or extension not in _EXTENSIONS or not entry.is_file():
            continue
        name = f"{label}/{entry.name}"
        parts = stem.split(".")
        if len(parts) != 2:
            problems.append((name, "name the file <kind>.<language>.<txt|html|sms>"))
            continue
        if not is_language_tag(parts[1]):
            problems.append((name, f"{parts[1]!r} is not a language tag such as en or fr-CA"))
            continue
        try:
            kind = letter_kind(parts[0])
            groups.setdefault((kind, parts[1]), {})[extension] = (name, _read(entry, name))
        except ValidationError as e:
            problems.append((name, e.reason))
    templates: list[LetterTemplate] = []
    for (kind, language), files in groups.items():
        if "txt" not in files:
            for name, _ in files.values():
                problems.append(
                    (name, f"needs the text template beside it: {kind.value}.{language}.txt")
                )
            continue
        try:
            templates.append(_from_files(kind, language, files, label, extra_variables))
        except ValidationError as e:
            problems.extend(_split(e))
    raise_problems(problems)
    return TemplateSet(templates=templates)


def _split(error: ValidationError) -> list[tuple[str, str]]:
    """The (template, problem) pairs of an error raised by :func:`raise_problems`."""
    first, *rest = error.reason.split("\n")
    pairs = [(error.field, first)]
    for line in rest:
        name, _, problem = line.partition(": ")
        pairs.append((name, problem))
    return pairs


def _from_files(
    kind: LetterKind,
    language: str,
    files: Mapping[str, tuple[str, str]],
    origin: str,
    extra_variables: tuple[str, ...],
) -> LetterTemplate:
    name, content = files["txt"]
    lines = content.splitlines(keepends=True)
    header = _SUBJECT.match(lines[0].rstrip("\r\n")) if lines else None
    if header is None or (len(lines) > 1 and lines[1].strip()):
        raise ValidationError(
            name, "line 1: a text template starts with 'Subject: …' and then a blank line"
        )
    subject = Template(text=header["subject"].strip(), name=name, first_line=1)
    text = Template(text="".join(lines[2:]), name=name, first_line=3)
    html = Template(text=files["html"][1], name=files["html"][0]) if "html" in files else None
    sms = Template(text=files["sms"][1].strip(), name=files["sms"][0]) if "sms" in files else None
    return LetterTemplate(
        kind=kind,
        language=language,
        subject=subject,
        text=text,
        html=html,
        sms=sms,
        origin=origin,
        extra_variables=extra_variables,
    )


# -- TOML ----------------------------------------------------------------------------------------


def _header_key(raw: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in raw.split("."))


def _value_lines(text: str) -> dict[tuple[str, str], int]:
    """
    The file line where each ``[kind.language]`` table's values start, for errors that name
    the file's lines. A multi-line string starts on the line after its opening quotes.
    """
    found: dict[tuple[str, str], int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header is not None:
            table = _header_key(header["key"])
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment is None:
            continue
        value = assignment["value"].strip()
        multiline = value[:3] in ('"""', "'''") and not value[3:].strip()
        found[(table, assignment["key"])] = number + 1 if multiline else number
    return found


def _load_toml(path: Path, extra_variables: tuple[str, ...]) -> TemplateSet:
    label = str(path)
    content = _read(path, label)
    try:
        data = _toml.loads(content)
    except SerializationError as e:
        raise ValidationError(label, str(e).removeprefix("$: ")) from e
    lines = _value_lines(content)
    problems: list[tuple[str, str]] = []
    templates: list[LetterTemplate] = []
    for kind_name, languages in data.items():
        try:
            kind = letter_kind(kind_name)
        except ValidationError as e:
            problems.append((label, e.reason))
            continue
        if not isinstance(languages, dict):
            problems.append((label, f"[{kind_name}] must be a table of languages"))
            continue
        for language, fields in languages.items():
            table = f"{kind_name}.{language}"
            if not is_language_tag(language):
                problems.append((f"{label} [{table}]", f"{language!r} is not a language tag"))
                continue
            try:
                templates.append(
                    _from_table(
                        kind,
                        language,
                        fields,
                        label=label,
                        table=table,
                        lines=lines,
                        extra_variables=extra_variables,
                    )
                )
            except ValidationError as e:
                problems.extend(_split(e))
    raise_problems(problems)
    return TemplateSet(templates=templates)


def _from_table(
    kind: LetterKind,
    language: str,
    fields: object,
    *,
    label: str,
    table: str,
    lines: Mapping[tuple[str, str], int],
    extra_variables: tuple[str, ...],
) -> LetterTemplate:
    where = f"{label} [{table}]"
    if not isinstance(fields, dict):
        raise ValidationError(where, "must be a table with subject, text, html and sms")
    unknown = sorted(set(fields) - set(_TOML_KEYS))
    if unknown:
        raise ValidationError(
            where, f"unknown keys {', '.join(unknown)} (allowed: {', '.join(_TOML_KEYS)})"
        )
    parts: dict[str, Template] = {}
    for key in _TOML_KEYS:
        value = fields.get(key)
        if value is None:
            if key in ("subject", "text"):
                raise ValidationError(where, f"'{key}' is missing")
            continue
        if not isinstance(value, str):
            raise ValidationError(f"{where} {key}", "must be a string")
        line = lines.get((table, key))
        name = f"{where} {key}" if line is not None else f"{where} {key} (lines of the value)"
        text = value.strip() if key in ("subject", "sms") else value
        parts[key] = Template(text=text, name=name, first_line=line or 1)
    return LetterTemplate(
        kind=kind,
        language=language,
        subject=parts["subject"],
        text=parts["text"],
        html=parts.get("html"),
        sms=parts.get("sms"),
        origin=label,
        extra_variables=extra_variables,
    )
