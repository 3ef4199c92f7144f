"""
The importer of any CSV or JSON export, read with a
:class:`~iso10002.importing.mapping.ColumnMapping`.

:func:`import_csv` reads a CSV file with a header row, :func:`import_json` a JSON array of
objects or JSON Lines, and :func:`import_rows` records already in memory (mappings of column
to value). All three read each record with the mapping, write the complaints in batches, skip
records imported before, and report each bad record without stopping.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from iso10002.clock import Clock, SystemClock
from iso10002.errors import ImportFileError, ValidationError
from iso10002.importing.cells import (
    BadCell,
    InstantReader,
    amount,
    check_zone,
    identifier,
    required,
)
from iso10002.importing.history import (
    CLOSED,
    OPEN,
    WITHDRAWN,
    HistoryBuilder,
    ImportedRecord,
)
from iso10002.importing.mapping import DECIDED, STATUSES, ColumnMapping, TimeColumn
from iso10002.importing.report import ImportReport, header_shown, quote
from iso10002.importing.sources import CsvRows, JsonRows, Row, Rows, cells_of
from iso10002.importing.writer import (
    DEFAULT_BATCH_SIZE,
    Progress,
    check_batch_size,
    check_limit,
    check_workers,
    run_import,
)
from iso10002.model.events import SatisfactionRecorded
from iso10002.model.values import (
    Channel,
    Classification,
    Complainant,
    ContactDetails,
    ContactMethod,
    Decision,
    Money,
    Outcome,
    Remedy,
    RemedyKind,
    RootCause,
)
from iso10002.ports.store import EventStore

__all__ = ["import_csv", "import_file", "import_json", "import_rows"]


def _lookup(values: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The exact and the case-folded lookups of a value map."""
    return dict(values), {k.casefold(): v for k, v in values.items()}


class _Parser:
    """Reads one record with a mapping."""

    def __init__(self, mapping: ColumnMapping, now: _dt.datetime) -> None:
        self.m = mapping
        self.now = now
        self.received = InstantReader(
            mapping.received_at.format, check_zone(mapping.received_at.zone)
        )
        self.closed = _reader(mapping.closed_at)
        self.acknowledged = _reader(mapping.acknowledged_at)
        self.responded = _reader(mapping.responded_at)
        self.channels = _lookup(mapping.channel.values)
        self.outcomes = _lookup(mapping.outcome.values if mapping.outcome else {})
        self.channel_names = {c.value: c for c in Channel}
        self.statuses = _lookup(mapping.status.values if mapping.status else {})
        mapped = ", ".join(quote(k) for k in mapping.channel.values)
        self.channel_hint = (
            f"mapped: {mapped}; or a channel name: " if mapped else "a channel name: "
        ) + ", ".join(c.value for c in Channel)
        self.status_hint = ", ".join(
            [*(quote(k) for k in mapping.status.values), *STATUSES] if mapping.status else ()
        )
        self.fallback_description = f"Imported from {mapping.system}"

    def _channel(self, cells: Mapping[str, str]) -> Channel:
        column = self.m.channel.column
        value = cells.get(column, "").strip() if column else ""
        if not value:
            if self.m.channel.default is None:
                assert column is not None  # a channel mapping has a column or a default
                raise BadCell(column, "", "is blank, and there is no default channel")
            return self.m.channel.default
        exact, folded = self.channels
        name = exact.get(value) or folded.get(value.casefold()) or value.casefold()
        channel = self.channel_names.get(name)
        if channel is None:
            assert column is not None
            raise BadCell(
                column, value, f"{quote(value)} is not a known channel ({self.channel_hint})"
            )
        return channel

    def _status(self, cells: Mapping[str, str]) -> tuple[str, str]:
        status = self.m.status
        if status is None:
            return OPEN, ""
        value = cells.get(status.column, "").strip()
        exact, folded = self.statuses
        found = exact.get(value) or folded.get(value.casefold())
        if found is None and value.casefold() in STATUSES:
            found = value.casefold()
        if found is None:
            shown = quote(value) if value else "a blank cell"
            raise BadCell(
                status.column, value, f"{shown} is not a known status ({self.status_hint})"
            )
        return found, value

    def _instant(
        self, reader: InstantReader, column: str, cells: Mapping[str, str]
    ) -> tuple[_dt.datetime, str]:
        text = required(cells, column)
        instant = reader(column, text)
        if instant > self.now:
            raise BadCell(column, text, f"{quote(text)} is in the future")
        return instant, text

    def _between(
        self,
        reader: InstantReader | None,
        column: TimeColumn | None,
        cells: Mapping[str, str],
        after: tuple[_dt.datetime, str, str],
        before: tuple[_dt.datetime, str, str] | None = None,
    ) -> _dt.datetime | None:
        """An optional instant, not before ``after`` nor after ``before``: (instant, text, column)
        of the cells they come from."""
        if reader is None or column is None or not cells.get(column.column, "").strip():
            return None
        instant, text = self._instant(reader, column.column, cells)
        for bound, earlier in ((after, True), (before, False)):
            if bound is None:
                continue
            limit, limit_text, limit_column = bound
            if (instant < limit) if earlier else (instant > limit):
                raise BadCell(
                    column.column,
                    text,
                    f"{quote(text)} is {'before' if earlier else 'after'} "
                    f"{quote(limit_text)} in column {quote(limit_column)}",
                )
        return instant

    def _outcome(
        self, cells: Mapping[str, str], status: str, status_text: str
    ) -> tuple[str, str] | None:
        """
        The decision of a closed record, and the text that gave it: its status if that names
        an outcome, else the outcome column.
        """
        if status in DECIDED:
            return status, status_text
        outcome = self.m.outcome
        if status != CLOSED or outcome is None:
            return None
        value = cells.get(outcome.column, "").strip()
        if not value:
            return None
        exact, folded = self.outcomes
        found = exact.get(value) or folded.get(value.casefold())
        if found is None and value.casefold() in DECIDED:
            found = value.casefold()
        if found is None:
            known = [*(quote(k) for k in outcome.values), *DECIDED]
            raise BadCell(
                outcome.column,
                value,
                f"{quote(value)} is not a known outcome ({', '.join(known)})",
            )
        return found, value

    def _satisfaction(self, cells: Mapping[str, str]) -> SatisfactionRecorded | None:
        column = self.m.satisfaction
        value = cells.get(column.column, "").strip() if column else ""
        if column is None or not value:
            return None
        if not value.isdigit() or not 1 <= int(value) <= column.scale:
            raise BadCell(
                column.column,
                value,
                f"{quote(value)} is not a satisfaction score (a whole number from 1 to "
                f"{column.scale})",
            )
        return SatisfactionRecorded(score=int(value), scale=column.scale)

    def _remedies(self, cells: Mapping[str, str], outcome: Outcome) -> tuple[Remedy, ...]:
        system = self.m.system
        remedy = self.m.remedy
        text = cells.get(remedy.amount, "").strip() if remedy else ""
        if remedy is not None and text:
            value = amount(remedy.amount, text)
            column = remedy.currency_column
            currency = required(cells, column) if column else remedy.currency or ""
            column = column or "currency"
            try:
                money = Money(amount=value, currency=currency)
            except ValidationError:
                raise BadCell(
                    column,
                    currency,
                    f"{quote(currency)} is not an ISO 4217 currency code (three capital letters)",
                ) from None
            description = f"Recorded in {system}" if remedy.kind is RemedyKind.OTHER else None
            return (Remedy(kind=remedy.kind, amount=money, description=description),)
        if outcome is Outcome.NOT_UPHELD:
            return ()
        return (Remedy(kind=RemedyKind.OTHER, description=f"Not recorded in {system}"),)

    def _classification(self, cells: Mapping[str, str]) -> Classification | None:
        m = self.m
        levels: tuple[str, ...] = tuple(v for c in m.category if (v := cells.get(c, "").strip()))
        if m.category_separator is not None:
            levels = tuple(
                part
                for level in levels
                for p in level.split(m.category_separator)
                if (part := p.strip())
            )
        product = cells.get(m.product, "").strip() if m.product else ""
        if not levels and not product:
            return None
        return Classification(category=levels or (product,), product=product or None)

    def __call__(self, _row: int, cells: Mapping[str, str]) -> ImportedRecord:
        m = self.m
        record_id = identifier(m.record_id, required(cells, m.record_id))
        received_at, received_text = self._instant(self.received, m.received_at.column, cells)
        received = (received_at, received_text, m.received_at.column)
        channel = self._channel(cells)
        status, status_text = self._status(cells)
        classification = self._classification(cells)
        description = cells.get(m.description, "").strip() if m.description else ""
        attributes = {key: v for c, key in m.attributes.items() if (v := cells.get(c, "").strip())}
        acknowledged_at = self._between(self.acknowledged, m.acknowledged_at, cells, received)
        cause = cells.get(m.root_cause, "").strip() if m.root_cause else ""
        ended_at = responded_at = decision = satisfaction = None
        if status != OPEN:
            # The mapping refuses a status column without a closing column.
            assert self.closed is not None
            assert m.closed_at is not None
            ended_at = self._between(self.closed, m.closed_at, cells, received)
            if ended_at is None:
                raise BadCell(m.closed_at.column, "", "is blank, and a value is required")
            ended = (ended_at, cells[m.closed_at.column].strip(), m.closed_at.column)
            found = self._outcome(cells, status, status_text)
            if found is not None:
                outcome = Outcome(found[0])
                reasons = cells.get(m.reasons, "").strip() if m.reasons else ""
                decision = Decision(
                    outcome=outcome,
                    reasons=reasons or f"Decided in {m.system} ({found[1]})",
                    remedies=self._remedies(cells, outcome),
                )
                responded_at = self._between(self.responded, m.responded_at, cells, received, ended)
            if status != WITHDRAWN:
                satisfaction = self._satisfaction(cells)
        return ImportedRecord(
            record_id=record_id,
            received_at=received_at,
            channel=channel,
            description=description
            or (classification.path if classification else self.fallback_description),
            attributes=attributes,
            classification=classification,
            acknowledged_at=acknowledged_at,
            ending=OPEN if status == OPEN else WITHDRAWN if status == WITHDRAWN else CLOSED,
            ended_at=ended_at,
            decision=decision,
            responded_at=responded_at,
            response_summary=f"Decision communicated in {m.system} ({status_text})",
            closing_note=f"{'Withdrawn' if status == WITHDRAWN else 'Closed'} in {m.system} "
            f"({status_text})"
            if status != OPEN
            else None,
            root_cause=RootCause(cause=cause) if cause else None,
            satisfaction=satisfaction,
        )


def _reader(column: TimeColumn | None) -> InstantReader | None:
    return InstantReader(column.format, check_zone(column.zone)) if column else None


def _complainant(system: str) -> Complainant:
    return Complainant(
        name=f"Complainant in {system}",
        contact=ContactDetails(address=f"Held in {system}; not imported"),
        preferred_contact=ContactMethod.LETTER,
    )


def _check_columns(rows: Rows, mapping: ColumnMapping, *, every: bool) -> None:
    """Every column the mapping reads (or, with ``every=False``, the required ones) is there."""
    if rows.columns is None:
        return
    wanted = mapping.columns()
    if not every:
        wanted = {f: c for f, c in wanted.items() if f in ("record_id", "received_at.column")}
    missing = [
        f"{quote(c)} (the mapping's {f})" for f, c in wanted.items() if c not in rows.columns
    ]
    if missing:
        where = "the header" if every else "the first record"
        # A CSV header without any of the mapped columns may be a record: its cells are data.
        real = not isinstance(rows, CsvRows) or len(missing) < len(wanted)
        raise ImportFileError(
            rows.name,
            f"{where} has no column {', '.join(missing)}{header_shown(rows.columns, real)}",
        )


def _run(
    store: EventStore,
    rows: Iterable[Row],
    mapping: ColumnMapping,
    *,
    clock: Clock | None,
    limit: int | None,
    batch_size: int,
    progress: Progress | None,
    fraction: Rows | None = None,
    workers: int = 1,
) -> ImportReport:
    now = (clock or SystemClock()).now()
    builder = HistoryBuilder(
        system=mapping.system,
        imported_at=now,
        timed=mapping.timed,
        complainant=_complainant(mapping.system),
    )
    return run_import(
        store,
        rows,
        _Parser(mapping, now),
        builder,
        id_column=mapping.record_id,
        batch_size=batch_size,
        limit=limit,
        progress=progress,
        fraction=fraction.fraction if fraction is not None else lambda: None,
        workers=workers,
    )


def _check(mapping: object, limit: object, batch_size: object, workers: object) -> None:
    if not isinstance(mapping, ColumnMapping):
        raise ValidationError("mapping", f"expected a ColumnMapping, got {type(mapping).__name__}")
    check_limit(limit)
    check_batch_size(batch_size)
    check_workers(workers)


def import_csv(
    store: EventStore,
    path: str | os.PathLike[str],
    mapping: ColumnMapping,
    *,
    clock: Clock | None = None,
    limit: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    workers: int = 1,
) -> ImportReport:
    """
    Import a CSV file with a header row into ``store``, reading each record with ``mapping``.

    Each record becomes one complaint with its past instants, marked as imported from
    ``mapping.system`` with the client key ``system:record_id``; a record already in the
    store is skipped. A bad record is reported in the result and the others go on.

    Args:
        clock: gives the import's instant (``source.imported_at``); the system clock if omitted.
        limit: read at most this many records.
        batch_size: complaints written per transaction.
        progress: told how far the import has got after every ``batch_size`` records.
        workers: processes that parse the records and build and prepare the complaints
            while this one writes them (1: all in this process); the result is the same.

    Raises:
        ImportFileError: the file is not UTF-8 text, or its header lacks a column the mapping
            names; nothing was written.
        ValidationError: ``limit``, ``batch_size`` or ``workers`` is not acceptable.
        StorageError: the store failed for every record of a batch; earlier batches stay.
        OSError: the file cannot be read.
    """
    _check(mapping, limit, batch_size, workers)
    with CsvRows(path) as rows:
        _check_columns(rows, mapping, every=True)
        return _run(
            store,
            rows,
            mapping,
            clock=clock,
            limit=limit,
            batch_size=batch_size,
            progress=progress,
            fraction=rows,
            workers=workers,
        )


def import_json(
    store: EventStore,
    path: str | os.PathLike[str],
    mapping: ColumnMapping,
    *,
    clock: Clock | None = None,
    limit: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    workers: int = 1,
) -> ImportReport:
    """
    Import a JSON file (an array of objects, or JSON Lines: one object per line) into
    ``store``, reading each object with ``mapping``; otherwise as :func:`import_csv`.

    Object values are read as text: strings as they are, numbers as written, ``true`` and
    ``false``, ``null`` as blank. A key the mapping names may be missing from an object (it
    is then blank), except that the first object must have the record id and received
    columns: their absence means the mapping does not fit the file.

    Raises:
        ImportFileError: the file is not UTF-8 text, is not JSON (an array that does not
            parse, or neither an array nor JSON Lines), or its first object lacks the record id
            or received column; nothing was written.
        ValidationError: ``limit``, ``batch_size`` or ``workers`` is not acceptable.
        StorageError: the store failed for every record of a batch; earlier batches stay.
        OSError: the file cannot be read.
    """
    _check(mapping, limit, batch_size, workers)
    with JsonRows(path) as rows:
        _check_columns(rows, mapping, every=False)
        return _run(
            store,
            rows,
            mapping,
            clock=clock,
            limit=limit,
            batch_size=batch_size,
            progress=progress,
            fraction=rows,
            workers=workers,
        )


_JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")


def import_file(
    store: EventStore,
    path: str | os.PathLike[str],
    mapping: ColumnMapping,
    *,
    clock: Clock | None = None,
    limit: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    workers: int = 1,
) -> ImportReport:
    """
    :func:`import_csv` for a file ending in ``.csv``, :func:`import_json` for one ending in
    ``.json``, ``.jsonl`` or ``.ndjson``.

    Raises:
        ImportFileError: the file name ends otherwise, or as the importer chosen.
        ValidationError, StorageError, OSError: as the importer chosen.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        importer = import_csv
    elif suffix in _JSON_SUFFIXES:
        importer = import_json
    else:
        raise ImportFileError(
            str(path),
            f"unknown file type {suffix or '(no suffix)'!r}: an export to import ends in .csv, "
            + ", ".join(_JSON_SUFFIXES),
        )
    return importer(
        store,
        path,
        mapping,
        clock=clock,
        limit=limit,
        batch_size=batch_size,
        progress=progress,
        workers=workers,
    )


def _numbered(records: Iterable[Mapping[str, object]]) -> Iterator[Row]:
    for index, record in enumerate(records):
        yield index, cells_of(index, record)


def import_rows(
    store: EventStore,
    rows: Iterable[Mapping[str, object]],
    mapping: ColumnMapping,
    *,
    clock: Clock | None = None,
    limit: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    workers: int = 1,
) -> ImportReport:
    """
    Import records given in Python (each a mapping of column to value, read like a JSON
    object's values) into ``store``; otherwise as :func:`import_csv`. Records are located by
    their index, from 0. ``rows`` is read once, lazily: a generator of a million records
    takes the memory of one batch.

    Raises:
        ValidationError: ``limit``, ``batch_size`` or ``workers`` is not acceptable.
        StorageError: the store failed for every record of a batch; earlier batches stay.
    """
    _check(mapping, limit, batch_size, workers)
    return _run(
        store,
        _numbered(rows),
        mapping,
        clock=clock,
        limit=limit,
        batch_size=batch_size,
        progress=progress,
        workers=workers,
    )
