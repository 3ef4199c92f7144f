"""
Letters and messages to complainants, written from templates (ISO 10002 7.3, 7.4, 7.8, 7.9, 8.3).

- :mod:`~iso10002.letters.template`: the small, logic-less template language
  (:class:`Template`): ``{{name}}``, ``{{#name}}…{{/name}}``, ``{{^name}}…{{/name}}``; every
  value escaped in HTML, nothing executable.
- :mod:`~iso10002.letters.variables`: the kinds (:class:`LetterKind`) and the variables each
  kind's templates may use, which every template is checked against.
- :mod:`~iso10002.letters.catalogue`: :class:`LetterTemplate` (one kind in one language) and
  :class:`TemplateSet` (choosing the language, with a fallback).
- :mod:`~iso10002.letters.builtin` and :mod:`~iso10002.letters.files`: the built-in set
  (English, and French for two kinds) and :func:`load_templates` for an organisation's own.
- :mod:`~iso10002.letters.settings`: :class:`LetterSettings`, the organisation's side.
- :mod:`~iso10002.letters.writer`: :class:`LetterWriter`, which writes each kind of letter as
  a :class:`~iso10002.notify.Notification` (:class:`Letter`).
- :mod:`~iso10002.letters.formatting`: dates, deadlines and amounts per language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# These names are also the names of submodules, which importing the submodule would bind
# in their place; so they are bound now, after their submodule, rather than on first use.
from iso10002.letters.variables import (
    SETTINGS_VARIABLES,
    LetterKind,
    Variable,
    VariableType,
    check_template,
    required_variables,
    variables,
)

if TYPE_CHECKING:
    from iso10002.letters.addressing import Address, addresses
    from iso10002.letters.builtin import BUILTIN_ORIGIN, builtin_templates
    from iso10002.letters.catalogue import LetterTemplate, TemplateSet
    from iso10002.letters.files import load_templates
    from iso10002.letters.formatting import format_date, format_deadline, format_money
    from iso10002.letters.settings import LetterSettings
    from iso10002.letters.template import Output, Placeholder, PlaceholderForm, Template
    from iso10002.letters.writer import Letter, LetterWriter
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "BUILTIN_ORIGIN",
    "SETTINGS_VARIABLES",
    "Address",
    "Letter",
    "LetterKind",
    "LetterSettings",
    "LetterTemplate",
    "LetterWriter",
    "Output",
    "Placeholder",
    "PlaceholderForm",
    "Template",
    "TemplateSet",
    "Variable",
    "VariableType",
    "addresses",
    "builtin_templates",
    "check_template",
    "format_date",
    "format_deadline",
    "format_money",
    "load_templates",
    "required_variables",
    "variables",
]
