"""
The PostgreSQL store: the event store contract, then what only a server can show.

Every test runs against the throwaway server of :mod:`tests.storage.pg_cluster`, each in a
schema of its own, so that the tests share one server and never see each other's rows.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import multiprocessing
import os
import random
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest
from psycopg_pool import ConnectionPool

from iso10002.access import (
    Action,
    DenialRecord,
    DenialStore,
    RoleBasedAuthorizer,
    StoreAccessLog,
)
from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import (
    ConcurrencyConflict,
    CorruptRecord,
    DuplicateKeyError,
    NaiveDatetimeError,
    PermissionDenied,
    SchemaVersionError,
    SerializationError,
    StorageError,
    StoreClosedError,
    ValidationError,
)
from iso10002.integrity import Hasher, verify
from iso10002.model.complaint import Complaint, ComplaintSummary
from iso10002.model.events import Event, PersonalDataErased
from iso10002.model.fact_row import row_of
from iso10002.model.facts import ComplaintFacts, MetricOutcome
from iso10002.model.personal import ERASED
from iso10002.model.values import (
    Actor,
    Channel,
    ClosureReason,
    Decision,
    Money,
    Outcome,
    Priority,
    RemedyKind,
    Role,
)
from iso10002.monitoring.kpis import compute_kpis
from iso10002.monitoring.report import KpiReport
from iso10002.notify import Notification, NotificationKind
from iso10002.outbox import OutboxEntry, OutboxQuery
from iso10002.privacy import SubjectMatch
from iso10002.storage._sql.columns import FACT_COLUMNS
from iso10002.storage.base import Append, ComplaintQuery, EventStore, PersonalDataStore, append_all
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.postgres import outbox as outbox_pg
from iso10002.storage.postgres import store as postgres_module
from iso10002.storage.postgres.migrate import _migrate
from iso10002.storage.postgres.rows import ORDERS, statements, where
from iso10002.storage.postgres.schema import (
    MIGRATIONS,
    PgMigration,
    append_lock_key,
    created_fact_columns,
)
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import (
    EventStoreContract,
    PersonalDataStoreContract,
    full_lifecycle,
    note_event,
    received_event,
    sample_actor,
    sample_complainant,
    summary_after,
)
from tests.processes import run_processes

from .pg_cluster import OS_USER, Cluster

NOW = _dt.datetime(2026, 3, 10, 9, 0, tzinfo=_dt.timezone.utc)
_SCHEMAS = itertools.count(1)


def fresh_schema() -> str:
    """A schema name no other test of this run uses (unique per process, too)."""
    return f"t{os.getpid()}_{next(_SCHEMAS)}"


class TestPostgresEventStore(EventStoreContract):
    @pytest.fixture(autouse=True)
    def _cluster(self, postgres_cluster: Cluster) -> None:
        self.cluster = postgres_cluster

    def make_store(self, tmp_path: Path) -> PostgresEventStore:
        return PostgresEventStore(self.cluster.conninfo, schema=fresh_schema())


@pytest.fixture(scope="module")
def app_pool(postgres_cluster: Cluster) -> Iterator[ConnectionPool[Any]]:
    """A pool of the application's, whose connections do not autocommit (psycopg's default)."""
    pool: ConnectionPool[Any] = ConnectionPool(
        postgres_cluster.conninfo, min_size=1, max_size=4, open=False
    )
    pool.open(wait=True, timeout=30)
    try:
        yield pool
    finally:
        pool.close()


class TestPostgresStoreErases(PersonalDataStoreContract):
    @pytest.fixture(autouse=True)
    def _cluster(self, postgres_cluster: Cluster) -> None:
        self.cluster = postgres_cluster

    def make_store(self, tmp_path: Path) -> PostgresEventStore:
        return PostgresEventStore(self.cluster.conninfo, schema=fresh_schema())


class TestPostgresEventStoreOnTheApplicationsPool(EventStoreContract):
    """The contract holds on a pool the application owns, whose connections do not autocommit."""

    @pytest.fixture(autouse=True)
    def _pool(self, app_pool: ConnectionPool[Any]) -> None:
        self.pool = app_pool

    def make_store(self, tmp_path: Path) -> PostgresEventStore:
        return PostgresEventStore(self.pool, schema=fresh_schema())


# -- helpers ---------------------------------------------------------------------------------------


@pytest.fixture
def cluster(postgres_cluster: Cluster) -> Cluster:
    return postgres_cluster


@pytest.fixture
def schema() -> str:
    return fresh_schema()


@pytest.fixture
def store(cluster: Cluster, schema: str) -> Iterator[PostgresEventStore]:
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        yield store


def admin(cluster: Cluster) -> psycopg.Connection[tuple[Any, ...]]:
    """A superuser connection in autocommit, as another tool would open one."""
    return psycopg.connect(cluster.admin_conninfo, autocommit=True)


def run_sql(cluster: Cluster, statement: str, params: tuple[object, ...] = ()) -> None:
    with admin(cluster) as conn:
        conn.execute(statement.encode(), params or None)


def everything(cluster: Cluster, schema: str) -> tuple[list[tuple[Any, ...]], ...]:
    """Every row of the store's tables, to show that nothing changed."""
    with admin(cluster) as conn:
        return tuple(
            conn.execute(f'SELECT * FROM "{schema}".{table} ORDER BY 1'.encode()).fetchall()
            for table in ("events", "complaints", "counters")
        )


def append_new(store: PostgresEventStore, *events: Event) -> None:
    store.append(events, expected_version=0, summary=summary_after(events))


# -- the schema ------------------------------------------------------------------------------------


def test_the_tables_use_postgres_types(store: PostgresEventStore, cluster: Cluster) -> None:
    with admin(cluster) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, data_type, is_identity "
            "FROM information_schema.columns WHERE table_schema = %s",
            (store.schema,),
        ).fetchall()
    types = {(table, column): (data_type, identity) for table, column, data_type, identity in rows}
    instant = ("timestamp with time zone", "NO")
    expected = {
        ("events", "position"): ("bigint", "YES"),
        ("events", "stream_id"): ("uuid", "NO"),
        ("events", "occurred_at"): instant,
        ("events", "actor"): ("jsonb", "NO"),
        ("events", "payload"): ("jsonb", "NO"),
        ("events", "personal"): ("jsonb", "NO"),
        ("events", "hash"): ("text", "NO"),
        ("events", "chain"): ("text", "NO"),
        ("complaints", "id"): ("uuid", "NO"),
        ("complaints", "is_open"): ("boolean", "NO"),
        ("complaints", "received_at"): instant,
        ("complaints", "sla_due_at"): instant,
        ("complaints", "first_response_at"): instant,
        ("complaints", "withdrawn"): ("boolean", "NO"),
        ("complaints", "acknowledge_us"): ("bigint", "NO"),
        ("counters", "value"): ("bigint", "NO"),
        ("schema_migrations", "version"): ("integer", "NO"),
        ("access_denials", "id"): ("bigint", "YES"),
        ("access_denials", "at"): instant,
        ("access_denials", "complaint_id"): ("uuid", "NO"),
        ("access_denials", "action"): ("text", "NO"),
    }
    assert {key: types.get(key) for key in expected} == expected


def test_the_facts_columns_are_those_of_the_shared_codec() -> None:
    """A fact added to the codec needs a PostgreSQL migration that adds its column."""
    assert created_fact_columns() == tuple(name for name, _ in FACT_COLUMNS)


def _rich_summary() -> tuple[list[Event], ComplaintSummary]:
    """A complaint whose every fact is set, with instants written in several offsets."""
    first = received_event(reference="CMP-2026-000777", client_key="web-777")
    india = _dt.timezone(_dt.timedelta(hours=5, minutes=30))
    base = summary_after([first])
    facts = ComplaintFacts(
        product="Current account",
        source="legacy-crm",
        timed=False,
        first_response_at=_dt.datetime(2026, 3, 3, 14, 5, 6, 789012, tzinfo=india),
        acknowledge_time=_dt.timedelta(hours=3, microseconds=7),
        first_response_time=_dt.timedelta(days=2, seconds=1),
        outcome=Outcome.PARTIALLY_UPHELD,
        closure_reason=ClosureReason.RESOLVED,
        withdrawn=True,
        remedies=(RemedyKind.APOLOGY, RemedyKind.REFUND),
        redress=(
            Money(amount=Decimal("12.50"), currency="EUR"),
            Money(amount=Decimal("3"), currency="GBP"),
        ),
        reopen_count=2,
        internal_reviews=1,
        referrals=3,
        first_contact=True,
        satisfaction_score=4,
        satisfaction_scale=5,
        root_cause="Courier lost the parcel",
        root_cause_category="logistics/courier",
        sla=(
            MetricOutcome(
                metric="final_response",
                due_at=_dt.datetime(2026, 3, 9, 17, tzinfo=india),
                done_at=_dt.datetime(2026, 3, 8, 9, 30, 0, 1, tzinfo=_dt.timezone.utc),
            ),
            MetricOutcome(metric="acknowledge", due_at=NOW, done_at=None),
        ),
    )
    return [first], attrs.evolve(
        base,
        closed_at=_dt.datetime(2026, 3, 8, 10, tzinfo=_dt.timezone.utc),
        sla_due_at=NOW.astimezone(india),
        facts=facts,
    )


def test_every_fact_round_trips_and_reads_as_on_sqlite(
    store: PostgresEventStore, tmp_path: Path
) -> None:
    history, summary = _rich_summary()
    store.append(history, expected_version=0, summary=summary)
    assert store.summary(summary.id) == summary
    assert store.query(ComplaintQuery()).items == (summary,)
    window = {
        "received_before": NOW,
        "closed_since": _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc),
    }
    rows = list(store.iter_fact_rows(**window))
    assert rows == [row_of(summary)]
    with SQLiteEventStore(tmp_path / "same.db") as sqlite:
        sqlite.append(history, expected_version=0, summary=summary)
        assert sqlite.summary(summary.id) == store.summary(summary.id)


def test_fact_rows_follow_the_window_and_are_read_in_batches(
    store: PostgresEventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = ComplaintDesk(store, clock=FixedClock(NOW))
    complaints = [
        full_lifecycle(desk, received_at=NOW - _dt.timedelta(days=10 - n)) for n in range(3)
    ]
    complaints += [
        desk.receive(
            sample_actor(),
            complainant=sample_complainant(),
            channel=channel,
            description="The bill is wrong.",
            received_at=NOW - _dt.timedelta(days=n),
        )
        for n, channel in enumerate(Channel, start=1)
    ]
    summaries = [ComplaintSummary.of(desk.get(c.id)) for c in complaints]
    monkeypatch.setattr(postgres_module, "_FACT_BATCH", 2)
    for received_before, closed_since in (
        (NOW, NOW - _dt.timedelta(days=30)),
        (NOW - _dt.timedelta(days=2), NOW),
        (NOW + _dt.timedelta(days=1), NOW + _dt.timedelta(days=1)),
    ):
        expected = sorted(
            (
                row_of(s)
                for s in summaries
                if s.received_at < received_before
                and (s.closed_at is None or s.closed_at >= closed_since)
            ),
            key=repr,
        )
        got = store.iter_fact_rows(received_before=received_before, closed_since=closed_since)
        assert sorted(got, key=repr) == expected
        assert expected  # every window selects something


def test_a_kpi_report_reads_the_same_as_from_memory(store: PostgresEventStore) -> None:
    """The report reads PostgreSQL's fact rows; the in-memory store builds them from summaries."""
    memory = InMemoryEventStore()
    for target in (store, memory):
        desk = ComplaintDesk(target, clock=FixedClock(NOW))
        for n in range(3):
            full_lifecycle(desk, received_at=NOW - _dt.timedelta(days=20 - 5 * n))
        for n, channel in enumerate(Channel):
            complaint = desk.receive(
                sample_actor(),
                complainant=sample_complainant(),
                channel=channel,
                description="The bill is wrong.",
                received_at=NOW - _dt.timedelta(days=n, hours=n),
            )
            if n % 2:
                desk.acknowledge(complaint.id, sample_actor())

    def report(target: EventStore) -> KpiReport:
        return compute_kpis(
            target,
            start=NOW - _dt.timedelta(days=30),
            end=NOW + _dt.timedelta(days=1),
            bucket="week",
            clock=FixedClock(NOW),
        )

    report_ = report(store)
    assert report_ == report(memory)
    assert report_.volume.received == 3 + len(Channel)
    assert report_.volume.closed > 0


# -- migrations ------------------------------------------------------------------------------------


def catalog(cluster: Cluster, schema: str) -> list[tuple[Any, ...]]:
    with admin(cluster) as conn:
        return conn.execute(
            "SELECT c.relname, c.relkind, pg_get_indexdef(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY 1",
            (schema,),
        ).fetchall()


def applied(cluster: Cluster, schema: str) -> list[tuple[Any, ...]]:
    with admin(cluster) as conn:
        return conn.execute(
            f'SELECT version, description FROM "{schema}".schema_migrations ORDER BY 1'.encode()
        ).fetchall()


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert MIGRATIONS[-1].version == PostgresEventStore.SCHEMA_VERSION


def test_migrations_run_once_and_reopening_changes_nothing(cluster: Cluster, schema: str) -> None:
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        append_new(store, first := received_event())
    created = catalog(cluster, schema)
    assert {name for name, _, _ in created} >= {
        "events",
        "complaints",
        "counters",
        "outbox",
        "access_denials",
        "access_denials_by_at",
        "schema_migrations",
        "complaints_by_state",
        "complaints_by_sla_due",
    }
    recorded = [(m.version, m.description) for m in MIGRATIONS]
    assert applied(cluster, schema) == recorded
    for _ in range(2):
        with PostgresEventStore(cluster.conninfo, schema=schema) as store:
            assert store.read(first.complaint_id) == [first]
        assert catalog(cluster, schema) == created
        assert applied(cluster, schema) == recorded


def test_stores_starting_at_once_migrate_once(cluster: Cluster, schema: str) -> None:
    """Each thread has connections of its own: to the server they are separate processes."""
    starters = 6
    barrier = threading.Barrier(starters)
    errors: list[BaseException] = []

    def start() -> None:
        try:
            barrier.wait(timeout=30)
            with PostgresEventStore(cluster.conninfo, schema=schema) as store:
                store.next_number("started")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(starters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert applied(cluster, schema) == [(m.version, m.description) for m in MIGRATIONS]
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        assert store.next_number("started") == starters + 1


def test_a_newer_schema_is_refused(cluster: Cluster, schema: str) -> None:
    PostgresEventStore(cluster.conninfo, schema=schema).close()
    future = PostgresEventStore.SCHEMA_VERSION + 1
    run_sql(
        cluster, f"INSERT INTO \"{schema}\".schema_migrations VALUES ({future}, 'future', now())"
    )
    with pytest.raises(SchemaVersionError) as caught:
        PostgresEventStore(cluster.conninfo, schema=schema)
    assert str(caught.value) == (
        f"PostgreSQL store complaints_app@127.0.0.1:{cluster.port}/complaints (schema {schema}): "
        f"schema {schema} has version {future}, but this release of iso10002 knows versions up to "
        f"{PostgresEventStore.SCHEMA_VERSION}; upgrade iso10002"
    )


def test_tables_of_another_application_are_left_alone(cluster: Cluster, schema: str) -> None:
    with psycopg.connect(cluster.conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"'.encode())
        conn.execute(f'CREATE TABLE "{schema}".events (id integer, what text)'.encode())
        conn.execute(f"INSERT INTO \"{schema}\".events VALUES (1, 'theirs')".encode())
    before = catalog(cluster, schema)
    with pytest.raises(StorageError, match=r"schema \w+ holds tables \(events\) that iso10002"):
        PostgresEventStore(cluster.conninfo, schema=schema)
    assert catalog(cluster, schema) == before


def test_a_failing_migration_leaves_the_database_as_it_was(cluster: Cluster, schema: str) -> None:
    steps = (
        PgMigration(version=1, description="a table", postgres=("CREATE TABLE {s}.a (x int)",)),
        PgMigration(
            version=2,
            description="broken",
            postgres=("CREATE TABLE {s}.b (y int)", "CREATE TABLE {s}.a (x int)"),
        ),
    )
    with psycopg.connect(cluster.conninfo, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.DuplicateTable):
            _migrate(conn, schema, "here", steps)
        assert catalog(cluster, schema) == []
        _migrate(conn, schema, "here", steps[:1])
        assert applied(cluster, schema) == [(1, "a table")]
        _migrate(conn, schema, "here", steps[:1])  # nothing left to do
        assert [name for name, _, _ in catalog(cluster, schema)] == [
            "a",
            "schema_migrations",
            "schema_migrations_pkey",
        ]


def test_a_schema_made_by_an_administrator_needs_no_create_privilege(
    cluster: Cluster, schema: str
) -> None:
    role = f"limited_{schema}"
    run_sql(cluster, f"CREATE ROLE {role} LOGIN PASSWORD 'limited-pass'")
    run_sql(cluster, f'CREATE SCHEMA "{schema}" AUTHORIZATION {role}')
    conninfo = (
        f"host=127.0.0.1 port={cluster.port} dbname=complaints user={role} password=limited-pass"
    )
    with PostgresEventStore(conninfo, schema=schema) as store:
        append_new(store, first := received_event())
        assert store.read(first.complaint_id) == [first]
    with pytest.raises(StorageError, match="permission denied for database complaints"):
        PostgresEventStore(conninfo, schema=fresh_schema())


# -- connecting ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_connection_is_a_storage_error_naming_the_server() -> None:
    port = _free_port()
    conninfo = f"host=127.0.0.1 port={port} dbname=complaints user=app password=s3cret-Pa55"
    with pytest.raises(StorageError) as caught:
        PostgresEventStore(conninfo)
    message = str(caught.value)
    assert message.startswith(
        f"PostgreSQL store app@127.0.0.1:{port}/complaints (schema iso10002): connect: "
    )
    assert "Connection refused" in message
    assert "\n" not in message
    assert "s3cret-Pa55" not in message
    assert isinstance(caught.value.__cause__, psycopg.OperationalError)


def test_a_wrong_password_is_a_storage_error_without_the_password(cluster: Cluster) -> None:
    conninfo = f"postgresql://{cluster.user}:Wrong-Secret-42@127.0.0.1:{cluster.port}/complaints"
    with pytest.raises(StorageError) as caught:
        PostgresEventStore(conninfo)
    message = str(caught.value)
    assert f'password authentication failed for user "{cluster.user}"' in message
    assert "Wrong-Secret-42" not in message
    assert cluster.password not in message


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"conninfo": "host=x port"}, "conninfo: is not a valid libpq connection string or URI"),
        ({"conninfo": 5432}, "conninfo: must be a connection string or a psycopg_pool.Conn"),
        ({"schema": "Complaints"}, "schema: must be a lower-case identifier"),
        ({"schema": "pg_things"}, "schema: must be a lower-case identifier"),
        ({"schema": 'x"; DROP TABLE y; --'}, "schema: must be a lower-case identifier"),
        ({"schema": "a" * 64}, "schema: must be a lower-case identifier"),
        ({"timeout": 0}, "timeout: must be a number of seconds > 0, got 0"),
        ({"timeout": True}, "timeout: must be a number of seconds > 0, got True"),
        ({"min_size": -1}, "min_size: must be an integer >= 0, got -1"),
        ({"max_size": 0}, "max_size: must be an integer >= 1, got 0"),
        ({"min_size": 3, "max_size": 2}, "max_size: must be an integer >= 3, got 2"),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, Any], message: str) -> None:
    """Checked before connecting: no server is needed to find these."""
    given = {"conninfo": "host=127.0.0.1 port=1 dbname=complaints", **arguments}
    with pytest.raises(ValidationError, match=message):
        PostgresEventStore(**given)


def test_without_the_driver_the_store_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The module imports without psycopg (the package re-exports the class); building fails."""
    monkeypatch.setitem(sys.modules, "psycopg_pool", None)
    with pytest.raises(StorageError) as caught:
        PostgresEventStore("dbname=complaints")
    assert str(caught.value) == (
        "PostgreSQL store: psycopg 3 and psycopg_pool are needed; "
        'install them with pip install "iso10002[postgres]"'
    )
    assert isinstance(caught.value.__cause__, ImportError)


def test_pool_sizes_are_not_taken_with_the_applications_pool(
    app_pool: ConnectionPool[Any],
) -> None:
    with pytest.raises(ValidationError, match="max_size: applies only to a pool that the store"):
        PostgresEventStore(app_pool, max_size=3)


def test_the_applications_pool_stays_open_after_close(
    app_pool: ConnectionPool[Any], schema: str
) -> None:
    store = PostgresEventStore(app_pool, schema=schema)
    assert repr(store).startswith("PostgresEventStore(")
    store.close()
    with pytest.raises(StoreClosedError, match="closed"):
        store.version(uuid.uuid4())
    with app_pool.connection() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_store_is_a_context_manager_and_says_what_it_is(cluster: Cluster, schema: str) -> None:
    where = f"complaints_app@127.0.0.1:{cluster.port}/complaints (schema {schema})"
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        assert repr(store) == f"PostgresEventStore({where}, open)"
        assert store.schema == schema
    assert repr(store) == f"PostgresEventStore({where}, closed)"
    assert cluster.password not in repr(store)


def test_the_throwaway_server_runs_unprivileged_and_without_fsync(cluster: Cluster) -> None:
    with admin(cluster) as conn:
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
    with psycopg.connect(cluster.conninfo) as conn:
        assert conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == (False,)
    if os.geteuid() == 0:
        import pwd

        assert cluster.data_dir.stat().st_uid == pwd.getpwnam(OS_USER).pw_uid


# -- errors ----------------------------------------------------------------------------------------


def test_text_postgres_cannot_hold_is_a_storage_error_and_writes_nothing(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    first = received_event()
    append_new(store, first)
    before = everything(cluster, store.schema)
    bad = note_event(first, "a NUL \x00 character")
    with pytest.raises(StorageError, match="append to complaint CMP-2026-000001: ") as caught:
        store.append([bad], expected_version=1, summary=summary_after([first, bad]))
    assert type(caught.value) is StorageError
    assert everything(cluster, store.schema) == before


def test_a_failure_after_the_first_row_writes_nothing(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    append_new(store, existing := received_event(reference="CMP-2026-000001"))
    # A trigger stands in for a disk that fails in the middle of a transaction.
    s = f'"{store.schema}"'
    run_sql(
        cluster,
        f"CREATE FUNCTION {s}.fail() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'simulated write failure'; END $$",
    )
    run_sql(
        cluster,
        f"CREATE TRIGGER fail_second BEFORE INSERT ON {s}.events FOR EACH ROW "
        f"WHEN (NEW.seq = 2) EXECUTE FUNCTION {s}.fail()",
    )
    before = everything(cluster, store.schema)
    first = received_event(reference="CMP-2026-000002", client_key="k-2")
    batch = [first, note_event(first)]
    with pytest.raises(StorageError) as caught:
        store.append(batch, expected_version=0, summary=summary_after(batch))
    assert str(caught.value) == (
        f"PostgreSQL store complaints_app@127.0.0.1:{cluster.port}/complaints "
        f"(schema {store.schema}): append to complaint CMP-2026-000002: simulated write failure"
    )
    assert isinstance(caught.value.__cause__, psycopg.errors.RaiseException)
    assert everything(cluster, store.schema) == before
    assert store.id_for_client_key("k-2") is None
    more = [note_event(existing), note_event(note_event(existing))]
    with pytest.raises(StorageError, match="simulated write failure"):
        store.append(more, expected_version=1, summary=summary_after([existing, *more]))
    assert everything(cluster, store.schema) == before
    assert store.summary(existing.complaint_id) == summary_after([existing])


def test_events_written_behind_the_stores_back_are_a_conflict(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    first = received_event()
    append_new(store, first)
    run_sql(
        cluster,
        f'INSERT INTO "{store.schema}".events (stream_id, seq, type, schema_version, '
        "occurred_at, actor, state, payload) SELECT stream_id, 2, type, schema_version, "
        f'occurred_at, actor, state, payload FROM "{store.schema}".events WHERE seq = 1',
    )
    before = everything(cluster, store.schema)
    stray = note_event(first, "written by another tool")
    with pytest.raises(ConcurrencyConflict) as caught:
        store.append([stray], expected_version=1, summary=summary_after([first, stray]))
    assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
    assert isinstance(caught.value.__cause__, psycopg.errors.UniqueViolation)
    assert everything(cluster, store.schema) == before


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("payload", '{"text": "x", "colour": "red"}', "$.payload: unknown keys: ['colour']"),
        ("payload", '{"text": "  "}', "$.payload.text: must not be empty"),
        ("payload", '{"text": 42}', "$.payload.text"),
        ("payload", '"just text"', "$.payload"),
        ("actor", '{"id": "agent-1", "role": "boss"}', "$.actor.role: 'boss' is not a Role"),
        ("actor", "null", "$.actor"),
        ("type", "note_deleted", "$.type: unknown event type 'note_deleted'"),
        ("state", "", "state: must not be empty"),
        ("schema_version", 9, "$.schema_version: unsupported schema version 9"),
    ],
)
def test_a_corrupt_event_names_the_complaint_and_seq(
    store: PostgresEventStore, cluster: Cluster, column: str, value: object, reason: str
) -> None:
    first = received_event(reference="CMP-2026-000123")
    second = note_event(first)
    append_new(store, first, second)
    run_sql(cluster, f'UPDATE "{store.schema}".events SET {column} = %s WHERE seq = 2', (value,))
    prefix = "complaint CMP-2026-000123, event seq 2 is corrupt: "
    readers: list[Callable[[], object]] = [
        lambda: store.read(first.complaint_id),
        lambda: list(store.iter_events()),
        lambda: ComplaintDesk(store, clock=FixedClock(NOW)).get("CMP-2026-000123"),
    ]
    for reader in readers:
        with pytest.raises(CorruptRecord) as caught:
            reader()
        assert str(caught.value).startswith(prefix)
        assert reason in caught.value.reason
        assert (caught.value.complaint, caught.value.seq) == ("CMP-2026-000123", 2)
        assert isinstance(caught.value.__cause__, SerializationError)
    assert store.read(first.complaint_id, after=2) == []
    assert next(iter(store.iter_events()))[1] == first


def test_a_corrupt_event_of_a_complaint_without_summary_names_its_id(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    first = received_event()
    append_new(store, first)
    run_sql(cluster, f"UPDATE \"{store.schema}\".events SET payload = '[]'")
    run_sql(cluster, f'DELETE FROM "{store.schema}".complaints')
    with pytest.raises(CorruptRecord) as caught:
        store.read(first.complaint_id)
    assert caught.value.complaint == str(first.complaint_id)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("channel", "carrier pigeon", "'carrier pigeon' is not a valid Channel"),
        ("priority", "whenever", "'whenever' is not a valid Priority"),
        ("reopen_count", -1, "reopen_count is -1, not a count"),
        ("remedies", "teleport", "'teleport' is not a valid RemedyKind"),
        ("redress", "EUR:lots", "ConversionSyntax"),
        ("sla", "[[", "Expecting value"),
        # A column that another tool changed the type of.
        ("acknowledge_us", "three hours", "acknowledge_us is 'three hours', not a number of"),
    ],
)
def test_a_corrupt_summary_names_the_complaint(
    store: PostgresEventStore, cluster: Cluster, column: str, value: object, reason: str
) -> None:
    first = received_event()
    append_new(store, first)
    if column == "acknowledge_us":
        run_sql(cluster, f'ALTER TABLE "{store.schema}".complaints ALTER {column} TYPE text')
    run_sql(cluster, f'UPDATE "{store.schema}".complaints SET {column} = %s', (value,))
    readers: list[Callable[[], object]] = [
        lambda: store.summary(first.complaint_id),
        lambda: store.query(ComplaintQuery()),
    ]
    for reader in readers:
        with pytest.raises(CorruptRecord) as caught:
            reader()
        assert str(caught.value).startswith(
            "complaint CMP-2026-000001, event seq 1 is corrupt: its summary row cannot be read: "
        )
        assert reason in str(caught.value)


# -- query plans -----------------------------------------------------------------------------------

_INDEXED_QUERIES = {
    "state": ComplaintQuery(state="investigating"),
    "open": ComplaintQuery(is_open=True),
    "assignee": ComplaintQuery(assignee="alice"),
    "priority": ComplaintQuery(priority=Priority.URGENT),
    "channel": ComplaintQuery(channel=Channel.PHONE),
    "received": ComplaintQuery(received_from=NOW - _dt.timedelta(days=7), received_to=NOW),
    "sla_due": ComplaintQuery(order="sla_due", sla_due_by=NOW),
}


@pytest.mark.parametrize("index", sorted(_INDEXED_QUERIES))
def test_every_criterion_has_an_index_that_serves_it(
    store: PostgresEventStore, cluster: Cluster, index: str
) -> None:
    """With sequential scans ruled out, the page is read off the criterion's own index."""
    query = _INDEXED_QUERIES[index]
    clause, params = where(query)
    page = statements(store.schema).page(clause, ORDERS[query.order])
    with admin(cluster) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = conn.execute(
            f"EXPLAIN {page}".encode(), (*params, *params, query.limit, query.offset)
        ).fetchall()
    text = "\n".join(line for (line,) in plan)
    assert f"complaints_by_{index}" in text, text
    assert "Seq Scan" not in text, text


# -- reporting queries -----------------------------------------------------------------------------


def test_select_runs_read_only_queries_on_the_stores_tables(store: PostgresEventStore) -> None:
    desk = ComplaintDesk(store, clock=FixedClock(NOW))
    full_lifecycle(desk)
    desk.receive(
        sample_actor(),
        complainant=sample_complainant(),
        channel=desk.get("CMP-2026-000001").channel,
        description="Another one.",
    )
    assert store.select("SELECT state, count(*) FROM complaints GROUP BY state ORDER BY state") == [
        ("closed", 1),
        ("received", 1),
    ]
    assert store.select(
        "SELECT count(*) FROM events WHERE type = %(type)s", {"type": "complaint_received"}
    ) == [(2,)]
    assert store.select("WITH e AS (SELECT seq FROM events) SELECT max(seq) FROM e") == [(13,)]
    assert store.select("SELECT '100%' LIKE '1%'") == [(True,)]
    assert store.select("SELECT %s LIKE '1%%'", ["100"]) == [(True,)]


@pytest.mark.parametrize(
    ("statement", "error", "message"),
    [
        ("DELETE FROM events", ValidationError, "sql: only a SELECT statement may be run"),
        (
            "WITH gone AS (DELETE FROM events RETURNING 1) SELECT count(*) FROM gone",
            StorageError,
            "run a reporting query: cannot execute SELECT in a read-only transaction",
        ),
        (
            "SELECT 1; DELETE FROM events",
            StorageError,
            "cannot insert multiple commands into a prepared statement",
        ),
        ("SELECT 1; COMMIT; DELETE FROM events", StorageError, "multiple commands"),
        ("SELECT nextval('no_such_sequence')", StorageError, "does not exist"),
    ],
)
def test_select_refuses_anything_but_reading(
    store: PostgresEventStore,
    cluster: Cluster,
    statement: str,
    error: type[Exception],
    message: str,
) -> None:
    append_new(store, received_event())
    before = everything(cluster, store.schema)
    with pytest.raises(error, match=message):
        store.select(statement)
    assert everything(cluster, store.schema) == before
    assert store.select("SELECT count(*) FROM events") == [(1,)]


# -- batches ---------------------------------------------------------------------------------------


def test_a_batch_is_written_whole_in_the_order_given(store: PostgresEventStore) -> None:
    a = received_event(reference="A-1")
    b = received_event(reference="B-1")
    append_new(store, a)
    a2, b2 = note_event(a), note_event(b)
    appends = [
        Append(events=(b, b2), expected_version=0, summary=summary_after([b, b2])),
        Append(events=(a2,), expected_version=1, summary=summary_after([a, a2])),
    ]
    append_all(store, appends)
    logged = list(store.iter_events())
    assert [e for _, e in logged] == [a, b, b2, a2]
    positions = [p for p, _ in logged]
    assert positions[1:] == list(range(positions[1], positions[1] + 3))


@pytest.mark.parametrize("failing", ["conflict", "duplicate"])
def test_a_batch_with_one_bad_append_writes_nothing(
    store: PostgresEventStore, cluster: Cluster, failing: str
) -> None:
    a = received_event(reference="A-1")
    append_new(store, a)
    before = everything(cluster, store.schema)
    a2 = note_event(a)
    c = received_event(reference="C-1")
    if failing == "conflict":  # the second append moved A on to version 2
        other = note_event(a, "other")
        bad = Append(events=(other,), expected_version=1, summary=summary_after([a, other]))
    else:
        again = received_event(reference="A-1")
        bad = Append(events=(again,), expected_version=0, summary=summary_after([again]))
    appends = [
        Append(events=(c,), expected_version=0, summary=summary_after([c])),
        Append(events=(a2,), expected_version=1, summary=summary_after([a, a2])),
        bad,
    ]
    expected: tuple[type[StorageError], str] = (
        (ConcurrencyConflict, "complaint A-1: expected version 1, but the stored version is 2")
        if failing == "conflict"
        else (DuplicateKeyError, "reference 'A-1' is already used by another complaint")
    )
    with pytest.raises(expected[0], match=expected[1]):
        store.append_many(appends)
    assert everything(cluster, store.schema) == before


def test_batches_over_the_same_complaints_in_opposite_orders_do_not_deadlock(
    cluster: Cluster, schema: str
) -> None:
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        a, b = received_event(reference="A-1"), received_event(reference="B-1")
        append_new(store, a)
        append_new(store, b)
    errors: list[BaseException] = []
    written = [0, 0]

    def write(n: int, order: tuple[uuid.UUID, uuid.UUID]) -> None:
        try:
            with PostgresEventStore(cluster.conninfo, schema=schema, max_size=1) as mine:
                for _ in range(60):
                    appends = []
                    for cid in order:
                        history = mine.read(cid)
                        note = note_event(history[-1], f"writer {n}")
                        appends.append(
                            Append(
                                events=(note,),
                                expected_version=len(history),
                                summary=summary_after([*history, note]),
                            )
                        )
                    try:
                        mine.append_many(appends)
                        written[n] += 1
                    except ConcurrencyConflict:
                        continue
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [
        threading.Thread(target=write, args=(0, (a.complaint_id, b.complaint_id))),
        threading.Thread(target=write, args=(1, (b.complaint_id, a.complaint_id))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        for first in (a, b):
            history = store.read(first.complaint_id)
            assert [e.seq for e in history] == list(range(1, 2 + sum(written)))
        assert verify(store).ok
    # Each refused batch of one writer was refused because of a batch of the other that got
    # in, so together they wrote at least one writer's worth; which one wins is up to timing.
    assert sum(written) >= 60


# -- concurrency -----------------------------------------------------------------------------------


def test_two_stores_on_one_database_see_each_other_and_conflict(
    cluster: Cluster, schema: str
) -> None:
    with (
        PostgresEventStore(cluster.conninfo, schema=schema) as one,
        PostgresEventStore(cluster.conninfo, schema=schema) as two,
    ):
        desk_one = ComplaintDesk(one, clock=FixedClock(NOW))
        desk_two = ComplaintDesk(two, clock=FixedClock(NOW))
        complaint = desk_one.receive(
            sample_actor(),
            complainant=sample_complainant(),
            channel=Channel.EMAIL,
            description="The refund never arrived.",
            client_key="mail-9",
        )
        assert desk_two.find_by_client_key("mail-9") == complaint
        desk_two.acknowledge(complaint.reference, sample_actor())
        assert desk_one.get(complaint.id).state == "acknowledged"
        history = one.read(complaint.id)
        mine, theirs = note_event(history[-1], "mine"), note_event(history[-1], "theirs")
        one.append([mine], expected_version=2, summary=summary_after([*history, mine]))
        with pytest.raises(ConcurrencyConflict) as caught:
            two.append([theirs], expected_version=2, summary=summary_after([*history, theirs]))
        assert (caught.value.expected_version, caught.value.actual_version) == (2, 3)


@pytest.mark.parametrize("default", ["read committed", "serializable"])
def test_a_writer_that_waited_for_another_gets_a_conflict(
    cluster: Cluster, schema: str, default: str
) -> None:
    """Whatever isolation the server defaults to, the store's appends run at READ COMMITTED."""
    role = f"iso_{schema}"
    run_sql(cluster, f"CREATE ROLE {role} LOGIN PASSWORD 'iso-pass'")
    run_sql(cluster, f"ALTER ROLE {role} SET default_transaction_isolation = '{default}'")
    run_sql(cluster, f'CREATE SCHEMA "{schema}" AUTHORIZATION {role}')
    conninfo = f"host=127.0.0.1 port={cluster.port} dbname=complaints user={role} password=iso-pass"
    outcome: list[BaseException | None] = []
    with PostgresEventStore(conninfo, schema=schema) as store:
        first = received_event()
        append_new(store, first)
        # An append is sent alone only where it runs at READ COMMITTED outside a transaction.
        assert store._alone is (default == "read committed")
        mine = note_event(first, "mine")

        def append_mine() -> None:
            try:
                store.append([mine], expected_version=1, summary=summary_after([first, mine]))
                outcome.append(None)
            except BaseException as e:
                outcome.append(e)

        with psycopg.connect(conninfo) as other:  # another writer, one step ahead
            other.execute(
                f'UPDATE "{schema}".complaints SET version = 2 WHERE id = %s'.encode(),
                (first.complaint_id,),
            )
            thread = threading.Thread(target=append_mine)
            thread.start()
            time.sleep(0.3)  # the append now waits for the other writer's row lock
            assert outcome == []
            other.commit()
        thread.join(timeout=30)
    (error,) = outcome
    assert isinstance(error, ConcurrencyConflict)
    assert (error.expected_version, error.actual_version) == (1, 2)


def test_positions_are_taken_under_a_lock_held_until_commit(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    """
    While one append holds the append lock (here: another connection standing in for an
    append that has taken its positions but not committed yet), the next append waits before
    taking positions; a reader never sees a later position before an earlier one.
    """
    first = received_event(reference="A-1")
    append_new(store, first)
    second = received_event(reference="B-1")
    done = threading.Event()
    errors: list[BaseException] = []

    def append_second() -> None:
        try:
            append_new(store, second)
            done.set()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    with psycopg.connect(cluster.conninfo) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (append_lock_key(store.schema),))
        thread = threading.Thread(target=append_second)
        thread.start()
        assert not done.wait(0.5)
        assert [e for _, e in store.iter_events()] == [first]
        # The waiting append has checked its version and written its summary, uncommitted.
        assert store.id_for_reference("B-1") is None
        holder.rollback()
    thread.join(timeout=30)
    assert errors == []
    assert done.is_set()
    assert [e for _, e in store.iter_events()] == [first, second]


def test_an_append_that_waited_for_the_lock_links_to_what_the_holder_committed(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    """
    The log's last chain value is read after the append lock is granted, so it is the one the
    holder committed, not the one there was when the waiting append asked for the lock.
    """
    append_new(store, first := received_event(reference="A-1"))
    theirs = "ab" * 32
    done = threading.Event()
    errors: list[BaseException] = []

    def append_second() -> None:
        try:
            append_new(store, received_event(reference="B-1"))
            done.set()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    with psycopg.connect(cluster.conninfo) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (append_lock_key(store.schema),))
        holder.execute(
            f'INSERT INTO "{store.schema}".events (stream_id, seq, type, schema_version, '
            "occurred_at, actor, state, payload, hash, chain) SELECT stream_id, 2, type, "
            f"schema_version, occurred_at, actor, state, payload, %s, %s "
            f'FROM "{store.schema}".events WHERE seq = 1'.encode(),
            ("cd" * 32, theirs),
        )
        thread = threading.Thread(target=append_second)
        thread.start()
        assert not done.wait(0.5)
        holder.commit()
    thread.join(timeout=30)
    assert errors == []
    *_, held, second = store.iter_chain()
    assert (held.complaint_id, held.chain) == (str(first.complaint_id), theirs)
    assert second.hash is not None
    assert second.chain == Hasher().chain_hash(theirs, second.hash)


def test_next_number_is_unique_across_stores(cluster: Cluster, schema: str) -> None:
    drawn: list[int] = []
    lock = threading.Lock()

    def draw() -> None:
        with PostgresEventStore(cluster.conninfo, schema=schema, max_size=1) as mine:
            numbers = [mine.next_number("reference:CMP-2026") for _ in range(25)]
        with lock:
            drawn.extend(numbers)

    PostgresEventStore(cluster.conninfo, schema=schema).close()
    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(drawn) == list(range(1, 101))


def test_receiving_one_client_key_at_once_records_one_complaint(
    cluster: Cluster, schema: str
) -> None:
    PostgresEventStore(cluster.conninfo, schema=schema).close()
    receivers = 5
    barrier = threading.Barrier(receivers)
    received: list[uuid.UUID] = []
    errors: list[BaseException] = []

    def receive() -> None:
        try:
            with PostgresEventStore(cluster.conninfo, schema=schema, max_size=1) as mine:
                desk = ComplaintDesk(mine, clock=FixedClock(NOW))
                barrier.wait(timeout=30)
                complaint = desk.receive(
                    sample_actor(),
                    complainant=sample_complainant(),
                    channel=Channel.WEB_FORM,
                    description="Submitted twice by a double click.",
                    client_key="form-1",
                )
                received.append(complaint.id)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=receive) for _ in range(receivers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(received) == receivers
    assert len(set(received)) == 1
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        assert [e.complaint_id for _, e in store.iter_events()] == received[:1]
        assert store.query(ComplaintQuery()).total == 1


class _CountingStore(PostgresEventStore):
    """Counts the conflicts the store reports to the desk, retried or not."""

    conflicts = 0

    def append_many(self, appends: Any) -> None:
        # Every append goes through here: the desk hands its prepared appends to
        # append_many, and append calls it.
        try:
            super().append_many(appends)
        except ConcurrencyConflict:
            self.conflicts += 1
            raise


# One command as a worker reports it: (complaint id, note text, explicit version?, outcome,
# conflicts the store reported during the command).
_Command = tuple[str, str, bool, str, int]


_WORKER_RETRIES = 1
"""The desk workers retry a conflict once, so that conflicts are common and each one is seen."""


def _desk_worker(
    *,
    conninfo: str,
    schema: str,
    ids: list[str],
    name: str,
    commands: int,
    barrier: Barrier,
    results: Queue[tuple[str, list[_Command]]],
) -> None:
    """One process issuing commands through a desk; see the test below."""
    store = _CountingStore(conninfo, schema=schema, max_size=1)
    try:
        desk = ComplaintDesk(store, clock=FixedClock(NOW), conflict_retries=_WORKER_RETRIES)
        actor = sample_actor(f"agent-{name}")
        rng = random.Random(name)
        done: list[_Command] = []
        barrier.wait(timeout=60)
        for i in range(commands):
            cid = ids[rng.randrange(len(ids))]
            explicit = i % 4 == 0
            text = f"{name} note {i}"
            before = store.conflicts
            try:
                if explicit:
                    version = desk.get(uuid.UUID(cid)).version
                    desk.add_note(uuid.UUID(cid), actor, text, expected_version=version)
                else:
                    desk.add_note(uuid.UUID(cid), actor, text)
                outcome = "ok"
            except ConcurrencyConflict:
                outcome = "conflict"
            done.append((cid, text, explicit, outcome, store.conflicts - before))
        results.put((name, done))
    finally:
        store.close()


def _append_worker(
    *,
    conninfo: str,
    name: str,
    schema: str,
    appends: int,
    barrier: Barrier,
    results: Queue[tuple[str, int]],
) -> None:
    """One process appending new complaints of one to four events; see the test below."""
    store = PostgresEventStore(conninfo, schema=schema, max_size=1)
    try:
        rng = random.Random(name)
        barrier.wait(timeout=60)
        written = 0
        for i in range(appends):
            history = [received_event(reference=f"{name}-{i}")]
            for _ in range(rng.randrange(4)):
                history.append(note_event(history[-1]))
            append_new(store, *history)
            written += len(history)
        results.put((name, written))
    finally:
        store.close()


@pytest.fixture
def importable_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let spawned processes import this module by the name pytest gave it."""
    root = Path(__file__).resolve().parents[_desk_worker.__module__.count(".")]
    monkeypatch.syspath_prepend(str(root))


def _received(cluster: Cluster, schema: str, count: int) -> list[str]:
    """The ids of ``count`` complaints received into the store, for worker processes."""
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        desk = ComplaintDesk(store, clock=FixedClock(NOW))
        return [
            str(
                desk.receive(
                    sample_actor(),
                    complainant=sample_complainant(),
                    channel=Channel.PHONE,
                    description=f"Complaint {n}",
                ).id
            )
            for n in range(count)
        ]


@pytest.mark.usefixtures("importable_tests")
def test_processes_working_on_the_same_complaints_lose_nothing(
    cluster: Cluster, schema: str
) -> None:
    workers, commands = 4, 200
    ids = _received(cluster, schema, 5)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    results: Queue[tuple[str, list[_Command]]] = context.Queue()
    jobs = [
        {
            "conninfo": cluster.conninfo,
            "schema": schema,
            "ids": ids,
            "name": str(n),
            "commands": commands,
            "barrier": barrier,
            "results": results,
        }
        for n in range(workers)
    ]
    reports = run_processes(_desk_worker, jobs, results)
    done = [command for _, commands_done in reports for command in commands_done]
    assert len(done) == workers * commands
    ok = [c for c in done if c[3] == "ok"]
    # Without a pinned version the desk retries a conflict silently, up to its
    # conflict_retries: a command that succeeded saw at most that many conflicts, one that
    # failed saw one more. The first attempt may run on the desk's cached state without
    # reading the store first; its conflict is a catch-up, not a retry, so one more
    # conflict may come first.
    implicit = [c for c in done if not c[2]]
    retries = set(range(_WORKER_RETRIES + 2))
    assert {c[4] for c in implicit if c[3] == "ok"} <= retries
    assert {c[4] for c in implicit if c[3] == "conflict"} <= {
        _WORKER_RETRIES + 1,
        _WORKER_RETRIES + 2,
    }
    silent_retries = sum(c[4] for c in implicit if c[3] == "ok")
    assert silent_retries > 0
    # With a pinned version it never retries: a conflict the store reports reaches the caller.
    explicit = [c for c in done if c[2]]
    assert {c[4] for c in explicit if c[3] == "ok"} <= {0}
    assert {c[4] for c in explicit if c[3] == "conflict"} <= {0, 1}
    assert any(c[3] == "conflict" for c in explicit)
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        logged = [e for _, e in store.iter_events()]
        assert len(logged) == len(ids) + len(ok)
        for cid in ids:
            history = store.read(uuid.UUID(cid))
            assert [e.seq for e in history] == list(range(1, len(history) + 1))
            texts = sorted(getattr(e.payload, "text", "") for e in history[1:])
            assert texts == sorted(c[1] for c in ok if c[0] == cid)
            assert store.summary(uuid.UUID(cid)) == ComplaintSummary.of(Complaint.replay(history))
        # Each append linked itself to the one before it in position order, whichever
        # process wrote that one.
        report = verify(store)
        assert report.ok, report.finding
        assert report.events == len(logged)


@pytest.mark.usefixtures("importable_tests")
def test_a_reader_following_positions_misses_nothing_while_processes_append(
    cluster: Cluster, schema: str
) -> None:
    workers, appends = 3, 150
    PostgresEventStore(cluster.conninfo, schema=schema).close()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers + 1)
    results: Queue[tuple[str, int]] = context.Queue()
    jobs = [
        {
            "conninfo": cluster.conninfo,
            "name": f"W{n}",
            "schema": schema,
            "appends": appends,
            "barrier": barrier,
            "results": results,
        }
        for n in range(workers)
    ]
    seen: list[tuple[int, uuid.UUID, int]] = []
    polls = 0
    finished = threading.Event()
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(run_processes(_append_worker, jobs, results))
        finally:
            finished.set()

    runner = threading.Thread(target=run)
    runner.start()
    with PostgresEventStore(cluster.conninfo, schema=schema) as reader:
        barrier.wait(timeout=120)
        last = 0
        while True:
            stop = finished.is_set()  # read before polling: the last poll sees everything
            for position, event in reader.iter_events(after_position=last):
                seen.append((position, event.complaint_id, event.seq))
                last = position
            polls += 1
            if stop:
                break
            time.sleep(0.002)
        runner.join(timeout=10)
        reports = outcome[0]
        everything_logged = [(p, e.complaint_id, e.seq) for p, e in reader.iter_events()]
    assert len(everything_logged) == sum(written for _, written in reports)
    assert seen == everything_logged
    assert polls > 10  # the reader really ran alongside the writers
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        report = verify(store)
    assert report.ok, report.finding
    assert report.events == len(everything_logged)


@pytest.mark.usefixtures("importable_tests")
def test_verifications_while_processes_append_find_nothing_wrong(
    cluster: Cluster, schema: str
) -> None:
    """verify() on a store in use: new complaints and new events are not taken for tampering."""
    workers, commands = 3, 150
    ids = _received(cluster, schema, 3)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers + workers + 1)
    notes: Queue[tuple[str, list[_Command]]] = context.Queue()
    received: Queue[tuple[str, int]] = context.Queue()
    continuing = [
        {
            "conninfo": cluster.conninfo,
            "schema": schema,
            "ids": ids,
            "name": f"N{n}",
            "commands": commands,
            "barrier": barrier,
            "results": notes,
        }
        for n in range(workers)
    ]
    receiving = [
        {
            "conninfo": cluster.conninfo,
            "name": f"R{n}",
            "schema": schema,
            "appends": commands // 3,
            "barrier": barrier,
            "results": received,
        }
        for n in range(workers)
    ]
    outcome: list[Any] = []

    def run(target: Callable[..., None], jobs: list[dict[str, Any]], results: Queue[Any]) -> None:
        outcome.append(run_processes(target, jobs, results))

    runners = [
        threading.Thread(target=run, args=(_desk_worker, continuing, notes)),
        threading.Thread(target=run, args=(_append_worker, receiving, received)),
    ]
    for runner in runners:
        runner.start()
    reports = []
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        barrier.wait(timeout=120)
        while any(runner.is_alive() for runner in runners):
            reports.append(verify(store))
        for runner in runners:
            runner.join(timeout=200)
        final = verify(store)
        logged = sum(1 for _ in store.iter_events())
    assert len(outcome) == 2
    assert [r.finding for r in reports if not r.ok] == []
    assert len({r.events for r in reports}) > 1  # they saw the log grow
    assert final.ok and final.events == logged


# -- the outbox ------------------------------------------------------------------------------------


def _outbox_entry(key: str, reference: str = "CMP-2026-000001") -> OutboxEntry:
    return OutboxEntry(
        notification=Notification(
            idempotency_key=key,
            complaint_reference=reference,
            kind=NotificationKind.ACKNOWLEDGEMENT,
            recipient="ada@example.org",
            subject="Your complaint",
            text="We have it.\n",
            created_at=NOW,
        ),
        channel="smtp",
    )


def test_the_outbox_uses_postgres_types_and_partial_indexes(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    with admin(cluster) as conn:
        rows = conn.execute(
            "SELECT column_name, data_type, is_identity FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'outbox'",
            (store.schema,),
        ).fetchall()
    types = {column: (data_type, identity) for column, data_type, identity in rows}
    instant = ("timestamp with time zone", "NO")
    assert types["id"] == ("bigint", "YES")
    assert types["notification"] == ("jsonb", "NO")
    assert types["complaint_id"] == ("uuid", "NO")
    assert types["digest"] == ("boolean", "NO")
    for column in ("created_at", "deliver_after", "next_attempt_at", "delivered_at"):
        assert types[column] == instant, column
    indexes = {name: sql for name, kind, sql in catalog(cluster, store.schema) if kind == "i"}
    assert "UNIQUE" in indexes["outbox_idempotency_key_key"]
    assert (
        "WHERE ((state = 'pending'::text) AND (next_attempt_at IS NOT NULL))"
        in (indexes["outbox_due"])
    )
    assert "WHERE (state = 'pending'::text)" in indexes["outbox_lanes"]


def test_a_schema_of_version_1_gains_the_outbox_and_keeps_its_events(
    cluster: Cluster, schema: str
) -> None:
    with psycopg.connect(cluster.conninfo, autocommit=True) as conn:
        _migrate(conn, schema, "here", MIGRATIONS[:1])
    assert [v for v, _ in applied(cluster, schema)] == [1]
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        append_new(store, first := received_event())
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        assert store.read(first.complaint_id) == [first]
        assert store.outbox_enqueue([_outbox_entry("a1")]) == 1
    assert [v for v, _ in applied(cluster, schema)] == [m.version for m in MIGRATIONS]


def test_an_outbox_table_of_another_application_is_left_alone(
    cluster: Cluster, schema: str
) -> None:
    with psycopg.connect(cluster.conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"'.encode())
        conn.execute(f'CREATE TABLE "{schema}".outbox (id integer)'.encode())
    with pytest.raises(StorageError, match=r"holds tables \(outbox\) that iso10002"):
        PostgresEventStore(cluster.conninfo, schema=schema)


def test_a_claim_skips_records_locked_by_another_claim_without_waiting(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    store.outbox_enqueue([_outbox_entry(f"k{n}", f"CMP-2026-{n:06d}") for n in range(1, 5)])
    lease = _dt.timedelta(minutes=5)
    with psycopg.connect(cluster.conninfo) as other:
        # Another dispatcher's claim, still in its transaction: its rows stay locked.
        other.execute(
            f'SELECT id FROM "{store.schema}".outbox WHERE id <= 2 FOR UPDATE'.encode()
        ).fetchall()
        began = time.perf_counter()
        got = store.outbox_claim(worker="w", now=NOW, lease=lease, limit=10, channels=["smtp"])
        assert time.perf_counter() - began < 5
        assert [r.idempotency_key for r in got] == ["k3", "k4"]
        other.rollback()
    rest = store.outbox_claim(worker="w", now=NOW, lease=lease, limit=10, channels=["smtp"])
    assert [r.idempotency_key for r in rest] == ["k1", "k2"]


def test_a_lane_head_being_claimed_elsewhere_still_holds_back_its_lane(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    store.outbox_enqueue([_outbox_entry("first"), _outbox_entry("second")])
    lease = _dt.timedelta(minutes=5)
    with psycopg.connect(cluster.conninfo) as other:
        other.execute(
            f'SELECT id FROM "{store.schema}".outbox WHERE id = 1 FOR UPDATE'.encode()
        ).fetchall()
        got = store.outbox_claim(worker="w", now=NOW, lease=lease, limit=10, channels=["smtp"])
        assert got == []
        other.rollback()
    (head,) = store.outbox_claim(worker="w", now=NOW, lease=lease, limit=10, channels=["smtp"])
    assert head.idempotency_key == "first"


def test_the_claim_reads_the_pending_records_by_index(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    store.outbox_enqueue([_outbox_entry(f"k{n}", f"CMP-2026-{n:06d}") for n in range(1, 200)])
    sql = outbox_pg.outbox_sql(store.schema).claim_sql(None)
    with admin(cluster) as conn:
        conn.execute(f'ANALYZE "{store.schema}".outbox'.encode())
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(
            row[0]
            for row in conn.execute(
                f"EXPLAIN {sql}".encode(),
                (NOW.isoformat(), ["smtp"], 10, "w", NOW.isoformat(), NOW.isoformat()),
            ).fetchall()
        )
    assert "outbox_due" in plan, plan
    assert "outbox_lanes" in plan, plan
    assert "LockRows" in plan, plan


def test_an_unreadable_outbox_record_is_a_storage_error_naming_it(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    store.outbox_enqueue([_outbox_entry("a1")])
    run_sql(
        cluster,
        f'UPDATE "{store.schema}".outbox SET notification = \'{{"idempotency_key": 1}}\'',
    )
    with pytest.raises(StorageError) as caught:
        store.outbox_records(OutboxQuery())
    assert str(caught.value).startswith("outbox record 1 ('a1') cannot be read: ")
    assert "ada@example.org" not in str(caught.value)
    run_sql(cluster, f'UPDATE "{store.schema}".outbox SET schema_version = 2')
    with pytest.raises(StorageError, match="schema version 2"):
        store.outbox_record("a1")


def test_outbox_calls_on_a_closed_store_are_refused(cluster: Cluster, schema: str) -> None:
    store = PostgresEventStore(cluster.conninfo, schema=schema)
    store.close()
    with pytest.raises(StoreClosedError):
        store.outbox_counts()
    with pytest.raises(StoreClosedError):
        store.outbox_enqueue([_outbox_entry("a1")])


def test_a_naive_instant_is_refused_naming_the_field(store: PostgresEventStore) -> None:
    with pytest.raises(NaiveDatetimeError, match=r"^now: datetime must be timezone-aware"):
        store.outbox_delivered(1, now=NOW.replace(tzinfo=None))
    with pytest.raises(NaiveDatetimeError, match=r"^delivered_before"):
        store.outbox_purge(delivered_before=NOW.replace(tzinfo=None))


def test_an_append_with_notifications_is_atomic_on_the_applications_pool(
    app_pool: ConnectionPool[Any], schema: str
) -> None:
    with PostgresEventStore(app_pool, schema=schema) as store:
        first = received_event()
        store.append_many(
            [
                Append(
                    events=(first,),
                    expected_version=0,
                    summary=summary_after([first]),
                    outbox=(_outbox_entry("a1"), _outbox_entry("a1"), _outbox_entry("a2")),
                )
            ]
        )
        assert [r.idempotency_key for r in store.outbox_records(OutboxQuery())] == ["a1", "a2"]
        assert store.outbox_record("a1") is not None
        assert store.outbox_record("a1").complaint_id == first.complaint_id  # type: ignore[union-attr]


# -- personal data ---------------------------------------------------------------------------------

ADA = "Ada Lovelace"
DPO = Actor(id="dpo-1", role=Role.ADMINISTRATOR)


def personal_rows(cluster: Cluster, schema: str, complaint_id: uuid.UUID) -> list[Any]:
    """The ``personal`` column of the complaint's events, in seq order."""
    with admin(cluster) as conn:
        rows = conn.execute(
            f'SELECT personal FROM "{schema}".events WHERE stream_id = %s ORDER BY seq'.encode(),
            (complaint_id,),
        ).fetchall()
    return [row[0] for row in rows]


def notify(store: PostgresEventStore, complaint_id: uuid.UUID, key: str) -> None:
    """A note on the complaint, with a notification written in the same transaction."""
    history = store.read(complaint_id)
    note = note_event(history[-1], "Letter sent.")
    summary = store.summary(complaint_id)
    assert summary is not None
    outbox = (_outbox_entry(key, summary.reference),)
    summary = attrs.evolve(summary, version=note.seq, updated_at=note.occurred_at)
    store.append_many(
        [Append(events=(note,), expected_version=note.seq - 1, summary=summary, outbox=outbox)]
    )


def test_payloads_are_stored_sealed_and_read_back_whole(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    desk = ComplaintDesk(store, clock=FixedClock(NOW))
    done = full_lifecycle(desk, reference="P-1", complainant=sample_complainant(ADA))
    with admin(cluster) as conn:
        payload, personal = conn.execute(
            f'SELECT payload, personal FROM "{store.schema}".events WHERE seq = 1'.encode()
        ).fetchone()  # type: ignore[misc]
    assert ADA not in str(payload)
    assert set(payload["complainant"]["name"]) == {"$personal"}
    salt, value = personal["complainant.name"]
    assert (len(salt), value) == (32, ADA)
    history = store.read(done.id)
    assert history == desk.history("P-1")
    assert history[0].payload.complainant.name == ADA  # type: ignore[union-attr]
    assert isinstance(store, PersonalDataStore)


def test_an_erasure_clears_the_complaints_values_and_notifications_only(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    desk = ComplaintDesk(store, clock=FixedClock(NOW))
    done = full_lifecycle(desk, reference="P-1", complainant=sample_complainant(ADA))
    other = full_lifecycle(desk, reference="P-2", complainant=sample_complainant(ADA))
    notify(store, done.id, "p1")
    notify(store, other.id, "p2")
    held = personal_rows(cluster, store.schema, other.id)
    erased = desk.erase_personal_data("P-1", DPO, reason="erasure request")
    assert erased.complainant.name == ERASED
    assert personal_rows(cluster, store.schema, done.id) == [None] * (done.version + 2)
    assert personal_rows(cluster, store.schema, other.id) == held
    assert [r.idempotency_key for r in store.outbox_records(OutboxQuery())] == ["p2"]
    assert store.find_subject(SubjectMatch(email="ADA@example.org")) == [other.id]
    last = store.read(done.id)[-1]
    assert isinstance(last.payload, PersonalDataErased)
    assert verify(store).ok


def test_an_erasure_in_a_batch_clears_what_the_batch_wrote_before_it(
    store: PostgresEventStore, tmp_path: Path
) -> None:
    """As on SQLite: ``erase`` clears the values written so far, this batch's included."""
    first = received_event()
    note = note_event(first, "Rang the complainant.")
    last = note_event(note, "Written after the erasure.")
    with SQLiteEventStore(tmp_path / "same.db") as sqlite:
        for target in (store, sqlite):
            target.append([first], expected_version=0, summary=summary_after([first]))
            append_all(
                target,
                [
                    Append(
                        events=(note,), expected_version=1, summary=summary_after([first, note])
                    ),
                    Append(
                        events=(last,),
                        expected_version=2,
                        summary=summary_after([first, note, last]),
                        erase=True,
                    ),
                ],
            )
        ours = store.read(first.complaint_id)
        assert [e.payload for e in ours] == [e.payload for e in sqlite.read(first.complaint_id)]
    assert [getattr(e.payload, "text", None) for e in ours] == [
        None,
        ERASED,
        "Written after the erasure.",
    ]


def test_finding_a_subject_reads_in_batches_and_skips_erased_complaints(
    store: PostgresEventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = ComplaintDesk(store, clock=FixedClock(NOW))
    mine = [
        full_lifecycle(desk, complainant=sample_complainant(ADA, email=f"{c}da@example.org"))
        for c in "aAa"
    ]
    full_lifecycle(desk, complainant=sample_complainant("Grace Hopper", email="g@example.org"))
    monkeypatch.setattr(postgres_module, "_SUBJECT_BATCH", 2)
    found = store.find_subject(SubjectMatch(email="ada@EXAMPLE.org"))
    assert sorted(found) == sorted(c.id for c in mine)
    desk.erase_personal_data(mine[0].id, DPO, reason="erasure request")
    assert sorted(store.find_subject(SubjectMatch(email="ada@example.org"))) == sorted(
        c.id for c in mine[1:]
    )
    with pytest.raises(ValidationError) as caught:
        store.find_subject("ada@example.org")  # type: ignore[arg-type]
    assert caught.value.field == "match"


def test_a_stale_erasure_clears_nothing(store: PostgresEventStore, cluster: Cluster) -> None:
    desk = ComplaintDesk(store, clock=FixedClock(NOW))
    done = full_lifecycle(desk, reference="P-1", complainant=sample_complainant(ADA))
    notify(store, done.id, "p1")
    history = store.read(done.id)
    summary = store.summary(done.id)
    assert summary is not None
    stale = Append(
        events=(history[-1],), expected_version=len(history) - 1, summary=summary, erase=True
    )
    before = everything(cluster, store.schema)
    with pytest.raises(ConcurrencyConflict):
        store.append_many([stale])
    assert everything(cluster, store.schema) == before
    assert [r.idempotency_key for r in store.outbox_records(OutboxQuery())] == ["p1"]
    assert store.read(done.id)[0].payload.complainant.name == ADA  # type: ignore[union-attr]


# -- access denials --------------------------------------------------------------------------------


def _denial(**overrides: object) -> DenialRecord:
    fields: dict[str, object] = {
        "at": NOW,
        "actor_id": "fl-1",
        "role": Role.FRONT_LINE,
        "action": Action.DECIDE,
        "complaint_id": uuid.UUID("00000000-0000-4000-8000-000000000001"),
        "reference": "CMP-2026-000001",
        "reason": "the front_line role is not granted decide",
    }
    fields.update(overrides)
    return DenialRecord(**fields)  # type: ignore[arg-type]


def test_a_desk_records_its_denials_in_the_database(cluster: Cluster, schema: str) -> None:
    from tests.access.support import ACTORS, prepare

    clock = FixedClock(NOW)
    front_line = ACTORS[Role.FRONT_LINE]
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        assert isinstance(store, DenialStore)
        desk = ComplaintDesk(store, clock=clock, authorizer=RoleBasedAuthorizer())
        assert isinstance(desk.access_log, StoreAccessLog)
        c = prepare(ComplaintDesk(store, clock=clock), "investigating")
        with pytest.raises(PermissionDenied):
            desk.decide(
                c.reference, front_line, Decision(outcome=Outcome.NOT_UPHELD, reasons="No fault.")
            )
        clock.advance(_dt.timedelta(minutes=5))
        with pytest.raises(PermissionDenied):
            desk.query(actor=ACTORS[Role.COMPLAINANT])
    expected = [
        _denial(complaint_id=c.id, reference=c.reference),
        DenialRecord(
            at=NOW + _dt.timedelta(minutes=5),
            actor_id=ACTORS[Role.COMPLAINANT].id,
            role=Role.COMPLAINANT,
            action=Action.QUERY,
            reason="the complainant role is not granted query",
        ),
    ]
    with PostgresEventStore(cluster.conninfo, schema=schema) as reopened:
        assert reopened.denials() == expected
        assert reopened.denials(since=NOW + _dt.timedelta(minutes=1)) == expected[1:]
        assert reopened.denials(limit=1) == expected[:1]
        rows = str(reopened.select("SELECT * FROM access_denials"))
    for personal in ("Olive Owner", "olive.owner@example.org", "Fran Frontline"):
        assert personal not in rows


def test_denials_are_listed_by_instant_whatever_the_offset(store: PostgresEventStore) -> None:
    india = _dt.timezone(_dt.timedelta(hours=5, minutes=30))
    later = _denial(at=NOW.astimezone(india) + _dt.timedelta(seconds=1), action=Action.CLOSE)
    store.record_denial(later)
    store.record_denial(_denial(complaint_id=None, reference=None, actor_id=None, role=None))
    listed = store.denials()
    assert [d.action for d in listed] == [Action.DECIDE, Action.CLOSE]
    assert listed[1].at == later.at and listed[1].at.tzinfo == _dt.timezone.utc
    assert listed[0].complaint_id is None and listed[0].role is None
    assert store.denials(since=later.at) == [listed[1]]


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"since": NOW.replace(tzinfo=None)}, NaiveDatetimeError, "since"),
        ({"since": "2026-03-02"}, ValidationError, "since"),
        ({"limit": 0}, ValidationError, "limit"),
        ({"limit": True}, ValidationError, "limit"),
    ],
)
def test_listing_denials_checks_its_arguments(
    store: PostgresEventStore, kwargs: dict[str, object], error: type[ValidationError], field: str
) -> None:
    with pytest.raises(error) as caught:
        store.denials(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_only_denial_records_are_kept(store: PostgresEventStore) -> None:
    with pytest.raises(ValidationError) as caught:
        store.record_denial("denied")  # type: ignore[arg-type]
    assert caught.value.field == "denial"
    assert store.denials() == []


def test_an_unreadable_denial_row_is_a_storage_error_naming_it(
    store: PostgresEventStore, cluster: Cluster
) -> None:
    store.record_denial(_denial())
    run_sql(cluster, f"UPDATE \"{store.schema}\".access_denials SET action = 'fly'")
    with pytest.raises(StorageError, match="access denial 1 cannot be read: 'fly'"):
        store.denials()


def test_a_schema_of_version_5_gains_the_denials_and_keeps_its_events(
    cluster: Cluster, schema: str
) -> None:
    with psycopg.connect(cluster.conninfo, autocommit=True) as conn:
        _migrate(conn, schema, "here", MIGRATIONS[:5])
    assert [v for v, _ in applied(cluster, schema)] == [1, 2, 3, 4, 5]
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        store.record_denial(_denial())
        assert store.denials() == [_denial()]
    assert [v for v, _ in applied(cluster, schema)] == [m.version for m in MIGRATIONS]


def test_a_denials_table_of_another_application_is_left_alone(
    cluster: Cluster, schema: str
) -> None:
    with psycopg.connect(cluster.conninfo, autocommit=True) as conn:
        _migrate(conn, schema, "here", MIGRATIONS[:5])
        conn.execute(f'CREATE TABLE "{schema}".access_denials (id integer)'.encode())
    before = catalog(cluster, schema)
    with pytest.raises(StorageError, match='relation "access_denials" already exists'):
        PostgresEventStore(cluster.conninfo, schema=schema)
    assert catalog(cluster, schema) == before
    assert [v for v, _ in applied(cluster, schema)] == [1, 2, 3, 4, 5]
    other = fresh_schema()
    run_sql(cluster, f'CREATE SCHEMA "{other}" AUTHORIZATION {cluster.user}')
    run_sql(cluster, f'CREATE TABLE "{other}".access_denials (id integer)')
    with pytest.raises(StorageError, match=r"holds tables \(access_denials\) that iso10002"):
        PostgresEventStore(cluster.conninfo, schema=other)
