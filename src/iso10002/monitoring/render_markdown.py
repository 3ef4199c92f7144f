"""
The KPI report in words, and as Markdown.

The first part is what the Markdown and the HTML renderings both show, worded for a manager
reading at a glance: the headline figures, the sections with their sentences, facts and
tables, and the counting rules. Each number carries its unit (``412 complaints``,
``120.5 hours``, ``47.4%``); shares are shown as percentages, changes of shares in
percentage points. A report field this module does not know (a newer report, or a subclass
with extra fields) is not dropped: it becomes a section "Other figures" showing the field as
recorded.

Unusual trend values are matched to a series by the start of the anomaly's text: a bucket
whose ``anomalies`` hold ``"received above expected"`` marks its ``received`` value.

:func:`report_to_markdown` then writes those words as Markdown, every text from the report
escaped, so a category named ``<b>|*x*`` shows as written.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from iso10002._markup import md, md_code
from iso10002.model.values import Money
from iso10002.monitoring.charts import format_number
from iso10002.monitoring.report import (
    Breakdown,
    Change,
    DurationStats,
    KpiReport,
    Period,
    Rate,
    TrendPoint,
)
from iso10002.serialization import unstructure

__all__ = ["HEADLINE_KPIS", "KPI_LABELS", "report_to_markdown"]

_NO_DATA = "no data"

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
_STAGES = {"acknowledge": "Acknowledgement", "final_response": "Final response"}
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
_SINGULAR = {"complaints": "complaint", "hours": "hour", "responses": "response"}


# -- numbers and names --------------------------------------------------------------------------


def _name(key: str) -> str:
    """A machine key as words (``web_form`` -> ``Web form``); other text stays as it is."""
    if _IDENTIFIER.fullmatch(key):
        return key.replace("_", " ").capitalize()
    return key


def _count(value: float | None, unit: str = "complaints") -> str:
    """``1,234 complaints``; ``1 complaint``; ``no data``."""
    if value is None:
        return _NO_DATA
    if value == 1:
        unit = _SINGULAR.get(unit, unit)
    return f"{format_number(value)} {unit}".rstrip()


def _hours(value: float | None) -> str:
    """``120.5 hours``, with days from two days on: ``120.5 hours (5.0 days)``."""
    if value is None:
        return _NO_DATA
    text = f"{format_number(value, 1)} hours"
    if value >= 48:
        text += f" ({format_number(value / 24, 1)} days)"
    return text


def _share(fraction: float | None) -> str:
    """A fraction from 0 to 1 as a percentage with one decimal: ``47.4%``."""
    return _NO_DATA if fraction is None else f"{format_number(fraction * 100, 1)}%"


def _percent(value: float | None) -> str:
    """A value that already is a percentage: ``71.4%``."""
    return _NO_DATA if value is None else f"{format_number(value, 1)}%"


def _rate(r: Rate, of: str = "") -> str:
    """``47.4% (180 of 380 decided)``; ``no data`` when nothing was counted."""
    if r.value is None:
        return _NO_DATA
    return f"{_share(r.value)} ({format_number(r.numerator)} of {format_number(r.denominator)}{of})"


def _money(m: Money) -> str:
    """``12,345.67 GBP``: every digit of the amount kept."""
    return f"{m.amount:,f} {m.currency}"


def _value_of(value: float | None, kind: str) -> str:
    """A KPI value in its kind's words (see :data:`KPI_LABELS`)."""
    if kind == "count":
        return _count(value)
    if kind == "hours":
        return _hours(value)
    if kind == "share":
        return _share(value)
    if kind == "percent":
        return _percent(value)
    return _NO_DATA if value is None else format(value, ",")


def _kpi_label(kpi: str) -> tuple[str, str]:
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
    return _name(kpi), kind


def _day(d: _dt.date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _zone(key: str) -> _dt.tzinfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return _dt.timezone.utc


def _local(instant: _dt.datetime, zone: str) -> str:
    local = instant.astimezone(_zone(zone))
    if local.time() == _dt.time():
        return local.date().isoformat()
    return f"{local:%Y-%m-%d %H:%M}"


def _period_text(p: Period) -> str:
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


def _title(report: KpiReport) -> str:
    """The report's title, naming its period."""
    return f"Complaints monitoring report: {_period_text(report.period)}"


def _meta(report: KpiReport) -> list[tuple[str, str]]:
    """What the report covers, as label and text pairs for the page header."""
    bucket = _BUCKETS.get(report.period.bucket, _name(report.period.bucket)).lower()
    return [
        ("Period", _period_text(report.period)),
        ("Days begin in", report.period.zone),
        ("Trend by", bucket),
        ("Compared with", _period_text(report.previous)),
        ("Generated at", report.generated_at.isoformat()),
        ("Report layout", report.schema),
    ]


# -- headline figures ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Figure:
    """A headline figure: its value in words and its change on the previous period."""

    key: str
    label: str
    value: str
    change: str
    """``up 8.4% (previous period: 380 complaints)``, or why there is no comparison."""
    direction: str | None
    """``up``, ``down``, ``same``, or ``None`` without a comparison."""
    note: str


_ARROWS = {"up": "\u25b2", "down": "\u25bc", "same": "="}
"""The sign shown before a change, next to the words that say the same."""


def _change_text(change: Change | None, kind: str) -> tuple[str, str | None]:
    """The change of a KPI in words and its direction (see ``_Figure``)."""
    if change is None or change.current is None or change.previous is None:
        return "no figure for the previous period", None
    previous = _value_of(change.previous, kind)
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
        amount = _value_of(abs(delta), kind)
    return f"{direction} {amount} (previous period: {previous})", direction


def _stats(items: Sequence[DurationStats], measure: str) -> DurationStats | None:
    return next((s for s in items if s.measure == measure), None)


def _sla_total(report: KpiReport) -> tuple[int, int]:
    return sum(s.met for s in report.sla), sum(s.finished for s in report.sla)


def _own_value(report: KpiReport, key: str) -> tuple[float | None, str]:
    """A headline KPI read from the report's sections, and a note saying what it counts."""
    v, r = report.volume, report
    if key == "received":
        note = f"{_count(v.imported)} imported" if v.imported else ""
        return v.received, note
    if key == "closed":
        return v.closed, f"{_count(v.withdrawn)} withdrawn" if v.withdrawn else ""
    if key == "open_at_end":
        return v.open_at_end, f"{_count(v.open_at_start)} at the start"
    if key == "upheld_rate":
        u = r.outcomes.upheld_rate
        return u.value, f"{format_number(u.numerator)} of {_count(u.denominator)} decided"
    if key == "median_final_response_hours":
        calendar = _stats(r.timeliness.final_response, "calendar")
        business = _stats(r.timeliness.final_response, "business")
        note = f"business time: {_hours(business.median)}" if business else ""
        return (calendar.median if calendar else None), note
    if key == "sla_met_share":
        met, finished = _sla_total(r)
        value = round(met / finished, 4) if finished else None
        return value, f"{format_number(met)} of {format_number(finished)} deadlines, all targets"
    if key == "satisfaction_mean_percent":
        s = r.satisfaction
        return s.mean_percent, f"average score, {_count(s.responses, 'responses')}"
    return None, ""


def _figures(report: KpiReport) -> list[_Figure]:
    """The headline figures of :data:`HEADLINE_KPIS`, each with its change."""
    changes = {c.kpi: c for c in report.comparison}
    out = []
    for key in HEADLINE_KPIS:
        label, kind = _kpi_label(key)
        own, note = _own_value(report, key)
        change = changes.get(key)
        value = change.current if change is not None and change.current is not None else own
        words, direction = _change_text(change, kind)
        out.append(
            _Figure(
                key=key,
                label=label,
                value=_value_of(value, kind),
                change=words,
                direction=direction,
                note=note,
            )
        )
    return out


# -- sections -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Table:
    """A table of texts; ``numeric`` columns are right-aligned, ``marked`` rows stand out."""

    caption: str
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]
    marked: tuple[bool, ...] = ()
    empty: str = "Nothing to show for this period."


@attrs.frozen(kw_only=True)
class _Section:
    """One section of the report: a heading, sentences, label-value facts, tables, a list."""

    id: str
    heading: str
    text: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    tables: tuple[_Table, ...] = ()
    items: tuple[str, ...] = ()


def _flagged(point: TrendPoint, series: str) -> bool:
    """Whether one of the bucket's anomalies names ``series`` (``received``, ``closed``...)."""
    return any(a.lower().startswith(series) for a in point.anomalies)


def _breakdown(caption: str, key: str, items: Sequence[Breakdown], *, words: bool) -> _Table:
    total = sum(b.received for b in items)
    rows = tuple(
        (
            _name(b.key) if words else b.key,
            _count(b.received),
            _share(b.received / total) if total else _NO_DATA,
            _count(b.closed),
            _rate(Rate.of(b.upheld, b.closed)),
        )
        for b in items
    )
    return _Table(
        caption=caption,
        headers=(key, "Received", "Share of received", "Closed", "Upheld of closed"),
        numeric=(False, True, True, True, True),
        rows=rows,
        empty="No complaints in the period.",
    )


def _volume(report: KpiReport) -> _Section:
    v = report.volume
    facts = [
        ("Received in the period", _count(v.received)),
        ("Closed in the period", _count(v.closed)),
        ("Withdrawn", _count(v.withdrawn)),
        ("Closed as duplicates", _count(v.duplicates)),
        ("Open at the start", _count(v.open_at_start)),
        ("Open at the end", _count(v.open_at_end)),
        ("Imported from another system (of received)", _count(v.imported)),
        ("Imported and still open at the end", _count(v.imported_open)),
    ]
    if report.customers is not None:
        facts.append(("Customers", _count(report.customers, "customers")))
    if report.per_1000_customers is not None:
        facts.append(
            (
                "Complaints per 1,000 customers",
                f"{format_number(report.per_1000_customers, 2)} complaints",
            )
        )
    bucket = _BUCKETS.get(report.period.bucket, _name(report.period.bucket))
    rows = []
    for p in report.trend:
        unusual = "; ".join(p.anomalies) if p.anomalies else ""
        rows.append(
            (
                p.label,
                _local(p.start, report.period.zone),
                _count(p.received),
                _count(p.closed),
                _share(p.upheld_rate),
                _hours(p.median_final_response),
                unusual,
            )
        )
    trend = _Table(
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
    return _Section(
        id="volume",
        heading="Complaints received and closed",
        facts=tuple(facts),
        tables=(trend,),
    )


def _timeliness(report: KpiReport) -> _Section:
    t = report.timeliness
    rows = []
    for stage, items in (("acknowledge", t.acknowledge), ("final_response", t.final_response)):
        for s in items:
            rows.append(
                (
                    _STAGES[stage],
                    f"{_name(s.measure)} time",
                    _count(s.count),
                    _hours(s.mean),
                    _hours(s.median),
                    _hours(s.p90),
                    _count(s.not_measured),
                )
            )
    text = []
    final = _stats(t.final_response, "calendar")
    if final is not None and final.median is not None and final.p90 is not None:
        text.append(
            f"Half of the complaints closed in the period had their final response within "
            f"{_hours(final.median)}, nine in ten within {_hours(final.p90)}."
        )
    ack = _stats(t.acknowledge, "calendar")
    if ack is not None and ack.median is not None:
        text.append(
            f"Half of the complaints received were acknowledged within {_hours(ack.median)}."
        )
    table = _Table(
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
    return _Section(
        id="timeliness", heading="How quickly we respond", text=tuple(text), tables=(table,)
    )


def _deadlines(report: KpiReport) -> _Section:
    rows = tuple(
        (
            _name(s.metric),
            _count(s.finished, "deadlines"),
            _count(s.met, "deadlines"),
            _count(s.breached, "deadlines"),
            _share(s.share_met),
            _count(s.overdue_open),
        )
        for s in report.sla
    )
    met, finished = _sla_total(report)
    text: tuple[str, ...] = ()
    if finished:
        sentence = (
            f"{_share(met / finished)} of the {_count(finished, 'deadlines')} that fell due "
            "in the period were met."
        )
        text = (sentence,)
    table = _Table(
        caption="Deadlines by target",
        headers=("Target", "Due", "Met", "Missed", "Share met", "Still open past the deadline"),
        numeric=(False, True, True, True, True, True),
        rows=rows,
        marked=tuple(s.overdue_open > 0 for s in report.sla),
        empty="No deadline fell due in the period.",
    )
    return _Section(id="deadlines", heading="Deadlines met", text=text, tables=(table,))


def _outcomes(report: KpiReport) -> _Section:
    o, r = report.outcomes, report.rates
    facts = (
        ("Decided", _count(o.decided)),
        ("Upheld", _count(o.upheld)),
        ("Partially upheld", _count(o.partially_upheld)),
        ("Not upheld", _count(o.not_upheld)),
        ("Upheld rate (fully or partly)", _rate(o.upheld_rate, " decided")),
    )
    rows = tuple(
        (label, _share(x.value), _count(x.numerator), _count(x.denominator))
        for label, x in (
            ("Resolved at first contact", r.first_contact_resolution),
            ("Reopened after closing", r.reopened),
            ("Internal review asked for", r.internal_review),
            ("Referred to an outside body", r.external_referral),
        )
    )
    table = _Table(
        caption="Of the complaints closed",
        headers=("Measure", "Share", "Complaints", "Of closed"),
        numeric=(False, True, True, True),
        rows=rows,
    )
    return _Section(id="outcomes", heading="Outcomes", facts=facts, tables=(table,))


def _remedies(report: KpiReport) -> _Section:
    remedies = _Table(
        caption="Remedies offered",
        headers=("Remedy", "Times offered"),
        numeric=(False, True),
        rows=tuple((_name(c.key), _count(c.count, "times")) for c in report.remedies),
        empty="No remedy was offered in the period.",
    )
    redress = _Table(
        caption="Redress paid",
        headers=("Currency", "Amount"),
        numeric=(False, True),
        rows=tuple((m.currency, _money(m)) for m in report.redress),
        empty="No money was paid in the period.",
    )
    return _Section(id="remedies", heading="Remedies and redress", tables=(remedies, redress))


def _root_causes(report: KpiReport) -> _Section:
    rc = report.root_causes
    facts = (
        ("Complaints with a root cause recorded", _count(rc.recorded)),
        ("Closed without a root cause recorded", _count(rc.unrecorded)),
        (
            "A cause counts as recurring from",
            f"{_count(rc.recurring_threshold, 'occurrences')} in the period",
        ),
        ("Complaints with a recurring cause", _count(rc.recurring)),
        ("Complaints with a single-incident cause", _count(rc.single_incident)),
    )
    rows = tuple(
        (
            str(i),
            e.cause,
            e.category or "-",
            _count(e.count),
            _share(e.share),
            _share(e.cumulative_share),
            "recurring" if e.recurring else "single incident",
        )
        for i, e in enumerate(rc.pareto, 1)
    )
    text: tuple[str, ...] = ()
    if rc.pareto:
        top = [e for e in rc.pareto if e.cumulative_share <= 0.8 + 1e-9] or [rc.pareto[0]]
        sentence = (
            f"{len(top)} of {len(rc.pareto)} causes account for "
            f"{_share(top[-1].cumulative_share)} of the complaints with a recorded cause."
        )
        text = (sentence,)
    table = _Table(
        caption="Causes, most frequent first",
        headers=("Rank", "Cause", "Category", "Complaints", "Share", "Cumulative share", "Kind"),
        numeric=(True, False, False, True, True, True, False),
        rows=rows,
        marked=tuple(e.recurring for e in rc.pareto),
        empty="No root cause was recorded in the period.",
    )
    return _Section(
        id="root-causes", heading="Root causes", text=text, facts=facts, tables=(table,)
    )


def _satisfaction(report: KpiReport) -> _Section:
    s = report.satisfaction
    facts = (
        ("Survey responses", _count(s.responses, "responses")),
        ("Average score", _percent(s.mean_percent) + (" of the scale" if s.mean_percent else "")),
        ("Satisfied (75% of the scale or above)", _rate(s.satisfied, " responses")),
    )
    return _Section(
        id="satisfaction", heading="Satisfaction with how complaints were handled", facts=facts
    )


def _comparison(report: KpiReport) -> _Section:
    rows = []
    for c in report.comparison:
        label, kind = _kpi_label(c.kpi)
        words, _ = _change_text(c, kind)
        rows.append(
            (
                label,
                _value_of(c.current, kind),
                _value_of(c.previous, kind),
                words.split(" (previous period")[0],
            )
        )
    table = _Table(
        caption=f"This period and {_period_text(report.previous)}",
        headers=("Figure", "This period", "Previous period", "Change"),
        numeric=(False, True, True, False),
        rows=tuple(rows),
        empty="No comparison with the previous period.",
    )
    return _Section(id="comparison", heading="Compared with the previous period", tables=(table,))


def _rules(report: KpiReport) -> _Section:
    return _Section(
        id="rules",
        heading="How the figures are counted",
        items=report.rules,
        text=() if report.rules else ("The report states no counting rules.",),
    )


# -- fields this module does not know -----------------------------------------------------------

_KNOWN_FIELDS = frozenset(
    {
        "schema",
        "generated_at",
        "period",
        "previous",
        "volume",
        "by_channel",
        "by_category",
        "by_product",
        "by_priority",
        "timeliness",
        "sla",
        "outcomes",
        "remedies",
        "redress",
        "rates",
        "satisfaction",
        "customers",
        "per_1000_customers",
        "root_causes",
        "trend",
        "comparison",
        "rules",
    }
)
"""The report fields the sections above lay out; any other is shown as recorded."""


def _is_records(data: object) -> bool:
    return isinstance(data, list) and bool(data) and all(isinstance(x, dict) for x in data)


def _cell(value: object) -> str:
    """One JSON value as text: numbers with separators, records as ``key: value`` lists."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return format(value, ",")
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return ", ".join(f"{_name(str(k))}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ("; " if _is_records(value) else ", ").join(_cell(x) for x in value)
    return str(value)


def _records(caption: str, records: list[dict[str, Any]]) -> _Table:
    keys = list(dict.fromkeys(k for item in records for k in item))
    numeric = tuple(
        all(isinstance(i.get(k), (int, float)) and not isinstance(i.get(k), bool) for i in records)
        for k in keys
    )
    return _Table(
        caption=caption,
        headers=tuple(_name(k) for k in keys),
        numeric=numeric,
        rows=tuple(tuple(_cell(item.get(k)) for k in keys) for item in records),
    )


def _record(section: str, heading: str, data: dict[str, Any], text: tuple[str, ...]) -> _Section:
    """One record: its plain values as facts, each list of records in it as a table."""
    return _Section(
        id=section,
        heading=heading,
        text=text,
        facts=tuple((_name(k), _cell(v)) for k, v in data.items() if not _is_records(v)),
        tables=tuple(_records(_name(k), v) for k, v in data.items() if _is_records(v)),
    )


def _extra(field: str, value: object) -> list[_Section]:
    """A field this module does not know, laid out from its JSON shape."""
    data: Any = unstructure(value)
    heading = f"Other figures: {_name(field)}"
    section = f"extra-{field}"
    text = (f"Shown as recorded in the report's field {field!r}.",)
    if _is_records(data) and any(_is_records(v) for item in data for v in item.values()):
        return [
            _record(f"{section}-{i}", f"{heading} ({i} of {len(data)})", item, text)
            for i, item in enumerate(data, 1)
        ]
    if _is_records(data):
        return [
            _Section(id=section, heading=heading, text=text, tables=(_records(_name(field), data),))
        ]
    if isinstance(data, dict):
        return [_record(section, heading, data, text)]
    if isinstance(data, list):
        items = tuple(_cell(x) for x in data) or ("(none)",)
        return [_Section(id=section, heading=heading, text=text, items=items)]
    return [_Section(id=section, heading=heading, text=text, facts=((_name(field), _cell(data)),))]


def _extra_sections(report: KpiReport) -> list[_Section]:
    """Sections for each report field outside ``_KNOWN_FIELDS``, in field order."""
    return [
        section
        for f in attrs.fields(type(report))
        if f.name not in _KNOWN_FIELDS
        for section in _extra(f.name, getattr(report, f.name))
    ]


def _sections(report: KpiReport) -> list[_Section]:
    """Every section after the headline figures, in reading order."""
    return [
        _volume(report),
        _Section(
            id="subjects",
            heading="What complaints are about",
            tables=(
                _breakdown("By category", "Category", report.by_category, words=False),
                _breakdown("By product or service", "Product", report.by_product, words=False),
            ),
        ),
        _Section(
            id="channels",
            heading="How complaints reached us",
            tables=(
                _breakdown("By channel", "Channel", report.by_channel, words=True),
                _breakdown("By handling priority", "Priority", report.by_priority, words=True),
            ),
        ),
        _timeliness(report),
        _deadlines(report),
        _outcomes(report),
        _remedies(report),
        _root_causes(report),
        _satisfaction(report),
        *_extra_sections(report),
        _comparison(report),
        _rules(report),
    ]


# -- Markdown -----------------------------------------------------------------------------------

_md = md
_md_code = md_code


def _md_table(table: _Table) -> list[str]:
    lines = [f"**{_md(table.caption)}**", ""]
    if not table.rows:
        return [*lines, _md(table.empty), ""]
    lines.append("| " + " | ".join(_md(h) for h in table.headers) + " |")
    lines.append("|" + "|".join("---:" if n else "---" for n in table.numeric) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(_md(c) if c else " " for c in row) + " |")
    return [*lines, ""]


def _md_section(section: _Section) -> list[str]:
    lines = [f"## {_md(section.heading)}", ""]
    for sentence in section.text:
        lines += [_md(sentence), ""]
    if section.facts:
        lines += [f"- {_md(label)}: {_md(value)}" for label, value in section.facts]
        lines.append("")
    for table in section.tables:
        lines += _md_table(table)
    if section.items:
        lines += [f"{i}. {_md(item)}" for i, item in enumerate(section.items, 1)]
        lines.append("")
    return lines


def report_to_markdown(report: KpiReport) -> str:
    """
    The report as Markdown: the period and the headline figures (received, closed, open at
    the end, upheld rate, median time to final response, deadlines met, satisfaction) with
    their change on the previous period, then a section per subject with its tables
    (volume and trend, categories and products, channels and priorities, timeliness,
    deadlines, outcomes, remedies and redress, root causes, satisfaction, any figure the
    report holds beyond these, the comparison) and the counting rules last.
    """
    lines = [f"# {_md(_title(report))}", ""]
    for label, value in _meta(report):
        shown = _md_code(value) if label == "Report layout" else _md(value)
        lines.append(f"- {label}: {shown}")
    lines += [
        "",
        "## Headline figures",
        "",
        "| Figure | This period | Change on the previous period | Note |",
        "|---|---:|---|---|",
    ]
    for f in _figures(report):
        arrow = _ARROWS.get(f.direction or "", "")
        change = f"{arrow} {f.change}".strip()
        lines.append(f"| {_md(f.label)} | {_md(f.value)} | {_md(change)} | {_md(f.note)} |")
    lines.append("")
    for section in _sections(report):
        lines += _md_section(section)
    return "\n".join(lines).rstrip("\n") + "\n"
