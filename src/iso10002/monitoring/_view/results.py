"""
The sections on what came of the complaints: outcomes, remedies and redress, root causes,
satisfaction, the comparison with the previous period, and the counting rules.
"""

from __future__ import annotations

from iso10002.monitoring._view.headline import change_text
from iso10002.monitoring._view.layout import (
    Amount,
    BarChart,
    Chart,
    ParetoChart,
    Section,
    ShareChart,
    Table,
)
from iso10002.monitoring._view.words import (
    NOT_MEASURED,
    count,
    kpi_label,
    money,
    name,
    percent,
    period_text,
    rate,
    share,
    value_of,
)
from iso10002.monitoring.report import KpiReport, Rate

__all__ = ["comparison", "outcomes", "remedies", "root_causes", "rules", "satisfaction"]

_SATISFIED = "Satisfied (75% of the scale or above)"


def outcomes(report: KpiReport, *, draw: bool) -> Section:
    """Decisions on the complaints closed, and the rates of what followed."""
    o, r = report.outcomes, report.rates
    facts = (
        ("Decided", count(o.decided)),
        ("Upheld", count(o.upheld)),
        ("Partially upheld", count(o.partially_upheld)),
        ("Not upheld", count(o.not_upheld)),
        ("Upheld rate (fully or partly)", rate(o.upheld_rate, " decided")),
    )
    rates = (
        ("Resolved at first contact", r.first_contact_resolution),
        ("Reopened after closing", r.reopened),
        ("Internal review asked for", r.internal_review),
        ("Referred to an outside body", r.external_referral),
    )
    unmeasured = r.first_contact_not_measured
    fcr = r.first_contact_resolution

    def shown(x: Rate) -> str:
        # A share nothing could measure is "not measured", not "no data": there was data.
        if x is fcr and x.value is None and unmeasured:
            return NOT_MEASURED
        return share(x.value)

    table = Table(
        caption="Of the complaints closed",
        headers=("Measure", "Share", "Complaints", "Of closed"),
        numeric=(False, True, True, True),
        rows=tuple(
            (label, shown(x), count(x.numerator), count(x.denominator)) for label, x in rates
        ),
    )
    text: tuple[str, ...] = ()
    if unmeasured:
        text = (
            f"Resolved at first contact: {NOT_MEASURED} for {count(unmeasured)} of those "
            "closed, imported with dates only: whether a decision went out within 24 hours of "
            "receipt cannot be told from dates"
            + (", so the figure is not measured at all." if fcr.value is None else "."),
        )
    charts: list[Chart] = []
    if draw:
        decisions = (
            Amount(label="Upheld", value=o.upheld),
            Amount(label="Partially upheld", value=o.partially_upheld),
            Amount(label="Not upheld", value=o.not_upheld),
        )
        charts.append(
            BarChart(
                title="Decisions on complaints closed",
                unit="complaints",
                bars=decisions,
                horizontal=False,
            )
        )
        charts += [
            ShareChart(
                title=label, share=x.value, caption=f"{x.numerator:,} of {count(x.denominator)}"
            )
            for label, x in (("Upheld, fully or partly", o.upheld_rate), *rates)
            if not (x is fcr and x.value is None and unmeasured)
        ]
    return Section(
        id="outcomes",
        heading="Outcomes",
        text=text,
        facts=facts,
        charts=tuple(charts),
        tables=(table,),
    )


def remedies(report: KpiReport, *, draw: bool) -> Section:
    """The remedies offered and the money paid."""
    kinds = [(name(c.key), c.count) for c in report.remedies]
    offered = Table(
        caption="Remedies offered",
        headers=("Remedy", "Times offered"),
        numeric=(False, True),
        rows=tuple((label, count(n, "times")) for label, n in kinds),
        empty="No remedy was offered in the period.",
    )
    redress = Table(
        caption="Redress paid",
        headers=("Currency", "Amount"),
        numeric=(False, True),
        rows=tuple((m.currency, money(m)) for m in report.redress),
        empty="No money was paid in the period.",
    )
    chart = BarChart(
        title=offered.caption,
        unit="times offered",
        bars=tuple(Amount(label=label, value=n) for label, n in kinds),
    )
    return Section(
        id="remedies",
        heading="Remedies and redress",
        charts=(chart,) if draw else (),
        tables=(offered, redress),
    )


def root_causes(report: KpiReport, *, draw: bool) -> Section:
    """Root causes, most frequent first, recurring ones marked."""
    rc = report.root_causes
    facts = (
        ("Complaints with a root cause recorded", count(rc.recorded)),
        ("Closed without a root cause recorded", count(rc.unrecorded)),
        (
            "A cause counts as recurring from",
            f"{count(rc.recurring_threshold, 'occurrences')} in the period",
        ),
        ("Complaints with a recurring cause", count(rc.recurring)),
        ("Complaints with a single-incident cause", count(rc.single_incident)),
    )
    rows = tuple(
        (
            str(i),
            e.cause,
            e.category or "-",
            count(e.count),
            share(e.share),
            share(e.cumulative_share),
            "recurring" if e.recurring else "single incident",
        )
        for i, e in enumerate(rc.pareto, 1)
    )
    text: tuple[str, ...] = ()
    if rc.pareto:
        top = [e for e in rc.pareto if e.cumulative_share <= 0.8 + 1e-9] or [rc.pareto[0]]
        sentence = (
            f"{len(top)} of {len(rc.pareto)} causes account for "
            f"{share(top[-1].cumulative_share)} of the complaints with a recorded cause."
        )
        text = (sentence,)
    table = Table(
        caption="Causes, most frequent first",
        headers=("Rank", "Cause", "Category", "Complaints", "Share", "Cumulative share", "Kind"),
        numeric=(True, False, False, True, True, True, False),
        rows=rows,
        marked=tuple(e.recurring for e in rc.pareto),
        empty="No root cause was recorded in the period.",
    )
    charts: tuple[Chart, ...] = ()
    if draw:
        bars = (Amount(label=e.cause, value=e.count, highlight=e.recurring) for e in rc.pareto)
        chart = ParetoChart(
            title="Root causes, most frequent first",
            unit="complaints",
            bars=tuple(bars),
            highlight_label=f"recurring cause ({rc.recurring_threshold} or more)",
        )
        charts = (chart,)
    return Section(
        id="root-causes",
        heading="Root causes",
        text=text,
        facts=facts,
        charts=charts,
        tables=(table,),
    )


def satisfaction(report: KpiReport, *, draw: bool) -> Section:
    """Satisfaction with how complaints were handled, from the survey responses."""
    s = report.satisfaction
    responses = count(s.responses, "responses")
    facts = (
        ("Survey responses", responses),
        ("Average score", percent(s.mean_percent) + (" of the scale" if s.mean_percent else "")),
        (_SATISFIED, rate(s.satisfied, " responses")),
    )
    mean = None if s.mean_percent is None else min(max(s.mean_percent / 100, 0.0), 1.0)
    charts = (
        ShareChart(
            title="Average satisfaction score",
            share=mean,
            caption=f"{responses}; 0% lowest, 100% highest score",
        ),
        ShareChart(
            title=_SATISFIED,
            share=s.satisfied.value,
            caption=f"{s.satisfied.numerator:,} of {responses}",
        ),
    )
    return Section(
        id="satisfaction",
        heading="Satisfaction with how complaints were handled",
        facts=facts,
        charts=charts if draw else (),
    )


def comparison(report: KpiReport) -> Section:
    """Each compared figure this period and the previous one, with its change."""
    rows = []
    text: list[str] = []
    for c in report.comparison:
        label, kind = kpi_label(c.kpi)
        words, _ = change_text(c, kind)
        # A figure there was data for but that could not be measured is "not measured".
        current = value_of(c.current, kind)
        previous = value_of(c.previous, kind)
        if c.current is None and c.current_not_measured:
            current = NOT_MEASURED
        if c.previous is None and c.previous_not_measured:
            previous = NOT_MEASURED
            text.append(
                f"{label}, previous period: {NOT_MEASURED}, as all "
                f"{count(c.previous_not_measured)} closed then were imported with dates only: "
                "whether a decision went out within 24 hours of receipt cannot be told from dates."
            )
        if NOT_MEASURED in (current, previous):
            words = f"no comparison: {NOT_MEASURED}"
        rows.append((label, current, previous, words.split(" (previous period")[0]))
    table = Table(
        caption=f"This period and {period_text(report.previous)}",
        headers=("Figure", "This period", "Previous period", "Change"),
        numeric=(False, True, True, False),
        rows=tuple(rows),
        empty="No comparison with the previous period.",
    )
    return Section(
        id="comparison",
        heading="Compared with the previous period",
        tables=(table,),
        text=tuple(text),
    )


def rules(report: KpiReport) -> Section:
    """The counting rules the report states, for the reader."""
    return Section(
        id="rules",
        heading="How the figures are counted",
        items=report.rules,
        text=() if report.rules else ("The report states no counting rules.",),
    )
