"""
The kinds of letter and the variables each kind's templates may use, as data.

Every template is checked against its kind's variables when it is built or loaded:

- a name the kind does not document is an error (a misspelt ``{{refernce}}`` would otherwise
  print nothing, or fail only when a letter is sent);
- an *optional* variable (one that is empty for perfectly normal complaints, such as a remedy's
  amount) must be used inside its own section, ``{{#amount}}…{{/amount}}``, so that no letter
  fails for a complaint that lacks it;
- a flag or a list is used only as a section;
- the body of a letter must use the kind's *required* variables: an acknowledgement that does
  not give the reference, or a decision letter that does not name the external body and its
  time limit, is refused.

:func:`variables` lists them per kind (``docs/letters.md`` has the tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from types import MappingProxyType

import attrs

from iso10002.errors import ValidationError
from iso10002.letters.template import PlaceholderForm, Template
from iso10002.model.notification import NotificationKind
from iso10002.model.values import RemedyKind

__all__ = [
    "SETTINGS_VARIABLES",
    "LetterKind",
    "Variable",
    "VariableType",
    "check_template",
    "letter_kind",
    "required_variables",
    "variables",
]


class LetterKind(str, Enum):
    """The letters the library writes; each value is also the notification's ``kind``."""

    ACKNOWLEDGEMENT = NotificationKind.ACKNOWLEDGEMENT.value
    """The complaint was received: the reference, what happens next, the deadlines (7.4)."""
    HOLDING_RESPONSE = NotificationKind.HOLDING_RESPONSE.value
    """The final response will be late: why, the new date, the right to refer now."""
    DECISION = NotificationKind.DECISION.value
    """The final response: outcome, reasons, remedies and, unless fully upheld, recourse (7.8)."""
    SUMMARY_RESOLUTION = "summary_resolution"
    """FCA DISP 1.5: a complaint resolved by close of the third business day after receipt."""
    SATISFACTION_SURVEY = NotificationKind.SATISFACTION_SURVEY.value
    """An invitation to say how the complaint was handled (8.3)."""


class VariableType(str, Enum):
    """How a template may use a variable."""

    TEXT = "text"
    """Always has a value for this kind, or the letter cannot be sent without it."""
    OPTIONAL = "optional"
    """Text that may be empty: use it inside its own section (or its guard's)."""
    FLAG = "flag"
    """Yes or no: use it as ``{{#name}}`` or ``{{^name}}``."""
    LIST = "list"
    """A list: ``{{#name}}…{{/name}}`` repeats once per item, with the item's variables."""


@attrs.frozen(kw_only=True)
class Variable:
    """One variable a template may use."""

    name: str
    type: VariableType
    description: str
    items: tuple[Variable, ...] = ()
    """For a list: the variables of each item."""
    guard: str | None = None
    """For optional text: another variable whose section also guarantees a value."""
    when_missing: str | None = None
    """For text: what gives it a value, quoted in the error when it has none."""


def _text(name: str, description: str, when_missing: str | None = None) -> Variable:
    return Variable(
        name=name, type=VariableType.TEXT, description=description, when_missing=when_missing
    )


def _optional(name: str, description: str, guard: str | None = None) -> Variable:
    return Variable(name=name, type=VariableType.OPTIONAL, description=description, guard=guard)


def _flag(name: str, description: str) -> Variable:
    return Variable(name=name, type=VariableType.FLAG, description=description)


_COMMON = (
    _text("reference", "The complaint's reference, e.g. CMP-2026-000123."),
    _text("complainant_name", "The complainant's name as they gave it."),
    _text("organisation", "The organisation's name (settings)."),
    _text("signature", "Who signs the letter, e.g. 'Customer Relations Team' (settings)."),
    _optional("contact", "How to reach the complaints team, as a phrase (settings)."),
    _optional("website", "The organisation's complaints web page (settings)."),
    _text("language", "The language tag the letter is written in, e.g. en or fr."),
    _text("letter_date", "The date of the letter, in its language and time zone."),
    _text("received_date", "The date the complaint was received."),
    _optional("product", "The product or service the complaint is about."),
    _optional("address_block", "The postal address, one line each; set for letters by post."),
)


def _recourse(*, external_guaranteed: bool = False) -> tuple[Variable, ...]:
    """
    The escalation variables. A summary resolution communication cannot be written without the
    external body and its website, so there they are plain text, not optional.
    """
    body = "The external dispute-resolution body (settings: escalation)."
    url = "The external body's website (settings: escalation)."
    limit = "The time limit for going to the external body, in words (settings: escalation)."
    if external_guaranteed:
        external = (
            _text("external_body", body),
            _text("external_body_url", url),
            _text("external_time_limit", limit),
        )
    else:
        external = (
            _optional("external_body", body),
            _optional("external_body_url", url),
            _optional("external_time_limit", limit, guard="external_body"),
        )
    return (
        _text(
            "internal_review_by",
            "Who reviews a decision inside the organisation (settings: escalation).",
            when_missing="set LetterSettings.escalation, e.g. from the programme",
        ),
        *external,
        _optional(
            "external_deadline",
            "The last date to go to the external body, counted from this letter "
            "(settings: referral_months).",
        ),
        _flag(
            "waives_time_limits",
            "The organisation consents to the external body considering a late referral.",
        ),
        _flag(
            "keeps_time_limits",
            "The organisation does not consent to a late referral (says so, as DISP asks).",
        ),
    )


_REMEDY_ITEMS = (
    *(_flag(kind.value, f"This remedy is of the kind {kind.value!r}.") for kind in RemedyKind),
    _optional("description", "What the remedy is, in the handler's words."),
    _optional("amount", "The amount, formatted for the letter's language, e.g. £42.10."),
)

_DEADLINE_ITEMS = (
    _text("metric", "The timeliness metric's name, e.g. final_response."),
    _text("description", "The metric as its policy describes it."),
    _text("due", "When it is due, in the letter's language and time zone."),
)

_KINDS: Mapping[LetterKind, tuple[Variable, ...]] = MappingProxyType(
    {
        LetterKind.ACKNOWLEDGEMENT: (
            *_COMMON,
            _optional("final_response_due", "When the final response is due, from the SLA report."),
            Variable(
                name="deadlines",
                type=VariableType.LIST,
                description="Every running deadline of the SLA report.",
                items=_DEADLINE_ITEMS,
            ),
        ),
        LetterKind.HOLDING_RESPONSE: (
            *_COMMON,
            _text("reason", "Why the final response is late."),
            _text(
                "new_expected_date",
                "When the final response is now expected.",
                when_missing="give expected_by, or an SLA report whose final response metric "
                "has a deadline",
            ),
            _flag("may_refer_now", "The complainant may go to the external body now."),
            *_recourse(),
        ),
        LetterKind.DECISION: (
            *_COMMON,
            _flag("upheld", "The complaint is upheld."),
            _flag("partially_upheld", "The complaint is partially upheld."),
            _flag("not_upheld", "The complaint is not upheld."),
            _flag("not_fully_upheld", "Partially upheld or not upheld: recourse applies."),
            _text("reasons", "The reasons for the decision."),
            _text("decision_date", "The date of the decision."),
            _flag("has_remedies", "At least one remedy is offered."),
            Variable(
                name="remedies",
                type=VariableType.LIST,
                description="The remedies offered, in the order of the decision.",
                items=_REMEDY_ITEMS,
            ),
            *_recourse(),
        ),
        LetterKind.SUMMARY_RESOLUTION: (
            *_COMMON,
            _optional("resolution", "What was done to resolve the complaint."),
            _text("resolved_date", "The date the complaint was resolved (the letter's date)."),
            *_recourse(external_guaranteed=True),
        ),
        LetterKind.SATISFACTION_SURVEY: (
            *_COMMON,
            _text("survey_link", "Where to answer the survey.", when_missing="give link"),
            _optional("survey_name", "The survey's name."),
            _optional("respond_by", "The last day to answer."),
        ),
    }
)

_REQUIRED: Mapping[LetterKind, tuple[str, ...]] = MappingProxyType(
    {
        LetterKind.ACKNOWLEDGEMENT: ("reference",),
        LetterKind.HOLDING_RESPONSE: ("reference", "reason", "new_expected_date", "external_body"),
        LetterKind.DECISION: (
            "reference",
            "reasons",
            "internal_review_by",
            "external_body",
            "external_time_limit",
        ),
        LetterKind.SUMMARY_RESOLUTION: (
            "reference",
            "external_body",
            "external_body_url",
            "external_time_limit",
            "waives_time_limits",
            "keeps_time_limits",
        ),
        LetterKind.SATISFACTION_SURVEY: ("reference", "survey_link"),
    }
)

SETTINGS_VARIABLES: tuple[str, ...] = (
    "organisation",
    "signature",
    "contact",
    "website",
    "internal_review_by",
    "external_body",
    "external_body_url",
    "external_time_limit",
)
"""The variables whose values come from :class:`~iso10002.letters.LetterSettings`, and which
its ``translations`` may give per language."""


def letter_kind(value: object) -> LetterKind:
    """
    ``value`` as a :class:`LetterKind` (a member or its name).

    Raises:
        ValidationError: naming ``kind``, listing the kinds, if there is no such kind.
    """
    try:
        return LetterKind(value)
    except ValueError:
        known = ", ".join(k.value for k in LetterKind)
        raise ValidationError("kind", f"{value!r} is not a letter kind (kinds: {known})") from None


def variables(kind: LetterKind | str) -> tuple[Variable, ...]:
    """The variables the templates of ``kind`` may use (besides the organisation's extras)."""
    return _KINDS[letter_kind(kind)]


def required_variables(kind: LetterKind | str) -> tuple[str, ...]:
    """The variables the body of every template of ``kind`` must use."""
    return _REQUIRED[letter_kind(kind)]


def _scope(found: Iterable[Variable]) -> dict[str, Variable]:
    return {v.name: v for v in found}


def check_template(
    template: Template,
    kind: LetterKind | str,
    *,
    extra_variables: Iterable[str] = (),
    body: bool = True,
) -> list[str]:
    """
    The problems of ``template`` as a template of ``kind``, each ``"line N: …"``; empty if none.

    Args:
        extra_variables: the organisation's own text variables (settings ``extras``).
        body: check that the kind's required variables are used (for a letter's text and HTML
            bodies; not for subjects and SMS).
    """
    outer = _scope(variables(kind))
    for name in extra_variables:
        outer.setdefault(name, _text(name, "The organisation's own value (settings: extras)."))
    problems: list[str] = []
    for placeholder in template.placeholders():
        scopes = [outer]
        for name, form in placeholder.enclosing:
            found = _resolve(scopes, name)
            if found is not None and found.items and form is PlaceholderForm.SECTION:
                scopes.append(_scope(found.items))
        variable = _resolve(scopes, placeholder.name)
        if variable is None:
            known = ", ".join(sorted({n for s in scopes for n in s}))
            problem: str | None = f"unknown variable '{placeholder.name}' (known here: {known})"
        else:
            problem = _misuse(variable, placeholder.form, placeholder.enclosing)
        if problem:
            problems.append(f"line {placeholder.line}: {problem}")
    if body:
        used = template.names
        for name in required_variables(kind):
            if name not in used:
                problems.append(
                    f"'{name}' is missing: every {letter_kind(kind).value} letter must use "
                    f"'{{{{{name}}}}}'"
                )
    return problems


def _resolve(scopes: list[dict[str, Variable]], name: str) -> Variable | None:
    for scope in reversed(scopes):
        if name in scope:
            return scope[name]
    return None


def _misuse(
    variable: Variable,
    form: PlaceholderForm,
    enclosing: tuple[tuple[str, PlaceholderForm], ...],
) -> str | None:
    """Why ``variable`` may not be used as it is here, or None if it may."""
    name = variable.name
    if form is not PlaceholderForm.VALUE:
        return None
    if variable.type is VariableType.FLAG:
        return (
            f"'{name}' is a yes/no flag: use it as '{{{{#{name}}}}}…{{{{/{name}}}}}' "
            f"or '{{{{^{name}}}}}…{{{{/{name}}}}}'"
        )
    if variable.type is VariableType.LIST:
        return f"'{name}' is a list: use it as a section, '{{{{#{name}}}}}…{{{{/{name}}}}}'"
    if variable.type is VariableType.OPTIONAL:
        guards = {name} if variable.guard is None else {name, variable.guard}
        if not any(n in guards and f is PlaceholderForm.SECTION for n, f in enclosing):
            guard = variable.guard or name
            return f"'{name}' may be empty: put it inside '{{{{#{guard}}}}}…{{{{/{guard}}}}}'"
    return None
