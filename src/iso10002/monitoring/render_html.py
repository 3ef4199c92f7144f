"""
The KPI report as one self-contained HTML page for a management review.

The page opens with a strip of headline figures (received, closed, open at the end, upheld
rate, median time to final response, deadlines met, satisfaction), each with an arrow and the
change on the previous period in words, then one section per subject: a chart or two (inline
SVG from :mod:`~iso10002.monitoring.charts`) followed by the table of the same figures, which
is also what a screen reader or a reader without colour uses. The counting rules close it.

Nothing is fetched and nothing runs: styles are inline (with a print layout), there is no
script, no external font, image or link, and the charts carry no namespace address. Every
text from the report is escaped. The page is also well-formed XML, so it can be checked or
transformed with an XML parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from iso10002._markup import escape, page
from iso10002.monitoring.charts import (
    SVG_NAMESPACE,
    Bar,
    Series,
    bar_chart,
    hbar_chart,
    line_chart,
    pareto_chart,
    share_bar,
)
from iso10002.monitoring.render_markdown import (
    _ARROWS,
    _BUCKETS,
    _STAGES,
    _count,
    _figures,
    _flagged,
    _meta,
    _name,
    _Section,
    _sections,
    _sla_total,
    _Table,
    _title,
)
from iso10002.monitoring.report import Breakdown, KpiReport

__all__ = ["report_to_html"]

_STYLE = """
:root { --ink: #1d2329; --muted: #5b6670; --rule: #d5dbe0; --paper: #ffffff;
  --up: #1d2329; --down: #1d2329; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 64rem; padding: 2rem 1.5rem; color: var(--ink);
  background: var(--paper); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 2px solid var(--rule); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.25rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid var(--rule); }
th { font-weight: 600; color: var(--muted); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.marked td { font-weight: 600; background: #f6f1e7; }
dl.meta, dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem;
  margin: 0 0 1rem; }
dl.meta dt, dl.facts dt { color: var(--muted); }
dl.meta dd, dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: .9em; }
nav ol { columns: 2; margin: 0; padding-left: 1.25rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr));
  gap: .75rem; list-style: none; margin: 0; padding: 0; }
.figure { border: 1px solid var(--rule); border-radius: 6px; padding: .6rem .8rem; }
.figure .label, .figure .change, .figure .note { display: block; font-size: .85rem; }
.figure .label { color: var(--muted); font-weight: 600; }
.figure .value { display: block; font-size: 1.45rem; font-weight: 700; line-height: 1.3;
  font-variant-numeric: tabular-nums; }
.figure .note { color: var(--muted); }
.arrow { font-size: .8rem; }
.charts { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: flex-start; }
figure.chart { margin: .5rem 0; max-width: 100%; }
svg.chart { max-width: 100%; height: auto; overflow: visible; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  .figure, figure.chart, tr, dl { break-inside: avoid; }
  tr.marked td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { margin: 15mm 12mm; }
}
"""
"""The page's stylesheet: inline, nothing fetched, a print layout."""


_e = escape


def _inline(svg: str) -> str:
    """A chart inside the page: HTML puts ``<svg>`` in its namespace without the address."""
    return svg.replace(f' xmlns="{SVG_NAMESPACE}"', "", 1)


def _figure(svg: str) -> str:
    return f'<figure class="chart">{_inline(svg)}</figure>'


def _page(title: str, body: Iterable[str]) -> str:
    """A complete, self-contained page: ``title`` escaped, ``body`` already HTML."""
    return page(title, body, style=_STYLE)


# -- charts per section -------------------------------------------------------------------------


def _per(report: KpiReport) -> str:
    return _BUCKETS.get(report.period.bucket, _name(report.period.bucket)).lower()


def _breakdown_chart(title: str, items: Sequence[Breakdown], *, words: bool) -> str:
    bars = [Bar(label=_name(b.key) if words else b.key, value=b.received) for b in items]
    return _figure(hbar_chart(bars, title=title, unit="complaints received"))


def _volume_charts(report: KpiReport) -> list[str]:
    trend = report.trend
    labels = [p.label for p in trend]
    series = [
        Series(
            name=label,
            values=[getattr(p, key) for p in trend],
            flagged={i for i, p in enumerate(trend) if _flagged(p, key)},
        )
        for key, label in (("received", "Received"), ("closed", "Closed"))
    ]
    title = f"Complaints received and closed per {_per(report)}"
    return [_figure(line_chart(labels, series, title=title, unit="complaints"))]


def _timeliness_charts(report: KpiReport) -> list[str]:
    trend = report.trend
    median = Series(
        name="Median time to final response",
        values=[p.median_final_response for p in trend],
        flagged={i for i, p in enumerate(trend) if _flagged(p, "median final response")},
    )
    title = f"Median time to final response per {_per(report)}"
    bars = []
    t = report.timeliness
    for stage, items in (("acknowledge", t.acknowledge), ("final_response", t.final_response)):
        for s in items:
            for what, value in (("median", s.median), ("90% within", s.p90)):
                if value is not None:
                    bars.append(
                        Bar(label=f"{_STAGES[stage]}, {s.measure} time: {what}", value=value)
                    )
    return [
        _figure(hbar_chart(bars, title="Time taken", unit="hours", max_label=44)),
        _figure(line_chart([p.label for p in trend], [median], title=title, unit="hours")),
    ]


def _deadline_charts(report: KpiReport) -> list[str]:
    out = []
    met, finished = _sla_total(report)
    if len(report.sla) > 1:
        out.append(
            share_bar(
                met / finished if finished else None,
                title="All deadlines met",
                caption=f"{met:,} of {finished:,} deadlines",
            )
        )
    for s in report.sla:
        out.append(
            share_bar(
                s.share_met,
                title=f"{_name(s.metric)}: met in time",
                caption=f"{s.met:,} of {s.finished:,} deadlines; "
                f"{_count(s.overdue_open)} still open past the deadline",
            )
        )
    if not out:
        out.append(share_bar(None, title="Deadlines met", caption="no deadline fell due"))
    return [_figure(svg) for svg in out]


def _outcome_charts(report: KpiReport) -> list[str]:
    o, r = report.outcomes, report.rates
    bars = [
        Bar(label="Upheld", value=o.upheld),
        Bar(label="Partially upheld", value=o.partially_upheld),
        Bar(label="Not upheld", value=o.not_upheld),
    ]
    out = [bar_chart(bars, title="Decisions on complaints closed", unit="complaints", width=420)]
    for label, x in (
        ("Upheld, fully or partly", o.upheld_rate),
        ("Resolved at first contact", r.first_contact_resolution),
        ("Reopened after closing", r.reopened),
        ("Internal review asked for", r.internal_review),
        ("Referred to an outside body", r.external_referral),
    ):
        out.append(
            share_bar(x.value, title=label, caption=f"{x.numerator:,} of {_count(x.denominator)}")
        )
    return [_figure(svg) for svg in out]


def _remedy_charts(report: KpiReport) -> list[str]:
    bars = [Bar(label=_name(c.key), value=c.count) for c in report.remedies]
    return [_figure(hbar_chart(bars, title="Remedies offered", unit="times offered"))]


def _root_cause_charts(report: KpiReport) -> list[str]:
    rc = report.root_causes
    bars = [Bar(label=e.cause, value=e.count, highlight=e.recurring) for e in rc.pareto]
    svg = pareto_chart(
        bars,
        title="Root causes, most frequent first",
        unit="complaints",
        highlight_label=f"recurring cause ({rc.recurring_threshold} or more)",
    )
    return [_figure(svg)]


def _satisfaction_charts(report: KpiReport) -> list[str]:
    s = report.satisfaction
    mean = None if s.mean_percent is None else min(max(s.mean_percent / 100, 0.0), 1.0)
    return [
        _figure(
            share_bar(
                mean,
                title="Average satisfaction score",
                caption=f"{_count(s.responses, 'responses')}; 0% lowest, 100% highest score",
            )
        ),
        _figure(
            share_bar(
                s.satisfied.value,
                title="Satisfied (75% of the scale or above)",
                caption=f"{s.satisfied.numerator:,} of {_count(s.responses, 'responses')}",
            )
        ),
    ]


def _charts(report: KpiReport, section: str) -> list[str]:
    if section == "volume":
        return _volume_charts(report)
    if section == "subjects":
        return [
            _breakdown_chart("By category", report.by_category, words=False),
            _breakdown_chart("By product or service", report.by_product, words=False),
        ]
    if section == "channels":
        return [
            _breakdown_chart("By channel", report.by_channel, words=True),
            _breakdown_chart("By handling priority", report.by_priority, words=True),
        ]
    if section == "timeliness":
        return _timeliness_charts(report)
    if section == "deadlines":
        return _deadline_charts(report)
    if section == "outcomes":
        return _outcome_charts(report)
    if section == "remedies":
        return _remedy_charts(report)
    if section == "root-causes":
        return _root_cause_charts(report)
    if section == "satisfaction":
        return _satisfaction_charts(report)
    return []


# -- page parts ---------------------------------------------------------------------------------


def _html_table(table: _Table) -> str:
    if not table.rows:
        return f'<p class="empty"><strong>{_e(table.caption)}:</strong> {_e(table.empty)}</p>'
    head = "".join(
        f'<th scope="col" class="n">{_e(h)}</th>' if n else f'<th scope="col">{_e(h)}</th>'
        for h, n in zip(table.headers, table.numeric, strict=True)
    )
    rows = []
    for i, row in enumerate(table.rows):
        marked = i < len(table.marked) and table.marked[i]
        cells = "".join(
            f'<td class="n">{_e(c)}</td>' if n else f"<td>{_e(c)}</td>"
            for c, n in zip(row, table.numeric, strict=True)
        )
        rows.append(f'<tr class="marked">{cells}</tr>' if marked else f"<tr>{cells}</tr>")
    return (
        f"<table><caption>{_e(table.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _html_section(report: KpiReport, section: _Section) -> str:
    parts = [f'<section id="{_e(section.id)}">', f"<h2>{_e(section.heading)}</h2>"]
    parts += [f"<p>{_e(sentence)}</p>" for sentence in section.text]
    if section.facts:
        parts.append(
            '<dl class="facts">'
            + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in section.facts)
            + "</dl>"
        )
    charts = _charts(report, section.id)
    if charts:
        parts.append('<div class="charts">' + "".join(charts) + "</div>")
    parts += [_html_table(t) for t in section.tables]
    if section.items:
        parts.append("<ol>" + "".join(f"<li>{_e(item)}</li>" for item in section.items) + "</ol>")
    parts.append("</section>")
    return "\n".join(parts)


def _meta_value(label: str, value: str) -> str:
    return f"<code>{_e(value)}</code>" if label == "Report layout" else _e(value)


def _headline(report: KpiReport) -> str:
    cards = []
    for f in _figures(report):
        arrow = _ARROWS.get(f.direction or "")
        sign = f'<span class="arrow" aria-hidden="true">{arrow}</span> ' if arrow else ""
        note = f'<span class="note">{_e(f.note)}</span>' if f.note else ""
        cards.append(
            f'<li class="figure" id="kpi-{_e(f.key)}">'
            f'<span class="label">{_e(f.label)}</span>'
            f'<span class="value">{_e(f.value)}</span>'
            f'<span class="change">{sign}{_e(f.change)}</span>{note}</li>'
        )
    return (
        '<section id="headline"><h2>Headline figures</h2>'
        f'<ul class="figures">{"".join(cards)}</ul></section>'
    )


def report_to_html(report: KpiReport) -> str:
    """
    The report as one self-contained, printable HTML page for a management review: the
    headline figures with their change on the previous period, then a section per subject
    with its charts and tables (received and closed per bucket with unusual values marked,
    categories, products, channels and priorities, time taken, deadlines met, outcomes,
    remedies and redress, the root-cause Pareto chart with recurring causes marked,
    satisfaction, any figure the report holds beyond these, the comparison) and the counting
    rules. Inline styles only (with a print layout), no script, nothing fetched, every text
    escaped.
    """
    sections = _sections(report)
    header = [
        "<header>",
        f"<h1>{_e(_title(report))}</h1>",
        '<dl class="meta">',
        *(f"<dt>{_e(k)}</dt><dd>{_meta_value(k, v)}</dd>" for k, v in _meta(report)),
        "</dl>",
        "</header>",
        '<nav aria-label="Contents"><ol>',
        '<li><a href="#headline">Headline figures</a></li>',
        *(f'<li><a href="#{_e(s.id)}">{_e(s.heading)}</a></li>' for s in sections),
        "</ol></nav>",
    ]
    body = [
        *header,
        _headline(report),
        *(_html_section(report, s) for s in sections),
        (
            f"<footer>Report layout <code>{_e(report.schema)}</code>, generated at "
            f"{_e(report.generated_at.isoformat())}.</footer>"
        ),
    ]
    return _page(_title(report), body)
