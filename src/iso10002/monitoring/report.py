"""
The KPI report's values: what :func:`~iso10002.monitoring.kpis.compute_kpis` returns.

Every value is frozen; the report unstructures to the documented JSON layout
(``iso10002.kpi-report/1``) through the library's one converter. Durations are in hours,
rates are fractions from 0 to 1 (``None`` when nothing was there to count), and each figure
states its cohort in the monitoring guide.
"""

from __future__ import annotations

import datetime as _dt

import attrs

from iso10002.model.values import Money
from iso10002.survey.results import SurveyResults

__all__ = [
    "REPORT_SCHEMA",
    "Breakdown",
    "Change",
    "Count",
    "DurationStats",
    "KpiReport",
    "Outcomes",
    "ParetoEntry",
    "Period",
    "Rate",
    "Rates",
    "RootCauses",
    "Satisfaction",
    "SlaShare",
    "Timeliness",
    "TrendPoint",
    "Volume",
]

REPORT_SCHEMA = "iso10002.kpi-report/1"
"""The layout identifier written into every JSON report; it changes only with the layout."""


@attrs.frozen(kw_only=True)
class Period:
    """A reporting period ``[start, end)`` and how it is cut into trend buckets."""

    start: _dt.datetime
    end: _dt.datetime
    zone: str
    """The IANA zone in which days, weeks and months begin."""
    bucket: str
    """``day``, ``week``, ``month`` or ``quarter``."""


@attrs.frozen(kw_only=True)
class Rate:
    """``numerator / denominator``; ``value`` is ``None`` when the denominator is 0."""

    numerator: int
    denominator: int
    value: float | None

    @classmethod
    def of(cls, numerator: int, denominator: int) -> Rate:
        """The rate, rounded to 4 decimal places."""
        value = round(numerator / denominator, 4) if denominator else None
        return cls(numerator=numerator, denominator=denominator, value=value)


@attrs.frozen(kw_only=True)
class Volume:
    """How many complaints came in, went out and stayed (cohorts in the monitoring guide)."""

    received: int
    """Received in the period, duplicates excepted."""
    closed: int
    """Closed in the period (withdrawn and duplicates excepted)."""
    withdrawn: int
    """Withdrawn in the period."""
    duplicates: int
    """Closed as duplicates in the period."""
    open_at_start: int
    open_at_end: int
    imported: int
    """Of ``received``: imported from another system."""
    imported_open: int
    """Of ``open_at_end``: imported complaints the source left open."""


@attrs.frozen(kw_only=True)
class Breakdown:
    """One value of a dimension (a channel, a category, ...) and its counts in the period."""

    key: str
    received: int
    closed: int
    upheld: int
    """Of ``closed``: upheld or partially upheld."""


@attrs.frozen(kw_only=True)
class DurationStats:
    """
    Statistics of one duration, in hours. The median of an even count is the mean of the two
    middle values; p90 is the nearest-rank 90th percentile.
    """

    measure: str
    """``calendar`` (elapsed time) or ``business`` (open time of the calendar given)."""
    count: int
    mean: float | None
    median: float | None
    p90: float | None
    not_measured: int
    """Complaints of the cohort without usable instants (imports with dates only)."""


@attrs.frozen(kw_only=True)
class Timeliness:
    """Time to acknowledge (cohort: received in the period) and to the final response
    (cohort: closed in the period), in calendar time and, with a calendar, business time."""

    acknowledge: tuple[DurationStats, ...]
    final_response: tuple[DurationStats, ...]


@attrs.frozen(kw_only=True)
class SlaShare:
    """One timeliness metric: how many of its clocks stopped in the period, and in time."""

    metric: str
    finished: int
    met: int
    breached: int
    share_met: float | None
    overdue_open: int
    """Clocks still running at the period's end, past their deadline."""


@attrs.frozen(kw_only=True)
class Outcomes:
    """Decisions on complaints closed in the period; partially upheld counts as upheld."""

    decided: int
    upheld: int
    partially_upheld: int
    not_upheld: int
    upheld_rate: Rate


@attrs.frozen(kw_only=True)
class Count:
    """A key and how often it occurred."""

    key: str
    count: int


@attrs.frozen(kw_only=True)
class Rates:
    """Rates over the complaints closed in the period."""

    first_contact_resolution: Rate
    """Over the closed complaints whose instants are timed; see ``first_contact_not_measured``."""
    reopened: Rate
    internal_review: Rate
    external_referral: Rate
    first_contact_not_measured: int = 0
    """Closed complaints imported with dates only: whether a decision went out within 24 hours
    of receipt cannot be told, so they are left out of ``first_contact_resolution``. When all
    of them are, it is not measured (``value`` is ``None``)."""


@attrs.frozen(kw_only=True)
class Satisfaction:
    """Satisfaction with the handling (8.3) of complaints closed in the period."""

    responses: int
    mean_percent: float | None
    """Mean of ``(score - 1) / (scale - 1)``, as a percentage."""
    satisfied: Rate
    """Responses at 75 % of the scale or above (4 or 5 of 5)."""


@attrs.frozen(kw_only=True)
class ParetoEntry:
    """One root cause, its count, share and cumulative share, most frequent first."""

    cause: str
    category: str | None
    count: int
    share: float
    cumulative_share: float
    recurring: bool
    """Seen at least the recurrence threshold's number of times in the period (8.2)."""


@attrs.frozen(kw_only=True)
class RootCauses:
    """Root-cause analysis of complaints closed in the period (8.2)."""

    recorded: int
    unrecorded: int
    recurring_threshold: int
    recurring: int
    """Complaints whose cause is recurring."""
    single_incident: int
    pareto: tuple[ParetoEntry, ...]


@attrs.frozen(kw_only=True)
class TrendPoint:
    """One trend bucket: counts, rates and the anomalies flagged on it."""

    start: _dt.datetime
    label: str
    received: int
    closed: int
    upheld_rate: float | None
    median_final_response: float | None
    anomalies: tuple[str, ...]
    """Which series look unusual here, e.g. ``"received above expected"``."""


@attrs.frozen(kw_only=True)
class Change:
    """One KPI in this period and the previous one of the same length."""

    kpi: str
    current: float | None
    previous: float | None
    change: float | None
    """``current - previous``."""
    relative: float | None
    """``change / previous``, when ``previous`` is not 0."""
    current_not_measured: int = 0
    """For first-contact resolution: the complaints closed in this period that cannot show it
    (imported with dates only); with ``current`` None, the figure is not measured, not absent."""
    previous_not_measured: int = 0
    """The same for the previous period."""


@attrs.frozen(kw_only=True)
class KpiReport:
    """Everything monitoring reports about one period (ISO 10002 8.2 to 8.4)."""

    schema: str = REPORT_SCHEMA
    generated_at: _dt.datetime
    period: Period
    previous: Period
    volume: Volume
    by_channel: tuple[Breakdown, ...]
    by_category: tuple[Breakdown, ...]
    by_product: tuple[Breakdown, ...]
    by_priority: tuple[Breakdown, ...]
    timeliness: Timeliness
    sla: tuple[SlaShare, ...]
    outcomes: Outcomes
    remedies: tuple[Count, ...]
    redress: tuple[Money, ...]
    rates: Rates
    satisfaction: Satisfaction
    customers: int | None
    per_1000_customers: float | None
    """Complaints received per 1,000 customers, when a customer count was given."""
    root_causes: RootCauses
    trend: tuple[TrendPoint, ...]
    comparison: tuple[Change, ...]
    rules: tuple[str, ...]
    """The counting rules applied, in words, for the reader of the report."""
    surveys: tuple[SurveyResults, ...] = ()
    """Per question, the answers recorded in the period to each survey asked for."""
