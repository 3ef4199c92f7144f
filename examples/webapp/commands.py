"""
The staff console's command forms: for each desk method a button may run, the fields its form
asks for and how the submitted form becomes the desk call.

Which buttons a complaint page shows comes from ``desk.available_commands(key, actor=...)``;
this table only says how to ask for each one's input. A method the table does not know (a
custom workflow step, a deadline extension) is listed on the page without a form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Classification,
    ClosureReason,
    Complaint,
    ComplaintDesk,
    Decision,
    Outcome,
    Reaction,
    RootCause,
    Severity,
    ValidationError,
)

from .wiring import STAFF

__all__ = ["FORMS", "Field", "Form", "run"]


@dataclass(frozen=True)
class Field:
    """One input of a command's form: a text box, a text area, or a choice."""

    name: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    long: bool = False
    required: bool = True


Runner = Callable[[ComplaintDesk, str, Actor, Mapping[str, str], int], Complaint]
"""Runs the command: desk, reference, actor, the form's values, the version seen."""


@dataclass(frozen=True)
class Form:
    """The label of a command's button, the fields it asks for, and how it runs."""

    label: str
    run: Runner
    fields: tuple[Field, ...] = field(default=())


def _options(members: list[str]) -> tuple[tuple[str, str], ...]:
    return tuple((m, m.replace("_", " ")) for m in members)


SEVERITIES = _options([s.value for s in Severity])
OUTCOMES = _options([o.value for o in Outcome])
CLOSURES = _options([c.value for c in ClosureReason if c is not ClosureReason.DUPLICATE])
REACTIONS = _options([r.value for r in Reaction])
ASSIGNEES = tuple((a.id, a.name or a.id) for a in STAFF.values())


def _text(form: Mapping[str, str], name: str) -> str:
    """A required text, stripped; refused like any other invalid input when empty."""
    value = form.get(name, "").strip()
    if not value:
        raise ValidationError(name, "must not be empty")
    return value


def _optional(form: Mapping[str, str], name: str) -> str | None:
    return form.get(name, "").strip() or None


def _assignee(form: Mapping[str, str]) -> Actor:
    chosen = STAFF.get(form.get("assignee", ""))
    if chosen is None:
        raise ValidationError("assignee", "choose a member of staff")
    return chosen


FORMS: Mapping[str, Form] = {
    "acknowledge": Form(
        "Acknowledge",
        lambda d, r, a, f, v: d.acknowledge(r, a, expected_version=v),
    ),
    "assess": Form(
        "Assess",
        lambda d, r, a, f, v: d.assess(
            r, a, Assessment(severity=Severity(f.get("severity", ""))), expected_version=v
        ),
        (Field("severity", "Severity", SEVERITIES),),
    ),
    "classify": Form(
        "Classify",
        lambda d, r, a, f, v: d.classify(
            r, a, Classification(category=(_text(f, "category"),)), expected_version=v
        ),
        (Field("category", "Category"),),
    ),
    "assign": Form(
        "Assign",
        lambda d, r, a, f, v: d.assign(r, a, _assignee(f), expected_version=v),
        (Field("assignee", "Assign to", ASSIGNEES),),
    ),
    "start_investigation": Form(
        "Start investigation",
        lambda d, r, a, f, v: d.start_investigation(
            r, a, plan=_optional(f, "plan"), expected_version=v
        ),
        (Field("plan", "Plan", long=True, required=False),),
    ),
    "add_note": Form(
        "Add note",
        # A note commutes with any other change: it does not ask for the version seen.
        lambda d, r, a, f, v: d.add_note(r, a, _text(f, "text")),
        (Field("text", "Note", long=True),),
    ),
    "record_root_cause": Form(
        "Record root cause",
        lambda d, r, a, f, v: d.record_root_cause(
            r,
            a,
            RootCause(cause=_text(f, "cause"), category=_optional(f, "category")),
            expected_version=v,
        ),
        (Field("cause", "Cause"), Field("category", "Category", required=False)),
    ),
    "decide": Form(
        "Decide",
        lambda d, r, a, f, v: d.decide(
            r,
            a,
            Decision(outcome=Outcome(f.get("outcome", "")), reasons=_text(f, "reasons")),
            expected_version=v,
        ),
        (Field("outcome", "Outcome", OUTCOMES), Field("reasons", "Reasons", long=True)),
    ),
    "communicate_decision": Form(
        "Communicate decision",
        lambda d, r, a, f, v: d.communicate_decision(
            r, a, channel=Channel.EMAIL, summary=_text(f, "summary"), expected_version=v
        ),
        (Field("summary", "What the complainant is told", long=True),),
    ),
    "record_reaction": Form(
        "Record reaction",
        lambda d, r, a, f, v: d.record_reaction(
            r,
            a,
            Reaction(f.get("reaction", "")),
            comment=_optional(f, "comment"),
            expected_version=v,
        ),
        (
            Field("reaction", "The complainant", REACTIONS),
            Field("comment", "Comment", required=False),
        ),
    ),
    "request_internal_review": Form(
        "Request internal review",
        lambda d, r, a, f, v: d.request_internal_review(
            r, a, reason=_text(f, "reason"), expected_version=v
        ),
        (Field("reason", "Reason"),),
    ),
    "refer_externally": Form(
        "Refer externally",
        lambda d, r, a, f, v: d.refer_externally(r, a, body=_text(f, "body"), expected_version=v),
        (Field("body", "External body"),),
    ),
    "close": Form(
        "Close",
        lambda d, r, a, f, v: d.close(
            r,
            a,
            reason=ClosureReason(f.get("reason", "")),
            note=_optional(f, "note"),
            expected_version=v,
        ),
        (Field("reason", "Closed", CLOSURES), Field("note", "Note", required=False)),
    ),
    "withdraw": Form(
        "Withdraw",
        lambda d, r, a, f, v: d.withdraw(r, a, reason=_optional(f, "reason"), expected_version=v),
        (Field("reason", "Reason", required=False),),
    ),
    "reopen": Form(
        "Reopen",
        lambda d, r, a, f, v: d.reopen(r, a, reason=_text(f, "reason"), expected_version=v),
        (Field("reason", "Reason"),),
    ),
    "put_on_hold": Form(
        "Put on hold",
        lambda d, r, a, f, v: d.put_on_hold(r, a, reason=_text(f, "reason"), expected_version=v),
        (Field("reason", "Reason"),),
    ),
    "release_hold": Form(
        "Release hold",
        lambda d, r, a, f, v: d.release_hold(r, a, note=_optional(f, "note"), expected_version=v),
        (Field("note", "Note", required=False),),
    ),
}
"""The commands the console can ask for, by desk method."""


def run(
    desk: ComplaintDesk,
    reference: str,
    actor: Actor,
    method: str,
    form: Mapping[str, str],
    *,
    version: int,
) -> Complaint:
    """
    Run ``method`` with the submitted form, as ``actor`` who saw the complaint at ``version``.

    Raises:
        ValidationError: the method has no form here, or a value is missing or not a choice.
        Iso10002Error: whatever the desk refuses (access, workflow, guard, conflict).
    """
    spec = FORMS.get(method)
    if spec is None:
        raise ValidationError("command", f"{method} is not offered in this console")
    try:
        return spec.run(desk, reference, actor, form, version)
    except ValueError as error:
        if isinstance(error, ValidationError):
            raise
        # An enum given a value that is not one of its members: a tampered choice.
        raise ValidationError("form", str(error)) from error
