"""
Importing with worker processes: the workers parse the records and build and prepare each
complaint's history; this process writes the complaints, in the order of the input.

What a worker does for a record is what :func:`~iso10002.importing.writer.run_import` does
in one process before it writes (:func:`~iso10002.importing.writer.parsed`,
:meth:`HistoryBuilder.build <iso10002.importing.history.HistoryBuilder.build>` with the
events sealed, encoded and their hashed bytes made). This process takes the outcomes in the
input's order and decides as the one-process import decides: a record whose client key is
taken is skipped (so the store is asked in the same order, after the same batches), a record
that could not be built is reported, and the others are written in batches, each in one
transaction, with their links in the log's chain. So the stored complaints, events and
reports are those of the one-process import, but for the random salts and complaint ids.

Workers are forked: they start at once with the importer's parser and builder, and nothing
has to be pickled but rows and outcomes. Where processes cannot be forked safely (Windows,
macOS), :func:`can_fork` is false and the import runs in one process.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor

from iso10002.importing.history import HistoryBuilder, client_key
from iso10002.importing.report import RowError
from iso10002.importing.sources import Row
from iso10002.importing.writer import UNBUILDABLE, Parse, Progress, Run, built, parsed
from iso10002.ports.store import BulkLoadStore

__all__ = ["CHUNK", "can_fork", "read_in_workers"]

CHUNK = 100
"""Records sent to a worker at a time."""
_AHEAD = 3
"""Chunks in flight per worker: enough to keep every worker busy while this one writes."""

# An outcome: a parse error; or (row, record id, client key, what the store writes of the
# complaint, or the reason it could not be built).
_Outcome = RowError | tuple[int, str, str, object]

_parse: Parse | None = None
_builder: HistoryBuilder | None = None
_id_column: str | None = None
_bulk: BulkLoadStore | None = None


def can_fork() -> bool:
    """Whether worker processes can be forked safely here (Linux and the like)."""
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def _start(
    parse: Parse, builder: HistoryBuilder, id_column: str | None, bulk: BulkLoadStore | None
) -> None:
    global _parse, _builder, _id_column, _bulk  # the worker's own state
    _parse, _builder, _id_column, _bulk = parse, builder, id_column, bulk


def _work(chunk: list[tuple[int, Mapping[str, str]]]) -> list[_Outcome]:
    """What each record of ``chunk`` becomes, in order (in a worker)."""
    builder, parse = _builder, _parse
    if builder is None or parse is None:  # pragma: no cover - set by _start
        raise RuntimeError("an import worker was not started")
    out: list[_Outcome] = []
    for row, cells in chunk:
        record = parsed(row, cells, parse, _id_column)
        if isinstance(record, RowError):
            out.append(record)
            continue
        key = client_key(builder.system, record.record_id)
        item: object
        try:
            item = built(builder, _bulk, record)
        except UNBUILDABLE as e:
            item = str(e)
        out.append((row, record.record_id, key, item))
    return out


def _take(run: Run, outcomes: list[_Outcome]) -> None:
    """Decide on each outcome as the one-process import decides on each record."""
    run.look_up([outcome[2] for outcome in outcomes if not isinstance(outcome, RowError)])
    for outcome in outcomes:
        if isinstance(outcome, RowError):
            run.failed.append(outcome)
            continue
        row, record_id, key, item = outcome
        if run.taken(key):
            continue
        if isinstance(item, str):
            run.fail(row, record_id, None, None, item)
        else:
            run.write(row, record_id, key, item)


def read_in_workers(
    run: Run,
    rows: Iterable[Row],
    parse: Parse,
    *,
    id_column: str | None,
    limit: int | None,
    progress: Progress | None,
    fraction: Callable[[], float | None],
    workers: int,
) -> None:
    """
    Read ``rows`` into ``run`` with ``workers`` processes; the last batch is left pending.

    Progress is told after every batch of records read, with the counts of the records
    written so far (the workers are a few chunks ahead).
    """
    context = multiprocessing.get_context("fork")
    in_flight: deque[Future[list[_Outcome]]] = deque()
    chunk: list[tuple[int, Mapping[str, str]]] = []
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start,
        initargs=(parse, run.builder, id_column, run.bulk),
    ) as pool:
        try:
            for row, cells in run.readable(rows, limit=limit, progress=progress, fraction=fraction):
                chunk.append((row, cells))
                if len(chunk) >= CHUNK:
                    in_flight.append(pool.submit(_work, chunk))
                    chunk = []
                    while len(in_flight) >= _AHEAD * workers:
                        _take(run, in_flight.popleft().result())
            if chunk:
                in_flight.append(pool.submit(_work, chunk))
            while in_flight:
                _take(run, in_flight.popleft().result())
        except BaseException:
            for future in in_flight:
                future.cancel()
            raise
