"""
The SQL a KPI report runs on both SQL stores, and the reading of its rows into monitoring's
accumulators (:class:`~iso10002.monitoring._cohorts.Cohorts`): one :class:`KpiSql` per
dialect says what SQLite and PostgreSQL spell differently (placeholders, booleans, instants
as microseconds, the deadlines' JSON), the rest is written once.

Instants are compared with the fixed-width UTC text of the period's bounds: SQLite stores
that text, which orders as the instants do; PostgreSQL reads it as a ``timestamptz``.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import operator
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from iso10002.model.fact_row import utc
from iso10002.monitoring._cohorts import Cohorts, Durations

__all__ = ["LITE", "POSTGRES", "KpiSql", "SqlSelect", "chunks", "text"]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_CHUNK = 4096


@runtime_checkable
class SqlSelect(Protocol):
    """**Protocol:** a store that runs read-only ``SELECT`` statements for reports."""

    def select(
        self, sql: str, params: Sequence[object] | Mapping[str, object] = ()
    ) -> Iterable[tuple[Any, ...]]:
        """
        The rows of one read-only ``SELECT`` (named parameters given as a mapping), read
        before the next call.
        """
        ...


def text(us: int) -> str:
    """The stored UTC text of an instant given in microseconds since the Unix epoch."""
    return utc(_EPOCH + _dt.timedelta(microseconds=us), "bound")


def chunks(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    """``rows`` in lists of a few thousand: fed to C-level counting a list at a time."""
    it = iter(rows)
    while chunk := list(itertools.islice(it, _CHUNK)):
        yield chunk


class KpiSql:
    """What a report's SQL says differently on SQLite (``lite``) and PostgreSQL."""

    def __init__(self, *, lite: bool) -> None:
        self.lite = lite
        # Reports read most of the table: on SQLite a scan beats following an index.
        self.table = "complaints NOT INDEXED" if lite else "complaints"
        self.not_duplicate = (
            "closure_reason IS NOT 'duplicate'"
            if lite
            else "closure_reason IS DISTINCT FROM 'duplicate'"
        )
        self.not_withdrawn = "withdrawn = 0" if lite else "NOT withdrawn"
        s, e = self.mark("s"), self.mark("e")
        self.closed_in = f"closed_at >= {s} AND closed_at < {e} AND {self.not_duplicate}"
        """Closed (or withdrawn) in the period, duplicates left out."""
        # Both cohorts and the open counts: received before the end and not closed before
        # the start (a complaint closed in the period was received before its end).
        self.touched = f"received_at < {e} AND (closed_at IS NULL OR closed_at >= {s})"

    def mark(self, name: str) -> str:
        """The placeholder of the named parameter ``name``."""
        return f":{name}" if self.lite else f"%({name})s"

    def number(self, condition: str) -> str:
        """1 where ``condition`` holds, else 0 (it is never null)."""
        return f"({condition})" if self.lite else f"({condition})::integer"

    def total(self, expression: str) -> str:
        """The sum of ``expression`` over the group as an integer, 0 for none."""
        # PostgreSQL sums a bigint as numeric: cast back, so that Python reads an int.
        return f"CAST(coalesce(sum({expression}), 0) AS BIGINT)"

    def micros(self, column: str) -> str:
        """An instant column as whole microseconds since the Unix epoch, exactly."""
        if self.lite:
            seconds = f"CAST(strftime('%s', {column}) AS INTEGER)"
            return f"({seconds} * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER))"
        seconds = f"extract(epoch FROM date_trunc('second', {column}))::bigint"
        return f"({seconds} * 1000000 + mod(extract(microseconds FROM {column})::bigint, 1000000))"

    def flags(self, *conditions: str) -> str:
        """One number for several conditions (each never null): bit i for the i-th."""
        return " + ".join(f"{1 << i} * {self.number(x)}" for i, x in enumerate(conditions))

    def bucket(self, column: str, bounds: list[int]) -> str:
        """
        The index of the bucket holding ``column``: bucket ``i`` runs from ``bounds[i]`` to
        ``bounds[i + 1]``, the first also takes what is before it and the last what is after.
        The bounds are our own instants, not user text.

        The cases nest by halves, so that a row is compared with the logarithm of the number
        of buckets, not with each: a year by day measured five times faster.
        """
        if not bounds:
            return "NULL"
        cast = "" if self.lite else "::timestamptz"

        def index(first: int, last: int) -> str:
            if first == last:
                return str(first)
            middle = (first + last + 1) // 2
            return (
                f"CASE WHEN {column} < '{text(bounds[middle])}'{cast} "
                f"THEN {index(first, middle - 1)} ELSE {index(middle, last)} END"
            )

        return index(0, max(len(bounds) - 2, 0))

    def measured(
        self, cohort: str, start: str, end: str, stored: str, durations: Durations
    ) -> tuple[str, str]:
        """
        The columns of a duration of the rows in ``cohort`` (null elsewhere and when not
        measured), and the condition of a row in it that is not measured: with business time
        computed here, both instants; else the stored duration.
        """
        timed = "timed"  # an integer 0 or 1 on SQLite, a boolean on PostgreSQL
        if durations.calendar is not None:
            known = f"{cohort} AND {end} IS NOT NULL"
            columns = ", ".join(
                f"CASE WHEN {known} AND {timed} THEN {self.micros(x)} END" for x in (start, end)
            )
        else:
            known = f"{cohort} AND {stored} IS NOT NULL"
            columns = f"CASE WHEN {known} AND {timed} THEN {stored} END"
        return columns, f"{known} AND NOT {timed}"

    def sla(self) -> str:
        """
        Per deadline metric: met and breached in the period, and overdue at its end among the
        complaints open then (the reference pass's rules, :meth:`Cohorts._sla`).
        """
        s, e = self.mark("s"), self.mark("e")
        if self.lite:
            metric, due, done = (f"json_extract(j.value, '$[{i}]')" for i in range(3))
            each = "json_each(c.sla) AS j"
            table = "complaints AS c NOT INDEXED"
        else:
            metric = "j.value->>0"
            due, done = ("(j.value->>1)::timestamptz", "(j.value->>2)::timestamptz")
            each = "jsonb_array_elements(c.sla::jsonb) AS j(value)"
            table = "complaints AS c"
        return (
            f"SELECT {metric}, "
            f"{self.total(self.number(f'{done} >= {s} AND {done} < {e} AND {done} <= {due}'))}, "
            f"{self.total(self.number(f'{done} >= {s} AND {done} < {e} AND {done} > {due}'))}, "
            + self.total(
                self.number(
                    f"({done} IS NULL OR {done} >= {e}) AND {due} < {e} "
                    f"AND (c.closed_at IS NULL OR c.closed_at >= {e})"
                )
            )
            + f" FROM {table}, {each} "
            f"WHERE c.sla IS NOT NULL AND c.received_at < {e} "
            f"AND (c.closed_at IS NULL OR c.closed_at >= {s}) GROUP BY 1"
        )


LITE = KpiSql(lite=True)
"""SQLite's."""
POSTGRES = KpiSql(lite=False)
"""PostgreSQL's, for statements run with the store's schema as the search path."""


def width(durations: Durations) -> int:
    """How many columns :meth:`KpiSql.measured` gives for ``durations``."""
    return 1 if durations.calendar is None else 2


def add_measured(durations: Durations, measured: list[Any]) -> None:
    """The durations read by the columns of :meth:`KpiSql.measured`, nulls left out."""
    if durations.calendar is not None:
        durations.extend_spans([m for m in measured if m[0] is not None])
    else:
        durations.extend_elapsed([m for m in measured if m is not None])


def read(
    db: SqlSelect, sql: str, p: Mapping[str, object], keys: int, durations: Durations
) -> Counter[tuple[Any, ...]]:
    """
    The rows of ``sql``: its first ``keys`` columns counted, the duration columns after them
    (see :meth:`KpiSql.measured`) added to ``durations``.
    """
    groups: Counter[tuple[Any, ...]] = Counter()
    key = operator.itemgetter(slice(0, keys))
    duration = operator.itemgetter(*range(keys, keys + width(durations)))
    for chunk in chunks(db.select(sql, p)):
        groups.update(map(key, chunk))
        add_measured(durations, list(map(duration, chunk)))
    return groups


def add_responses(c: Cohorts, rows: list[tuple[Any, ...]], at: int, bucket: int) -> None:
    """
    The times to final response in ``rows``: the columns of :meth:`KpiSql.measured` from
    ``at`` (null on rows not measured), the bucket in column ``bucket``.
    """
    if c.final.calendar is not None:
        kept = [row for row in rows if row[at] is not None]
        c.final.extend_spans([(row[at], row[at + 1]) for row in kept])
        measured = [(row[bucket], row[at + 1] - row[at]) for row in kept]
    else:
        measured = [(row[bucket], row[at]) for row in rows if row[at] is not None]
        c.final.extend_elapsed([elapsed for _, elapsed in measured])
    if c.bounds:
        add = [trend.append for trend in c.trend_final]
        for index, elapsed in measured:
            add[index](elapsed)


def count_sla(c: Cohorts, db: SqlSelect, x: KpiSql, p: Mapping[str, object]) -> None:
    """The deadlines of the period (:meth:`KpiSql.sla`), added to ``c``."""
    for metric, met, breached, overdue in db.select(x.sla(), p):
        counts = c.sla.setdefault(metric, [0, 0, 0])
        counts[0] += met
        counts[1] += breached
        counts[2] += overdue
