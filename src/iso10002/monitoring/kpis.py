"""
KPIs of complaints handling over a period (ISO 10002 8.2 to 8.4), in one pass.

:func:`compute_kpis` reads each complaint's monitoring facts once, as a flat row
(:mod:`iso10002.model.fact_row`) through the store's :class:`~iso10002.ports.kpi.KpiSource`,
and keeps only counters and, for the median and 90th percentile, one number (8 bytes) per
measured duration. Every figure's cohort and counting rule is listed in :data:`RULES` and in
the monitoring guide.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Sequence
from zoneinfo import ZoneInfo

import attrs

from iso10002.clock import Clock, SystemClock
from iso10002.errors import ValidationError
from iso10002.model.complaint import Complaint, ComplaintSummary
from iso10002.model.fact_row import FactRow, micros, row_of
from iso10002.model.values import Money
from iso10002.monitoring._cohorts import Cohorts, hours
from iso10002.monitoring.buckets import AUTO, BUCKETS, anomalies, auto_bucket, buckets
from iso10002.monitoring.report import (
    Change,
    Count,
    KpiReport,
    Period,
    Rate,
    Timeliness,
    TrendPoint,
)
from iso10002.ports.kpi import KpiSource, kpi_source
from iso10002.ports.store import EventStore
from iso10002.sla.calendar import BusinessCalendar
from iso10002.survey.definition import Survey
from iso10002.survey.results import survey_results

__all__ = ["RULES", "compute_kpis", "kpis_from_complaints", "kpis_from_rows"]

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
        "receipt, no investigation, internal review, referral or reopening. Imported complaints "
        "whose source gives only dates cannot show 24 hours: they are left out and counted as "
        "not measured; when every closed complaint is, the figure is not measured."
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


def _change(
    kpi: str, now: float | None, before: float | None, unmeasured: tuple[int, int] = (0, 0)
) -> Change:
    # Floats throughout, counts included, so that the JSON reads back and writes out the same.
    current = None if now is None else float(now)
    previous = None if before is None else float(before)
    change = None if current is None or previous is None else round(current - previous, 4)
    relative = None if change is None or not previous else round(change / previous, 4)
    return Change(
        kpi=kpi,
        current=current,
        previous=previous,
        change=change,
        relative=relative,
        current_not_measured=unmeasured[0],
        previous_not_measured=unmeasured[1],
    )


_MARGIN = _dt.timedelta(days=100)


def _check(
    *,
    start: _dt.datetime,
    end: _dt.datetime,
    zone: str,
    bucket: str,
    customers: int | None,
    threshold: int,
) -> str:
    """Check the settings; return the bucket to use (``auto`` resolved for the period)."""
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, _dt.datetime) or value.utcoffset() is None:
            raise ValidationError(name, f"must be an aware datetime, got {value!r}")
    if end <= start:
        raise ValidationError("end", f"must be after start ({start.isoformat()})")
    try:
        # The period before, of the same length, is compared with; buckets start up to a
        # quarter before the period, in any zone.
        start - (end - start) - _MARGIN, end + _MARGIN
    except OverflowError:
        raise ValidationError(
            "start",
            f"the period from {start.isoformat()} to {end.isoformat()} and the one before it "
            f"must lie inside years 1 to 9999, with {_MARGIN.days} days to spare",
        ) from None
    if bucket not in BUCKETS and bucket != AUTO:
        raise ValidationError(
            "bucket", f"must be one of {', '.join(BUCKETS)} or {AUTO}, got {bucket!r}"
        )
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
    return auto_bucket(start, end, zone) if bucket == AUTO else bucket


Fill = Callable[[Cohorts, Cohorts], None]


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
    bucket = _check(
        start=start,
        end=end,
        zone=zone,
        bucket=bucket,
        customers=customers,
        threshold=recurring_threshold,
    )
    return _report(
        _from_rows(rows),
        start=start,
        end=end,
        zone=zone,
        bucket=bucket,
        calendar=calendar,
        customers=customers,
        recurring_threshold=recurring_threshold,
        generated_at=generated_at,
    )


def kpis_from_complaints(
    complaints: Iterable[Complaint],
    *,
    start: _dt.datetime,
    end: _dt.datetime,
    generated_at: _dt.datetime,
) -> KpiReport:
    """
    The report over ``[start, end)`` from complaint states, counted by the same rules as
    :func:`compute_kpis`: what a management review uses on histories replayed up to the end
    of its period, so that its figures and the KPI report's follow one set of rules.
    Timeliness metrics are not counted (the states carry no policy evaluation).
    """
    return kpis_from_rows(
        (row_of(ComplaintSummary.of(c)) for c in complaints),
        start=start,
        end=end,
        generated_at=generated_at,
    )


def _from_rows(rows: Iterable[FactRow]) -> Fill:
    """Fill both periods in one pass over ``rows``: the reference semantics."""

    def fill(current: Cohorts, previous: Cohorts) -> None:
        for row in rows:
            current.add(row)
            previous.add(row)

    return fill


def _report(
    fill: Fill,
    *,
    start: _dt.datetime,
    end: _dt.datetime,
    zone: str,
    bucket: str,
    calendar: BusinessCalendar | None,
    customers: int | None,
    recurring_threshold: int,
    generated_at: _dt.datetime,
) -> KpiReport:
    """The report, once the settings are checked, from what ``fill`` counts."""
    previous_start = start - (end - start)
    cuts = buckets(start, end, zone, bucket)
    bounds = [micros(b.start) for b in cuts] + [micros(end)]
    current = Cohorts(start, end, calendar, bounds)
    previous = Cohorts(previous_start, start, calendar, [])
    fill(current, previous)
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
        middle = current.trend_median(i)
        trend.append(
            TrendPoint(
                start=cut.start,
                label=cut.label,
                received=current.trend_received[i],
                closed=current.trend_closed[i],
                upheld_rate=Rate.of(current.trend_upheld[i], current.trend_decided[i]).value,
                median_final_response=None if middle is None else hours(middle),
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
        comparison=tuple(
            _change(
                k,
                now[k],
                before[k],
                (current.first_contact_unmeasured, previous.first_contact_unmeasured)
                if k == "first_contact_resolution"
                else (0, 0),
            )
            for k in now
        ),
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
    surveys: Sequence[Survey] = (),
    clock: Clock | None = None,
    organisation: str | None = None,
) -> KpiReport:
    """
    The KPIs of the complaints in ``store`` over ``[start, end)``, compared with the period of
    the same length before it.

    Args:
        zone: the IANA zone in which trend buckets begin.
        bucket: ``day``, ``week``, ``month`` or ``quarter``; ``auto`` chooses one for the
            period's length (:func:`~iso10002.monitoring.buckets.auto_bucket`), as the
            command line's ``--bucket auto`` does.
        calendar: also measure times to acknowledge and to respond in its open time.
        customers: the number of customers (or accounts), for complaints per 1,000.
        recurring_threshold: how many complaints with one root cause make it recurring.
        surveys: report each survey's results, question by question, over the answers
            recorded in the period.
        clock: gives ``generated_at``; the system clock by default.
        organisation: count only the complaints (and survey answers) of this organisation
            (tenant); read from the summaries, not a store's own SQL path.

    Raises:
        ValidationError: a setting is out of range (the message names it), or a recorded
            answer does not fit its survey's definition.
        StorageError: the store failed.
    """
    bucket = _check(
        start=start,
        end=end,
        zone=zone,
        bucket=bucket,
        customers=customers,
        threshold=recurring_threshold,
    )
    previous_start = start - (end - start)
    source = kpi_source(store, organisation=organisation)
    fill = _from_source(source, received_before=end, closed_since=previous_start)

    report = _report(
        fill,
        start=start,
        end=end,
        zone=zone,
        bucket=bucket,
        calendar=calendar,
        customers=customers,
        recurring_threshold=recurring_threshold,
        generated_at=(clock or SystemClock()).now(),
    )
    if not surveys:
        return report
    return attrs.evolve(
        report,
        surveys=tuple(
            survey_results(source.iter_survey_answers(start=start, end=end), s) for s in surveys
        ),
    )


def _from_source(
    source: KpiSource, *, received_before: _dt.datetime, closed_since: _dt.datetime
) -> Fill:
    """Fill both periods in the store's engine if it can, else from its fact rows."""

    def fill(current: Cohorts, previous: Cohorts) -> None:
        if source.scan_cohort(current, detail=True):
            source.scan_cohort(previous, detail=False)
            return
        rows = source.iter_fact_rows(received_before=received_before, closed_since=closed_since)
        _from_rows(rows)(current, previous)

    return fill
