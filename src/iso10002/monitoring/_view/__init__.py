"""
A KPI report in words, once, for every rendering: :func:`report_view` turns a
:class:`~iso10002.monitoring.report.KpiReport` into a :class:`ReportView` that the Markdown
and the HTML renderers only format.

The view is worded for a manager reading at a glance: the headline figures, the sections
with their sentences, facts, charts and tables, and the counting rules. A report field the
view does not know (a newer report, or a subclass with extra fields) is not dropped: it becomes
a section "Other figures" showing the field as recorded.

- ``words``: numbers with their units, names, the period;
- ``headline``: the title, what the report covers, the headline figures;
- ``handling`` and ``results``: the sections, each with its tables and charts; ``surveys``:
  one section per survey asked for;
- ``extra``: sections for the fields the others do not know;
- ``layout``: the shape of the view.
"""

from __future__ import annotations

from iso10002.monitoring._view import handling, results
from iso10002.monitoring._view.extra import extra_sections
from iso10002.monitoring._view.headline import HEADLINE_KPIS, details, figures, title
from iso10002.monitoring._view.layout import (
    ARROWS,
    Amount,
    BarChart,
    Chart,
    Detail,
    Figure,
    Line,
    LineChart,
    ParetoChart,
    ReportView,
    Section,
    ShareChart,
    Table,
)
from iso10002.monitoring._view.surveys import surveys
from iso10002.monitoring._view.words import KPI_LABELS
from iso10002.monitoring.report import KpiReport

__all__ = [
    "ARROWS",
    "HEADLINE_KPIS",
    "KPI_LABELS",
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
    "report_view",
]


def report_view(report: KpiReport, *, charts: bool = True) -> ReportView:
    """
    The report in words: its title, what it covers, the headline figures, then the sections
    in reading order (volume and trend, subjects, channels, timeliness, deadlines, outcomes,
    remedies, root causes, satisfaction, each survey asked for, any field the view does not
    know, the comparison)
    and the counting rules last. Without ``charts`` the sections hold no charts, for a
    rendering that does not draw them.
    """
    return ReportView(
        title=title(report),
        details=details(report),
        figures=figures(report),
        sections=(
            handling.volume(report, draw=charts),
            handling.subjects(report, draw=charts),
            handling.channels(report, draw=charts),
            handling.timeliness(report, draw=charts),
            handling.deadlines(report, draw=charts),
            results.outcomes(report, draw=charts),
            results.remedies(report, draw=charts),
            results.root_causes(report, draw=charts),
            results.satisfaction(report, draw=charts),
            *surveys(report),
            *extra_sections(report),
            results.comparison(report),
            results.rules(report),
        ),
        layout=report.schema,
        generated_at=report.generated_at.isoformat(),
    )
