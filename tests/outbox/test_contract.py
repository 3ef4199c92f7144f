"""The outbox contract for the shipped stores, then what only the SQLite file can show."""

from __future__ import annotations

import datetime as _dt
import sqlite3
from pathlib import Path

import pytest

from iso10002.errors import StorageError, ValidationError
from iso10002.outbox import OutboxQuery, OutboxState
from iso10002.storage.base import Append, append_all
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import OutboxStoreContract, received_event, summary_after
from iso10002.testing.outbox import entry

T0 = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_dt.timezone.utc)
LEASE = _dt.timedelta(minutes=5)


class TestInMemoryOutbox(OutboxStoreContract):
    def make_store(self, tmp_path: Path) -> InMemoryEventStore:
        return InMemoryEventStore()


class TestSQLiteOutbox(OutboxStoreContract):
    def make_store(self, tmp_path: Path) -> SQLiteEventStore:
        return SQLiteEventStore(tmp_path / "complaints.db")


class TestSQLiteOutboxWithoutSync(OutboxStoreContract):
    """The contract holds whatever the durability setting."""

    def make_store(self, tmp_path: Path) -> SQLiteEventStore:
        return SQLiteEventStore(tmp_path / "complaints.db", synchronous="OFF")


def test_separate_connections_never_claim_the_same_record(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    stores = [SQLiteEventStore(path) for _ in range(3)]
    try:
        stores[0].outbox_enqueue([entry(f"k{n}", f"L{n}") for n in range(30)])
        taken: list[int] = []
        while True:
            got = [
                r.id
                for store in stores
                for r in store.outbox_claim(
                    worker="w", now=T0, lease=LEASE, limit=4, channels=["smtp"]
                )
            ]
            if not got:
                break
            taken.extend(got)
        assert sorted(taken) == sorted(set(taken))
        assert len(taken) == 30
    finally:
        for store in stores:
            store.close()


def test_the_claim_reads_the_pending_records_by_index(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    SQLiteEventStore(path).close()
    from iso10002.storage.sqlite.outbox import _claim_sql

    raw = sqlite3.connect(path)
    try:
        plan = [
            str(row[3])
            for row in raw.execute(
                f"EXPLAIN QUERY PLAN {_claim_sql(1, None)}", ("now", "smtp", 10)
            ).fetchall()
        ]
    finally:
        raw.close()
    assert any("USING INDEX outbox_due" in step for step in plan), plan
    assert any("USING COVERING INDEX outbox_lanes" in step for step in plan), plan
    assert not any(step.startswith("SCAN o") for step in plan), plan


def test_the_outbox_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        store.outbox_enqueue([entry("a1", "A")])
        (claimed,) = store.outbox_claim(worker="w", now=T0, lease=LEASE, limit=1, channels=["smtp"])
    with SQLiteEventStore(path) as store:
        assert store.outbox_record("a1") == claimed


def test_an_unreadable_record_is_a_storage_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        store.outbox_enqueue([entry("a1", "A")])
    raw = sqlite3.connect(path)
    raw.execute("UPDATE outbox SET notification = '{\"idempotency_key\": 1}'")
    raw.commit()
    raw.close()
    with SQLiteEventStore(path) as store, pytest.raises(StorageError) as caught:
        store.outbox_records(OutboxQuery())
    assert str(caught.value).startswith("outbox record 1 ('a1') cannot be read: ")
    assert "ada@example.org" not in str(caught.value)


def test_a_newer_notification_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        store.outbox_enqueue([entry("a1", "A")])
    raw = sqlite3.connect(path)
    raw.execute("UPDATE outbox SET schema_version = 2")
    raw.commit()
    raw.close()
    with SQLiteEventStore(path) as store, pytest.raises(StorageError, match="schema version 2"):
        store.outbox_record("a1")


def test_a_closed_store_refuses_outbox_calls(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "complaints.db")
    store.close()
    with pytest.raises(StorageError, match="closed"):
        store.outbox_counts()
    memory = InMemoryEventStore()
    memory.close()
    with pytest.raises(StorageError, match="closed"):
        memory.outbox_counts()


class _NoOutbox:
    """A batch-capable store without an outbox: notifications given to it would be lost."""

    def __init__(self) -> None:
        self.inner = InMemoryEventStore()
        self.append = self.inner.append
        self.read = self.inner.read
        self.version = self.inner.version
        self.id_for_reference = self.inner.id_for_reference
        self.id_for_client_key = self.inner.id_for_client_key
        self.summary = self.inner.summary
        self.query = self.inner.query
        self.iter_events = self.inner.iter_events
        self.next_number = self.inner.next_number
        self.close = self.inner.close
        self.append_many = self.inner.append_many


def test_append_all_refuses_notifications_for_a_store_without_an_outbox() -> None:
    first = received_event()
    appends = [
        Append(
            events=(first,),
            expected_version=0,
            summary=summary_after([first]),
            outbox=(entry("a1"),),
        )
    ]
    plain = _NoOutbox()
    with pytest.raises(ValidationError, match=r"^outbox: _NoOutbox keeps no outbox"):
        append_all(plain, appends)
    assert plain.version(first.complaint_id) == 0
    store = InMemoryEventStore()
    append_all(store, appends)
    assert store.outbox_counts()[OutboxState.PENDING] == 1
