"""Complaints taken to every state of the standard workflow; every desk command with valid input."""

from __future__ import annotations

from collections.abc import Callable

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Classification,
    ClosureReason,
    Communication,
    Complaint,
    ComplaintDesk,
    Decision,
    Direction,
    Outcome,
    Reaction,
    Role,
    RootCause,
    Severity,
)
from iso10002.model.values import ExtensionKind
from tests.access.support import ACTORS, OWNER, SETUP, STEP
from tests.survey.support import survey

_Step = Callable[[ComplaintDesk, str], object]

INVESTIGATOR = ACTORS[Role.INVESTIGATOR]
NOT_UPHELD = Decision(outcome=Outcome.NOT_UPHELD, reasons="Delivered on the promised day.")

_STEPS: dict[str, tuple[str, _Step]] = {
    # state reached: (the state it comes from, the command that reaches it)
    "acknowledged": ("received", lambda d, r: d.acknowledge(r, SETUP)),
    "assessed": (
        "acknowledged",
        lambda d, r: d.assess(r, SETUP, Assessment(severity=Severity.LOW)),
    ),
    "investigating": ("assessed", lambda d, r: d.start_investigation(r, SETUP)),
    "on_hold": ("investigating", lambda d, r: d.put_on_hold(r, SETUP, reason="Waiting.")),
    "decided": ("investigating", lambda d, r: d.decide(r, SETUP, NOT_UPHELD)),
    "awaiting_reaction": (
        "decided",
        lambda d, r: d.communicate_decision(r, SETUP, channel=Channel.EMAIL, summary="No fault."),
    ),
    "resolved": ("awaiting_reaction", lambda d, r: d.record_reaction(r, SETUP, Reaction.ACCEPTS)),
    "closed": ("resolved", lambda d, r: d.close(r, SETUP, reason=ClosureReason.RESOLVED)),
    "rejected": ("awaiting_reaction", lambda d, r: d.record_reaction(r, SETUP, Reaction.REJECTS)),
    "internal_review": (
        "rejected",
        lambda d, r: d.request_internal_review(r, SETUP, reason="Asked for a review."),
    ),
    "referred": ("rejected", lambda d, r: d.refer_externally(r, SETUP, body="Ombudsman")),
    "withdrawn": ("received", lambda d, r: d.withdraw(r, SETUP, reason="Sorted.")),
}

STATES = ("received", *_STEPS)
"""Every state of the standard workflow, and ``on_hold``: investigating, on hold."""


def prepare(setup: ComplaintDesk, state: str, *, people: tuple[str, ...] = ()) -> Complaint:
    """
    A new complaint of OWNER assigned to the investigator, about ``people``, taken to
    ``state`` by ``setup``.
    """
    c = setup.receive(
        SETUP,
        complainant=OWNER,
        channel=Channel.WEB_FORM,
        description="My parcel never arrived.",
        people_involved=people,
    )
    setup.assign(c.reference, SETUP, INVESTIGATOR)
    path: list[_Step] = []
    reached = state
    while reached != "received":
        reached, step = _STEPS[reached]
        path.insert(0, step)
    for step in path:
        step(setup, c.reference)
    return setup.get(c.reference)


_Attempt = Callable[[ComplaintDesk, Actor, str], Complaint]


def attempts(original: str) -> dict[tuple[str, str | None], tuple[_Attempt, ...]]:
    """
    Every command method of the desk (``run_step`` with the custom step), each with valid
    inputs to try in turn, the most ordinary first; ``original`` is a complaint that a
    duplicate may name.
    """
    return {
        ("acknowledge", None): (lambda d, a, r: d.acknowledge(r, a),),
        ("assess", None): (lambda d, a, r: d.assess(r, a, Assessment(severity=Severity.LOW)),),
        ("classify", None): (
            lambda d, a, r: d.classify(r, a, Classification(category=("Delivery",))),
        ),
        ("assign", None): (lambda d, a, r: d.assign(r, a, INVESTIGATOR),),
        ("start_investigation", None): (lambda d, a, r: d.start_investigation(r, a),),
        ("add_note", None): (lambda d, a, r: d.add_note(r, a, "Called the courier."),),
        ("record_root_cause", None): (
            lambda d, a, r: d.record_root_cause(
                r, a, RootCause(cause="Courier lost it", corrective_action="Resend")
            ),
        ),
        ("decide", None): (lambda d, a, r: d.decide(r, a, NOT_UPHELD),),
        ("communicate_decision", None): (
            lambda d, a, r: d.communicate_decision(r, a, channel=Channel.EMAIL, summary="No."),
        ),
        ("carry_out_decision", None): (
            lambda d, a, r: d.carry_out_decision(r, a, summary="Refund paid."),
        ),
        ("record_communication", None): (
            lambda d, a, r: d.record_communication(
                r,
                a,
                Communication(
                    direction=Direction.OUTBOUND, channel=Channel.PHONE, summary="Called."
                ),
            ),
        ),
        ("record_reaction", None): (
            lambda d, a, r: d.record_reaction(r, a, Reaction.ACCEPTS),
            lambda d, a, r: d.record_reaction(r, a, Reaction.REJECTS),
        ),
        ("request_internal_review", None): (
            lambda d, a, r: d.request_internal_review(r, a, reason="Please look again."),
        ),
        ("refer_externally", None): (lambda d, a, r: d.refer_externally(r, a, body="Ombudsman"),),
        ("close", None): (
            lambda d, a, r: d.close(r, a, reason=ClosureReason.RESOLVED),
            lambda d, a, r: d.close(r, a, reason=ClosureReason.REFERRED_EXTERNALLY),
            lambda d, a, r: d.close(r, a, reason=ClosureReason.DUPLICATE, duplicate_of=original),
        ),
        ("withdraw", None): (lambda d, a, r: d.withdraw(r, a),),
        ("reopen", None): (lambda d, a, r: d.reopen(r, a, reason="New facts."),),
        ("put_on_hold", None): (lambda d, a, r: d.put_on_hold(r, a, reason="Waiting."),),
        ("release_hold", None): (lambda d, a, r: d.release_hold(r, a),),
        ("extend_deadline", None): (
            lambda d, a, r: d.extend_deadline(
                r,
                a,
                metric="final_response",
                kind=ExtensionKind.HOLDING_RESPONSE,
                reason="Waiting for the courier.",
            ),
        ),
        ("record_satisfaction", None): (lambda d, a, r: d.record_satisfaction(r, a, score=4),),
        ("answer_survey", None): (
            lambda d, a, r: d.answer_survey(r, a, survey=survey(), answers={"overall": 4}),
        ),
        ("run_step", STEP): (lambda d, a, r: d.run_step(r, a, STEP, note="Asked for a photo."),),
    }
