"""
The standard workflow: the handling process of ISO 10002 clause 7, as data.

receipt (7.2) → acknowledgement (7.4) → initial assessment (7.5) → investigation (7.6) →
decision (7.7) → communicating the decision (7.8) → the complainant's reaction, carrying out the
accepted decision, and closing (7.9). A rejected decision keeps the complaint open and leads to
internal review or external referral; a complaint may be withdrawn while open and reopened once
closed.
"""

from __future__ import annotations

import datetime as _dt
from enum import Enum

from iso10002.process import guards
from iso10002.process.workflow import Guard, StateDef, Transition, Workflow

__all__ = ["DEFAULT_NO_REPLY_PERIOD", "State", "standard_workflow"]

DEFAULT_NO_REPLY_PERIOD = _dt.timedelta(days=28)
"""How long a complainant has to react to a decision before it may be closed for no reply."""


class State(str, Enum):
    """The states of the standard workflow; each compares equal to its string name."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    ASSESSED = "assessed"
    INVESTIGATING = "investigating"
    DECIDED = "decided"
    AWAITING_REACTION = "awaiting_reaction"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    INTERNAL_REVIEW = "internal_review"
    REFERRED = "referred"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


_S = State
_OPEN = (
    _S.RECEIVED,
    _S.ACKNOWLEDGED,
    _S.ASSESSED,
    _S.INVESTIGATING,
    _S.DECIDED,
    _S.AWAITING_REACTION,
    _S.RESOLVED,
    _S.REJECTED,
    _S.INTERNAL_REVIEW,
    _S.REFERRED,
)
_ENDED = (_S.CLOSED, _S.WITHDRAWN)


def _names(*states: State) -> tuple[str, ...]:
    return tuple(s.value for s in states)


def standard_workflow(
    *,
    no_reply_period: _dt.timedelta = DEFAULT_NO_REPLY_PERIOD,
    require_carried_out: bool = False,
) -> Workflow:
    """
    Build the standard ISO 10002 workflow.

    Args:
        no_reply_period: how long after the decision was communicated a complaint may be closed
            because the complainant did not react.
        require_carried_out: give ``close`` the ``decision_carried_out`` guard, so that a
            complaint whose accepted decision promises an action (``Decision.promises_action``)
            closes as resolved only once ``carry_out_decision`` recorded it (7.9). Off by
            default, so that applications written before the step existed keep closing as
            they did; the step itself (``carry_out_decision``) is always there.
    """
    closing: tuple[Guard, ...] = (guards.closure_justified(no_reply_period),)
    if require_carried_out:
        closing = (*closing, guards.decision_carried_out)
    open_ = _names(*_OPEN)
    every = (*open_, *_names(*_ENDED))
    t = Transition
    return Workflow(
        name="iso10002-standard",
        initial=_S.RECEIVED.value,
        states=(
            StateDef(name="received", description="Recorded with a unique reference (7.2)."),
            StateDef(name="acknowledged", description="Receipt acknowledged (7.4)."),
            StateDef(name="assessed", description="Initial assessment made (7.5)."),
            StateDef(name="investigating", description="Under investigation (7.6)."),
            StateDef(name="decided", description="Decision taken, not yet communicated (7.7)."),
            StateDef(
                name="awaiting_reaction",
                description="Decision communicated; waiting for the complainant (7.8).",
            ),
            StateDef(name="resolved", description="The complainant accepted the decision (7.9)."),
            StateDef(
                name="rejected",
                description="The complainant rejected the decision; still open, recourse offered.",
            ),
            StateDef(name="internal_review", description="Escalated for internal review."),
            StateDef(name="referred", description="Referred to an external body (ISO 10003)."),
            StateDef(name="closed", description="Closed with a documented reason.", closed=True),
            StateDef(name="withdrawn", description="Withdrawn by the complainant.", closed=True),
        ),
        transitions=(
            t(
                command="acknowledge",
                sources=_names(_S.RECEIVED),
                target="acknowledged",
                description="Acknowledge receipt to the complainant (7.4).",
            ),
            t(
                command="assess",
                sources=_names(_S.ACKNOWLEDGED),
                target="assessed",
                description="Record the initial assessment (7.5).",
            ),
            # A complaint reopened before it was acknowledged or assessed catches up in place.
            t(
                command="acknowledge",
                sources=_names(_S.INVESTIGATING),
                target=None,
                description="Acknowledge a reopened complaint never acknowledged before.",
            ),
            t(
                command="assess",
                sources=_names(_S.INVESTIGATING),
                target=None,
                description="Assess a reopened complaint never assessed before.",
            ),
            t(
                command="reassess",
                sources=_names(_S.ASSESSED, _S.INVESTIGATING, _S.INTERNAL_REVIEW),
                target=None,
                description="Revise the initial assessment.",
            ),
            t(
                command="start_investigation",
                sources=_names(_S.ASSESSED),
                target="investigating",
                guards=(guards.objectivity,),
                description="Begin the investigation (7.6).",
            ),
            t(
                command="decide",
                sources=_names(_S.ASSESSED, _S.INVESTIGATING, _S.INTERNAL_REVIEW, _S.DECIDED),
                target="decided",
                guards=(guards.assessment_recorded, guards.objectivity),
                description="Take or revise the decision (7.7).",
            ),
            t(
                command="communicate_decision",
                sources=_names(_S.DECIDED),
                target="awaiting_reaction",
                guards=(guards.recourse_explained,),
                description="Tell the complainant the decision (7.8).",
            ),
            t(
                command="accept_decision",
                sources=_names(_S.AWAITING_REACTION),
                target="resolved",
                description="The complainant accepts (7.9).",
            ),
            t(
                command="reject_decision",
                sources=_names(_S.AWAITING_REACTION),
                target="rejected",
                description="The complainant rejects; the complaint stays open (7.9).",
            ),
            t(
                command="carry_out_decision",
                sources=_names(_S.RESOLVED),
                target=None,
                guards=(guards.action_promised,),
                description="Record that the accepted decision was carried out (7.9).",
            ),
            t(
                command="request_internal_review",
                sources=_names(_S.REJECTED),
                target="internal_review",
                description="Escalate for internal review.",
            ),
            t(
                command="refer_externally",
                sources=_names(_S.AWAITING_REACTION, _S.REJECTED, _S.INTERNAL_REVIEW),
                target="referred",
                description="Refer to an external dispute-resolution body.",
            ),
            t(
                command="close",
                sources=open_,
                target="closed",
                guards=closing,
                description="Close with a documented reason.",
            ),
            t(
                command="withdraw",
                sources=open_,
                target="withdrawn",
                description="The complainant withdraws the complaint.",
            ),
            t(
                command="reopen",
                sources=_names(*_ENDED),
                target="investigating",
                description="Reopen a closed or withdrawn complaint.",
            ),
            t(
                command="assign",
                sources=open_,
                target=None,
                guards=(guards.objectivity,),
                description="Make somebody responsible (4.12).",
            ),
            t(
                command="classify",
                sources=every,
                target=None,
                description="Place the complaint in the category tree (8.2).",
            ),
            t(
                command="add_note",
                sources=every,
                target=None,
                description="Add an investigation note.",
            ),
            t(
                command="record_root_cause",
                sources=every,
                target=None,
                description="Record root cause and corrective or preventive action (8.2).",
            ),
            t(
                command="record_communication",
                sources=every,
                target=None,
                description="Record any other communication.",
            ),
            t(
                command="put_on_hold",
                sources=open_,
                target=None,
                guards=(guards.not_on_hold,),
                description="Put on hold, e.g. waiting for the complainant; SLA metrics may pause.",
            ),
            t(
                command="release_hold",
                sources=open_,
                target=None,
                guards=(guards.on_hold,),
                description="End the hold; paused SLA metrics resume.",
            ),
            t(
                command="extend_deadline",
                sources=open_,
                target=None,
                description="Extend a deadline by a holding response, delay notice or agreement.",
            ),
            t(
                command="record_satisfaction",
                sources=_names(_S.CLOSED),
                target=None,
                description="Record satisfaction with the handling (8.3).",
            ),
            t(
                command="answer_survey",
                sources=_names(_S.CLOSED),
                target=None,
                description="Record the answers to a satisfaction survey (8.3, ISO 10004).",
            ),
        ),
    )
