"""
The shape of a report view: what every rendering of a KPI report lays out, already in words.

A :class:`ReportView` holds the title, what the report covers, the headline figures and the
sections in reading order. A section holds sentences, label-value facts, the charts to draw
(for a rendering that draws: the page), tables and a numbered list. Nothing here is Markdown,
HTML or SVG, and nothing is checked that a rendering would not check: the renderers escape and
format these texts, and the page turns the charts' values into drawings.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

__all__ = [
    "ARROWS",
    "Amount",
    "BarChart",
    "Chart",
    "Detail",
    "Figure",
    "Line",
    "LineChart",
    "ParetoChart",
    "ReportView",
    "Section",
    "ShareChart",
    "Table",
]

ARROWS = {"up": "\u25b2", "down": "\u25bc", "same": "="}
"""The sign shown before a change, next to the words that say the same."""


@attrs.frozen(kw_only=True)
class Detail:
    """One thing the report covers (its period, its zone...), for the head of the report."""

    label: str
    value: str
    code: bool = False
    """Whether the value is a literal to show as code (the report's layout name)."""


@attrs.frozen(kw_only=True)
class Figure:
    """A headline figure: its value in words and its change on the previous period."""

    key: str
    label: str
    value: str
    change: str
    """``up 8.4% (previous period: 380 complaints)``, or why there is no comparison."""
    direction: str | None
    """``up``, ``down``, ``same``, or ``None`` without a comparison."""
    note: str

    @property
    def arrow(self) -> str:
        """The sign of :attr:`direction` (see :data:`ARROWS`), empty without a comparison."""
        return ARROWS.get(self.direction or "", "")


@attrs.frozen(kw_only=True)
class Table:
    """A table of texts; ``numeric`` columns are right-aligned, ``marked`` rows stand out."""

    caption: str
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]
    marked: tuple[bool, ...] = ()
    empty: str = "Nothing to show for this period."


@attrs.frozen(kw_only=True)
class Amount:
    """One bar of a chart: a label, its value, and whether it stands out."""

    label: str
    value: float
    highlight: bool = False


@attrs.frozen(kw_only=True)
class Line:
    """One line of a chart: a value per trend bucket (``None``: none), unusual ones flagged."""

    name: str
    values: tuple[float | None, ...]
    flagged: frozenset[int] = frozenset()
    """Indices of the buckets whose value looks unusual."""


@attrs.frozen(kw_only=True)
class BarChart:
    """Bars in the given order: across (``horizontal``) for long labels, else upright."""

    title: str
    unit: str
    bars: tuple[Amount, ...]
    horizontal: bool = True
    label_chars: int = 28
    """How much of a label beside a horizontal bar is shown before it is cut."""


@attrs.frozen(kw_only=True)
class LineChart:
    """Series over the trend's buckets, unusual values flagged."""

    title: str
    unit: str
    labels: tuple[str, ...]
    series: tuple[Line, ...]


@attrs.frozen(kw_only=True)
class ParetoChart:
    """Causes by count, largest first, with their cumulative share; ``highlight_label`` names
    what a marked bar means."""

    title: str
    unit: str
    bars: tuple[Amount, ...]
    highlight_label: str


@attrs.frozen(kw_only=True)
class ShareChart:
    """One share of a whole (``None``: nothing to measure), with a caption."""

    title: str
    share: float | None
    caption: str


Chart: TypeAlias = BarChart | LineChart | ParetoChart | ShareChart
"""A chart a section shows next to its tables."""


@attrs.frozen(kw_only=True)
class Section:
    """One section of the report: a heading, sentences, facts, charts, tables, a list."""

    id: str
    heading: str
    text: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    items: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class ReportView:
    """A KPI report in words, in reading order, for every rendering."""

    title: str
    details: tuple[Detail, ...]
    figures: tuple[Figure, ...]
    sections: tuple[Section, ...]
    layout: str
    """The report's layout name (``iso10002.kpi-report/1``)."""
    generated_at: str
    """When the report was computed, ISO 8601."""
