"""
The flat rows the KPI pass reads: one tuple of plain values per complaint.

A row is built from a summary's facts; a store that implements :class:`FactRowSource`
(the SQLite store does) produces the rows in SQL instead, without building summary objects,
which is what lets a report read a million complaints in seconds. Instants are whole
microseconds since the Unix epoch, so that they compare and subtract exactly.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from iso10002.model.complaint import ComplaintSummary
from iso10002.storage._columns import sla_column
from iso10002.storage.base import ComplaintQuery, EventStore, iter_summaries

__all__ = ["FactRow", "FactRowSource", "fact_rows", "micros", "row_of"]

FactRow = tuple[
    int,  # 0 received (µs)
    "int | None",  # 1 closed or withdrawn (µs)
    "int | None",  # 2 acknowledged (µs)
    "int | None",  # 3 first response (µs)
    str,  # 4 channel
    "str | None",  # 5 category path
    "str | None",  # 6 product
    "str | None",  # 7 priority
    "str | None",  # 8 outcome
    "str | None",  # 9 closure reason
    int,  # 10 withdrawn (0/1)
    "str | None",  # 11 import source
    int,  # 12 timed (0/1)
    "str | None",  # 13 remedies, space-separated kinds
    "str | None",  # 14 redress, "CUR:amount" pairs
    int,  # 15 reopen count
    int,  # 16 internal reviews
    int,  # 17 referrals
    int,  # 18 first contact (0/1)
    "int | None",  # 19 satisfaction score
    "int | None",  # 20 satisfaction scale
    "str | None",  # 21 root cause
    "str | None",  # 22 root cause category
    "str | None",  # 23 timeliness outcomes, JSON [[metric, due, done or null], ...] in UTC text
]
"""One complaint as the KPI pass reads it; the comments give each position."""

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_MICRO = _dt.timedelta(microseconds=1)


def micros(at: _dt.datetime) -> int:
    """``at`` as whole microseconds since the Unix epoch."""
    return (at - _EPOCH) // _MICRO


def _micros_or_none(at: _dt.datetime | None) -> int | None:
    return None if at is None else micros(at)


def row_of(s: ComplaintSummary) -> FactRow:
    """The row of one summary: the reference semantics of every :class:`FactRowSource`."""
    f = s.facts
    return (
        micros(s.received_at),
        _micros_or_none(s.closed_at),
        _micros_or_none(s.acknowledged_at),
        _micros_or_none(f.first_response_at),
        s.channel.value,
        s.category,
        f.product,
        None if s.priority is None else s.priority.value,
        None if f.outcome is None else f.outcome.value,
        None if f.closure_reason is None else f.closure_reason.value,
        int(f.withdrawn),
        f.source,
        int(f.timed),
        " ".join(k.value for k in f.remedies) or None,
        " ".join(f"{m.currency}:{m.amount}" for m in f.redress) or None,
        f.reopen_count,
        f.internal_reviews,
        f.referrals,
        int(f.first_contact),
        f.satisfaction_score,
        f.satisfaction_scale,
        f.root_cause,
        f.root_cause_category,
        sla_column(f.sla),
    )


@runtime_checkable
class FactRowSource(Protocol):
    """**Protocol:** a store that produces :data:`FactRow` tuples itself, faster than summaries."""

    def iter_fact_rows(
        self, *, received_before: _dt.datetime, closed_since: _dt.datetime
    ) -> Iterator[FactRow]:
        """
        The row of every complaint received before ``received_before`` that is still open or
        was closed (or withdrawn) at or after ``closed_since``, in any order; each as
        :func:`row_of` would build it.
        """
        ...


def fact_rows(
    store: EventStore, *, received_before: _dt.datetime, closed_since: _dt.datetime
) -> Iterator[FactRow]:
    """The rows a report over ``[closed_since, received_before)`` needs, from any store."""
    if isinstance(store, FactRowSource):
        yield from store.iter_fact_rows(received_before=received_before, closed_since=closed_since)
        return
    since = micros(closed_since)
    for summary in iter_summaries(store, ComplaintQuery(received_to=received_before)):
        row = row_of(summary)
        closed = row[1]
        if closed is None or closed >= since:
            yield row
