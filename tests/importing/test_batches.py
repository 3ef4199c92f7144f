"""
Writing in batches: a failing batch falls back to one complaint at a time, an interrupted
import leaves whole complaints only, and two imports of one record write it once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from iso10002.errors import StorageError
from iso10002.importing import ChannelColumn, ColumnMapping, TimeColumn, import_rows
from iso10002.model.values import Channel
from iso10002.storage.sqlite import SQLiteEventStore

from .support import assert_whole, clock, counting_look_ups

MAPPING = ColumnMapping(
    system="crm",
    record_id="id",
    received_at=TimeColumn(column="at"),
    channel=ChannelColumn(default=Channel.EMAIL),
    category=("area",),
    description="text",
)


def _rows(n: int, poison: frozenset[int] = frozenset()) -> list[dict[str, str]]:
    return [
        {
            "id": f"R{i}",
            "at": f"2024-01-{1 + i % 28:02d}T09:00Z",
            "area": "POISON" if i in poison else "Billing",
            "text": f"Complaint {i}",
        }
        for i in range(n)
    ]


def _poison(db: Path, *, everything: bool = False) -> None:
    """
    Make the database refuse, mid-transaction, the ``classified`` event of a complaint whose
    category is POISON (its receipt is written by then), or every event at all.
    """
    condition = "1" if everything else "NEW.type = 'classified' AND NEW.payload LIKE '%POISON%'"
    conn = sqlite3.connect(db)
    try:
        conn.execute(
            f"CREATE TRIGGER poison BEFORE INSERT ON events WHEN {condition} "
            "BEGIN SELECT RAISE(ABORT, 'poisoned record'); END"
        )
        conn.commit()
    finally:
        conn.close()


def test_a_record_the_database_refuses_fails_alone(tmp_path: Path) -> None:
    db = tmp_path / "poisoned.db"
    SQLiteEventStore(db).close()
    _poison(db)
    with SQLiteEventStore(db) as store:
        report = import_rows(
            store, _rows(25, frozenset({7, 19})), MAPPING, clock=clock(), batch_size=10
        )
        assert (report.read, report.imported, report.skipped) == (25, 23, 0)
        assert [(e.row, e.record_id) for e in report.failed] == [(7, "R7"), (19, "R19")]
        assert "poisoned record" in report.failed[0].message
        assert store.id_for_client_key("crm:R7") is None
        assert store.id_for_client_key("crm:R8") is not None
    # The receipt of R7 was written before its classification failed: it was rolled back.
    assert assert_whole(db) == 23


def test_a_database_that_refuses_every_record_stops_the_import(tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    with SQLiteEventStore(db) as store:
        first = import_rows(store, _rows(10), MAPPING, clock=clock(), batch_size=10)
        assert first.imported == 10
    _poison(db, everything=True)
    with SQLiteEventStore(db) as store, pytest.raises(StorageError, match="poisoned record"):
        import_rows(store, _rows(30), MAPPING, clock=clock(), batch_size=5)
    assert assert_whole(db) == 10


def test_an_interrupted_import_leaves_whole_complaints_and_resumes(tmp_path: Path) -> None:
    db = tmp_path / "interrupted.db"
    rows = _rows(50)

    def interrupted() -> Iterator[Mapping[str, str]]:
        for i, row in enumerate(rows):
            if i == 25:
                raise KeyboardInterrupt
            yield row

    with SQLiteEventStore(db) as store, pytest.raises(KeyboardInterrupt):
        import_rows(store, interrupted(), MAPPING, clock=clock(), batch_size=10)
    assert assert_whole(db) == 20  # two batches written; the third was never complete
    with SQLiteEventStore(db) as store:
        report = import_rows(store, rows, MAPPING, clock=clock(), batch_size=10)
    assert (report.imported, report.skipped) == (30, 20)
    assert assert_whole(db) == 50


def test_a_record_imported_meanwhile_by_another_run_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "race.db"
    rows = _rows(10)

    def with_a_rival() -> Iterator[Mapping[str, str]]:
        for i, row in enumerate(rows):
            if i == 5:
                # Another process imports R2 after this run looked it up, before it writes.
                with SQLiteEventStore(db) as rival:
                    assert import_rows(rival, [rows[2]], MAPPING, clock=clock()).imported == 1
            yield row

    with SQLiteEventStore(db) as store:
        report = import_rows(store, with_a_rival(), MAPPING, clock=clock(), batch_size=10)
    assert (report.read, report.imported, report.skipped, report.failed) == (10, 9, 1, ())
    assert assert_whole(db) == 10


def test_a_record_refused_is_tried_again_when_it_comes_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Client keys are looked up a batch at once; a key written (or tried) since is asked
    about again, so duplicates come out as when each record was looked up alone."""
    db = tmp_path / "again.db"
    SQLiteEventStore(db).close()
    _poison(db)
    rows = _rows(25, frozenset({7}))
    # R7 (refused) and R3 (stored) again, in the batch after the one that refused R7.
    again = [rows[7], rows[3], *_rows(3), rows[7], rows[3]]
    with SQLiteEventStore(db) as store:
        asked, at_once = counting_look_ups(store, monkeypatch)
        report = import_rows(
            store, [*rows[:10], *again, *rows[10:]], MAPPING, clock=clock(), batch_size=10
        )
    # R7 is tried again once (then pending), R3 and R0 to R2 are skipped (stored).
    assert (report.read, report.imported, report.skipped) == (32, 24, 6)
    assert [(e.row, e.record_id) for e in report.failed] == [(7, "R7"), (10, "R7")]
    # Every batch's keys are looked up at once, and none alone.
    assert at_once == [10, 10, 10, 2]
    assert asked == []
    assert assert_whole(db) == 24
