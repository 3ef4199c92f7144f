"""
Trend buckets: a period cut into days, weeks, months or quarters of one time zone, and the
simple anomaly rule applied to a series of bucket counts.
"""

from __future__ import annotations

import datetime as _dt
import math
import statistics
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import attrs

__all__ = [
    "ANOMALY_HISTORY",
    "ANOMALY_MIN_HISTORY",
    "ANOMALY_SIGMAS",
    "AUTO",
    "BUCKETS",
    "Bucket",
    "anomalies",
    "auto_bucket",
    "buckets",
]

BUCKETS = ("day", "week", "month", "quarter")
"""The bucket sizes a trend can use."""

AUTO = "auto"
"""Not a size: asks :func:`auto_bucket` to choose one for the period."""

ANOMALY_HISTORY = 6
"""How many earlier buckets give a bucket's expected value."""
ANOMALY_MIN_HISTORY = 3
"""Fewer earlier full buckets than this, and a bucket is not judged."""
ANOMALY_SIGMAS = 3.0
"""How many standard deviations from expected make a value unusual."""


@attrs.frozen(kw_only=True)
class Bucket:
    """One bucket ``[start, end)``, clipped to the period; ``partial`` if clipped."""

    start: _dt.datetime
    end: _dt.datetime
    label: str
    partial: bool


def _floor(local: _dt.datetime, size: str) -> _dt.datetime:
    day = local.replace(hour=0, minute=0, second=0, microsecond=0, fold=0)
    if size == "week":
        return day - _dt.timedelta(days=day.weekday())
    if size == "month":
        return day.replace(day=1)
    if size == "quarter":
        return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
    return day


def _next(local: _dt.datetime, size: str) -> _dt.datetime:
    if size == "day":
        return local + _dt.timedelta(days=1)
    if size == "week":
        return local + _dt.timedelta(days=7)
    months = 1 if size == "month" else 3
    total = local.month - 1 + months
    return local.replace(year=local.year + total // 12, month=total % 12 + 1)


def _label(local: _dt.datetime, size: str) -> str:
    if size == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if size == "month":
        return f"{local.year}-{local.month:02d}"
    if size == "quarter":
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    return local.date().isoformat()


def _utc(local: _dt.datetime) -> _dt.datetime:
    # Wall-clock arithmetic in the zone, then the instant: midnight in a DST gap resolves
    # forward, as zoneinfo does for a nonexistent time with fold=0.
    return local.astimezone(_dt.timezone.utc)


def auto_bucket(start: _dt.datetime, end: _dt.datetime, zone: str) -> str:
    """
    The bucket ``auto`` stands for over ``[start, end)``, counted in days of ``zone``: a
    handful to a few dozen points in the trend. Days up to 14 days, weeks up to 120, months up
    to three years, then quarters. The command line's ``--bucket auto`` and
    ``compute_kpis(bucket="auto")`` both ask here.
    """
    tz = ZoneInfo(zone)
    days = (end.astimezone(tz).date() - start.astimezone(tz).date()).days
    if days <= 14:
        return "day"
    if days <= 120:
        return "week"
    if days <= 3 * 366:
        return "month"
    return "quarter"


def buckets(start: _dt.datetime, end: _dt.datetime, zone: str, size: str) -> tuple[Bucket, ...]:
    """The buckets of ``size`` covering ``[start, end)`` in ``zone``, the first and last clipped."""
    tz = ZoneInfo(zone)
    local = _floor(start.astimezone(tz), size).replace(tzinfo=None)
    result = []
    while True:
        lo = _utc(local.replace(tzinfo=tz))
        if lo >= end:
            break
        following = _next(local, size)
        hi = _utc(following.replace(tzinfo=tz))
        result.append(
            Bucket(
                start=max(lo, start),
                end=min(hi, end),
                label=_label(local, size),
                partial=lo < start or hi > end,
            )
        )
        local = following
    return tuple(result)


def anomalies(values: Sequence[float], partial: Sequence[bool]) -> list[str | None]:
    """
    For each value: ``"above"``, ``"below"`` or ``None``.

    A full bucket is unusual when it lies more than :data:`ANOMALY_SIGMAS` standard deviations
    from the mean of up to :data:`ANOMALY_HISTORY` earlier full buckets (at least
    :data:`ANOMALY_MIN_HISTORY`). The deviation is at least that of a Poisson count with that
    mean, and at least 1, so a flat series does not flag every small wobble. Partial buckets
    are neither judged nor used as history.
    """
    flags: list[str | None] = []
    history: list[float] = []
    for value, cut in zip(values, partial, strict=True):
        flag = None
        if not cut and len(history) >= ANOMALY_MIN_HISTORY:
            recent = history[-ANOMALY_HISTORY:]
            expected = statistics.fmean(recent)
            sigma = max(statistics.pstdev(recent), math.sqrt(expected), 1.0)
            if value > expected + ANOMALY_SIGMAS * sigma:
                flag = "above"
            elif value < expected - ANOMALY_SIGMAS * sigma:
                flag = "below"
        flags.append(flag)
        if not cut:
            history.append(value)
    return flags
