"""
The outbox of :class:`~iso10002.storage.postgres.PostgresEventStore`: the statements behind
:class:`~iso10002.ports.store.OutboxStore`, with the same meaning as those of
:mod:`iso10002.storage.sqlite.outbox`. Its table is created by migration 4
(:mod:`iso10002.storage._sql.migrations`).

Every function takes a connection that the store borrowed from its pool, inside a transaction
the store opened; the store converts psycopg's errors. What differs from SQLite:

- **Claims** lock the rows they take with ``SELECT ... FOR UPDATE SKIP LOCKED``: dispatchers on
  any number of connections and machines claim disjoint records without waiting for each
  other. The lane check reads without locking, so a lane head being claimed by another
  dispatcher still holds back the rest of its lane.
- **Ids in commit order.** An identity value is given out when a row is inserted, not when it
  is committed. Every insert into the outbox therefore happens under a transaction-scoped
  advisory lock (:func:`outbox_lock_key`), held until commit, so that a record committed later
  never has a smaller id than one already visible, and a lane's order is the order of commits.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Collection, Sequence
from typing import Any

from iso10002.errors import NaiveDatetimeError
from iso10002.model.outbox import (
    OUTBOX_SCHEMA_VERSION,
    OutboxEntry,
    OutboxQuery,
    OutboxRecord,
    OutboxState,
    check_channel,
    check_worker,
)
from iso10002.model.values import ComplaintId
from iso10002.serialization import dumps
from iso10002.storage._sql import columns as _columns
from iso10002.storage._sql.outbox_rows import record_from_row

__all__ = [
    "MergeLost",
    "OutboxSql",
    "Row",
    "entry_row",
    "outbox_sql",
    "record",
]

Row = tuple[Any, ...]
Connection = Any
"""An open ``psycopg.Connection`` (typed loosely: only ``execute`` is used)."""

_UTC = _dt.timezone.utc

COLUMNS = (
    "id, idempotency_key, complaint_id, lane, channel, schema_version, notification, "
    "created_at, deliver_after, next_attempt_at, attempts, state, last_error, delivered_at, "
    "claimed_by, lease_until, digest, digest_id"
)


def utc(value: _dt.datetime, field: str) -> str:
    """An instant as UTC text for a ``::timestamptz`` cast; a naive one is refused."""
    if not isinstance(value, _dt.datetime) or value.tzinfo is None:
        raise NaiveDatetimeError(field)
    return _columns.utc(value, field)


def entry_row(entry: OutboxEntry, complaint_id: ComplaintId | None) -> Row:
    """The values to insert for ``entry``; serialised before a connection is borrowed."""
    notification = entry.notification
    due = utc(entry.due_at, "deliver_after")
    return (
        notification.idempotency_key,
        None if complaint_id is None else str(complaint_id),
        notification.complaint_reference,
        entry.effective_lane,
        entry.channel,
        notification.kind,
        OUTBOX_SCHEMA_VERSION,
        dumps(notification),
        utc(notification.created_at, "created_at"),
        due,
        entry.digest,
    )


class OutboxSql:
    """The outbox's statements for one schema, built once."""

    def __init__(self, schema: str) -> None:
        s = f'"{schema}"'
        o = f"{s}.outbox"
        self.table = o
        # One statement for any number of rows, in the order given (WITH ORDINALITY); a key
        # repeated in the same call is dropped like one already stored.
        self.insert = (
            f"INSERT INTO {o} (idempotency_key, complaint_id, complaint_reference, lane, "
            "channel, kind, schema_version, notification, created_at, deliver_after, "
            "next_attempt_at, state, digest) "
            "SELECT k, c::uuid, r, l, ch, kd, v, n::jsonb, ca::timestamptz, "
            "da::timestamptz, da::timestamptz, 'pending', d FROM unnest("
            "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::int[], %s::text[], %s::text[], %s::text[], %s::bool[]) "
            "WITH ORDINALITY AS t(k, c, r, l, ch, kd, v, n, ca, da, d, i) ORDER BY i "
            "ON CONFLICT (idempotency_key) DO NOTHING"
        )
        self.insert_one = (
            f"INSERT INTO {o} (idempotency_key, complaint_id, complaint_reference, lane, "
            "channel, kind, schema_version, notification, created_at, deliver_after, "
            "next_attempt_at, state, digest) VALUES (%s, %s::uuid, %s, %s, %s, %s, %s, "
            "%s::jsonb, %s::timestamptz, %s::timestamptz, %s::timestamptz, 'pending', %s) "
            f"ON CONFLICT (idempotency_key) DO NOTHING RETURNING {COLUMNS}"
        )
        # Both updates are data-modifying CTEs: they run whether or not they are read, in one
        # snapshot; a digest's merged records are pending exactly while it is.
        self.delivered = (
            f"WITH d AS (UPDATE {o} SET state = 'delivered', delivered_at = %s::timestamptz, "
            "next_attempt_at = NULL, claimed_by = NULL, lease_until = NULL "
            "WHERE id = %s AND state = 'pending' RETURNING id), "
            f"m AS (UPDATE {o} SET state = 'delivered', delivered_at = %s::timestamptz, "
            "next_attempt_at = NULL, claimed_by = NULL, lease_until = NULL "
            "WHERE digest_id IN (SELECT id FROM d) AND state = 'pending') "
            "SELECT count(*) FROM d"
        )
        self.reschedule = (
            f"UPDATE {o} SET last_error = %s, next_attempt_at = %s::timestamptz, "
            "claimed_by = NULL, lease_until = NULL "
            "WHERE id = %s AND state = 'pending' AND attempts = %s"
        )
        self.die = (
            f"WITH d AS (UPDATE {o} SET state = 'dead', last_error = %s, next_attempt_at = NULL, "
            "claimed_by = NULL, lease_until = NULL "
            "WHERE id = %s AND state = 'pending' AND attempts = %s RETURNING id), "
            f"m AS (UPDATE {o} SET state = 'dead', last_error = %s "
            "WHERE digest_id IN (SELECT id FROM d) AND state = 'pending') "
            "SELECT count(*) FROM d"
        )
        self.merge_members = (
            f"UPDATE {o} AS u SET digest_id = %s, next_attempt_at = NULL, claimed_by = NULL, "
            "lease_until = NULL FROM unnest(%s::bigint[], %s::int[]) AS m(id, attempts) "
            "WHERE u.id = m.id AND u.attempts = m.attempts AND u.state = 'pending' "
            "AND u.digest_id IS NULL"
        )
        self.by_id = f"SELECT {COLUMNS} FROM {o} WHERE id = %s"
        self.by_key = f"SELECT {COLUMNS} FROM {o} WHERE idempotency_key = %s"
        self.counts = f"SELECT state, count(*) FROM {o} GROUP BY state"
        self.purge = (
            f"DELETE FROM {o} WHERE state = 'delivered' AND delivered_at < %s::timestamptz "
            "RETURNING id"
        )
        # A merged record revived with its digest waits in it again; revived without it, it
        # leaves the digest and goes alone.
        self.retry = (
            f"UPDATE {o} SET state = 'pending', attempts = 0, "
            "next_attempt_at = CASE WHEN digest_id = ANY(%s::bigint[]) THEN NULL "
            "ELSE %s::timestamptz END, "
            "digest_id = CASE WHEN digest_id = ANY(%s::bigint[]) THEN digest_id ELSE NULL END "
            "WHERE state = 'dead' AND id = ANY(%s::bigint[])"
        )
        self.retry_members = (
            f"UPDATE {o} SET state = 'pending', attempts = 0 "
            "WHERE state = 'dead' AND digest_id = ANY(%s::bigint[])"
        )
        self._claim_prefix = (
            # The due lane heads, locked; a row another claim holds is skipped, not waited for.
            # Under READ COMMITTED a row changed and committed by another claim since this
            # statement's snapshot is checked again as it is now (no longer due: left out).
            f"WITH due AS (SELECT o.id, o.next_attempt_at AS due_at FROM {o} AS o "
            "WHERE o.state = 'pending' AND o.next_attempt_at IS NOT NULL "
            "AND o.next_attempt_at <= %s::timestamptz AND o.digest_id IS NULL "
            "AND o.channel = ANY(%s::text[])"
        )
        self._claim_suffix = (
            f" AND NOT EXISTS (SELECT 1 FROM {o} AS p "
            "WHERE p.lane = o.lane AND p.state = 'pending' AND p.id < o.id) "
            "ORDER BY o.next_attempt_at, o.id LIMIT %s FOR UPDATE OF o SKIP LOCKED) "
            f"UPDATE {o} AS u SET attempts = u.attempts + 1, claimed_by = %s, "
            "lease_until = %s::timestamptz, next_attempt_at = %s::timestamptz "
            "FROM due WHERE u.id = due.id "
            f"RETURNING due.due_at, {', '.join(f'u.{c.strip()}' for c in COLUMNS.split(','))}"
        )
        self._claims = {d: self.claim_sql(d) for d in (None, True, False)}

    def claim_sql(self, digest: bool | None) -> str:
        """The claim statement, with or without a condition on the ``digest`` mark."""
        mark = "" if digest is None else f" AND o.digest = {'true' if digest else 'false'}"
        return self._claim_prefix + mark + self._claim_suffix

    # -- the calls ------------------------------------------------------------------------------

    def insert_rows(self, conn: Connection, rows: Sequence[Row]) -> int:
        """Insert ``rows`` (from :func:`entry_row`); returns how many were new."""
        columns = list(zip(*rows, strict=True))
        return int(conn.execute(self.insert, [list(c) for c in columns]).rowcount)

    def claim(
        self,
        conn: Connection,
        *,
        worker: str,
        now: _dt.datetime,
        lease: _dt.timedelta,
        limit: int,
        channels: Collection[str],
        digest: bool | None,
    ) -> list[Row] | None:
        """
        Claim the due lane heads, oldest due first; the rows come back as claimed. ``None``
        without touching the database when nothing can be claimed (no channel, no room).
        """
        check_worker(worker, "worker")
        wanted = sorted({check_channel(c, "channels") for c in channels})
        if not wanted or limit < 1:
            return None
        until = utc(now + lease, "lease")
        rows = conn.execute(
            self._claims[digest], (utc(now, "now"), wanted, limit, worker, until, until)
        ).fetchall()
        # RETURNING comes in no particular order.
        rows.sort(key=lambda row: (row[0], row[1]))
        return [tuple(row[1:]) for row in rows]

    def mark_delivered(self, conn: Connection, record_id: int, now: _dt.datetime) -> bool:
        at = utc(now, "now")
        row = conn.execute(self.delivered, (at, record_id, at)).fetchone()
        return bool(row is not None and row[0] == 1)

    def mark_failed(
        self,
        conn: Connection,
        record_id: int,
        attempt: int,
        error: str,
        retry_at: _dt.datetime | None,
    ) -> bool:
        if retry_at is not None:
            params = (error, utc(retry_at, "retry_at"), record_id, attempt)
            return bool(conn.execute(self.reschedule, params).rowcount == 1)
        member_error = f"its digest (record {record_id}) failed: {error}"
        row = conn.execute(self.die, (error, record_id, attempt, member_error)).fetchone()
        return bool(row is not None and row[0] == 1)

    def merge(self, conn: Connection, records: Sequence[OutboxRecord], digest: Row) -> Row | None:
        """
        Insert the digest (a row from :func:`entry_row`) and merge ``records`` into it, in the
        caller's transaction (holding the outbox lock), which must roll back when this returns
        ``None`` after the digest was inserted: see :class:`MergeLost`.
        """
        made = conn.execute(self.insert_one, (*digest[:10], digest[9], digest[10])).fetchone()
        if made is None:
            return None
        ids = {r.id: r.attempts for r in records}
        merged = conn.execute(self.merge_members, (made[0], list(ids), list(ids.values()))).rowcount
        if merged != len(ids):
            raise MergeLost
        return tuple(made)

    def query(self, conn: Connection, q: OutboxQuery) -> list[Row]:
        clauses = ["id > %s"]
        params: list[object] = [q.after_id]
        for column, value in (
            ("state", None if q.state is None else q.state.value),
            ("complaint_reference", q.complaint_reference),
            ("channel", q.channel),
            ("kind", q.kind),
            ("lane", q.lane),
        ):
            if value is not None:
                clauses.append(f"{column} = %s")
                params.append(value)
        sql = (
            f"SELECT {COLUMNS} FROM {self.table} WHERE {' AND '.join(clauses)} ORDER BY id LIMIT %s"
        )
        return [tuple(r) for r in conn.execute(sql, (*params, q.limit)).fetchall()]

    def get(self, conn: Connection, key: int | str) -> Row | None:
        row = conn.execute(self.by_key if isinstance(key, str) else self.by_id, (key,)).fetchone()
        return None if row is None else tuple(row)

    def revive(self, conn: Connection, record_ids: Sequence[int], now: _dt.datetime) -> int:
        wanted = sorted(set(record_ids))
        revived = conn.execute(self.retry, (wanted, utc(now, "now"), wanted, wanted)).rowcount
        revived += conn.execute(self.retry_members, (wanted,)).rowcount
        return int(revived)

    def count(self, conn: Connection) -> dict[OutboxState, int]:
        found = dict.fromkeys(OutboxState, 0)
        for state, count in conn.execute(self.counts).fetchall():
            found[OutboxState(state)] = int(count)
        return found

    def delete_delivered(self, conn: Connection, before: _dt.datetime) -> list[int]:
        """Delete the records delivered before ``before``; returns their ids."""
        # A digest and its merged records were delivered at the same instant: they go together.
        rows = conn.execute(self.purge, (utc(before, "delivered_before"),)).fetchall()
        return [int(r[0]) for r in rows]


class MergeLost(Exception):
    """A record to merge was no longer held by the caller: roll the merge back."""


@functools.cache
def outbox_sql(schema: str) -> OutboxSql:
    """The outbox statements for ``schema`` (a checked name)."""
    return OutboxSql(schema)


def _instant(value: object, column: str) -> _dt.datetime:
    if not isinstance(value, _dt.datetime) or value.tzinfo is None:
        raise ValueError(f"{column} is {value!r}, not an instant")
    return value.astimezone(_UTC)


def record(row: Row) -> OutboxRecord:
    """
    The record stored in ``row``; see
    :func:`~iso10002.storage._sql.outbox_rows.record_from_row`.
    """
    return record_from_row(row, _instant)
