"""
``iso10002 vacuum`` (and ``erase --vacuum``): after an erasure, PostgreSQL's old row versions
of the changed tables are vacuumed (``VACUUM FULL`` with ``--full`` leaves none of them in the
table's files), and a SQLite file is rewritten with its write-ahead log truncated. The command
says what it did in one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iso10002 import ComplaintDesk
from iso10002.access import RoleBasedAuthorizer
from iso10002.clock import FixedClock
from iso10002.integrity import verify
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.postgres.vacuum import vacuum
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import SAMPLE_START
from tests.cli.support import run
from tests.integrity.test_verify_postgres import uri
from tests.storage.pg_cluster import Cluster
from tests.storage.test_postgres import admin, fresh_schema, run_sql

from .test_erasure import ADMIN
from .test_erasure_complete import received_by_complainant

NAME = "Ottoline Brack"
PERSON = ("CUST-4411", NAME, "ob@example.org")
GUARD = RoleBasedAuthorizer()


def _erased_store(conninfo: str, schema: str) -> None:
    with PostgresEventStore(conninfo, schema=schema) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START), authorizer=GUARD)
        received_by_complainant(desk, PERSON, "The parcel came late.", "C-1")
        plain = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        plain.erase_personal_data("C-1", ADMIN, reason="erasure request")


def _files_hold(cluster: Cluster, schema: str, value: bytes) -> bool:
    """Whether the files of the events table (and its TOAST table) hold ``value``."""
    with admin(cluster) as conn:
        conn.execute(b"CHECKPOINT")
        paths = [
            str(row[0])
            for row in conn.execute(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
                "WHERE c.oid = %s::regclass OR c.oid = "
                "(SELECT reltoastrelid FROM pg_class WHERE oid = %s::regclass)",
                (f'"{schema}".events', f'"{schema}".events'),
            ).fetchall()
        ]
    data_dir = cluster.data_dir
    found = False
    for relative in paths:
        for segment in data_dir.glob(f"{relative}*"):
            if segment.name.endswith(("_fsm", "_vm")):
                continue
            found = found or value in segment.read_bytes()
    return found


def test_vacuum_full_leaves_no_old_version_of_an_erased_value(
    postgres_cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = fresh_schema()
    _erased_store(postgres_cluster.conninfo, schema)
    # The old row versions hold the name until the table is vacuumed.
    assert _files_hold(postgres_cluster, schema, NAME.encode())

    result = run(capsys, "vacuum", "--db", uri(postgres_cluster), "--schema", schema, "--full")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("vacuumed ")
    assert f"VACUUM FULL of {schema}.events, {schema}.outbox, {schema}.access_denials" in lines[0]
    assert "password" not in lines[0] and postgres_cluster.password not in lines[0]
    assert not _files_hold(postgres_cluster, schema, NAME.encode())
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        assert verify(store).ok


def test_plain_vacuum_runs_outside_a_transaction_and_is_seen_by_the_server(
    postgres_cluster: Cluster,
) -> None:
    schema = fresh_schema()
    _erased_store(postgres_cluster.conninfo, schema)
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        done = vacuum(store)
    assert done.ok and not done.full
    assert str(done).endswith(
        f"VACUUM of {schema}.events, {schema}.outbox, {schema}.access_denials"
    )
    with admin(postgres_cluster) as conn:
        rows = conn.execute(
            "SELECT relname, last_vacuum IS NOT NULL FROM pg_stat_user_tables "
            "WHERE schemaname = %s AND relname IN ('events', 'outbox', 'access_denials')",
            (schema,),
        ).fetchall()
    assert sorted(rows) == [("access_denials", True), ("events", True), ("outbox", True)]


def test_a_role_that_does_not_own_the_tables_is_told_so(
    postgres_cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = fresh_schema()
    _erased_store(postgres_cluster.conninfo, schema)
    role = f"reader_{schema}"
    run_sql(postgres_cluster, f"CREATE ROLE {role} LOGIN PASSWORD 'reader-pass'")
    run_sql(postgres_cluster, f'GRANT USAGE ON SCHEMA "{schema}" TO {role}')
    run_sql(postgres_cluster, f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {role}')
    c = postgres_cluster
    db = f"postgresql://{role}:reader-pass@{c.host}:{c.port}/{c.dbname}"
    result = run(capsys, "vacuum", "--db", db, "--schema", schema)
    assert result.code == 1 and result.out == ""
    err = result.err.splitlines()
    assert len(err) == 1 and "vacuum incomplete" in err[0] and "skipped" in err[0]
    assert "events" in err[0] and "Traceback" not in result.err


def _sqlite_erased(path: Path) -> None:
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START), authorizer=GUARD)
        received_by_complainant(desk, PERSON, "The parcel came late.", "C-1")
        received_by_complainant(desk, ("CUST-2", "Other Person", "o@example.org"), "Lost.", "C-2")


def test_sqlite_erase_then_vacuum_in_one_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "complaints.db"
    _sqlite_erased(db)
    result = run(capsys, "erase", "--db", db, "C-1", "--reason", "erasure request", "--vacuum")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "erased: 1 (C-1)",
        f"vacuumed {db}: VACUUM FULL of the whole file",
    ]
    assert NAME.encode() not in db.read_bytes()
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with SQLiteEventStore(db) as store:
        assert verify(store).ok


def test_sqlite_vacuum_alone_and_its_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "complaints.db"
    _sqlite_erased(db)
    result = run(capsys, "vacuum", "--db", db)
    assert (result.code, result.out) == (0, f"vacuumed {db}: VACUUM FULL of the whole file\n")
    for extra in (["--full"], ["--schema", "x"]):
        result = run(capsys, "vacuum", "--db", db, *extra)
        assert result.code == 2 and len(result.err.splitlines()) == 1
    result = run(capsys, "vacuum", "--db", tmp_path / "none.db")
    assert result.code == 1 and "no database at" in result.err
    assert not (tmp_path / "none.db").exists()
