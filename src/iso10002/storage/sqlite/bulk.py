"""
The SQLite store's bulk load (:class:`~iso10002.ports.store.BulkLoadStore`): new complaints
turned into the rows the store writes (:func:`bulk_rows`, in whichever process builds them),
then written a batch at a time (:func:`append_rows`).

A batch is one transaction, as :func:`~iso10002.storage.sqlite.append.append_all` writes it:
the summaries inserted (a taken id, reference or client key is named as an append names it),
the log's last link read under the write lock, the events inserted with both links.
The daily rollups are counted once for the batch, grouped, by the rules the triggers follow
(:data:`~iso10002.storage._sql.rollups.SQLITE_LOADED`), while a row in
``complaint_rollups_deferred`` keeps the insert triggers from counting each complaint (schema
migration 14); the row is deleted before the commit, so no other connection ever sees it.
"""

from __future__ import annotations

import functools
import sqlite3
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from iso10002.errors import ConcurrencyConflict, StorageError, ValidationError
from iso10002.ports.store import Append, complaint_links, log_links
from iso10002.storage import prepare_appends
from iso10002.storage._sql.rollups import SQLITE_DEFER, SQLITE_LOADED, SQLITE_UNDEFER
from iso10002.storage.sqlite.connection import _Immediate, _SQLiteErrors
from iso10002.storage.sqlite.statements import (
    _INSERT_EVENT,
    _INSERT_SUMMARY,
    _LAST_CHAIN,
    _SUMMARY_COLUMNS,
    _event_row,
    _summary_values,
    _taken,
)

if TYPE_CHECKING:
    from iso10002.storage.sqlite.store import SQLiteEventStore

__all__ = ["append_rows", "bulk_rows", "stored_client_keys"]

_LAST_ROWID = "SELECT coalesce(max(rowid), 0) FROM complaints"
# The partial index on client keys serves a term that implies a key is not null.
_CLIENT_KEYS = (
    "SELECT client_key, id, reference, version FROM complaints "
    "WHERE client_key IS NOT NULL AND client_key IN ({})"
)
_KEYS_AT_ONCE = 500
"""Keys per statement: below the 999 parameters of SQLite before 3.32."""
_STREAMS_STORED = "SELECT stream_id, max(seq) FROM events WHERE stream_id IN ({}) GROUP BY 1"


class _Rows(NamedTuple):
    """A new complaint as the store writes it: plain values, which pickle small."""

    hasher: str
    """The fingerprint of the hasher that made the links: a store with another key refuses them."""
    summary: tuple[object, ...]
    """The summary's row: id, reference, client key, then its columns in table order."""
    events: tuple[tuple[object, ...], ...]
    """Each event's row, its link in its complaint's chain last (the log's is added)."""


def bulk_rows(store: SQLiteEventStore, append: Append) -> _Rows:
    """``append``'s rows; see :meth:`BulkLoadStore.bulk_rows
    <iso10002.ports.store.BulkLoadStore.bulk_rows>`."""
    if append.expected_version != 0 or append.outbox or append.erase or append.number is not None:
        raise ValidationError(
            "append",
            "a bulk load writes new complaints (expected version 0) without outbox records, "
            "erasure or number claims",
        )
    (ready,) = prepare_appends([append])
    prepared = ready.prepared or ()
    summary = ready.summary
    cid = str(summary.id)
    hashes = complaint_links((p.canonical for p in prepared), None, store.hasher)
    return _Rows(
        store.hasher.fingerprint,
        (cid, summary.reference, summary.client_key, *_summary_values(summary)),
        tuple((*_event_row(p, cid), h) for p, h in zip(prepared, hashes, strict=True)),
    )


def stored_client_keys(store: SQLiteEventStore, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` are stored; see :meth:`ClientKeyStore.stored_client_keys
    <iso10002.ports.store.ClientKeyStore.stored_client_keys>`."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    rows = []
    with store._use("look up client keys") as conn:
        for start in range(0, len(wanted), _KEYS_AT_ONCE):
            some = wanted[start : start + _KEYS_AT_ONCE]
            statement = _CLIENT_KEYS.format(", ".join("?" * len(some)))
            rows += conn.execute(statement, some).fetchall()
    for key, *row in rows:
        store._id_from_row(row)  # a stored id that is not one fails as the look-up of one key
        found.add(key)
    return found


@functools.lru_cache(maxsize=8)
def _insert_summaries(count: int, width: int) -> str:
    """The statement that inserts ``count`` summaries of ``width`` columns."""
    one = f"({', '.join('?' * width)})"
    return (
        f"INSERT INTO complaints ({_SUMMARY_COLUMNS}) VALUES {', '.join([one] * count)} "
        "ON CONFLICT DO NOTHING"
    )


def _variables(conn: sqlite3.Connection) -> int:
    """The most parameters a statement may have."""
    if sys.version_info >= (3, 11):
        return conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 999 if sqlite3.sqlite_version_info < (3, 32, 0) else 32766  # SQLite's defaults


def _summaries_at_once(conn: sqlite3.Connection, loads: Sequence[_Rows]) -> bool:
    """
    Insert the summaries of ``loads`` with as few statements as the parameters allow: whether
    every one was inserted. An insert statement on a table with triggers keeps a journal of
    the pages it changes, so that it can be undone alone: once per statement, not per row.
    """
    width = len(loads[0].summary)
    per = max(1, _variables(conn) // width)
    for start in range(0, len(loads), per):
        some = loads[start : start + per]
        values = [value for r in some for value in r.summary]
        if conn.execute(_insert_summaries(len(some), width), values).rowcount != len(some):
            return False
    return True


def _insert_each(conn: sqlite3.Connection, loads: Sequence[_Rows]) -> None:
    """Insert the summaries of ``loads`` one by one, naming the first whose key is taken."""
    for r in loads:
        if conn.execute(_INSERT_SUMMARY, r.summary).rowcount != 1:
            cid, reference, client_key = r.summary[:3]
            raise _taken(conn, str(cid), str(reference), _text(client_key))


def append_rows(store: SQLiteEventStore, rows: Sequence[object]) -> None:
    """Write ``rows`` in one transaction; see :meth:`BulkLoadStore.append_rows
    <iso10002.ports.store.BulkLoadStore.append_rows>`."""
    loads: list[_Rows] = []
    mine = store.hasher.fingerprint
    for r in rows:
        if not isinstance(r, _Rows):
            raise ValidationError(
                "rows", f"expected what SQLiteEventStore.bulk_rows made, got {type(r).__name__}"
            )
        if r.hasher != mine:
            raise ValidationError(
                "rows", f"complaint {r.summary[1]} was linked by a store with another key"
            )
        loads.append(r)
    if not loads:
        return

    def seq_taken() -> StorageError:
        # Only reachable if the events table holds rows of a complaint that has no summary,
        # e.g. written by another tool: it is a conflict with whatever wrote them.
        ids = [str(r.summary[0]) for r in loads]
        with _SQLiteErrors(store.path, "read the versions of the complaints loaded"):
            found = dict(
                conn.execute(_STREAMS_STORED.format(", ".join("?" * len(ids))), ids).fetchall()
            )
        for r in loads:
            if r.summary[0] in found:
                return ConcurrencyConflict(
                    complaint=str(r.summary[1]),
                    expected_version=0,
                    actual_version=int(found[r.summary[0]]),
                )
        return StorageError(  # pragma: no cover - the write lock was held
            f"SQLite store {store.path}: an event of the complaints loaded was stored already"
        )

    first = loads[0].summary[1]
    action = f"load {len(loads)} complaints from {first} on"
    with store._use(action, seq_taken=seq_taken) as conn, _Immediate(conn):
        conn.execute(SQLITE_DEFER)
        before = conn.execute(_LAST_ROWID).fetchone()[0]
        conn.execute("SAVEPOINT bulk_summaries")
        try:
            inserted = _summaries_at_once(conn, loads)
        except sqlite3.Error:
            if not conn.in_transaction:  # the database undid the transaction itself
                raise
            inserted = False
        if not inserted:
            # A key is taken or a value refused: the summaries again, one by one, so that the
            # first at fault is named as before its rows were inserted with the others'.
            conn.execute("ROLLBACK TO bulk_summaries")
            _insert_each(conn, loads)
        conn.execute("RELEASE bulk_summaries")
        found = conn.execute(_LAST_CHAIN).fetchone()
        last = None if found is None or found[0] is None else str(found[0])
        events = [row for r in loads for row in r.events]
        chains = log_links((str(row[-1]) for row in events), last, store.hasher)
        conn.executemany(
            _INSERT_EVENT, [(*row, chain) for row, chain in zip(events, chains, strict=True)]
        )
        for statement in SQLITE_LOADED:
            conn.execute(statement, (before,))
        conn.execute(SQLITE_UNDEFER)
    for r in loads:  # written here without a summary object: nothing to remember
        store._indexed.pop(str(r.summary[0]), None)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
