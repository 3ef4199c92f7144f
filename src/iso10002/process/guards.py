"""
The named guards of the standard workflow; each is a :class:`~iso10002.process.workflow.Guard`.

Guards read the complaint as it was before the command and the command's payload. Each returns
``None`` to allow, or a sentence that says what is missing. Each declares the payloads it reads
(:attr:`~iso10002.process.workflow.Guard.reads_payloads`), so that a user interface can be told
in advance which commands its guards already refuse.
"""

from __future__ import annotations

import datetime as _dt

from iso10002.model.closure import closure_of
from iso10002.model.events import Assigned, Closed, DecisionCommunicated, StepRecorded
from iso10002.model.values import ClosureReason, Outcome, Reaction
from iso10002.process.workflow import Guard, GuardContext

__all__ = [
    "action_promised",
    "assessment_recorded",
    "closure_justified",
    "decision_carried_out",
    "not_on_hold",
    "objectivity",
    "on_hold",
    "recourse_explained",
]


def _assessment_recorded(ctx: GuardContext) -> str | None:
    if ctx.complaint.assessment is None:
        return "the initial assessment (7.5) has not been recorded"
    return None


assessment_recorded = Guard(
    name="assessment_recorded",
    description="A decision needs an initial assessment first (7.5).",
    check=_assessment_recorded,
    reads_payloads=(),
)


def _not_on_hold(ctx: GuardContext) -> str | None:
    since = ctx.complaint.on_hold_since
    if since is not None:
        return f"the complaint has been on hold since {since.isoformat()}"
    return None


not_on_hold = Guard(
    name="not_on_hold",
    description="A complaint already on hold cannot be put on hold again.",
    check=_not_on_hold,
    reads_payloads=(),
)


def _on_hold(ctx: GuardContext) -> str | None:
    if ctx.complaint.on_hold_since is None:
        return "the complaint is not on hold"
    return None


on_hold = Guard(
    name="on_hold",
    description="Only a complaint on hold can be released from it.",
    check=_on_hold,
    reads_payloads=(),
)


def _objectivity(ctx: GuardContext) -> str | None:
    involved = ctx.complaint.people_involved
    if ctx.actor.id in involved:
        return f"{ctx.actor.id} is a person the complaint is about"
    if isinstance(ctx.payload, Assigned) and ctx.payload.assignee.id in involved:
        return f"{ctx.payload.assignee.id} is a person the complaint is about"
    return None


objectivity = Guard(
    name="objectivity",
    description=(
        "Nobody the complaint is about may be assigned to it, investigate it or decide it "
        "(4.7 and the annex on objectivity)."
    ),
    check=_objectivity,
    reads_payloads=(Assigned,),
)


def _recourse_explained(ctx: GuardContext) -> str | None:
    decision = ctx.complaint.decision
    payload = ctx.payload
    if (
        decision is not None
        and decision.outcome is not Outcome.UPHELD
        and isinstance(payload, DecisionCommunicated)
        and not payload.recourse_explained
    ):
        return (
            f"a {decision.outcome.value} decision must explain internal review and the "
            "external dispute-resolution body (7.9)"
        )
    return None


recourse_explained = Guard(
    name="recourse_explained",
    description=(
        "When the complaint is not fully upheld, the decision letter explains the recourse "
        "available: internal review and the external body (7.9)."
    ),
    check=_recourse_explained,
    reads_payloads=(DecisionCommunicated,),
)


def _action_promised(ctx: GuardContext) -> str | None:
    decision = ctx.complaint.decision
    if decision is None:
        return "no decision has been taken (7.7)"
    if not decision.promises_action:
        return (
            "the decision promises no action to carry out: its remedies are given by the "
            "decision letter itself"
        )
    if ctx.complaint.decision_carried_out_at is not None:
        return (
            "the decision was already recorded as carried out at "
            f"{ctx.complaint.decision_carried_out_at.isoformat()}"
        )
    return None


action_promised = Guard(
    name="action_promised",
    description=(
        "Only a decision that promises an action (a remedy beyond an explanation or an "
        "apology) is carried out, and only once (7.9)."
    ),
    check=_action_promised,
    reads_payloads=(),
)


def _decision_carried_out(ctx: GuardContext) -> str | None:
    c = ctx.complaint
    payload = ctx.payload
    if not isinstance(payload, Closed) or payload.reason is not ClosureReason.RESOLVED:
        return None
    if c.decision is None or not c.decision.promises_action:
        return None
    if c.decision_carried_out_at is None:
        return (
            "the decision promises an action that has not been recorded as carried out (7.9): "
            "record it with carry_out_decision first"
        )
    return None


decision_carried_out = Guard(
    name="decision_carried_out",
    description=(
        "A complaint closes as resolved only once the action its accepted decision promises "
        "(a remedy beyond an explanation or an apology) is recorded as carried out (7.9)."
    ),
    check=_decision_carried_out,
    reads_payloads=(Closed,),
)


def closure_justified(no_reply_period: _dt.timedelta) -> Guard:
    """
    The guard on ``close`` (and on a custom step that closes, which records a closure reason
    too): a complaint closes only when its decision was communicated and
    accepted, or for a documented reason: referred externally, a duplicate, or no reaction to the
    communicated decision for ``no_reply_period``.
    """

    def check(ctx: GuardContext) -> str | None:
        c = ctx.complaint
        payload = closure_of(ctx.payload)
        if payload is None:
            return f"{ctx.command} needs a closure reason"
        reason = payload.reason
        if reason is ClosureReason.RESOLVED:
            if c.decision_communicated_at is None:
                return "the decision has not been communicated (7.8)"
            if c.reaction is not Reaction.ACCEPTS:
                return "the complainant has not accepted the decision (7.9)"
            return None
        if reason is ClosureReason.REFERRED_EXTERNALLY:
            return None if c.referred_at else "the complaint was not referred to an external body"
        if reason is ClosureReason.DUPLICATE:
            if payload.duplicate_of == c.reference:
                return "a complaint cannot duplicate itself"
            return None
        since = c.awaiting_reaction_since
        if since is None:
            return "no communicated decision is awaiting the complainant's reaction"
        if ctx.now - since < no_reply_period:
            return (
                f"the complainant has until {(since + no_reply_period).isoformat()} to react "
                f"({no_reply_period.days} days after the decision was communicated)"
            )
        return None

    return Guard(
        name="closure_justified",
        description=(
            "Close only after the decision was communicated and accepted, or with a documented "
            f"reason: referred externally, duplicate, or no reply within {no_reply_period.days} "
            "days of the decision."
        ),
        check=check,
        reads_payloads=(Closed, StepRecorded),
    )
