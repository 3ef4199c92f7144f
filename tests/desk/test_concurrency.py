"""
Sharing: conflicts are retried as the desk is configured (never for a pinned version), concurrent
notes from threads and desks on one SQLite file all land, threads sharing one desk take turns on
a complaint instead of conflicting, and one desk shared by 8 threads keeps every complaint's
state equal to the replay of its stored history.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from iso10002 import (
    Assessment,
    CommandRejected,
    Complaint,
    ComplaintDesk,
    ConcurrencyConflict,
    FixedClock,
    Severity,
    SQLiteEventStore,
    ValidationError,
)
from iso10002.desk import DEFAULT_CONFLICT_RETRIES
from iso10002.model.events import Event, NoteAdded
from iso10002.model.values import ComplaintId
from iso10002.outbox.policy import DeskChange
from tests.access.support import SETUP, START
from tests.desk.support import prepare


@pytest.fixture(name="clock")
def _clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(name="path")
def _path(tmp_path: Path) -> Path:
    return tmp_path / "complaints.db"


@pytest.fixture(name="stores")
def _stores(path: Path) -> Iterator[list[SQLiteEventStore]]:
    """Two store objects on one SQLite file, as two processes would have."""
    opened = [SQLiteEventStore(path, synchronous="OFF") for _ in range(2)]
    yield opened
    for store in opened:
        store.close()


@pytest.mark.parametrize("bad", [-1, "3", 2.0, True, None])
def test_conflict_retries_must_be_a_whole_number_not_below_zero(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        ComplaintDesk(conflict_retries=bad)  # type: ignore[arg-type]

    assert info.value.field == "conflict_retries"
    if bad == -1:
        assert str(info.value) == "conflict_retries: must be 0 or more, got -1"
    else:
        assert str(info.value) == f"conflict_retries: expected a whole number, got {bad!r}"


def test_the_default_is_three_retries() -> None:
    assert DEFAULT_CONFLICT_RETRIES == 10
    assert ComplaintDesk().conflict_retries == 10


class Interloper:
    """
    A notification hook through which another desk appends a note to the same complaint just
    before this desk appends: exactly the race a concurrent writer makes, ``times`` times.
    """

    def __init__(self, other: ComplaintDesk, times: int) -> None:
        self.other = other
        self.times = times

    def __call__(self, change: DeskChange) -> tuple[()]:
        if self.times > 0:
            self.times -= 1
            self.other.add_note(change.complaint.id, SETUP, "Written in between.")
        return ()


def racing(
    stores: list[SQLiteEventStore], clock: FixedClock, times: int, retries: int
) -> tuple[ComplaintDesk, Complaint, Interloper]:
    other = ComplaintDesk(stores[1], clock=clock)
    c = prepare(other, "investigating")
    interloper = Interloper(other, times)
    desk = ComplaintDesk(
        stores[0],
        clock=clock,
        notifications=interloper,
        conflict_retries=retries,
    )
    return desk, c, interloper


def notes(desk: ComplaintDesk, c: Complaint) -> list[str]:
    return [e.payload.text for e in desk.history(c.id) if isinstance(e.payload, NoteAdded)]


@pytest.mark.parametrize("retries", [1, 2, 3])
def test_a_conflict_is_retried_as_often_as_configured(
    stores: list[SQLiteEventStore], clock: FixedClock, retries: int
) -> None:
    desk, c, _ = racing(stores, clock, times=retries, retries=retries)

    noted = desk.add_note(c.reference, SETUP, "Mine.")

    assert notes(desk, c) == [*["Written in between."] * retries, "Mine."]
    assert noted.version == c.version + retries + 1
    assert Complaint.replay(desk.history(c.id)) == noted


@pytest.mark.parametrize("retries", [0, 1, 3])
def test_one_conflict_more_than_the_retries_reaches_the_caller(
    stores: list[SQLiteEventStore], clock: FixedClock, retries: int
) -> None:
    desk, c, _ = racing(stores, clock, times=retries + 1, retries=retries)

    with pytest.raises(ConcurrencyConflict) as info:
        desk.add_note(c.reference, SETUP, "Mine.")

    version = c.version + retries + 1
    assert str(info.value) == (
        f"complaint {c.reference}: expected version {version - 1}, "
        f"but the stored version is {version}"
    )
    assert notes(desk, c) == ["Written in between."] * (retries + 1)


def test_a_pinned_version_is_never_retried(
    stores: list[SQLiteEventStore], clock: FixedClock
) -> None:
    desk, c, interloper = racing(stores, clock, times=1, retries=3)

    with pytest.raises(ConcurrencyConflict):
        desk.add_note(c.reference, SETUP, "Mine.", expected_version=c.version)

    assert interloper.times == 0
    assert notes(desk, c) == ["Written in between."]


def run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(i)`` in ``count`` threads started together; return what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def body(i: int) -> None:
        start.wait()
        try:
            work(i)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_notes_from_threads_and_desks_on_one_file_all_land(
    stores: list[SQLiteEventStore], clock: FixedClock
) -> None:
    threads, each = 6, 15
    # Every other note may land between a writer's read and its append: at most all of them.
    desks = [ComplaintDesk(s, clock=clock, conflict_retries=threads * each) for s in stores]
    c = prepare(desks[0], "investigating")

    def work(i: int) -> None:
        for n in range(each):
            desks[(i + n) % 2].add_note(c.reference, SETUP, f"thread {i} note {n}")

    assert run_threads(threads, work) == []

    history = desks[0].history(c.id)
    written = sorted(e.payload.text for e in history if isinstance(e.payload, NoteAdded))
    assert written == sorted(f"thread {i} note {n}" for i in range(threads) for n in range(each))
    assert [e.seq for e in history] == list(range(1, len(history) + 1))


def test_threads_sharing_one_desk_take_turns_and_never_conflict(
    stores: list[SQLiteEventStore], clock: FixedClock
) -> None:
    desk = ComplaintDesk(stores[0], clock=clock, conflict_retries=0)
    c = prepare(desk, "investigating")

    def work(i: int) -> None:
        for n in range(15):
            desk.add_note(c.reference, SETUP, f"thread {i} note {n}")

    assert run_threads(6, work) == []
    assert len(notes(desk, c)) == 6 * 15


def test_one_desk_shared_by_eight_threads_stays_equal_to_the_replay(
    path: Path, clock: FixedClock
) -> None:
    with SQLiteEventStore(path, synchronous="OFF") as store:
        # A cache smaller than the complaints, so that threads also evict each other's states.
        desk = ComplaintDesk(store, clock=clock, cache_size=2, conflict_retries=1000)
        shared = prepare(desk, "investigating")
        own = [prepare(desk, "investigating") for _ in range(8)]

        def work(i: int) -> None:
            for n in range(12):
                for c in (shared, own[i]):
                    desk.add_note(c.reference, SETUP, f"{i}.{n}")
                    try:
                        if n % 2:
                            desk.release_hold(c.id, SETUP)
                        else:
                            desk.put_on_hold(c.id, SETUP, reason=f"{i}.{n}")
                    except CommandRejected:
                        pass  # another thread held or released it first: the guard says so
                    desk.get(c.id)

        assert run_threads(8, work) == []

        for c in (shared, *own):
            replayed = Complaint.replay(store.read(c.id))
            assert desk.get(c.id) == replayed
            assert ComplaintDesk(store, clock=clock).get(c.id) == replayed
        assert desk.get(shared.id).version > shared.version + 8 * 12


class CountingStore(SQLiteEventStore):
    """A SQLite store that counts the reads of a complaint's events (the catch-up read)."""

    reads = 0

    def read(self, complaint_id: ComplaintId, *, after: int = 0) -> list[Event]:
        self.reads += 1
        return super().read(complaint_id, after=after)


def test_a_command_on_a_cached_complaint_does_not_read_it_first(
    path: Path, clock: FixedClock
) -> None:
    store = CountingStore(path, synchronous="OFF")
    desk = ComplaintDesk(store, clock=clock)
    c = prepare(desk, "investigating")
    before = store.reads

    noted = desk.add_note(c.reference, SETUP, "Mine.")

    assert store.reads == before
    assert noted.version == c.version + 1
    assert Complaint.replay(desk.history(c.id)) == noted
    store.close()


@pytest.mark.parametrize("retries", [0, 2])
def test_a_cached_state_behind_the_store_is_caught_up_not_counted_as_a_retry(
    stores: list[SQLiteEventStore], clock: FixedClock, retries: int
) -> None:
    mine = ComplaintDesk(stores[0], clock=clock, conflict_retries=retries)
    other = ComplaintDesk(stores[1], clock=clock)
    c = prepare(mine, "investigating")
    other.add_note(c.id, SETUP, "Written elsewhere.")  # the cache of ``mine`` is now behind

    noted = mine.add_note(c.id, SETUP, "Mine.")

    assert notes(mine, c) == ["Written elsewhere.", "Mine."]
    assert noted.version == c.version + 2
    assert Complaint.replay(mine.history(c.id)) == noted


def test_a_command_the_cached_state_refuses_runs_on_the_caught_up_state(
    stores: list[SQLiteEventStore], clock: FixedClock
) -> None:
    mine = ComplaintDesk(stores[0], clock=clock, conflict_retries=0)
    other = ComplaintDesk(stores[1], clock=clock)
    c = prepare(mine, "received")
    other.acknowledge(c.id, SETUP)  # ``mine`` still holds the complaint as received

    assessed = mine.assess(c.id, SETUP, Assessment(severity=Severity.LOW))

    assert assessed.state == "assessed"
    assert assessed.version == c.version + 2
    assert Complaint.replay(mine.history(c.id)) == assessed


def test_a_pinned_version_is_checked_against_the_store_not_the_cache(
    stores: list[SQLiteEventStore], clock: FixedClock
) -> None:
    mine = ComplaintDesk(stores[0], clock=clock)
    other = ComplaintDesk(stores[1], clock=clock)
    c = prepare(mine, "investigating")
    moved = other.add_note(c.id, SETUP, "Written elsewhere.")

    noted = mine.add_note(c.id, SETUP, "Mine.", expected_version=moved.version)

    assert noted.version == moved.version + 1
    assert notes(mine, c) == ["Written elsewhere.", "Mine."]
