"""
SQLite's rollup triggers of migration 13 write only the rows a change moves, and
PostgreSQL's trigger function of migration 15 counts again only the sides of a complaint a
change can move: the table they keep is the one counted again from the rows after any edit of
any counted column, and an update that moves nothing writes nothing.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import psycopg

from iso10002 import SQLiteEventStore
from iso10002.storage._sql.rollups import POSTGRES_RECOUNT, SQLITE_RECOUNT, differences
from iso10002.storage.postgres import PostgresEventStore
from tests.storage.pg_cluster import Cluster
from tests.storage.test_postgres import fresh_schema

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


# -- PostgreSQL's trigger function of migration 15 -------------------------------------------------

_FLAGS = ("withdrawn", "first_contact", "timed")


def _postgres(cluster: Cluster) -> tuple[str, psycopg.Connection[Any]]:
    """A store's schema with 40 random lives, and a connection with it as the search path."""
    schema = fresh_schema()
    rng = random.Random(13)
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        for _ in range(40):
            play(store, rng, SEED_START)
    conn = psycopg.connect(cluster.conninfo, autocommit=True)
    conn.execute(f'SET search_path TO "{schema}"'.encode())
    return schema, conn


def _recount(conn: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    return differences(conn.execute(POSTGRES_RECOUNT.encode()).fetchall())


def test_any_edit_of_counted_columns_keeps_the_rollups_right_on_postgres(
    postgres_cluster: Cluster,
) -> None:
    _, conn = _postgres(postgres_cluster)
    rng = random.Random(7)
    with conn:
        ids = [row[0] for row in conn.execute(b"SELECT id FROM complaints")]
        for step in range(300):
            columns = rng.sample(sorted(_VALUES), rng.choice((1, 1, 2, 4)))
            values = [rng.choice(_VALUES[c]) for c in columns]
            values = [bool(v) if c in _FLAGS else v for c, v in zip(columns, values, strict=True)]
            sets = ", ".join(f"{c} = %s" for c in columns)
            conn.execute(
                f"UPDATE complaints SET {sets} WHERE id = %s".encode(), (*values, rng.choice(ids))
            )
            if step % 25 == 0:
                assert _recount(conn) == [], (step, columns, values)
        assert _recount(conn) == []
        conn.execute(b"DELETE FROM complaints WHERE id = ANY(%s)", (ids[:2],))
        assert _recount(conn) == []


def test_an_update_on_postgres_counts_again_only_the_sides_it_moves(
    postgres_cluster: Cluster,
) -> None:
    _, conn = _postgres(postgres_cluster)
    with conn:
        (cid,) = conn.execute(
            b"SELECT id FROM complaints WHERE closed_at IS NULL "
            b"AND priority IS DISTINCT FROM 'high' LIMIT 1"
        ).fetchone() or (None,)
        assert cid is not None

        def written(sets: str) -> int:
            """The rollup rows the update wrote (those whose row version is its own)."""
            with conn.transaction():
                conn.execute(f"UPDATE complaints SET {sets} WHERE id = %s".encode(), (cid,))
                row = conn.execute(
                    b"SELECT count(*) FROM complaint_rollups "
                    b"WHERE xmin::text = pg_current_xact_id()::text"
                ).fetchone()
            assert row is not None
            return int(row[0])

        # An open complaint's decision counts nowhere yet.
        assert written("outcome = 'upheld', remedies = 'refund'") == 0
        # A new priority: the received side again, its day, channel, category and product rows
        # (off and on again) and both priorities' rows.
        assert written("priority = 'high'") == 6
        # Closed: the day it closed on, once per breakdown (5) and per detail (3); the
        # received side is left alone.
        assert written("closed_at = '2025-10-20T10:00:00+00:00', closure_reason = 'resolved'") == 8
        assert _recount(conn) == []
