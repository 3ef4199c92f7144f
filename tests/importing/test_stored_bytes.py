"""
What an import stores, byte for byte: both CFPB samples and a file of duplicates and bad
rows, imported under fixed salts, complaint ids and clock, give the rows recorded here (a
digest of each table, row ids included). A faster import must store the same bytes; a change
of what is stored on purpose records new digests (the failure prints them).
"""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
import uuid
from pathlib import Path

import pytest

from iso10002.importing import import_cfpb
from iso10002.integrity import templates
from iso10002.privacy import sealing
from iso10002.storage.sqlite import SQLiteEventStore

from .support import CURRENT, LAYOUT_2014, clock, read_csv, write_csv

# Recorded at 26615d5, the import before the fifth round of its performance work.
EXPECTED = {
    "complaint_rollups": (7111, "bcb263ad97c9fafde0ebbf29762809ea"),
    "complaints": (3500, "677508ce0ac7f54f7b89dfebc2d11408"),
    "events": (20394, "79398a95208efd08d070ed61306be29b"),
}

TABLES = ("complaint_rollups", "complaints", "events")


def _mixed(tmp_path: Path) -> Path:
    """Records of the current sample, some twice (in one batch and in later ones), with
    refused ones among them."""
    header, records = read_csv(CURRENT)
    picked = [*records[2700:2900], *records[2850:2900], *records[100:110]]
    bad = dict(records[5])
    bad["Date received"] = "2020-13-45"
    unknown = dict(records[6])
    unknown["Submitted via"] = "Pigeon"
    picked[40:40] = [bad, unknown, records[2705]]
    return write_csv(tmp_path / "mixed.csv", header, picked)


def _digests(db: Path) -> dict[str, tuple[int, str]]:
    conn = sqlite3.connect(db)
    try:
        out = {}
        for table in TABLES:
            try:
                rows = conn.execute(f"SELECT rowid, * FROM {table}").fetchall()
            except sqlite3.OperationalError:  # WITHOUT ROWID
                rows = conn.execute(f"SELECT * FROM {table}").fetchall()
            digest = hashlib.sha256()
            for text in sorted(map(repr, rows)):
                digest.update(text.encode())
            out[table] = (len(rows), digest.hexdigest()[:32])
        return out
    finally:
        conn.close()


def test_an_import_stores_the_recorded_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    salts = itertools.count()
    ids = itertools.count(1)

    def salt() -> str:
        return f"{next(salts):032x}"

    monkeypatch.setattr(sealing, "_random_salt", salt)
    monkeypatch.setattr(templates, "_random_salt", salt)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(ids)))
    db = tmp_path / "recorded.db"
    reports = []
    with SQLiteEventStore(db, synchronous="NORMAL") as store:
        for path in (_mixed(tmp_path), LAYOUT_2014, CURRENT):
            for _ in range(2):  # the second time, every record is there already
                report = import_cfpb(store, path, clock=clock(), batch_size=97)
                reports.append((report.read, report.imported, report.skipped, len(report.failed)))
    assert reports == [
        (263, 210, 51, 2),
        (263, 0, 261, 2),
        (500, 500, 0, 0),
        (500, 0, 500, 0),
        (3000, 2790, 210, 0),
        (3000, 0, 3000, 0),
    ]
    assert _digests(db) == EXPECTED, _digests(db)
