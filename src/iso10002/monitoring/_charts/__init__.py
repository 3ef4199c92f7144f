"""
The drawing behind :mod:`iso10002.monitoring.charts`: SVG primitives (``svg``), the value
axis and plot area (``axes``), and one module per kind of chart (``bars``, ``line``,
``pareto``, ``share``). The values a chart draws are in ``values``.
"""

from __future__ import annotations

from iso10002.monitoring._charts.axes import nice_ticks
from iso10002.monitoring._charts.bars import bar_chart, hbar_chart
from iso10002.monitoring._charts.line import line_chart
from iso10002.monitoring._charts.pareto import pareto_chart
from iso10002.monitoring._charts.share import share_bar
from iso10002.monitoring._charts.svg import SVG_NAMESPACE
from iso10002.monitoring._charts.values import Bar, Series

__all__ = [
    "SVG_NAMESPACE",
    "Bar",
    "Series",
    "bar_chart",
    "hbar_chart",
    "line_chart",
    "nice_ticks",
    "pareto_chart",
    "share_bar",
]
