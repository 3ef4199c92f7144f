"""
The daily rollups the triggers keep, on SQLite and PostgreSQL, against a count made here from
each complaint's summary after random lives (reopened, withdrawn, duplicates, decided), and
after a complaint's summary is deleted and written again.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from iso10002 import SQLiteEventStore
from iso10002.model.fact_row import FactRow
from iso10002.ports.kpi import SummaryKpiSource
from iso10002.serialization import parse_json
from iso10002.storage._sql.rollups import COUNTS
from iso10002.storage.postgres import PostgresEventStore
from tests.storage.pg_cluster import Cluster
from tests.storage.test_postgres import fresh_schema

from .scenarios import Life, play
from .test_kpis import SEED_START

Counts = Counter[tuple[int, str, object, str]]
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _day(us: int) -> str:
    return (_EPOCH + dt.timedelta(microseconds=us)).date().isoformat()


def expected(rows: list[FactRow]) -> Counts:
    """The rollups by their rules, from each complaint's fact row."""
    out: Counts = Counter()
    for row in rows:
        received, closed, _, _, channel, category, product, priority, outcome, reason = row[:10]
        withdrawn, source, timed, remedies, _, reopens, reviews, referrals = row[10:18]
        first_contact, score, scale, cause, cause_category = row[18:23]
        duplicate = reason == "duplicate"
        keys = [(0, ""), (1, channel or ""), (2, category or ""), (3, product or "")]
        keys.append((4, priority or ""))
        came = (
            ("received", not duplicate),
            ("duplicates", duplicate),
            ("imported", not duplicate and source is not None),
        )
        for kind, key in keys:
            for name, counted in came:
                out[kind, _day(received), key, name] += counted
        if closed is None or duplicate:
            continue
        decided = not withdrawn
        day = _day(closed)
        for kind, key in keys:
            for column, n in (
                ("ended", True),
                ("ended_imported", source is not None),
                ("inverted", closed < received),
                ("closed", decided),
                ("withdrawn", bool(withdrawn)),
                ("upheld", decided and outcome == "upheld"),
                ("partially_upheld", decided and outcome == "partially_upheld"),
                ("not_upheld", decided and outcome == "not_upheld"),
                ("first_contact", decided and bool(timed) and bool(first_contact)),
                ("untimed", decided and not timed),
                ("reopened", decided and reopens > 0),
                ("reviewed", decided and reviews > 0),
                ("referred", decided and referrals > 0),
            ):
                out[kind, day, key, column] += n
        if decided:
            satisfied = "" if score is None or scale is None else f"{score}/{scale}"
            out[5, day, remedies or "", "details"] += 1
            out[6, day, satisfied, "details"] += 1
            out[7, day, "" if cause is None else (cause_category, cause), "details"] += 1
    return +out


def stored(rows: list[tuple[Any, ...]]) -> Counts:
    """The rollups as the table holds them (a cause's key decoded)."""
    out: Counts = Counter()
    for kind, day, text, *counts in rows:
        key = tuple(parse_json(text, path="$")) if kind == 7 and text else text
        for column, n in zip(COUNTS, counts, strict=True):
            out[kind, day, key, column] += n
    return +out


def populate(store: SQLiteEventStore | PostgresEventStore) -> list[Life]:
    rng = random.Random(3)
    lives = [play(store, rng, SEED_START)]
    lives.extend(play(store, rng, SEED_START, lives[0].reference) for _ in range(120))
    return lives


def facts(store: SQLiteEventStore | PostgresEventStore) -> list[FactRow]:
    end = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)
    return list(SummaryKpiSource(store).iter_fact_rows(received_before=end, closed_since=_EPOCH))


def test_sqlite_rollups_count_what_the_summaries_say(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "rollups.db", synchronous="OFF")
    lives = populate(store)
    assert {x.ending for x in lives} >= {"reopened", "withdrawn", "duplicate", "decided"}
    table = stored(list(store.select("SELECT * FROM complaint_rollups")))
    assert table == expected(facts(store))
    assert sum(n for (kind, *_, column), n in table.items() if column == "closed") > 0
    store.close()


def test_a_summary_deleted_is_taken_off_the_rollups(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "rollups.db"
    store = SQLiteEventStore(path, synchronous="OFF")
    populate(store)
    store.close()
    with sqlite3.connect(path) as raw:
        gone = raw.execute(
            "SELECT id FROM complaints WHERE closed_at IS NOT NULL AND withdrawn = 0 LIMIT 5"
        ).fetchall()
        raw.executemany("DELETE FROM complaints WHERE id = ?", gone)
    store = SQLiteEventStore(path, synchronous="OFF")
    rows = facts(store)
    assert len(gone) == 5
    assert stored(list(store.select("SELECT * FROM complaint_rollups"))) == expected(rows)
    store.close()


def test_postgres_rollups_count_what_the_summaries_say(postgres_cluster: Cluster) -> None:
    with PostgresEventStore(postgres_cluster.conninfo, schema=fresh_schema()) as store:
        populate(store)
        rows = store.select("SELECT * FROM complaint_rollups")
        assert stored(rows) == expected(facts(store))
        assert sum(r[COUNTS.index("closed") + 3] for r in rows if r[0] == 0) > 0


@pytest.mark.parametrize("kind", [1, 2, 3, 4])
def test_every_breakdown_counts_each_complaint_once(tmp_path: Path, kind: int) -> None:
    store = SQLiteEventStore(tmp_path / "rollups.db", synchronous="OFF")
    lives = populate(store)
    ((received, duplicates),) = list(
        store.select(
            "SELECT sum(received), sum(duplicates) FROM complaint_rollups WHERE kind = ?",
            (kind,),
        )
    )
    assert received + duplicates == len(lives)
    store.close()
