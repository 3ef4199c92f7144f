"""
The desk runs each complaint under the workflow in force for it, as recorded: the one it was
received into or the last one re-applied, not the desk's workflow of today. An earlier workflow
is run as the desk was given it (``workflows=``) or as its record rebuilds it; one that neither
supplies is refused with :class:`WorkflowUnavailable`, naming the ways out, writing nothing.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from iso10002 import (
    Assessment,
    Channel,
    CommandRejected,
    Complaint,
    ComplaintDesk,
    FixedClock,
    GuardFailed,
    Severity,
    StateDef,
    Transition,
    ValidationError,
    WorkflowUnavailable,
    standard_workflow,
)
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import ComplaintReceived
from iso10002.process.recorded import workflow_record
from iso10002.process.workflow import Guard, GuardContext, Workflow
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import SAMPLE_START, sample_actor, sample_complainant

STAFF = sample_actor()


def _house(review: str) -> Workflow:
    """The organisation's workflow: the standard one with a review step (``legal`` or ``board``)."""
    return standard_workflow().extend(
        name="house",
        states=[StateDef(name=f"{review}_review", description=f"With the {review}.")],
        transitions=[
            Transition(
                command=f"refer_to_{review}", sources=("investigating",), target=f"{review}_review"
            ),
            Transition(
                command=f"{review}_done", sources=(f"{review}_review",), target="investigating"
            ),
        ],
    )


BEFORE = _house("legal")
"""Workflow A, as it was when the older complaints were received."""
EDITED = _house("board")
"""Workflow A', the same workflow as edited since: the legal review became a board review."""


def _front_office_only(ctx: GuardContext) -> str | None:
    return "withdrawals go through the front office"


CODED = standard_workflow().extend(
    name="coded",
    guards={
        "withdraw": [
            Guard(
                name="front_office",
                description="Withdrawals are recorded by the front office.",
                check=_front_office_only,
                reads_payloads=(),
            )
        ]
    },
)
"""A workflow with a guard written in Python: its record names the guard but cannot hold it."""


def _desk(store: SQLiteEventStore, **kwargs: object) -> ComplaintDesk:
    return ComplaintDesk(store, clock=FixedClock(SAMPLE_START), **kwargs)  # type: ignore[arg-type]


def _investigating(desk: ComplaintDesk) -> str:
    ref = desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Late."
    ).reference
    desk.acknowledge(ref, STAFF)
    desk.assess(ref, STAFF, Assessment(severity=Severity.LOW))
    desk.start_investigation(ref, STAFF)
    return ref


def _steps(desk: ComplaintDesk, ref: str) -> set[str]:
    """The custom steps ``available_commands`` lists for the complaint."""
    return {c.step for c in desk.available_commands(ref, actor=STAFF) if c.step is not None}


def test_old_complaints_follow_the_workflow_they_were_received_into(tmp_path: Path) -> None:
    db = tmp_path / "complaints.db"
    with SQLiteEventStore(db) as store:
        old = _investigating(_desk(store, workflow=BEFORE))
        moved = _investigating(_desk(store, workflow=BEFORE))

    # The desk is rebuilt, on the same database, with the edited workflow.
    with SQLiteEventStore(db) as store:
        desk = _desk(store, workflow=EDITED)
        assert _steps(desk, old) == {"refer_to_legal"}
        version = desk.get(old).version
        with pytest.raises(CommandRejected, match="refer_to_board"):
            desk.run_step(old, STAFF, "refer_to_board")  # only A' has it
        assert desk.get(old).version == version

        assert desk.run_step(old, STAFF, "refer_to_legal").state == "legal_review"  # only A
        assert _steps(desk, old) == {"legal_done"}
        assert desk.run_step(old, STAFF, "legal_done").state == "investigating"

        new = _investigating(desk)
        assert desk.get(new).workflow_fingerprint == workflow_record(EDITED).fingerprint
        assert _steps(desk, new) == {"refer_to_board"}
        with pytest.raises(CommandRejected, match="refer_to_legal"):
            desk.run_step(new, STAFF, "refer_to_legal")
        assert desk.run_step(new, STAFF, "refer_to_board").state == "board_review"

        # Re-applied, the old complaint follows A'.
        (event,) = desk.reapply_configuration(moved, STAFF)
        assert event.type == "workflow_applied"
        assert desk.get(moved).workflow_fingerprint == workflow_record(EDITED).fingerprint
        assert _steps(desk, moved) == {"refer_to_board"}
        with pytest.raises(CommandRejected, match="refer_to_legal"):
            desk.run_step(moved, STAFF, "refer_to_legal")
        assert desk.run_step(moved, STAFF, "refer_to_board").state == "board_review"

    # Another desk, with the old workflow, reads what was recorded, not its own.
    with SQLiteEventStore(db) as store:
        desk = _desk(store, workflow=BEFORE)
        assert _steps(desk, moved) == {"board_done"}
        assert desk.run_step(moved, STAFF, "board_done").state == "investigating"


def test_a_workflow_with_python_guards_not_given_is_refused_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    db = tmp_path / "complaints.db"
    with SQLiteEventStore(db) as store:
        ref = _investigating(_desk(store, workflow=CODED))
    record = workflow_record(CODED)

    with SQLiteEventStore(db) as store:
        desk = _desk(store)
        before = desk.history(ref)
        with pytest.raises(WorkflowUnavailable) as caught:
            desk.add_note(ref, STAFF, "Called the courier.")
        err = caught.value
        assert isinstance(err, CommandRejected)
        assert (err.reference, err.command, err.state) == (ref, "add_note", "investigating")
        assert (err.workflow, err.version, err.fingerprint) == (
            "coded",
            record.version,
            record.fingerprint,
        )
        text = str(err)
        for part in (ref, "'coded'", record.version, record.fingerprint, "front_office"):
            assert part in text
        assert "workflows=" in text
        assert "reapply_configuration" in text
        with pytest.raises(WorkflowUnavailable):
            desk.withdraw(ref, STAFF, reason="Sorted.")
        assert desk.available_commands(ref, actor=STAFF) == []

    with SQLiteEventStore(db) as store:
        assert _desk(store).history(ref) == before  # nothing was written

        # Re-applying the desk's workflow is the other way out.
        desk = _desk(store)
        desk.reapply_configuration(ref, STAFF)
        assert desk.withdraw(ref, STAFF, reason="Sorted.").state == "withdrawn"


def test_a_workflow_with_python_guards_runs_when_the_desk_is_given_it(tmp_path: Path) -> None:
    db = tmp_path / "complaints.db"
    with SQLiteEventStore(db) as store:
        ref = _investigating(_desk(store, workflow=CODED))

    with SQLiteEventStore(db) as store:
        desk = _desk(store, workflow=BEFORE, workflows=[EDITED, CODED])
        assert desk.add_note(ref, STAFF, "Called the courier.").version == 5
        # Its own guard decides, which the desk's workflow does not have.
        (withdraw,) = [
            c for c in desk.available_commands(ref, actor=STAFF) if c.method == "withdraw"
        ]
        assert (withdraw.passes, withdraw.guard) == (False, "front_office")
        with pytest.raises(GuardFailed, match="front_office"):
            desk.withdraw(ref, STAFF, reason="Sorted.")
        assert _steps(desk, ref) == set()  # CODED has no refer_to_legal, the desk's has
        assert desk.history(ref)[-1].type == "note_added"


def test_a_step_with_data_of_a_python_class_needs_its_workflow_given(tmp_path: Path) -> None:
    @attrs.frozen(kw_only=True)
    class Opinion:
        liable: bool

    typed = standard_workflow().extend(
        name="typed",
        states=[StateDef(name="legal_review", description="With the legal team.")],
        transitions=[
            Transition(command="refer", sources=("investigating",), target="legal_review"),
            Transition(
                command="opinion",
                sources=("legal_review",),
                target="investigating",
                payload=Opinion,
            ),
        ],
    )
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        ref = _investigating(_desk(store, workflow=typed))
        with pytest.raises(WorkflowUnavailable, match="Python classes"):
            _desk(store).run_step(ref, STAFF, "refer")
        given = _desk(store, workflows=[typed])
        given.run_step(ref, STAFF, "refer")
        after = given.run_step(ref, STAFF, "opinion", data=Opinion(liable=False))
        assert after.state == "investigating"


def test_complaints_without_a_recorded_workflow_follow_the_desks(tmp_path: Path) -> None:
    with SQLiteEventStore(tmp_path / "source.db") as source:
        ref = _investigating(_desk(source, workflow=BEFORE))
        events = _desk(source).history(ref)
    first = events[0]
    assert isinstance(first.payload, ComplaintReceived)
    # As a release that recorded no workflow wrote them.
    events = [attrs.evolve(first, payload=attrs.evolve(first.payload, workflow=None)), *events[1:]]
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        store.append(
            events, expected_version=0, summary=ComplaintSummary.of(Complaint.replay(events))
        )
        desk = _desk(store, workflow=EDITED)
        assert desk.get(ref).workflow_fingerprint is None
        assert _steps(desk, ref) == {"refer_to_board"}
        assert desk.run_step(ref, STAFF, "refer_to_board").state == "board_review"


def test_the_earlier_workflows_are_checked_when_the_desk_is_built(tmp_path: Path) -> None:
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        with pytest.raises(ValidationError) as caught:
            _desk(store, workflows=[BEFORE, "house.toml"])
        assert caught.value.field == "workflows[1]"
        with pytest.raises(ValidationError) as caught:
            _desk(store, workflows=BEFORE)
        assert caught.value.field == "workflows"
        with pytest.raises(ValidationError) as caught:
            _desk(store, workflow="house.toml")
        assert caught.value.field == "workflow"
