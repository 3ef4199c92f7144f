"""``iso10002 report`` on the demo database and on imported CFPB data, and its errors."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from iso10002 import ClosureReason
from iso10002.monitoring import compute_kpis, report_from_json
from iso10002.storage.base import ComplaintQuery, iter_summaries
from iso10002.storage.sqlite import SQLiteEventStore

from .support import run

ROOT = Path(__file__).resolve().parents[2]
CFPB = ROOT / "tests" / "data" / "cfpb" / "complaints-2015-2020-part1.csv"


def test_the_json_report_is_the_librarys_for_the_same_period(
    capsys: pytest.CaptureFixture[str], demo_db: Path
) -> None:
    result = run(
        capsys, "report", "--db", demo_db, "--from", "2026-03-01", "--to", "2026-03-31",
        "--format", "json", "--bucket", "week",
    )  # fmt: skip
    assert result.code == 0, result.err
    report = report_from_json(result.out)
    start = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    end = start + dt.timedelta(days=31)
    with SQLiteEventStore(demo_db) as store:
        received = sum(
            1
            for s in iter_summaries(store, ComplaintQuery(received_from=start, received_to=end))
            if s.facts.closure_reason is not ClosureReason.DUPLICATE
        )
        direct = compute_kpis(store, start=start, end=end, bucket="week")
    assert report.volume.received == received > 0
    assert report.volume == direct.volume
    assert report.by_category == direct.by_category
    assert report.trend[0].label == "2026-W09"


def test_the_html_page_is_self_contained_and_well_formed(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "kpis.html"
    result = run(capsys, "report", "--db", demo_db, "--format", "html", "--out", out)
    assert result.code == 0, result.err
    assert f"written to {out}" in result.out
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "http://" not in page and "https://" not in page
    root = ET.fromstring(page.split("\n", 1)[1])  # the page is well-formed XML after the doctype
    svgs = [e for e in root.iter() if e.tag.endswith("svg")]
    assert len(svgs) >= 4


def test_the_markdown_report_states_its_rules(
    capsys: pytest.CaptureFixture[str], demo_db: Path
) -> None:
    result = run(capsys, "report", "--db", demo_db)
    assert result.code == 0, result.err
    assert result.out.startswith("# ")
    assert "Upheld rate: upheld and partially upheld decisions over all decisions." in result.out


def test_an_imported_cfpb_file_reports(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "cfpb.db"
    imported = run(capsys, "import", "cfpb", CFPB, "--db", db)
    assert imported.code == 0, imported.err
    result = run(
        capsys, "report", "--db", db, "--from", "2015-01-01", "--to", "2020-03-31",
        "--zone", "America/New_York", "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["volume"]["received"] == data["volume"]["imported"] == 3000
    assert data["period"]["bucket"] == "quarter"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-04-01", "--to", "2026-03-01"), "is after --to"),
        (("--zone", "Mars/Base"), "--zone"),
        (("--customers", "0"), "--customers"),
        (("--from", "yesterday"), "--from"),
    ],
)
def test_bad_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], demo_db: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(capsys, "report", "--db", demo_db, *args)
    assert result.code == 2
    assert result.error_line.startswith("iso10002: error:")
    assert message in result.error_line


def test_a_missing_database_is_not_created(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    result = run(capsys, "report", "--db", tmp_path / "none.db")
    assert result.code == 1
    assert not (tmp_path / "none.db").exists()
