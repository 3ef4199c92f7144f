"""
Monitoring and analysis (ISO 10002 8.2 to 8.4): KPIs over a period, trends, root causes, and
the report as JSON, Markdown or a self-contained HTML page with charts.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iso10002.monitoring.buckets import BUCKETS
    from iso10002.monitoring.charts import (
        Bar,
        Series,
        bar_chart,
        hbar_chart,
        line_chart,
        pareto_chart,
        share_bar,
    )
    from iso10002.monitoring.kpis import RULES, compute_kpis, kpis_from_complaints, kpis_from_rows
    from iso10002.monitoring.render import (
        HEADLINE_KPIS,
        KPI_LABELS,
        report_fragment_css,
        report_from_dict,
        report_from_json,
        report_to_dict,
        report_to_html,
        report_to_html_fragment,
        report_to_json,
        report_to_markdown,
    )
    from iso10002.monitoring.report import (
        REPORT_SCHEMA,
        Breakdown,
        Change,
        Count,
        DurationStats,
        KpiReport,
        Outcomes,
        ParetoEntry,
        Period,
        Rate,
        Rates,
        RootCauses,
        Satisfaction,
        SlaShare,
        Timeliness,
        TrendPoint,
        Volume,
    )
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "BUCKETS",
    "HEADLINE_KPIS",
    "KPI_LABELS",
    "REPORT_SCHEMA",
    "RULES",
    "Bar",
    "Breakdown",
    "Change",
    "Count",
    "DurationStats",
    "KpiReport",
    "Outcomes",
    "ParetoEntry",
    "Period",
    "Rate",
    "Rates",
    "RootCauses",
    "Satisfaction",
    "Series",
    "SlaShare",
    "Timeliness",
    "TrendPoint",
    "Volume",
    "bar_chart",
    "compute_kpis",
    "hbar_chart",
    "kpis_from_complaints",
    "kpis_from_rows",
    "line_chart",
    "pareto_chart",
    "report_fragment_css",
    "report_from_dict",
    "report_from_json",
    "report_to_dict",
    "report_to_html",
    "report_to_html_fragment",
    "report_to_json",
    "report_to_markdown",
    "share_bar",
]
