"""
Writing imported records: skip what is there, batch the rest, and keep a bad record from
taking good ones down with it.

Records are written in batches, one transaction each (:func:`~iso10002.ports.store.append_all`).
If a batch fails, it is written again one complaint at a time, so that the record at fault is
reported and the others land. Every complaint is written whole or not at all: a store append
is atomic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import Protocol, cast

from iso10002.errors import (
    DuplicateKeyError,
    Iso10002Error,
    SchemaVersionError,
    SerializationError,
    StorageError,
    StoreClosedError,
    ValidationError,
)
from iso10002.importing.cells import BadCell
from iso10002.importing.history import HistoryBuilder, ImportedRecord, client_key
from iso10002.importing.report import ImportReport, RowError
from iso10002.importing.sources import Row
from iso10002.ports.store import (
    Append,
    BulkLoadStore,
    ClientKeyStore,
    EventStore,
    append_all,
    is_bulk_load_store,
    is_client_key_store,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MAX_WORKERS",
    "Progress",
    "built",
    "check_workers",
    "parsed",
    "run_import",
]

DEFAULT_BATCH_SIZE = 500
"""Complaints written per transaction."""

Parse = Callable[[int, Mapping[str, str]], ImportedRecord]


class Progress(Protocol):
    """**Protocol:** told how an import is going, after every batch of records read."""

    def __call__(
        self, *, read: int, imported: int, skipped: int, failed: int, fraction: float | None
    ) -> None:
        """The counts so far (as in :class:`ImportReport`), and how much of the input was
        read, from 0 to 1 (``None`` if unknown)."""


def check_batch_size(value: object) -> int:
    """A batch size: an integer from 1 on."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError("batch_size", f"must be a positive integer, got {value!r}")
    return value


MAX_WORKERS = 32
"""The most worker processes an import starts."""


def check_workers(value: object) -> int:
    """A number of worker processes: an integer from 1 (the import runs in this one) to
    :data:`MAX_WORKERS`."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_WORKERS:
        raise ValidationError(
            "workers", f"must be an integer from 1 to {MAX_WORKERS}, got {value!r}"
        )
    return value


def check_limit(value: object) -> int | None:
    """``None`` (no limit) or a positive integer."""
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise ValidationError("limit", f"must be a positive integer or None, got {value!r}")
    return value


# Errors that say the store cannot be used at all, whichever record is written.
_FATAL = (StoreClosedError, SchemaVersionError)
# Errors that say a record's complaint cannot be built or stored as it is.
UNBUILDABLE = (ValidationError, SerializationError)


def built(builder: HistoryBuilder, bulk: BulkLoadStore | None, record: ImportedRecord) -> object:
    """
    What the store writes of ``record``'s complaint: its append, events prepared, or the rows
    of the append when the store loads in bulk (``bulk``, :class:`BulkLoadStore`).

    Raises:
        ValidationError, SerializationError: the complaint cannot be built, or stored as it is.
    """
    append = builder.build(record, prepare=True)
    return append if bulk is None else bulk.bulk_rows(append)


class Run:
    """One import run: its counts, its failures, and the batch being filled."""

    def __init__(
        self,
        store: EventStore,
        builder: HistoryBuilder,
        *,
        batch_size: int,
    ) -> None:
        self.store = store
        self.bulk: BulkLoadStore | None = store if is_bulk_load_store(store) else None
        """The store, if it loads new complaints in bulk: it is then given their rows."""
        self.keys: ClientKeyStore | None = store if is_client_key_store(store) else None
        """The store, if it says of a batch of client keys at once which it holds."""
        self.builder = builder
        self.batch_size = batch_size
        self.read = 0
        self.imported = 0
        self.skipped = 0
        self.failed: list[RowError] = []
        # Each record's row, id, and what the store writes (``built``).
        self.pending: list[tuple[int, str, object]] = []
        self.pending_keys: set[str] = set()
        # Records read and parsed, not yet added: their client keys are looked up at once.
        self.parsed: list[tuple[int, ImportedRecord]] = []
        # Keys the store held when looked up at once, and those it did not, none of them
        # pending since.
        self.stored: set[str] = set()
        self.absent: set[str] = set()

    def report(self) -> ImportReport:
        return ImportReport(
            system=self.builder.system,
            read=self.read,
            imported=self.imported,
            skipped=self.skipped,
            failed=tuple(sorted(self.failed, key=lambda e: e.row)),
        )

    def readable(
        self,
        rows: Iterable[Row],
        *,
        limit: int | None,
        progress: Progress | None,
        fraction: Callable[[], float | None],
    ) -> Iterator[tuple[int, Mapping[str, str]]]:
        """
        The records of ``rows`` that could be read, up to ``limit`` read in all: each read is
        counted, each unreadable one is a failure, and ``progress`` is told after every batch
        of records read (once the caller has taken the record that completes it).
        """
        for row, cells in rows:
            if limit is not None and self.read >= limit:
                break
            self.read += 1
            if isinstance(cells, RowError):
                self.failed.append(cells)
            else:
                yield row, cells
            if progress is not None and self.read % self.batch_size == 0:
                self.settle()  # the counts told are those of every record read
                self.tell(progress, fraction())

    def tell(self, progress: Progress, fraction: float | None) -> None:
        progress(
            read=self.read,
            imported=self.imported,
            skipped=self.skipped,
            failed=len(self.failed),
            fraction=fraction,
        )

    def queue(self, row: int, record: ImportedRecord) -> None:
        """Add ``record`` (:meth:`add`) with the records read after it, a batch at a time."""
        self.parsed.append((row, record))
        if len(self.parsed) >= self.batch_size:
            self.settle()

    def settle(self) -> None:
        """Add the records queued, their client keys looked up at once."""
        records, self.parsed = self.parsed, []
        if not records:
            return
        system = self.builder.system
        keys = [client_key(system, record.record_id) for _, record in records]
        self.look_up(keys)
        for (row, record), key in zip(records, keys, strict=True):
            self.add(row, record, key)

    def look_up(self, keys: Sequence[str]) -> None:
        """
        Ask the store at once which of ``keys`` it holds, where it can
        (:class:`ClientKeyStore`), so that :meth:`taken` asks it about none of the others
        until they are written.
        """
        if self.keys is None:
            return
        wanted = [key for key in keys if key not in self.pending_keys]
        self.stored = self.keys.stored_client_keys(wanted)
        self.absent = set(wanted) - self.stored

    def add(self, row: int, record: ImportedRecord, key: str | None = None) -> None:
        if key is None:
            key = client_key(self.builder.system, record.record_id)
        if self.taken(key):
            return
        try:
            item = built(self.builder, self.bulk, record)
        except UNBUILDABLE as e:
            self.fail(row, record.record_id, None, None, str(e))
            return
        self.write(row, record.record_id, key, item)

    def taken(self, key: str) -> bool:
        """Whether the record of ``key`` is written already (counted as skipped) or pending."""
        # Earlier batches are in the store; the pending one is not yet. A key looked up with
        # others (:meth:`look_up`) is as the store said then, until it is pending: then it is
        # asked about again.
        if (
            key in self.pending_keys
            or key in self.stored
            or (key not in self.absent and self.store.id_for_client_key(key) is not None)
        ):
            self.skipped += 1
            return True
        return False

    def write(self, row: int, record_id: str, key: str, item: object) -> None:
        """Add a built complaint to the pending batch, and write the batch when it is full."""
        self.pending.append((row, record_id, item))
        self.pending_keys.add(key)
        self.absent.discard(key)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def fail(
        self, row: int, record_id: str | None, column: str | None, value: str | None, message: str
    ) -> None:
        self.failed.append(
            RowError(row=row, column=column, value=value, message=message, record_id=record_id)
        )

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        self.pending_keys = set()
        if not pending:
            return
        try:
            self.store_batch([a for _, _, a in pending])
        except _FATAL:
            raise
        except Iso10002Error:
            self.one_by_one(pending)
            return
        self.imported += len(pending)

    def store_batch(self, items: Sequence[object]) -> None:
        """Write ``items`` (``built``) in one transaction, or one after another (the store's)."""
        if self.bulk is not None:
            self.bulk.append_rows(items)
        else:
            append_all(self.store, cast(Sequence[Append], items))

    def one_by_one(self, pending: list[tuple[int, str, object]]) -> None:
        store_failures: list[StorageError] = []
        for row, record_id, item in pending:
            try:
                self.store_batch([item])
            except _FATAL:
                raise
            except DuplicateKeyError as e:
                # Taken by the same record imported meanwhile by another run (which the store
                # may report by its reference or its client key), or by another complaint.
                key = client_key(self.builder.system, record_id)
                if self.store.id_for_client_key(key) is not None:
                    self.skipped += 1
                else:
                    self.fail(row, record_id, None, None, str(e))
            except StorageError as e:
                store_failures.append(e)
                self.fail(row, record_id, None, None, str(e))
            except Iso10002Error as e:
                self.fail(row, record_id, None, None, str(e))
            else:
                self.imported += 1
        if len(pending) > 1 and len(store_failures) == len(pending):
            # Every record of the batch failed in the database itself: the fault is the
            # store's (a full disk, a lock held too long), not the records'.
            raise store_failures[-1]


def _parallel() -> ModuleType:
    # Imported on use: it builds on this module.
    from iso10002.importing import _parallel

    return _parallel


def parsed(
    row: int, cells: Mapping[str, str], parse: Parse, id_column: str | None
) -> ImportedRecord | RowError:
    """The record ``parse`` reads from ``cells``, or the error naming the row (and the cell)."""
    try:
        return parse(row, cells)
    except ValidationError as e:
        record_id = (cells.get(id_column, "").strip() if id_column else "") or None
        if isinstance(e, BadCell):
            return RowError(
                row=row, column=e.field, value=e.value, message=e.reason, record_id=record_id
            )
        return RowError(row=row, column=None, value=None, message=str(e), record_id=record_id)


def run_import(
    store: EventStore,
    rows: Iterable[Row],
    parse: Parse,
    builder: HistoryBuilder,
    *,
    id_column: str | None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    limit: int | None = None,
    progress: Progress | None = None,
    fraction: Callable[[], float | None] = lambda: None,
    workers: int = 1,
) -> ImportReport:
    """
    Read ``rows``, parse each with ``parse``, and write the complaints in batches.

    ``limit`` stops after that many records read. ``id_column`` names the column of the
    record id, so that a refused record is reported with it. With ``workers`` above 1 (and
    where processes can be forked), that many processes parse the records and build and
    prepare their histories, and this one writes them in order
    (:mod:`iso10002.importing._parallel`): the result is the same.

    Raises:
        StoreClosedError, SchemaVersionError: the store cannot be used; records written in
            earlier batches stay written.
        StorageError: every record of a batch failed in the database.
        ImportFileError: the input turned out unreadable part-way (earlier batches stay).
    """
    run = Run(store, builder, batch_size=batch_size)
    check_workers(workers)
    if workers > 1 and _parallel().can_fork():
        _parallel().read_in_workers(
            run,
            rows,
            parse,
            id_column=id_column,
            limit=limit,
            progress=progress,
            fraction=fraction,
            workers=workers,
        )
    else:
        for row, cells in run.readable(rows, limit=limit, progress=progress, fraction=fraction):
            record = parsed(row, cells, parse, id_column)
            if isinstance(record, RowError):
                run.failed.append(record)
            else:
                run.queue(row, record)
        run.settle()
    run.flush()
    if progress is not None:
        run.tell(progress, 1.0)
    return run.report()
