"""
Words for a reader: a KPI report's numbers with their units, names of machine keys, the
period and its buckets.

Each number carries its unit (``412 complaints``, ``120.5 hours``, ``47.4%``); shares are
shown as percentages; a figure with nothing to measure reads ``no data``.
"""

from __future__ import annotations

import datetime as _dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from iso10002.model.values import Money
from iso10002.monitoring._numbers import format_number
from iso10002.monitoring.report import Period, Rate

__all__ = [
    "KPI_LABELS",
    "NOT_MEASURED",
    "NO_DATA",
    "STAGES",
    "bucket_name",
    "count",
    "hours",
    "kpi_label",
    "local_time",
    "money",
    "name",
    "percent",
    "period_text",
    "rate",
    "share",
    "value_of",
]

NO_DATA = "no data"
"""What a figure with nothing to measure shows."""

NOT_MEASURED = "not measured"
"""What a figure shows when there were complaints but their data cannot support it (imported
with dates only); the reason is given beside it."""

KPI_LABELS: dict[str, tuple[str, str]] = {
    "received": ("Complaints received", "count"),
    "closed": ("Complaints closed", "count"),
    "withdrawn": ("Complaints withdrawn", "count"),
    "duplicates": ("Closed as duplicates", "count"),
    "open_at_start": ("Open at the start of the period", "count"),
    "open_at_end": ("Open at the end of the period", "count"),
    "upheld_rate": ("Upheld (fully or partly)", "share"),
    "median_acknowledge_hours": ("Median time to acknowledge", "hours"),
    "median_final_response_hours": ("Median time to final response", "hours"),
    "p90_final_response_hours": ("90% answered within", "hours"),
    "sla_met_share": ("Deadlines met", "share"),
    "satisfaction_mean_percent": ("Satisfaction (average score)", "percent"),
    "satisfied_rate": ("Satisfied customers", "share"),
    "first_contact_resolution": ("Resolved at first contact", "share"),
    "reopened": ("Reopened after closing", "share"),
    "internal_review": ("Internal review asked for", "share"),
    "external_referral": ("Referred to an outside body", "share"),
    "per_1000_customers": ("Complaints per 1,000 customers", "number"),
}
"""
How each comparison KPI (:attr:`~iso10002.monitoring.report.Change.kpi`) is named for a
reader, and its kind: ``count`` (complaints), ``hours``, ``share`` (a fraction, shown as a
percentage), ``percent`` (already a percentage) or ``number``. Other KPIs are named from their
key and their kind guessed from it (``..._rate``, ``..._share``: share; ``percent``: percent;
``median``, ``mean``, ``p90``, ``hours``: hours).
"""


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_BUCKETS = {"day": "Day", "week": "Week", "month": "Month", "quarter": "Quarter"}
STAGES = {"acknowledge": "Acknowledgement", "final_response": "Final response"}
"""The timeliness stages of a report, by key, as a reader names them."""

_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
_SINGULAR = {"complaints": "complaint", "hours": "hour", "responses": "response"}


def name(key: str) -> str:
    """A machine key as words (``web_form`` -> ``Web form``); other text stays as it is."""
    if _IDENTIFIER.fullmatch(key):
        return key.replace("_", " ").capitalize()
    return key


def count(value: float | None, unit: str = "complaints") -> str:
    """``1,234 complaints``; ``1 complaint``; ``no data``."""
    if value is None:
        return NO_DATA
    if value == 1:
        unit = _SINGULAR.get(unit, unit)
    return f"{format_number(value)} {unit}".rstrip()


def hours(value: float | None) -> str:
    """``120.5 hours``, with days from two days on: ``120.5 hours (5.0 days)``."""
    if value is None:
        return NO_DATA
    text = f"{format_number(value, 1)} hours"
    if value >= 48:
        text += f" ({format_number(value / 24, 1)} days)"
    return text


def share(fraction: float | None) -> str:
    """A fraction from 0 to 1 as a percentage with one decimal: ``47.4%``."""
    return NO_DATA if fraction is None else f"{format_number(fraction * 100, 1)}%"


def percent(value: float | None) -> str:
    """A value that already is a percentage: ``71.4%``."""
    return NO_DATA if value is None else f"{format_number(value, 1)}%"


def rate(r: Rate, of: str = "") -> str:
    """``47.4% (180 of 380 decided)``; ``no data`` when nothing was counted."""
    if r.value is None:
        return NO_DATA
    return f"{share(r.value)} ({format_number(r.numerator)} of {format_number(r.denominator)}{of})"


def money(m: Money) -> str:
    """``12,345.67 GBP``: every digit of the amount kept."""
    return f"{m.amount:,f} {m.currency}"


def value_of(value: float | None, kind: str) -> str:
    """A KPI value in its kind's words (see :data:`KPI_LABELS`)."""
    if kind == "count":
        return count(value)
    if kind == "hours":
        return hours(value)
    if kind == "share":
        return share(value)
    if kind == "percent":
        return percent(value)
    return NO_DATA if value is None else format(value, ",")


def kpi_label(kpi: str) -> tuple[str, str]:
    """The reader's name of a comparison KPI and its kind."""
    if kpi in KPI_LABELS:
        return KPI_LABELS[kpi]
    kind = "count"
    if kpi.endswith(("_rate", "_share")) or "share" in kpi:
        kind = "share"
    elif "percent" in kpi:
        kind = "percent"
    elif any(word in kpi for word in ("median", "mean", "p90", "hours")):
        kind = "hours"
    return name(kpi), kind


def _day(d: _dt.date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _zone(key: str) -> _dt.tzinfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return _dt.timezone.utc


def local_time(instant: _dt.datetime, zone: str) -> str:
    """An instant in ``zone``: the date alone at midnight, otherwise date and minutes."""
    local = instant.astimezone(_zone(zone))
    if local.time() == _dt.time():
        return local.date().isoformat()
    return f"{local:%Y-%m-%d %H:%M}"


def period_text(p: Period) -> str:
    """
    ``1 January 2026 to 31 March 2026`` when the period is whole days in its zone (the end
    is exclusive, so the last day shown is the one before it); otherwise local times.
    """
    tz = _zone(p.zone)
    start, end = p.start.astimezone(tz), p.end.astimezone(tz)
    if start.time() == _dt.time() and end.time() == _dt.time():
        last = end.date() - _dt.timedelta(days=1)
        if last <= start.date():
            return _day(start.date())
        return f"{_day(start.date())} to {_day(last)}"
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} (end not included)"


def bucket_name(period: Period) -> str:
    """The period's trend bucket as a word: ``Week``; an unknown bucket from its key."""
    return _BUCKETS.get(period.bucket, name(period.bucket))
