"""
The Markdown, HTML and JSON of a few reports, byte for byte as recorded in ``golden/``.

The renderers' other tests check what a reading shows; these catch any change at all in what
is written (a moved chart, a reworded cell, a coordinate), so that a refactoring of the
renderers is seen to change nothing. After a change that is meant, write the files again with
``python -m tests.monitoring.test_render_golden`` from the project root and review the diff.
"""

from __future__ import annotations

import pathlib
import typing

import pytest

from iso10002.monitoring.render import (
    report_from_json,
    report_to_html,
    report_to_json,
    report_to_markdown,
)
from iso10002.monitoring.report import KpiReport

from .sample_report import empty_kpi_report, kpi_report
from .test_render import nested

GOLDEN = pathlib.Path(__file__).parent / "golden"


def _demo() -> KpiReport:
    # Two weeks of the CLI's demo, by week in Europe/London with a customer count: a report
    # the library computed, with business time, several deadline targets and partial buckets.
    return report_from_json((GOLDEN / "demo-report.json").read_text(encoding="utf-8"))


REPORTS: dict[str, typing.Callable[[], KpiReport]] = {
    "sample": kpi_report,
    "empty": empty_kpi_report,
    "nested": lambda: nested(kpi_report()),
    "demo": _demo,
}
RENDERERS: dict[str, typing.Callable[[KpiReport], str]] = {
    "md": report_to_markdown,
    "html": report_to_html,
}
CASES = [(name, kind) for name in REPORTS for kind in RENDERERS] + [("sample", "json")]


def render(name: str, kind: str) -> str:
    report = REPORTS[name]()
    return report_to_json(report) if kind == "json" else RENDERERS[kind](report)


@pytest.mark.parametrize(("name", "kind"), CASES, ids=[f"{n}.{k}" for n, k in CASES])
def test_rendering_is_as_recorded(name: str, kind: str) -> None:
    expected = (GOLDEN / f"{name}.{kind}").read_text(encoding="utf-8")
    assert render(name, kind) == expected


def test_the_demo_report_is_read_back_as_written() -> None:
    # The recorded input is itself a rendering: JSON of this layout round-trips unchanged.
    text = (GOLDEN / "demo-report.json").read_text(encoding="utf-8")
    assert report_to_json(_demo()) == text


if __name__ == "__main__":
    for name, kind in CASES:
        (GOLDEN / f"{name}.{kind}").write_text(render(name, kind), encoding="utf-8")
