"""
KPIs of complaints handling over a period (ISO 10002 8.2 to 8.4), in one pass.

:func:`compute_kpis` reads each complaint's monitoring facts once, as a flat row
(:mod:`iso10002.storage.fact_rows`), and keeps only counters and, for the median and 90th
percentile, one number (8 bytes) per measured duration. Every figure's cohort and counting
rule is listed in :data:`RULES` and in the monitoring guide.
"""

from __future__ import annotations

import array
import bisect
import datetime as _dt
import json
import math
from collections.abc import Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

from iso10002.clock import Clock, SystemClock
from iso10002.errors import ValidationError
from iso10002.model.values import Money
from iso10002.monitoring.buckets import BUCKETS, anomalies, buckets
from iso10002.monitoring.report import (
    Breakdown,
    Change,
    Count,
    DurationStats,
    KpiReport,
    Outcomes,
    ParetoEntry,
    Period,
    Rate,
    Rates,
    RootCauses,
    Satisfaction,
    SlaShare,
    Timeliness,
    TrendPoint,
    Volume,
)
from iso10002.sla.calendar import BusinessCalendar
from iso10002.storage._columns import parse_redress
from iso10002.storage.base import EventStore
from iso10002.storage.fact_rows import FactRow, fact_rows, micros

__all__ = ["RULES", "compute_kpis", "kpis_from_rows"]

RULES: tuple[str, ...] = (
    (
        "The period runs from its start (included) to its end (excluded); the previous period is "
        "the one of the same length just before it."
    ),
    (
        "Received: complaints received in the period, except those closed as duplicates, which "
        "are counted apart. Imported complaints count, and are also counted apart."
    ),
    (
        "Closed: complaints closed in the period, except withdrawn complaints and duplicates. "
        "Outcomes, rates, remedies, root causes, satisfaction and time to final response are "
        "about these complaints."
    ),
    (
        "Withdrawn: complaints withdrawn in the period; they are neither closed nor decided, "
        "and are left out of outcomes, rates and timeliness."
    ),
    (
        "Open at an instant: received before it and not closed or withdrawn before it; a "
        "complaint closed, then reopened and still open, counts as open from its receipt. "
        "Duplicates are never open."
    ),
    "Imported open: imported complaints that their source left open.",
    "Upheld rate: upheld and partially upheld decisions over all decisions.",
    (
        "Time to acknowledge: from receipt to the first acknowledgement, for complaints received "
        "in the period. Time to final response: from receipt to the first communicated decision, "
        "for complaints closed in the period. Imported complaints whose source gives only dates "
        "are not measured, and are counted as such."
    ),
    "Median: of an even count, the mean of the two middle values. 90th percentile: nearest rank.",
    (
        "Timeliness metrics: a clock that stopped in the period is met if it stopped by its "
        "deadline; clocks still running at the end of the period past their deadline are "
        "overdue."
    ),
    (
        "First-contact resolution: resolved, with a decision communicated within 24 hours of "
        "receipt, no investigation, internal review, referral or reopening."
    ),
    (
        "Reopened, internal review, external referral: closed complaints that were reopened, "
        "reviewed or referred at least once."
    ),
    (
        "Satisfaction: the last score recorded for each closed complaint, as a share of its "
        "scale; satisfied means at least 75 % of the scale (4 or 5 of 5)."
    ),
    (
        "Root causes: a cause seen in at least the recurrence threshold of closed complaints in "
        "the period is recurring (systemic); others are single incidents."
    ),
    (
        "Trend anomalies: a full bucket more than 3 standard deviations (at least those of a "
        "Poisson count) from the mean of up to 6 earlier full buckets; partial buckets are not "
        "judged."
    ),
)
"""The counting rules of every figure, as the report states them."""

_HOUR = 3_600_000_000
_UPHELD = ("upheld", "partially_upheld")
_NONE = {"channel": "(none)", "category": "unclassified", "product": "unspecified"}
_NO_PRIORITY = "not assessed"


class _Durations:
    """One duration's values in µs, calendar and (with a calendar) business time."""

    def __init__(self, calendar: BusinessCalendar | None) -> None:
        self.calendar = calendar
        self.elapsed = array.array("q")
        self.business = array.array("q")
        self.not_measured = 0

    def add(self, start: int, end: int, timed: int) -> int | None:
        if not timed:
            self.not_measured += 1
            return None
        self.elapsed.append(end - start)
        if self.calendar is not None:
            self.business.append(self.calendar.between_micros(start, end))
        return end - start

    def stats(self) -> tuple[DurationStats, ...]:
        found = [_stats("calendar", self.elapsed, self.not_measured)]
        if self.calendar is not None:
            found.append(_stats("business", self.business, self.not_measured))
        return tuple(found)


def _hours(us: float) -> float:
    return round(us / _HOUR, 3)


def _median(ordered: list[int]) -> float | None:
    n = len(ordered)
    if not n:
        return None
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _stats(measure: str, values: array.array[int], not_measured: int) -> DurationStats:
    ordered = sorted(values)
    n = len(ordered)
    median = _median(ordered)
    return DurationStats(
        measure=measure,
        count=n,
        mean=_hours(sum(ordered) / n) if n else None,
        median=None if median is None else _hours(median),
        p90=_hours(ordered[math.ceil(0.9 * n) - 1]) if n else None,
        not_measured=not_measured,
    )


class _Cohorts:
    """The accumulators of one period: everything the report counts, fed row by row."""

    def __init__(
        self,
        start: _dt.datetime,
        end: _dt.datetime,
        calendar: BusinessCalendar | None,
        bounds: list[int],
    ) -> None:
        self.start, self.end = micros(start), micros(end)
        self.bounds = bounds
        self.received = self.closed = self.withdrawn = self.duplicates = 0
        self.open_start = self.open_end = self.imported = self.imported_open = 0
        self.dims: tuple[dict[str, list[int]], ...] = ({}, {}, {}, {})
        self.outcomes = {"upheld": 0, "partially_upheld": 0, "not_upheld": 0}
        self.remedies: dict[str, int] = {}
        self.redress: dict[str, Decimal] = {}
        self.first_contact = self.reopened = self.reviewed = self.referred = 0
        self.scores: list[float] = []
        self.causes: dict[tuple[str | None, str], int] = {}
        self.unrecorded = 0
        self.sla: dict[str, list[int]] = {}
        self.ack = _Durations(calendar)
        self.final = _Durations(calendar)
        n = max(len(bounds) - 1, 0)
        self.trend_received = [0] * n
        self.trend_closed = [0] * n
        self.trend_upheld = [0] * n
        self.trend_decided = [0] * n
        self.trend_final: list[list[int]] = [[] for _ in range(n)]

    def _bucket(self, at: int) -> int:
        return bisect.bisect_right(self.bounds, at) - 1

    def add(self, row: FactRow) -> None:  # noqa: PLR0912 - the hot loop, kept flat
        (
            received,
            closed,
            acknowledged,
            responded,
            channel,
            category,
            product,
            priority,
            outcome,
            reason,
            withdrawn,
            source,
            timed,
            remedies,
            redress,
            reopens,
            reviews,
            referrals,
            first_contact,
            score,
            scale,
            cause,
            cause_category,
            sla,
        ) = row
        start, end = self.start, self.end
        if received >= end:
            return
        duplicate = reason == "duplicate"
        if not duplicate:
            if closed is None or closed >= end:
                self.open_end += 1
                if source is not None:
                    self.imported_open += 1
            if received < start and (closed is None or closed >= start):
                self.open_start += 1
        keys = (
            channel,
            category or _NONE["category"],
            product or _NONE["product"],
            priority or _NO_PRIORITY,
        )
        if received >= start:
            if duplicate:
                self.duplicates += 1
            else:
                self.received += 1
                if source is not None:
                    self.imported += 1
                for dim, key in zip(self.dims, keys, strict=True):
                    counts = dim.get(key)
                    if counts is None:
                        counts = dim[key] = [0, 0, 0]
                    counts[0] += 1
                if self.bounds:
                    self.trend_received[self._bucket(received)] += 1
                if acknowledged is not None:
                    self.ack.add(received, acknowledged, timed)
        if closed is not None and start <= closed < end and not duplicate:
            if withdrawn:
                self.withdrawn += 1
            else:
                self._closed(
                    keys,
                    closed=closed,
                    received=received,
                    responded=responded,
                    outcome=outcome,
                    timed=timed,
                )
                self.first_contact += first_contact
                self.reopened += reopens > 0
                self.reviewed += reviews > 0
                self.referred += referrals > 0
                if remedies is not None:
                    for kind in remedies.split():
                        self.remedies[kind] = self.remedies.get(kind, 0) + 1
                if redress is not None:
                    for money in parse_redress(redress):
                        held = self.redress.get(money.currency, Decimal(0))
                        self.redress[money.currency] = held + money.amount
                if score is not None and scale is not None:
                    self.scores.append((score - 1) / (scale - 1))
                if cause is not None:
                    found = (cause_category, cause)
                    self.causes[found] = self.causes.get(found, 0) + 1
                else:
                    self.unrecorded += 1
        if sla is not None:
            self._sla(sla, closed)

    def _closed(
        self,
        keys: tuple[str, ...],
        *,
        closed: int,
        received: int,
        responded: int | None,
        outcome: str | None,
        timed: int,
    ) -> None:
        self.closed += 1
        upheld = outcome in _UPHELD
        for dim, key in zip(self.dims, keys, strict=True):
            counts = dim.get(key)
            if counts is None:
                counts = dim[key] = [0, 0, 0]
            counts[1] += 1
            counts[2] += upheld
        if outcome is not None:
            self.outcomes[outcome] += 1
        duration = None if responded is None else self.final.add(received, responded, timed)
        if self.bounds:
            b = self._bucket(closed)
            self.trend_closed[b] += 1
            if outcome is not None:
                self.trend_decided[b] += 1
                self.trend_upheld[b] += upheld
            if duration is not None:
                self.trend_final[b].append(duration)

    def _sla(self, text: str, closed: int | None) -> None:
        start, end = self.start, self.end
        for metric, due_text, done_text in json.loads(text):
            due = micros(_dt.datetime.fromisoformat(due_text))
            done = None if done_text is None else micros(_dt.datetime.fromisoformat(done_text))
            counts = self.sla.get(metric)
            if counts is None:
                counts = self.sla[metric] = [0, 0, 0]  # met, breached, overdue open
            if done is not None and start <= done < end:
                counts[0 if done <= due else 1] += 1
            elif (done is None or done >= end) and due < end and (closed is None or closed >= end):
                counts[2] += 1

    # -- results ----------------------------------------------------------------------------

    def volume(self) -> Volume:
        return Volume(
            received=self.received,
            closed=self.closed,
            withdrawn=self.withdrawn,
            duplicates=self.duplicates,
            open_at_start=self.open_start,
            open_at_end=self.open_end,
            imported=self.imported,
            imported_open=self.imported_open,
        )

    def breakdown(self, index: int) -> tuple[Breakdown, ...]:
        dim = self.dims[index]
        ordered = sorted(dim.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        return tuple(
            Breakdown(key=key, received=r, closed=c, upheld=u) for key, (r, c, u) in ordered
        )

    def outcome_figures(self) -> Outcomes:
        upheld = self.outcomes["upheld"]
        partial = self.outcomes["partially_upheld"]
        decided = sum(self.outcomes.values())
        return Outcomes(
            decided=decided,
            upheld=upheld,
            partially_upheld=partial,
            not_upheld=self.outcomes["not_upheld"],
            upheld_rate=Rate.of(upheld + partial, decided),
        )

    def rates(self) -> Rates:
        return Rates(
            first_contact_resolution=Rate.of(self.first_contact, self.closed),
            reopened=Rate.of(self.reopened, self.closed),
            internal_review=Rate.of(self.reviewed, self.closed),
            external_referral=Rate.of(self.referred, self.closed),
        )

    def satisfaction(self) -> Satisfaction:
        n = len(self.scores)
        mean = round(100 * sum(self.scores) / n, 2) if n else None
        return Satisfaction(
            responses=n,
            mean_percent=mean,
            satisfied=Rate.of(sum(1 for s in self.scores if s >= 0.75), n),
        )

    def sla_shares(self) -> tuple[SlaShare, ...]:
        return tuple(
            SlaShare(
                metric=metric,
                finished=met + breached,
                met=met,
                breached=breached,
                share_met=Rate.of(met, met + breached).value,
                overdue_open=overdue,
            )
            for metric, (met, breached, overdue) in sorted(self.sla.items())
        )

    def root_causes(self, threshold: int) -> RootCauses:
        ordered = sorted(self.causes.items(), key=lambda kv: (-kv[1], kv[0][1], kv[0][0] or ""))
        total = sum(self.causes.values())
        running = 0
        entries = []
        for (category, cause), count in ordered:
            running += count
            entries.append(
                ParetoEntry(
                    cause=cause,
                    category=category,
                    count=count,
                    share=round(count / total, 4),
                    cumulative_share=round(running / total, 4),
                    recurring=count >= threshold,
                )
            )
        recurring = sum(e.count for e in entries if e.recurring)
        return RootCauses(
            recorded=total,
            unrecorded=self.unrecorded,
            recurring_threshold=threshold,
            recurring=recurring,
            single_incident=total - recurring,
            pareto=tuple(entries),
        )

    def headline(self) -> dict[str, float | None]:
        met = sum(c[0] for c in self.sla.values())
        finished = met + sum(c[1] for c in self.sla.values())
        median = _median(sorted(self.final.elapsed))
        return {
            "received": self.received,
            "closed": self.closed,
            "open_at_end": self.open_end,
            "upheld_rate": self.outcome_figures().upheld_rate.value,
            "median_final_response_hours": None if median is None else _hours(median),
            "first_contact_resolution": self.rates().first_contact_resolution.value,
            "satisfaction_mean_percent": self.satisfaction().mean_percent,
            "sla_met_share": Rate.of(met, finished).value,
        }


def _change(kpi: str, current: float | None, previous: float | None) -> Change:
    change = None if current is None or previous is None else round(current - previous, 4)
    relative = None if change is None or not previous else round(change / previous, 4)
    return Change(kpi=kpi, current=current, previous=previous, change=change, relative=relative)


def _check(
    *,
    start: _dt.datetime,
    end: _dt.datetime,
    zone: str,
    bucket: str,
    customers: int | None,
    threshold: int,
) -> None:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, _dt.datetime) or value.utcoffset() is None:
            raise ValidationError(name, f"must be an aware datetime, got {value!r}")
    if end <= start:
        raise ValidationError("end", f"must be after start ({start.isoformat()})")
    if bucket not in BUCKETS:
        raise ValidationError("bucket", f"must be one of {', '.join(BUCKETS)}, got {bucket!r}")
    try:
        ZoneInfo(zone)
    except Exception as e:  # ZoneInfoNotFoundError, or ValueError for a malformed key
        raise ValidationError("zone", f"{zone!r} is not an IANA time zone: {e}") from None
    if customers is not None and (
        not isinstance(customers, int) or isinstance(customers, bool) or customers < 1
    ):
        raise ValidationError("customers", f"must be a positive integer, got {customers!r}")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 2:
        raise ValidationError(
            "recurring_threshold", f"must be an integer of at least 2, got {threshold!r}"
        )


def kpis_from_rows(
    rows: Iterable[FactRow],
    *,
    start: _dt.datetime,
    end: _dt.datetime,
    zone: str = "UTC",
    bucket: str = "month",
    calendar: BusinessCalendar | None = None,
    customers: int | None = None,
    recurring_threshold: int = 3,
    generated_at: _dt.datetime,
) -> KpiReport:
    """
    The report over ``[start, end)`` from fact rows: :func:`compute_kpis` without the store.

    ``rows`` must hold every complaint received before ``end`` that was open at, or closed
    after, the start of the previous period; others are ignored.
    """
    _check(
        start=start,
        end=end,
        zone=zone,
        bucket=bucket,
        customers=customers,
        threshold=recurring_threshold,
    )
    previous_start = start - (end - start)
    cuts = buckets(start, end, zone, bucket)
    bounds = [micros(b.start) for b in cuts] + [micros(end)]
    current = _Cohorts(start, end, calendar, bounds)
    previous = _Cohorts(previous_start, start, calendar, [])
    for row in rows:
        current.add(row)
        previous.add(row)
    partial = [b.partial for b in cuts]
    flags_received = anomalies(current.trend_received, partial)
    flags_closed = anomalies(current.trend_closed, partial)
    trend = []
    for i, cut in enumerate(cuts):
        notes = []
        if flags_received[i]:
            notes.append(f"received {flags_received[i]} expected")
        if flags_closed[i]:
            notes.append(f"closed {flags_closed[i]} expected")
        median = _median(sorted(current.trend_final[i]))
        trend.append(
            TrendPoint(
                start=cut.start,
                label=cut.label,
                received=current.trend_received[i],
                closed=current.trend_closed[i],
                upheld_rate=Rate.of(current.trend_upheld[i], current.trend_decided[i]).value,
                median_final_response=None if median is None else _hours(median),
                anomalies=tuple(notes),
            )
        )
    now, before = current.headline(), previous.headline()
    return KpiReport(
        generated_at=generated_at,
        period=Period(start=start, end=end, zone=zone, bucket=bucket),
        previous=Period(start=previous_start, end=start, zone=zone, bucket=bucket),
        volume=current.volume(),
        by_channel=current.breakdown(0),
        by_category=current.breakdown(1),
        by_product=current.breakdown(2),
        by_priority=current.breakdown(3),
        timeliness=Timeliness(
            acknowledge=current.ack.stats(), final_response=current.final.stats()
        ),
        sla=current.sla_shares(),
        outcomes=current.outcome_figures(),
        remedies=tuple(
            Count(key=k, count=n)
            for k, n in sorted(current.remedies.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        redress=tuple(
            Money(amount=amount, currency=currency)
            for currency, amount in sorted(current.redress.items())
        ),
        rates=current.rates(),
        satisfaction=current.satisfaction(),
        customers=customers,
        per_1000_customers=None
        if customers is None
        else round(current.received * 1000 / customers, 3),
        root_causes=current.root_causes(recurring_threshold),
        trend=tuple(trend),
        comparison=tuple(_change(k, now[k], before[k]) for k in now),
        rules=RULES,
    )


def compute_kpis(
    store: EventStore,
    *,
    start: _dt.datetime,
    end: _dt.datetime,
    zone: str = "UTC",
    bucket: str = "month",
    calendar: BusinessCalendar | None = None,
    customers: int | None = None,
    recurring_threshold: int = 3,
    clock: Clock | None = None,
) -> KpiReport:
    """
    The KPIs of the complaints in ``store`` over ``[start, end)``, compared with the period of
    the same length before it.

    Args:
        zone: the IANA zone in which trend buckets begin.
        bucket: ``day``, ``week``, ``month`` or ``quarter``.
        calendar: also measure times to acknowledge and to respond in its open time.
        customers: the number of customers (or accounts), for complaints per 1,000.
        recurring_threshold: how many complaints with one root cause make it recurring.
        clock: gives ``generated_at``; the system clock by default.

    Raises:
        ValidationError: a setting is out of range (the message names it).
        StorageError: the store failed.
    """
    _check(
        start=start,
        end=end,
        zone=zone,
        bucket=bucket,
        customers=customers,
        threshold=recurring_threshold,
    )
    previous_start = start - (end - start)
    rows = fact_rows(store, received_before=end, closed_since=previous_start)
    return kpis_from_rows(
        rows,
        start=start,
        end=end,
        zone=zone,
        bucket=bucket,
        calendar=calendar,
        customers=customers,
        recurring_threshold=recurring_threshold,
        generated_at=(clock or SystemClock()).now(),
    )
