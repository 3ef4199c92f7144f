"""
Every rendering of a KPI report, in one place.

- :func:`report_to_dict`, :func:`report_to_json`, :func:`report_from_dict`,
  :func:`report_from_json`: the stable JSON layout ``iso10002.kpi-report/1``, documented
  field by field in :mod:`iso10002.monitoring.render_json`;
- :func:`report_to_markdown`: headline figures, a table per section, the counting rules;
- :func:`report_to_html`: one self-contained, printable page with charts for a management
  review; :func:`report_to_html_fragment` and :func:`report_fragment_css`: the same content
  and its scoped stylesheet, for a page of the application's own.
"""

from __future__ import annotations

from iso10002.monitoring.render_html import (
    report_fragment_css,
    report_to_html,
    report_to_html_fragment,
)
from iso10002.monitoring.render_json import (
    report_from_dict,
    report_from_json,
    report_to_dict,
    report_to_json,
)
from iso10002.monitoring.render_markdown import HEADLINE_KPIS, KPI_LABELS, report_to_markdown

__all__ = [
    "HEADLINE_KPIS",
    "KPI_LABELS",
    "report_fragment_css",
    "report_from_dict",
    "report_from_json",
    "report_to_dict",
    "report_to_html",
    "report_to_html_fragment",
    "report_to_json",
    "report_to_markdown",
]
