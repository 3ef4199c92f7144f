"""
ComplaintDesk.available_commands: in every state of the standard workflow, what it lists is
what actually runs (each listed command, run with valid input, succeeds unless the listing
says a guard refuses it), and what it leaves out is refused; with an authorizer, each role
sees only what it may do, and asking records no denial.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from iso10002 import (
    Actor,
    ClosureReason,
    ComplaintDesk,
    FixedClock,
    GuardFailed,
    InMemoryEventStore,
    Iso10002Error,
    Role,
    SQLiteEventStore,
    ValidationError,
)
from iso10002.access import StoreAccessLog
from iso10002.desk import AvailableCommand
from iso10002.process.workflow import Guard, GuardContext, Transition
from tests.access.support import ACTORS, START, STEP, workflow
from tests.desk.support import STATES, attempts, prepare
from tests.sla.support import config

MANAGER = ACTORS[Role.COMPLAINTS_MANAGER]
_Key = tuple[str, "str | None"]


@pytest.fixture(name="clock")
def _clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(name="desk", params=["memory", "sqlite"])
def _desk(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> Iterator[ComplaintDesk]:
    """The standard workflow and one custom step; on SQLite with timeliness policies too."""
    if request.param == "memory":
        yield ComplaintDesk(InMemoryEventStore(), clock=clock, workflow=workflow())
        return
    with SQLiteEventStore(tmp_path / "complaints.db", synchronous="OFF") as store:
        yield ComplaintDesk(store, clock=clock, workflow=workflow(), sla=config())


def listing(desk: ComplaintDesk, ref: str, actor: Actor) -> dict[_Key, AvailableCommand]:
    entries = desk.available_commands(ref, actor=actor)
    keys = [(e.method, e.step) for e in entries]
    assert keys == sorted(keys, key=lambda k: (k[0], k[1] or "")), "sorted by method and step"
    return dict(zip(keys, entries, strict=True))


def outcome(
    guarded: ComplaintDesk,
    setup: ComplaintDesk,
    actor: Actor,
    state: str,
    *,
    key: _Key,
    original: str,
) -> tuple[bool, list[Iso10002Error], dict[_Key, AvailableCommand]]:
    """Whether one of the valid inputs of ``key`` runs on a fresh complaint in ``state``."""
    c = prepare(setup, state)
    listed = listing(guarded, c.reference, actor)
    errors: list[Iso10002Error] = []
    for attempt in attempts(original)[key]:
        try:
            attempt(guarded, actor, c.reference)
        except Iso10002Error as e:
            errors.append(e)
            continue
        return True, errors, listed
    return False, errors, listed


def check_every_command(
    guarded: ComplaintDesk, setup: ComplaintDesk, actor: Actor, state: str
) -> dict[_Key, AvailableCommand]:
    """Run every command on a fresh complaint in ``state``; check it against the listing."""
    original = prepare(setup, "received").reference
    shown: dict[_Key, AvailableCommand] = {}
    for key in attempts(original):
        ran, errors, listed = outcome(guarded, setup, actor, state, key=key, original=original)
        entry = listed.get(key)
        where = f"{key[0]} in {state} by {actor.role.value}: {entry}, {errors}"
        if entry is None:
            assert not ran, where
        elif entry.passes:
            assert ran, where
            if not entry.needs_input:
                assert not errors, where  # the first, most ordinary input ran
            shown[key] = entry
        else:
            assert not ran, where
            assert entry.reason is not None, where
            if entry.guard is not None:
                assert any(
                    isinstance(e, GuardFailed)
                    and (e.guard, e.reason) == (entry.guard, entry.reason)
                    for e in errors
                ), where
            else:
                assert any(entry.reason in str(e) for e in errors), where
            shown[key] = entry
    return shown


@pytest.mark.parametrize("state", STATES)
def test_the_listing_is_what_runs_in_every_state(desk: ComplaintDesk, state: str) -> None:
    shown = check_every_command(desk, desk, MANAGER, state)

    c = prepare(desk, state)
    assert set(listing(desk, c.reference, MANAGER)) == set(shown)
    names = {method for method, _ in shown}
    assert not names & {"accept_decision", "reject_decision", "reassess"}
    assert names <= {method for method, _ in attempts("x")}


def test_guards_judged_in_advance_say_why(desk: ComplaintDesk) -> None:
    investigating = prepare(desk, "investigating")
    entries = listing(desk, investigating.reference, MANAGER)

    assert entries[("release_hold", None)] == AvailableCommand(
        method="release_hold", passes=False, guard="on_hold", reason="the complaint is not on hold"
    )
    assert entries[("put_on_hold", None)] == AvailableCommand(method="put_on_hold")
    assert entries[("decide", None)] == AvailableCommand(method="decide")
    assert entries[("close", None)] == AvailableCommand(method="close", needs_input=True)
    assert entries[("assess", None)] == AvailableCommand(method="assess")
    assert entries[("run_step", STEP)] == AvailableCommand(method="run_step", step=STEP)

    about_manager = prepare(desk, "assessed", people=(MANAGER.id,))
    decide = listing(desk, about_manager.reference, MANAGER)[("decide", None)]
    assert (decide.passes, decide.guard) == (False, "objectivity")
    assert decide.reason == f"{MANAGER.id} is a person the complaint is about"
    # Whom assign names is its input, so objectivity can only refuse the actor in advance.
    assign = listing(desk, prepare(desk, "assessed").reference, MANAGER)[("assign", None)]
    assert assign == AvailableCommand(method="assign", needs_input=True)


def test_guards_that_need_the_input_or_refuse_one_choice_leave_it_to_the_input(
    clock: FixedClock,
) -> None:
    def refuse(ctx: GuardContext) -> str | None:
        return "rejections go through the ombudsman here"

    def photo_attached(ctx: GuardContext) -> str | None:
        return None  # a guard that says nothing of the payloads it reads

    custom = workflow().extend(
        guards={
            "reject_decision": [
                Guard(name="no_rejections", description="x", check=refuse, reads_payloads=())
            ],
            STEP: [Guard(name="photo_attached", description="x", check=photo_attached)],
        }
    )
    desk = ComplaintDesk(clock=clock, workflow=custom)

    awaiting = listing(desk, prepare(desk, "awaiting_reaction").reference, MANAGER)
    assert awaiting[("record_reaction", None)] == AvailableCommand(
        method="record_reaction", needs_input=True
    )
    investigating = listing(desk, prepare(desk, "investigating").reference, MANAGER)
    assert investigating[("run_step", STEP)] == AvailableCommand(
        method="run_step", step=STEP, needs_input=True
    )
    # Without timeliness policies, extend_deadline cannot run at all.
    assert investigating[("extend_deadline", None)] == AvailableCommand(
        method="extend_deadline",
        passes=False,
        reason="this desk has no timeliness policies to extend",
    )


def test_a_custom_step_with_a_standard_guard_is_judged_by_its_payload(clock: FixedClock) -> None:
    from iso10002.process import guards

    closing = workflow().extend(
        transitions=[
            Transition(
                command="close_quietly",
                sources=("investigating",),
                target="closed",
                guards=(guards.closure_justified(_dt.timedelta(days=28)),),
            )
        ]
    )
    desk = ComplaintDesk(clock=clock, workflow=closing)
    c = prepare(desk, "investigating")

    entry = listing(desk, c.reference, MANAGER)[("run_step", "close_quietly")]

    # The step closes, so its closure reason decides: the guard waits for it.
    assert entry == AvailableCommand(method="run_step", step="close_quietly", needs_input=True)
    with pytest.raises(ValidationError) as missing:
        desk.run_step(c.reference, MANAGER, "close_quietly")
    assert missing.value.field == "reason"
    with pytest.raises(GuardFailed) as info:
        desk.run_step(c.reference, MANAGER, "close_quietly", reason=ClosureReason.NO_REPLY)
    assert (info.value.guard, info.value.reason) == (
        "closure_justified",
        "no communicated decision is awaiting the complainant's reaction",
    )


def test_an_erased_complaint_lists_nothing(desk: ComplaintDesk) -> None:
    c = prepare(desk, "closed")
    desk.erase_personal_data(c.reference, MANAGER, reason="Asked to.")

    assert desk.available_commands(c.reference, actor=MANAGER) == []


def test_the_actor_is_required(desk: ComplaintDesk) -> None:
    c = prepare(desk, "received")

    with pytest.raises(ValidationError) as info:
        desk.available_commands(c.reference, actor=None)  # type: ignore[arg-type]

    assert info.value.field == "actor"
    assert str(info.value) == "actor: every command names its Actor, got None"


# -- with an authorizer ---------------------------------------------------------------------

EXPECTED: dict[tuple[Role, str], set[str]] = {
    # (role, state): the methods it is shown, with the role matrix of the access guide
    (Role.COMPLAINANT, "received"): {"withdraw"},
    (Role.COMPLAINANT, "awaiting_reaction"): {"record_reaction", "withdraw"},
    (Role.COMPLAINANT, "closed"): {"answer_survey"},
    (Role.FRONT_LINE, "received"): {"acknowledge", "record_communication", "withdraw"},
    (Role.FRONT_LINE, "closed"): {"answer_survey", "record_communication", "record_satisfaction"},
    (Role.INVESTIGATOR, "assessed"): {
        "add_note",
        "record_communication",
        "record_root_cause",
        "start_investigation",
    },
    (Role.INVESTIGATOR, "investigating"): {"add_note", "record_communication", "record_root_cause"},
    (Role.AUDITOR, "investigating"): set(),
    (Role.SYSTEM, "investigating"): {"acknowledge"},  # a late acknowledgement, as web intake
}


@pytest.mark.parametrize(("role", "state"), list(EXPECTED))
def test_a_role_sees_only_what_it_may_do(
    tmp_path: Path, clock: FixedClock, role: Role, state: str
) -> None:
    from tests.access.support import desks

    guarded, setup = desks(tmp_path / "access.db", clock)
    actor = ACTORS[role]

    shown = check_every_command(guarded, setup, actor, state)

    assert {method for method, _ in shown} == EXPECTED[(role, state)]
    c = prepare(setup, state)
    log = guarded.access_log
    assert isinstance(log, StoreAccessLog)
    before = log.denials()
    guarded.available_commands(c.reference, actor=actor)
    assert log.denials() == before, "asking in advance records no denial"
