"""
What a SQL store remembers of the summaries it wrote, and what changed since; shared by the
SQLite and PostgreSQL stores.

A store remembers, per complaint, the version it last wrote, the summary and the column values
it wrote then (:data:`Known`). A version is written once, so if the row's version is still the
one remembered, the row holds those values: an update expecting that version sets only the
columns whose values differ (:meth:`Columns.changed`), and formats only the fields that are not
the very objects it formatted then (:func:`values_since`). Where the store remembers another version
(another process or store wrote the complaint since, or an append of this one failed), it sets
every column; the version check refuses an update whose expected version is not the row's, so
a stale memory never writes stale values. What rewrites a row at the same version (a repair)
makes the store forget the complaint.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Hashable, Iterable, Sequence
from enum import Enum
from itertools import compress
from operator import itemgetter, ne
from typing import TypeVar

from iso10002.model.complaint import ComplaintSummary
from iso10002.model.fact_row import sla_column, utc, utc_or_none
from iso10002.model.facts import ComplaintFacts
from iso10002.ports.store import Append
from iso10002.storage._sql.columns import FACT_COLUMNS

__all__ = [
    "FACTS_END",
    "WRITTEN_CACHE_SIZE",
    "Columns",
    "Known",
    "remember",
    "values_since",
]

Known = tuple[int, ComplaintSummary, tuple[object, ...]]
"""What a store remembers of a complaint it wrote: the version, the summary, its values."""

WRITTEN_CACHE_SIZE = 10_000
"""Complaints whose last written values a store remembers; past it, it forgets them all."""

FACTS_END = 14 + len(FACT_COLUMNS)
"""Where the facts end in a summary's values (version first, the organisation last)."""

K = TypeVar("K", bound=Hashable)


class Columns:
    """
    The columns an update sets only when their values changed: their names and where their
    values are in a summary's values (version first, as :func:`values_since` gives them).
    """

    __slots__ = ("_get", "names")

    def __init__(self, columns: Sequence[tuple[str, int]]) -> None:
        if len(columns) < 2:  # itemgetter of one index gives the value, not a tuple
            raise ValueError("at least two columns")
        self.names = tuple(name for name, _ in columns)
        self._get = itemgetter(*(i for _, i in columns))

    def changed(
        self, values: Sequence[object], known: Known | None, expected: int
    ) -> tuple[str, ...]:
        """
        The names of the columns whose value in ``values`` differs from the one ``known``
        holds, if ``known`` is of the ``expected`` version (the row's, if the update matches
        it); else every name.
        """
        if known is None or known[0] != expected:
            return self.names
        return tuple(compress(self.names, map(ne, self._get(values), self._get(known[2]))))


def remember(
    cache: dict[K, Known], written: Iterable[tuple[K, Append, tuple[object, ...]]]
) -> None:
    """
    Note in ``cache`` what was written for each complaint, once the transaction that wrote it
    has committed: the version its append ends at, the summary and its values. The cache is
    emptied first once it holds more than :data:`WRITTEN_CACHE_SIZE` complaints.
    """
    if len(cache) > WRITTEN_CACHE_SIZE:
        cache.clear()
    for key, a, values in written:
        cache[key] = (a.events[-1].seq, a.summary, values)


def values_since(
    s: ComplaintSummary, known: Known, flag: Callable[[bool], object]
) -> tuple[object, ...]:
    """
    The summary's column values from ``version`` on, in table order, the organisation last,
    formatting only what changed since ``known``; a flag is ``flag(value)`` (the store's
    integer or boolean).

    A field that is the very object ``known``'s summary held (the fold and the facts carry
    unchanged values forward as they are) keeps the value formatted then: the objects are
    immutable and kept alive by ``known``, so the same object formats the same way. Equal to
    the values formatted anew whatever ``known`` holds (the property tests check it).
    """
    o, was = known[1], known[2]
    f, g = s.facts, o.facts
    return (
        s.version,
        s.state,
        flag(s.is_open),
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
        *(was[14:FACTS_END] if f is g else _facts_since(f, g, was, flag)),
        s.organisation,
    )


def _value_or_none(member: Enum | None) -> object:
    return None if member is None else member.value


def _facts_since(
    f: ComplaintFacts, g: ComplaintFacts, was: tuple[object, ...], flag: Callable[[bool], object]
) -> tuple[object, ...]:
    """The facts' values of ``f``, keeping ``was``'s formatting of the very objects of ``g``."""
    return (
        f.product,
        f.source,
        flag(f.timed),
        was[17]
        if f.first_response_at is g.first_response_at
        else utc_or_none(f.first_response_at, "first_response_at"),
        was[18] if f.acknowledge_time is g.acknowledge_time else _span(f.acknowledge_time),
        was[19] if f.first_response_time is g.first_response_time else _span(f.first_response_time),
        was[20] if f.outcome is g.outcome else _value_or_none(f.outcome),
        was[21] if f.closure_reason is g.closure_reason else _value_or_none(f.closure_reason),
        flag(f.withdrawn),
        was[23] if f.remedies is g.remedies else " ".join(k.value for k in f.remedies) or None,
        was[24]
        if f.redress is g.redress
        else " ".join(f"{m.currency}:{m.amount}" for m in f.redress) or None,
        f.reopen_count,
        f.internal_reviews,
        f.referrals,
        flag(f.first_contact),
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
