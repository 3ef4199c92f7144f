"""
What a transition's guards guarantee, judged by how they behave on sample complaints, not by
their names: the conformance checker (:mod:`~iso10002.process.conformance`) trusts a guard to
stop what a standard guard stops only when it does.

Each guarantee is a list of pairs of situations (a sample complaint, the actor, the payload,
the instant) that differ in one thing only: the guard must let the first pass and refuse the
second. A transition has the guarantee when one of its guards does so for every pair, so a
do-nothing guard named ``closure_justified`` has none, and a product's extra guards on the
same transition do not hide the one that has it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from functools import cache
from uuid import UUID

from iso10002.model.complaint import Complaint
from iso10002.model.events import (
    Assessed,
    Assigned,
    Closed,
    ComplaintReceived,
    DecisionCommunicated,
    DecisionMade,
    Event,
    EventPayload,
    InvestigationStarted,
    ReactionRecorded,
    ReferredExternally,
    StepRecorded,
)
from iso10002.model.values import (
    Actor,
    Assessment,
    Channel,
    ClosureReason,
    Complainant,
    ContactDetails,
    Decision,
    Outcome,
    Priority,
    Reaction,
    Role,
    Severity,
)
from iso10002.process.workflow import Guard, GuardContext, Transition

__all__ = [
    "ASSESSMENT_RECORDED",
    "CLOSURE_JUSTIFIED",
    "OBJECTIVITY",
    "RECOURSE_EXPLAINED",
    "guarantees",
]

ASSESSMENT_RECORDED = "assessment_recorded"
"""Refuses a complaint that has no initial assessment."""
OBJECTIVITY = "objectivity"
"""Refuses an actor, or an assignee, the complaint is about."""
RECOURSE_EXPLAINED = "recourse_explained"
"""Refuses to communicate a decision not upheld without explaining the recourse."""
CLOSURE_JUSTIFIED = "closure_justified"
"""Refuses to close except as resolved, for no reply, referred externally or as a duplicate."""

_AT = _dt.datetime(2000, 1, 3, 9, 0, tzinfo=_dt.timezone.utc)
_SOON = _AT + _dt.timedelta(hours=1)
_LONG_AFTER = _AT + _dt.timedelta(days=36_500)
_STAFF = Actor(id="probe-staff", role=Role.COMPLAINTS_MANAGER)
_OTHER = Actor(id="probe-other", role=Role.INVESTIGATOR)
_INVOLVED = Actor(id="probe-involved", role=Role.INVESTIGATOR)
_REFERENCE = "PROBE-1"

_Situation = tuple[Complaint, Actor, EventPayload, _dt.datetime]
_Pair = tuple[_Situation, _Situation]


def _complaint(*payloads: EventPayload) -> Complaint:
    received = ComplaintReceived(
        reference=_REFERENCE,
        complainant=Complainant(name="Probe", contact=ContactDetails(email="probe@example.org")),
        channel=Channel.EMAIL,
        description="A sample complaint.",
        received_at=_AT,
        people_involved=(_INVOLVED.id,),
    )
    return Complaint.replay(
        Event(
            complaint_id=UUID(int=1),
            seq=i + 1,
            occurred_at=_AT,
            actor=_STAFF,
            state="probe",
            payload=p,
        )
        for i, p in enumerate((received, *payloads))
    )


_ASSESSED = Assessed(
    assessment=Assessment(severity=Severity.LOW), priority=Priority.NORMAL, priority_policy="probe"
)
_NOT_UPHELD = DecisionMade(decision=Decision(outcome=Outcome.NOT_UPHELD, reasons="No fault."))
_TOLD = DecisionCommunicated(channel=Channel.EMAIL, summary="Not upheld.")


def _payload(command: str) -> EventPayload:
    """A payload for ``command`` that no standard guard objects to."""
    known: dict[str, EventPayload] = {
        "assign": Assigned(assignee=_OTHER),
        "start_investigation": InvestigationStarted(),
        "decide": _NOT_UPHELD,
        "communicate_decision": _TOLD,
    }
    return known.get(command, StepRecorded(command=command))


def _closing(command: str) -> Callable[..., EventPayload]:
    def make(reason: str, duplicate_of: str | None = None) -> EventPayload:
        why = ClosureReason(reason)
        if command == "close":
            return Closed(reason=why, duplicate_of=duplicate_of)
        return StepRecorded(command=command, closure_reason=why, duplicate_of=duplicate_of)

    return make


def _pairs(name: str, command: str) -> list[_Pair]:
    p = _payload(command)
    if name == ASSESSMENT_RECORDED:
        return [((_complaint(_ASSESSED), _STAFF, p, _SOON), (_complaint(), _STAFF, p, _SOON))]
    if name == OBJECTIVITY:
        done = _complaint(_ASSESSED)
        pairs = [((done, _STAFF, p, _SOON), (done, _INVOLVED, p, _SOON))]
        if command == "assign":
            pairs.append(
                ((done, _STAFF, p, _SOON), (done, _STAFF, Assigned(assignee=_INVOLVED), _SOON))
            )
        return pairs
    if name == RECOURSE_EXPLAINED:
        decided = _complaint(_ASSESSED, _NOT_UPHELD)
        silent = DecisionCommunicated(
            channel=Channel.EMAIL, summary="Not upheld.", recourse_explained=False
        )
        return [((decided, _STAFF, _TOLD, _SOON), (decided, _STAFF, silent, _SOON))]
    close = _closing(command)
    told = _complaint(_ASSESSED, _NOT_UPHELD, _TOLD)
    accepted = _complaint(
        _ASSESSED, _NOT_UPHELD, _TOLD, ReactionRecorded(reaction=Reaction.ACCEPTS)
    )
    referred = _complaint(_ASSESSED, _NOT_UPHELD, _TOLD, ReferredExternally(body="Ombudsman"))
    untold = _complaint(_ASSESSED, _NOT_UPHELD)
    resolved = (accepted, _STAFF, close("resolved"), _SOON)
    return [
        (resolved, (told, _STAFF, close("resolved"), _SOON)),
        (resolved, (untold, _STAFF, close("resolved"), _SOON)),
        (
            (referred, _STAFF, close("referred_externally"), _SOON),
            (told, _STAFF, close("referred_externally"), _SOON),
        ),
        ((told, _STAFF, close("no_reply"), _LONG_AFTER), (told, _STAFF, close("no_reply"), _SOON)),
        (
            (told, _STAFF, close("duplicate", "OTHER-1"), _SOON),
            (told, _STAFF, close("duplicate", _REFERENCE), _SOON),
        ),
        (
            (told, _STAFF, close("no_reply"), _LONG_AFTER),
            (untold, _STAFF, close("no_reply"), _LONG_AFTER),
        ),
    ]


def _judges(guard: Guard, command: str, situation: _Situation) -> str | None:
    complaint, actor, payload, now = situation
    context = GuardContext(
        complaint=complaint, command=command, actor=actor, payload=payload, now=now
    )
    try:
        return guard(context)
    except Exception as e:  # a guard that breaks on a sample guarantees nothing
        return f"raised {type(e).__name__}"


def _has(guard: Guard, command: str, name: str) -> bool:
    return all(
        _judges(guard, command, ok) is None and _judges(guard, command, bad) is not None
        for ok, bad in _cached_pairs(name, command)
    )


@cache
def _cached_pairs(name: str, command: str) -> tuple[_Pair, ...]:
    return tuple(_pairs(name, command))


def guarantees(t: Transition) -> frozenset[str]:
    """The guarantees (the names above) that one of ``t``'s guards shows on the samples."""
    found = set()
    for name in (ASSESSMENT_RECORDED, OBJECTIVITY, RECOURSE_EXPLAINED, CLOSURE_JUSTIFIED):
        if any(_has(g, t.command, name) for g in t.guards):
            found.add(name)
    return frozenset(found)
