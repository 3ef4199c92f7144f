"""
SVG charts for the KPI report: plain strings, built with the standard library only.

Every chart is one ``<svg>`` element that stands on its own: no script, no stylesheet, font
or image fetched, no identifiers that could clash when several charts share a page. The same
input gives the same bytes (coordinates are written with two decimals at most). Each chart is
an accessible image: ``role="img"``, an ``aria-label`` and a ``<title>`` that say what it shows
and its most important values, and a ``<title>`` on every bar and point with its exact value;
the HTML report puts a table with the same figures next to each chart for readers who cannot
see it. All text is escaped, and characters XML does not allow are dropped.

Colours keep a contrast of at least 4.5:1 against white, and nothing is told by colour alone:
highlighted bars (unusual values, recurring causes) also carry a triangle marker, unusual points
on a line a diamond, and the lines of a chart differ in dash pattern and marker shape.

Values are counts, hours or shares: finite and never negative (a bar or a series refuses
anything else with :class:`~iso10002.errors.ValidationError`). A chart without data, or whose
values are all 0, says "No data" instead of drawing an empty axis.

- :func:`bar_chart`: vertical bars, e.g. complaints received per month;
- :func:`hbar_chart`: horizontal bars for long labels (categories, channels, products);
- :func:`line_chart`: several series over the same buckets, unusual points marked;
- :func:`pareto_chart`: causes sorted by count with the cumulative share on a 0-100 % axis;
- :func:`share_bar`: one share of a whole, e.g. the share of deadlines met.

The drawing itself is private, in ``iso10002.monitoring._charts``: SVG primitives, the value
axis, and one module per kind of chart.
"""

from __future__ import annotations

from iso10002.monitoring._charts import (
    SVG_NAMESPACE,
    Bar,
    Series,
    bar_chart,
    hbar_chart,
    line_chart,
    nice_ticks,
    pareto_chart,
    share_bar,
)
from iso10002.monitoring._numbers import format_number

__all__ = [
    "SVG_NAMESPACE",
    "Bar",
    "Series",
    "bar_chart",
    "format_number",
    "hbar_chart",
    "line_chart",
    "nice_ticks",
    "pareto_chart",
    "share_bar",
]
