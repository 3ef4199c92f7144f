"""
The outbox of :class:`~iso10002.storage.sqlite.SQLiteEventStore`: the statements behind
:class:`~iso10002.ports.store.OutboxStore`. Its table is created by migration 4
(:mod:`iso10002.storage._sql.migrations`).

Every function takes the store's connection; the store holds its lock, converts sqlite3's
errors, and opens the write transaction (``BEGIN IMMEDIATE``) around each call that writes.
Claims are made under SQLite's write lock, which serialises them across threads, connections
and processes: two dispatchers never claim the same record. (The PostgreSQL store gets the same
from ``SELECT ... FOR UPDATE SKIP LOCKED``.)
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Collection, Sequence
from typing import Any

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
from iso10002.storage._sql.columns import instant, utc
from iso10002.storage._sql.outbox_rows import record_from_row

__all__ = [
    "MergeLost",
    "claim",
    "counts",
    "delivered",
    "entry_row",
    "failed",
    "get",
    "insert",
    "merge",
    "purge",
    "query",
    "record",
    "retry",
]

Row = tuple[Any, ...]
Connection = Any
"""An open ``sqlite3.Connection`` (typed loosely: only ``execute`` and ``executemany`` are used)."""

COLUMNS = (
    "id, idempotency_key, complaint_id, lane, channel, schema_version, notification, "
    "created_at, deliver_after, next_attempt_at, attempts, state, last_error, delivered_at, "
    "claimed_by, lease_until, digest, digest_id"
)
_INSERT = (
    "INSERT INTO outbox (idempotency_key, complaint_id, complaint_reference, lane, channel, "
    "kind, schema_version, notification, created_at, deliver_after, next_attempt_at, state, "
    "digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?) "
    "ON CONFLICT (idempotency_key) DO NOTHING"
)
_CLAIM_MARK = (
    "UPDATE outbox SET attempts = attempts + 1, claimed_by = ?, lease_until = ?, "
    "next_attempt_at = ? WHERE id = ?"
)
_DELIVERED = (
    "UPDATE outbox SET state = 'delivered', delivered_at = ?, next_attempt_at = NULL, "
    "claimed_by = NULL, lease_until = NULL WHERE id = ? AND state = 'pending'"
)
# A digest's merged records are pending exactly while it is. (One statement with
# "id = ? OR digest_id = ?" would make SQLite scan the pending records.)
_MEMBERS_DELIVERED = (
    "UPDATE outbox SET state = 'delivered', delivered_at = ?, next_attempt_at = NULL, "
    "claimed_by = NULL, lease_until = NULL WHERE digest_id = ? AND state = 'pending'"
)
_RESCHEDULE = (
    "UPDATE outbox SET last_error = ?, next_attempt_at = ?, claimed_by = NULL, "
    "lease_until = NULL WHERE id = ? AND state = 'pending' AND attempts = ?"
)
_DIE = (
    "UPDATE outbox SET state = 'dead', last_error = ?, next_attempt_at = NULL, "
    "claimed_by = NULL, lease_until = NULL WHERE id = ? AND state = 'pending' AND attempts = ?"
)
_MEMBERS_DIE = (
    "UPDATE outbox SET state = 'dead', last_error = ? WHERE digest_id = ? AND state = 'pending'"
)
_MERGE_MEMBER = (
    "UPDATE outbox SET digest_id = ?, next_attempt_at = NULL, claimed_by = NULL, "
    "lease_until = NULL WHERE id = ? AND state = 'pending' AND attempts = ? "
    "AND digest_id IS NULL"
)
_BY_ID = f"SELECT {COLUMNS} FROM outbox WHERE id = ?"
_BY_KEY = f"SELECT {COLUMNS} FROM outbox WHERE idempotency_key = ?"
_COUNTS = "SELECT state, COUNT(*) FROM outbox GROUP BY state"
_PURGE = "DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?"


class MergeLost(Exception):
    """A record to merge was no longer held by the caller: roll the merge back."""


def entry_row(entry: OutboxEntry, complaint_id: ComplaintId | None) -> Row:
    """The values to insert for ``entry``; serialised before the write lock is taken."""
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
        due,
        1 if entry.digest else 0,
    )


def insert(conn: Connection, rows: Sequence[Row]) -> int:
    """Insert ``rows`` (from :func:`entry_row`); returns how many were new."""
    before = conn.total_changes
    conn.executemany(_INSERT, rows)
    return int(conn.total_changes - before)


@functools.cache
def _claim_sql(channels: int, digest: bool | None) -> str:
    marks = ", ".join("?" * channels)
    mark = "" if digest is None else f" AND o.digest = {int(digest)}"
    return (
        f"SELECT {', '.join(f'o.{c.strip()}' for c in COLUMNS.split(','))} "
        # Without statistics the planner may pick the state index and sort all pending rows;
        # the due index gives them in claim order and stops at the limit.
        "FROM outbox AS o INDEXED BY outbox_due "
        "WHERE o.state = 'pending' AND o.next_attempt_at IS NOT NULL "
        f"AND o.next_attempt_at <= ? AND o.digest_id IS NULL AND o.channel IN ({marks}){mark} "
        "AND NOT EXISTS (SELECT 1 FROM outbox AS p "
        "WHERE p.lane = o.lane AND p.state = 'pending' AND p.id < o.id) "
        "ORDER BY o.next_attempt_at, o.id LIMIT ?"
    )


def claim(
    conn: Connection,
    *,
    worker: str,
    now: _dt.datetime,
    lease: _dt.timedelta,
    limit: int,
    channels: Collection[str],
    digest: bool | None,
) -> list[Row]:
    """Claim the due lane heads; the rows come back as claimed (decode them with ``record``)."""
    check_worker(worker, "worker")
    wanted = sorted({check_channel(c, "channels") for c in channels})
    if not wanted or limit < 1:
        return []
    rows = conn.execute(
        _claim_sql(len(wanted), digest), (utc(now, "now"), *wanted, limit)
    ).fetchall()
    if not rows:
        return []
    until = utc(now + lease, "lease")
    conn.executemany(_CLAIM_MARK, [(worker, until, until, row[0]) for row in rows])
    # The rows as they are now: attempts + 1 (index 10), claimed_by, lease_until, next attempt.
    return [
        (*row[:9], until, row[10] + 1, row[11], row[12], row[13], worker, until, *row[16:])
        for row in rows
    ]


def delivered(conn: Connection, record_id: int, now: _dt.datetime) -> bool:
    at = utc(now, "now")
    if conn.execute(_DELIVERED, (at, record_id)).rowcount != 1:
        return False
    conn.execute(_MEMBERS_DELIVERED, (at, record_id))
    return True


def failed(
    conn: Connection, record_id: int, attempt: int, error: str, retry_at: _dt.datetime | None
) -> bool:
    if retry_at is not None:
        params = (error, utc(retry_at, "retry_at"), record_id, attempt)
        return bool(conn.execute(_RESCHEDULE, params).rowcount == 1)
    if conn.execute(_DIE, (error, record_id, attempt)).rowcount != 1:
        return False
    conn.execute(_MEMBERS_DIE, (f"its digest (record {record_id}) failed: {error}", record_id))
    return True


def merge(conn: Connection, records: Sequence[OutboxRecord], digest: Row) -> Row | None:
    """
    Insert the digest (a row from :func:`entry_row`) and merge ``records`` into it, in the
    caller's write transaction, which must roll back on :class:`MergeLost`.
    """
    if conn.execute(_INSERT, digest).rowcount != 1:
        return None
    digest_id = conn.execute(_BY_KEY, (digest[0],)).fetchone()[0]
    for record in records:
        if conn.execute(_MERGE_MEMBER, (digest_id, record.id, record.attempts)).rowcount != 1:
            raise MergeLost
    return tuple(conn.execute(_BY_ID, (digest_id,)).fetchone())


def query(conn: Connection, q: OutboxQuery) -> list[Row]:
    clauses = ["id > ?"]
    params: list[object] = [q.after_id]
    for column, value in (
        ("state", None if q.state is None else q.state.value),
        ("complaint_reference", q.complaint_reference),
        ("channel", q.channel),
        ("kind", q.kind),
        ("lane", q.lane),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    sql = f"SELECT {COLUMNS} FROM outbox WHERE {' AND '.join(clauses)} ORDER BY id LIMIT ?"
    return [tuple(r) for r in conn.execute(sql, (*params, q.limit)).fetchall()]


def get(conn: Connection, key: int | str) -> Row | None:
    row = conn.execute(_BY_KEY if isinstance(key, str) else _BY_ID, (key,)).fetchone()
    return None if row is None else tuple(row)


def retry(conn: Connection, record_ids: Sequence[int], now: _dt.datetime) -> int:
    # The ids go through a temporary table: any number of them, in three statements.
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS outbox_retry (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.outbox_retry")
    conn.executemany(
        "INSERT OR IGNORE INTO temp.outbox_retry (id) VALUES (?)", [(i,) for i in record_ids]
    )
    wanted = "(SELECT id FROM temp.outbox_retry)"
    # A merged record revived with its digest waits in it again; revived without it, it
    # leaves the digest and goes alone.
    revived = conn.execute(
        "UPDATE outbox SET state = 'pending', attempts = 0, "
        f"next_attempt_at = CASE WHEN digest_id IN {wanted} THEN NULL ELSE ? END, "
        f"digest_id = CASE WHEN digest_id IN {wanted} THEN digest_id ELSE NULL END "
        f"WHERE state = 'dead' AND id IN {wanted}",
        (utc(now, "now"),),
    ).rowcount
    revived += conn.execute(
        "UPDATE outbox SET state = 'pending', attempts = 0 "
        f"WHERE state = 'dead' AND digest_id IN {wanted}"
    ).rowcount
    conn.execute("DELETE FROM temp.outbox_retry")
    return int(revived)


def counts(conn: Connection) -> dict[OutboxState, int]:
    found = dict.fromkeys(OutboxState, 0)
    for state, count in conn.execute(_COUNTS).fetchall():
        found[OutboxState(state)] = int(count)
    return found


def purge(conn: Connection, before: _dt.datetime) -> int:
    # A digest and its merged records were delivered at the same instant: they go together.
    return int(conn.execute(_PURGE, (utc(before, "delivered_before"),)).rowcount)


def record(row: Row) -> OutboxRecord:
    """
    The record stored in ``row``; see
    :func:`~iso10002.storage._sql.outbox_rows.record_from_row`.
    """
    return record_from_row(row, instant)
