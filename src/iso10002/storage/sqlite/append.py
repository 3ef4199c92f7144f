"""
The SQLite store's append path: :meth:`SQLiteEventStore.append_many
<iso10002.storage.sqlite.store.SQLiteEventStore.append_many>` in one transaction, the summary
row's insert or version-checked update, and an erasure's clearing.
"""

from __future__ import annotations

import datetime as _dt
import functools
import sqlite3
from collections.abc import Callable, Sequence
from enum import Enum
from itertools import compress
from operator import itemgetter, ne
from typing import TYPE_CHECKING, Any

from iso10002.errors import ConcurrencyConflict, StorageError
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.fact_row import sla_column, utc, utc_or_none
from iso10002.model.facts import ComplaintFacts
from iso10002.model.values import ComplaintId
from iso10002.ports.store import Append, link
from iso10002.storage import prepare_appends
from iso10002.storage._sql.erasure import ErasureStatements, erase_denials
from iso10002.storage._sql.numbers import NumberStatements, claim
from iso10002.storage._sql.sealed_rows import sealing
from iso10002.storage.sqlite import outbox as outbox_sql
from iso10002.storage.sqlite.connection import _Immediate, _SQLiteErrors
from iso10002.storage.sqlite.sealing import erase_outbox
from iso10002.storage.sqlite.statements import (
    _ALL_INDEXED,
    _ERASE_PERSONAL,
    _FACTS_END,
    _INDEXED,
    _INDEXED_CACHE_SIZE,
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

Known = tuple[int, ComplaintSummary, tuple[object, ...]]
"""What a store remembers of a complaint it wrote: the version, the summary, its values."""


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
    if len(indexed) > _INDEXED_CACHE_SIZE:
        indexed.clear()
    for a, cid, _, values in prepared:
        indexed[cid] = (a.events[-1].seq, a.summary, values)
    if erase:
        with store._use("truncate the write-ahead log") as conn:
            store.erasure_warning = truncate_wal(conn, store._path)


_GET_INDEXED = itemgetter(*(i for _, i in _INDEXED))


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
    known = store._indexed.get(cid)
    if known is not None and known[0] == expected:
        was = known[2]
        changed = tuple(compress(_ALL_INDEXED, map(ne, _GET_INDEXED(values), _GET_INDEXED(was))))
    else:
        changed = _ALL_INDEXED
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
    store last wrote for the complaint and its values, if it remembers them.

    A field that is the very object ``known``'s summary held (the fold and the facts carry
    unchanged values forward as they are) keeps the value formatted then: the objects are
    immutable and kept alive by ``known``, so the same object formats the same way. Equal to
    ``_summary_values(s)`` whatever ``known`` holds (the property tests check it).
    """
    if known is None:
        return _summary_values(s)
    o, was = known[1], known[2]
    f, g = s.facts, o.facts
    return (
        s.version,
        s.state,
        1 if s.is_open else 0,
        was[3] if s.channel is o.channel else s.channel.value,
        was[4] if s.priority is o.priority else _value_or_none(s.priority),
        s.category,
        s.assignee,
        was[7] if s.received_at is o.received_at else utc(s.received_at, "received_at"),
        was[8]
        if s.acknowledged_at is o.acknowledged_at
        else utc_or_none(s.acknowledged_at, "acknowledged_at"),
        was[9] if s.closed_at is o.closed_at else utc_or_none(s.closed_at, "closed_at"),
        was[10] if s.updated_at is o.updated_at else utc(s.updated_at, "updated_at"),
        was[11] if s.sla_due_at is o.sla_due_at else utc_or_none(s.sla_due_at, "sla_due_at"),
        was[12]
        if s.sla_warning_at is o.sla_warning_at
        else utc_or_none(s.sla_warning_at, "sla_warning_at"),
        was[13]
        if s.sla_alert_at is o.sla_alert_at
        else utc_or_none(s.sla_alert_at, "sla_alert_at"),
        *(was[14:_FACTS_END] if f is g else _facts_since(f, g, was)),
        s.organisation,
    )


def _value_or_none(member: Enum | None) -> object:
    return None if member is None else member.value


def _facts_since(
    f: ComplaintFacts, g: ComplaintFacts, was: tuple[object, ...]
) -> tuple[object, ...]:
    """``facts_values(f)``, keeping ``was``'s formatting of what is the very object of ``g``."""
    return (
        f.product,
        f.source,
        int(f.timed),
        was[17]
        if f.first_response_at is g.first_response_at
        else utc_or_none(f.first_response_at, "first_response_at"),
        was[18] if f.acknowledge_time is g.acknowledge_time else _span(f.acknowledge_time),
        was[19] if f.first_response_time is g.first_response_time else _span(f.first_response_time),
        was[20] if f.outcome is g.outcome else _value_or_none(f.outcome),
        was[21] if f.closure_reason is g.closure_reason else _value_or_none(f.closure_reason),
        int(f.withdrawn),
        was[23] if f.remedies is g.remedies else " ".join(k.value for k in f.remedies) or None,
        was[24]
        if f.redress is g.redress
        else " ".join(f"{m.currency}:{m.amount}" for m in f.redress) or None,
        f.reopen_count,
        f.internal_reviews,
        f.referrals,
        int(f.first_contact),
        f.satisfaction_score,
        f.satisfaction_scale,
        f.root_cause,
        f.root_cause_category,
        # Equal outcomes (the same metrics, instants and completions) give the same JSON.
        was[33] if f.sla is g.sla or f.sla == g.sla else sla_column(f.sla),
    )


_MICROSECOND = _dt.timedelta(microseconds=1)


def _span(value: _dt.timedelta | None) -> int | None:
    return None if value is None else value // _MICROSECOND
