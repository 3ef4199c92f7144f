"""
BatchingStore: the store contract through the buffer, the same database as one command per
transaction, conflicts inside and outside the batch, and a failing flush that writes nothing.
"""

from __future__ import annotations

import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso10002 import (
    BatchFlushError,
    BatchingStore,
    Channel,
    ComplaintDesk,
    ComplaintQuery,
    ConcurrencyConflict,
    DuplicateKeyError,
    FixedClock,
    InMemoryEventStore,
    OutboxQuery,
    SQLiteEventStore,
    StoreClosedError,
    ValidationError,
)
from iso10002.integrity import verify
from iso10002.ports.store import Append, iter_summaries
from iso10002.serialization import compact_json, unstructure
from iso10002.simulation import DemoSettings, run_demo
from iso10002.testing import (
    ConfigurationStoreContract,
    EventStoreContract,
    OutboxStoreContract,
    PersonalDataStoreContract,
    note_event,
    received_event,
    sample_actor,
    sample_complainant,
    summary_after,
)
from tests.outbox.support import handle, policy

# -- the contract suites, through the buffer ------------------------------------------------------


class TestBatchingStoreFlushingOften(EventStoreContract):
    """A batch of three events: flushes fall in the middle of every test."""

    def make_store(self, tmp_path: Path) -> BatchingStore:
        return BatchingStore(SQLiteEventStore(tmp_path / "complaints.db"), max_events=3)


class TestBatchingStoreHoldingEverything(EventStoreContract):
    """Nothing flushes on its own: every read is answered through the buffer."""

    def make_store(self, tmp_path: Path) -> BatchingStore:
        return BatchingStore(SQLiteEventStore(tmp_path / "complaints.db"), max_events=10_000)


class TestBatchingStoreOutbox(OutboxStoreContract):
    def make_store(self, tmp_path: Path) -> BatchingStore:
        return BatchingStore(SQLiteEventStore(tmp_path / "complaints.db"), max_events=4)


class TestBatchingStoreErases(PersonalDataStoreContract):
    def make_store(self, tmp_path: Path) -> BatchingStore:
        return BatchingStore(SQLiteEventStore(tmp_path / "complaints.db"), max_events=4)


class TestBatchingStoreConfigurations(ConfigurationStoreContract):
    def make_store(self, tmp_path: Path) -> BatchingStore:
        return BatchingStore(SQLiteEventStore(tmp_path / "complaints.db"), max_events=4)


class TestBatchingInMemory(EventStoreContract):
    def make_store(self, tmp_path: Path) -> BatchingStore:
        return BatchingStore(InMemoryEventStore(), max_events=5)


# -- the same database as one by one --------------------------------------------------------------


def _snapshot(store: SQLiteEventStore) -> dict[str, Any]:
    """Everything stored, with each complaint's random id replaced by its reference."""
    summaries = list(iter_summaries(store, ComplaintQuery()))
    names = {str(s.id): s.reference for s in summaries}

    def text(value: object) -> str:
        out = compact_json(unstructure(value))
        for cid, reference in names.items():
            out = out.replace(cid, reference)
        return out

    report = verify(store)
    assert report.finding is None, report
    with sqlite3.connect(store.path) as conn:
        configurations = conn.execute(
            "SELECT fingerprint FROM configurations ORDER BY fingerprint"
        ).fetchall()
        tables = {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("events", "complaints", "outbox", "access_denials")
        }
    return {
        "events": [text(e) for _, e in store.iter_events()],
        "summaries": sorted(text(s) for s in summaries),
        "outbox": [text(r) for r in store.outbox_records(OutboxQuery(limit=1000))],
        "counters": store.counters(),
        "configurations": configurations,
        "tables": tables,
        "verified": (report.events, report.deep, report.unsealed_rows),
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    complaints=st.integers(1, 12),
    days=st.integers(3, 40),
    batch=st.integers(1, 60),
)
def test_the_demo_batched_writes_what_it_writes_one_by_one(
    seed: int, complaints: int, days: int, batch: int
) -> None:
    demo = DemoSettings(complaints=complaints, seed=seed, days=days)
    with tempfile.TemporaryDirectory() as tmp:
        with SQLiteEventStore(Path(tmp) / "one.db") as one:
            alone = run_demo(one, demo, batch_events=None)
            expected = _snapshot(one)
        with SQLiteEventStore(Path(tmp) / "batched.db") as store:
            batched = run_demo(store, demo, batch_events=batch)
            found = _snapshot(store)
    assert found == expected
    assert batched.events == alone.events == expected["tables"]["events"]
    assert [c.reference for c in batched.complaints] == [c.reference for c in alone.complaints]


def test_outbox_rows_and_chain_are_those_of_one_by_one(tmp_path: Path) -> None:
    def run(store: SQLiteEventStore | BatchingStore) -> None:
        desk = ComplaintDesk(store, clock=FixedClock(_NOW), notifications=policy())
        for n in range(1, 8):
            handle(desk, n)

    with SQLiteEventStore(tmp_path / "one.db") as one:
        run(one)
        expected = _snapshot(one)
    with SQLiteEventStore(tmp_path / "batched.db") as store:
        with BatchingStore(store, max_events=7) as batch:
            run(batch)
        assert batch.flushes >= 2
        found = _snapshot(store)
    assert expected["outbox"]
    assert found == expected


# -- checks, reads and flushes ------------------------------------------------------------------

_NOW = received_event().occurred_at


@pytest.fixture
def database(tmp_path: Path) -> Iterator[SQLiteEventStore]:
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        yield store


def _count(store: SQLiteEventStore, table: str) -> int:
    with sqlite3.connect(store.path) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_conflicts_inside_the_batch_are_raised_at_the_append(database: SQLiteEventStore) -> None:
    batch = BatchingStore(database, max_events=100)
    first = received_event(reference="CMP-2026-000001", client_key="web-1")
    mine, theirs = note_event(first, "mine"), note_event(first, "theirs")
    batch.append([first], expected_version=0, summary=summary_after([first]))
    batch.append([mine], expected_version=1, summary=summary_after([first, mine]))
    with pytest.raises(ConcurrencyConflict) as caught:
        batch.append([theirs], expected_version=1, summary=summary_after([first, theirs]))
    assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
    again = received_event(reference="CMP-2026-000001")
    with pytest.raises(DuplicateKeyError, match="reference 'CMP-2026-000001'"):
        batch.append([again], expected_version=0, summary=summary_after([again]))
    other = received_event(reference="CMP-2026-000002", client_key="web-1")
    with pytest.raises(DuplicateKeyError, match="client key 'web-1'"):
        batch.append([other], expected_version=0, summary=summary_after([other]))
    # The refused appends left the buffer as it was; nothing is stored before the flush.
    assert batch.pending == 2
    assert database.read(first.complaint_id) == []
    assert batch.read(first.complaint_id) == [first, mine]
    batch.flush()
    assert database.read(first.complaint_id) == [first, mine]
    assert database.id_for_reference("CMP-2026-000002") is None


def test_an_append_many_is_buffered_whole_or_not_at_all(database: SQLiteEventStore) -> None:
    batch = BatchingStore(database, max_events=100)
    a = received_event(reference="CMP-2026-000001")
    b = received_event(reference="CMP-2026-000002")
    stale = note_event(a)
    appends = [
        Append(events=(a,), expected_version=0, summary=summary_after([a])),
        Append(events=(b,), expected_version=0, summary=summary_after([b])),
        Append(events=(stale,), expected_version=0, summary=summary_after([a, stale])),
    ]
    with pytest.raises(ValidationError):
        batch.append_many(appends)
    assert batch.pending == 0
    assert batch.id_for_reference("CMP-2026-000002") is None
    assert batch.query(ComplaintQuery()).total == 0


def test_a_failing_flush_writes_nothing_and_names_the_append(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as database, SQLiteEventStore(path) as other:
        first = received_event(reference="CMP-2026-000001")
        database.append([first], expected_version=0, summary=summary_after([first]))
        batch = BatchingStore(database, max_events=100)
        new = received_event(reference="CMP-2026-000002")
        mine = note_event(first, "mine")
        batch.append([new], expected_version=0, summary=summary_after([new]))
        batch.append([mine], expected_version=1, summary=summary_after([first, mine]))
        # Another writer moves the complaint on between the append's check and the flush.
        theirs = note_event(first, "theirs")
        other.append([theirs], expected_version=1, summary=summary_after([first, theirs]))
        events, outbox = _count(database, "events"), _count(database, "outbox")
        with pytest.raises(BatchFlushError) as caught:
            batch.flush()
        error = caught.value
        assert (error.index, error.size, error.complaint) == (1, 2, "CMP-2026-000001")
        assert isinstance(error.error, ConcurrencyConflict)
        assert isinstance(error.__cause__, ConcurrencyConflict)
        assert "append 2 of 2 (complaint CMP-2026-000001) was refused" in str(error)
        # Neither append was written, not even the new complaint's; the buffer is dropped.
        assert (_count(database, "events"), _count(database, "outbox")) == (events, outbox)
        assert database.id_for_reference("CMP-2026-000002") is None
        assert batch.pending == 0
        assert batch.read(first.complaint_id) == [first, theirs]


def test_reads_see_the_buffer_as_the_store_will(database: SQLiteEventStore) -> None:
    batch = BatchingStore(database, max_events=10_000)
    desk = ComplaintDesk(database, clock=FixedClock(_NOW))
    stored = [
        desk.receive(
            sample_actor(), complainant=sample_complainant(), channel=Channel.EMAIL, description="x"
        )
        for _ in range(4)
    ]
    buffered_desk = ComplaintDesk(batch, clock=FixedClock(_NOW))
    buffered_desk.acknowledge(stored[1].id, sample_actor())
    buffered_desk.withdraw(stored[2].id, sample_actor())
    for _ in range(3):
        buffered_desk.receive(
            sample_actor(), complainant=sample_complainant(), channel=Channel.PHONE, description="y"
        )
    queries = [
        ComplaintQuery(),
        ComplaintQuery(is_open=True),
        ComplaintQuery(is_open=False),
        ComplaintQuery(limit=2, offset=1),
        ComplaintQuery(limit=3, offset=5),
        ComplaintQuery(channel=Channel.PHONE, limit=1),
        ComplaintQuery(state="acknowledged"),
    ]
    before = [batch.query(q) for q in queries]
    summaries = {c.id: batch.summary(c.id) for c in stored}
    assert database.query(ComplaintQuery()).total == 4  # nothing written yet
    batch.flush()
    assert [database.query(q) for q in queries] == before
    assert {c.id: database.summary(c.id) for c in stored} == summaries
    assert batch.flushes == 1


def test_leaving_the_block_flushes_and_close_closes(database: SQLiteEventStore) -> None:
    first = received_event()
    with BatchingStore(database, max_events=100) as batch:
        batch.append([first], expected_version=0, summary=summary_after([first]))
        assert database.summary(first.complaint_id) is None
    assert database.read(first.complaint_id) == [first]
    second = note_event(first)
    batch.append([second], expected_version=1, summary=summary_after([first, second]))
    batch.close()
    with pytest.raises(StoreClosedError):
        database.read(first.complaint_id)
    with pytest.raises(StoreClosedError):
        batch.append([note_event(second)], expected_version=2, summary=summary_after([first]))
    with SQLiteEventStore(database.path) as again:
        assert again.read(first.complaint_id) == [first, second]


def test_an_erasure_is_written_at_once(database: SQLiteEventStore) -> None:
    batch = BatchingStore(database, max_events=10_000)
    desk = ComplaintDesk(batch, clock=FixedClock(_NOW))
    complaint = desk.receive(
        sample_actor(), complainant=sample_complainant(), channel=Channel.EMAIL, description="z"
    )
    desk.withdraw(complaint.id, sample_actor())
    assert batch.pending == 2
    desk.erase_personal_data(complaint.reference, sample_actor(), reason="Asked to.")
    assert batch.pending == 0
    assert [e.seq for e in database.read(complaint.id)] == [1, 2, 3]
    assert batch.flushes == 1


def test_a_store_without_one_transaction_batches_is_refused() -> None:
    class Plain:
        """A level-1 store: it declares nothing."""

    with pytest.raises(ValidationError, match="cannot write a batch in one transaction"):
        BatchingStore(Plain(), max_events=10)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="max_events"):
        BatchingStore(InMemoryEventStore(), max_events=0)


def test_other_store_objects_see_a_batch_only_after_its_flush(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as database, SQLiteEventStore(path) as reader:
        batch = BatchingStore(database, max_events=2)
        first = received_event()
        batch.append([first], expected_version=0, summary=summary_after([first]))
        assert reader.read(first.complaint_id) == []
        second = note_event(first)
        batch.append([second], expected_version=1, summary=summary_after([first, second]))
        assert reader.read(first.complaint_id) == [first, second]
        assert uuid.UUID(str(first.complaint_id)) == reader.id_for_reference(
            summary_after([first]).reference
        )
