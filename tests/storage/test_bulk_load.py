"""
The bulk load (:class:`~iso10002.ports.store.BulkLoadStore`): the SQLite store against the
contract, the stores that do not declare it, and a database of schema 13 (the previous
release's), upgraded on opening, whose rollups a bulk load then adds to.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import attrs
import pytest

from iso10002 import ComplaintDesk, FixedClock, ValidationError
from iso10002.errors import ConcurrencyConflict, CorruptRecord, DuplicateKeyError, StorageError
from iso10002.integrity import verify
from iso10002.ports.capabilities import Capability
from iso10002.ports.store import Append, check_store, is_bulk_load_store
from iso10002.storage import BatchingStore
from iso10002.storage._sql.migrations import MIGRATIONS
from iso10002.storage._sql.rollups import SQLITE_TRIGGERS
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.storage.sqlite.statements import _INSERT_EVENT
from iso10002.testing import (
    SAMPLE_START,
    BulkLoadContract,
    full_lifecycle,
    received_event,
    sample_complainant,
    summary_after,
)


class TestSQLiteBulkLoad(BulkLoadContract):
    def make_store(self, tmp_path: Path) -> SQLiteEventStore:
        return SQLiteEventStore(tmp_path / "complaints.db")


class TestSQLiteKeyedBulkLoad(BulkLoadContract):
    def make_store(self, tmp_path: Path) -> SQLiteEventStore:
        return SQLiteEventStore(tmp_path / "keyed.db", integrity_key=b"a key kept elsewhere")


def test_the_other_stores_do_not_declare_it() -> None:
    memory = InMemoryEventStore()
    assert not is_bulk_load_store(memory)
    assert Capability.BULK_LOAD not in PostgresEventStore.capabilities
    with SQLiteEventStore(":memory:") as sqlite, BatchingStore(sqlite) as batching:
        assert is_bulk_load_store(sqlite)
        check_store(sqlite)
        # The wrapper would pass its buffer by: it declares all but the bulk load.
        assert not is_bulk_load_store(batching)
        check_store(batching)


def test_rows_linked_under_another_key_are_refused(tmp_path: Path) -> None:
    with (
        SQLiteEventStore(tmp_path / "a.db", integrity_key=b"first key") as first,
        SQLiteEventStore(tmp_path / "b.db", integrity_key=b"second key") as second,
        SQLiteEventStore(tmp_path / "c.db", integrity_key=b"first key") as same,
        SQLiteEventStore(tmp_path / "d.db") as unkeyed,
    ):
        rows = [first.bulk_rows(_new(n)) for n in range(1, 4)]
        for other in (second, unkeyed):
            with pytest.raises(ValidationError, match="another key"):
                other.append_rows(rows)
            assert list(other.iter_events()) == []
        same.append_rows(rows)  # the same key makes the same links
        assert verify(same, deep=True).findings == ()
        assert len(list(same.iter_events())) == 3


def test_events_stored_without_their_summary_refuse_the_batch(tmp_path: Path) -> None:
    # Rows another tool wrote into the events table, for a complaint that has no summary.
    with SQLiteEventStore(tmp_path / "stray.db") as store:
        stray, other = _new(1), _new(2)
        rows = store.bulk_rows(stray)
        with sqlite3.connect(tmp_path / "stray.db") as conn:
            conn.execute(_INSERT_EVENT, (*rows.events[0], "0" * 64))  # type: ignore[attr-defined]
        with pytest.raises(ConcurrencyConflict) as caught:
            store.append_rows([store.bulk_rows(other), rows])
        assert (caught.value.complaint, caught.value.actual_version) == ("LOAD-000001", 1)
        assert store.summary(other.summary.id) is None


def _take_back_to_13(db: Path) -> None:
    """Make ``db`` what the previous release wrote: schema 13, no marker, 13's triggers."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for statement in SQLITE_TRIGGERS:
            conn.execute(statement)
        conn.execute("DROP TABLE complaint_rollups_deferred")
        conn.execute("PRAGMA user_version = 13")
        conn.execute("COMMIT")
    finally:
        conn.close()


def _new(n: int) -> Append:
    first = received_event(
        reference=f"LOAD-{n:06d}",
        client_key=f"web:{n}",
        complaint_id=uuid.uuid4(),
        complainant=sample_complainant(),
    )
    return Append(events=(first,), expected_version=0, summary=summary_after([first]))


def test_a_database_of_schema_13_upgrades_and_loads_in_bulk(tmp_path: Path) -> None:
    db = tmp_path / "previous.db"
    with SQLiteEventStore(db) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        full_lifecycle(desk)
    _take_back_to_13(db)
    with sqlite3.connect(db) as conn:
        triggers = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger'"))
    assert "complaint_rollups_deferred" not in triggers["complaints_rollups_insert"]
    with SQLiteEventStore(db) as store:
        assert store.upgrade_report is not None
        # 14 and the versions after it (those of PostgreSQL alone are recorded, not run).
        assert [v for v, _ in store.upgrade_report.applied] == list(
            range(14, MIGRATIONS[-1].version + 1)
        )
        assert store.rollup_differences() == []
        store.append_rows([store.bulk_rows(_new(n)) for n in range(1, 40)])
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        full_lifecycle(desk)  # the triggers count it
        assert store.rollup_differences() == []
        assert verify(store, deep=True).findings == ()
        counted = dict(store.select("SELECT key, received FROM complaint_rollups WHERE kind = 1"))
    assert sum(counted.values()) == 41
    with sqlite3.connect(db) as conn:
        triggers = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger'"))
    assert "complaint_rollups_deferred" in triggers["complaints_rollups_insert"]
    assert "complaint_rollups_deferred" in triggers["complaints_rollups_insert_closed"]


def test_a_fresh_database_has_the_deferrable_triggers(tmp_path: Path) -> None:
    with SQLiteEventStore(tmp_path / "new.db") as store:
        rows = dict(store.select("SELECT name, sql FROM sqlite_master WHERE type='trigger'"))
        # An insert outside a bulk load is counted by the triggers, as before.
        append = _new(1)
        store.append(append.events, expected_version=0, summary=append.summary)
        assert list(store.select("SELECT sum(received) FROM complaint_rollups WHERE kind = 0")) == [
            (1,)
        ]
    assert "complaint_rollups_deferred" in rows["complaints_rollups_insert"]


def test_a_stored_id_that_is_not_one_fails_the_look_up_of_many_keys(tmp_path: Path) -> None:
    """As the look-up of one key fails: the import stops rather than skip the record."""
    db = tmp_path / "corrupt.db"
    key = "web:1"
    first = received_event(reference="LOAD-000001", client_key=key, complaint_id=uuid.uuid4())
    with SQLiteEventStore(db) as store:
        store.append([first], expected_version=0, summary=summary_after([first]))
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE complaints SET id = 'not an id' WHERE client_key = ?", (key,))
    conn.close()
    with SQLiteEventStore(db) as store:
        with pytest.raises(CorruptRecord) as one:
            store.id_for_client_key(key)
        with pytest.raises(CorruptRecord) as many:
            store.stored_client_keys(["other:1", key])
        assert str(many.value) == str(one.value)
        assert store.stored_client_keys(["other:1"]) == set()


def test_summaries_inserted_many_at_once_name_the_first_at_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three summaries a statement: a taken key or a refused value in a later statement is
    named as inserting them one by one names it, and nothing of the batch is written."""
    from iso10002.storage.sqlite import bulk

    with SQLiteEventStore(tmp_path / "many.db") as store:
        width = len(store.bulk_rows(_new(1)).summary)  # type: ignore[attr-defined]
        monkeypatch.setattr(bulk, "_variables", lambda _conn: 3 * width + 2)
        stored = _new(100)
        store.append_rows([store.bulk_rows(stored)])
        batch = [_new(n) for n in range(1, 11)]
        clash = attrs.evolve(batch[7], summary=attrs.evolve(batch[7].summary, client_key="web:100"))
        for wrong, error, key in (
            (clash, DuplicateKeyError, "client key"),
            (_new(100), DuplicateKeyError, "reference"),
        ):
            rows = [store.bulk_rows(a) for a in [*batch[:7], wrong, *batch[8:]]]
            with pytest.raises(error) as caught:
                store.append_rows(rows)
            assert caught.value.key == key
            assert [store.summary(a.summary.id) for a in batch] == [None] * 10
        # A value the table refuses (a version below 1), in the third statement.
        rows = [store.bulk_rows(a) for a in batch]
        bad = rows[7]._replace(summary=(*rows[7].summary[:3], 0, *rows[7].summary[4:]))  # type: ignore[attr-defined]
        with pytest.raises(StorageError, match="CHECK constraint failed") as many:
            store.append_rows([*rows[:7], bad, *rows[8:]])
        with pytest.raises(StorageError, match="CHECK constraint failed") as alone:
            store.append_rows([bad])
        assert str(many.value).replace("10 complaints from LOAD-000001", "") == str(
            alone.value
        ).replace("1 complaints from LOAD-000008", "")
        assert [store.summary(a.summary.id) for a in batch] == [None] * 10
        store.append_rows(rows)
        assert [store.summary(a.summary.id) for a in batch] == [a.summary for a in batch]
        assert verify(store, deep=True).findings == ()
