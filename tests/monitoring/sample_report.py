"""
Hand-made KPI reports for the renderer tests: a realistic quarter of a retailer's complaints,
and a report of a period in which nothing happened.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

import attrs

from iso10002.model.values import Money
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

UTC = _dt.timezone.utc
GENERATED_AT = _dt.datetime(2026, 4, 1, 6, 30, tzinfo=UTC)
PERIOD = Period(
    start=_dt.datetime(2026, 1, 1, tzinfo=UTC),
    end=_dt.datetime(2026, 3, 31, 23, tzinfo=UTC),
    zone="Europe/London",
    bucket="week",
)
PREVIOUS = Period(
    start=_dt.datetime(2025, 10, 2, 23, tzinfo=UTC),
    end=_dt.datetime(2026, 1, 1, tzinfo=UTC),
    zone="Europe/London",
    bucket="week",
)

LONG_CATEGORY = "Returns, refunds and exchanges of goods bought online or in store"
HOSTILE_CATEGORY = "<script>alert('x')</script> & friends"

RECEIVED = (28, 31, 30, 26, 33, 29, 58, 35, 30, 27, 32, 29, 24)
CLOSED = (20, 27, 31, 29, 28, 30, 36, 47, 33, 28, 29, 31, 27)
UPHELD = (0.45, 0.5, 0.48, 0.41, 0.52, 0.47, 0.61, 0.49, 0.44, 0.46, 0.5, 0.43, None)
MEDIAN = (101.5, 96.0, 120.25, 110.0, 99.5, 105.0, 180.0, 150.5, 118.0, 100.0, 97.5, 95.0, None)
ANOMALIES: dict[int, tuple[str, ...]] = {
    6: ("received above expected",),
    7: ("closed above expected", "median final response above expected"),
}

CAUSES = (
    ("Courier missed the delivery slot", "Delivery", 64),
    ("Price shown differs from price charged", "Billing", 51),
    ("Refund not processed within 14 days", "Billing", 40),
    ("Rude or unhelpful staff", "Service", 22),
    ("Item damaged in transit", "Delivery", 18),
    ("Wrong item sent", None, 9),
    ("Website checkout error", "Website & app", 4),
    ("Loyalty points missing", "Billing", 3),
)
THRESHOLD = 5


def _trend() -> tuple[TrendPoint, ...]:
    points = []
    for week in range(13):
        start = PERIOD.start + _dt.timedelta(days=7 * week)
        points.append(
            TrendPoint(
                start=start,
                label=f"2026-W{week + 1:02d}",
                received=RECEIVED[week],
                closed=CLOSED[week],
                upheld_rate=UPHELD[week],
                median_final_response=MEDIAN[week],
                anomalies=ANOMALIES.get(week, ()),
            )
        )
    return tuple(points)


def _pareto() -> tuple[ParetoEntry, ...]:
    total = sum(count for _, _, count in CAUSES)
    running = 0
    entries = []
    for cause, category, count in CAUSES:
        running += count
        entries.append(
            ParetoEntry(
                cause=cause,
                category=category,
                count=count,
                share=round(count / total, 4),
                cumulative_share=round(running / total, 4),
                recurring=count >= THRESHOLD,
            )
        )
    return tuple(entries)


def _change(kpi: str, current: float | None, previous: float | None) -> Change:
    current = None if current is None else float(current)
    previous = None if previous is None else float(previous)
    change = None if current is None or previous is None else round(current - previous, 4)
    relative = None if change is None or not previous else round(change / previous, 4)
    return Change(kpi=kpi, current=current, previous=previous, change=change, relative=relative)


def kpi_report(**changes: object) -> KpiReport:
    """A realistic quarter: 412 complaints in, a spike in week 7, eight root causes."""
    report = KpiReport(
        generated_at=GENERATED_AT,
        period=PERIOD,
        previous=PREVIOUS,
        volume=Volume(
            received=412,
            closed=396,
            withdrawn=9,
            duplicates=5,
            open_at_start=55,
            open_at_end=57,
            imported=40,
            imported_open=3,
        ),
        by_channel=(
            Breakdown(key="email", received=160, closed=150, upheld=70),
            Breakdown(key="phone", received=120, closed=118, upheld=52),
            Breakdown(key="web_form", received=90, closed=88, upheld=40),
            Breakdown(key="letter", received=25, closed=24, upheld=10),
            Breakdown(key="social_media", received=17, closed=16, upheld=8),
        ),
        by_category=(
            Breakdown(key="Delivery", received=140, closed=135, upheld=70),
            Breakdown(key="Billing", received=120, closed=118, upheld=55),
            Breakdown(key=LONG_CATEGORY, received=80, closed=77, upheld=30),
            Breakdown(key="Customer service", received=50, closed=48, upheld=20),
            Breakdown(key="Website & app", received=22, closed=18, upheld=5),
        ),
        by_product=(
            Breakdown(key="Home delivery", received=230, closed=221, upheld=101),
            Breakdown(key="Click and collect", received=110, closed=107, upheld=48),
            Breakdown(key="In-store purchase", received=72, closed=68, upheld=31),
        ),
        by_priority=(
            Breakdown(key="urgent", received=12, closed=12, upheld=9),
            Breakdown(key="high", received=60, closed=58, upheld=30),
            Breakdown(key="normal", received=300, closed=288, upheld=125),
            Breakdown(key="low", received=40, closed=38, upheld=16),
        ),
        timeliness=Timeliness(
            acknowledge=(
                DurationStats(
                    measure="calendar", count=408, mean=6.2, median=3.1, p90=20.5, not_measured=4
                ),
                DurationStats(
                    measure="business", count=408, mean=3.4, median=1.8, p90=9.0, not_measured=4
                ),
            ),
            final_response=(
                DurationStats(
                    measure="calendar",
                    count=394,
                    mean=160.4,
                    median=120.5,
                    p90=402.0,
                    not_measured=2,
                ),
                DurationStats(
                    measure="business", count=394, mean=52.1, median=39.0, p90=130.5, not_measured=2
                ),
            ),
        ),
        sla=(
            SlaShare(
                metric="acknowledgement",
                finished=408,
                met=396,
                breached=12,
                share_met=0.9706,
                overdue_open=1,
            ),
            SlaShare(
                metric="final_response",
                finished=394,
                met=347,
                breached=47,
                share_met=0.8807,
                overdue_open=6,
            ),
        ),
        outcomes=Outcomes(
            decided=380,
            upheld=120,
            partially_upheld=60,
            not_upheld=200,
            upheld_rate=Rate.of(180, 380),
        ),
        remedies=(
            Count(key="explanation", count=380),
            Count(key="apology", count=150),
            Count(key="refund", count=70),
            Count(key="compensation", count=40),
            Count(key="repair_or_replacement", count=25),
        ),
        redress=(
            Money(amount=Decimal("12345.67"), currency="GBP"),
            Money(amount=Decimal("250.10"), currency="EUR"),
        ),
        rates=Rates(
            first_contact_resolution=Rate.of(95, 396),
            reopened=Rate.of(12, 396),
            internal_review=Rate.of(20, 396),
            external_referral=Rate.of(4, 396),
        ),
        satisfaction=Satisfaction(responses=140, mean_percent=71.4, satisfied=Rate.of(88, 140)),
        customers=52000,
        per_1000_customers=7.9231,
        root_causes=RootCauses(
            recorded=211,
            unrecorded=185,
            recurring_threshold=THRESHOLD,
            recurring=195,
            single_incident=16,
            pareto=_pareto(),
        ),
        trend=_trend(),
        comparison=(
            _change("received", 412, 380),
            _change("closed", 396, 371),
            _change("open_at_end", 57, 55),
            _change("upheld_rate", 0.4737, 0.5),
            _change("median_final_response_hours", 120.5, 131.0),
            _change("sla_met_share", 0.9264, 0.9),
            _change("satisfaction_mean_percent", 71.4, 68.0),
            _change("first_contact_resolution", 0.2399, 0.0),
        ),
        rules=(
            "Received: complaints whose receipt falls in the period, duplicates excepted.",
            "Closed: complaints closed in the period, withdrawn ones and duplicates excepted.",
            "Durations are in hours; business time counts the opening hours of the calendar.",
        ),
    )
    return attrs.evolve(report, **changes)  # type: ignore[arg-type]


def empty_kpi_report() -> KpiReport:
    """A period in which nothing was received, closed or measured."""
    nothing = Rate.of(0, 0)
    return KpiReport(
        generated_at=GENERATED_AT,
        period=PERIOD,
        previous=PREVIOUS,
        volume=Volume(
            received=0,
            closed=0,
            withdrawn=0,
            duplicates=0,
            open_at_start=0,
            open_at_end=0,
            imported=0,
            imported_open=0,
        ),
        by_channel=(),
        by_category=(),
        by_product=(),
        by_priority=(),
        timeliness=Timeliness(acknowledge=(), final_response=()),
        sla=(),
        outcomes=Outcomes(
            decided=0, upheld=0, partially_upheld=0, not_upheld=0, upheld_rate=nothing
        ),
        remedies=(),
        redress=(),
        rates=Rates(
            first_contact_resolution=nothing,
            reopened=nothing,
            internal_review=nothing,
            external_referral=nothing,
        ),
        satisfaction=Satisfaction(responses=0, mean_percent=None, satisfied=nothing),
        customers=None,
        per_1000_customers=None,
        root_causes=RootCauses(
            recorded=0,
            unrecorded=0,
            recurring_threshold=THRESHOLD,
            recurring=0,
            single_incident=0,
            pareto=(),
        ),
        trend=(),
        comparison=(),
        rules=(),
    )
