"""
The guiding principles of ISO 10002:2018 clause 4, as data, each with the controls that evidence it.

A control is either the id of an audit criterion (``"7.4-acknowledged-in-time"``, evaluated by the
audit against the event history or the programme configuration) or a library feature that
enforces the principle as complaints are handled, written ``kind:name``:

- ``guard:<name>`` — a guard of the standard workflow (:mod:`iso10002.process.guards`):
  ``objectivity`` keeps staff a complaint is about from investigating or deciding it (Annex D),
  ``assessment_recorded`` refuses a decision before an assessment, ``recourse_explained`` keeps
  a rejected complaint open until internal and external recourse was explained,
  ``closure_justified`` refuses a closure without a reason, and ``decision_carried_out`` (when
  the workflow requires it) a resolved closure before the promised action was recorded;
- ``sla:policies`` — timeliness policies computed from the history (:mod:`iso10002.sla`);
- ``events:history`` — the append-only, sequenced event history (who did what, when);
- ``programme:configuration`` — the typed programme configuration (:mod:`iso10002.programme`).

The 2018 list of fourteen principles and their numbering 4.2 to 4.15 are not confirmed against
the purchased text of the standard: the public sources show the 2004/2014 list of nine and a
sister standard's list, and the one-line meanings are paraphrases. Treat the clause numbers as
the best available reading, not as a quotation.
"""

from __future__ import annotations

from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check

__all__ = ["Principle", "principle", "principles"]


def _non_empty_text_tuple(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.tuple_of_text(inst, attribute, value)
    if not value:
        raise ValidationError(attribute.name, "a principle needs at least one control")


@attrs.frozen(kw_only=True)
class Principle:
    """
    One guiding principle of clause 4.

    Args:
        id: a stable identifier, e.g. ``"commitment"``.
        clause: the sub-clause, e.g. ``"4.2"``.
        name: the principle's name as the standard titles it.
        meaning: what it asks of an organisation, in one sentence (paraphrased).
        controls: the audit criteria ids and library features (``kind:name``) that evidence it.
    """

    id: str = attrs.field(validator=check.text)
    clause: str = attrs.field(validator=check.text)
    name: str = attrs.field(validator=check.text)
    meaning: str = attrs.field(validator=check.text)
    controls: tuple[str, ...] = attrs.field(validator=_non_empty_text_tuple)


_PRINCIPLES: tuple[Principle, ...] = (
    Principle(
        id="commitment",
        clause="4.2",
        name="Commitment",
        meaning=(
            "The organization is actively committed to handling complaints effectively and "
            "efficiently, led by top management."
        ),
        controls=(
            "5.2-leadership-commitment",
            "5.3-policy-published",
            "5.4-roles-assigned",
            "8.6-management-review-held",
        ),
    ),
    Principle(
        id="capability",
        clause="4.3",
        name="Capability",
        meaning="Enough resources are committed to complaints handling and managed well.",
        controls=(
            "6.4-resources-adequate",
            "5.4-roles-assigned",
            "6.4-staff-trained",
            "8.4-objectives-monitored",
        ),
    ),
    Principle(
        id="transparency",
        clause="4.4",
        name="Transparency",
        meaning=(
            "How and where to complain, and the policy and procedure, are well publicised to "
            "customers, staff and other interested parties."
        ),
        controls=(
            "5.3-policy-published",
            "7.1-how-to-complain-published",
            "7.9-external-body-named",
        ),
    ),
    Principle(
        id="accessibility",
        clause="4.5",
        name="Accessibility",
        meaning=(
            "The process is easy to find and use for all complainants: clear language, "
            "accessible formats and help for those who need it."
        ),
        controls=(
            "4.5-accessible-to-all",
            "7.1-how-to-complain-published",
            "7.2-record-complete",
        ),
    ),
    Principle(
        id="responsiveness",
        clause="4.6",
        name="Responsiveness",
        meaning=(
            "Receipt is acknowledged immediately, complaints are handled promptly by urgency, "
            "and complainants are treated courteously and kept informed."
        ),
        controls=(
            "7.3-kept-informed",
            "7.4-acknowledged-in-time",
            "7.5-assessed-before-investigation",
            "7.7-response-given",
            "7.8-decision-communicated",
            "guard:assessment_recorded",
            "sla:policies",
        ),
    ),
    Principle(
        id="objectivity",
        clause="4.7",
        name="Objectivity",
        meaning="Each complaint is handled in an equitable, objective and unbiased way.",
        controls=("4.7-objectivity", "7.6-investigated-when-serious", "guard:objectivity"),
    ),
    Principle(
        id="charges",
        clause="4.8",
        name="Charges",
        meaning="Access to the complaints-handling process is free of charge to the complainant.",
        controls=("4.8-no-charges",),
    ),
    Principle(
        id="information-integrity",
        clause="4.9",
        name="Information integrity",
        meaning=(
            "Information about the process is accurate and not misleading, and the data "
            "collected are relevant, correct, complete and useful."
        ),
        controls=("4.9-history-integrity", "7.2-record-complete", "events:history"),
    ),
    Principle(
        id="confidentiality",
        clause="4.10",
        name="Confidentiality",
        meaning=(
            "Personal data are used only to address the complaint and are protected from "
            "disclosure unless the person consents or the law requires it."
        ),
        controls=("4.10-personal-data-restricted", "8.1-retention", "programme:configuration"),
    ),
    Principle(
        id="customer-focused-approach",
        clause="4.11",
        name="Customer-focused approach",
        meaning=(
            "The organization is open to feedback, including complaints, and shows by its "
            "actions that it is committed to resolving them."
        ),
        controls=(
            "8.3-satisfaction-measured",
            "7.9-recourse-explained",
            "7.8-decision-communicated",
            "7.9-decision-carried-out",
            "guard:recourse_explained",
        ),
    ),
    Principle(
        id="accountability",
        clause="4.12",
        name="Accountability",
        meaning=(
            "It is clear who is accountable for, and who reports on, the actions and decisions "
            "taken on complaints handling."
        ),
        controls=(
            "5.4-roles-assigned",
            "7.9-closure-reason",
            "7-workflow-conforms",
            "7.9-decision-carried-out",
            "guard:closure_justified",
            "guard:decision_carried_out",
            "events:history",
        ),
    ),
    Principle(
        id="improvement",
        clause="4.13",
        name="Improvement",
        meaning=(
            "Improving the complaints-handling process and the products and services is a "
            "permanent objective."
        ),
        controls=(
            "8.2-root-cause-for-upheld",
            "8.3-satisfaction-measured",
            "8.4-objectives-monitored",
            "8.5-audited-at-intervals",
            "8.6-management-review-held",
            "8.7-nonconformity-has-action",
        ),
    ),
    Principle(
        id="competence",
        clause="4.14",
        name="Competence",
        meaning=(
            "Staff have the attributes, skills, training and experience to handle complaints."
        ),
        controls=("6.4-staff-trained",),
    ),
    Principle(
        id="timeliness",
        clause="4.15",
        name="Timeliness",
        meaning="Complaints are handled as quickly as their nature and the process allow.",
        controls=(
            "7.4-acknowledged-in-time",
            "7.7-response-given",
            "8.4-objectives-monitored",
            "sla:policies",
        ),
    ),
)

_BY_ID = {p.id: p for p in _PRINCIPLES}


def principles() -> tuple[Principle, ...]:
    """The fourteen principles of clause 4, in clause order (4.2 to 4.15)."""
    return _PRINCIPLES


def principle(id: str) -> Principle:
    """
    The principle called ``id``.

    Raises:
        ValidationError: no principle has that id (field ``principle``; the message lists them).
    """
    found = _BY_ID.get(id)
    if found is None:
        known = ", ".join(_BY_ID)
        raise ValidationError("principle", f"no principle {id!r} (known: {known})")
    return found
