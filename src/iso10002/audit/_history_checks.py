"""
The history checks of the audit criteria: each reads one complaint's state and events and
returns ``True`` (conforms), ``False`` (does not) or ``None`` (does not apply to it).

Imported complaints whose source gives dates only (``ImportSource.timed`` false) cannot show
how long anything took, so the checks that measure an interval do not apply to them.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from iso10002.model.closure import closure_of
from iso10002.model.complaint import Complaint
from iso10002.model.events import (
    Acknowledged,
    Assessed,
    Assigned,
    CommunicationRecorded,
    DeadlineExtended,
    DecisionCarriedOut,
    DecisionCommunicated,
    DecisionMade,
    Event,
    InvestigationStarted,
    NoteAdded,
    ReactionRecorded,
    Reopened,
    SatisfactionRecorded,
    SurveyAnswered,
    Withdrawn,
)
from iso10002.model.values import (
    ClosureReason,
    Direction,
    ExtensionKind,
    Outcome,
    Priority,
    Reaction,
    Visibility,
)
from iso10002.sla.engine import SlaStatus, evaluate

if TYPE_CHECKING:
    from iso10002.audit.run import AuditContext

__all__ = [
    "acknowledged_in_time",
    "assessed_first",
    "closure_reason",
    "decision_carried_out",
    "decision_communicated",
    "integrity",
    "investigated_when_serious",
    "kept_informed",
    "objectivity",
    "record_complete",
    "recourse_explained",
    "response_given",
    "root_cause",
    "satisfaction",
    "serious",
]


def _untimed(c: Complaint) -> bool:
    return c.source is not None and not c.source.timed


def _metric_verdict(
    ctx: AuditContext, c: Complaint, history: Sequence[Event], metric: str
) -> bool | str | None:
    """
    The verdict of ``metric`` of the complaint's recorded timeliness policy: met, breached,
    ``None`` while undecided; the text ``"none"`` when no policy or no such metric says.
    """
    policy = ctx.policy_for(c)
    if policy is None:
        return "none"
    report = evaluate(history, policy, ctx.now)
    try:
        status = report.metric(metric).status
    except KeyError:
        return "none"
    if status is SlaStatus.MET:
        return True
    if status is SlaStatus.BREACHED:
        return False
    return None


def record_complete(_: AuditContext, c: Complaint, __: Sequence[Event]) -> bool | None:
    """7.2: the receipt recorded reference, time, channel, description and remedy sought."""
    return bool(
        c.reference and c.received_at and c.channel and c.description and c.remedy_requested
    )


def acknowledged_in_time(ctx: AuditContext, c: Complaint, history: Sequence[Event]) -> bool | None:
    """7.4: acknowledged within the policy's target, else within ``acknowledge_within``."""
    verdict = _metric_verdict(ctx, c, history, "acknowledgement")
    if verdict != "none":
        return verdict  # type: ignore[return-value]
    limit = c.received_at + ctx.acknowledge_within
    if c.acknowledged_at is not None:
        return c.acknowledged_at <= limit
    if c.withdrawn_at is not None and c.withdrawn_at <= limit:
        return None
    return False if ctx.now > limit else None


def _tells_the_complainant(event: Event) -> bool:
    """Whether ``event`` told the complainant where their complaint stands (7.3)."""
    p = event.payload
    if isinstance(p, (Acknowledged, DecisionCommunicated)):
        return True
    if isinstance(p, CommunicationRecorded):
        m = p.communication
        return m.direction is Direction.OUTBOUND and m.visibility is Visibility.CUSTOMER_VISIBLE
    if isinstance(p, NoteAdded):
        return not p.internal
    if isinstance(p, DeadlineExtended):
        return p.kind in (ExtensionKind.HOLDING_RESPONSE, ExtensionKind.DELAY_NOTICE)
    return False


def kept_informed(ctx: AuditContext, c: Complaint, history: Sequence[Event]) -> bool | None:
    """
    7.3: while a complaint waited for its decision, the complainant heard where it stood at
    least every ``update_within``: from receipt (or a reopening) to the first word, and
    between one word and the next, until the decision went out or the complaint ended.
    """
    if _untimed(c):
        return None
    limit = ctx.update_within
    waiting_since: _dt.datetime | None = c.received_at
    for event in history:
        p = event.payload
        at = event.occurred_at
        if isinstance(p, Reopened):
            waiting_since = at
            continue
        if waiting_since is None:
            continue
        if _tells_the_complainant(event):
            if at - waiting_since > limit:
                return False
            waiting_since = None if isinstance(p, DecisionCommunicated) else at
        elif isinstance(p, Withdrawn) or closure_of(p) is not None:
            if at - waiting_since > limit:
                return False
            waiting_since = None
    return waiting_since is None or ctx.now - waiting_since <= limit


def assessed_first(_: AuditContext, __: Complaint, history: Sequence[Event]) -> bool | None:
    """7.5: assessed before it was investigated or decided."""
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


def serious(assessed: Assessed) -> bool:
    """
    Whether an initial assessment calls for an investigation (7.6: depth matching the
    seriousness): the priority policy made it urgent or high, or it has a safety implication.
    The priority policy is where the organisation weighs severity, complexity and impact.
    """
    return (
        assessed.priority in (Priority.URGENT, Priority.HIGH)
        or assessed.assessment.safety_implication
    )


def investigated_when_serious(
    _: AuditContext, __: Complaint, history: Sequence[Event]
) -> bool | None:
    """7.6: every decision on a complaint assessed as serious followed an investigation."""
    assessed: Assessed | None = None
    investigated = False
    applies = False
    for event in history:
        p = event.payload
        if isinstance(p, Assessed):
            assessed = p
        elif isinstance(p, InvestigationStarted):
            investigated = True
        elif isinstance(p, DecisionMade) and assessed is not None and serious(assessed):
            applies = True
            if not investigated:
                return False
    return True if applies else None


def response_given(ctx: AuditContext, c: Complaint, history: Sequence[Event]) -> bool | None:
    """
    7.7: the complainant got a response (the decision communicated) within the policy's
    ``final_response`` target, else within ``respond_within`` of receipt.
    """
    if _untimed(c) or c.closure_reason is ClosureReason.DUPLICATE:
        return None
    verdict = _metric_verdict(ctx, c, history, "final_response")
    if verdict != "none":
        return verdict  # type: ignore[return-value]
    limit = c.received_at + ctx.respond_within
    if c.first_response_at is not None:
        return c.first_response_at <= limit
    if c.withdrawn_at is not None or c.closed_at is not None:
        return None  # ended without a decision: withdrawn or referred before one
    return False if ctx.now > limit else None


def decision_communicated(ctx: AuditContext, c: Complaint, history: Sequence[Event]) -> bool | None:
    """7.8: every decision was communicated, within ``communicate_within``."""
    decided_at: _dt.datetime | None = None
    for event in history:
        p = event.payload
        if isinstance(p, DecisionMade):
            decided_at = event.occurred_at
        elif isinstance(p, (DecisionCommunicated, Withdrawn)):
            decided_at = None
        elif closure_of(p) is not None and decided_at is not None:
            return False  # closed on a decision nobody told the complainant
    if c.decision is None:
        return None
    if decided_at is None:
        return True
    return False if ctx.now - decided_at > ctx.communicate_within else None


def recourse_explained(_: AuditContext, __: Complaint, history: Sequence[Event]) -> bool | None:
    """7.9: a decision not fully upheld explained internal and external recourse."""
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


def decision_carried_out(_: AuditContext, __: Complaint, history: Sequence[Event]) -> bool | None:
    """
    7.9: a complaint closed as resolved on a decision that promises an action
    (``Decision.promises_action``) had that action recorded as carried out first.
    """
    promises = False
    carried_out = False
    applies = False
    for event in history:
        p = event.payload
        if isinstance(p, DecisionMade):
            promises, carried_out = p.decision.promises_action, False
        elif isinstance(p, DecisionCarriedOut):
            carried_out = True
        elif (closed := closure_of(p)) and closed.reason is ClosureReason.RESOLVED and promises:
            applies = True
            if not carried_out:
                return False
    return True if applies else None


def closure_reason(ctx: AuditContext, _: Complaint, history: Sequence[Event]) -> bool | None:
    """7.9: every closure had a documented reason that held when it was recorded."""
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
        elif (closed := closure_of(p)) is not None:
            applies = True
            if closed.reason is ClosureReason.DUPLICATE and not closed.duplicate_of:
                return False
            if closed.reason is ClosureReason.RESOLVED and reaction is not Reaction.ACCEPTS:
                return False
            if closed.reason is ClosureReason.NO_REPLY and (
                communicated is None or event.occurred_at - communicated < ctx.no_reply_period
            ):
                return False
    return True if applies else None


def objectivity(_: AuditContext, c: Complaint, history: Sequence[Event]) -> bool | None:
    """4.7: nobody the complaint is about was assigned to it, investigated or decided it."""
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


def integrity(_: AuditContext, __: Complaint, history: Sequence[Event]) -> bool | None:
    """4.9: the history replayed; it is numbered without gaps and in time order."""
    # The history was replayed to get here; what is left to check is numbering and time order.
    for i, event in enumerate(history, start=1):
        if event.seq != i:
            return False
    times = [e.occurred_at for e in history]
    return times == sorted(times)


def root_cause(_: AuditContext, c: Complaint, __: Sequence[Event]) -> bool | None:
    """8.2: an upheld or partially upheld complaint has a root cause."""
    if c.decision is None or c.decision.outcome is Outcome.NOT_UPHELD:
        return None
    return c.root_cause is not None


def satisfaction(_: AuditContext, c: Complaint, history: Sequence[Event]) -> bool | None:
    """8.3: satisfaction with the handling was asked of this closed complaint."""
    if c.closed_at is None or c.closure_reason is ClosureReason.DUPLICATE:
        return None
    return any(isinstance(e.payload, (SatisfactionRecorded, SurveyAnswered)) for e in history)
