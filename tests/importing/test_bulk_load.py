"""
The bulk load (:class:`~iso10002.ports.store.BulkLoadStore`) against the appends: an import
into the SQLite store, which loads in bulk, stores the events, summaries and daily rollups
that the same import stores through ``append_many`` (the rollups' triggers), the rollups
agree with deep verify's recount, and with worker processes the same again.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any, ClassVar

import pytest

from iso10002 import ComplaintDesk
from iso10002.errors import CommandRejected
from iso10002.importing import (
    ChannelColumn,
    ColumnMapping,
    RemedyColumns,
    StatusColumn,
    TimeColumn,
    import_cfpb,
    import_rows,
)
from iso10002.importing._parallel import can_fork
from iso10002.integrity import verify
from iso10002.model.values import Channel, RemedyKind
from iso10002.ports.capabilities import Capability
from iso10002.ports.store import is_bulk_load_store
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import sample_actor
from tests.storage.pg_cluster import Cluster
from tests.storage.test_postgres import fresh_schema

from .support import CURRENT, LAYOUT_2014, assert_whole, clock, read_csv, write_csv
from .test_fast_paths import _stored, _summaries


class _Appending(SQLiteEventStore):
    """The SQLite store without its bulk load: an import writes through ``append_many``."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability) - {Capability.BULK_LOAD}


def _rollups(db: Path) -> list[tuple[Any, ...]]:
    """The rollup table's rows with a count, in order."""
    conn = sqlite3.connect(db)
    try:
        return [
            row
            for row in conn.execute("SELECT * FROM complaint_rollups ORDER BY kind, day, key")
            if any(row[3:])
        ]
    finally:
        conn.close()


def _agrees(db: Path) -> None:
    """The rollups are the recount's, deep verify finds nothing, the marker is empty."""
    with SQLiteEventStore(db) as store:
        assert store.rollup_differences() == []
        report = verify(store, deep=True)
        assert report.ok, report.finding
        assert report.findings == (), report.findings
        assert list(store.select("SELECT count(*) FROM complaint_rollups_deferred")) == [(0,)]


MAPPING = ColumnMapping(
    system="crm",
    record_id="id",
    received_at=TimeColumn(column="at"),
    channel=ChannelColumn(column="via", default=Channel.PHONE),
    category=("area",),
    status=StatusColumn(column="status"),
    closed_at=TimeColumn(column="closed"),
    remedy=RemedyColumns(amount="paid", currency="GBP", kind=RemedyKind.REFUND),
)


def _mapped_rows(n: int, seed: int) -> list[dict[str, str]]:
    """Records of every ending, channel and remedy, closed over two months."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        status = rng.choice(
            ["open", "upheld", "partially_upheld", "not_upheld", "closed", "withdrawn"]
        )
        day = rng.randrange(1, 29)
        closed = "" if status == "open" else f"2024-0{rng.choice([4, 5])}-{day:02d}T16:00Z"
        rows.append(
            {
                "id": f"R{i}",
                "at": f"2024-03-{day:02d}T{rng.randrange(0, 24):02d}:30Z",
                "via": rng.choice(["email", "phone", "letter", ""]),
                "area": rng.choice(["Billing", "Service", ""]),
                "status": status,
                "closed": closed,
                "paid": rng.choice(["", "", "12.50"]) if status != "open" else "",
            }
        )
    rows[7]["at"] = "yesterday"  # refused by the parser
    rows[30] = dict(rows[29])  # the same record twice
    return rows


def test_the_sqlite_store_loads_in_bulk_and_its_wrappers_do_not() -> None:
    with SQLiteEventStore(":memory:") as store:
        assert is_bulk_load_store(store)
        assert not is_bulk_load_store(_Appending(":memory:"))


def test_a_bulk_import_stores_what_the_appends_store(tmp_path: Path) -> None:
    header, rows = read_csv(CURRENT)
    sample = [dict(r) for r in rows[:900]]
    sample[5]["Date received"] = "2020-13-45"  # refused by the parser
    sample[250] = dict(sample[249])  # the same complaint twice
    path = write_csv(tmp_path / "sample.csv", header, sample)
    reports = []
    for name, kind in (("appends", _Appending), ("bulk", SQLiteEventStore)):
        with kind(tmp_path / f"{name}.db", synchronous="NORMAL") as store:
            assert is_bulk_load_store(store) == (name == "bulk")
            reports.append(import_cfpb(store, path, clock=clock(), batch_size=128))
    assert reports[0] == reports[1]
    assert (reports[0].imported, reports[0].skipped, len(reports[0].failed)) == (898, 1, 1)
    appends, bulk = tmp_path / "appends.db", tmp_path / "bulk.db"
    assert list(_stored(bulk)) == list(_stored(appends))
    assert _summaries(bulk) == _summaries(appends)
    assert _rollups(bulk) == _rollups(appends)
    assert len(_rollups(bulk)) > 100
    _agrees(bulk)
    assert assert_whole(bulk) == 898


def test_bulk_batches_add_to_the_rollups_there_are(tmp_path: Path) -> None:
    # Records of every ending, half written through the appends (the triggers count them),
    # then the rest in bulk batches on top: the rollups of writing all through the appends.
    rows = _mapped_rows(400, seed=14)
    db = tmp_path / "mixed.db"
    with _Appending(db) as store:
        first = import_rows(store, rows[:200], MAPPING, clock=clock(), batch_size=37)
    with SQLiteEventStore(db) as store:
        second = import_rows(store, rows, MAPPING, clock=clock(), batch_size=37)
    assert (first.imported, second.skipped, second.imported) == (198, 199, 200)
    with _Appending(tmp_path / "reference.db") as store:
        import_rows(store, rows, MAPPING, clock=clock(), batch_size=37)
    assert _rollups(db) == _rollups(tmp_path / "reference.db")
    _agrees(db)
    # A loaded complaint changed later: the update triggers count it.
    with SQLiteEventStore(db) as store:
        desk = ComplaintDesk(store, clock=clock())
        changed = 0
        for summary in desk.query(is_open=True).items[:10]:
            try:
                desk.withdraw(summary.reference, sample_actor(), reason="withdrawn by phone")
            except CommandRejected:
                continue
            changed += 1
        assert changed
    assert _rollups(db) != _rollups(tmp_path / "reference.db")
    _agrees(db)


@pytest.mark.skipif(not can_fork(), reason="worker processes are forked")
def test_a_bulk_import_with_workers_stores_what_one_process_stores(tmp_path: Path) -> None:
    reports = []
    for name, workers in (("one", 1), ("two", 2)):
        with SQLiteEventStore(tmp_path / f"{name}.db", synchronous="NORMAL") as store:
            reports.append(
                import_cfpb(store, LAYOUT_2014, clock=clock(), batch_size=64, workers=workers)
            )
    assert reports[0] == reports[1]
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    assert list(_stored(two)) == list(_stored(one))
    assert _summaries(two) == _summaries(one)
    assert _rollups(two) == _rollups(one)
    _agrees(two)


@pytest.mark.skipif(not can_fork(), reason="worker processes are forked")
def test_a_store_without_the_bulk_load_imports_through_its_appends(
    tmp_path: Path, postgres_cluster: Cluster
) -> None:
    header, rows = read_csv(CURRENT)
    path = write_csv(tmp_path / "sample.csv", header, [dict(r) for r in rows[:300]])
    counts = "SELECT kind, day, key, received, ended, details FROM complaint_rollups"
    found = []
    with (
        PostgresEventStore(postgres_cluster.conninfo, schema=fresh_schema()) as pg,
        SQLiteEventStore(tmp_path / "bulk.db") as lite,
    ):
        assert not is_bulk_load_store(pg)
        for store, workers in ((pg, 2), (lite, 1)):
            report = import_cfpb(store, path, clock=clock(), batch_size=64, workers=workers)
            assert (report.imported, report.failed) == (300, ())
            assert store.rollup_differences() == []
            found.append(sorted(tuple(r) for r in store.select(counts) if any(r[3:])))
        assert verify(pg).ok
    assert found[0] == found[1]
