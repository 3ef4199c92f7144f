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

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs

from iso10002.audit.findings import EvidenceKind, Weight
from iso10002.model.complaint import Complaint
from iso10002.model.events import (
    Assessed,
    Assigned,
    Closed,
    DecisionCommunicated,
    DecisionMade,
    Event,
    InvestigationStarted,
    ReactionRecorded,
    SatisfactionRecorded,
    SurveyAnswered,
    Withdrawn,
)
from iso10002.model.values import ClosureReason, Outcome, Reaction
from iso10002.sla.engine import SlaStatus, evaluate

if TYPE_CHECKING:
    from iso10002.audit.run import AuditContext

__all__ = ["ConfigOutcome", "Criterion", "criteria", "criterion"]

HistoryCheck = Callable[["AuditContext", Complaint, Sequence[Event]], "bool | None"]


@attrs.frozen(kw_only=True)
class ConfigOutcome:
    """The result of a configuration criterion: whether it conforms, and what was read."""

    conforms: bool | None
    """``None``: the criterion does not apply (e.g. nothing to check)."""
    summary: str
    values: dict[str, str] = attrs.field(factory=dict)
    failed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


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


# -- history checks ------------------------------------------------------------------------


def _record_complete(_: AuditContext, c: Complaint, __: Sequence[Event]) -> bool | None:
    return bool(
        c.reference and c.received_at and c.channel and c.description and c.remedy_requested
    )


def _acknowledged_in_time(ctx: AuditContext, c: Complaint, history: Sequence[Event]) -> bool | None:
    policy = ctx.policy_for(c)
    if policy is not None:
        report = evaluate(history, policy, ctx.now)
        try:
            status = report.metric("acknowledgement").status
        except KeyError:
            status = None
        if status is not None:
            if status is SlaStatus.MET:
                return True
            if status is SlaStatus.BREACHED:
                return False
            return None
    limit = c.received_at + ctx.acknowledge_within
    if c.acknowledged_at is not None:
        return c.acknowledged_at <= limit
    if c.withdrawn_at is not None and c.withdrawn_at <= limit:
        return None
    return False if ctx.now > limit else None


def _assessed_first(_: AuditContext, __: Complaint, history: Sequence[Event]) -> bool | None:
    assessed = False
    applies = False
    for event in history:
        p = event.payload
        if isinstance(p, Assessed):
            assessed = True
        elif isinstance(p, (InvestigationStarted, DecisionMade)):
            applies = True
            if not assessed:
                return False
    return True if applies else None


def _decision_communicated(
    ctx: AuditContext, c: Complaint, history: Sequence[Event]
) -> bool | None:
    decided_at: _dt.datetime | None = None
    for event in history:
        p = event.payload
        if isinstance(p, DecisionMade):
            decided_at = event.occurred_at
        elif isinstance(p, (DecisionCommunicated, Withdrawn)):
            decided_at = None
        elif isinstance(p, Closed) and decided_at is not None:
            return False  # closed on a decision nobody told the complainant
    if c.decision is None:
        return None
    if decided_at is None:
        return True
    return False if ctx.now - decided_at > ctx.communicate_within else None


def _recourse_explained(_: AuditContext, __: Complaint, history: Sequence[Event]) -> bool | None:
    outcome: Outcome | None = None
    applies = False
    for event in history:
        p = event.payload
        if isinstance(p, DecisionMade):
            outcome = p.decision.outcome
        elif isinstance(p, DecisionCommunicated) and outcome is not Outcome.UPHELD:
            applies = True
            if not p.recourse_explained:
                return False
    return True if applies else None


def _closure_reason(ctx: AuditContext, _: Complaint, history: Sequence[Event]) -> bool | None:
    communicated: _dt.datetime | None = None
    reaction: Reaction | None = None
    applies = False
    for event in history:
        p = event.payload
        if isinstance(p, DecisionCommunicated):
            communicated, reaction = event.occurred_at, None
        elif isinstance(p, DecisionMade):
            communicated, reaction = None, None
        elif isinstance(p, ReactionRecorded):
            reaction = p.reaction
        elif isinstance(p, Closed):
            applies = True
            if p.reason is ClosureReason.DUPLICATE and not p.duplicate_of:
                return False
            if p.reason is ClosureReason.RESOLVED and reaction is not Reaction.ACCEPTS:
                return False
            if p.reason is ClosureReason.NO_REPLY and (
                communicated is None or event.occurred_at - communicated < ctx.no_reply_period
            ):
                return False
    return True if applies else None


def _objectivity(_: AuditContext, c: Complaint, history: Sequence[Event]) -> bool | None:
    involved = set(c.people_involved)
    if not involved:
        return True
    for event in history:
        p = event.payload
        if isinstance(p, Assigned) and p.assignee.id in involved:
            return False
        if isinstance(p, (InvestigationStarted, DecisionMade)) and event.actor.id in involved:
            return False
    return True


def _integrity(_: AuditContext, __: Complaint, history: Sequence[Event]) -> bool | None:
    # The history was replayed to get here; what is left to check is numbering and time order.
    for i, event in enumerate(history, start=1):
        if event.seq != i:
            return False
    times = [e.occurred_at for e in history]
    return times == sorted(times)


def _root_cause(_: AuditContext, c: Complaint, __: Sequence[Event]) -> bool | None:
    if c.decision is None or c.decision.outcome is Outcome.NOT_UPHELD:
        return None
    return c.root_cause is not None


def _satisfaction(_: AuditContext, c: Complaint, history: Sequence[Event]) -> bool | None:
    if c.closed_at is None or c.closure_reason is ClosureReason.DUPLICATE:
        return None
    return any(isinstance(e.payload, (SatisfactionRecorded, SurveyAnswered)) for e in history)


# -- configuration checks ------------------------------------------------------------------


def _no_charges(ctx: AuditContext) -> ConfigOutcome:
    p = ctx.require_programme()
    charged = p.charges.charged
    return ConfigOutcome(
        conforms=not charged,
        summary=(
            f"Complaining costs the complainant something: {p.charges.description}"
            if charged
            else "Access to the complaints process is free of charge."
        ),
        values={"charges.charged": str(charged).lower()},
    )


def _objectives_monitored(ctx: AuditContext) -> ConfigOutcome:
    p = ctx.require_programme()
    if not p.objectives:
        return ConfigOutcome(conforms=False, summary="No measurable objectives are set.")
    known = ctx.known_measures()
    unmonitored = tuple(o.id for o in p.objectives if o.measure not in known)
    values = {f"objectives.{o.id}.measure": o.measure for o in p.objectives}
    if unmonitored:
        return ConfigOutcome(
            conforms=False,
            summary=(
                f"{len(unmonitored)} of {len(p.objectives)} objectives measure nothing the "
                f"library monitors: {', '.join(unmonitored)}."
            ),
            values=values,
            notes=(f"monitored measures: {', '.join(sorted(known))}",),
        )
    return ConfigOutcome(
        conforms=True,
        summary=f"All {len(p.objectives)} objectives are tied to a monitored measure.",
        values=values,
    )


def _retention(ctx: AuditContext) -> ConfigOutcome:
    p = ctx.require_programme()
    years = p.confidentiality.retention_years
    expired = ctx.held_beyond_retention(years)
    values = {"confidentiality.retention_years": str(years)}
    if expired:
        return ConfigOutcome(
            conforms=False,
            summary=(
                f"{len(expired)} closed complaints are held beyond the {years}-year retention "
                "period."
            ),
            values=values,
            failed=expired,
        )
    return ConfigOutcome(
        conforms=True,
        summary=f"No closed complaint is held beyond the {years}-year retention period.",
        values=values,
    )


def _policy_published(ctx: AuditContext) -> ConfigOutcome:
    p = ctx.require_programme()
    where = p.policy.published_at
    return ConfigOutcome(
        conforms=bool(where),
        summary=(
            f"The complaints policy is published at {', '.join(where)}."
            if where
            else "The complaints policy is not published anywhere."
        ),
        values={
            "policy.published_at": ", ".join(where),
            "policy.approved_by": p.policy.approved_by,
        },
    )


def _roles_assigned(ctx: AuditContext) -> ConfigOutcome:
    p = ctx.require_programme()
    representative = p.person_for("management_representative")
    top = p.person_for("top_management")
    missing = [
        name
        for name, people in (("management_representative", representative), ("top_management", top))
        if not people
    ]
    return ConfigOutcome(
        conforms=not missing,
        summary=(
            f"No one holds the role(s): {', '.join(missing)}."
            if missing
            else "Top management and the complaints-handling management representative are named."
        ),
        values={
            "responsibilities.management_representative": ", ".join(representative),
            "responsibilities.top_management": ", ".join(top),
        },
    )


def _staff_trained(ctx: AuditContext) -> ConfigOutcome:
    # The pass over the histories checked each action against the programme's records.
    if not ctx.staff:
        return ConfigOutcome(conforms=None, summary="No staff handled complaints in the period.")
    untrained = ctx.untrained
    if untrained:
        refs = tuple(sorted({r for rs in untrained.values() for r in rs}))
        return ConfigOutcome(
            conforms=False,
            summary=(
                f"{len(untrained)} people handled complaints without a current training record: "
                f"{', '.join(sorted(untrained))}."
            ),
            failed=refs,
            notes=tuple(
                f"{person}: {len(rs)} complaints" for person, rs in sorted(untrained.items())
            ),
        )
    return ConfigOutcome(
        conforms=True,
        summary=f"All {len(ctx.staff)} people who handled complaints had current training.",
    )


def _workflow_conforms(ctx: AuditContext) -> ConfigOutcome:
    from iso10002.process.conformance import check_conformance

    report = check_conformance(ctx.workflow)
    values = {"workflow": ctx.workflow.name}
    if report.ok:
        return ConfigOutcome(
            conforms=True,
            summary=(
                f"The workflow {ctx.workflow.name!r} passes all {len(report.rules_checked)} "
                "handling-process rules."
            ),
            values=values,
        )
    return ConfigOutcome(
        conforms=False,
        summary=(
            f"The workflow {ctx.workflow.name!r} breaks {len(report.violations)} "
            "handling-process rule(s)."
        ),
        values=values,
        notes=tuple(
            f"{v.rule}: {v.message} (for example: {v.path_text})" for v in report.violations
        ),
    )


def _how_to_complain(ctx: AuditContext) -> ConfigOutcome:
    p = ctx.require_programme()
    access = p.access
    ok = bool(access.published_at) and bool(access.channels)
    return ConfigOutcome(
        conforms=ok,
        summary=(
            f"How to complain is published at {', '.join(access.published_at)}, with "
            f"{len(access.channels)} channels."
            if ok
            else "How to complain is not published, or no channel is offered."
        ),
        values={
            "access.published_at": ", ".join(access.published_at),
            "access.channels": ", ".join(c.value for c in access.channels),
            "access.languages": ", ".join(access.languages),
        },
    )


def _external_body(ctx: AuditContext) -> ConfigOutcome:
    p = ctx.require_programme()
    body = p.escalation.external_body
    return ConfigOutcome(
        conforms=body is not None,
        summary=(
            f"Complainants are told of {body.name} ({body.time_limit})."
            if body is not None
            else "No external dispute-resolution body is named."
        ),
        values={"escalation.external_body": body.name if body is not None else ""},
    )


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
        history_check=_record_complete,
    ),
    Criterion(
        id="7.4-acknowledged-in-time",
        clause="7.4",
        question="Was every complaint acknowledged within its target?",
        evidence_kind=_H,
        weight=Weight.MINOR,
        history_check=_acknowledged_in_time,
    ),
    Criterion(
        id="7.5-assessed-before-investigation",
        clause="7.5",
        question="Was every complaint assessed before it was investigated or decided?",
        evidence_kind=_H,
        weight=Weight.MINOR,
        history_check=_assessed_first,
    ),
    Criterion(
        id="7.8-decision-communicated",
        clause="7.8",
        question="Was every decision communicated to the complainant?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=_decision_communicated,
    ),
    Criterion(
        id="7.9-recourse-explained",
        clause="7.9",
        question="When a decision was not fully upheld, was the complainant told of internal "
        "and external recourse?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=_recourse_explained,
    ),
    Criterion(
        id="7.9-closure-reason",
        clause="7.9",
        question="Was every complaint closed for a documented reason that held at the time?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=_closure_reason,
    ),
    Criterion(
        id="4.7-objectivity",
        clause="4.7",
        question="Was no complaint assigned to, investigated or decided by a person it is about?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=_objectivity,
    ),
    Criterion(
        id="4.9-history-integrity",
        clause="4.9",
        question="Does every complaint's history replay completely, numbered without gaps and "
        "in time order?",
        evidence_kind=_H,
        weight=Weight.MAJOR,
        history_check=_integrity,
    ),
    Criterion(
        id="8.2-root-cause-for-upheld",
        clause="8.2",
        question="Was a root cause recorded for every upheld or partially upheld complaint?",
        evidence_kind=_H,
        weight=Weight.MINOR,
        history_check=_root_cause,
    ),
    Criterion(
        id="8.3-satisfaction-measured",
        clause="8.3",
        question="Is complainants' satisfaction with the handling measured?",
        evidence_kind=_H,
        weight=Weight.MINOR,
        history_check=_satisfaction,
        # The standard asks for regular measurement, e.g. by random surveys, not every case.
        any_suffices=True,
    ),
    Criterion(
        id="4.8-no-charges",
        clause="4.8",
        question="Is access to the complaints process free of charge?",
        evidence_kind=_C,
        weight=Weight.MAJOR,
        config_check=_no_charges,
        needs_programme=True,
    ),
    Criterion(
        id="5.3-policy-published",
        clause="5.3",
        question="Is the complaints-handling policy documented, approved and published?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=_policy_published,
        needs_programme=True,
    ),
    Criterion(
        id="5.4-roles-assigned",
        clause="5.4",
        question="Are top management and a complaints-handling management representative named?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=_roles_assigned,
        needs_programme=True,
    ),
    Criterion(
        id="6.4-staff-trained",
        clause="6.4",
        question="Did everyone who handled a complaint hold a current training record?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=_staff_trained,
        needs_programme=True,
    ),
    Criterion(
        id="7.1-how-to-complain-published",
        clause="7.1",
        question="Is how and where to complain published, with the channels offered?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=_how_to_complain,
        needs_programme=True,
    ),
    Criterion(
        id="7-workflow-conforms",
        clause="7",
        question="Does every path of the handling process acknowledge, assess and communicate "
        "a decision, or end for a documented reason, with the required guards?",
        evidence_kind=_C,
        weight=Weight.MAJOR,
        config_check=_workflow_conforms,
    ),
    Criterion(
        id="7.9-external-body-named",
        clause="7.9",
        question="Is an external dispute-resolution body named for complainants who remain "
        "dissatisfied?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=_external_body,
        needs_programme=True,
    ),
    Criterion(
        id="8.1-retention",
        clause="8.1",
        question="Are complaint records kept no longer than the retention rules allow?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=_retention,
        needs_programme=True,
    ),
    Criterion(
        id="8.4-objectives-monitored",
        clause="8.4",
        question="Are the programme's objectives measurable and monitored?",
        evidence_kind=_C,
        weight=Weight.MINOR,
        config_check=_objectives_monitored,
        needs_programme=True,
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
