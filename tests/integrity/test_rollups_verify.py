"""
The daily rollups under verify and repair, on SQLite and PostgreSQL: a rollup row edited,
deleted or made up with raw SQL is named by its day and value; ``iso10002 repair`` counts the
rollups again from the rows, records what it found, and verify then passes.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

import pytest

from iso10002.cli import main
from iso10002.integrity import Problem, verify
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.postgres.repair import repair_summaries as repair_postgres
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.storage.sqlite.repair import REPAIR_KIND, REPAIR_NAME
from iso10002.storage.sqlite.repair import repair_summaries as repair_sqlite
from tests.integrity import test_verify_postgres as pg
from tests.integrity.test_verify_sqlite import build, check, tamper
from tests.storage.pg_cluster import Cluster
from tests.storage.test_postgres import admin

NOW = _dt.datetime(2026, 12, 6, 12, 0, tzinfo=_dt.timezone.utc)
# The channel of the first day's complaints, as the rollups hold it.
FIRST = "SELECT day, key FROM {t} WHERE kind = 1 AND received > 0 ORDER BY day, key LIMIT 1"


def _first(rows: list[tuple[object, ...]]) -> tuple[str, str]:
    ((day, key),) = rows
    assert isinstance(day, str) and isinstance(key, str) and key
    return day, key


def test_sqlite_an_edited_rollup_is_named_then_rebuilt(tmp_path: Path) -> None:
    db = tmp_path / "complaints.db"
    build(db)
    assert check(db).ok
    with SQLiteEventStore(db) as store:
        day, key = _first(list(store.select(FIRST.format(t="complaint_rollups"))))
    tamper(
        db,
        f"UPDATE complaint_rollups SET received = received + 2 "
        f"WHERE kind = 1 AND day = '{day}' AND key = '{key}'",
        "INSERT INTO complaint_rollups (kind, day, key, closed) VALUES (0, '1999-01-01', '', 1)",
    )
    report = check(db)
    named = {f.record: f for f in report.findings}
    assert set(named) == {f"rollup {day} channel={key}", "rollup 1999-01-01 total"}
    wrong = named[f"rollup {day} channel={key}"]
    assert wrong.problem is Problem.ALTERED and "received" in wrong.detail
    assert not verify(SQLiteEventStore(db), deep=False).findings  # the shallow walk skips them

    with SQLiteEventStore(db) as store:
        done = repair_sqlite(store, now=NOW)
        assert done.rewritten == () and done.record is not None
        assert set(done.rollups) == set(named)
        record = store.find_configuration(REPAIR_KIND, REPAIR_NAME, NOW.isoformat())
        assert record is not None and f"rollup {day} channel={key}" in record.content
    assert check(db).ok
    with SQLiteEventStore(db) as store:
        assert repair_sqlite(store, now=NOW).record is None


def test_sqlite_the_cli_names_a_deleted_rollup_and_repairs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "complaints.db"
    build(db)
    with SQLiteEventStore(db) as store:
        day, key = _first(list(store.select(FIRST.format(t="complaint_rollups"))))
    tamper(db, f"DELETE FROM complaint_rollups WHERE kind = 1 AND day = '{day}' AND key = '{key}'")
    assert [f.record for f in check(db).findings] == [f"rollup {day} channel={key}"]
    assert main(["repair", "--db", str(db)]) == 0
    assert f"rollup {day} channel={key} did not match" in capsys.readouterr().out
    assert check(db).ok


def test_postgres_an_edited_rollup_is_named_then_rebuilt(postgres_cluster: Cluster) -> None:
    schema = pg.build(postgres_cluster)
    assert pg.check(postgres_cluster, schema).ok
    with admin(postgres_cluster) as conn:
        found = conn.execute(FIRST.format(t=f'"{schema}".complaint_rollups').encode()).fetchall()
    day, key = _first([tuple(r) for r in found])
    pg.tamper(
        postgres_cluster,
        schema,
        "UPDATE {s}.complaint_rollups SET closed = closed + 1, upheld = upheld + 1 "
        f"WHERE kind = 1 AND day = '{day}' AND key = '{key}'",
    )
    report = pg.check(postgres_cluster, schema)
    assert [f.record for f in report.findings] == [f"rollup {day} channel={key}"]
    assert report.finding is not None
    assert re.search(r"closed (\d+), not (\d+); upheld", report.finding.detail)

    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        done = repair_postgres(store, now=NOW)
        assert done.rollups == (f"rollup {day} channel={key}",)
        record = store.find_configuration(REPAIR_KIND, REPAIR_NAME, NOW.isoformat())
        assert record is not None and "rollups" in record.content
    assert pg.check(postgres_cluster, schema).ok
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        assert repair_postgres(store, now=NOW).record is None
