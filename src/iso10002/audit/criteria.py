"""
The audit criteria catalogue (ISO 10002 8.5): each criterion maps to a clause, asks one
question, says how it is evidenced, and how serious a failure is.

Three kinds:

* **history** criteria check every complaint received in the period, from its events;
* **configuration** criteria read the programme configuration (and, where said, the store);
* **attested** criteria are stated by a named person with evidence, and recorded.

A history check returns ``True`` (conforms), ``False`` (does not) or ``None`` (does not apply
to this complaint). Configuration checks return a :class:`ConfigOutcome`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs

from iso10002.audit import _config_checks as config
from iso10002.audit import _history_checks as history
from iso10002.audit._config_checks import ConfigOutcome
from iso10002.audit._workflows import workflows_conform
from iso10002.audit.findings import EvidenceKind, Weight
from iso10002.model.complaint import Complaint
from iso10002.model.events import Event

if TYPE_CHECKING:
    from iso10002.audit.run import AuditContext

__all__ = ["ConfigOutcome", "Criterion", "criteria", "criterion"]

HistoryCheck = Callable[["AuditContext", Complaint, Sequence[Event]], "bool | None"]
ConfigCheck = Callable[["AuditContext"], ConfigOutcome]


@attrs.frozen(kw_only=True)
class Criterion:
    """One auditable question, with the clause it comes from and how it is evidenced."""

    id: str
    clause: str
    question: str
    evidence_kind: EvidenceKind
    weight: Weight
    history_check: HistoryCheck | None = attrs.field(default=None, eq=False, repr=False)
    config_check: ConfigCheck | None = attrs.field(default=None, eq=False, repr=False)
    needs_programme: bool = False
    any_suffices: bool = False
    """A history criterion met when some complaints conform (a sample), not all of them."""
    after_findings: bool = False
    """A configuration criterion that reads the other criteria's findings, so runs last."""
    checks_record: bool = False
    """A history criterion that also judges the stored record as
    :func:`~iso10002.integrity.verify` finds it at the audit's instant (4.9)."""


_H = EvidenceKind.HISTORY
_C = EvidenceKind.CONFIGURATION
_A = EvidenceKind.ATTESTATION

_CATALOGUE: tuple[Criterion, ...] = (
    Criterion(
        id="7.2-record-complete",
        clause="7.2",
        question="Does every complaint have a unique reference, receipt time, channel, "
        "description and the remedy requested?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=history.record_complete,
    ),
    Criterion(
        id="7.3-kept-informed",
        clause="7.3",
        question="While a complaint waited for its decision, was the complainant told where it "
        "stood at regular intervals (at least every update interval of the audit)?",
        evidence_kind=_H,
        weight=Weight.MINOR,
        history_check=history.kept_informed,
    ),
    Criterion(
        id="7.4-acknowledged-in-time",
        clause="7.4",
        question="Was every complaint acknowledged within its target?",
        evidence_kind=_H,
        weight=Weight.MINOR,
        history_check=history.acknowledged_in_time,
    ),
    Criterion(
        id="7.5-assessed-before-investigation",
        clause="7.5",
        question="Was every complaint assessed before it was investigated or decided?",
        evidence_kind=_H,
        weight=Weight.MINOR,
        history_check=history.assessed_first,
    ),
    Criterion(
        id="7.6-investigated-when-serious",
        clause="7.6",
        question="Was every complaint assessed as serious (urgent or high priority, or a safety "
        "implication) investigated before it was decided?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=history.investigated_when_serious,
    ),
    Criterion(
        id="7.7-response-given",
        clause="7.7",
        question="Did every complaint get a response (its decision communicated) within the "
        "response target?",
        evidence_kind=_H,
        weight=Weight.MINOR,
        history_check=history.response_given,
    ),
    Criterion(
        id="7.8-decision-communicated",
        clause="7.8",
        question="Was every decision communicated to the complainant?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=history.decision_communicated,
    ),
    Criterion(
        id="7.9-recourse-explained",
        clause="7.9",
        question="When a decision was not fully upheld, was the complainant told of internal "
        "and external recourse?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=history.recourse_explained,
    ),
    Criterion(
        id="7.9-closure-reason",
        clause="7.9",
        question="Was every complaint closed for a documented reason that held at the time?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=history.closure_reason,
    ),
    Criterion(
        id="7.9-decision-carried-out",
        clause="7.9",
        question="When an accepted decision promised an action (a remedy beyond an explanation "
        "or an apology), was it recorded as carried out before the complaint closed as resolved?",
        evidence_kind=_H,
        # An observation, not a nonconformity: histories recorded before the step existed
        # cannot show it, and the closing guard enforces it where the workflow requires it.
        weight=Weight.OBSERVATION,
        history_check=history.decision_carried_out,
    ),
    Criterion(
        id="4.7-objectivity",
        clause="4.7",
        question="Was no complaint assigned to, investigated or decided by a person it is about?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=history.objectivity,
    ),
    Criterion(
        id="4.9-history-integrity",
        clause="4.9",
        question="Does every complaint's history replay completely, numbered without gaps and "
        "in time order, and does the stored record verify as of the audit's instant (no event "
        "altered, deleted, inserted or reordered)?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=history.integrity,
        checks_record=True,
    ),
    Criterion(
        id="8.2-root-cause-for-upheld",
        clause="8.2",
        question="Was a root cause recorded for every upheld or partially upheld complaint?",
        evidence_kind=_H,
        weight=Weight.MINOR,
        history_check=history.root_cause,
    ),
    Criterion(
        id="8.3-satisfaction-measured",
        clause="8.3",
        question="Is complainants' satisfaction with the handling measured?",
        evidence_kind=_H,
        weight=Weight.MINOR,
        history_check=history.satisfaction,
        # The standard asks for regular measurement, e.g. by random surveys, not every case.
        any_suffices=True,
    ),
    Criterion(
        id="4.8-no-charges",
        clause="4.8",
        question="Is access to the complaints process free of charge?",
        evidence_kind=_C,
        weight=Weight.MAJOR,
        config_check=config.no_charges,
        needs_programme=True,
    ),
    Criterion(
        id="4.5-accessible-to-all",
        clause="4.5",
        question="Can everyone use the process: more than one channel, an accessible format, and "
        "the languages stated?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=config.accessible_to_all,
        needs_programme=True,
    ),
    Criterion(
        id="4.10-personal-data-restricted",
        clause="4.10",
        question="Is it stated who may see complainants' personal data, and when it may be "
        "disclosed?",
        evidence_kind=_C,
        weight=Weight.MAJOR,
        config_check=config.personal_data_restricted,
        needs_programme=True,
    ),
    Criterion(
        id="5.3-policy-published",
        clause="5.3",
        question="Is the complaints-handling policy documented, approved and published?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=config.policy_published,
        needs_programme=True,
    ),
    Criterion(
        id="5.4-roles-assigned",
        clause="5.4",
        question="Are top management and a complaints-handling management representative named?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=config.roles_assigned,
        needs_programme=True,
    ),
    Criterion(
        id="6.4-staff-trained",
        clause="6.4",
        question="Did everyone who handled a complaint hold a current training record?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=config.staff_trained,
        needs_programme=True,
    ),
    Criterion(
        id="7.1-how-to-complain-published",
        clause="7.1",
        question="Is how and where to complain published, with the channels offered?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=config.how_to_complain,
        needs_programme=True,
    ),
    Criterion(
        id="7-workflow-conforms",
        clause="7",
        question="Does every path of the handling process acknowledge, assess and communicate "
        "a decision, or end for a documented reason, with the required guards?",
        evidence_kind=_C,
        weight=Weight.MAJOR,
        config_check=workflows_conform,
    ),
    Criterion(
        id="7.9-external-body-named",
        clause="7.9",
        question="Is an external dispute-resolution body named for complainants who remain "
        "dissatisfied?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=config.external_body,
        needs_programme=True,
    ),
    Criterion(
        id="8.1-retention",
        clause="8.1",
        question="Are complaint records kept no longer than the retention rules allow?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=config.retention,
        needs_programme=True,
    ),
    Criterion(
        id="8.4-objectives-monitored",
        clause="8.4",
        question="Are the programme's objectives measurable and monitored?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=config.objectives_monitored,
        needs_programme=True,
    ),
    Criterion(
        id="8.7-nonconformity-has-action",
        clause="8.7",
        question="Does every nonconformity the audit found have an improvement action that "
        "answers it?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=config.actions_for_nonconformities,
        after_findings=True,
    ),
    Criterion(
        id="5.2-leadership-commitment",
        clause="5.2",
        question="Has top management shown commitment to complaints handling (resources, "
        "policy, review)?",
        evidence_kind=_A,
        weight=Weight.MAJOR,
    ),
    Criterion(
        id="6.4-resources-adequate",
        clause="6.4",
        question="Are the resources for complaints handling adequate for the volume handled?",
        evidence_kind=_A,
        weight=Weight.MINOR,
    ),
    Criterion(
        id="8.5-audited-at-intervals",
        clause="8.5",
        question="Is the complaints-handling process audited at planned intervals, and was the "
        "last audit before this one held within its interval?",
        evidence_kind=_A,
        weight=Weight.MINOR,
    ),
    Criterion(
        id="8.6-management-review-held",
        clause="8.6",
        question="Did top management review the complaints-handling process in the period?",
        evidence_kind=_A,
        weight=Weight.MINOR,
    ),
)


def criteria() -> tuple[Criterion, ...]:
    """Every criterion, history first, then configuration, then attested."""
    return _CATALOGUE


def criterion(id: str) -> Criterion:
    """The criterion ``id``; ``ValidationError`` naming ``criterion`` if unknown."""
    from iso10002.errors import ValidationError

    for c in _CATALOGUE:
        if c.id == id:
            return c
    known = ", ".join(c.id for c in _CATALOGUE)
    raise ValidationError("criterion", f"no criterion {id!r} (known: {known})")
