"""
The PostgreSQL store's upgrade runner: bring a schema up to the last of
:data:`~iso10002.storage.postgres.schema.MIGRATIONS`, and the steps that rewrite stored events
once (hash chains, sealing).
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from iso10002.errors import (
    CorruptRecord,
    SchemaVersionError,
    StorageError,
)
from iso10002.model.chain import GENESIS, Hasher
from iso10002.model.events import Event
from iso10002.privacy.sealing import markers
from iso10002.storage._prepare import prepare_event
from iso10002.storage._sql.sealed import DECODE_ERRORS, stored_bytes
from iso10002.storage.postgres.rows import (
    Statements,
    event_from_row,
    statements,
)
from iso10002.storage.postgres.schema import (
    CHAIN_VERSION,
    MIGRATIONS,
    SEAL_VERSION,
    PgMigration,
    migration_lock_key,
)

if TYPE_CHECKING:
    from psycopg import Connection


__all__: list[str] = []

_READ_BATCH = 500
"""Events linked, checked or sealed per batch by the migrations that add the chains and seal."""

_OUR_TABLES = ["access_denials", "complaints", "counters", "events", "outbox"]


def _migrate(
    conn: Connection[Any],
    schema: str,
    where_: str,
    migrations: Sequence[PgMigration] = MIGRATIONS,
    hasher: Hasher | None = None,
    *,
    create: bool = True,
) -> None:
    """
    Bring ``schema`` up to the last of ``migrations``: all pending steps in one transaction,
    under an advisory lock, so that processes starting at once migrate once and the others wait
    and find the work done. PostgreSQL's DDL is transactional: a failing step leaves nothing.
    The integrity chains of stored events are computed, and checked before they are sealed,
    with ``hasher`` (unkeyed by default).

    Raises:
        SchemaVersionError: the schema is newer than ``migrations`` know.
        StorageError: the schema holds tables of the same names that iso10002 did not create,
            or, without ``create``, holds no store at all; or a stored event does not match its
            hashes, so it is not sealed and re-hashed (the message names its position).
        CorruptRecord: a stored event cannot be decoded, so it cannot be linked or sealed.
    """
    import psycopg

    latest = migrations[-1].version
    s = f'"{schema}"'
    key = migration_lock_key(schema)

    def applied() -> int | None:
        found = conn.execute("SELECT to_regclass(%s)", (f"{s}.schema_migrations",)).fetchone()
        if found is None or found[0] is None:
            return None
        row = conn.execute(f"SELECT COALESCE(max(version), 0) FROM {s}.schema_migrations")
        version = int(row.fetchone()[0])  # type: ignore[index]
        if version > latest:
            raise SchemaVersionError(
                f"PostgreSQL store {where_}: schema {schema} has version {version}, but this "
                f"release of iso10002 knows versions up to {latest}; upgrade iso10002"
            )
        return version

    # Each step in a transaction of its own, whether or not the connection autocommits.
    with conn.transaction():
        found = applied()
    if found == latest:
        return
    if found is None and not create:
        raise StorageError(
            f"PostgreSQL store {where_}: schema {schema} holds no iso10002 store "
            "(no schema_migrations table)"
        )
    # A session lock, taken before the migrating transaction begins: a transaction that
    # waited for a lock inside could look the new tables up in a catalog cache from before.
    with conn.transaction():
        conn.execute("SELECT pg_advisory_lock(%s)", (key,))
    try:
        with conn.transaction():
            # Another process may have migrated while this one waited for the lock.
            current = applied()
            if current == latest:
                return
            if current is None:
                _prepare_schema(conn, schema, where_)
                current = 0
            linked = False
            for migration in migrations:
                if migration.version > current:
                    for statement in migration.statements:
                        conn.execute(statement.format(s=s))
                    if migration.version == CHAIN_VERSION:
                        _link_stored_events(conn, schema, hasher or Hasher())
                        linked = True
                    if migration.version == SEAL_VERSION:
                        # Links made a moment ago, in this transaction, need no check.
                        _seal_stored_events(
                            conn, schema, where_, hasher or Hasher(), check=not linked
                        )
                    conn.execute(
                        f"INSERT INTO {s}.schema_migrations (version, description) VALUES (%s, %s)",
                        (migration.version, migration.description),
                    )
    finally:
        # A broken connection has lost its session, and the lock with it.
        with contextlib.suppress(psycopg.Error), conn.transaction():
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


def _link_stored_events(conn: Connection[Any], schema: str, hasher: Hasher) -> None:
    """
    Compute the ``hash`` and ``chain`` of every stored event, in position order, inside the
    migrating transaction. A server-side cursor reads the events in batches, so memory holds one
    batch whatever the size of the log; the previous hash of a complaint whose earlier events
    lie in an earlier batch is read back from the rows already linked.

    Raises:
        CorruptRecord: a stored event cannot be decoded; the migration is rolled back.
    """
    sql = statements(schema)
    chain = GENESIS
    with conn.cursor(name="iso10002_link_events") as rows:
        rows.execute(sql.read_all)
        while batch := rows.fetchmany(_READ_BATCH):
            events = [
                _decode_for_migration(conn, sql, row, "linked into the integrity chains")
                for row in batch
            ]
            heads = _previous_hashes(conn, sql, events)
            links = []
            for row, event in zip(batch, events, strict=True):
                key = (event.complaint_id, event.seq - 1)
                digest = hasher.event_hash(heads.get(key, GENESIS), stored_bytes(event, row[8]))
                heads[(event.complaint_id, event.seq)] = digest
                chain = hasher.chain_hash(chain, digest)
                links.append((digest, chain, row[0]))
            with conn.cursor() as cursor:
                cursor.executemany(sql.set_links, links)


def _seal_stored_events(
    conn: Connection[Any], schema: str, where_: str, hasher: Hasher, *, check: bool
) -> None:
    """
    Seal every stored event (its personal values apart, see :mod:`iso10002.privacy.sealing`)
    and relink both chains over the sealed payloads, in position order, inside the migrating
    transaction. A server-side cursor reads the events in batches, as for the chains.

    With ``check``, the stored links are checked first, as they are: a history that does not
    match its hashes is not re-hashed, since that would make it look intact. Events sealed
    already (a schema taken back to an older version by hand) are kept as they are, relinked.

    Raises:
        StorageError: a stored event does not match its hash, or the log's chain breaks at it;
            the message names its position. The migration is rolled back.
        CorruptRecord: a stored event cannot be decoded.
    """
    sql = statements(schema)
    if check:
        _check_stored_links(conn, sql, where_, hasher)
    chain = GENESIS
    with conn.cursor(name="iso10002_seal_events") as rows:
        # A cursor reads the rows as they were when it was opened, whatever is updated later.
        rows.execute(sql.read_all_chained)
        while batch := rows.fetchmany(_READ_BATCH):
            events = [_decode_for_migration(conn, sql, row, "sealed") for row in batch]
            # The new links of the events continued from earlier batches, updated already.
            heads = _previous_hashes(conn, sql, events)
            sealed = []
            relinked = []
            for row, event in zip(batch, events, strict=True):
                key = (event.complaint_id, event.seq - 1)
                if row[9] is not None or _sealed_already(event, row[8]):
                    digest = hasher.event_hash(heads.get(key, GENESIS), stored_bytes(event, row[8]))
                    chain = hasher.chain_hash(chain, digest)
                    relinked.append((digest, chain, row[0]))
                else:
                    p = prepare_event(event)
                    payload, personal, canonical = p.payload_json, p.personal_json, p.canonical
                    digest = hasher.event_hash(heads.get(key, GENESIS), canonical)
                    chain = hasher.chain_hash(chain, digest)
                    sealed.append((payload, personal, digest, chain, row[0]))
                heads[(event.complaint_id, event.seq)] = digest
            with conn.cursor() as cursor:
                if sealed:
                    cursor.executemany(sql.set_sealed, sealed)
                if relinked:
                    cursor.executemany(sql.set_links, relinked)


def _sealed_already(event: Event, payload: object) -> bool:
    return isinstance(payload, dict) and bool(markers(event.payload.type, payload))


def _check_stored_links(
    conn: Connection[Any], sql: Statements, where_: str, hasher: Hasher
) -> None:
    """
    Check every stored event against its hash, and the log's chain, as they are, before the
    events are sealed; in batches, with a server-side cursor, before anything is updated.

    Raises:
        StorageError: the first event that does not match, named by its position.
        CorruptRecord: a stored event cannot be decoded.
    """
    chain = GENESIS
    with conn.cursor(name="iso10002_check_events") as rows:
        rows.execute(sql.read_all_chained)
        while batch := rows.fetchmany(_READ_BATCH):
            events = [_decode_for_migration(conn, sql, row, "sealed") for row in batch]
            heads = _previous_hashes(conn, sql, events)  # nothing is updated yet
            for row, event in zip(batch, events, strict=True):
                stored, stored_chain = row[10], row[11]
                previous = heads.get((event.complaint_id, event.seq - 1), GENESIS)
                if stored is None:
                    raise _not_resealed(
                        conn, sql, where_, row, "has no hash: the store did not write it"
                    )
                if hasher.event_hash(previous, stored_bytes(event, row[8])) != stored:
                    raise _not_resealed(conn, sql, where_, row, "does not match its hash")
                chain = hasher.chain_hash(chain, stored)
                if stored_chain != chain:
                    raise _not_resealed(
                        conn, sql, where_, row, "does not follow from the log's chain before it"
                    )
                heads[(event.complaint_id, event.seq)] = stored


def _not_resealed(
    conn: Connection[Any], sql: Statements, where_: str, row: Sequence[Any], problem: str
) -> StorageError:
    found = conn.execute(sql.reference_of, (row[1],)).fetchone()
    complaint = str(found[0]) if found else str(row[1])
    return StorageError(
        f"PostgreSQL store {where_}: the event at position {row[0]} (complaint {complaint}, "
        f"seq {row[2]}) {problem}, so the history is not sealed and re-hashed (that would "
        "make it look intact); this release cannot open the schema until it matches: check it "
        "with `iso10002 verify` of the release that wrote it, with the store's integrity key "
        "if it has one"
    )


def _previous_hashes(
    conn: Connection[Any], sql: Statements, events: Sequence[Event]
) -> dict[tuple[UUID, int], str]:
    """
    The stored hashes of the events that ``events`` (one batch) continue, where those lie in
    earlier batches: one round trip.
    """
    here = {(e.complaint_id, e.seq) for e in events}
    wanted = [
        (e.complaint_id, e.seq - 1)
        for e in events
        if e.seq > 1 and (e.complaint_id, e.seq - 1) not in here
    ]
    return _stored_hashes(conn, sql, wanted)


def _stored_hashes(
    conn: Connection[Any], sql: Statements, keys: Collection[tuple[UUID, int]]
) -> dict[tuple[UUID, int], str]:
    """The stored hashes of the events with these ``(stream_id, seq)``, where they have one."""
    if not keys:
        return {}
    rows = conn.execute(
        sql.previous_hashes, ([c for c, _ in keys], [n for _, n in keys])
    ).fetchall()
    return {(row[0], row[1]): str(row[2]) for row in rows if row[2] is not None}


def _decode_for_migration(
    conn: Connection[Any], sql: Statements, row: Sequence[Any], doing: str
) -> Event:
    """
    The event in a row of ``position, EVENT_COLUMNS[, personal, …]`` that a migration works
    on, or CorruptRecord naming it (by reference where it has a summary) and its position.
    """
    try:
        return event_from_row(row[1:9], row[9] if len(row) > 9 else None)
    except DECODE_ERRORS as e:
        found = conn.execute(sql.reference_of, (row[1],)).fetchone()
        raise CorruptRecord(
            complaint=str(found[0]) if found else str(row[1]),
            seq=row[2] if isinstance(row[2], int) else 0,
            reason=f"{e}; the event at position {row[0]} cannot be {doing}",
        ) from e


def _prepare_schema(conn: Connection[Any], schema: str, where_: str) -> None:
    """Create the schema if missing and the migrations table, refusing others' tables."""
    s = f'"{schema}"'
    taken = conn.execute(
        "SELECT string_agg(c.relname::text, ', ' ORDER BY c.relname) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = ANY(%s)",
        (schema, _OUR_TABLES),
    ).fetchone()
    if taken is not None and taken[0]:
        raise StorageError(
            f"PostgreSQL store {where_}: schema {schema} holds tables ({taken[0]}) that "
            "iso10002 did not create; choose another schema"
        )
    # Only when missing: CREATE SCHEMA needs the CREATE privilege on the database even with
    # IF NOT EXISTS, and a schema created beforehand by an administrator is fine.
    exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if exists is None:
        conn.execute(f"CREATE SCHEMA {s}")
    conn.execute(
        f"CREATE TABLE {s}.schema_migrations (version integer PRIMARY KEY, "
        "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    )
