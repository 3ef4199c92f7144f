"""
An event store in one SQLite file: the default for a single server, a desktop tool or a script.

Layout (see ``docs/storage.md``):

- ``events``: one row per event. ``position`` is the row id, handed out in commit order and
  never reused, so it is the global order that :meth:`SQLiteEventStore.iter_events` follows;
  ``(stream_id, seq)`` is unique. The actor and the payload are JSON written by
  :mod:`iso10002.serialization`.
- ``complaints``: the :class:`~iso10002.model.complaint.ComplaintSummary` of each complaint,
  one column per field, written in the same transaction as the events it describes, with an
  index for every :class:`~iso10002.ports.store.ComplaintQuery` criterion.
- ``counters``: named counters for :meth:`SQLiteEventStore.next_number`.
- ``outbox``: notifications written in the same transaction as the events that caused them
  (:mod:`iso10002.outbox`), with partial indexes over the pending ones for the dispatcher.
- ``access_denials``: every command or query the desk's access policy refused
  (:mod:`iso10002.access`): ids, role, action, reference and reason, no personal data.

Every instant in a column is stored as UTC text of fixed width
(``2026-03-02T09:00:00.000000+00:00``), so that comparing the text compares the instants
whatever offset the caller used, and the file stays readable with any SQLite tool.

The schema is versioned with ``PRAGMA user_version`` and built by :data:`MIGRATIONS`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import itertools
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, ClassVar, Literal
from uuid import UUID

import attrs
from typing_extensions import Self

from iso10002.errors import (
    ConcurrencyConflict,
    CorruptRecord,
    DuplicateKeyError,
    SchemaVersionError,
    SerializationError,
    StorageError,
    StoreClosedError,
    ValidationError,
)
from iso10002.model.chain import GENESIS, Hasher
from iso10002.model.complaint import Complaint, ComplaintSummary, apply
from iso10002.model.denials import DenialRecord, check_denials_query
from iso10002.model.events import Event, SurveyAnswered
from iso10002.model.fact_row import FactRow
from iso10002.model.facts import ComplaintFacts
from iso10002.model.outbox import OutboxEntry, OutboxQuery, OutboxRecord, OutboxState
from iso10002.model.subject import SubjectMatch
from iso10002.model.values import Actor, ComplaintId
from iso10002.ports.capabilities import Capability
from iso10002.ports.kpi import CohortScan, SummaryKpiSource
from iso10002.ports.store import Append, ChainRecord, ComplaintQuery, Page, check_batch
from iso10002.privacy.sealing import markers
from iso10002.serialization import dumps, event_from_dict
from iso10002.storage import _outbox_sqlite as outbox_sql
from iso10002.storage._columns import (
    FACT_COLUMNS,
    facts_values,
    query_where,
    summary_from_values,
    utc,
    utc_or_none,
)
from iso10002.storage._denials import DENIAL_COLUMNS, denial_from_values, denial_values
from iso10002.storage._sealed import (
    DECODE_ERRORS,
    chain_record,
    decode_personal,
    open_payload,
    store_payload,
    stored_bytes,
)
from iso10002.storage._sqlite_kpis import scan_cohort, survey_answers

__all__ = ["MIGRATIONS", "Migration", "SQLiteEventStore", "Synchronous"]

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]
"""SQLite's ``PRAGMA synchronous`` levels; see :class:`SQLiteEventStore`."""

_SYNCHRONOUS: tuple[str, ...] = ("OFF", "NORMAL", "FULL", "EXTRA")

_APPLICATION_ID = 0x49534F43
"""``PRAGMA application_id`` of the library's databases ("ISOC")."""

# UPSERT (ON CONFLICT ... DO ...) arrived in 3.24.0.
_MIN_SQLITE = (3, 24, 0)

_ACTOR_CACHE_SIZE = 1024
"""Actors whose JSON a store keeps at hand; staff members act again and again."""

_READ_BATCH = 500
"""Rows fetched per round trip by iter_events; the lock is released between batches."""


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
                payload, personal, canonical = store_payload(event)
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

# -- statements, prepared once per connection by sqlite3's statement cache -----------------------

_EVENT_COLUMNS = "stream_id, seq, type, schema_version, occurred_at, actor, state, payload"
_SUMMARY_COLUMNS = (
    "id, reference, client_key, version, state, is_open, channel, priority, category, "
    "assignee, received_at, acknowledged_at, closed_at, updated_at, "
    "sla_due_at, sla_warning_at, sla_alert_at, " + ", ".join(name for name, _ in FACT_COLUMNS)
)
_INSERT_EVENT = (
    f"INSERT INTO events ({_EVENT_COLUMNS}, personal, hash, chain) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_LAST_CHAIN = "SELECT chain FROM events ORDER BY position DESC LIMIT 1"
_LINK_BATCH = (
    f"SELECT position, {_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?"
)
_SEAL_BATCH = (
    f"SELECT position, {_EVENT_COLUMNS}, personal, hash, chain FROM events "
    "WHERE position > ? ORDER BY position LIMIT ?"
)
_EVENT_HASH = "SELECT hash FROM events WHERE stream_id = ? AND seq = ?"
_READ_CHAIN = (
    f"SELECT position, {_EVENT_COLUMNS}, personal, hash, chain FROM events "
    "WHERE position > ? AND position <= ? ORDER BY position LIMIT ?"
)
# DO NOTHING (rather than an exception) on any unique key: the caller then finds out which
# key was taken, on the error path only.
_INSERT_SUMMARY = (
    f"INSERT INTO complaints ({_SUMMARY_COLUMNS}) "
    f"VALUES ({', '.join('?' * (17 + len(FACT_COLUMNS)))}) ON CONFLICT DO NOTHING"
)
# The version check of an append, and the indexed columns' current values: an UPDATE that
# leaves an indexed column out of its SET list leaves that index alone, which spares most
# appends (notes, communications, ...) several page writes.
_CURRENT = (
    "SELECT rowid, version, state, is_open, channel, priority, assignee, received_at, "
    "sla_due_at, sla_warning_at, sla_alert_at FROM complaints WHERE id = ?"
)
# (column, index in _summary_values(), index in a _CURRENT row)
_INDEXED = (
    ("state", 1, 2),
    ("is_open", 2, 3),
    ("channel", 3, 4),
    ("priority", 4, 5),
    ("assignee", 6, 6),
    ("received_at", 7, 7),
    ("sla_due_at", 11, 8),
    ("sla_warning_at", 12, 9),
    ("sla_alert_at", 13, 10),
)
_TAKEN_KEYS = (
    "SELECT id, reference, client_key, version FROM complaints "
    "WHERE id = ? OR reference = ? OR client_key = ?"
)
_VERSION = "SELECT version FROM complaints WHERE id = ?"


_STREAM_VERSION = "SELECT COALESCE(MAX(seq), 0) FROM events WHERE stream_id = ?"
_READ = (
    f"SELECT {_EVENT_COLUMNS}, personal FROM events WHERE stream_id = ? AND seq > ? ORDER BY seq"
)
_LAST_POSITION = "SELECT COALESCE(MAX(position), 0) FROM events"
_ERASE_PERSONAL = "UPDATE events SET personal = NULL WHERE stream_id = ? AND personal IS NOT NULL"
_ERASE_OUTBOX = "DELETE FROM outbox WHERE complaint_id = ?"
_SUBJECT_DETAILS = (
    "SELECT stream_id, json_extract(personal, '$.\"complainant.customer_id\"[1]'), "
    "json_extract(personal, '$.\"complainant.contact.email\"[1]') FROM events "
    "WHERE seq = 1 AND personal IS NOT NULL"
)
_READ_LOG = (
    f"SELECT position, {_EVENT_COLUMNS}, personal FROM events "
    "WHERE position > ? AND position <= ? ORDER BY position LIMIT ?"
)
_ID_FOR_REFERENCE = "SELECT id, reference, version FROM complaints WHERE reference = ?"
_ID_FOR_CLIENT_KEY = "SELECT id, reference, version FROM complaints WHERE client_key = ?"
_REFERENCE_OF = "SELECT reference FROM complaints WHERE id = ?"
_SUMMARY = f"SELECT {_SUMMARY_COLUMNS} FROM complaints WHERE id = ?"
_ORDERS = {
    "received": " ORDER BY received_at DESC, reference DESC LIMIT ? OFFSET ?",
    "sla_due": " ORDER BY sla_due_at, reference LIMIT ? OFFSET ?",
}
_BUMP_COUNTER = (
    "INSERT INTO counters (scope, value) VALUES (?, 1) "
    "ON CONFLICT (scope) DO UPDATE SET value = value + 1"
)
_COUNTER = "SELECT value FROM counters WHERE scope = ?"


_SELECT_BATCH = 10_000
# The message SQLite gives when (stream_id, seq) is taken; stable across SQLite releases.
_EVENT_KEY_TAKEN = "events.stream_id, events.seq"


@functools.cache
def _update_sql(changed: tuple[str, ...]) -> str:
    """
    The UPDATE of a summary row by rowid: the unindexed columns (version, category,
    acknowledged_at, closed_at, updated_at, the facts), then the indexed ones named in
    ``changed``.
    """
    columns = (
        "version",
        "category",
        "acknowledged_at",
        "closed_at",
        "updated_at",
        *(name for name, _ in FACT_COLUMNS),
        *changed,
    )
    return f"UPDATE complaints SET {', '.join(f'{c} = ?' for c in columns)} WHERE rowid = ?"


class _SQLiteErrors:
    """
    The one place where sqlite3's exceptions become the library's: a context manager.

    Args:
        where: the database, for the message.
        action: what the store was doing, for the message.
        seq_taken: builds the error for an event whose ``(stream_id, seq)`` is already stored.

    Library errors raised inside pass through untouched. (A class rather than a generator:
    it is entered on every call to the store.)
    """

    __slots__ = ("action", "seq_taken", "where")

    def __init__(
        self, where: str, action: str, seq_taken: Callable[[], StorageError] | None = None
    ) -> None:
        self.where = where
        self.action = action
        self.seq_taken = seq_taken

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not isinstance(exc, sqlite3.Error):
            return
        message = str(exc)
        if (
            self.seq_taken is not None
            and isinstance(exc, sqlite3.IntegrityError)
            and _EVENT_KEY_TAKEN in message
        ):
            raise self.seq_taken() from exc
        if isinstance(exc, sqlite3.OperationalError) and "locked" in message:
            message += " (another connection held the write lock longer than the timeout)"
        raise StorageError(f"SQLite store {self.where}: {self.action}: {message}") from exc


class _Immediate:
    """
    One write transaction: committed if the block succeeds, rolled back on any exception.

    ``BEGIN IMMEDIATE`` takes the write lock at once (waiting up to the busy timeout), so
    writers in other connections and processes queue up instead of failing at commit.
    """

    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self.conn
        try:
            if exc is None:
                conn.execute("COMMIT")
        finally:
            # After an error, or a COMMIT that failed: leave nothing half-written behind.
            if conn.in_transaction:
                conn.execute("ROLLBACK")


class _Access:
    """The store's lock and open connection for one call, with driver errors converted."""

    __slots__ = ("errors", "store")

    def __init__(self, store: SQLiteEventStore, errors: _SQLiteErrors) -> None:
        self.store = store
        self.errors = errors

    def __enter__(self) -> sqlite3.Connection:
        store = self.store
        store._lock.acquire()
        conn = store._conn
        if conn is None:
            store._lock.release()
            raise StoreClosedError(f"SQLite store {store._path} is closed")
        return conn

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.errors.__exit__(exc_type, exc, tb)
        finally:
            self.store._lock.release()


def _event_row(
    event: Event, stream_id: str, actors: dict[Actor, str]
) -> tuple[tuple[object, ...], bytes]:
    """
    The ``events`` row of ``event`` (its payload sealed, the personal values apart), and the
    bytes its hash covers; ``actors`` memoises the JSON of recurring actors.
    """
    actor = actors.get(event.actor)
    if actor is None:
        if len(actors) >= _ACTOR_CACHE_SIZE:
            actors.clear()
        actor = actors[event.actor] = dumps(event.actor)
    payload, personal, canonical = store_payload(event)
    row = (
        stream_id,
        event.seq,
        event.payload.type,
        event.schema_version,
        utc(event.occurred_at, "occurred_at"),
        actor,
        event.state,
        payload,
        personal,
    )
    return row, canonical


def _summary_values(s: ComplaintSummary) -> tuple[object, ...]:
    """The summary's columns from ``version`` on, in table order (see _INDEXED)."""
    return (
        s.version,
        s.state,
        1 if s.is_open else 0,
        s.channel.value,
        None if s.priority is None else s.priority.value,
        s.category,
        s.assignee,
        utc(s.received_at, "received_at"),
        utc_or_none(s.acknowledged_at, "acknowledged_at"),
        utc_or_none(s.closed_at, "closed_at"),
        utc(s.updated_at, "updated_at"),
        utc_or_none(s.sla_due_at, "sla_due_at"),
        utc_or_none(s.sla_warning_at, "sla_warning_at"),
        utc_or_none(s.sla_alert_at, "sla_alert_at"),
        *facts_values(s.facts),
    )


def _json_column(text: object, column: str) -> object:
    try:
        return json.loads(text)  # type: ignore[arg-type]
    except (TypeError, ValueError) as e:
        raise SerializationError(f"$.{column}: not valid JSON: {e}", path=f"$.{column}") from e


def _event_from_row(row: Sequence[Any], personal: object = None) -> Event:
    """
    Decode one ``events`` row through the serialization module, with the personal values
    (``personal``, as stored) put back into its sealed payload.

    Raises:
        SerializationError: the row does not hold a valid event.
    """
    stream_id, seq, type_name, schema_version, occurred_at, actor, state, payload = row
    return event_from_dict(
        {
            "schema_version": schema_version,
            "type": type_name,
            "complaint_id": stream_id,
            "seq": seq,
            "occurred_at": occurred_at,
            "actor": _json_column(actor, "actor"),
            "state": state,
            "payload": open_payload(
                type_name, _json_column(payload, "payload"), decode_personal(personal)
            ),
        }
    )


def _where(query: ComplaintQuery) -> tuple[str, list[object]]:
    """The WHERE clause and parameters for ``query``'s criteria (paging aside)."""
    return query_where(query, mark="?", instant="?", flag=int)


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


class SQLiteEventStore:
    """
    A complete :class:`~iso10002.ports.store.EventStore` in one SQLite file.

    Args:
        path: the database file, created if missing. ``":memory:"`` gives a private,
            temporary database, for experiments.
        synchronous: how hard SQLite works to make a commit survive a power cut (``PRAGMA
            synchronous``). ``"FULL"`` (the default): once a command returns, its events are
            on disk. ``"NORMAL"``: a power cut or operating-system crash may lose the last
            commits, never the database's consistency; a crash of the application alone loses
            nothing. ``"EXTRA"`` is ``"FULL"`` in this journal mode. ``"OFF"`` may corrupt the
            file on a power cut: for throwaway data only.
        timeout: seconds a write waits for another connection's write to finish before it
            fails with :class:`~iso10002.errors.StorageError`.
        integrity_key: the secret under which event hashes are HMACs (``docs/integrity.md``);
            without it they are plain SHA-256. Open a database always with the same key.

    The database runs in write-ahead-log mode: readers never wait for writers, and writers in
    any number of threads, store objects or processes are serialised by SQLite's write lock,
    taken at the start of each append (``BEGIN IMMEDIATE``). An append checks the stored
    version inside that transaction, so concurrent writers get
    :class:`~iso10002.errors.ConcurrencyConflict`, never a lost update.

    One store object holds one connection and a lock around it: it is safe to share between
    threads, which then take turns. For parallel reads, open one store object per thread or
    process. Do not carry a store object across ``fork``; open a new one in the child.

    Raises:
        StorageError: the file cannot be opened, is not a SQLite database, or belongs to
            another application.
        SchemaVersionError: the database was written by a newer release of the library.
        ValidationError: ``synchronous`` or ``timeout`` is not acceptable.
    """

    sql_dialect: ClassVar[str] = "sqlite"
    """The SQL :meth:`select` speaks."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability)
    """Every level of the store port, and the fast KPI source."""

    SCHEMA_VERSION: ClassVar[int] = MIGRATIONS[-1].version
    """The schema version this release writes (``PRAGMA user_version``)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: Synchronous = "FULL",
        timeout: float = 30.0,
        integrity_key: bytes | None = None,
    ) -> None:
        if synchronous not in _SYNCHRONOUS:
            raise ValidationError(
                "synchronous", f"must be one of {', '.join(_SYNCHRONOUS)}, got {synchronous!r}"
            )
        if (
            not isinstance(timeout, (int, float))
            or isinstance(timeout, bool)
            or not 0 <= timeout < float("inf")
        ):
            raise ValidationError("timeout", f"must be a number of seconds >= 0, got {timeout!r}")
        self._hasher = Hasher(key=integrity_key)
        self._path = os.fspath(path)
        self._synchronous = synchronous
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._actors: dict[Actor, str] = {}
        self._readers = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        with _SQLiteErrors(self._path, "open the database"):
            self._conn = _connect(self._path, synchronous, float(timeout), self._hasher)

    @property
    def path(self) -> str:
        """The database file."""
        return self._path

    @property
    def hasher(self) -> Hasher:
        """How this store computes the integrity hashes of what it appends."""
        return self._hasher

    # -- plumbing -------------------------------------------------------------------------------

    def _use(self, action: str, *, seq_taken: Callable[[], StorageError] | None = None) -> _Access:
        """Hold the lock and the open connection; convert driver errors for ``action``."""
        return _Access(self, _SQLiteErrors(self._path, action, seq_taken))

    def _reference_of(self, stream_id: str) -> str:
        """The reference of a complaint, or its id; for messages about unreadable rows."""
        try:
            with self._use("look up a reference") as conn:
                row = conn.execute(_REFERENCE_OF, (stream_id,)).fetchone()
        except StorageError:
            return stream_id
        return row[0] if row and isinstance(row[0], str) else stream_id

    def _decode(self, row: Sequence[Any]) -> Event:
        """An event from its row (stream_id first, personal last); call without the lock."""
        try:
            return _event_from_row(row[:8], row[8])
        except DECODE_ERRORS as e:
            raise CorruptRecord(
                complaint=self._reference_of(str(row[0])),
                seq=row[1] if isinstance(row[1], int) else 0,
                reason=str(e),
            ) from e

    def _id_from_row(self, row: Sequence[Any] | None) -> ComplaintId | None:
        if row is None:
            return None
        id_, reference, version = row
        try:
            return UUID(id_)
        except (ValueError, TypeError, AttributeError) as e:
            raise CorruptRecord(
                complaint=str(reference),
                seq=version if isinstance(version, int) else 0,
                reason=f"its id {id_!r} is not a UUID",
            ) from e

    # -- EventStore -----------------------------------------------------------------------------

    def append(
        self, events: Sequence[Event], *, expected_version: int, summary: ComplaintSummary
    ) -> None:
        """
        Append ``events`` and replace the summary in one transaction; see
        :meth:`EventStore.append <iso10002.ports.store.EventStore.append>`.

        The reference and client key are fixed by the complaint's first append.

        Raises:
            ConcurrencyConflict: the stored version is not ``expected_version``.
            DuplicateKeyError: a new complaint reuses a reference or client key.
            ValidationError: the batch is empty, mixes complaints or breaks the sequence.
            StorageError: the database failed; nothing was written.
        """
        self.append_many(
            [Append(events=tuple(events), expected_version=expected_version, summary=summary)]
        )

    def append_many(self, appends: Sequence[Append]) -> None:
        """
        Make every append of ``appends`` in one transaction: all of them or none; see
        :meth:`BatchAppender.append_many <iso10002.ports.store.BatchAppender.append_many>`.

        One commit for many complaints: what makes bulk imports fast.

        Raises:
            ConcurrencyConflict, DuplicateKeyError, ValidationError, StorageError: as
                :meth:`append`, for the first append that fails; nothing was written.
        """
        # Check and serialise before taking the lock: a value that cannot be stored fails
        # here, and other threads are not kept waiting on JSON encoding.
        prepared = []
        outbox: list[tuple[object, ...]] = []
        for a in appends:
            check_batch(a.events, a.expected_version, a.summary)
            cid = str(a.summary.id)
            rows, data = zip(*(_event_row(e, cid, self._actors) for e in a.events), strict=True)
            prepared.append((a, cid, rows, data, _summary_values(a.summary)))
            outbox.extend(outbox_sql.entry_row(e, a.summary.id) for e in a.outbox)
        if not prepared:
            return
        last: list[tuple[str, str, int]] = []

        def seq_taken() -> StorageError:
            # Only reachable if the events table holds rows that the summary does not count,
            # e.g. written by another tool: it is a conflict with whatever wrote them.
            cid, reference, expected = last[-1]
            with _SQLiteErrors(self._path, f"read the version of {reference}"):
                actual = conn.execute(_STREAM_VERSION, (cid,)).fetchone()[0]
            return ConcurrencyConflict(
                complaint=reference, expected_version=expected, actual_version=actual
            )

        first = appends[0].summary.reference
        action = (
            f"append to complaint {first}"
            if len(prepared) == 1
            else f"append to {len(prepared)} complaints from {first} on"
        )
        hasher = self._hasher
        with self._use(action, seq_taken=seq_taken) as conn, _Immediate(conn):
            # The previous links are read under the write lock: nobody else can append now.
            found = conn.execute(_LAST_CHAIN).fetchone()
            chain = GENESIS if found is None or found[0] is None else str(found[0])
            hashes: dict[str, str] = {}
            for a, cid, rows, data, values in prepared:
                last.append((cid, a.summary.reference, a.expected_version))
                previous = hashes.get(cid)
                if previous is None:
                    previous = GENESIS
                    if a.expected_version:
                        found = conn.execute(_EVENT_HASH, (cid, a.expected_version)).fetchone()
                        previous = GENESIS if found is None or found[0] is None else str(found[0])
                linked = []
                for row, canonical in zip(rows, data, strict=True):
                    previous = hasher.event_hash(previous, canonical)
                    chain = hasher.chain_hash(chain, previous)
                    linked.append((*row, previous, chain))
                hashes[cid] = previous
                if a.erase:
                    self._erase(conn, cid)
                self._write(conn, a, cid, linked, values)
            if outbox:
                outbox_sql.insert(conn, outbox)

    def _erase(self, conn: sqlite3.Connection, cid: str) -> None:
        """Clear the complaint's personal values and outbox records, in the caller's transaction."""
        conn.execute(_ERASE_PERSONAL, (cid,))
        conn.execute(_ERASE_OUTBOX, (cid,))

    def find_subject(self, match: SubjectMatch) -> list[ComplaintId]:
        """
        The ids of the complaints whose complainant is ``match``; see
        :class:`~iso10002.ports.store.PersonalDataStore`. Reads every complaint's first event
        that still holds personal data: a rare request, not an indexed one.
        """
        found: list[ComplaintId] = []
        with self._use("find a data subject") as conn:
            rows = conn.execute(_SUBJECT_DETAILS).fetchall()
        for stream_id, customer_id, email in rows:
            if match.matches(customer_id, email):
                found.append(UUID(stream_id))
        return found

    def _write(
        self,
        conn: sqlite3.Connection,
        a: Append,
        cid: str,
        rows: list[tuple[object, ...]],
        values: tuple[object, ...],
    ) -> None:
        """One append, inside the caller's write transaction."""
        summary = a.summary
        if a.expected_version == 0:
            inserted = conn.execute(
                _INSERT_SUMMARY, (cid, summary.reference, summary.client_key, *values)
            )
            if inserted.rowcount != 1:
                raise self._taken(conn, summary)
        else:
            # Inside the write transaction: nobody can move the version on before COMMIT.
            current = conn.execute(_CURRENT, (cid,)).fetchone()
            if current is None or current[1] != a.expected_version:
                raise ConcurrencyConflict(
                    complaint=summary.reference,
                    expected_version=a.expected_version,
                    actual_version=0 if current is None else current[1],
                )
            changed: list[str] = []
            params = [values[0], values[5], values[8], values[9], values[10], *values[14:]]
            for name, new, old in _INDEXED:
                if values[new] != current[old]:
                    changed.append(name)
                    params.append(values[new])
            params.append(current[0])
            conn.execute(_update_sql(tuple(changed)), params)
        conn.executemany(_INSERT_EVENT, rows)

    @staticmethod
    def _taken(conn: sqlite3.Connection, summary: ComplaintSummary) -> StorageError:
        """Why a new complaint's summary row could not be inserted."""
        cid = str(summary.id)
        rows = conn.execute(_TAKEN_KEYS, (cid, summary.reference, summary.client_key)).fetchall()
        for id_, _reference, _client_key, version in rows:
            if id_ == cid:
                return ConcurrencyConflict(
                    complaint=summary.reference, expected_version=0, actual_version=version
                )
        for _id, reference, _client_key, _version in rows:
            if reference == summary.reference:
                return DuplicateKeyError("reference", summary.reference)
        for _id, _reference, client_key, _version in rows:
            if summary.client_key is not None and client_key == summary.client_key:
                return DuplicateKeyError("client key", summary.client_key)
        return StorageError(  # pragma: no cover - the write lock is held; nothing can change
            f"SQLite store: the summary of complaint {summary.reference} was not inserted"
        )

    def read(self, complaint_id: ComplaintId, *, after: int = 0) -> list[Event]:
        """
        The complaint's events with ``seq > after``, oldest first.

        Raises:
            CorruptRecord: a stored event cannot be decoded (names the reference and seq).
        """
        with self._use("read a complaint's events") as conn:
            rows = conn.execute(_READ, (str(complaint_id), after)).fetchall()
        return [self._decode(row) for row in rows]

    def version(self, complaint_id: ComplaintId) -> int:
        """The complaint's last sequence number, 0 if it does not exist."""
        with self._use("read a complaint's version") as conn:
            row = conn.execute(_VERSION, (str(complaint_id),)).fetchone()
        return 0 if row is None else int(row[0])

    def id_for_reference(self, reference: str) -> ComplaintId | None:
        """The id of the complaint with this reference, if any."""
        with self._use("look up a reference") as conn:
            row = conn.execute(_ID_FOR_REFERENCE, (reference,)).fetchone()
        return self._id_from_row(row)

    def id_for_client_key(self, client_key: str) -> ComplaintId | None:
        """The id of the complaint received with this client key, if any."""
        with self._use("look up a client key") as conn:
            row = conn.execute(_ID_FOR_CLIENT_KEY, (client_key,)).fetchone()
        return self._id_from_row(row)

    def summary(self, complaint_id: ComplaintId) -> ComplaintSummary | None:
        """
        The complaint's summary row, if it exists; its instants are in UTC.

        Raises:
            CorruptRecord: the row cannot be read back.
        """
        with self._use("read a summary") as conn:
            row = conn.execute(_SUMMARY, (str(complaint_id),)).fetchone()
        return None if row is None else summary_from_values(row)

    def query(self, query: ComplaintQuery) -> Page:
        """The summaries matching ``query``, newest received first, one page."""
        where, params = _where(query)
        with self._use("query complaints") as conn:
            # One read transaction, so that the total and the page see the same snapshot.
            conn.execute("BEGIN")
            try:
                total = conn.execute(f"SELECT COUNT(*) FROM complaints{where}", params).fetchone()
                rows = conn.execute(
                    f"SELECT {_SUMMARY_COLUMNS} FROM complaints{where}{_ORDERS[query.order]}",
                    (*params, query.limit, query.offset),
                ).fetchall()
            finally:
                conn.execute("COMMIT")
        items = tuple(summary_from_values(row) for row in rows)
        return Page(items=items, total=total[0], limit=query.limit, offset=query.offset)

    def explain_query(self, query: ComplaintQuery) -> list[str]:
        """
        How SQLite will find ``query``'s page: one line per step of ``EXPLAIN QUERY PLAN``.

        ``SEARCH complaints USING INDEX …`` reads only the matching rows; ``SCAN complaints``
        reads the whole table.
        """
        where, params = _where(query)
        order = _ORDERS[query.order]
        sql = f"EXPLAIN QUERY PLAN SELECT {_SUMMARY_COLUMNS} FROM complaints{where}{order}"
        with self._use("explain a query") as conn:
            rows = conn.execute(sql, (*params, query.limit, query.offset)).fetchall()
        return [str(row[3]) for row in rows]

    def iter_events(self, *, after_position: int = 0) -> Iterator[tuple[int, Event]]:
        """
        Every event appended before the iteration started, in commit order, with positions.

        Positions are handed out in commit order, so a reader that stops at position ``p``
        and later resumes with ``after_position=p`` misses nothing. Rows are fetched in
        batches; the store is not locked while the caller works on an event.

        Raises:
            CorruptRecord: a stored event cannot be decoded.
        """
        with self._use("read the event log") as conn:
            last = int(conn.execute(_LAST_POSITION).fetchone()[0])
        position = after_position
        while position < last:
            with self._use("read the event log") as conn:
                rows = conn.execute(_READ_LOG, (position, last, _READ_BATCH)).fetchall()
            if not rows:
                return
            for row in rows:
                yield row[0], self._decode(row[1:])
            position = rows[-1][0]

    def iter_chain(self, *, after_position: int = 0) -> Iterator[ChainRecord]:
        """
        Every event appended before the iteration started, in position order, with its stored
        hashes; see :class:`~iso10002.ports.store.ChainedStore`. A row that cannot be decoded
        comes with ``event=None`` and the reason, so that a verifier can name it.
        """
        with self._use("read the event log") as conn:
            last = int(conn.execute(_LAST_POSITION).fetchone()[0])
        position = after_position
        while position < last:
            with self._use("read the event chain") as conn:
                rows = conn.execute(_READ_CHAIN, (position, last, _READ_BATCH)).fetchall()
            if not rows:
                return
            for row in rows:
                yield chain_record(row, _event_from_row, _payload_column)
            position = rows[-1][0]

    # -- KPI source (see iso10002.ports.kpi.KpiSource) -----------------------------------------

    def iter_fact_rows(
        self, *, received_before: _dt.datetime, closed_since: _dt.datetime
    ) -> Iterator[FactRow]:
        """The rows a report needs, from the summaries; see :class:`KpiSource`."""
        return SummaryKpiSource(self).iter_fact_rows(
            received_before=received_before, closed_since=closed_since
        )

    def iter_survey_answers(
        self, *, start: _dt.datetime, end: _dt.datetime
    ) -> Iterator[Event | SurveyAnswered]:
        """The survey answers recorded in ``[start, end)``, read in SQL."""
        return survey_answers(self, start, end)

    def scan_cohort(self, cohort: CohortScan, *, detail: bool) -> bool:
        """Aggregate a report's cohort in SQL; see :meth:`KpiSource.scan_cohort`."""
        return scan_cohort(self, cohort, detail=detail)

    def select(
        self, sql: str, params: Sequence[object] | Mapping[str, object] = ()
    ) -> Iterable[tuple[Any, ...]]:
        """
        The rows of one read-only ``SELECT`` over the store's tables, for reporting: KPIs
        aggregate in SQL through this. The tables are described in the storage guide; they
        may gain columns in later releases, never lose them.

        Each thread reads on a connection of its own, opened on first use and kept until
        :meth:`close`: reports neither wait for commands nor hold them up (write-ahead log),
        and two threads' reports run in parallel. The rows come as they are read, so memory
        does not grow with them; read them all before the next ``select`` in the same thread.
        A ``":memory:"`` store has one connection, shared under the store's lock, and returns
        the rows as a list.

        Raises:
            ValidationError: ``sql`` is not a single ``SELECT`` (or ``WITH ... SELECT``).
            StorageError: the database refused it.
        """
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            raise ValidationError("sql", "only a SELECT statement may be run")
        if self._path == ":memory:":
            with self._use("run a reporting query") as conn:
                conn.execute("PRAGMA query_only = ON")
                try:
                    return conn.execute(sql, params).fetchall()
                finally:
                    conn.execute("PRAGMA query_only = OFF")
        if self._conn is None:
            raise StoreClosedError(f"SQLite store {self._path} is closed")
        with _SQLiteErrors(self._path, "run a reporting query"):
            cursor = self._reader().execute(sql, params)
        return self._rows(cursor)

    def _rows(self, cursor: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
        # Chunks, chained in C: a generator step per row would cost a tenth of the report.
        def chunks() -> Iterator[list[tuple[Any, ...]]]:
            while True:
                with _SQLiteErrors(self._path, "read a reporting query's rows"):
                    chunk = cursor.fetchmany(_SELECT_BATCH)
                if not chunk:
                    return
                yield chunk

        return itertools.chain.from_iterable(chunks())

    def _reader(self) -> sqlite3.Connection:
        """This thread's reporting connection; query_only, so SQLite refuses any write."""
        conn: sqlite3.Connection | None = getattr(self._readers, "conn", None)
        if conn is None:
            with self._lock:
                if self._conn is None:
                    raise StoreClosedError(f"SQLite store {self._path} is closed")
                conn = sqlite3.connect(self._path, check_same_thread=False)
                conn.execute("PRAGMA query_only = ON")
                self._readers.conn = conn
                self._reader_connections.append(conn)
        return conn

    def next_number(self, scope: str) -> int:
        """
        Allocate the next number (1, 2, …) in ``scope``; unique across threads and processes.

        The increment is not flushed to disk on its own: it becomes durable with the next
        durable commit to the file, in particular with the append that uses the number (the
        write-ahead log is flushed as a whole, in order). A number that nothing durable used
        yet may thus be handed out again after a power cut, which is harmless for references.
        This spares the desk one disk flush per complaint received.
        """
        with self._use(f"allocate a number in {scope!r}") as conn:
            relax = self._synchronous in ("FULL", "EXTRA")
            if relax:
                conn.execute("PRAGMA synchronous = NORMAL")
            try:
                with _Immediate(conn):
                    conn.execute(_BUMP_COUNTER, (scope,))
                    return int(conn.execute(_COUNTER, (scope,)).fetchone()[0])
            finally:
                if relax:
                    conn.execute(f"PRAGMA synchronous = {self._synchronous}")

    # -- access denials (see iso10002.ports.store.DenialStore) ---------------------------------

    def record_denial(self, denial: DenialRecord) -> None:
        """Keep an access denial in the ``access_denials`` table, in one durable transaction."""
        values = denial_values(denial)
        with self._use("record an access denial") as conn, _Immediate(conn):
            conn.execute(
                f"INSERT INTO access_denials ({DENIAL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                values,
            )

    def denials(
        self, *, since: _dt.datetime | None = None, limit: int = 1000
    ) -> list[DenialRecord]:
        """
        The access denials recorded at or after ``since`` (all if ``None``), oldest first, at
        most ``limit``.

        Raises:
            StorageError: a stored denial cannot be read back.
        """
        check_denials_query(since, limit)
        where, params = ("", []) if since is None else (" WHERE at >= ?", [utc(since, "since")])
        sql = f"SELECT id, {DENIAL_COLUMNS} FROM access_denials{where} ORDER BY at, id LIMIT ?"
        with self._use("list access denials") as conn:
            rows = conn.execute(sql, (*params, limit)).fetchall()
        found = []
        for row in rows:
            try:
                found.append(denial_from_values(row[1:]))
            except (ValueError, TypeError) as e:
                raise StorageError(
                    f"SQLite store {self._path}: access denial {row[0]} cannot be read: {e}"
                ) from e
        return found

    # -- outbox (see iso10002.ports.store.OutboxStore) ----------------------------------------

    @contextlib.contextmanager
    def _bookkeeping(self, action: str) -> Iterator[sqlite3.Connection]:
        """
        The lock, the connection and one write transaction that is committed without waiting
        for the disk (``synchronous = NORMAL``) whatever the store's setting: for the outbox's
        claims and outcomes. A power cut may lose the last of them, never the database's
        consistency: a lost claim is claimed again, a lost outcome means the notification is
        sent again, which at-least-once delivery allows. Enqueueing stays as durable as the
        events it comes with.
        """
        with self._use(action) as conn:
            relax = self._synchronous in ("FULL", "EXTRA")
            if relax:
                conn.execute("PRAGMA synchronous = NORMAL")
            try:
                with _Immediate(conn):
                    yield conn
            finally:
                if relax:
                    conn.execute(f"PRAGMA synchronous = {self._synchronous}")

    def outbox_enqueue(self, entries: Sequence[OutboxEntry]) -> int:
        """
        Enqueue ``entries`` that no event caused, in one durable transaction; returns how many
        were new. See :meth:`OutboxStore.outbox_enqueue
        <iso10002.ports.store.OutboxStore.outbox_enqueue>`.
        """
        rows = [outbox_sql.entry_row(e, None) for e in entries]
        if not rows:
            return 0
        with self._use("enqueue notifications") as conn, _Immediate(conn):
            return outbox_sql.insert(conn, rows)

    def outbox_claim(
        self,
        *,
        worker: str,
        now: _dt.datetime,
        lease: _dt.timedelta,
        limit: int,
        channels: Collection[str],
        digest: bool | None = None,
    ) -> list[OutboxRecord]:
        """
        Claim due records under the write lock, so that no two dispatchers (threads,
        connections or processes) hold the same one; see :meth:`OutboxStore.outbox_claim
        <iso10002.ports.store.OutboxStore.outbox_claim>`.
        """
        with self._bookkeeping("claim notifications") as conn:
            rows = outbox_sql.claim(
                conn,
                worker=worker,
                now=now,
                lease=lease,
                limit=limit,
                channels=channels,
                digest=digest,
            )
        return [outbox_sql.record(row) for row in rows]

    def outbox_delivered(self, record_id: int, *, now: _dt.datetime) -> bool:
        """Record a delivery; see :meth:`OutboxStore.outbox_delivered`."""
        with self._bookkeeping(f"record the delivery of outbox record {record_id}") as conn:
            return outbox_sql.delivered(conn, record_id, now)

    def outbox_failed(
        self,
        record_id: int,
        *,
        attempt: int,
        error: str,
        retry_at: _dt.datetime | None,
    ) -> bool:
        """Record a failed attempt; see :meth:`OutboxStore.outbox_failed`."""
        with self._bookkeeping(f"record a failure of outbox record {record_id}") as conn:
            return outbox_sql.failed(conn, record_id, attempt, error, retry_at)

    def outbox_merge(
        self, records: Sequence[OutboxRecord], digest: OutboxEntry
    ) -> OutboxRecord | None:
        """Merge claimed records into a digest; see :meth:`OutboxStore.outbox_merge`."""
        row = outbox_sql.entry_row(digest, None)
        try:
            with self._bookkeeping("merge notifications into a digest") as conn:
                made = outbox_sql.merge(conn, records, row)
        except outbox_sql.MergeLost:
            return None
        return None if made is None else outbox_sql.record(made)

    def outbox_records(self, query: OutboxQuery) -> list[OutboxRecord]:
        """The records matching ``query``, by id, one page."""
        with self._use("list outbox records") as conn:
            rows = outbox_sql.query(conn, query)
        return [outbox_sql.record(row) for row in rows]

    def outbox_record(self, key: int | str) -> OutboxRecord | None:
        """The record with this id (int) or idempotency key (str), if any."""
        with self._use("read an outbox record") as conn:
            row = outbox_sql.get(conn, key)
        return None if row is None else outbox_sql.record(row)

    def outbox_retry(self, record_ids: Sequence[int], *, now: _dt.datetime) -> int:
        """Revive dead records; see :meth:`OutboxStore.outbox_retry`."""
        with self._use("retry dead notifications") as conn, _Immediate(conn):
            return outbox_sql.retry(conn, record_ids, now)

    def outbox_counts(self) -> dict[OutboxState, int]:
        """How many records are in each state."""
        with self._use("count outbox records") as conn:
            return outbox_sql.counts(conn)

    def outbox_purge(self, *, delivered_before: _dt.datetime) -> int:
        """Delete the records delivered before the instant; returns how many."""
        with self._use("purge delivered notifications") as conn, _Immediate(conn):
            return outbox_sql.purge(conn, delivered_before)

    def close(self) -> None:
        """Close the connection; later calls raise StoreClosedError. Closing twice is fine."""
        with self._lock:
            conn, self._conn = self._conn, None
            readers, self._reader_connections = self._reader_connections, []
            with _SQLiteErrors(self._path, "close the database"):
                for reader in readers:
                    reader.close()
                if conn is not None:
                    conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else f"synchronous={self._synchronous!r}"
        return f"SQLiteEventStore({self._path!r}, {state})"
