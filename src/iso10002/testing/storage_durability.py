"""
:class:`SharedStoreContract`: what a store whose data lives outside the store object must do
(a file, a database server), as a pytest test class to inherit. Several store objects, in one
process or in several, open the same database; each sees what the others wrote, and what was
written survives closing the store and opening it again.

Prove a store conforms by giving a function that opens another store object on the same
database each time it is called; it is sent to another process, so it must pickle (a
``functools.partial`` of the store class does)::

    import functools

    from iso10002.testing import SharedStoreContract

    class TestMyStoreIsShared(SharedStoreContract):
        def store_opener(self, tmp_path: Path) -> Callable[[], MyStore]:
            return functools.partial(MyStore, tmp_path / "complaints")

A store whose data lives and dies with the object, such as the in-memory store, cannot have a
second object on its data: it does not inherit this contract, so these tests are not collected
for it (rather than skipped). Needs pytest.
"""

from __future__ import annotations

import abc
import datetime as _dt
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import pytest

from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import ConcurrencyConflict, DuplicateKeyError
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import Event
from iso10002.model.values import Actor, Channel, ComplaintId, Role
from iso10002.ports.store import ComplaintQuery, EventStore
from iso10002.testing._contract import StoreContract, version_of
from iso10002.testing.samples import (
    SAMPLE_START,
    full_lifecycle,
    note_event,
    received_event,
    sample_actor,
    sample_complainant,
    sample_history,
    summary_after,
)

__all__ = ["SharedStoreContract", "assign_in_turns"]

Opener = Callable[[], EventStore]
_SCOPE = "reference:CMP-2026"
_WAIT = 120.0
"""Upper bound in seconds for another process to start and finish; a healthy run needs a few."""


def assign_in_turns(
    one: EventStore, two: EventStore, clock: FixedClock
) -> tuple[ComplaintDesk, Actor, ComplaintId]:
    """
    A complaint received on ``one``, then assigned five times by desks on ``one`` and ``two``
    taking turns, each write read back from either store: its summary must be the one its
    events give and the query by assignee must find it. The desks give it back to the
    assignee each last gave it to: a store that sets only what changed since the version it
    last wrote, and compared with that version after the other wrote in between, would leave
    the other's assignee in the row. Returns the desk on ``one``, the manager who acted and
    the complaint's id.
    """
    manager = sample_actor("mo", Role.COMPLAINTS_MANAGER)
    first, second = ComplaintDesk(one, clock=clock), ComplaintDesk(two, clock=clock)
    cid = first.receive(
        manager, complainant=sample_complainant(), channel=Channel.EMAIL, description="Twice."
    ).id
    first.acknowledge(cid, manager, channel=Channel.EMAIL)
    turns = ((first, two), (second, one), (first, two), (second, one), (first, one))
    for n, (desk, reader) in enumerate(turns):
        clock.advance(_dt.timedelta(minutes=1))
        assignee = "agent-one" if desk is first else "agent-two"
        desk.assign(cid, manager, sample_actor(assignee, Role.INVESTIGATOR))
        assert reader.summary(cid) == summary_after(reader.read(cid)), f"turn {n}"
        found = reader.query(ComplaintQuery(assignee=assignee, limit=10)).items
        assert [s.id for s in found] == [cid], f"turn {n}"
    return first, manager, cid


def _everything(store: EventStore) -> tuple[Any, ...]:
    """All a store says about its complaints: the global log, every stream and summary, a query."""
    logged = list(store.iter_events())
    ids = sorted({e.complaint_id for _, e in logged})
    return (
        logged,
        [store.read(cid) for cid in ids],
        [version_of(store, cid) for cid in ids],
        [store.summary(cid) for cid in ids],
        store.query(ComplaintQuery(limit=500)),
    )


def append_elsewhere(
    open_store: Opener, appends: Sequence[tuple[Sequence[Event], int, ComplaintSummary]]
) -> int:
    """
    In another process: open a store with ``open_store``, append each ``(events,
    expected_version, summary)``, draw a number in the reference scope, close; return the number.
    """
    store = open_store()
    try:
        for events, expected_version, summary in appends:
            store.append(events, expected_version=expected_version, summary=summary)
        return store.next_number(_SCOPE)
    finally:
        store.close()


class SharedStoreContract(StoreContract[EventStore]):
    """
    The shared-database contract as pytest tests; subclass it and implement
    :meth:`store_opener`. ``store`` is the first store object on the database; ``open_store``
    opens more, closed after the test.
    """

    contract_hook: ClassVar[str] = "store_opener"

    @abc.abstractmethod
    def store_opener(self, tmp_path: Path) -> Opener:
        """
        Return a function that opens a store object on one new, empty database each time it is
        called; ``tmp_path`` is a fresh directory the database may live in.

        Called once per test. The function must pickle: one test calls it in another process.
        """

    def make_store(self, tmp_path: Path) -> EventStore:
        """The first store object on the database of :meth:`store_opener`."""
        self._opener = self.store_opener(tmp_path)
        return self._opener()

    @pytest.fixture
    def open_store(self, store: EventStore) -> Iterator[Opener]:
        """Opens another store object on the database of ``store``."""
        opened: list[EventStore] = []

        def open_() -> EventStore:
            opened.append(self._opener())
            return opened[-1]

        try:
            yield open_
        finally:
            for other in opened:
                other.close()

    # -- two store objects ----------------------------------------------------------------------

    def test_a_second_store_sees_the_first_ones_appends(
        self, store: EventStore, open_store: Opener
    ) -> None:
        other = open_store()
        history = sample_history(client_key="web-42")
        cid = history[0].complaint_id
        # The second store has read before the append: whatever it caches must not go stale.
        assert other.read(cid) == []
        assert other.query(ComplaintQuery()).total == 0
        store.append(history[:5], expected_version=0, summary=summary_after(history[:5]))
        assert other.read(cid) == history[:5]
        assert version_of(other, cid) == 5
        assert other.summary(cid) == summary_after(history[:5])
        assert other.id_for_reference("CMP-2026-000001") == cid
        assert other.id_for_client_key("web-42") == cid
        assert [s.id for s in other.query(ComplaintQuery()).items] == [cid]
        assert list(other.iter_events()) == list(store.iter_events())
        # And the other way round.
        other.append(history[5:], expected_version=5, summary=summary_after(history))
        assert store.read(cid) == history
        assert version_of(store, cid) == len(history)
        assert store.summary(cid) == summary_after(history)
        assert store.query(ComplaintQuery()).items == (summary_after(history),)
        assert _everything(store) == _everything(other)

    def test_a_stale_version_conflicts_across_store_objects(
        self, store: EventStore, open_store: Opener
    ) -> None:
        other = open_store()
        first = received_event()
        store.append([first], expected_version=0, summary=summary_after([first]))
        assert version_of(other, first.complaint_id) == 1
        mine, theirs = note_event(first, "mine"), note_event(first, "theirs")
        store.append([mine], expected_version=1, summary=summary_after([first, mine]))
        with pytest.raises(ConcurrencyConflict):
            other.append([theirs], expected_version=1, summary=summary_after([first, theirs]))
        again = received_event(reference="CMP-2026-000002")
        with pytest.raises(ConcurrencyConflict):
            other.append([first], expected_version=0, summary=summary_after([first]))
        taken = received_event(reference="CMP-2026-000001")
        with pytest.raises(DuplicateKeyError):
            other.append([taken], expected_version=0, summary=summary_after([taken]))
        other.append([again], expected_version=0, summary=summary_after([again]))
        assert store.read(first.complaint_id) == [first, mine]
        assert store.read(again.complaint_id) == [again]

    def test_counters_are_shared(self, store: EventStore, open_store: Opener) -> None:
        other = open_store()
        drawn = [s.next_number(_SCOPE) for s in (store, other, store, other, other)]
        assert drawn == [1, 2, 3, 4, 5]
        assert other.next_number("reference:CMP-2027") == 1
        assert store.next_number("reference:CMP-2027") == 2

    def test_desks_on_two_store_objects_see_one_another(
        self, store: EventStore, open_store: Opener
    ) -> None:
        clock = FixedClock(SAMPLE_START)
        mine = ComplaintDesk(store, clock=clock)
        theirs = ComplaintDesk(open_store(), clock=clock)
        one = full_lifecycle(mine, client_key="form-1")
        two = full_lifecycle(theirs, client_key="form-2")
        # References come from one shared counter, so the two desks never hand out the same.
        assert one.reference != two.reference
        assert theirs.get(one.reference) == one
        assert mine.get(two.reference) == two
        assert mine.find_by_client_key("form-2") == two

    def test_desks_taking_turns_on_one_complaint_keep_its_row_right(
        self, store: EventStore, open_store: Opener
    ) -> None:
        assign_in_turns(store, open_store(), FixedClock(SAMPLE_START))

    # -- closing and opening again --------------------------------------------------------------

    def test_everything_survives_closing_and_opening_again(
        self, store: EventStore, open_store: Opener
    ) -> None:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        done = full_lifecycle(desk, client_key="form-1")
        open_one = received_event(reference="OPEN-1", client_key="form-2")
        store.append([open_one], expected_version=0, summary=summary_after([open_one]))
        numbers = [store.next_number(_SCOPE) for _ in range(3)]
        before = _everything(store)
        store.close()
        reopened = open_store()
        assert _everything(reopened) == before
        assert reopened.id_for_client_key("form-2") == open_one.complaint_id
        assert reopened.id_for_reference("OPEN-1") == open_one.complaint_id
        assert reopened.next_number(_SCOPE) == numbers[-1] + 1
        again = ComplaintDesk(reopened, clock=FixedClock(SAMPLE_START))
        assert again.get(done.reference) == done
        assert again.find_by_client_key("form-1") == done
        # Appends continue the stored streams and the global log.
        note = note_event(open_one)
        reopened.append([note], expected_version=1, summary=summary_after([open_one, note]))
        positions = [p for p, _ in reopened.iter_events()]
        assert positions == sorted(set(positions))
        assert reopened.read(open_one.complaint_id) == [open_one, note]

    # -- another process ------------------------------------------------------------------------

    def test_a_second_process_appends_and_the_first_store_reads_it(self, store: EventStore) -> None:
        mine = received_event(reference="CMP-2026-000001")
        store.append([mine], expected_version=0, summary=summary_after([mine]))
        assert store.next_number(_SCOPE) == 1
        # Read before the other process writes: whatever the store caches must not go stale.
        assert store.summary(mine.complaint_id) == summary_after([mine])
        theirs = sample_history(reference="CMP-2026-000002")
        reply = note_event(mine, "answered from the other process")
        appends = [
            (theirs, 0, summary_after(theirs)),
            ([reply], 1, summary_after([mine, reply])),
        ]
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            drawn = pool.submit(append_elsewhere, self._opener, appends).result(timeout=_WAIT)
        assert drawn == 2
        assert store.read(theirs[0].complaint_id) == theirs
        assert store.summary(theirs[0].complaint_id) == summary_after(theirs)
        assert store.read(mine.complaint_id) == [mine, reply]
        assert version_of(store, mine.complaint_id) == 2
        assert store.summary(mine.complaint_id) == summary_after([mine, reply])
        assert [e for _, e in store.iter_events()] == [mine, *theirs, reply]
        assert store.query(ComplaintQuery()).total == 2
        assert store.next_number(_SCOPE) == 3
        # The first store's own view of the stream is not stale: its version moved on.
        late = note_event(mine, "too late")
        with pytest.raises(ConcurrencyConflict):
            store.append([late], expected_version=1, summary=summary_after([mine, late]))
