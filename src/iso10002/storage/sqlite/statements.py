"""The SQLite store's statements and how its rows become events and summaries."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from typing import Any

from iso10002.errors import (
    ConcurrencyConflict,
    DuplicateKeyError,
    SerializationError,
    StorageError,
)
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import Event
from iso10002.model.prepared import PreparedEvent
from iso10002.model.subject import SUBJECT_CUSTOMER_ID, SUBJECT_EMAIL
from iso10002.ports.store import ComplaintQuery
from iso10002.privacy.sealing import unseal_actor
from iso10002.serialization import event_from_dict, parse_json
from iso10002.storage._sql.columns import (
    FACT_COLUMNS,
    facts_values,
    utc,
    utc_or_none,
)
from iso10002.storage._sql.sealed import (
    decode_personal,
    open_payload,
)
from iso10002.storage._sql.where import query_where
from iso10002.storage._sql.written import FACTS_END

__all__: list[str] = []

_READ_BATCH = 500
"""Rows fetched per round trip by iter_events; the lock is released between batches."""
# -- statements, prepared once per connection by sqlite3's statement cache -----------------------

_EVENT_COLUMNS = "stream_id, seq, type, schema_version, occurred_at, actor, state, payload"
_SUMMARY_COLUMNS = (
    "id, reference, client_key, version, state, is_open, channel, priority, category, "
    "assignee, received_at, acknowledged_at, closed_at, updated_at, "
    "sla_due_at, sla_warning_at, sla_alert_at, "
    + ", ".join(name for name, _ in FACT_COLUMNS)
    + ", organisation"
)
_INSERT_EVENT = (
    f"INSERT INTO events ({_EVENT_COLUMNS}, personal, hash, chain) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_LAST_CHAIN = "SELECT chain FROM events ORDER BY position DESC LIMIT 1"
_EVENT_HASH = "SELECT hash FROM events WHERE stream_id = ? AND seq = ?"
_READ_CHAIN = (
    f"SELECT position, {_EVENT_COLUMNS}, personal, hash, chain FROM events "
    "WHERE position > ? AND position <= ? ORDER BY position LIMIT ?"
)
# DO NOTHING (rather than an exception) on any unique key: the caller then finds out which
# key was taken, on the error path only.
_INSERT_SUMMARY = (
    f"INSERT INTO complaints ({_SUMMARY_COLUMNS}) "
    f"VALUES ({', '.join('?' * (18 + len(FACT_COLUMNS)))}) ON CONFLICT DO NOTHING"
)
# (column, index in _summary_values()) of the summary's indexed columns: an UPDATE that leaves
# an indexed column out of its SET list leaves that index alone, which spares most appends
# (notes, communications, ...) several page writes.
_INDEXED = (
    ("state", 1),
    ("is_open", 2),
    ("channel", 3),
    ("priority", 4),
    ("assignee", 6),
    ("received_at", 7),
    ("sla_due_at", 11),
    ("sla_warning_at", 12),
    ("sla_alert_at", 13),
)
_FACTS_END = FACTS_END
"""Where the values an update writes end in _summary_values(): the organisation follows."""
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
_SUBJECT_DETAILS = (
    f"SELECT stream_id, json_extract(personal, '$.\"{SUBJECT_CUSTOMER_ID}\"[1]'), "
    f"json_extract(personal, '$.\"{SUBJECT_EMAIL}\"[1]') FROM events "
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
    The version check and the update of a summary row in one statement: the unindexed columns
    (version, category, acknowledged_at, closed_at, updated_at, the facts), then the indexed
    ones named in ``changed``, where the id and the expected version match (parameters after
    the columns: id, expected version, id, expected version). It returns one row, the stored
    hash of the event the append continues and the log's last link (so that an append which
    updates needs no read of its own for it), or none on a version conflict.
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
    return (
        f"UPDATE complaints SET {', '.join(f'{c} = ?' for c in columns)} "
        "WHERE id = ? AND version = ? "
        "RETURNING (SELECT hash FROM events WHERE stream_id = ? AND seq = ?), "
        "(SELECT chain FROM events ORDER BY position DESC LIMIT 1)"
    )


def _event_row(prepared: PreparedEvent, stream_id: str) -> tuple[object, ...]:
    """
    The ``events`` row of a prepared event up to its links (the payload sealed, the personal
    values apart), with the JSON the prepared event holds.
    """
    event = prepared.event
    return (
        stream_id,
        event.seq,
        event.payload.type,
        event.schema_version,
        utc(event.occurred_at, "occurred_at"),
        prepared.actor_json,
        event.state,
        prepared.payload_json,
        prepared.personal_json,
    )


def _summary_values(s: ComplaintSummary) -> tuple[object, ...]:
    """
    The summary's columns from ``version`` on, in table order (see _INDEXED), the
    organisation last: it is fixed at receipt, so only the insert writes it (_FACTS_END).
    """
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
        s.organisation,
    )


def _json_column(text: object, column: str) -> object:
    if not isinstance(text, (str, bytes)):
        raise SerializationError(
            f"$.{column}: not valid JSON: expected text, got {type(text).__name__}",
            path=f"$.{column}",
        )
    return parse_json(text, path=f"$.{column}")


def _event_from_row(row: Sequence[Any], personal: object = None) -> Event:
    """
    Decode one ``events`` row through the serialization module, with the personal values
    (``personal``, as stored) put back into its sealed payload.

    Raises:
        SerializationError: the row does not hold a valid event.
    """
    stream_id, seq, type_name, schema_version, occurred_at, actor, state, payload = row
    held = decode_personal(personal)
    return event_from_dict(
        {
            "schema_version": schema_version,
            "type": type_name,
            "complaint_id": stream_id,
            "seq": seq,
            "occurred_at": occurred_at,
            "actor": unseal_actor(_json_column(actor, "actor"), held),
            "state": state,
            "payload": open_payload(type_name, _json_column(payload, "payload"), held),
        }
    )


def _where(query: ComplaintQuery) -> tuple[str, list[object]]:
    """The WHERE clause and parameters for ``query``'s criteria (paging aside)."""
    return query_where(query, mark="?", instant="?", flag=int)


def _taken(
    conn: sqlite3.Connection, cid: str, reference: str, client_key: str | None
) -> StorageError:
    """Why a new complaint's summary row (its id, reference and client key) was not inserted."""
    rows = conn.execute(_TAKEN_KEYS, (cid, reference, client_key)).fetchall()
    for id_, _reference, _client_key, version in rows:
        if id_ == cid:
            return ConcurrencyConflict(
                complaint=reference, expected_version=0, actual_version=version
            )
    for _id, taken, _client_key, _version in rows:
        if taken == reference:
            return DuplicateKeyError("reference", reference)
    for _id, _reference, taken, _version in rows:
        if client_key is not None and taken == client_key:
            return DuplicateKeyError("client key", client_key)
    return StorageError(  # pragma: no cover - the write lock is held; nothing can change
        f"SQLite store: the summary of complaint {reference} was not inserted"
    )
