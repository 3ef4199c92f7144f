"""
verify() on the PostgreSQL store, tampered with through SQL as another tool would, on the
throwaway server of :mod:`tests.storage.pg_cluster`. The history is the one of
:mod:`tests.integrity.test_verify_sqlite`, so the same positions name the same events.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from psycopg.types.json import Jsonb

from iso10002.cli import main
from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import CorruptRecord, StorageError, ValidationError
from iso10002.integrity import GENESIS, Hasher, Problem, VerificationReport, canonical_bytes, verify
from iso10002.model.events import Event
from iso10002.model.values import Actor, Role
from iso10002.privacy import sealing
from iso10002.privacy.sealing import markers
from iso10002.serialization import dumps
from iso10002.storage._sql import rewrite as postgres_rewrite
from iso10002.storage.base import ChainedStore, ChainRecord
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.postgres import store as postgres_module
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
from tests.storage.test_postgres import (
    _free_port,
    admin,
    applied,
    everything,
    fresh_schema,
    run_sql,
)

DPO = Actor(id="dpo-1", role=Role.ADMINISTRATOR)
ALL_VERSIONS = list(range(1, PostgresEventStore.SCHEMA_VERSION + 1))


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


def erase(cluster: Cluster, schema: str, reference: str, key: bytes | None = None) -> None:
    with PostgresEventStore(cluster.conninfo, schema=schema, integrity_key=key) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        desk.erase_personal_data(reference, DPO, reason="erasure request")


def personal_of(cluster: Cluster, schema: str, reference: str) -> dict[int, Any]:
    """The personal values held for the complaint's events, by position."""
    with admin(cluster) as conn:
        rows = conn.execute(
            f'SELECT e.position, e.personal FROM "{schema}".events e JOIN "{schema}".complaints '
            "c ON c.id = e.stream_id WHERE c.reference = %s AND e.personal IS NOT NULL".encode(),
            (reference,),
        ).fetchall()
    return {int(position): personal for position, personal in rows}


@pytest.fixture
def cluster(postgres_cluster: Cluster) -> Cluster:
    return postgres_cluster


@pytest.fixture
def fixed_salts(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """
    Salts 0, 1, 2, … instead of random ones, so that sealing the same events in the same order
    gives the same commitments; calling the result starts again from 0.
    """
    counter = itertools.count()

    def salt() -> str:
        return f"{next(counter):032x}"

    def restart() -> None:
        nonlocal counter
        counter = itertools.count()

    monkeypatch.setattr(sealing, "_random_salt", salt)
    return restart


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


@pytest.mark.parametrize("key", [None, KEY])
def test_the_links_are_those_the_sqlite_store_makes_of_the_same_events(
    cluster: Cluster, tmp_path: Path, key: bytes | None, fixed_salts: Callable[[], None]
) -> None:
    """The same events sealed with the same salts: the same sealed payloads, the same links."""
    schema = build(cluster, key)
    fixed_salts()
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
        ours = [(r.position, r.hash, r.chain, r.payload, r.personal) for r in pg.iter_chain()]
        theirs = [(r.position, r.hash, r.chain, r.payload, r.personal) for r in sqlite.iter_chain()]
    assert len(ours) == 40
    assert ours == theirs


def test_the_stored_links_follow_the_definition(cluster: Cluster, schema: str) -> None:
    """
    Recomputed here from the decoded events and their sealed payloads: no hash is taken over
    the stored text, nor over a personal value.
    """
    hasher = Hasher()
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        assert isinstance(store, ChainedStore)
        records = list(store.iter_chain())
    heads: dict[str, str] = {}
    chain = GENESIS
    sealed = 0
    for r in records:
        assert r.event is not None and r.payload is not None
        found = markers(r.event.payload.type, r.payload)
        assert set(found) == set(r.personal or {}), r.position
        sealed += bool(found)
        data = canonical_bytes(r.event, r.payload)
        digest = hasher.event_hash(heads.get(r.complaint_id, GENESIS), data)
        heads[r.complaint_id] = digest
        chain = hasher.chain_hash(chain, digest)
        assert (r.hash, r.chain) == (digest, chain), r.position
    assert sealed == 19  # of 40 events, those with text about or by the complainant


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
    # Position 20 is CMP-2's note "The direct debit ran twice on 1 March.": its sealed payload
    # holds the commitment to the text, which the hash covers.
    tamper(
        cluster,
        schema,
        "UPDATE {s}.events SET payload = jsonb_set(payload, '{{text,$personal}}', "
        "to_jsonb(repeat('0', 64))) WHERE position = 20",
    )
    report = check(cluster, schema)
    assert where(report) == (Problem.ALTERED, 20, "CMP-2", 7)
    assert report.finding is not None
    assert report.finding.detail == "the event does not match its hash"


def test_a_changed_amount_is_named(cluster: Cluster, schema: str) -> None:
    tamper(
        cluster,
        schema,
        "UPDATE {s}.events SET payload = replace(payload::text, '42.50', '4.25')::jsonb",
    )
    assert where(check(cluster, schema)) == (Problem.ALTERED, 9, "CMP-1", 9)


# -- personal data ---------------------------------------------------------------------------


def test_the_payloads_hold_no_personal_value(cluster: Cluster, schema: str) -> None:
    with admin(cluster) as conn:
        payloads, personal = conn.execute(
            f"SELECT string_agg(payload::text, ' '), string_agg(personal::text, ' ') "
            f'FROM "{schema}".events'.encode()
        ).fetchone()  # type: ignore[misc]
    for value in ("ran twice", "Ada Lovelace"):
        assert value not in payloads
        assert value in personal


def test_a_changed_personal_value_is_named(cluster: Cluster, schema: str) -> None:
    tamper(
        cluster,
        schema,
        "UPDATE {s}.events SET personal = replace(personal::text, 'twice', 'once')::jsonb "
        "WHERE position = 20",
    )
    report = check(cluster, schema)
    assert where(report) == (Problem.ALTERED, 20, "CMP-2", 7)
    assert report.finding is not None
    assert report.finding.detail == "the personal value at text does not match its commitment"
    assert report.events == 19  # every event before it is intact


def test_a_personal_value_moved_to_another_event_is_named(cluster: Cluster, schema: str) -> None:
    # Position 33 is CMP-3's note: the same path, another salt and commitment.
    tamper(
        cluster,
        schema,
        "UPDATE {s}.events SET personal = (SELECT personal FROM {s}.events WHERE position = 20) "
        "WHERE position = 33",
    )
    assert where(check(cluster, schema)) == (Problem.ALTERED, 33, "CMP-3", 7)


def test_personal_values_removed_without_an_erasure_are_missing(
    cluster: Cluster, schema: str
) -> None:
    tamper(cluster, schema, "UPDATE {s}.events SET personal = NULL WHERE position = 20")
    report = check(cluster, schema)
    assert where(report) == (Problem.MISSING, 20, "CMP-2", 7)
    assert report.finding is not None
    assert report.finding.detail == "the personal value at text was removed; no erasure is recorded"
    assert report.events == 40  # every hash held: only the personal value is gone


def test_one_of_several_personal_values_removed_is_missing(cluster: Cluster, schema: str) -> None:
    # Position 14 is CMP-2's receipt: the complainant's name, contact details, description, ...
    tamper(
        cluster,
        schema,
        "UPDATE {s}.events SET personal = personal - 'complainant.name' WHERE position = 14",
    )
    report = check(cluster, schema)
    assert where(report) == (Problem.MISSING, 14, "CMP-2", 1)
    assert report.finding is not None
    assert report.finding.detail == (
        "the personal value at complainant.name was removed, not erased"
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("[1, 2]", "$.personal: expected an object"),
        ('"just text"', "$.personal: not valid JSON"),
        ('{"complainant.name": "no salt"}', "$.personal.complainant.name: expected [salt, value]"),
        ('{"complainant.name": [1, "Ada"]}', "$.personal.complainant.name: expected [salt, value]"),
    ],
)
def test_a_broken_personal_column_is_refused_by_name(
    cluster: Cluster, schema: str, value: str, reason: str
) -> None:
    run_sql(cluster, f'UPDATE "{schema}".events SET personal = %s WHERE position = 1', (value,))
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        cid = store.id_for_reference("CMP-1")
        assert cid is not None
        with pytest.raises(CorruptRecord) as caught:
            store.read(cid)
        assert str(caught.value).startswith(f"complaint CMP-1, event seq 1 is corrupt: {reason}")
        report = verify(store)
    assert where(report) == (Problem.ALTERED, 1, "CMP-1", 1)
    assert report.finding is not None
    assert report.finding.detail.startswith(f"the row cannot be read back: {reason}")


def test_an_erasure_keeps_the_history_intact(cluster: Cluster, schema: str) -> None:
    before = links(cluster, schema)
    erase(cluster, schema, "CMP-2")
    assert personal_of(cluster, schema, "CMP-2") == {}
    assert personal_of(cluster, schema, "CMP-1") != {}
    after = links(cluster, schema)
    assert after[:40] == before  # the stored links are not touched, only the values
    report = check(cluster, schema)
    assert report.ok, report.finding
    assert report.events == 41


def test_personal_values_put_back_after_an_erasure_are_altered(
    cluster: Cluster, schema: str
) -> None:
    kept = personal_of(cluster, schema, "CMP-2")
    assert min(kept) == 14
    erase(cluster, schema, "CMP-2")
    with admin(cluster) as conn, conn.cursor() as cursor:
        cursor.executemany(
            f'UPDATE "{schema}".events SET personal = %s WHERE position = %s'.encode(),
            [(Jsonb(value), position) for position, value in sorted(kept.items())],
        )
    report = check(cluster, schema)
    assert where(report) == (Problem.ALTERED, 14, "CMP-2", 1)
    assert report.finding is not None
    assert report.finding.detail == "personal data is held after its erasure at seq 14"


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
        data = canonical_bytes(r.event, r.payload)
        digest = hasher.event_hash(heads.get(r.complaint_id, GENESIS), data)
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
    # HMACs, not SHA-256: said as a key not given.
    assert where(check(cluster, schema)) == (Problem.WRONG_KEY, 1, "CMP-1", 1)
    tamper(
        cluster,
        schema,
        "UPDATE {s}.events SET payload = replace(payload::text, '42.50', '4.25')::jsonb",
        # The summaries too: a careful forger leaves them agreeing with the events.
        "UPDATE {s}.complaints SET redress = replace(redress, '42.50', '4.25')",
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


def as_version_6(cluster: Cluster, schema: str, key: bytes | None = None) -> list[Event]:
    """
    Take the schema back to version 6, as a store of the previous release left it: plain
    payloads with their personal values in them, linked as they were, no ``personal`` column.
    Returns the events, as the store read them.
    """
    with PostgresEventStore(cluster.conninfo, schema=schema, integrity_key=key) as store:
        records = list(store.iter_chain())
    hasher = Hasher(key=key)
    heads: dict[str, str] = {}
    chain = GENESIS
    rows = []
    events = []
    for r in records:
        assert r.event is not None
        events.append(r.event)
        digest = heads[r.complaint_id] = hasher.event_hash(
            heads.get(r.complaint_id, GENESIS), canonical_bytes(r.event)
        )
        chain = hasher.chain_hash(chain, digest)
        rows.append((dumps(r.event.payload), digest, chain, r.position))
    with admin(cluster) as conn, conn.transaction():
        with conn.cursor() as cursor:
            cursor.executemany(
                f'UPDATE "{schema}".events SET payload = %s::jsonb, hash = %s, chain = %s '
                "WHERE position = %s".encode(),
                rows,
            )
        conn.execute(f'ALTER TABLE "{schema}".events DROP COLUMN personal'.encode())
        conn.execute(f'DROP TABLE "{schema}".configurations'.encode())
        conn.execute(f'DELETE FROM "{schema}".schema_migrations WHERE version >= 7'.encode())
    return events


def as_version_4(cluster: Cluster, schema: str) -> list[Event]:
    """Take the schema back to version 4: as version 6, without chains or denials."""
    events = as_version_6(cluster, schema)
    tamper(
        cluster,
        schema,
        "ALTER TABLE {s}.events DROP COLUMN hash, DROP COLUMN chain",
        "DROP TABLE {s}.access_denials",
        "DELETE FROM {s}.schema_migrations WHERE version > 4",
    )
    return events


def payloads(cluster: Cluster, schema: str) -> list[Any]:
    with admin(cluster) as conn:
        rows = conn.execute(
            f'SELECT payload FROM "{schema}".events ORDER BY position'.encode()
        ).fetchall()
    return [row[0] for row in rows]


def columns(cluster: Cluster, schema: str, table: str = "events") -> set[str]:
    with admin(cluster) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s",
            (schema, table),
        ).fetchall()
    return {str(row[0]) for row in rows}


def test_a_schema_of_version_4_gets_its_links_on_opening(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch, fixed_salts: Callable[[], None]
) -> None:
    schema = build(cluster, KEY)
    written = links(cluster, schema)
    events = as_version_4(cluster, schema)
    assert "Ada Lovelace" in str(payloads(cluster, schema))
    # Batches of 6 split complaints, so that some links continue from rows already updated.
    monkeypatch.setattr(postgres_rewrite, "READ_BATCH", 6)
    fixed_salts()  # sealed again with the salts the appends used
    report = check(cluster, schema, KEY)
    assert report.ok and report.events == 40
    assert links(cluster, schema) == written  # the same links the appends had made
    assert [v for v, _ in applied(cluster, schema)] == ALL_VERSIONS
    with PostgresEventStore(cluster.conninfo, schema=schema, integrity_key=KEY) as store:
        assert [e for _, e in store.iter_events()] == events


def test_an_unreadable_event_stops_the_upgrade_and_names_it(cluster: Cluster, schema: str) -> None:
    as_version_4(cluster, schema)
    tamper(
        cluster, schema, """UPDATE {s}.events SET payload = '{{"text": 42}}' WHERE position = 20"""
    )
    with pytest.raises(CorruptRecord) as caught:
        PostgresEventStore(cluster.conninfo, schema=schema)
    assert (caught.value.complaint, caught.value.seq) == ("CMP-2", 7)
    assert "position 20 cannot be linked into the integrity chains" in str(caught.value)
    assert [v for v, _ in applied(cluster, schema)] == [1, 2, 3, 4]
    assert "hash" not in columns(cluster, schema)


@pytest.mark.parametrize("key", [None, KEY])
def test_a_schema_of_version_6_is_sealed_on_opening(
    cluster: Cluster,
    monkeypatch: pytest.MonkeyPatch,
    key: bytes | None,
    fixed_salts: Callable[[], None],
) -> None:
    schema = build(cluster, key)
    written = links(cluster, schema)
    events = as_version_6(cluster, schema, key)
    assert links(cluster, schema) != written  # linked over the plain payloads
    assert "Ada Lovelace" in str(payloads(cluster, schema))
    monkeypatch.setattr(postgres_rewrite, "READ_BATCH", 6)
    fixed_salts()  # sealed again with the salts the appends used
    with PostgresEventStore(cluster.conninfo, schema=schema, integrity_key=key) as store:
        assert [e for _, e in store.iter_events()] == events
        report = verify(store)
        assert report.ok, report.finding
        assert report.events == 40
        assert sum(bool(r.personal) for r in store.iter_chain()) == 19
    assert [v for v, _ in applied(cluster, schema)] == ALL_VERSIONS
    assert "Ada Lovelace" not in str(payloads(cluster, schema))
    assert links(cluster, schema) == written  # the same links the appends had made
    erase(cluster, schema, "CMP-1", key)
    report = check(cluster, schema, key)
    assert report.ok, report.finding
    assert report.events == 41


@pytest.mark.parametrize(
    ("statements", "message"),
    [
        (
            (
                (
                    "UPDATE {s}.events SET payload = "
                    "replace(payload::text, 'twice', 'once')::jsonb WHERE position = 20"
                ),
            ),
            "the event at position 20 (complaint CMP-2, seq 7) does not match its hash",
        ),
        (
            ("DELETE FROM {s}.events WHERE position = 17",),
            "the event at position 18 (complaint CMP-2, seq 5) does not match its hash",
        ),
        (
            (
                "DELETE FROM {s}.events WHERE position BETWEEN 14 AND 26",
                "DELETE FROM {s}.complaints WHERE reference = 'CMP-2'",
            ),
            (
                "the event at position 27 (complaint CMP-3, seq 1) does not follow from the log's "
                "chain before it"
            ),
        ),
        (
            ("UPDATE {s}.events SET chain = NULL, hash = NULL WHERE position = 40",),
            (
                "the event at position 40 (complaint CMP-1, seq 14) has no hash: the store did not "
                "write it"
            ),
        ),
    ],
    ids=["altered", "deleted", "complaint deleted", "inserted"],
)
def test_a_tampered_schema_of_version_6_is_not_resealed(
    cluster: Cluster, schema: str, statements: tuple[str, ...], message: str
) -> None:
    as_version_6(cluster, schema)
    tamper(cluster, schema, *statements)
    before = everything(cluster, schema)
    with pytest.raises(StorageError) as caught:
        PostgresEventStore(cluster.conninfo, schema=schema)
    assert type(caught.value) is StorageError
    assert message in str(caught.value)
    assert (
        "so the history is not sealed and re-hashed (that would make it look intact); this "
        "release cannot open the schema until it matches: check it with `iso10002 verify` of the "
        "release that wrote it" in str(caught.value)
    )
    assert [v for v, _ in applied(cluster, schema)] == [1, 2, 3, 4, 5, 6]
    assert "personal" not in columns(cluster, schema)
    assert everything(cluster, schema) == before


def test_a_schema_of_version_6_opened_with_another_key_is_not_resealed(
    cluster: Cluster, schema: str
) -> None:
    as_version_6(cluster, schema)
    with pytest.raises(StorageError, match=r"position 1 .* does not match its hash"):
        PostgresEventStore(cluster.conninfo, schema=schema, integrity_key=KEY)
    assert [v for v, _ in applied(cluster, schema)] == [1, 2, 3, 4, 5, 6]


def test_an_unreadable_event_stops_the_sealing_and_names_it(cluster: Cluster, schema: str) -> None:
    as_version_6(cluster, schema)
    tamper(
        cluster, schema, """UPDATE {s}.events SET payload = '{{"text": 42}}' WHERE position = 20"""
    )
    with pytest.raises(CorruptRecord) as caught:
        PostgresEventStore(cluster.conninfo, schema=schema)
    assert (caught.value.complaint, caught.value.seq) == ("CMP-2", 7)
    assert "the event at position 20 cannot be sealed" in str(caught.value)
    assert "personal" not in columns(cluster, schema)


def test_events_sealed_already_are_kept_as_they_are(cluster: Cluster, schema: str) -> None:
    """A schema taken back to version 6 by hand, its column and sealed events kept."""
    written = links(cluster, schema)
    before = everything(cluster, schema)[0]
    tamper(
        cluster,
        schema,
        "DROP TABLE {s}.configurations",
        "DELETE FROM {s}.schema_migrations WHERE version >= 7",
    )
    assert check(cluster, schema).ok
    assert links(cluster, schema) == written
    assert everything(cluster, schema)[0] == before
    assert [v for v, _ in applied(cluster, schema)] == ALL_VERSIONS


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
    # Said as a missing key, not as tampering.
    assert (
        "position 1, complaint CMP-1, seq 1: wrong key: no hash matches, from the first event "
        "on: the database was written with an integrity key; give it"
    ) in capsys.readouterr().err


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
