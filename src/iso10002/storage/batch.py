"""
A unit of work over a store: :class:`BatchingStore` keeps the appends of many commands in memory
and writes them in one transaction, through the store's own batch append.

Bulk writers (the demo, a migration from another system, a replay) run thousands of commands
in a row; written one by one, each pays a commit, and at SQLite's default ``synchronous =
FULL`` each commit waits for the disk. Through a :class:`BatchingStore` a desk runs exactly as
before (every command is checked, decided and folded on the latest state), but its appends are
held back and written ``max_events`` at a time, in one transaction of the store's
``append_many``: the same rows, hashes, chain, sealing and outbox records as one by one, with
one commit per batch.

What it changes, and what it does not:

- **Checks**: an append is checked when it is made, as the store would check it: a malformed
  batch (:class:`~iso10002.errors.ValidationError`), a stale or future ``expected_version``
  (:class:`~iso10002.errors.ConcurrencyConflict`, against the buffered version if the
  complaint has buffered events, else the stored one), a taken reference or client key
  (:class:`~iso10002.errors.DuplicateKeyError`), and a number claim
  (:attr:`Append.number <iso10002.ports.store.Append.number>`, over a store that declares
  :attr:`~iso10002.Capability.NUMBER_CLAIMS`) against the buffered claims of its counter, else
  the stored counter. Each append is sealed and encoded then, once
  (:func:`~iso10002.storage.prepare_appends`): a value that cannot be stored is refused at the
  command that wrote it, and the flush only writes.
- **Reads** see the buffer, as the store will read after the flush: ``read``, ``summary``,
  ``query`` (totals and pages included), ``id_for_reference`` and ``id_for_client_key``. A
  read the buffer does not model (the log, the chain, the outbox, KPIs, finding a data
  subject) flushes first. ``last_number`` reads the buffered claims. Numbers allocated with
  ``next_number``, configuration records and access denials are written at once, as the store
  writes them: each is its own small write, independent of the events (a counter with
  buffered claims is flushed first, so that the number allocated follows them).
- **Durability is per batch, not per command.** A command returns once its events are in the
  buffer; they reach the database at the next flush (when the buffer is full, on
  :meth:`BatchingStore.flush`, on leaving the ``with`` block, or on :meth:`BatchingStore.close`).
  A crash before then loses the buffered commands, as if they had not been run. Other processes
  and other store objects see a batch only after its flush.
- **Conflicts with other writers** are found at the flush when they happen after the append
  was checked: the flush then writes nothing and raises :class:`~iso10002.errors.BatchFlushError`
  naming the append at fault. The buffer is dropped with it; a desk over the wrapper catches up
  by itself (its next append to a complaint it remembered ahead of the store conflicts, and it
  reloads), but the commands of the batch are lost and must be run again. A batching store is
  for one writer at a time on its complaints: bulk jobs, not the live desk.

An erasure (:attr:`Append.erase <iso10002.ports.store.Append.erase>`) is written at once,
with what is buffered before it.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from types import TracebackType
from typing import TypeVar, cast

import attrs
from typing_extensions import Self

from iso10002.errors import (
    BatchFlushError,
    ConcurrencyConflict,
    DuplicateKeyError,
    Iso10002Error,
    StoreClosedError,
    ValidationError,
)
from iso10002.model.chain import ChainRecord, Hasher, TableRecord
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.configuration import ConfigurationRecord
from iso10002.model.denials import DenialRecord
from iso10002.model.events import Event, SurveyAnswered
from iso10002.model.fact_row import FactRow
from iso10002.model.outbox import OutboxEntry, OutboxQuery, OutboxRecord, OutboxState
from iso10002.model.subject import SubjectMatch
from iso10002.model.values import ComplaintId
from iso10002.ports.capabilities import Capability, capabilities_of
from iso10002.ports.kpi import CohortScan, KpiSource
from iso10002.ports.store import (
    MAX_PAGE_SIZE,
    Append,
    ClientKeyStore,
    ComplaintQuery,
    ConfigurationStore,
    EventStore,
    NumberClaimStore,
    OutboxEventStore,
    Page,
    RecordKeepingStore,
    SealedTablesStore,
    is_number_claim_store,
    is_outbox_store,
    is_record_keeping_store,
)
from iso10002.storage._prepare import prepare_appends

__all__ = ["DEFAULT_MAX_EVENTS", "BatchingStore"]

DEFAULT_MAX_EVENTS = 500
"""Events buffered before a :class:`BatchingStore` flushes on its own."""

_T = TypeVar("_T")


def _order_key(query: ComplaintQuery) -> Callable[[ComplaintSummary], tuple[object, str]]:
    """The sort key of the store's order for ``query`` (see :class:`ComplaintQuery`)."""
    if query.order == "sla_due":
        return lambda s: (s.sla_due_at, s.reference)
    return lambda s: (s.received_at, s.reference)


class BatchingStore:
    """
    A store that buffers appends and writes them in batches, one transaction each; see the
    module's documentation for what that changes (durability is per batch).

    Args:
        store: the store to write to; it must write a batch in one transaction (declare
            :attr:`~iso10002.Capability.OUTBOX`, as the shipped stores do).
        max_events: how many events to buffer before flushing on their own (at least 1).

    The wrapper declares the capabilities of ``store`` and keeps their promises: a desk, an
    importer or the contract suites (:mod:`iso10002.testing`) use it as they use the store.
    Use it in a ``with`` block, which flushes on leaving (even on an error: the commands that
    returned were run), or call :meth:`flush` and :meth:`close`. Leaving the block does not
    close ``store``; :meth:`close` does. Safe to share between threads.

    Raises:
        ValidationError: ``store`` cannot write a batch in one transaction, or ``max_events``
            is not a positive integer.
    """

    def __init__(self, store: EventStore, *, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        if not is_outbox_store(store):
            raise ValidationError(
                "store",
                f"{type(store).__name__} cannot write a batch in one transaction "
                "(it declares no Capability.OUTBOX)",
            )
        if not isinstance(max_events, int) or isinstance(max_events, bool) or max_events < 1:
            raise ValidationError("max_events", f"must be a positive integer, got {max_events!r}")
        self._store: OutboxEventStore = store
        self.max_events = max_events
        self.capabilities: frozenset[Capability] = capabilities_of(store) - {Capability.BULK_LOAD}
        """What ``store`` declares, but a bulk load (which would pass the buffer by): the
        wrapper keeps the same promises."""
        self.flushes = 0
        """How many batches this wrapper has written."""
        self._lock = threading.RLock()
        self._closed = False
        self._appends: list[Append] = []
        self._events = 0
        # Per complaint with buffered events: the stored version and summary they continue
        # (0 and None for a new complaint), its buffered events, and its latest summary.
        self._base: dict[ComplaintId, tuple[int, ComplaintSummary | None]] = {}
        self._streams: dict[ComplaintId, list[Event]] = {}
        self._summaries: dict[ComplaintId, ComplaintSummary] = {}
        self._references: dict[str, ComplaintId] = {}
        self._client_keys: dict[str, ComplaintId] = {}
        self._numbers: dict[str, int] = {}  # each counter as the buffered claims leave it

    @property
    def store(self) -> EventStore:
        """The store written to."""
        return self._store

    @property
    def pending(self) -> int:
        """How many events are buffered, not yet written."""
        return self._events

    # -- writing ---------------------------------------------------------------------------------

    def append(
        self, events: Sequence[Event], *, expected_version: int, summary: ComplaintSummary
    ) -> None:
        """
        Check ``events`` as the store would and buffer them; see :meth:`EventStore.append
        <iso10002.ports.store.EventStore.append>`. Written at the next flush.

        Raises:
            ConcurrencyConflict: the version, buffered or stored, is not ``expected_version``.
            DuplicateKeyError: a new complaint reuses a reference or client key.
            ValidationError: the events are empty, mix complaints, or break the sequence.
            BatchFlushError: the buffer was full and its flush failed; nothing of it was written.
        """
        self.append_many(
            [Append(events=tuple(events), expected_version=expected_version, summary=summary)]
        )

    def append_many(self, appends: Sequence[Append]) -> None:
        """
        Check every append of ``appends`` as the store would and buffer them all, or none;
        see :meth:`BatchAppender.append_many <iso10002.ports.store.BatchAppender.append_many>`.
        An append that erases is written at once, with the buffer before it.

        Raises:
            The errors of :meth:`append`, for the first append that fails; then none of
            ``appends`` is buffered.
        """
        if any(a.erase for a in appends) and not is_record_keeping_store(self._store):
            raise ValidationError(
                "erase",
                f"{type(self._store).__name__} keeps no personal data apart; it cannot erase it",
            )
        if any(a.number is not None for a in appends) and not is_number_claim_store(self._store):
            raise ValidationError(
                "number",
                f"{type(self._store).__name__} does not claim numbers in an append "
                "(it declares no Capability.NUMBER_CLAIMS)",
            )
        with self._lock:
            self._open()
            prepared = prepare_appends(appends)
            if len(prepared) == 1:
                self._buffer(prepared[0])
            else:
                undo = self._snapshot()
                try:
                    for a in prepared:
                        self._buffer(a)
                except BaseException:
                    self._restore(undo)
                    raise
            if any(a.erase for a in prepared) or self._events >= self.max_events:
                self.flush()

    def _buffer(self, a: Append) -> None:
        """Check ``a`` against the buffer and the store, then buffer it."""
        summary = a.summary
        cid = summary.id
        if cid in self._summaries:
            stored: ComplaintSummary | None = None
            actual = self._summaries[cid].version
        else:
            stored = self._store.summary(cid)
            actual = 0 if stored is None else stored.version
        if actual != a.expected_version:
            raise ConcurrencyConflict(
                complaint=summary.reference,
                expected_version=a.expected_version,
                actual_version=actual,
            )
        if a.expected_version == 0:
            # The store's unique keys, checked in the order the stores check them.
            if summary.reference in self._references or (
                self._store.id_for_reference(summary.reference) is not None
            ):
                raise DuplicateKeyError("reference", summary.reference)
            key = summary.client_key
            if key is not None and (
                key in self._client_keys or self._store.id_for_client_key(key) is not None
            ):
                raise DuplicateKeyError("client key", key)
            self._claim(a)
            self._references[summary.reference] = cid
            if key is not None:
                self._client_keys[key] = cid
        if cid not in self._base:
            self._base[cid] = (actual, stored)
        self._streams.setdefault(cid, []).extend(a.events)
        self._summaries[cid] = summary
        self._appends.append(a)
        self._events += len(a.events)

    def _claim(self, a: Append) -> None:
        """Check ``a``'s number claim against the buffered claims or the store, and note it."""
        claim = a.number
        if claim is None:
            return
        value = self._numbers.get(claim.scope)
        if value is None:
            value = self._claiming().last_number(claim.scope)
        if value != claim.after:
            raise DuplicateKeyError("reference", a.summary.reference)
        self._numbers[claim.scope] = claim.number

    def _snapshot(self) -> tuple[object, ...]:
        return (
            len(self._appends),
            self._events,
            dict(self._base),
            {cid: len(events) for cid, events in self._streams.items()},
            dict(self._summaries),
            dict(self._references),
            dict(self._client_keys),
            dict(self._numbers),
        )

    def _restore(self, undo: tuple[object, ...]) -> None:
        appends, events, base, streams, summaries, references, keys, numbers = undo
        del self._appends[cast(int, appends) :]
        self._events = cast(int, events)
        self._base = cast("dict[ComplaintId, tuple[int, ComplaintSummary | None]]", base)
        lengths = cast("dict[ComplaintId, int]", streams)
        self._streams = {cid: self._streams[cid][:n] for cid, n in lengths.items()}
        self._summaries = cast("dict[ComplaintId, ComplaintSummary]", summaries)
        self._references = cast("dict[str, ComplaintId]", references)
        self._client_keys = cast("dict[str, ComplaintId]", keys)
        self._numbers = cast("dict[str, int]", numbers)

    def flush(self) -> None:
        """
        Write the buffer in one transaction of the store's ``append_many``: all of it or
        nothing. The buffer is empty afterwards, whether the write succeeded or not.

        Raises:
            BatchFlushError: the store refused the batch (naming the append at fault) or
                failed; nothing of the batch was written.
        """
        with self._lock:
            appends = self._appends
            if not appends:
                return
            self._appends = []
            self._events = 0
            self._base = {}
            self._streams = {}
            self._summaries = {}
            self._references = {}
            self._client_keys = {}
            self._numbers = {}
            try:
                self._store.append_many(appends)
            except Iso10002Error as e:
                index = _culprit(appends, e)
                raise BatchFlushError(
                    error=e,
                    size=len(appends),
                    index=index,
                    complaint=None if index is None else appends[index].summary.reference,
                ) from e
            self.flushes += 1

    def _flushed(self) -> None:
        """Flush before a read or write the buffer does not model."""
        with self._lock:
            self._open()
            self.flush()

    def _open(self) -> None:
        if self._closed:
            raise StoreClosedError("the batching store is closed")

    # -- reading through the buffer --------------------------------------------------------------

    def read(self, complaint_id: ComplaintId, *, after: int = 0) -> list[Event]:
        """The complaint's events with ``seq > after``, stored then buffered, oldest first."""
        with self._lock:
            self._open()
            buffered = self._streams.get(complaint_id)
            if buffered is None:
                return self._store.read(complaint_id, after=after)
            base = self._base[complaint_id][0]
            stored = (
                [e for e in self._store.read(complaint_id, after=after) if e.seq <= base]
                if base > after
                else []
            )
            return stored + [e for e in buffered if e.seq > after]

    def summary(self, complaint_id: ComplaintId) -> ComplaintSummary | None:
        """The complaint's latest summary, buffered or stored."""
        with self._lock:
            self._open()
            found = self._summaries.get(complaint_id)
            return found if found is not None else self._store.summary(complaint_id)

    def id_for_reference(self, reference: str) -> ComplaintId | None:
        """The id of the complaint with this reference, buffered or stored."""
        with self._lock:
            self._open()
            found = self._references.get(reference)
            return found if found is not None else self._store.id_for_reference(reference)

    def id_for_client_key(self, client_key: str) -> ComplaintId | None:
        """The id of the complaint received with this client key, buffered or stored."""
        with self._lock:
            self._open()
            found = self._client_keys.get(client_key)
            return found if found is not None else self._store.id_for_client_key(client_key)

    def stored_client_keys(self, keys: Sequence[str]) -> set[str]:
        """
        Which of ``keys`` are the client keys of buffered or stored complaints; declared
        (:attr:`Capability.CLIENT_KEYS`) only when ``store`` declares it.
        """
        with self._lock:
            self._open()
            if Capability.CLIENT_KEYS not in self.capabilities:
                raise ValidationError(
                    "store", f"{type(self._store).__name__} does not declare client_keys"
                )
            buffered = {k for k in keys if k in self._client_keys}
            rest = [k for k in keys if k not in buffered]
            store = cast(ClientKeyStore, self._store)
            return buffered | (store.stored_client_keys(rest) if rest else set())

    def query(self, query: ComplaintQuery) -> Page:
        """
        The page the store would return after a flush: its summaries with the buffered ones
        in their place, in the store's order, counted in ``total``.
        """
        with self._lock:
            self._open()
            if not self._summaries:
                return self._store.query(query)
            mine = [s for s in self._summaries.values() if query.matches(s)]
            # The stored rows the buffer replaces: counted in the store's total, not in ours.
            replaced = sum(
                1
                for _, stored in self._base.values()
                if stored is not None and query.matches(stored)
            )
            wanted = query.offset + query.limit + replaced
            theirs: list[ComplaintSummary] = []
            total = 0
            while True:
                page = self._store.query(
                    attrs.evolve(
                        query,
                        offset=len(theirs),
                        limit=min(MAX_PAGE_SIZE, wanted - len(theirs)),
                    )
                )
                theirs.extend(page.items)
                total = page.total
                if not page.has_more or len(theirs) >= wanted:
                    break
            merged = [s for s in theirs if s.id not in self._summaries] + mine
            merged.sort(key=_order_key(query), reverse=query.order == "received")
            items = tuple(merged[query.offset : query.offset + query.limit])
            return Page(
                items=items,
                total=total - replaced + len(mine),
                limit=query.limit,
                offset=query.offset,
            )

    def iter_events(self, *, after_position: int = 0) -> Iterator[tuple[int, Event]]:
        """The store's log, after a flush: a buffered event has no position yet."""
        self._flushed()
        return self._store.iter_events(after_position=after_position)

    def next_number(self, scope: str) -> int:
        """
        Allocate the next number in ``scope`` from the store, at once (never buffered); after
        a flush if the buffer claims numbers of ``scope``, so that the number follows them.
        """
        with self._lock:
            self._open()
            if scope in self._numbers:
                self.flush()
        return self._store.next_number(scope)

    def last_number(self, scope: str) -> int:
        """The counter as the buffered claims leave it, else as stored (NumberClaimStore)."""
        with self._lock:
            self._open()
            found = self._numbers.get(scope)
            return self._claiming().last_number(scope) if found is None else found

    def _claiming(self) -> NumberClaimStore:
        """The store as one that claims numbers, which it declares; no flush."""
        if Capability.NUMBER_CLAIMS not in self.capabilities:
            raise ValidationError(
                "store", f"{type(self._store).__name__} does not declare number_claims"
            )
        return cast(NumberClaimStore, self._store)

    def close(self) -> None:
        """Flush, then close the store; closing again does nothing."""
        with self._lock:
            if self._closed:
                return
            try:
                self.flush()
            finally:
                self._closed = True
                self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._closed:
            self.flush()

    def __repr__(self) -> str:
        return (
            f"BatchingStore({self._store!r}, max_events={self.max_events}, pending={self._events})"
        )

    # -- the rest of the store's levels, after a flush -------------------------------------------

    def _level(self, capability: Capability, protocol: type[_T]) -> _T:
        """The store as ``protocol``, which it declares, after a flush."""
        if capability not in self.capabilities:
            raise ValidationError(
                "store", f"{type(self._store).__name__} does not declare {capability.value}"
            )
        self._flushed()
        return cast(_T, self._store)

    def _outbox(self) -> OutboxEventStore:
        return self._level(Capability.OUTBOX, OutboxEventStore)  # type: ignore[type-abstract]

    def _records(self) -> RecordKeepingStore:
        return self._level(Capability.RECORD_KEEPING, RecordKeepingStore)  # type: ignore[type-abstract]

    def outbox_enqueue(self, entries: Sequence[OutboxEntry]) -> int:
        """As the store's, after a flush (an entry already buffered is then stored)."""
        return self._outbox().outbox_enqueue(entries)

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
        """As the store's, after a flush."""
        return self._outbox().outbox_claim(
            worker=worker, now=now, lease=lease, limit=limit, channels=channels, digest=digest
        )

    def outbox_delivered(self, record_id: int, *, now: _dt.datetime) -> bool:
        """As the store's, after a flush."""
        return self._outbox().outbox_delivered(record_id, now=now)

    def outbox_failed(
        self, record_id: int, *, attempt: int, error: str, retry_at: _dt.datetime | None
    ) -> bool:
        """As the store's, after a flush."""
        return self._outbox().outbox_failed(
            record_id, attempt=attempt, error=error, retry_at=retry_at
        )

    def outbox_merge(
        self, records: Sequence[OutboxRecord], digest: OutboxEntry
    ) -> OutboxRecord | None:
        """As the store's, after a flush."""
        return self._outbox().outbox_merge(records, digest)

    def outbox_records(self, query: OutboxQuery) -> list[OutboxRecord]:
        """As the store's, after a flush."""
        return self._outbox().outbox_records(query)

    def outbox_record(self, key: int | str) -> OutboxRecord | None:
        """As the store's, after a flush."""
        return self._outbox().outbox_record(key)

    def outbox_retry(self, record_ids: Sequence[int], *, now: _dt.datetime) -> int:
        """As the store's, after a flush."""
        return self._outbox().outbox_retry(record_ids, now=now)

    def outbox_counts(self) -> dict[OutboxState, int]:
        """As the store's, after a flush."""
        return self._outbox().outbox_counts()

    def outbox_purge(self, *, delivered_before: _dt.datetime) -> int:
        """As the store's, after a flush."""
        return self._outbox().outbox_purge(delivered_before=delivered_before)

    @property
    def hasher(self) -> Hasher:
        """The store's hasher."""
        store = self._store
        if not is_record_keeping_store(store):
            raise AttributeError("hasher")
        return store.hasher

    def iter_chain(self, *, after_position: int = 0) -> Iterator[ChainRecord]:
        """As the store's, after a flush."""
        return self._records().iter_chain(after_position=after_position)

    def find_subject(self, match: SubjectMatch) -> list[ComplaintId]:
        """As the store's, after a flush."""
        return self._records().find_subject(match)

    def record_denial(self, denial: DenialRecord) -> None:
        """Kept by the store at once (never buffered)."""
        store = self._store
        if not is_record_keeping_store(store):
            raise ValidationError("store", f"{type(store).__name__} keeps no denials")
        with self._lock:
            self._open()
        store.record_denial(denial)

    def denials(
        self, *, since: _dt.datetime | None = None, limit: int = 1000
    ) -> list[DenialRecord]:
        """As the store's (denials are never buffered)."""
        return self._records().denials(since=since, limit=limit)

    def iter_table_records(self, table: str) -> Iterator[TableRecord]:
        """As the store's, after a flush."""
        return self._level(Capability.SEALED_TABLES, SealedTablesStore).iter_table_records(  # type: ignore[type-abstract]
            table
        )

    def counters(self) -> dict[str, int]:
        """As the store's (counters are never buffered)."""
        return self._level(Capability.SEALED_TABLES, SealedTablesStore).counters()  # type: ignore[type-abstract]

    def record_configuration(self, record: ConfigurationRecord) -> None:
        """Kept by the store at once (never buffered): content-addressed, written once."""
        with self._lock:
            self._open()
        self._configurations().record_configuration(record)

    def configuration(self, fingerprint: str) -> ConfigurationRecord | None:
        """As the store's."""
        return self._configurations().configuration(fingerprint)

    def find_configuration(self, kind: str, name: str, version: str) -> ConfigurationRecord | None:
        """As the store's."""
        return self._configurations().find_configuration(kind, name, version)

    def _configurations(self) -> ConfigurationStore:
        if Capability.CONFIGURATIONS not in self.capabilities:
            raise ValidationError("store", f"{type(self._store).__name__} keeps no configurations")
        return cast(ConfigurationStore, self._store)

    def iter_fact_rows(
        self, *, received_before: _dt.datetime, closed_since: _dt.datetime
    ) -> Iterator[FactRow]:
        """As the store's, after a flush."""
        return self._kpi().iter_fact_rows(
            received_before=received_before, closed_since=closed_since
        )

    def iter_survey_answers(
        self, *, start: _dt.datetime, end: _dt.datetime
    ) -> Iterator[Event | SurveyAnswered]:
        """As the store's, after a flush."""
        return self._kpi().iter_survey_answers(start=start, end=end)

    def scan_cohort(self, cohort: CohortScan, *, detail: bool) -> bool:
        """As the store's, after a flush."""
        return self._kpi().scan_cohort(cohort, detail=detail)

    def _kpi(self) -> KpiSource:
        return self._level(Capability.KPI, KpiSource)  # type: ignore[type-abstract]


def _culprit(appends: Sequence[Append], error: Exception) -> int | None:
    """The place in ``appends`` of the append the store refused with ``error``, if one was."""
    for index, a in enumerate(appends):
        summary = a.summary
        if isinstance(error, DuplicateKeyError):
            if a.expected_version == 0 and error.value in (summary.reference, summary.client_key):
                return index
        elif getattr(error, "complaint", None) == summary.reference:
            return index
    return None
