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

An application that shows the report inside its own layout takes the same content without the
page around it from :func:`report_to_html_fragment`, and its stylesheet from
:func:`report_fragment_css`, whose every rule is scoped to the fragment's wrapper.
"""

from __future__ import annotations

from collections.abc import Iterable

from iso10002._markup import escape, page
from iso10002.monitoring._charts import (
    SVG_NAMESPACE,
    Bar,
    Series,
    bar_chart,
    hbar_chart,
    line_chart,
    pareto_chart,
    share_bar,
)
from iso10002.monitoring._view import (
    BarChart,
    Chart,
    Figure,
    LineChart,
    ParetoChart,
    Section,
    Table,
    report_view,
)
from iso10002.monitoring.report import KpiReport

__all__ = ["FRAGMENT_CLASS", "report_fragment_css", "report_to_html", "report_to_html_fragment"]

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

FRAGMENT_CLASS = "iso10002-report"
"""The class of the element that wraps a fragment, to which its stylesheet is scoped."""


_e = escape


def _inline(svg: str) -> str:
    """A chart inside the page: HTML puts ``<svg>`` in its namespace without the address."""
    return svg.replace(f' xmlns="{SVG_NAMESPACE}"', "", 1)


def _figure(svg: str) -> str:
    return f'<figure class="chart">{_inline(svg)}</figure>'


def _page(title: str, body: Iterable[str]) -> str:
    """A complete, self-contained page: ``title`` escaped, ``body`` already HTML."""
    return page(title, body, style=_STYLE)


# -- charts -------------------------------------------------------------------------------------


def _bars(chart: BarChart | ParetoChart) -> list[Bar]:
    return [Bar(label=a.label, value=a.value, highlight=a.highlight) for a in chart.bars]


def _draw(chart: Chart) -> str:
    """A chart of the view as SVG; its values are checked here, where they are drawn."""
    if isinstance(chart, BarChart) and chart.horizontal:
        return hbar_chart(
            _bars(chart), title=chart.title, unit=chart.unit, max_label=chart.label_chars
        )
    if isinstance(chart, BarChart):
        # Upright bars share a row with share bars on the page, so they are drawn narrower.
        return bar_chart(_bars(chart), title=chart.title, unit=chart.unit, width=420)
    if isinstance(chart, LineChart):
        series = [Series(name=s.name, values=s.values, flagged=s.flagged) for s in chart.series]
        return line_chart(chart.labels, series, title=chart.title, unit=chart.unit)
    if isinstance(chart, ParetoChart):
        return pareto_chart(
            _bars(chart),
            title=chart.title,
            unit=chart.unit,
            highlight_label=chart.highlight_label,
        )
    return share_bar(chart.share, title=chart.title, caption=chart.caption)


# -- page parts ---------------------------------------------------------------------------------


def _html_table(table: Table) -> str:
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


def _html_section(section: Section) -> str:
    parts = [f'<section id="{_e(section.id)}">', f"<h2>{_e(section.heading)}</h2>"]
    parts += [f"<p>{_e(sentence)}</p>" for sentence in section.text]
    if section.facts:
        parts.append(
            '<dl class="facts">'
            + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in section.facts)
            + "</dl>"
        )
    if section.charts:
        charts = "".join(_figure(_draw(chart)) for chart in section.charts)
        parts.append(f'<div class="charts">{charts}</div>')
    parts += [_html_table(t) for t in section.tables]
    if section.items:
        parts.append("<ol>" + "".join(f"<li>{_e(item)}</li>" for item in section.items) + "</ol>")
    parts.append("</section>")
    return "\n".join(parts)


def _headline(figures: Iterable[Figure]) -> str:
    cards = []
    for f in figures:
        sign = f'<span class="arrow" aria-hidden="true">{f.arrow}</span> ' if f.arrow else ""
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


def _content(report: KpiReport) -> tuple[str, list[str]]:
    """The report's title and its content as HTML: header, contents, sections, footer."""
    view = report_view(report)
    header = [
        "<header>",
        f"<h1>{_e(view.title)}</h1>",
        '<dl class="meta">',
        *(
            f"<dt>{_e(d.label)}</dt><dd>"
            + (f"<code>{_e(d.value)}</code>" if d.code else _e(d.value))
            + "</dd>"
            for d in view.details
        ),
        "</dl>",
        "</header>",
        '<nav aria-label="Contents"><ol>',
        '<li><a href="#headline">Headline figures</a></li>',
        *(f'<li><a href="#{_e(s.id)}">{_e(s.heading)}</a></li>' for s in view.sections),
        "</ol></nav>",
    ]
    body = [
        *header,
        _headline(view.figures),
        *(_html_section(s) for s in view.sections),
        (
            f"<footer>Report layout <code>{_e(view.layout)}</code>, generated at "
            f"{_e(view.generated_at)}.</footer>"
        ),
    ]
    return view.title, body


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
    title, body = _content(report)
    return _page(title, body)


def report_to_html_fragment(report: KpiReport) -> str:
    """
    The content of :func:`report_to_html` without the page around it, for an application
    that shows the report inside its own layout: one ``<div class="iso10002-report">``
    holding the same header, contents, sections and footer, with no ``<html>``, ``<head>``
    or ``<style>``. Style it with :func:`report_fragment_css`. The fragment keeps the page's
    element ids (``headline``, one per section, ``kpi-...`` per figure), which its contents
    links point to: show one report per page. Well-formed XML, every text escaped.
    """
    _, body = _content(report)
    return "\n".join([f'<div class="{FRAGMENT_CLASS}">', *body, "</div>"])


def report_fragment_css() -> str:
    """
    The stylesheet of :func:`report_to_html_fragment`: the page's own rules, each scoped to
    the fragment's wrapper (``.iso10002-report``) so that none reaches the rest of the
    host page. The rules for the page itself (its body's font, width and margins, the
    printed page's margins) are left out: the host page sets those.
    """
    return _scoped(_STYLE, f".{FRAGMENT_CLASS}")


def _scoped(css: str, scope: str) -> str:
    """
    ``css`` with each selector under ``scope``: ``:root`` becomes ``scope`` itself, ``body``
    rules and at-rules other than ``@media`` are dropped. Reads the flat rules and ``@media``
    blocks of the page's own stylesheet, which holds no comments or strings with braces.
    """
    rules = []
    at = 0
    while (start := css.find("{", at)) != -1:
        prelude, end, depth = css[at:start].strip(), start + 1, 1
        while depth:
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        block = css[start + 1 : end - 1]
        at = end
        if prelude.startswith("@media"):
            inner = _scoped(block, scope)
            if inner:
                rules.append(f"{prelude} {{\n{inner}}}")
        elif not prelude.startswith("@") and prelude != "body":
            selectors = (s.strip() for s in prelude.split(","))
            under = ", ".join(scope if s == ":root" else f"{scope} {s}" for s in selectors)
            rules.append(f"{under} {{{block}}}")
    return "".join(f"{rule}\n" for rule in rules)
