"""The KPI report as a fragment for an application's own page, with its scoped stylesheet."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from iso10002.monitoring import report_fragment_css, report_to_html, report_to_html_fragment
from iso10002.monitoring.report import Breakdown

from .sample_report import HOSTILE_CATEGORY, kpi_report


def test_fragment_is_the_page_content_without_the_page() -> None:
    report = kpi_report()
    fragment = report_to_html_fragment(report)
    root = ET.fromstring(fragment)  # well-formed: one element
    assert root.tag == "div"
    assert root.get("class") == "iso10002-report"
    for tag in ("<html", "<head>", "<body", "<style", "<!DOCTYPE", "<script"):
        assert tag not in fragment
    page = ET.fromstring(report_to_html(report))
    body = page.find("body")
    assert body is not None
    # The same content, element for element.
    assert [ET.tostring(e) for e in root] == [ET.tostring(e) for e in body]


def test_fragment_escapes_report_text() -> None:
    base = kpi_report()
    hostile = Breakdown(key=HOSTILE_CATEGORY, received=9, closed=4, upheld=1)
    fragment = report_to_html_fragment(kpi_report(by_category=(*base.by_category, hostile)))
    assert "<script>" not in fragment
    assert "&lt;script&gt;" in fragment
    ET.fromstring(fragment)


def test_fragment_stylesheet_reaches_only_the_fragment() -> None:
    css = report_fragment_css()
    selectors = [
        s.strip()
        for prelude in re.findall(r"([^{}]+)\{[^{}]*\}", css)
        for s in prelude.split(",")
        if not s.strip().startswith("@")
    ]
    assert selectors
    assert all(s.startswith(".iso10002-report") for s in selectors), selectors
    # The page's own rules stay with the host page.
    assert "body" not in css
    assert "@page" not in css
    assert "max-width: 64rem" not in css
    # The print layout and the figures' styles come along, scoped.
    assert "@media print" in css
    assert ".iso10002-report .figure .value {" in css
    assert ".iso10002-report {" in css  # the colour variables, on the wrapper
    assert css.count("{") == css.count("}")
