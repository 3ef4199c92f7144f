"""
A custom step that closes a complaint counts as ``close`` does for the audit criteria and the
public view; and the conformance checker refuses an open state, built by hand, that lacks the
commands every open state of the standard workflow has.
"""

from __future__ import annotations

import datetime as dt

import attrs

from iso10002 import (
    ClosureReason,
    Complaint,
    ComplaintDesk,
    InMemoryEventStore,
    StateDef,
    Transition,
    Workflow,
    standard_workflow,
)
from iso10002.audit._history_checks import closure_reason, kept_informed
from iso10002.audit.run import AuditContext
from iso10002.model.closure import closure_of
from iso10002.model.events import Closed, NoteAdded, StepRecorded
from iso10002.process.conformance import check_conformance
from tests.process.test_vendor import STAFF, WORKFLOW, _desk, _in_legal_review

NOW = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)


def _context() -> AuditContext:
    return AuditContext(
        store=InMemoryEventStore(),
        programme=None,
        sla=None,
        now=NOW,
        period_from=NOW.date(),
        period_to=NOW.date(),
        acknowledge_within=dt.timedelta(days=2),
        communicate_within=dt.timedelta(days=2),
        no_reply_period=dt.timedelta(days=28),
        workflow=WORKFLOW,
    )


def _settled_as_duplicate() -> tuple[ComplaintDesk, Complaint]:
    desk = _desk()
    first = _in_legal_review(desk)
    ref = _in_legal_review(desk)
    closed = desk.run_step(ref, STAFF, "settle", reason=ClosureReason.DUPLICATE, duplicate_of=first)
    return desk, closed


def test_closure_of_reads_a_closing_step_as_the_closed_it_stands_for() -> None:
    step = StepRecorded(
        command="settle", closure_reason=ClosureReason.DUPLICATE, duplicate_of="CMP-1"
    )
    assert closure_of(step) == Closed(reason=ClosureReason.DUPLICATE, duplicate_of="CMP-1")
    assert closure_of(StepRecorded(command="opinion")) is None
    assert closure_of(NoteAdded(text="x")) is None
    plain = Closed(reason=ClosureReason.RESOLVED)
    assert closure_of(plain) is plain


def test_the_public_view_shows_a_closing_step_as_a_closure() -> None:
    desk, closed = _settled_as_duplicate()

    view = desk.public_view(closed.reference)

    assert not view.is_open and view.closed_at == closed.closed_at
    assert view.timeline[-1].kind == "closed"
    assert view.timeline[-1].text == (
        "We closed your complaint as another complaint covers the same matter."
    )


def test_the_audit_judges_a_closing_steps_reason_as_closes() -> None:
    desk, closed = _settled_as_duplicate()
    history = desk.history(closed.reference)

    assert closure_reason(_context(), closed, history) is True
    # The same step closing as resolved, with no acceptance recorded, breaks 7.9.
    step = history[-1].payload
    assert isinstance(step, StepRecorded)
    unaccepted = attrs.evolve(
        history[-1],
        payload=attrs.evolve(step, closure_reason=ClosureReason.RESOLVED, duplicate_of=None),
    )
    assert closure_reason(_context(), closed, [*history[:-1], unaccepted]) is False
    # Keeping the complainant informed ends with the closure, as it ends with close.
    assert kept_informed(_context(), closed, history) is True


def _with_parked(inherit: bool | None) -> Workflow:
    parked = StateDef(name="parked", description="Waiting for the complainant's documents.")
    moves = [
        Transition(command="park", sources=("investigating",), target="parked"),
        Transition(command="unpark", sources=("parked",), target="investigating"),
    ]
    plain = standard_workflow()
    if inherit is not None:
        return plain.extend(name="parking", states=[parked], transitions=moves, inherit=inherit)
    return Workflow(
        name="parking",
        initial=plain.initial,
        states=(*plain.states, parked),
        transitions=(*plain.transitions, *moves),
    )


def test_an_open_state_built_by_hand_without_the_common_commands_does_not_conform() -> None:
    for workflow in (_with_parked(None), _with_parked(inherit=False)):
        report = check_conformance(workflow)

        (violation,) = report.violations
        assert violation.rule == "open-state-commands"
        assert violation.transition is None
        assert (violation.path[0], violation.path[-1]) == ("receive", "park")  # into the state
        assert violation.message == (
            "open state 'parked' does not allow add_note, assign, classify, close, "
            "extend_deadline, put_on_hold, record_communication, record_root_cause, "
            "release_hold, withdraw, which the standard workflow allows in every open state; "
            "add the state to those commands' sources, or add it with Workflow.extend, which does"
        )


def test_an_open_state_added_with_extend_conforms() -> None:
    assert check_conformance(_with_parked(inherit=True)).ok


def test_only_the_commands_the_workflow_has_are_asked_for() -> None:
    lean = standard_workflow().extend(
        remove=["put_on_hold", "release_hold", "extend_deadline"],
        states=[StateDef(name="parked", description="p")],
        transitions=[
            Transition(command="park", sources=("investigating",), target="parked"),
            Transition(command="unpark", sources=("parked",), target="investigating"),
        ],
    )
    assert check_conformance(lean, rules=["open-state-commands"]).ok
