"""
SQLite's rollup triggers of migration 13 write only the rows a change moves: the table they
keep is the one counted again from the rows after any edit of any counted column, and an
update that moves nothing writes nothing.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from iso10002 import SQLiteEventStore
from iso10002.storage._sql.rollups import SQLITE_RECOUNT, differences

from .scenarios import play
from .test_kpis import SEED_START

# The values each counted column takes in the edits (the columns the triggers count).
_VALUES: dict[str, tuple[object, ...]] = {
    "channel": ("email", "phone", ""),
    "category": ('["billing"]', '["delivery"]', None),
    "product": ("broadband", None, ""),
    "priority": ("low", "high", None),
    "received_at": ("2025-10-01T09:00:00.000000+00:00", "2025-10-03T23:59:59.000000+00:00"),
    "closed_at": (None, "2025-10-02T10:00:00.000000+00:00", "2025-09-30T10:00:00.000000+00:00"),
    "closure_reason": (None, "resolved", "duplicate", "withdrawn"),
    "source": (None, "cfpb"),
    "outcome": (None, "upheld", "partially_upheld", "not_upheld"),
    "withdrawn": (0, 1),
    "first_contact": (0, 1),
    "timed": (0, 1),
    "reopen_count": (0, 2),
    "internal_reviews": (0, 1),
    "referrals": (0, 1),
    "remedies": (None, "refund", "apology refund"),
    "satisfaction_score": (None, 4),
    "satisfaction_scale": (None, 5),
    "root_cause": (None, "manual entry"),
    "root_cause_category": (None, "process"),
}


def _database(tmp_path: Path) -> Path:
    path = tmp_path / "rollups.db"
    rng = random.Random(13)
    with SQLiteEventStore(path, synchronous="OFF") as store:
        for _ in range(40):
            play(store, rng, SEED_START)
    return path


def test_any_edit_of_counted_columns_keeps_the_rollups_right(tmp_path: Path) -> None:
    path = _database(tmp_path)
    rng = random.Random(7)
    with sqlite3.connect(path, isolation_level=None) as raw:
        ids = [row[0] for row in raw.execute("SELECT id FROM complaints")]
        for step in range(300):
            columns = rng.sample(sorted(_VALUES), rng.choice((1, 1, 2, 4)))
            values = [rng.choice(_VALUES[c]) for c in columns]
            sets = ", ".join(f"{c} = ?" for c in columns)
            raw.execute(f"UPDATE complaints SET {sets} WHERE id = ?", (*values, rng.choice(ids)))
            if step % 25 == 0:
                assert differences(raw.execute(SQLITE_RECOUNT)) == [], (step, columns, values)
        assert differences(raw.execute(SQLITE_RECOUNT)) == []
        raw.execute("DELETE FROM complaints WHERE id IN (?, ?)", tuple(ids[:2]))
        assert differences(raw.execute(SQLITE_RECOUNT)) == []


def test_an_update_writes_only_the_rollup_rows_it_moves(tmp_path: Path) -> None:
    path = _database(tmp_path)
    with sqlite3.connect(path, isolation_level=None) as raw:
        (cid,) = raw.execute(
            "SELECT id FROM complaints WHERE closed_at IS NULL AND priority IS NOT 'high' LIMIT 1"
        ).fetchone()

        def written(sets: str) -> int:
            before = raw.total_changes
            raw.execute(f"UPDATE complaints SET {sets} WHERE id = ?", (cid,))
            return raw.total_changes - before

        # The row itself only: an open complaint's decision counts nowhere yet.
        assert written("outcome = 'upheld', remedies = 'refund'") == 1
        assert written("updated_at = '2026-01-01T00:00:00.000000+00:00'") == 1
        # A new priority: one off the old priority's row, one onto the new one's.
        assert written("priority = 'high'") == 3
        # Closed: the day it closed on, once per breakdown (5) and per detail (3).
        assert written(
            "closed_at = '2025-10-20T10:00:00.000000+00:00', closure_reason = 'resolved'"
        ) == (1 + 5 + 3)
        assert differences(raw.execute(SQLITE_RECOUNT)) == []
