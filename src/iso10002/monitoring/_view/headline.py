"""
The head of a KPI report in words: its title, what it covers, and the headline figures with
their change on the previous period (changes of shares in percentage points).
"""

from __future__ import annotations

from collections.abc import Sequence

from iso10002.monitoring._numbers import format_number
from iso10002.monitoring._view.layout import Detail, Figure
from iso10002.monitoring._view.words import (
    bucket_name,
    count,
    hours,
    kpi_label,
    period_text,
    value_of,
)
from iso10002.monitoring.report import Change, DurationStats, KpiReport

__all__ = [
    "HEADLINE_KPIS",
    "change_text",
    "details",
    "figures",
    "sla_total",
    "stats",
    "title",
]

HEADLINE_KPIS: tuple[str, ...] = (
    "received",
    "closed",
    "open_at_end",
    "upheld_rate",
    "median_final_response_hours",
    "sla_met_share",
    "satisfaction_mean_percent",
)
"""
The headline figures, in order, by the comparison KPI whose change they show. The figure's
value comes from the comparison when it lists the KPI, otherwise from the report's sections.
"""


def title(report: KpiReport) -> str:
    """The report's title, naming its period."""
    return f"Complaints monitoring report: {period_text(report.period)}"


def details(report: KpiReport) -> tuple[Detail, ...]:
    """What the report covers, for the head of the report."""
    return (
        Detail(label="Period", value=period_text(report.period)),
        Detail(label="Days begin in", value=report.period.zone),
        Detail(label="Trend by", value=bucket_name(report.period).lower()),
        Detail(label="Compared with", value=period_text(report.previous)),
        Detail(label="Generated at", value=report.generated_at.isoformat()),
        Detail(label="Report layout", value=report.schema, code=True),
    )


def change_text(change: Change | None, kind: str) -> tuple[str, str | None]:
    """The change of a KPI in words and its direction (see ``Figure``)."""
    if change is None or change.current is None or change.previous is None:
        return "no figure for the previous period", None
    previous = value_of(change.previous, kind)
    delta = change.change if change.change is not None else change.current - change.previous
    if delta == 0:
        return f"no change (previous period: {previous})", "same"
    direction = "up" if delta > 0 else "down"
    if kind == "share":
        amount = f"{format_number(abs(delta) * 100, 1)} percentage points"
    elif kind == "percent":
        amount = f"{format_number(abs(delta), 1)} percentage points"
    elif change.relative is not None:
        amount = f"{format_number(abs(change.relative) * 100, 1)}%"
    else:
        amount = value_of(abs(delta), kind)
    return f"{direction} {amount} (previous period: {previous})", direction


def stats(items: Sequence[DurationStats], measure: str) -> DurationStats | None:
    """The statistics of ``measure`` (``calendar``, ``business``) among ``items``, if any."""
    return next((s for s in items if s.measure == measure), None)


def sla_total(report: KpiReport) -> tuple[int, int]:
    """The deadlines met and the deadlines that fell due, over every target."""
    return sum(s.met for s in report.sla), sum(s.finished for s in report.sla)


def _own_value(report: KpiReport, key: str) -> tuple[float | None, str]:
    """A headline KPI read from the report's sections, and a note saying what it counts."""
    v, r = report.volume, report
    if key == "received":
        note = f"{count(v.imported)} imported" if v.imported else ""
        return v.received, note
    if key == "closed":
        return v.closed, f"{count(v.withdrawn)} withdrawn" if v.withdrawn else ""
    if key == "open_at_end":
        return v.open_at_end, f"{count(v.open_at_start)} at the start"
    if key == "upheld_rate":
        u = r.outcomes.upheld_rate
        return u.value, f"{format_number(u.numerator)} of {count(u.denominator)} decided"
    if key == "median_final_response_hours":
        calendar = stats(r.timeliness.final_response, "calendar")
        business = stats(r.timeliness.final_response, "business")
        note = f"business time: {hours(business.median)}" if business else ""
        return (calendar.median if calendar else None), note
    if key == "sla_met_share":
        met, finished = sla_total(r)
        value = round(met / finished, 4) if finished else None
        return value, f"{format_number(met)} of {format_number(finished)} deadlines, all targets"
    if key == "satisfaction_mean_percent":
        s = r.satisfaction
        return s.mean_percent, f"average score, {count(s.responses, 'responses')}"
    return None, ""


def figures(report: KpiReport) -> tuple[Figure, ...]:
    """The headline figures of :data:`HEADLINE_KPIS`, each with its change."""
    changes = {c.kpi: c for c in report.comparison}
    out = []
    for key in HEADLINE_KPIS:
        label, kind = kpi_label(key)
        own, note = _own_value(report, key)
        change = changes.get(key)
        value = change.current if change is not None and change.current is not None else own
        words, direction = change_text(change, kind)
        out.append(
            Figure(
                key=key,
                label=label,
                value=value_of(value, kind),
                change=words,
                direction=direction,
                note=note,
            )
        )
    return tuple(out)
