"""Helpers shared by the importing tests: the samples, a fixed clock, and whole-history checks."""

from __future__ import annotations

import csv
import datetime as _dt
import sqlite3
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pytest

from iso10002.clock import FixedClock
from iso10002.model.complaint import Complaint
from iso10002.ports.store import ClientKeyStore
from iso10002.storage.base import ComplaintQuery, EventStore, iter_summaries

DATA = Path(__file__).resolve().parents[1] / "data" / "cfpb"
CURRENT = DATA / "complaints-2015-2020-part1.csv"
"""The current export layout: 18 columns, dates YYYY-MM-DD."""
LAYOUT_2014 = DATA / "complaints-2014-layout-part1.csv"
"""The 2014 export layout: 14 columns, dates MM/DD/YYYY, CRLF."""

NOW = _dt.datetime(2026, 1, 5, 12, 0, tzinfo=_dt.timezone.utc)
"""The instant every test import runs at."""


def clock() -> FixedClock:
    """A clock standing at :data:`NOW`."""
    return FixedClock(NOW)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the records of a CSV file, read independently of the importer."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        records = [dict(zip(header, cells, strict=True)) for cells in reader]
    return header, records


def write_csv(path: Path, header: list[str], records: list[dict[str, str]]) -> Path:
    """Write ``records`` under ``header`` (LF line ends, minimal quoting)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for record in records:
            writer.writerow([record.get(column, "") for column in header])
    return path


def assert_whole(db: Path) -> int:
    """
    Every complaint in the database at ``db`` is complete: its summary counts exactly the
    events stored, and no event belongs to a complaint without a summary. Returns the number
    of complaints.
    """
    conn = sqlite3.connect(db)
    try:
        orphans = conn.execute(
            "SELECT COUNT(*) FROM events e LEFT JOIN complaints c ON c.id = e.stream_id "
            "WHERE c.id IS NULL"
        ).fetchone()[0]
        short = conn.execute(
            "SELECT COUNT(*) FROM complaints c "
            "WHERE c.version != (SELECT COUNT(*) FROM events e WHERE e.stream_id = c.id)"
        ).fetchone()[0]
        count = conn.execute("SELECT COUNT(*) FROM complaints").fetchone()[0]
    finally:
        conn.close()
    assert orphans == 0, f"{orphans} events belong to no complaint"
    assert short == 0, f"{short} complaints do not have all their events"
    return int(count)


def replay_all(store: EventStore) -> list[Complaint]:
    """Every complaint in ``store``, replayed from its stored history."""
    return [Complaint.replay(store.read(s.id)) for s in iter_summaries(store, ComplaintQuery())]


def counting_look_ups(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], list[int]]:
    """
    The client keys ``store`` is asked about alone (``id_for_client_key``) and the sizes of
    the batches it is asked about at once (``stored_client_keys``), as the calls happen.
    """
    alone: list[str] = []
    at_once: list[int] = []
    one = store.id_for_client_key
    many = cast(ClientKeyStore, store).stored_client_keys

    def one_key(key: str) -> uuid.UUID | None:
        alone.append(key)
        return one(key)

    def many_keys(keys: Sequence[str]) -> set[str]:
        at_once.append(len(keys))
        return many(keys)

    monkeypatch.setattr(store, "id_for_client_key", one_key)
    monkeypatch.setattr(store, "stored_client_keys", many_keys)
    return alone, at_once
