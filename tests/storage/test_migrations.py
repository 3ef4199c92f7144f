"""
The one migration list of both SQL stores, its renumbering of release 0.1, the upgrade report,
and the data steps written once, run on each database.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import psycopg
import pytest

from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.model.chain import Hasher
from iso10002.model.facts import ComplaintFacts
from iso10002.storage import postgres as postgres_package
from iso10002.storage import sqlite as sqlite_package
from iso10002.storage._sql.columns import FACT_COLUMNS
from iso10002.storage._sql.migrations import MIGRATIONS, RENUMBERED, created_fact_columns
from iso10002.storage._sql.rewrite import backfill_facts
from iso10002.storage._sql.upgrade import Upgrade
from iso10002.storage.base import ComplaintQuery
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.postgres.migrate import _Postgres
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import SAMPLE_START, full_lifecycle

from .pg_cluster import Cluster
from .test_postgres import fresh_schema


def test_both_stores_run_the_one_list() -> None:
    assert sqlite_package.MIGRATIONS is MIGRATIONS is postgres_package.MIGRATIONS
    assert SQLiteEventStore.SCHEMA_VERSION == PostgresEventStore.SCHEMA_VERSION
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


# Migrations of one database only: 12 lets the PostgreSQL server link the events of an unkeyed
# store (SQLite links in the process that writes); 13 changes how SQLite keeps what 11 built,
# and 14 lets a bulk load on SQLite count its rows once a batch.
_ONE_DATABASE = {12: "postgres", 13: "sqlite", 14: "sqlite", 15: "postgres", 16: "postgres"}


def test_every_feature_is_built_on_both_databases() -> None:
    for m in MIGRATIONS:
        only = _ONE_DATABASE.get(m.version)
        assert m.sqlite or m.data is not None or only == "postgres", m.version
        assert m.postgres or m.data is not None or only == "sqlite", m.version
        assert not (only == "sqlite" and (m.postgres or m.data)), m.version
        assert all("{s}" not in statement for statement in m.sqlite), m.version
        assert all("{s}." in statement for statement in m.postgres if "TABLE" in statement), (
            m.version
        )


def test_the_facts_created_are_the_facts_written() -> None:
    assert created_fact_columns() == tuple(name for name, _ in FACT_COLUMNS)


def test_release_0_1_numbers_map_onto_the_list_in_order() -> None:
    versions = {m.version for m in MIGRATIONS}
    for backend, mapping in RENUMBERED.items():
        old = sorted(mapping)
        assert old == list(range(1, len(old) + 1)), backend
        new = [mapping[v] for v in old]
        assert new == sorted(set(new)), backend  # increasing, none shared
        assert set(new) <= versions, backend
        assert new[-1] == 7, backend  # release 0.1 wrote version 7 of this list
    assert dict(RENUMBERED["sqlite"]) == {v: v for v in range(1, 8)}


def test_a_new_database_reports_every_step_and_logs_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="iso10002.storage"):
        store = SQLiteEventStore(tmp_path / "new.db")
    store.close()
    report = store.upgrade_report
    assert report is not None
    assert (report.from_version, report.to_version) == (0, SQLiteEventStore.SCHEMA_VERSION)
    assert report.applied == tuple((m.version, m.description) for m in MIGRATIONS)
    assert str(report) in caplog.text
    with SQLiteEventStore(tmp_path / "new.db") as again:
        assert again.upgrade_report is None


def test_an_upgrade_reports_what_it_did_to_the_stored_events(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SQLiteEventStore(path) as store:
        full_lifecycle(ComplaintDesk(store, clock=FixedClock(SAMPLE_START)))
    raw = sqlite3.connect(path)
    raw.execute("ALTER TABLE events DROP COLUMN hash")
    raw.execute("ALTER TABLE events DROP COLUMN chain")
    raw.execute("PRAGMA user_version = 4")
    raw.commit()
    raw.close()
    with SQLiteEventStore(path) as store:
        report = store.upgrade_report
    assert report is not None
    assert [v for v, _ in report.applied] == list(range(5, SQLiteEventStore.SCHEMA_VERSION + 1))
    assert "13 stored events linked into the integrity chains" in report.notes
    assert not any("timeliness policies" in note for note in report.notes)  # none applied


def _facts(store: SQLiteEventStore | PostgresEventStore) -> ComplaintFacts:
    (summary,) = store.query(ComplaintQuery()).items
    return summary.facts


def test_the_facts_step_derives_the_facts_on_postgres(postgres_cluster: Cluster) -> None:
    """The step SQLite runs from version 2 (see test_sqlite), on PostgreSQL's types."""
    schema = fresh_schema()
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        full_lifecycle(ComplaintDesk(store, clock=FixedClock(SAMPLE_START)))
        written = _facts(store)
    with psycopg.connect(postgres_cluster.conninfo) as conn:
        conn.execute(
            f'UPDATE "{schema}".complaints SET outcome = NULL, first_response_at = NULL, '
            "first_contact = false, acknowledge_us = NULL".encode()
        )
        dialect = _Postgres(conn, schema, "here", create=False)
        note = backfill_facts(Upgrade(conn=conn, dialect=dialect, hasher=Hasher()))
        conn.commit()
    assert note == "monitoring facts derived from the histories of 1 complaints"
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        assert _facts(store) == written
