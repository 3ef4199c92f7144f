"""
The SQLite store's append path: :meth:`SQLiteEventStore.append_many
<iso10002.storage.sqlite.store.SQLiteEventStore.append_many>` in one transaction, the summary
row's insert or version-checked update, and an erasure's clearing.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from iso10002.errors import ConcurrencyConflict, StorageError
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.values import ComplaintId
from iso10002.ports.store import Append, link
from iso10002.storage import prepare_appends
from iso10002.storage._sql.erasure import ErasureStatements, erase_denials
from iso10002.storage._sql.numbers import NumberStatements, claim
from iso10002.storage._sql.sealed_rows import sealing
from iso10002.storage._sql.written import Columns, Known, remember, values_since
from iso10002.storage.sqlite import outbox as outbox_sql
from iso10002.storage.sqlite.connection import _Immediate, _SQLiteErrors
from iso10002.storage.sqlite.sealing import erase_outbox
from iso10002.storage.sqlite.statements import (
    _ERASE_PERSONAL,
    _FACTS_END,
    _INDEXED,
    _INSERT_EVENT,
    _INSERT_SUMMARY,
    _LAST_CHAIN,
    _STREAM_VERSION,
    _VERSION,
    _event_row,
    _summary_values,
    _taken,
    _update_sql,
)
from iso10002.storage.sqlite.wal import truncate_wal

if TYPE_CHECKING:
    from iso10002.storage.sqlite.store import SQLiteEventStore

__all__ = ["Known", "append_all", "summary_values"]

_ERASURE = ErasureStatements.build()
_NUMBERS = NumberStatements(prefix="", mark="?")


def append_all(store: SQLiteEventStore, appends: Sequence[Append]) -> None:
    """Every append of ``appends`` in one transaction; see ``SQLiteEventStore.append_many``."""
    # Check and serialise before taking the lock: a value that cannot be stored fails
    # here, and other threads are not kept waiting on JSON encoding.
    prepared = []
    ready = prepare_appends(appends)
    indexed = store._indexed
    outbox: list[tuple[object, ...]] = []
    erase = claims = False
    for a in ready:
        cid = str(a.summary.id)
        rows = [_event_row(p, cid) for p in a.prepared or ()]
        prepared.append((a, cid, rows, summary_values(a.summary, indexed.get(cid))))
        if a.outbox:
            outbox.extend(outbox_sql.entry_row(e, a.summary.id) for e in a.outbox)
        erase = erase or a.erase
        claims = claims or a.number is not None
    if not prepared:
        return
    last: list[tuple[str, str, int]] = []

    def seq_taken() -> StorageError:
        # Only reachable if the events table holds rows that the summary does not count,
        # e.g. written by another tool: it is a conflict with whatever wrote them.
        cid, reference, expected = last[-1]
        with _SQLiteErrors(store._path, f"read the version of {reference}"):
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
    hasher = store._hasher
    with store._use(action, seq_taken=seq_taken) as conn, _Immediate(conn):
        # The previous links are read under the write lock, before any event is written:
        # by the first update of a summary, else by a read of their own.
        stored: dict[ComplaintId, str] = {}
        found = None
        for a, cid, _, values in prepared:
            updated = _write_summary(store, conn, a, cid, values)
            if updated is not None and updated[0] is not None:  # what the first continues
                stored.setdefault(a.summary.id, str(updated[0]))
            found = found or updated
        found = found or conn.execute(_LAST_CHAIN).fetchone()
        last_chain = None if found is None or found[-1] is None else str(found[-1])
        for a in ready if claims else ():  # after the unique keys: a taken key is named first
            claim(conn, _NUMBERS, a)
        links = link(
            ready,
            stored_hash=lambda cid, _version: stored.get(cid),
            last_link=last_chain,
            hasher=hasher,
        )
        for (a, cid, rows, _), pairs in zip(prepared, links, strict=True):
            last.append((cid, a.summary.reference, a.expected_version))
            linked = [(*row, *pair) for row, pair in zip(rows, pairs, strict=True)]
            if a.erase:  # here: what this batch wrote before for the complaint goes too
                _erase(store, conn, cid)
            conn.executemany(_INSERT_EVENT, linked)
        if outbox:
            with sealing(conn, store._tables_sql, hasher, "outbox"):
                outbox_sql.insert(conn, outbox)
    remember(indexed, ((cid, a, values) for a, cid, _, values in prepared))
    if erase:
        with store._use("truncate the write-ahead log") as conn:
            store.erasure_warning = truncate_wal(conn, store._path)


_INDEXED_COLUMNS = Columns(_INDEXED)


@functools.cache
def _update_of(changed: tuple[str, ...]) -> tuple[str, Callable[[tuple[object, ...]], Any]]:
    """
    The update of a summary whose indexed columns ``changed`` (:func:`_update_sql`), and what
    takes its parameters from the summary's values, up to the id and the expected version.
    """
    unindexed = (0, 5, 8, 9, 10, *range(14, _FACTS_END))
    return _update_sql(changed), itemgetter(
        *unindexed, *(i for name, i in _INDEXED if name in changed)
    )


def _erase(store: SQLiteEventStore, conn: sqlite3.Connection, cid: str) -> None:
    """Clear the complaint's personal values and outbox records, in the caller's transaction."""
    erase_denials(conn, _ERASURE, cid)
    conn.execute(_ERASE_PERSONAL, (cid,))
    erase_outbox(conn, store._tables_sql, store._hasher, cid)


def _write_summary(
    store: SQLiteEventStore,
    conn: sqlite3.Connection,
    a: Append,
    cid: str,
    values: tuple[object, ...],
) -> tuple[Any, ...] | None:
    """
    Insert a new complaint's summary, or check the version and update the summary in one
    statement; after an update return the stored hash of the event the append continues
    and the log's last link.
    """
    summary = a.summary
    if a.expected_version == 0:
        inserted = conn.execute(
            _INSERT_SUMMARY, (cid, summary.reference, summary.client_key, *values)
        )
        if inserted.rowcount != 1:
            raise _taken(conn, cid, summary.reference, summary.client_key)
        return None
    expected = a.expected_version
    # The indexed values this store wrote at that version, if it remembers them: a version
    # is written once, so the row holds them if its version is still the expected one.
    changed = _INDEXED_COLUMNS.changed(values, store._indexed.get(cid), expected)
    sql, get = _update_of(changed)
    row = conn.execute(sql, (*get(values), cid, expected, cid, expected)).fetchone()
    if row is None:
        current = conn.execute(_VERSION, (cid,)).fetchone()
        raise ConcurrencyConflict(
            complaint=summary.reference,
            expected_version=expected,
            actual_version=0 if current is None else current[0],
        )
    return tuple(row)


def summary_values(s: ComplaintSummary, known: Known | None) -> tuple[object, ...]:
    """
    ``_summary_values(s)``, formatting only what changed since ``known``: the summary this
    store last wrote for the complaint and its values, if it remembers them
    (:func:`~iso10002.storage._sql.written.values_since`).
    """
    return _summary_values(s) if known is None else values_since(s, known, int)
