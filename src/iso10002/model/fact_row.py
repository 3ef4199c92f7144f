"""
The flat rows a KPI report reads (:data:`FactRow`, one tuple of plain values per complaint),
and the text forms its columns share with the SQL stores.

A row is built from a summary's facts (:func:`row_of`, the reference semantics); a store that
is a fast :class:`~iso10002.ports.kpi.KpiSource` produces the same rows in SQL. Instants are
whole microseconds since the Unix epoch, so that they compare and subtract exactly; instants
kept as text are fixed-width UTC ISO 8601, which sorts as the instants do.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from decimal import Decimal

from iso10002.errors import ValidationError
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.facts import MetricOutcome
from iso10002.model.values import Money

__all__ = [
    "FactRow",
    "micros",
    "parse_redress",
    "row_of",
    "sla_column",
    "utc",
    "utc_or_none",
    "utc_text",
]

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
    """The row of one summary: the reference semantics of every KPI source."""
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


_UTC_TEXTS: dict[tuple[_dt.datetime, int], str] = {}
"""The UTC text of the instants met lately, by instant and fold: an import's dates repeat (a
CFPB export has one midnight per day, written some 15 times per complaint)."""
_UTC_TEXTS_KEPT = 4096


def utc_text(value: _dt.datetime) -> str:
    """
    An aware datetime as fixed-width UTC text (microseconds), which sorts as the instants do.

    Raises:
        OverflowError: the instant is out of range in UTC.
    """
    # Equal aware datetimes are the same instant, but for the fold, which two datetimes of
    # one zone may differ by and still be equal: it is part of the key. A naive datetime
    # reads the process's zone, which may change, and a subclass may write itself otherwise.
    plain = type(value) is _dt.datetime
    key = (value, value.fold)
    if plain:
        found = _UTC_TEXTS.get(key)
        if found is not None:
            return found
    found = value.astimezone(_dt.timezone.utc).isoformat(timespec="microseconds")
    if plain and value.utcoffset() is not None:
        if len(_UTC_TEXTS) >= _UTC_TEXTS_KEPT:
            _UTC_TEXTS.clear()
        _UTC_TEXTS[key] = found
    return found


def utc(value: _dt.datetime, field: str) -> str:
    """An aware datetime as fixed-width UTC text (:func:`utc_text`); ``field`` is named if
    it is out of range in UTC."""
    try:
        return utc_text(value)
    except OverflowError:
        raise ValidationError(field, f"{value.isoformat()} is out of range in UTC") from None


def utc_or_none(value: _dt.datetime | None, field: str) -> str | None:
    """:func:`utc`, passing ``None`` through."""
    return None if value is None else utc(value, field)


def sla_column(outcomes: Sequence[MetricOutcome]) -> str | None:
    """Timeliness outcomes as compact JSON ``[[metric, due, done or null], ...]``, UTC text."""
    if not outcomes:
        return None
    return json.dumps(
        [[m.metric, utc(m.due_at, "due_at"), utc_or_none(m.done_at, "done_at")] for m in outcomes],
        separators=(",", ":"),
    )


def parse_redress(text: str) -> tuple[Money, ...]:
    """The redress column's ``CUR:amount`` pairs."""
    moneys = []
    for part in text.split():
        currency, _, amount = part.partition(":")
        moneys.append(Money(amount=Decimal(amount), currency=currency))
    return tuple(moneys)
