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

The schema is versioned with ``PRAGMA user_version`` and built by :data:`MIGRATIONS`, the
migrations of both SQL stores (:mod:`iso10002.storage._sql.migrations`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import itertools
import os
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, ClassVar, Literal
from uuid import UUID

from typing_extensions import Self

from iso10002.errors import (
    CorruptRecord,
    StorageError,
    StoreClosedError,
    ValidationError,
)
from iso10002.model.chain import Hasher
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import Event, SurveyAnswered
from iso10002.model.fact_row import FactRow
from iso10002.model.outbox import OutboxEntry, OutboxQuery, OutboxRecord, OutboxState
from iso10002.model.subject import SubjectMatch
from iso10002.model.values import ComplaintId
from iso10002.ports.capabilities import Capability
from iso10002.ports.kpi import CohortScan, SummaryKpiSource
from iso10002.ports.store import Append, ChainRecord, ComplaintQuery, Page
from iso10002.storage._sql.columns import (
    summary_from_values,
)
from iso10002.storage._sql.records import RecordStatements, SqlRecords
from iso10002.storage._sql.sealed import (
    DECODE_ERRORS,
    chain_record,
)
from iso10002.storage._sql.sealed_rows import SealedTables, TableStatements, sealing
from iso10002.storage._sql.upgrade import UpgradeReport
from iso10002.storage.sqlite import bulk
from iso10002.storage.sqlite import outbox as outbox_sql
from iso10002.storage.sqlite.append import Known, append_all
from iso10002.storage.sqlite.connection import _Access, _Immediate, _SQLiteErrors
from iso10002.storage.sqlite.kpis import rollup_differences, scan_cohort, survey_answers
from iso10002.storage.sqlite.schema import MIGRATIONS, _connect, _payload_column
from iso10002.storage.sqlite.sealing import purge_outbox
from iso10002.storage.sqlite.statements import (
    _BUMP_COUNTER,
    _COUNTER,
    _ID_FOR_CLIENT_KEY,
    _ID_FOR_REFERENCE,
    _LAST_POSITION,
    _ORDERS,
    _READ,
    _READ_BATCH,
    _READ_CHAIN,
    _READ_LOG,
    _REFERENCE_OF,
    _SELECT_BATCH,
    _SUBJECT_DETAILS,
    _SUMMARY,
    _SUMMARY_COLUMNS,
    _VERSION,
    _event_from_row,
    _where,
)

__all__ = ["SQLiteEventStore", "Synchronous"]

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]
"""SQLite's ``PRAGMA synchronous`` levels; see :class:`SQLiteEventStore`."""

_SYNCHRONOUS: tuple[str, ...] = ("OFF", "NORMAL", "FULL", "EXTRA")


class SQLiteEventStore(SqlRecords, SealedTables):
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

    upgrade_report: UpgradeReport | None
    """What opening the store did to an older schema; None if it found the schema current."""

    erasure_warning: str | None = None
    """
    Why erased values may still be in the write-ahead log after this store's last erasure
    (another connection was reading from it), or None; see :mod:`iso10002.storage.sqlite.wal`.
    """

    _records_sql = RecordStatements.build()
    _tables_sql = TableStatements.build()

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
        # Per complaint: the last version written here, its summary and values (append.py).
        self._indexed: dict[str, Known] = {}
        self._path = os.fspath(path)
        self._synchronous = synchronous
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._readers = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        with _SQLiteErrors(self._path, "open the database"):
            self._conn, self.upgrade_report = _connect(
                self._path, synchronous, float(timeout), self._hasher
            )

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
        append_all(self, appends)

    def bulk_rows(self, append: Append) -> object:
        """
        The rows a new complaint's ``append`` is written as by :meth:`append_rows`; see
        :meth:`BulkLoadStore.bulk_rows <iso10002.ports.store.BulkLoadStore.bulk_rows>`.

        Raises:
            ValidationError: not a new complaint's append, or it fails the append's checks.
            SerializationError: a value cannot be stored.
        """
        return bulk.bulk_rows(self, append)

    def stored_client_keys(self, keys: Sequence[str]) -> set[str]:
        """
        Which of ``keys`` are the client keys of stored complaints; see
        :meth:`ClientKeyStore.stored_client_keys
        <iso10002.ports.store.ClientKeyStore.stored_client_keys>`.
        """
        return bulk.stored_client_keys(self, keys)

    def append_rows(self, rows: Sequence[object]) -> None:
        """
        Write the new complaints of ``rows`` (from :meth:`bulk_rows`) in one transaction,
        their daily rollups counted once for all of them; see
        :meth:`BulkLoadStore.append_rows <iso10002.ports.store.BulkLoadStore.append_rows>`.

        Raises:
            ConcurrencyConflict, DuplicateKeyError, StorageError: as :meth:`append`, for the
                first complaint that fails; nothing was written.
            ValidationError: a value of ``rows`` is not one of :meth:`bulk_rows`.
        """
        bulk.append_rows(self, rows)

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

    def rollup_differences(self) -> list[tuple[str, str]]:
        """The daily rollups that differ from the rows; see :class:`RollupStore`."""
        return rollup_differences(self)

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

    def last_number(self, scope: str) -> int:
        """The last number allocated or claimed in ``scope``, 0 if none (NumberClaimStore)."""
        with self._use(f"read the counter {scope!r}") as conn:
            row = conn.execute(_COUNTER, (scope,)).fetchone()
        return 0 if row is None else int(row[0])

    # -- access denials (see iso10002.ports.store.DenialStore) ---------------------------------

    @contextlib.contextmanager
    def _records(self, action: str, *, write: bool) -> Iterator[sqlite3.Connection]:
        with self._use(action) as conn, _Immediate(conn) if write else contextlib.nullcontext():
            yield conn

    def _records_store(self) -> str:
        return f"SQLite store {self._path}"

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
        with (
            self._use("enqueue notifications") as conn,
            _Immediate(conn),
            sealing(conn, self._tables_sql, self._hasher, "outbox"),
        ):
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
            with (
                self._bookkeeping("merge notifications into a digest") as conn,
                sealing(conn, self._tables_sql, self._hasher, "outbox"),
            ):
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
            return purge_outbox(conn, self._tables_sql, self._hasher, delivered_before)

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
