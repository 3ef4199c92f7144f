"""
The SQLite store's schema: :data:`MIGRATIONS`, the upgrade runner, and opening a database.

The schema is versioned with ``PRAGMA user_version``; each :class:`Migration` takes it one
step further, and the steps that add hash chains or seal personal data rewrite the stored
events once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from iso10002.errors import (
    SchemaVersionError,
    SerializationError,
    StorageError,
)
from iso10002.model.chain import GENESIS, Hasher
from iso10002.model.complaint import Complaint, apply
from iso10002.model.facts import ComplaintFacts
from iso10002.privacy.sealing import markers
from iso10002.storage._prepare import prepare_event
from iso10002.storage._sql.columns import (
    FACT_COLUMNS,
    facts_values,
)
from iso10002.storage._sql.sealed import (
    stored_bytes,
)
from iso10002.storage.sqlite import outbox as outbox_sql
from iso10002.storage.sqlite.connection import _Immediate
from iso10002.storage.sqlite.statements import (
    _EVENT_COLUMNS,
    _LINK_BATCH,
    _READ_BATCH,
    _SEAL_BATCH,
    _event_from_row,
    _json_column,
)

_APPLICATION_ID = 0x49534F43
"""``PRAGMA application_id`` of the library's databases ("ISOC")."""

# UPSERT (ON CONFLICT ... DO ...) arrived in 3.24.0.
_MIN_SQLITE = (3, 24, 0)

__all__ = ["MIGRATIONS", "Migration"]


@attrs.frozen(kw_only=True)
class Migration:
    """
    One step of the schema's history: the statements that take it to ``version``, then,
    if given, ``backfill``, which fills new columns from the stored histories.
    """

    version: int
    description: str
    statements: tuple[str, ...]
    backfill: Callable[[sqlite3.Connection], None] | None = None


def _backfill_facts(conn: sqlite3.Connection) -> None:
    """
    Derive each complaint's monitoring facts by replaying its history.

    Timeliness outcomes need the policy configuration, which the database does not hold: they
    are filled in by the complaint's next command, or at once by ``ComplaintDesk.apply_policies``.
    """
    rows = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY stream_id, seq")
    state: Complaint | None = None
    sql = f"UPDATE complaints SET {', '.join(f'{c} = ?' for c, _ in FACT_COLUMNS)} WHERE id = ?"

    def flush(done: Complaint | None) -> None:
        if done is not None:
            conn.execute(sql, (*facts_values(ComplaintFacts.of(done)), str(done.id)))

    for row in rows:
        event = _event_from_row(row)
        if state is not None and state.id != event.complaint_id:
            flush(state)
            state = None
        state = apply(state, event)
    flush(state)


def _backfill_chains(conn: sqlite3.Connection, hasher: Hasher) -> None:
    """
    Add the ``hash`` and ``chain`` columns where missing (a database taken back to an older
    version by hand keeps them), and link the stored events in position order.
    """
    columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
    for column in ("hash", "chain"):
        if column not in columns:
            conn.execute(f"ALTER TABLE events ADD COLUMN {column} TEXT")
    last: dict[str, str] = {}
    chain = GENESIS
    position = 0
    # In batches, so that memory holds one batch of rows however long the log.
    while rows := conn.execute(_LINK_BATCH, (position, _READ_BATCH)).fetchall():
        links = []
        for row in rows:
            position, stream = row[0], str(row[1])
            digest = last[stream] = hasher.event_hash(
                last.get(stream, GENESIS), _as_stored(row[1:])
            )
            chain = hasher.chain_hash(chain, digest)
            links.append((digest, chain, position))
        conn.executemany("UPDATE events SET hash = ?, chain = ? WHERE position = ?", links)


def _as_stored(row: Sequence[Any]) -> bytes:
    """
    The canonical bytes of an ``events`` row as it is stored: of its sealed payload if it was
    sealed (a database taken back to an older version by hand), else of its plain payload.
    """
    return stored_bytes(_event_from_row(row), _payload_column(row[7]))


def _payload_column(text: object) -> object:
    return _json_column(text, "payload")


_CHAIN_VERSION = 5
"""The migration that adds the integrity chains; :func:`_migrate` fills them with the key."""


def _seal_stored(conn: sqlite3.Connection, hasher: Hasher) -> None:
    """
    Seal every stored event (personal values apart, see :mod:`iso10002.privacy.sealing`) and
    relink both chains over the sealed payloads, a batch of rows at a time.

    Both chains are checked first, as they were stored: a history that does not match them is
    not re-hashed, since that would make it look intact.

    Raises:
        StorageError: a stored event has no hash, or does not match its hash or the log's chain.
    """
    columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
    if "personal" not in columns:
        conn.execute("ALTER TABLE events ADD COLUMN personal TEXT")
    heads: dict[str, str] = {}
    relinked: dict[str, str] = {}
    stored_chain = chain = GENESIS
    position = 0
    while True:
        rows = conn.execute(_SEAL_BATCH, (position, _READ_BATCH)).fetchall()
        if not rows:
            return
        updates = []
        for row in rows:
            position, stream = row[0], str(row[1])
            try:
                event = _event_from_row(row[1:9], row[9])
                stored = _as_stored(row[1:9])
            except SerializationError as e:
                raise _unsealable(position, f"it cannot be read: {e}") from e
            digest = hasher.event_hash(heads.get(stream, GENESIS), stored)
            if row[10] != digest:
                raise _unsealable(position, f"seq {row[2]} does not match its hash")
            stored_chain = hasher.chain_hash(stored_chain, digest)
            if row[11] != stored_chain:
                raise _unsealable(position, "the log's chain breaks there")
            heads[stream] = digest
            old = _json_column(row[8], "payload")
            if row[9] is not None or (isinstance(old, dict) and markers(event.payload.type, old)):
                # Sealed already (taken back to an older version by hand): kept as it is.
                payload, personal, canonical = str(row[8]), row[9], stored
            else:
                p = prepare_event(event)
                payload, personal, canonical = p.payload_json, p.personal_json, p.canonical
            digest = relinked[stream] = hasher.event_hash(relinked.get(stream, GENESIS), canonical)
            chain = hasher.chain_hash(chain, digest)
            updates.append((payload, personal, digest, chain, position))
        conn.executemany(
            "UPDATE events SET payload = ?, personal = ?, hash = ?, chain = ? WHERE position = ?",
            updates,
        )


def _unsealable(position: int, why: str) -> StorageError:
    return StorageError(
        f"SQLite store: the event at position {position}: {why}; so the history is not "
        "re-hashed and the database stays at its schema version. Check it with `iso10002 "
        "verify` of the release that wrote it, or restore a backup"
    )


_SEAL_VERSION = 7
"""The migration that keeps personal values apart; :func:`_migrate` seals with the key."""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        description="events, the complaints projection with its query indexes, counters",
        statements=(
            f"PRAGMA application_id = {_APPLICATION_ID}",
            # position is the row id: the largest so far plus one, given out under the write
            # lock, so positions grow in commit order. Events are never deleted, so a position
            # is never reused and readers may keep one as a checkpoint. (AUTOINCREMENT would
            # add a write to sqlite_sequence to every append and guarantee nothing more here.)
            """
            CREATE TABLE events (
                position INTEGER PRIMARY KEY,
                stream_id TEXT NOT NULL,
                seq INTEGER NOT NULL CHECK (seq >= 1),
                type TEXT NOT NULL,
                schema_version INTEGER NOT NULL,
                occurred_at TEXT NOT NULL,
                actor TEXT NOT NULL,
                state TEXT NOT NULL,
                payload TEXT NOT NULL,
                UNIQUE (stream_id, seq)
            )
            """,
            """
            CREATE TABLE complaints (
                id TEXT PRIMARY KEY NOT NULL,
                reference TEXT NOT NULL UNIQUE,
                client_key TEXT,
                version INTEGER NOT NULL CHECK (version >= 1),
                state TEXT NOT NULL,
                is_open INTEGER NOT NULL CHECK (is_open IN (0, 1)),
                channel TEXT NOT NULL,
                priority TEXT,
                category TEXT,
                assignee TEXT,
                received_at TEXT NOT NULL,
                acknowledged_at TEXT,
                closed_at TEXT,
                updated_at TEXT NOT NULL
            )
            """,
            # Partial where the column is mostly empty: a complaint without a client key,
            # priority or assignee costs no index write. "column = ?" implies NOT NULL, so
            # lookups and queries still use these indexes.
            """
            CREATE UNIQUE INDEX complaints_by_client_key ON complaints (client_key)
            WHERE client_key IS NOT NULL
            """,
            # Each criterion leads an index that continues with the result order, so a filtered
            # page is read straight off the index, newest first, without sorting.
            "CREATE INDEX complaints_by_received ON complaints (received_at, reference)",
            "CREATE INDEX complaints_by_state ON complaints (state, received_at, reference)",
            "CREATE INDEX complaints_by_open ON complaints (is_open, received_at, reference)",
            """
            CREATE INDEX complaints_by_assignee ON complaints (assignee, received_at, reference)
            WHERE assignee IS NOT NULL
            """,
            """
            CREATE INDEX complaints_by_priority ON complaints (priority, received_at, reference)
            WHERE priority IS NOT NULL
            """,
            "CREATE INDEX complaints_by_channel ON complaints (channel, received_at, reference)",
            """
            CREATE TABLE counters (
                scope TEXT PRIMARY KEY NOT NULL,
                value INTEGER NOT NULL
            ) WITHOUT ROWID
            """,
        ),
    ),
    Migration(
        version=2,
        description="timeliness: each complaint's next deadline, warning and alert, indexed",
        statements=(
            "ALTER TABLE complaints ADD COLUMN sla_due_at TEXT",
            "ALTER TABLE complaints ADD COLUMN sla_warning_at TEXT",
            "ALTER TABLE complaints ADD COLUMN sla_alert_at TEXT",
            # Partial: closed complaints and those without a policy have no instants, so the
            # breach queue and the tick read only the rows that can be due.
            """
            CREATE INDEX complaints_by_sla_due ON complaints (sla_due_at, reference)
            WHERE sla_due_at IS NOT NULL
            """,
            """
            CREATE INDEX complaints_by_sla_warning ON complaints (sla_warning_at)
            WHERE sla_warning_at IS NOT NULL
            """,
            """
            CREATE INDEX complaints_by_sla_alert ON complaints (sla_alert_at)
            WHERE sla_alert_at IS NOT NULL
            """,
        ),
    ),
    Migration(
        version=3,
        description="monitoring: each complaint's facts (outcome, first response, redress, ...)",
        statements=tuple(
            f"ALTER TABLE complaints ADD COLUMN {name} {sql_type}"
            for name, sql_type in FACT_COLUMNS
        ),
        backfill=_backfill_facts,
    ),
    Migration(
        version=4,
        description="the outbox: notifications written with the events that caused them",
        statements=outbox_sql.STATEMENTS,
    ),
    Migration(
        version=_CHAIN_VERSION,
        description="integrity: each event's hash in its complaint's chain and in the log's chain",
        # The columns are added, and filled for the stored events, by _backfill_chains, which
        # _migrate calls with the opening store's key.
        statements=(),
    ),
    Migration(
        version=6,
        description="access control: every denied command and query (4.10, 4.12)",
        statements=(
            # Ids, roles, actions, references and reasons only: never personal data.
            """
            CREATE TABLE IF NOT EXISTS access_denials (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                actor_id TEXT,
                role TEXT,
                action TEXT NOT NULL,
                complaint_id TEXT,
                reference TEXT,
                reason TEXT NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS access_denials_by_at ON access_denials (at, id)",
        ),
    ),
    Migration(
        version=_SEAL_VERSION,
        description="personal data: kept beside each sealed event, so that it can be erased",
        # The column is added, and the stored events sealed and relinked, by _seal_stored,
        # which _migrate calls with the opening store's key.
        statements=(),
    ),
)
"""The schema's history, oldest first; the database's ``user_version`` is the last one applied."""


def _pragma(conn: sqlite3.Connection, name: str) -> Any:
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


def _migrate(
    conn: sqlite3.Connection,
    where: str,
    migrations: Sequence[Migration] = MIGRATIONS,
    hasher: Hasher | None = None,
) -> None:
    """
    Bring the schema up to the last of ``migrations``, all pending steps in one transaction;
    the integrity chains of stored events are computed with ``hasher`` (unkeyed by default).

    Raises:
        SchemaVersionError: the database is newer than ``migrations`` know.
    """
    latest = migrations[-1].version

    def pending(current: int) -> bool:
        if current > latest:
            raise SchemaVersionError(
                f"SQLite store {where}: the database has schema version {current}, but this "
                f"release of iso10002 knows versions up to {latest}; upgrade iso10002"
            )
        return current < latest

    if not pending(_pragma(conn, "user_version")):
        return
    with _Immediate(conn):
        # Another process may have migrated while this one waited for the write lock.
        current = _pragma(conn, "user_version")
        if not pending(current):
            return
        for migration in migrations:
            if migration.version > current:
                for statement in migration.statements:
                    conn.execute(statement)
                if migration.backfill is not None:
                    migration.backfill(conn)
                if migration.version == _CHAIN_VERSION:
                    _backfill_chains(conn, hasher or Hasher())
                if migration.version == _SEAL_VERSION:
                    _seal_stored(conn, hasher or Hasher())
        conn.execute(f"PRAGMA user_version = {int(latest)}")


def _connect(path: str, synchronous: str, timeout: float, hasher: Hasher) -> sqlite3.Connection:
    """Open, check and migrate the database; the caller converts sqlite3 errors."""
    if sqlite3.sqlite_version_info < _MIN_SQLITE:
        raise StorageError(
            f"SQLite store {path}: SQLite {'.'.join(map(str, _MIN_SQLITE))} or later is "
            f"needed, this Python has {sqlite3.sqlite_version}"
        )
    # isolation_level=None: the store issues BEGIN/COMMIT itself. check_same_thread=False: the
    # store's lock, not the thread, guards the connection.
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        # The first read of the header: a file that is not a database fails here. A database
        # without our application id must be empty, or it belongs to somebody else and is
        # left untouched.
        application_id = _pragma(conn, "application_id")
        if application_id != _APPLICATION_ID and (
            application_id != 0
            or _pragma(conn, "user_version") != 0
            or conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None
        ):
            raise StorageError(
                f"SQLite store {path}: the file is a SQLite database of another application "
                f"(application_id {application_id})"
            )
        mode = _pragma(conn, "journal_mode = WAL")
        if mode != "wal" and path != ":memory:":
            raise StorageError(
                f"SQLite store {path}: the database cannot use write-ahead logging "
                f"(journal mode stays {mode!r}); is it on a network file system?"
            )
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        # Erased personal data is overwritten with zeros, not left in free pages.
        conn.execute("PRAGMA secure_delete = ON")
        _migrate(conn, path, hasher=hasher)
    except BaseException:
        conn.close()
        raise
    return conn
