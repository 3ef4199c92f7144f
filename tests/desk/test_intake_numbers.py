"""
Reference numbers at intake: automatic numbering skips a reference a caller already took, and
duplicate submissions racing each other use up no number over a store that claims numbers in
the append (the shipped ones), and as few as the store allows over one that does not (none
between threads of one desk).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from iso10002 import (
    ComplaintDesk,
    DuplicateKeyError,
    FixedClock,
    InMemoryEventStore,
    SQLiteEventStore,
)
from iso10002.desk import IntakeResult, _intake
from iso10002.storage import Capability
from tests.access.support import SETUP, START
from tests.desk.test_intake import FORM

PLAIN = {k: v for k, v in FORM.items() if k != "client_key"}


def ref(n: int) -> str:
    return f"CMP-{START.year}-{n:06d}"


def number(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


@pytest.fixture(name="clock")
def _clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(name="store", params=["memory", "sqlite"])
def _store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    if request.param == "memory":
        yield InMemoryEventStore()
        return
    with SQLiteEventStore(tmp_path / "complaints.db", synchronous="OFF") as store:
        yield store


def test_automatic_numbering_skips_a_reference_a_caller_took(
    store: InMemoryEventStore, clock: FixedClock
) -> None:
    desk = ComplaintDesk(store, clock=clock)
    desk.receive(SETUP, **PLAIN, reference=ref(1))  # type: ignore[arg-type]
    desk.receive(SETUP, **PLAIN, reference=ref(3))  # type: ignore[arg-type]

    numbered = [desk.receive(SETUP, **PLAIN).reference for _ in range(3)]  # type: ignore[arg-type]

    assert numbered == [ref(2), ref(4), ref(5)]


def test_a_reference_taken_through_another_desk_on_the_file_is_skipped(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "shared.db"
    with SQLiteEventStore(path) as one, SQLiteEventStore(path) as two:
        first, second = ComplaintDesk(one, clock=clock), ComplaintDesk(two, clock=clock)
        second.receive(SETUP, **PLAIN, reference=ref(2))  # type: ignore[arg-type]

        assert first.receive(SETUP, **PLAIN).reference == ref(1)  # type: ignore[arg-type]
        assert first.receive(SETUP, **PLAIN).reference == ref(3)  # type: ignore[arg-type]


class CountingReads(SQLiteEventStore):
    """A store that counts the desk's reads of the counter and of the references."""

    reads = 0

    def last_number(self, scope: str) -> int:
        self.reads += 1
        return super().last_number(scope)

    def id_for_reference(self, reference: str):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().id_for_reference(reference)


def test_a_desk_claims_the_number_after_its_last_without_a_look_and_looks_when_refused(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "shared.db"
    with CountingReads(path) as one, SQLiteEventStore(path) as two:
        first, second = ComplaintDesk(one, clock=clock), ComplaintDesk(two, clock=clock)
        assert first.receive(SETUP, **PLAIN).reference == ref(1)  # type: ignore[arg-type]
        looked = one.reads
        assert looked == 2  # the counter, then whether its next reference is free

        assert first.receive(SETUP, **PLAIN).reference == ref(2)  # type: ignore[arg-type]
        assert one.reads == looked
        # Another writer claims 3, and a caller takes 5 by hand.
        assert second.receive(SETUP, **PLAIN).reference == ref(3)  # type: ignore[arg-type]
        second.receive(SETUP, **PLAIN, reference=ref(5))  # type: ignore[arg-type]

        assert first.receive(SETUP, **PLAIN).reference == ref(4)  # type: ignore[arg-type]
        assert one.reads == looked + 2
        assert first.receive(SETUP, **PLAIN).reference == ref(6)  # type: ignore[arg-type]
        assert one.reads == looked + 5  # refused 5: the counter, then 5 taken, 6 free
        assert one.last_number(first.references.scope(START.year)) == 6


class AllocatingStore(SQLiteEventStore):
    """A store that does not claim numbers in its appends: the desk allocates them before."""

    capabilities = SQLiteEventStore.capabilities - {Capability.NUMBER_CLAIMS}


class LateReferences(SQLiteEventStore):
    """A store whose first look for a reference misses the one another writer just took."""

    missed = False

    def id_for_reference(self, reference: str):  # type: ignore[no-untyped-def]
        if not self.missed:
            self.missed = True
            return None
        return super().id_for_reference(reference)


class LateAllocating(LateReferences, AllocatingStore):
    """The same, over a store that does not claim numbers."""


@pytest.mark.parametrize("late_store", [LateReferences, LateAllocating])
def test_a_reference_taken_between_the_look_and_the_append_takes_the_next_number(
    tmp_path: Path, clock: FixedClock, late_store: type[LateReferences]
) -> None:
    path = tmp_path / "late.db"
    with SQLiteEventStore(path) as one, late_store(path) as late:
        ComplaintDesk(one, clock=clock).receive(SETUP, **PLAIN, reference=ref(1))  # type: ignore[arg-type]

        made = ComplaintDesk(late, clock=clock).receive(SETUP, **PLAIN)  # type: ignore[arg-type]

        assert made.reference == ref(2)
        assert late.missed


def test_numbering_gives_up_after_a_long_run_of_taken_references(
    clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_intake, "MAX_TAKEN_REFERENCES", 3)
    desk = ComplaintDesk(clock=clock)
    for n in (1, 2, 3):
        desk.receive(SETUP, **PLAIN, reference=ref(n))  # type: ignore[arg-type]

    with pytest.raises(DuplicateKeyError) as caught:
        desk.receive(SETUP, **PLAIN)  # type: ignore[arg-type]

    assert (caught.value.key, caught.value.value) == ("reference", ref(3))
    assert str(caught.value) == (
        f"no free reference: 3 numbers in a row, up to '{ref(3)}', are already used by other "
        "complaints; check the store's reference counter"
    )
    assert desk.query().total == 3


def test_a_given_reference_that_is_taken_is_still_refused(
    store: InMemoryEventStore, clock: FixedClock
) -> None:
    desk = ComplaintDesk(store, clock=clock)
    desk.receive(SETUP, **PLAIN, reference=ref(1))  # type: ignore[arg-type]

    with pytest.raises(DuplicateKeyError) as caught:
        desk.receive(SETUP, **PLAIN, reference=ref(1))  # type: ignore[arg-type]

    assert str(caught.value) == f"reference '{ref(1)}' is already used by another complaint"


def _submit_at_once(
    desks: list[ComplaintDesk], threads_per_desk: int, form: dict[str, object]
) -> list[IntakeResult]:
    barrier = threading.Barrier(len(desks) * threads_per_desk)
    results: list[IntakeResult] = []
    lock = threading.Lock()

    def submit(desk: ComplaintDesk) -> None:
        barrier.wait()
        result = desk.receive_or_replay(SETUP, **form)  # type: ignore[arg-type]
        with lock:
            results.append(result)

    workers = [
        threading.Thread(target=submit, args=(desk,))
        for desk in desks
        for _ in range(threads_per_desk)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


def test_threads_of_one_desk_submitting_one_form_use_up_one_number(
    store: InMemoryEventStore, clock: FixedClock
) -> None:
    desk = ComplaintDesk(store, clock=clock)

    results = _submit_at_once([desk], 8, FORM)

    assert sum(r.created for r in results) == 1
    assert {r.complaint.reference for r in results} == {ref(1)}
    assert desk.receive(SETUP, **PLAIN).reference == ref(2)  # type: ignore[arg-type]


def test_two_desks_on_one_file_store_one_complaint_and_waste_no_number(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "race.db"
    with SQLiteEventStore(path) as one, SQLiteEventStore(path) as two:
        desks = [ComplaintDesk(one, clock=clock), ComplaintDesk(two, clock=clock)]
        for round_ in range(5):
            results = _submit_at_once(desks, 4, {**FORM, "client_key": f"form-{round_}"})

            assert sum(r.created for r in results) == 1
            assert len({r.complaint.reference for r in results}) == 1
            taken = number(results[0].complaint.reference)
            follow = number(desks[0].receive(SETUP, **PLAIN).reference)  # type: ignore[arg-type]
            # The losing desk's claim failed with its append: its number was never used up.
            assert follow == taken + 1
        assert one.last_number(desks[0].references.scope(START.year)) == 10


def test_without_number_claims_two_desks_waste_at_most_one_number_per_key(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "race.db"
    with AllocatingStore(path) as one, AllocatingStore(path) as two:
        desks = [ComplaintDesk(one, clock=clock), ComplaintDesk(two, clock=clock)]
        for round_ in range(5):
            results = _submit_at_once(desks, 4, {**FORM, "client_key": f"form-{round_}"})

            assert sum(r.created for r in results) == 1
            assert len({r.complaint.reference for r in results}) == 1
            taken = number(results[0].complaint.reference)
            follow = number(desks[0].receive(SETUP, **PLAIN).reference)  # type: ignore[arg-type]
            # Each desk allocates at most once per key: the winner's number, and at most one
            # that the losing desk drew before the winner's append landed.
            assert follow - taken <= 2


class SlowToSeeKeys(SQLiteEventStore):
    """A store whose first look for a client key misses a complaint just received elsewhere."""

    missed = False

    def id_for_client_key(self, client_key: str):  # type: ignore[no-untyped-def]
        if not self.missed:
            self.missed = True
            return None
        return super().id_for_client_key(client_key)


def test_a_key_received_elsewhere_since_the_first_look_uses_up_no_number(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "late-key.db"
    with SQLiteEventStore(path) as one, SlowToSeeKeys(path) as slow:
        winner = ComplaintDesk(one, clock=clock).receive(SETUP, **FORM)  # type: ignore[arg-type]
        desk = ComplaintDesk(slow, clock=clock)

        result = desk.receive_or_replay(SETUP, **FORM)  # type: ignore[arg-type]

        assert not result.created and result.complaint == winner
        assert desk.receive(SETUP, **PLAIN).reference == ref(2)  # type: ignore[arg-type]
