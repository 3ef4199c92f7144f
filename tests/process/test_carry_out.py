"""
Carrying out the accepted decision (7.9): the step, what "promises an action" means, the
closing guard that requires the step when asked to, and histories written before it existed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    ClosureReason,
    Complainant,
    Complaint,
    ComplaintDesk,
    ContactDetails,
    Decision,
    FixedClock,
    GuardFailed,
    InMemoryEventStore,
    InvalidTransition,
    Money,
    Outcome,
    Reaction,
    Remedy,
    RemedyKind,
    Role,
    Severity,
    standard_workflow,
)
from iso10002.access.public import public_view
from iso10002.model.values import ACTION_REMEDIES
from iso10002.process.conformance import check_conformance

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
MANAGER = Actor(id="m-1", role=Role.COMPLAINTS_MANAGER, name="Mo Manager")
REFUND = Remedy(kind=RemedyKind.REFUND, amount=Money(amount=Decimal("42.10"), currency="GBP"))
APOLOGY = Remedy(kind=RemedyKind.APOLOGY)
EXPLANATION = Remedy(kind=RemedyKind.EXPLANATION)
ANN = Complainant(name="Ann Example", contact=ContactDetails(email="ann@example.org"))


def _decision(*remedies: Remedy) -> Decision:
    outcome = Outcome.UPHELD if remedies else Outcome.NOT_UPHELD
    return Decision(outcome=outcome, reasons="We looked into it.", remedies=remedies)


def _accepted(desk: ComplaintDesk, decision: Decision) -> Complaint:
    c = desk.receive(
        MANAGER,
        complainant=ANN,
        channel=Channel.EMAIL,
        description="Charged twice.",
    )
    desk.acknowledge(c.reference, MANAGER)
    desk.assess(c.reference, MANAGER, Assessment(severity=Severity.LOW))
    desk.decide(c.reference, MANAGER, decision)
    desk.communicate_decision(c.reference, MANAGER, channel=Channel.EMAIL, summary="Our answer.")
    return desk.record_reaction(c.reference, MANAGER, Reaction.ACCEPTS)


def _desk(*, required: bool = False) -> ComplaintDesk:
    return ComplaintDesk(
        InMemoryEventStore(),
        clock=FixedClock(START),
        workflow=standard_workflow(require_carried_out=required),
    )


@pytest.mark.parametrize(
    ("remedies", "promises"),
    [
        ((), False),
        ((APOLOGY,), False),
        ((EXPLANATION, APOLOGY), False),
        ((APOLOGY, REFUND), True),
        ((Remedy(kind=RemedyKind.PROCESS_CHANGE, description="New check"),), True),
        ((Remedy(kind=RemedyKind.OTHER, description="A visit"),), True),
    ],
)
def test_a_decision_promises_an_action_when_a_remedy_is_more_than_words(
    remedies: tuple[Remedy, ...], promises: bool
) -> None:
    assert _decision(*remedies).promises_action is promises


def test_only_explanations_and_apologies_are_given_by_the_letter_itself() -> None:
    assert set(RemedyKind) - ACTION_REMEDIES == {RemedyKind.EXPLANATION, RemedyKind.APOLOGY}


def test_carrying_out_records_the_step_and_keeps_the_complaint_resolved() -> None:
    desk = _desk()
    c = _accepted(desk, _decision(APOLOGY, REFUND))
    assert c.decision_carried_out_at is None

    done = desk.carry_out_decision(c.reference, MANAGER, summary="Refund paid to the card.")

    assert done.state == "resolved"
    assert done.decision_carried_out_at == START
    last = desk.history(c.reference)[-1]
    assert last.type == "decision_carried_out"
    assert Complaint.replay(desk.history(c.reference)) == done
    entries = public_view(done, desk.history(c.reference)).timeline
    assert [(e.kind, e.detail) for e in entries][-1] == (
        "carried_out",
        "Refund paid to the card.",
    )


def test_a_decision_that_promises_nothing_is_not_carried_out() -> None:
    desk = _desk()
    c = _accepted(desk, _decision(APOLOGY))

    with pytest.raises(GuardFailed) as caught:
        desk.carry_out_decision(c.reference, MANAGER, summary="Nothing to do.")

    assert caught.value.guard == "action_promised"
    assert str(caught.value) == (
        f"'carry_out_decision' refused for complaint {c.reference} in state 'resolved' by "
        "guard 'action_promised': the decision promises no action to carry out: its remedies "
        "are given by the decision letter itself"
    )
    assert desk.get(c.id).version == c.version


def test_a_decision_is_carried_out_once() -> None:
    desk = _desk()
    c = _accepted(desk, _decision(REFUND))
    desk.carry_out_decision(c.reference, MANAGER, summary="Refund paid.")

    with pytest.raises(GuardFailed) as caught:
        desk.carry_out_decision(c.reference, MANAGER, summary="Paid again?")

    assert caught.value.guard == "action_promised"
    assert caught.value.reason == (
        "the decision was already recorded as carried out at 2026-03-02T09:00:00+00:00"
    )


def test_a_decision_not_yet_accepted_is_not_carried_out() -> None:
    desk = _desk()
    c = desk.receive(MANAGER, complainant=ANN, channel=Channel.PHONE, description="Late.")
    desk.acknowledge(c.reference, MANAGER)
    desk.assess(c.reference, MANAGER, Assessment(severity=Severity.LOW))
    desk.decide(c.reference, MANAGER, _decision(REFUND))
    desk.communicate_decision(c.reference, MANAGER, channel=Channel.PHONE, summary="Refund.")

    with pytest.raises(InvalidTransition) as caught:
        desk.carry_out_decision(c.reference, MANAGER, summary="Too early.")

    assert caught.value.state == "awaiting_reaction"
    assert caught.value.command == "carry_out_decision"
    assert "'carry_out_decision' is not allowed" in str(caught.value)


def test_the_guard_requires_the_step_before_a_resolved_closure() -> None:
    desk = _desk(required=True)
    c = _accepted(desk, _decision(APOLOGY, REFUND))

    with pytest.raises(GuardFailed) as caught:
        desk.close(c.reference, MANAGER, reason=ClosureReason.RESOLVED)

    assert caught.value.guard == "decision_carried_out"
    assert caught.value.reason == (
        "the decision promises an action that has not been recorded as carried out (7.9): "
        "record it with carry_out_decision first"
    )
    desk.carry_out_decision(c.reference, MANAGER, summary="Refund paid.")
    closed = desk.close(c.reference, MANAGER, reason=ClosureReason.RESOLVED)
    assert closed.closure_reason is ClosureReason.RESOLVED


def test_the_guard_lets_a_decision_that_promises_nothing_close() -> None:
    desk = _desk(required=True)
    c = _accepted(desk, _decision(APOLOGY))

    closed = desk.close(c.reference, MANAGER, reason=ClosureReason.RESOLVED)

    assert closed.closure_reason is ClosureReason.RESOLVED
    assert closed.decision_carried_out_at is None


def test_without_the_requirement_closing_works_as_before() -> None:
    desk = _desk()
    c = _accepted(desk, _decision(REFUND))

    closed = desk.close(c.reference, MANAGER, reason=ClosureReason.RESOLVED)

    assert closed.closure_reason is ClosureReason.RESOLVED
    assert "decision_carried_out" not in [e.type for e in desk.history(c.reference)]


def test_a_new_decision_clears_the_record_of_the_earlier_one_carried_out() -> None:
    desk = _desk()
    c = _accepted(desk, _decision(REFUND))
    desk.carry_out_decision(c.reference, MANAGER, summary="Refund paid.")
    desk.close(c.reference, MANAGER, reason=ClosureReason.RESOLVED)
    desk.reopen(c.reference, MANAGER, reason="The refund bounced.")

    again = desk.decide(c.reference, MANAGER, _decision(REFUND, APOLOGY))

    assert again.decision_carried_out_at is None


def test_an_old_history_without_the_step_replays_and_both_workflows_conform() -> None:
    desk = _desk()
    c = _accepted(desk, _decision(REFUND))
    desk.close(c.reference, MANAGER, reason=ClosureReason.RESOLVED)
    history = desk.history(c.reference)

    replayed = Complaint.replay(history)

    assert replayed.closure_reason is ClosureReason.RESOLVED
    assert replayed.decision_carried_out_at is None
    for required in (False, True):
        report = check_conformance(standard_workflow(require_carried_out=required))
        assert report.ok, report.violations
    strict = standard_workflow(require_carried_out=True)
    close = [t for t in strict.transitions if t.command == "close"]
    assert [g.name for g in close[0].guards] == ["closure_justified", "decision_carried_out"]
