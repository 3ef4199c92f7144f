"""
How the PostgreSQL store's rows are written and read back: the statements for one schema, the
parameters of an event or summary, and the decoding of what the driver returns.

Instants are sent as the shared codec's UTC text with a ``::timestamptz`` cast, so that a value
out of range fails as it does on SQLite (``ValidationError`` naming the field), and come back as
aware datetimes, put into UTC here. Flags are booleans; the other facts columns use the shared
codec of :mod:`iso10002.storage._sql.columns` unchanged.

An event's payload is stored sealed, its personal values beside it in ``personal``
(:mod:`iso10002.storage._sql.sealed`): both ``jsonb``, which the driver hands back parsed.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, NamedTuple
from uuid import UUID

from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import Event
from iso10002.model.prepared import PreparedEvent
from iso10002.model.subject import SUBJECT_CUSTOMER_ID, SUBJECT_EMAIL
from iso10002.ports.store import ComplaintQuery
from iso10002.privacy.sealing import unseal_actor
from iso10002.serialization import event_from_dict
from iso10002.storage._sql.columns import (
    FACT_COLUMNS,
    facts_values,
    summary_from_values,
    utc,
    utc_or_none,
)
from iso10002.storage._sql.erasure import ErasureStatements
from iso10002.storage._sql.numbers import NumberStatements
from iso10002.storage._sql.sealed import decode_personal, open_payload
from iso10002.storage._sql.where import query_where
from iso10002.storage._sql.written import Columns, Known, values_since
from iso10002.storage.postgres.schema import FACT_KINDS, append_lock_key

__all__ = [
    "CHANGEABLE",
    "UPDATE_SHAPES",
    "Statements",
    "SummaryUpdate",
    "event_from_row",
    "event_params",
    "micros_sql",
    "read_instant",
    "statements",
    "summary_from_row",
    "summary_params",
    "summary_params_since",
    "where",
]

_UTC = _dt.timezone.utc

_FACT_NAMES = tuple(name for name, _ in FACT_COLUMNS)
_FLAG_INDEXES = tuple(i for i, name in enumerate(_FACT_NAMES) if FACT_KINDS.get(name) == "flag")

EVENT_COLUMNS = "stream_id, seq, type, schema_version, occurred_at, actor, state, payload"
# The summary's columns after id, reference and client_key, which its first append fixes.
_MUTABLE = (
    "version",
    "state",
    "is_open",
    "channel",
    "priority",
    "category",
    "assignee",
    "received_at",
    "acknowledged_at",
    "closed_at",
    "updated_at",
    "sla_due_at",
    "sla_warning_at",
    "sla_alert_at",
    *_FACT_NAMES,
    # Fixed at receipt: rewritten with the value it has, which PostgreSQL sees as no change
    # of an indexed column (the update stays a HOT update).
    "organisation",
)
_INSTANTS = frozenset(
    {
        "received_at",
        "acknowledged_at",
        "closed_at",
        "updated_at",
        "sla_due_at",
        "sla_warning_at",
        "sla_alert_at",
        *(name for name in _FACT_NAMES if FACT_KINDS.get(name) == "instant"),
    }
)
SUMMARY_COLUMNS = "id, reference, client_key, " + ", ".join(_MUTABLE)


def _placeholder(column: str) -> str:
    return "%s::timestamptz" if column in _INSTANTS else "%s"


def micros_sql(column: str) -> str:
    """
    SQL giving a ``timestamptz`` column as whole microseconds since the Unix epoch, exactly on
    every server version (``extract(epoch ...)`` is a float before PostgreSQL 14).
    """
    seconds = f"extract(epoch FROM date_trunc('second', {column}))::bigint"
    return f"({seconds} * 1000000 + mod(extract(microseconds FROM {column})::bigint, 1000000))"


CHANGEABLE = Columns(tuple((c, i) for i, c in enumerate(_MUTABLE) if c != "version"))
"""The columns an update sets only if their values changed (:mod:`.._sql.written`): all but
the version, which an append always changes."""

UPDATE_SHAPES = 64
"""The most summary updates a schema's statements hold (a desk's commands make a score)."""


class SummaryUpdate(NamedTuple):
    """The version-checked update of a summary that sets the version and the columns changed."""

    changed: tuple[str, ...]
    """The columns set after the version, in :data:`CHANGEABLE`'s order."""
    sql: str
    """The update; its parameters: the columns', then the id and the expected version."""
    returning: str
    """The update returning the hash of the event the append continues (the id and the
    expected version once more after those of :attr:`sql`); no row on a conflict."""
    pick: Callable[[tuple[object, ...]], tuple[object, ...]]
    """The columns' parameters from a summary's values (:func:`summary_params`)."""

    @classmethod
    def build(cls, schema: str, changed: tuple[str, ...]) -> SummaryUpdate:
        """The update in ``schema`` (quoted) setting the version and ``changed``."""
        columns = ("version", *changed)
        sql = (
            f"UPDATE {schema}.complaints SET "
            + ", ".join(f"{c} = {_placeholder(c)}" for c in columns)
            + " WHERE id = %s AND version = %s"
        )
        returning = (
            f"{sql} RETURNING (SELECT hash FROM {schema}.events WHERE stream_id = %s AND seq = %s)"
        )
        at = {c: i for i, c in enumerate(_MUTABLE)}
        pick = itemgetter(*(at[c] for c in columns)) if changed else lambda v: (v[0],)
        return cls(changed, sql, returning, pick)


class Statements:
    """The store's SQL for one schema, built once."""

    def __init__(self, schema: str) -> None:
        s = f'"{schema}"'
        self.schema = s
        self.insert_event = (
            f"INSERT INTO {s}.events ({EVENT_COLUMNS}, personal, hash, chain) VALUES "
            "(%s, %s, %s, %s, %s::timestamptz, %s::jsonb, %s, %s::jsonb, %s::jsonb, %s, %s)"
        )
        # The append lock, then the log's last chain value, in one round trip: two statements
        # in one simple query, each seeing what was committed when it began, so the read sees
        # the value committed by the append the lock waited for. (One statement that took the
        # lock and read would not.) The key is our own integer, written into the text because
        # the simple query protocol takes no parameters.
        # The same two statements apart, for a pipeline (which sends one statement a query).
        self.lock_appends = f"SELECT pg_advisory_xact_lock({append_lock_key(schema)})"
        self.last_chain = f"SELECT chain FROM {s}.events ORDER BY position DESC LIMIT 1"
        self.lock_and_read_chain = (
            f"SELECT pg_advisory_xact_lock({append_lock_key(schema)}); "
            f"SELECT chain FROM {s}.events ORDER BY position DESC LIMIT 1"
        )
        self.read_chain = (
            f"SELECT position, {EVENT_COLUMNS}, personal, hash, chain FROM {s}.events "
            "WHERE position > %s AND position <= %s ORDER BY position LIMIT %s"
        )
        self.erase_personal = (
            f"UPDATE {s}.events SET personal = NULL WHERE stream_id = %s AND personal IS NOT NULL"
        )
        self.erase_outbox = f"DELETE FROM {s}.outbox WHERE complaint_id = %s RETURNING id"
        self.erasure = ErasureStatements.build(prefix=f"{s}.", mark="%s", uuid="%s::uuid")
        # Element 1 of each [salt, value]; NULL for a path that is not held (or not a string).
        self.subject_details = (
            f"SELECT stream_id, personal -> '{SUBJECT_CUSTOMER_ID}' ->> 1, "
            f"personal -> '{SUBJECT_EMAIL}' ->> 1 FROM {s}.events "
            "WHERE seq = 1 AND personal IS NOT NULL"
        )
        self.insert_summary = (
            f"INSERT INTO {s}.complaints ({SUMMARY_COLUMNS}) VALUES (%s, %s, %s, "
            + ", ".join(_placeholder(c) for c in _MUTABLE)
            + ")"
        )
        # The version check of an append (SummaryUpdate.returning): under READ COMMITTED an
        # UPDATE that waited for a concurrent writer's row lock re-reads the row and checks
        # the version again. It returns the hash of the event it continues, which saves a
        # round trip. A row is updated only if the version it matched committed before the
        # statement began, and with it that event: the subquery, which sees what the
        # statement sees, finds it. The same without RETURNING (SummaryUpdate.sql), for the
        # one-round-trip append (postgres/linked.py). One of each for every set of columns
        # an update sets (:meth:`update`), that of every column first.
        self._updates: dict[tuple[str, ...], SummaryUpdate] = {}
        self.update_every = self.update(CHANGEABLE.names)
        # Row locks in one order, so that two batches touching the same complaints queue up
        # instead of deadlocking.
        self.lock_summaries = (
            f"SELECT id FROM {s}.complaints WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
        )
        self.append_lock = "SELECT pg_advisory_xact_lock(%s)"
        self.version = f"SELECT version FROM {s}.complaints WHERE id = %s"
        self.stream_version = f"SELECT COALESCE(max(seq), 0) FROM {s}.events WHERE stream_id = %s"
        self.read = (
            f"SELECT {EVENT_COLUMNS}, personal FROM {s}.events "
            "WHERE stream_id = %s AND seq > %s ORDER BY seq"
        )
        self.last_position = f"SELECT COALESCE(max(position), 0) FROM {s}.events"
        self.read_log = (
            f"SELECT position, {EVENT_COLUMNS}, personal FROM {s}.events "
            "WHERE position > %s AND position <= %s ORDER BY position LIMIT %s"
        )
        self.id_for_reference = f"SELECT id FROM {s}.complaints WHERE reference = %s"
        self.id_for_client_key = f"SELECT id FROM {s}.complaints WHERE client_key = %s"
        self.stored_client_keys = (
            f"SELECT client_key FROM {s}.complaints WHERE client_key = ANY(%s::text[])"
        )
        self.reference_of = f"SELECT reference FROM {s}.complaints WHERE id = %s"
        self.summary = f"SELECT {SUMMARY_COLUMNS} FROM {s}.complaints WHERE id = %s"
        self.numbers = NumberStatements(prefix=f"{s}.", mark="%s", returning=" RETURNING value")
        self.bump_counter = (
            f"INSERT INTO {s}.counters AS c (scope, value) VALUES (%s, 1) "
            "ON CONFLICT (scope) DO UPDATE SET value = c.value + 1 RETURNING value"
        )
        self.fact_rows = (
            "SELECT id, "
            + ", ".join(
                (
                    micros_sql("received_at"),
                    micros_sql("closed_at"),
                    micros_sql("acknowledged_at"),
                    micros_sql("first_response_at"),
                    "channel, category, product, priority, outcome, closure_reason",
                    "withdrawn::int, source, timed::int, remedies, redress, reopen_count",
                    "internal_reviews, referrals, first_contact::int, satisfaction_score",
                    "satisfaction_scale, root_cause, root_cause_category, sla",
                )
            )
            + f" FROM {s}.complaints WHERE received_at < %s::timestamptz"
            " AND (closed_at IS NULL OR closed_at >= %s::timestamptz)"
            " AND id > %s ORDER BY id LIMIT %s"
        )

    def update(self, changed: tuple[str, ...]) -> SummaryUpdate:
        """
        The version-checked update of a summary that sets its version and the columns
        ``changed`` (names of :data:`CHANGEABLE`, in its order), built once; past
        :data:`UPDATE_SHAPES` statements, the one that sets every column, so that the
        statements (and those each connection prepares) stay few whatever the commands.
        """
        made = self._updates.get(changed)
        if made is None:
            if len(self._updates) >= UPDATE_SHAPES:
                return self._updates[CHANGEABLE.names]
            made = self._updates[changed] = SummaryUpdate.build(self.schema, changed)
        return made

    def page(self, where: str, order: str) -> str:
        """One page of summaries and the total, in one statement (so one snapshot)."""
        s = self.schema
        return (
            f"SELECT t.total, p.* FROM (SELECT count(*) FROM {s}.complaints{where}) AS t(total) "
            f"LEFT JOIN LATERAL (SELECT {SUMMARY_COLUMNS} FROM {s}.complaints{where} "
            f"ORDER BY {order} LIMIT %s OFFSET %s) AS p ON true ORDER BY {order}"
        )


@functools.cache
def statements(schema: str) -> Statements:
    """The statements for ``schema`` (a checked name)."""
    return Statements(schema)


ORDERS = {
    "received": "received_at DESC, reference DESC",
    "sla_due": "sla_due_at, reference",
}


def where(query: ComplaintQuery) -> tuple[str, list[object]]:
    """The WHERE clause and parameters for ``query``'s criteria (paging aside)."""
    return query_where(query, mark="%s", instant="%s::timestamptz", flag=bool)


# -- writing ---------------------------------------------------------------------------------------


def event_params(prepared: PreparedEvent) -> tuple[object, ...]:
    """
    The parameters of ``insert_event`` up to ``personal`` for a prepared event (the payload
    sealed, the personal values apart), with the JSON the prepared event holds.
    """
    event = prepared.event
    return (
        event.complaint_id,
        event.seq,
        event.payload.type,
        event.schema_version,
        utc(event.occurred_at, "occurred_at"),
        prepared.actor_json,
        event.state,
        prepared.payload_json,
        prepared.personal_json,
    )


def summary_params_since(s: ComplaintSummary, known: Known | None) -> tuple[object, ...]:
    """
    :func:`summary_params`, formatting only what changed since ``known``, what the store last
    wrote for the complaint, if it remembers it (:func:`.._sql.written.values_since`).
    """
    return summary_params(s) if known is None else values_since(s, known, bool)


def summary_params(s: ComplaintSummary) -> tuple[object, ...]:
    """The summary's values for the columns after id, reference and client_key."""
    facts = list(facts_values(s.facts))
    for i in _FLAG_INDEXES:
        facts[i] = bool(facts[i])
    return (
        s.version,
        s.state,
        s.is_open,
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
        *facts,
        s.organisation,
    )


# -- reading ---------------------------------------------------------------------------------------


def read_instant(value: object, column: str) -> _dt.datetime:
    """A ``timestamptz`` as the driver returns it, in UTC; ValueError naming ``column`` if not."""
    if not isinstance(value, _dt.datetime) or value.tzinfo is None:
        raise ValueError(f"{column} is {value!r}, not an instant")
    return value.astimezone(_UTC)


def summary_from_row(row: Sequence[Any]) -> ComplaintSummary:
    """
    The summary in a row of :data:`SUMMARY_COLUMNS`; see
    :func:`~iso10002.storage._sql.columns.summary_from_values`.

    Raises:
        CorruptRecord: a column does not hold what it should.
    """
    return summary_from_values(row, read_instant)


def event_from_row(row: Sequence[Any], personal: object = None) -> Event:
    """
    Decode one row of :data:`EVENT_COLUMNS` through the serialization module, with the personal
    values (``personal``, as stored) put back into its sealed payload; an erased value reads as
    :data:`~iso10002.model.personal.ERASED`.

    Raises:
        SerializationError: the row does not hold a valid event.
    """
    stream_id, seq, type_name, schema_version, occurred_at, actor, state, payload = row
    held = decode_personal(personal)
    return event_from_dict(
        {
            "schema_version": schema_version,
            "type": type_name,
            "complaint_id": str(stream_id) if isinstance(stream_id, UUID) else stream_id,
            "seq": seq,
            "occurred_at": (
                occurred_at.astimezone(_UTC).isoformat()
                if isinstance(occurred_at, _dt.datetime)
                else occurred_at
            ),
            "actor": unseal_actor(actor, held),
            "state": state,
            "payload": open_payload(type_name, payload, held),
        }
    )
