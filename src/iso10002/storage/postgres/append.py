"""
The summary write of a PostgreSQL append, in the caller's transaction, and the append of one
complaint's events in two round trips (:func:`pipelined_append`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from iso10002.errors import ConcurrencyConflict, DuplicateKeyError, StorageError
from iso10002.model.chain import Hasher
from iso10002.ports.store import Append, link
from iso10002.storage._sql.erasure import erase_denials
from iso10002.storage._sql.numbers import claim, claimed
from iso10002.storage._sql.sealed_rows import TableStatements, reseal_successors, sealing
from iso10002.storage._sql.written import Known
from iso10002.storage.postgres.rows import (
    CHANGEABLE,
    Statements,
    SummaryUpdate,
    event_params,
    summary_params_since,
)

if TYPE_CHECKING:
    from psycopg import Connection

    from iso10002.storage.postgres.outbox import OutboxSql, Row
    from iso10002.storage.postgres.store import PostgresEventStore

__all__ = [
    "BEGIN",
    "COMMIT",
    "Prepared",
    "append_in_one_transaction",
    "claim_numbers",
    "pipelined_append",
    "prepare",
    "roll_back",
    "summary_row",
    "taken",
    "write_summary",
]

Prepared = tuple[Append, list[tuple[object, ...]], tuple[object, ...], SummaryUpdate | None]
"""
A prepared append with its event rows (up to their links), its summary values and the update
that writes them (None for a new complaint's insert): see :func:`prepare`.
"""


def prepare(sql: Statements, a: Append, known: Known | None) -> Prepared:
    """
    The rows and the summary write of ``a`` (checked and sealed by ``prepare_appends``):
    ``known`` is what the store last wrote for the complaint, if it remembers it; the update
    then sets only the columns whose values changed, if ``known`` is of the expected version
    (:mod:`iso10002.storage._sql.written`), else every column.
    """
    values = summary_params_since(a.summary, known)
    v = a.expected_version
    update = sql.update(CHANGEABLE.changed(values, known, v)) if v else None
    return a, [event_params(p) for p in a.prepared or ()], values, update


def pipelined_append(
    conn: Connection[Any],
    prepared: Prepared,
    *,
    sql: Statements,
    hasher: Hasher,
    outbox: Sequence[Row],
    outbox_sql: OutboxSql,
    outbox_key: int,
    tables_sql: TableStatements,
) -> None:
    """
    One append (not an erasure) in one transaction and two round trips, in pipeline mode:
    the first sends BEGIN, the version-checked summary write (which returns the hash the
    complaint continues), the number claim if the append has one (:attr:`Append.number`),
    the append lock and the read of the log's last link; the second,
    once the links are computed from those, the events, the outbox rows (sealed) and COMMIT. The
    append lock is held from the first round trip's answer to the commit.

    Raises:
        ConcurrencyConflict: the stored version is not the expected one.
        DuplicateKeyError: the number claimed is not the counter's next (key "reference").
    """
    a, rows, values, update = prepared
    s = a.summary
    v = a.expected_version
    # BEGIN and COMMIT are sent as statements of the pipeline: ``conn.transaction()`` inside a
    # pipeline nests pipelines around the transaction, each exit one more Sync, so that a
    # command took five round trips where two are needed. The store's connections autocommit,
    # so nothing else opens a transaction; whatever is left open on the way out is rolled back.
    try:
        with conn.pipeline() as pipeline:
            conn.execute(BEGIN)
            if update is None:
                conn.execute(sql.insert_summary, (s.id, s.reference, s.client_key, *values))
                updated = None
            else:
                updated = conn.execute(update.returning, (*update.pick(values), s.id, v, s.id, v))
            # After the summary: a taken client key is the error named when both are taken.
            number = sql.numbers.of(a)
            claiming = None if number is None else conn.execute(*number)
            conn.execute(sql.lock_appends)
            chain = conn.execute(sql.last_chain)
            pipeline.sync()
            if claiming is not None:
                claimed(a, claiming.fetchone() is not None)
            continued: str | None = None
            if updated is not None:
                returned = updated.fetchone()
                if returned is None:
                    found = conn.execute(sql.version, (s.id,)).fetchone()
                    raise ConcurrencyConflict(
                        complaint=s.reference,
                        expected_version=v,
                        actual_version=0 if found is None else int(found[0]),
                    )
                continued = None if returned[0] is None else str(returned[0])
            last = chain.fetchone()
            (pairs,) = link(
                [a],
                stored_hash=lambda _cid, _version: continued,
                last_link=None if last is None else last[0] or None,
                hasher=hasher,
            )
            linked = [(*row, *pair) for row, pair in zip(rows, pairs, strict=True)]
            with conn.cursor() as cursor:
                cursor.executemany(sql.insert_event, linked)
            if outbox:
                # After the append lock, always in this order: no deadlock.
                conn.execute(sql.append_lock, (outbox_key,))
                with sealing(conn, tables_sql, hasher, "outbox"):
                    outbox_sql.insert_rows(conn, outbox)
            conn.execute(COMMIT)
    except BaseException:
        roll_back(conn)
        raise


# The isolation level ``_read_committed`` gives the store's transactions, whatever the server's
# default: a BEGIN sent as a statement does not get it from the connection.
BEGIN = b"BEGIN ISOLATION LEVEL READ COMMITTED"
COMMIT = b"COMMIT"


def roll_back(conn: Connection[Any]) -> None:
    """Roll back the transaction a failed append left open, if the connection still works."""
    import psycopg
    from psycopg import pq

    status = conn.info.transaction_status
    if status in (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR):
        # A connection that cannot roll back is broken: the pool drops it on return, and the
        # append's own error is the one to report.
        with contextlib.suppress(psycopg.Error):
            conn.execute(b"ROLLBACK")


def summary_row(prepared: Prepared) -> tuple[object, ...]:
    """The parameters of a new complaint's summary insert (``Statements.insert_summary``)."""
    a, _, values, _ = prepared
    s = a.summary
    return (s.id, s.reference, s.client_key, *values)


def write_summary(
    conn: Connection[Any], sql: Statements, prepared: Prepared, stored: dict[UUID, str]
) -> list[int]:
    """
    Insert the summary of a new complaint, or check the version of a complaint continued and
    update its summary, noting in ``stored`` the hash of the event it continues; for an
    erasure, delete the complaint's outbox records (returning their ids, whose successors the
    caller reseals under the outbox lock) and forget the complainant in the denials. In the
    caller's transaction.

    Raises:
        ConcurrencyConflict: the stored version is not the expected one.
    """
    a, _, values, update = prepared
    s = a.summary
    if update is None:
        conn.execute(sql.insert_summary, summary_row(prepared))
        return []
    v = a.expected_version
    params = (*update.pick(values), s.id, v, s.id, v)
    returned = conn.execute(update.returning, params).fetchone()
    if returned is None:
        found = conn.execute(sql.version, (s.id,)).fetchone()
        raise ConcurrencyConflict(
            complaint=s.reference,
            expected_version=a.expected_version,
            actual_version=0 if found is None else int(found[0]),
        )
    if returned[0] is not None:
        stored.setdefault(s.id, str(returned[0]))
    if a.erase:
        # Before the append lock, which would be held while the delete waits for a
        # dispatcher that is claiming one of the records.
        gone = [int(r[0]) for r in conn.execute(sql.erase_outbox, (s.id,)).fetchall()]
        erase_denials(conn, sql.erasure, s.id)
        return gone
    return []


def claim_numbers(conn: Connection[Any], sql: Statements, appends: Sequence[Append]) -> None:
    """
    Apply the number claims of ``appends`` in order, in the caller's transaction, after their
    summaries are written (a taken client key is then the error named) and before the append
    lock (the order every append takes its locks in).

    Raises:
        DuplicateKeyError: a number claimed is not the counter's next (key "reference").
    """
    for a in appends:
        claim(conn, sql.numbers, a)


def taken(conn: Connection[Any], sql: Statements, a: Append, e: Exception) -> StorageError | None:
    """
    Why ``a`` broke a unique constraint, its transaction rolled back; None for a constraint
    the store's tables do not have.
    """
    constraint = getattr(getattr(e, "diag", None), "constraint_name", None)
    s = a.summary
    if constraint == "complaints_reference_key":
        return DuplicateKeyError("reference", s.reference)
    if constraint == "complaints_client_key_key" and s.client_key is not None:
        return DuplicateKeyError("client key", s.client_key)
    if constraint == "complaints_pkey":
        found = conn.execute(sql.version, (s.id,)).fetchone()
    elif constraint == "events_stream_seq_key":
        # Only reachable if the events table holds rows that the summary does not count,
        # e.g. written by another tool: it is a conflict with whatever wrote them.
        found = conn.execute(sql.stream_version, (s.id,)).fetchone()
    else:  # pragma: no cover - the store's tables have no other unique constraint
        return None
    return ConcurrencyConflict(
        complaint=s.reference,
        expected_version=a.expected_version,
        actual_version=0 if found is None else int(found[0]),
    )


def append_in_one_transaction(
    store: PostgresEventStore,
    conn: Connection[Any],
    prepared: Sequence[Prepared],
    outbox: Sequence[Row],
    *,
    one_by_one: bool = False,
) -> None:
    """
    Write ``prepared`` (several appends, or one that erases) and the ``outbox`` rows in one
    transaction on ``conn``: the summaries version-checked and their rows locked in one order,
    the numbers claimed, then the log's lock taken and the events linked and inserted, the
    outbox's seals last (see :class:`~iso10002.storage.postgres.store.PostgresEventStore`).

    New complaints' summaries (a batch of nothing else, as an import writes) are inserted by
    one ``executemany``, and the events of every append by one, each a round trip in psycopg's
    pipeline mode, where one statement an append was a round trip each. Which append a taken
    key belongs to is then not known: the transaction, rolled back, is made again
    ``one_by_one``, as before, so that the error names the first at fault.

    Raises:
        ConcurrencyConflict, DuplicateKeyError: an append's version or a unique key; nothing
            was written.
    """
    import psycopg

    sql, hasher = store._sql, store._hasher
    at = [prepared[0][0]]  # the append being written, for the error's name
    new_only = not one_by_one and all(p[3] is None and not p[0].erase for p in prepared)
    try:
        with conn.transaction():
            existing = sorted({a.summary.id for a, *_ in prepared if a.expected_version})
            if len(existing) > 1:
                conn.execute(sql.lock_summaries, (existing,))
            # The stored hash of the event each complaint continues from.
            stored: dict[UUID, str] = {}
            gone: list[int] = []
            if new_only:
                with conn.cursor() as cursor:
                    cursor.executemany(sql.insert_summary, [summary_row(p) for p in prepared])
            else:
                for p in prepared:
                    at[0] = p[0]
                    gone += write_summary(conn, sql, p, stored)
            claim_numbers(conn, sql, [p[0] for p in prepared])
            # The versions are checked and the summary rows locked: their hashes can be
            # computed; then the log's lock, held until COMMIT (the store's docstring).
            links = link(
                [p[0] for p in prepared],
                stored_hash=lambda cid, _version: stored.get(cid),
                last_link=lambda: store._lock_and_read_chain(conn),
                hasher=hasher,
            )
            _insert_events(conn, sql, prepared, links, at, one_by_one=one_by_one)
            if outbox or gone:
                # After the append lock, always in this order: no deadlock.
                conn.execute(sql.append_lock, (store._outbox_key,))
                reseal_successors(conn, store._tables_sql, hasher, "outbox", gone)
                if outbox:
                    with sealing(conn, store._tables_sql, hasher, "outbox"):
                        store._outbox.insert_rows(conn, outbox)
    except psycopg.errors.UniqueViolation as e:
        if not one_by_one and len(prepared) > 1:
            append_in_one_transaction(store, conn, prepared, outbox, one_by_one=True)
            raise StorageError(  # pragma: no cover - only if the conflict went away meanwhile
                f"PostgreSQL store {store._where}: a unique key taken when the batch was "
                "written was free when it was written again; nothing was written"
            ) from e
        raise store._taken(conn, at[0], e) from e


def _insert_events(
    conn: Connection[Any],
    sql: Statements,
    prepared: Sequence[Prepared],
    links: Sequence[Sequence[tuple[str, str]]],
    at: list[Append],
    *,
    one_by_one: bool,
) -> None:
    """
    Insert the events of ``prepared`` with their ``links``: one ``executemany`` for them all,
    but before an erasure (which clears what the batch wrote for its complaint so far) and
    ``one_by_one``; ``at`` holds the append last taken up, for the error's name.
    """
    with conn.cursor() as cursor:
        pending: list[tuple[object, ...]] = []
        for (a, rows, *_), pairs in zip(prepared, links, strict=True):
            at[0] = a
            if a.erase:
                # Here, not with the version check: the values an earlier append of this batch
                # wrote for the complaint go too.
                if pending:
                    cursor.executemany(sql.insert_event, pending)
                    pending = []
                conn.execute(sql.erase_personal, (a.summary.id,))
            pending += [(*row, *pair) for row, pair in zip(rows, pairs, strict=True)]
            if one_by_one:
                cursor.executemany(sql.insert_event, pending)
                pending = []
        if pending:
            cursor.executemany(sql.insert_event, pending)
