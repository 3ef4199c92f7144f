"""
verify() on the PostgreSQL store, tampered with through SQL as another tool would, on the
throwaway server of :mod:`tests.storage.pg_cluster`. The history is the one of
:mod:`tests.integrity.test_verify_sqlite`, so the same positions name the same events.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from iso10002.cli import main
from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import CorruptRecord, StorageError, ValidationError
from iso10002.integrity import GENESIS, Hasher, Problem, VerificationReport, canonical_bytes, verify
from iso10002.model.events import Event
from iso10002.storage import postgres as postgres_module
from iso10002.storage.base import ChainedStore, ChainRecord
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import (
    SAMPLE_START,
    full_lifecycle,
    note_event,
    sample_actor,
    summary_after,
)
from tests.integrity.test_verify_sqlite import KEY
from tests.storage.pg_cluster import Cluster
from tests.storage.test_postgres import _free_port, admin, applied, fresh_schema, run_sql


def fill(store: PostgresEventStore) -> None:
    """Three complete lifecycles (positions 1-13, 14-26, 27-39), then a note on the first (40)."""
    desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
    first = full_lifecycle(desk, reference="CMP-1")
    full_lifecycle(desk, reference="CMP-2")
    full_lifecycle(desk, reference="CMP-3")
    desk.add_note(first.id, sample_actor(), "One more thing.")


def build(cluster: Cluster, key: bytes | None = None) -> str:
    """A new schema holding the history of :func:`fill`."""
    schema = fresh_schema()
    with PostgresEventStore(cluster.conninfo, schema=schema, integrity_key=key) as store:
        fill(store)
    return schema


def check(cluster: Cluster, schema: str, key: bytes | None = None) -> VerificationReport:
    with PostgresEventStore(cluster.conninfo, schema=schema, integrity_key=key) as store:
        return verify(store)


def tamper(cluster: Cluster, schema: str, *statements: str) -> None:
    """Run ``statements`` (``{s}`` is the quoted schema) as another tool would, in one go."""
    with admin(cluster) as conn, conn.transaction():
        for statement in statements:
            conn.execute(statement.format(s=f'"{schema}"').encode())


def links(cluster: Cluster, schema: str) -> list[tuple[str | None, str | None]]:
    with admin(cluster) as conn:
        rows = conn.execute(
            f'SELECT hash, chain FROM "{schema}".events ORDER BY position'.encode()
        ).fetchall()
    return [(row[0], row[1]) for row in rows]


@pytest.fixture
def cluster(postgres_cluster: Cluster) -> Cluster:
    return postgres_cluster


@pytest.fixture
def schema(cluster: Cluster) -> str:
    return build(cluster)


def where(report: VerificationReport) -> tuple[Problem, int | None, str | None, int | None]:
    finding = report.finding
    assert finding is not None, "the tampering went unnoticed"
    return finding.problem, finding.position, finding.reference, finding.seq


# -- an intact store -------------------------------------------------------------------------


def test_an_untouched_store_is_intact(cluster: Cluster, schema: str) -> None:
    report = check(cluster, schema)
    assert report.ok
    assert (report.events, report.last_position, report.keyed) == (40, 40, False)
    assert report.head == links(cluster, schema)[-1][1]


@pytest.mark.xfail(
    strict=True,
    reason="the SQLite store hashes payloads sealed of personal data; PostgreSQL does not seal yet",
)
@pytest.mark.parametrize("key", [None, KEY])
def test_the_links_are_those_the_sqlite_store_makes_of_the_same_events(
    cluster: Cluster, tmp_path: Path, key: bytes | None
) -> None:
    schema = build(cluster, key)
    with (
        PostgresEventStore(cluster.conninfo, schema=schema, integrity_key=key) as pg,
        SQLiteEventStore(tmp_path / "copy.db", integrity_key=key) as sqlite,
    ):
        histories: dict[uuid.UUID, list[Event]] = {}
        for _, event in pg.iter_events():
            history = histories.setdefault(event.complaint_id, [])
            history.append(event)
            sqlite.append(
                [event],
                expected_version=event.seq - 1,
                summary=summary_after(history),
            )
        ours = [(r.position, r.hash, r.chain) for r in pg.iter_chain()]
        theirs = [(r.position, r.hash, r.chain) for r in sqlite.iter_chain()]
    assert len(ours) == 40
    assert ours == theirs


def test_the_stored_links_follow_the_definition(cluster: Cluster, schema: str) -> None:
    """Recomputed here from the decoded events: no hash is taken over the stored text."""
    hasher = Hasher()
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        assert isinstance(store, ChainedStore)
        records = list(store.iter_chain())
    heads: dict[str, str] = {}
    chain = GENESIS
    for r in records:
        assert r.event is not None
        digest = hasher.event_hash(heads.get(r.complaint_id, GENESIS), canonical_bytes(r.event))
        heads[r.complaint_id] = digest
        chain = hasher.chain_hash(chain, digest)
        assert (r.hash, r.chain) == (digest, chain), r.position


def test_iter_chain_reads_in_batches_from_a_position(
    cluster: Cluster, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_module, "_READ_BATCH", 3)
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        records = list(store.iter_chain(after_position=30))
        assert [r.position for r in records] == list(range(31, 41))
        assert [(p, e) for p, e in store.iter_events(after_position=30)] == [
            (r.position, r.event) for r in records
        ]
    assert [(r.hash, r.chain) for r in records] == links(cluster, schema)[30:]


# -- tampering -------------------------------------------------------------------------------


def test_a_changed_payload_is_named(cluster: Cluster, schema: str) -> None:
    # Position 20 is CMP-2's note "The direct debit ran twice on 1 March."
    tamper(
        cluster,
        schema,
        "UPDATE {s}.events SET payload = replace(payload::text, 'twice', 'once')::jsonb "
        "WHERE position = 20",
    )
    assert where(check(cluster, schema)) == (Problem.ALTERED, 20, "CMP-2", 7)


def test_a_row_that_cannot_be_read_back_is_named(cluster: Cluster, schema: str) -> None:
    tamper(
        cluster, schema, """UPDATE {s}.events SET payload = '{{"text": 42}}' WHERE position = 20"""
    )
    report = check(cluster, schema)
    assert where(report) == (Problem.ALTERED, 20, "CMP-2", 7)
    assert report.finding is not None
    assert "cannot be read back: $.payload.text" in report.finding.detail


def test_a_deleted_row_is_named(cluster: Cluster, schema: str) -> None:
    tamper(cluster, schema, "DELETE FROM {s}.events WHERE position = 17")
    assert where(check(cluster, schema)) == (Problem.MISSING, 17, "CMP-2", 4)


def test_an_inserted_row_is_named(cluster: Cluster, schema: str) -> None:
    tamper(
        cluster,
        schema,
        "INSERT INTO {s}.events (stream_id, seq, type, schema_version, occurred_at, actor, "
        "state, payload) SELECT stream_id, 15, type, schema_version, occurred_at, actor, state, "
        "payload FROM {s}.events WHERE position = 40",
    )
    assert where(check(cluster, schema)) == (Problem.INSERTED, 41, "CMP-1", 15)


def test_an_inserted_row_with_a_copied_hash_is_altered(cluster: Cluster, schema: str) -> None:
    tamper(
        cluster,
        schema,
        "INSERT INTO {s}.events (stream_id, seq, type, schema_version, occurred_at, actor, "
        "state, payload, hash, chain) SELECT stream_id, 15, type, schema_version, occurred_at, "
        "actor, state, payload, hash, chain FROM {s}.events WHERE position = 40",
    )
    assert where(check(cluster, schema)) == (Problem.ALTERED, 41, "CMP-1", 15)


def test_two_swapped_seqs_are_reordered(cluster: Cluster, schema: str) -> None:
    tamper(
        cluster,
        schema,
        "UPDATE {s}.events SET seq = 1000 WHERE position = 30",
        "UPDATE {s}.events SET seq = 4 WHERE position = 31",
        "UPDATE {s}.events SET seq = 5 WHERE position = 30",
    )
    assert where(check(cluster, schema)) == (Problem.REORDERED, 30, "CMP-3", 5)


def test_a_vanished_complaint_is_named_by_its_positions(cluster: Cluster, schema: str) -> None:
    cid = "(SELECT id FROM {s}.complaints WHERE reference = 'CMP-2')"
    tamper(
        cluster,
        schema,
        f"DELETE FROM {{s}}.events WHERE stream_id = {cid}",
        "DELETE FROM {s}.complaints WHERE reference = 'CMP-2'",
    )
    report = check(cluster, schema)
    assert where(report) == (Problem.MISSING, 14, None, None)
    assert report.finding is not None
    assert "14 to 26" in report.finding.detail


def test_the_last_events_of_a_complaint_deleted_are_found_by_its_summary(
    cluster: Cluster, schema: str
) -> None:
    tamper(cluster, schema, "DELETE FROM {s}.events WHERE position = 40")
    assert where(check(cluster, schema)) == (Problem.MISSING, None, "CMP-1", 14)


def test_an_edited_chain_value_breaks_the_chain(cluster: Cluster, schema: str) -> None:
    tamper(cluster, schema, f"UPDATE {{s}}.events SET chain = '{'ab' * 32}' WHERE position = 5")
    assert where(check(cluster, schema)) == (Problem.CHAIN_BROKEN, 5, "CMP-1", 5)


def rewrite_links_without_key(cluster: Cluster, schema: str) -> None:
    """What someone with write access but no key can do: recompute every hash."""
    hasher = Hasher()
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        records = list(store.iter_chain())
    heads: dict[str, str] = {}
    chain = GENESIS
    rows = []
    for r in records:
        assert r.event is not None
        digest = hasher.event_hash(heads.get(r.complaint_id, GENESIS), canonical_bytes(r.event))
        heads[r.complaint_id] = digest
        chain = hasher.chain_hash(chain, digest)
        rows.append((digest, chain, r.position))
    with admin(cluster) as conn, conn.cursor() as cursor:
        cursor.executemany(
            f'UPDATE "{schema}".events SET hash = %s, chain = %s WHERE position = %s'.encode(),
            rows,
        )


def test_hashes_rewritten_without_the_key_are_forged(cluster: Cluster) -> None:
    schema = build(cluster, KEY)
    report = check(cluster, schema, KEY)
    assert report.ok and report.keyed and report.events == 40
    assert where(check(cluster, schema)) == (Problem.ALTERED, 1, "CMP-1", 1)  # HMACs, not SHA-256
    tamper(
        cluster,
        schema,
        "UPDATE {s}.events SET payload = replace(payload::text, '42.50', '4.25')::jsonb",
    )
    assert where(check(cluster, schema, KEY)) == (Problem.ALTERED, 9, "CMP-1", 9)
    rewrite_links_without_key(cluster, schema)
    assert check(cluster, schema).ok  # consistent again, for anyone without the key
    assert where(check(cluster, schema, KEY)) == (Problem.FORGED, 1, "CMP-1", 1)


def test_a_store_opened_without_its_key_appends_links_that_look_forged(cluster: Cluster) -> None:
    schema = build(cluster, KEY)
    with PostgresEventStore(cluster.conninfo, schema=schema) as careless:
        ComplaintDesk(careless, clock=FixedClock(SAMPLE_START)).add_note(
            "CMP-2", sample_actor(), "Written without the key."
        )
    assert where(check(cluster, schema, KEY)) == (Problem.FORGED, 41, "CMP-2", 14)


# -- a store in use --------------------------------------------------------------------------


def _meanwhile(store: PostgresEventStore) -> None:
    desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
    desk.add_note("CMP-2", sample_actor(), "Meanwhile.")
    full_lifecycle(desk, reference="CMP-4")


class _BusyStore(PostgresEventStore):
    """Commands arrive while verify() walks the log: after it has read where the log ends."""

    meanwhile: Callable[[PostgresEventStore], None] | None = None

    def iter_chain(self, *, after_position: int = 0) -> Iterator[ChainRecord]:
        records = super().iter_chain(after_position=after_position)
        yield next(records)
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile is not None:
            meanwhile(self)
        yield from records


def test_complaints_continued_or_received_during_a_verification_are_not_missing(
    cluster: Cluster, schema: str
) -> None:
    with _BusyStore(cluster.conninfo, schema=schema) as store:
        store.meanwhile = _meanwhile
        report = verify(store)
        assert report.ok, report.finding
        assert (report.events, report.last_position) == (40, 40)
        again = verify(store)
        assert again.ok and again.events == 54


def test_a_missing_event_is_not_hidden_by_a_later_one_appended_meanwhile(
    cluster: Cluster, schema: str
) -> None:
    tamper(cluster, schema, "DELETE FROM {s}.events WHERE position = 40")

    def continue_cmp_1(store: PostgresEventStore) -> None:
        cid = store.id_for_reference("CMP-1")
        assert cid is not None
        (*_, last) = store.read(cid)
        after = note_event(attrs.evolve(last, seq=14), "Seq 15, with seq 14 gone.")
        summary = store.summary(cid)
        assert summary is not None and summary.version == 14
        store.append([after], expected_version=14, summary=attrs.evolve(summary, version=15))

    with _BusyStore(cluster.conninfo, schema=schema) as store:
        store.meanwhile = continue_cmp_1
        assert where(verify(store)) == (Problem.MISSING, None, "CMP-1", 14)
        assert store.version(store.id_for_reference("CMP-1")) == 15  # type: ignore[arg-type]


# -- upgrading -------------------------------------------------------------------------------


def drop_the_chains(cluster: Cluster, schema: str) -> None:
    """Take the schema back to version 2, as a store of the previous release left it."""
    tamper(
        cluster,
        schema,
        "ALTER TABLE {s}.events DROP COLUMN hash, DROP COLUMN chain",
        "DELETE FROM {s}.schema_migrations WHERE version = 3",
    )


def test_a_schema_of_version_2_gets_its_links_on_opening(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = build(cluster, KEY)
    written = links(cluster, schema)
    drop_the_chains(cluster, schema)
    # Batches of 6 split complaints, so that some links continue from rows already updated.
    monkeypatch.setattr(postgres_module, "_READ_BATCH", 6)
    report = check(cluster, schema, KEY)
    assert report.ok and report.events == 40
    assert links(cluster, schema) == written  # the same links the appends had made
    assert [v for v, _ in applied(cluster, schema)] == [1, 2, 3]


def test_an_unreadable_event_stops_the_upgrade_and_names_it(cluster: Cluster, schema: str) -> None:
    drop_the_chains(cluster, schema)
    tamper(
        cluster, schema, """UPDATE {s}.events SET payload = '{{"text": 42}}' WHERE position = 20"""
    )
    with pytest.raises(CorruptRecord) as caught:
        PostgresEventStore(cluster.conninfo, schema=schema)
    assert (caught.value.complaint, caught.value.seq) == ("CMP-2", 7)
    assert "cannot be linked into the integrity chains" in str(caught.value)
    assert [v for v, _ in applied(cluster, schema)] == [1, 2]
    with admin(cluster) as conn:
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'events'",
            (schema,),
        ).fetchall()
    assert ("hash",) not in columns


# -- opening ---------------------------------------------------------------------------------


def test_a_store_that_must_not_create_refuses_an_empty_schema(cluster: Cluster) -> None:
    schema = fresh_schema()
    with pytest.raises(StorageError, match=f"schema {schema} holds no iso10002 store"):
        PostgresEventStore(cluster.conninfo, schema=schema, create=False)
    with admin(cluster) as conn:
        assert (
            conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
            is None
        )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"integrity_key": ""}, "key: must be non-empty bytes or None"),
        ({"integrity_key": "text"}, "key: must be non-empty bytes or None"),
        ({"create": "no"}, "create: must be True or False, got 'no'"),
    ],
)
def test_bad_arguments_are_refused_before_connecting(
    arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        PostgresEventStore("host=127.0.0.1 port=1 dbname=complaints", **arguments)


# -- the command -----------------------------------------------------------------------------


def uri(cluster: Cluster) -> str:
    return (
        f"postgresql://{cluster.user}:{cluster.password}@{cluster.host}:{cluster.port}/"
        f"{cluster.dbname}"
    )


def test_the_command_passes_an_intact_store(
    cluster: Cluster, schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--db", uri(cluster), "--schema", schema]) == 0
    out = capsys.readouterr().out
    assert out.startswith("intact: 40 events (SHA-256, no key); head 40 ")


def test_the_command_names_the_first_bad_record_and_not_the_password(
    cluster: Cluster, schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(cluster, schema, "DELETE FROM {s}.events WHERE position = 17")
    assert main(["verify", "--db", uri(cluster), "--schema", schema]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"iso10002: error: {cluster.user}@{cluster.host}:{cluster.port}/{cluster.dbname} "
        f"(schema {schema}): position 17, complaint CMP-2, seq 4: missing"
    )
    assert cluster.password not in err


def test_the_command_reads_the_key_file(
    cluster: Cluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = build(cluster, KEY)
    key_file = tmp_path / "key"
    key_file.write_bytes(KEY + b"\n")
    command = ["verify", "--db", uri(cluster), "--schema", schema]
    assert main([*command, "--key-file", str(key_file)]) == 0
    assert "HMAC-SHA256" in capsys.readouterr().out
    assert main(command) == 1
    assert "position 1, complaint CMP-1, seq 1: altered" in capsys.readouterr().err


def test_a_role_that_may_only_read_can_verify(
    cluster: Cluster, schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    role = f"auditor_{schema}"
    run_sql(cluster, f"CREATE ROLE {role} LOGIN PASSWORD 'auditor-pass'")
    run_sql(cluster, f'GRANT USAGE ON SCHEMA "{schema}" TO {role}')
    run_sql(cluster, f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {role}')
    db = f"postgresql://{role}:auditor-pass@{cluster.host}:{cluster.port}/{cluster.dbname}"
    assert main(["verify", "--db", db, "--schema", schema]) == 0
    assert capsys.readouterr().out.startswith("intact: 40 events")


def test_the_command_leaves_a_database_without_a_store_alone(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = fresh_schema()
    assert main(["verify", "--db", uri(cluster), "--schema", schema]) == 1
    err = capsys.readouterr().err
    assert f"schema {schema} holds no iso10002 store" in err
    assert cluster.password not in err
    with admin(cluster) as conn:
        assert (
            conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
            is None
        )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--db", "complaints.db", "--schema", "x"], "--schema: applies to a PostgreSQL database"),
        (["--db", "postgresql://app@127.0.0.1:1/x", "--schema", "X"], "--schema: must be a lower"),
        (["--db", "postgresql://[oops/x"], "--db: is not a valid libpq connection string or URI"),
    ],
)
def test_the_command_refuses_bad_options(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", *argv]) == 2
    assert message in capsys.readouterr().err


def test_the_command_reports_an_unreachable_server_without_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = _free_port()
    assert main(["verify", "--db", f"postgres://app:s3cret-Pa55@127.0.0.1:{port}/x"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"iso10002: error: PostgreSQL store app@127.0.0.1:{port}/x ")
    assert "Connection refused" in err
    assert "s3cret-Pa55" not in err
