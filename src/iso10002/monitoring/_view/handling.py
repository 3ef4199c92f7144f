"""
The sections on how complaints came in and how quickly they were handled: volume and trend,
subjects, channels and priorities, time taken, deadlines met. Each section's charts are drawn
from the same labels and values as its tables.
"""

from __future__ import annotations

from collections.abc import Sequence

from iso10002.monitoring._numbers import format_number
from iso10002.monitoring._view.headline import sla_total, stats
from iso10002.monitoring._view.layout import (
    Amount,
    BarChart,
    Chart,
    Line,
    LineChart,
    Section,
    ShareChart,
    Table,
)
from iso10002.monitoring._view.words import (
    NO_DATA,
    STAGES,
    bucket_name,
    count,
    hours,
    local_time,
    name,
    rate,
    share,
)
from iso10002.monitoring.report import Breakdown, KpiReport, Rate, TrendPoint

__all__ = ["TOP_BARS", "channels", "deadlines", "subjects", "timeliness", "volume"]


def _flagged(trend: Sequence[TrendPoint], series: str) -> frozenset[int]:
    """
    The buckets whose anomalies name ``series`` (``received``, ``median final response``):
    an anomaly's text starts with the series it is about (``"received above expected"``).
    """
    return frozenset(
        i for i, p in enumerate(trend) if any(a.lower().startswith(series) for a in p.anomalies)
    )


TOP_BARS = 12
"""The most bars a breakdown chart draws; beyond, the smallest are one bar "Other"."""


def _breakdown(
    caption: str, key: str, items: Sequence[Breakdown], *, words: bool, draw: bool
) -> tuple[Table, BarChart | None]:
    """A breakdown as a table and (to ``draw``) as bars of the complaints received."""
    labels = [name(b.key) if words else b.key for b in items]
    total = sum(b.received for b in items)
    rows = tuple(
        (
            label,
            count(b.received),
            share(b.received / total) if total else NO_DATA,
            count(b.closed),
            rate(Rate.of(b.upheld, b.closed)),
        )
        for label, b in zip(labels, items, strict=True)
    )
    table = Table(
        caption=caption,
        headers=(key, "Received", "Share of received", "Closed", "Upheld of closed"),
        numeric=(False, True, True, True, True),
        rows=rows,
        empty="No complaints in the period.",
    )
    if not draw:
        return table, None
    bars = tuple(
        Amount(label=label, value=b.received) for label, b in zip(labels, items, strict=True)
    )
    title = caption
    if len(bars) > TOP_BARS:
        # One bar per value would draw a chart too tall to read: the largest stay, the rest
        # are one bar, and the table above lists every value.
        ranked = sorted(bars, key=lambda a: -a.value)
        kept, folded = ranked[: TOP_BARS - 1], ranked[TOP_BARS - 1 :]
        other = Amount(label=f"Other ({len(folded):,} more)", value=sum(a.value for a in folded))
        bars = (*kept, other)
        title = f"{caption}: the {len(kept)} largest, the other {len(folded):,} together"
    return table, BarChart(title=title, unit="complaints received", bars=bars)


def _two_breakdowns(
    section_id: str, heading: str, *pairs: tuple[Table, BarChart | None]
) -> Section:
    return Section(
        id=section_id,
        heading=heading,
        charts=tuple(chart for _, chart in pairs if chart is not None),
        tables=tuple(table for table, _ in pairs),
    )


def subjects(report: KpiReport, *, draw: bool) -> Section:
    """What complaints are about: categories and products."""
    return _two_breakdowns(
        "subjects",
        "What complaints are about",
        _breakdown("By category", "Category", report.by_category, words=False, draw=draw),
        _breakdown("By product or service", "Product", report.by_product, words=False, draw=draw),
    )


def channels(report: KpiReport, *, draw: bool) -> Section:
    """How complaints reached us, and their handling priority."""
    return _two_breakdowns(
        "channels",
        "How complaints reached us",
        _breakdown("By channel", "Channel", report.by_channel, words=True, draw=draw),
        _breakdown("By handling priority", "Priority", report.by_priority, words=True, draw=draw),
    )


def _trend_chart(report: KpiReport, title: str, unit: str, *series: Line) -> LineChart:
    return LineChart(
        title=f"{title} per {bucket_name(report.period).lower()}",
        unit=unit,
        labels=tuple(p.label for p in report.trend),
        series=series,
    )


def volume(report: KpiReport, *, draw: bool) -> Section:
    """Complaints received and closed: the counts, and the trend bucket by bucket."""
    v = report.volume
    facts = [
        ("Received in the period", count(v.received)),
        ("Closed in the period", count(v.closed)),
        ("Withdrawn", count(v.withdrawn)),
        ("Closed as duplicates", count(v.duplicates)),
        ("Open at the start", count(v.open_at_start)),
        ("Open at the end", count(v.open_at_end)),
        ("Imported from another system (of received)", count(v.imported)),
        ("Imported and still open at the end", count(v.imported_open)),
    ]
    if report.customers is not None:
        facts.append(("Customers", count(report.customers, "customers")))
    if report.per_1000_customers is not None:
        facts.append(
            (
                "Complaints per 1,000 customers",
                f"{format_number(report.per_1000_customers, 2)} complaints",
            )
        )
    bucket = bucket_name(report.period)
    rows = []
    for p in report.trend:
        unusual = "; ".join(p.anomalies) if p.anomalies else ""
        rows.append(
            (
                p.label,
                local_time(p.start, report.period.zone),
                count(p.received),
                count(p.closed),
                share(p.upheld_rate),
                hours(p.median_final_response),
                unusual,
            )
        )
    trend = Table(
        caption=f"By {bucket.lower()}",
        headers=(
            bucket,
            "Starts at",
            "Received",
            "Closed",
            "Upheld",
            "Median time to final response",
            "Unusual",
        ),
        numeric=(False, False, True, True, True, True, False),
        rows=tuple(rows),
        marked=tuple(bool(p.anomalies) for p in report.trend),
        empty="No trend buckets in the period.",
    )
    charts: tuple[Chart, ...] = ()
    if draw:
        lines = (
            Line(
                name=label,
                values=tuple(getattr(p, key) for p in report.trend),
                flagged=_flagged(report.trend, key),
            )
            for key, label in (("received", "Received"), ("closed", "Closed"))
        )
        charts = (_trend_chart(report, "Complaints received and closed", "complaints", *lines),)
    return Section(
        id="volume",
        heading="Complaints received and closed",
        facts=tuple(facts),
        charts=charts,
        tables=(trend,),
    )


def timeliness(report: KpiReport, *, draw: bool) -> Section:
    """How quickly we respond: time to acknowledge and to the final response."""
    t = report.timeliness
    rows = []
    bars = []
    for stage, items in (("acknowledge", t.acknowledge), ("final_response", t.final_response)):
        for s in items:
            rows.append(
                (
                    STAGES[stage],
                    f"{name(s.measure)} time",
                    count(s.count),
                    hours(s.mean),
                    hours(s.median),
                    hours(s.p90),
                    count(s.not_measured),
                )
            )
            for what, value in (("median", s.median), ("90% within", s.p90)):
                if draw and value is not None:
                    bars.append(
                        Amount(label=f"{STAGES[stage]}, {s.measure} time: {what}", value=value)
                    )
    text = []
    final = stats(t.final_response, "calendar")
    if final is not None and final.median is not None and final.p90 is not None:
        text.append(
            f"Half of the complaints closed in the period had their final response within "
            f"{hours(final.median)}, nine in ten within {hours(final.p90)}."
        )
    ack = stats(t.acknowledge, "calendar")
    if ack is not None and ack.median is not None:
        text.append(
            f"Half of the complaints received were acknowledged within {hours(ack.median)}."
        )
    table = Table(
        caption="Time taken, in hours",
        headers=(
            "Stage",
            "Measured in",
            "Complaints",
            "Average",
            "Median (half within)",
            "90% within",
            "Not measured",
        ),
        numeric=(False, False, True, True, True, True, True),
        rows=tuple(rows),
        empty="Nothing was acknowledged or answered in the period.",
    )
    charts: tuple[Chart, ...] = ()
    if draw:
        median = Line(
            name="Median time to final response",
            values=tuple(p.median_final_response for p in report.trend),
            flagged=_flagged(report.trend, "median final response"),
        )
        charts = (
            # The longest label, "Acknowledgement, business time: 90% within", shows in full.
            BarChart(title="Time taken", unit="hours", bars=tuple(bars), label_chars=44),
            _trend_chart(report, "Median time to final response", "hours", median),
        )
    return Section(
        id="timeliness",
        heading="How quickly we respond",
        text=tuple(text),
        charts=charts,
        tables=(table,),
    )


def deadlines(report: KpiReport, *, draw: bool) -> Section:
    """Deadlines met, over all targets and per target."""
    met, finished = sla_total(report)
    overall = met / finished if finished else None
    rows = []
    charts: list[Chart] = []
    if len(report.sla) > 1:
        charts.append(
            ShareChart(
                title="All deadlines met",
                share=overall,
                caption=f"{met:,} of {finished:,} deadlines",
            )
        )
    for s in report.sla:
        target = name(s.metric)
        rows.append(
            (
                target,
                count(s.finished, "deadlines"),
                count(s.met, "deadlines"),
                count(s.breached, "deadlines"),
                share(s.share_met),
                count(s.overdue_open),
            )
        )
        charts.append(
            ShareChart(
                title=f"{target}: met in time",
                share=s.share_met,
                caption=f"{s.met:,} of {s.finished:,} deadlines; "
                f"{count(s.overdue_open)} still open past the deadline",
            )
        )
    if not charts:
        charts.append(ShareChart(title="Deadlines met", share=None, caption="no deadline fell due"))
    text: tuple[str, ...] = ()
    if finished:
        sentence = (
            f"{share(overall)} of the {count(finished, 'deadlines')} that fell due "
            "in the period were met."
        )
        text = (sentence,)
    table = Table(
        caption="Deadlines by target",
        headers=("Target", "Due", "Met", "Missed", "Share met", "Still open past the deadline"),
        numeric=(False, True, True, True, True, True),
        rows=tuple(rows),
        marked=tuple(s.overdue_open > 0 for s in report.sla),
        empty="No deadline fell due in the period.",
    )
    return Section(
        id="deadlines",
        heading="Deadlines met",
        text=text,
        charts=tuple(charts) if draw else (),
        tables=(table,),
    )
