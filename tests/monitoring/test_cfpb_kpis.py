"""
KPIs of the real CFPB samples, imported into a SQLite file, against figures computed here
from the CSV files with ``csv`` and ``collections`` only.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from iso10002 import FixedClock, InMemoryEventStore, SQLiteEventStore
from iso10002.importing import import_cfpb
from iso10002.monitoring.kpis import compute_kpis
from iso10002.monitoring.render_markdown import report_to_markdown
from iso10002.monitoring.report import KpiReport

DATA = Path(__file__).parent.parent / "data" / "cfpb"
FILES = ("complaints-2015-2020-part1.csv", "complaints-2014-layout-part1.csv")
NEW_YORK = ZoneInfo("America/New_York")
START = dt.datetime(2014, 1, 1, tzinfo=NEW_YORK)
END = dt.datetime(2020, 4, 1, tzinfo=NEW_YORK)

CHANNELS = {
    "Web": "web_form",
    "Phone": "phone",
    "Email": "email",
    "Postal mail": "letter",
    "Fax": "letter",
    "Referral": "referral",
    "Web Referral": "referral",
}
UPHELD = {"Closed with monetary relief", "Closed with non-monetary relief", "Closed with relief"}
NOT_UPHELD = {"Closed with explanation", "Closed without relief"}
OPEN = {"In progress", "Untimely response"}


def rows() -> Iterator[dict[str, str]]:
    for name in FILES:
        with (DATA / name).open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                row["response"] = row.get("Company response to consumer") or row["Company response"]
                yield row


def received_on(row: dict[str, str]) -> dt.date:
    text = row["Date received"]
    if "/" in text:
        month, day, year = map(int, text.split("/"))
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> KpiReport:
    path = tmp_path_factory.mktemp("cfpb") / "cfpb.db"
    clock = FixedClock(dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc))
    with SQLiteEventStore(path, synchronous="OFF") as store:
        for name in FILES:
            result = import_cfpb(store, DATA / name, clock=clock)
            assert result.failed == ()
        return compute_kpis(store, start=START, end=END, zone="America/New_York", clock=clock)


def test_volumes_agree_with_the_csv_files(report: KpiReport) -> None:
    all_rows = list(rows())
    ids = [row["Complaint ID"] for row in all_rows]
    assert len(ids) == len(set(ids)) == 3500
    responses = Counter(row["response"] for row in all_rows)
    still_open = sum(responses[r] for r in OPEN)

    v = report.volume
    assert v.received == v.imported == 3500
    assert v.closed == 3500 - still_open
    assert v.open_at_end == v.imported_open == still_open > 0
    assert v.withdrawn == v.duplicates == v.open_at_start == 0


def test_breakdowns_agree_with_the_csv_files(report: KpiReport) -> None:
    all_rows = list(rows())
    by_product = Counter(row["Product"] for row in all_rows)
    by_channel = Counter(CHANNELS[row["Submitted via"]] for row in all_rows)
    assert {b.key: b.received for b in report.by_product} == dict(by_product)
    assert {b.key: b.received for b in report.by_channel} == dict(by_channel)
    closed_by_product = Counter(row["Product"] for row in all_rows if row["response"] not in OPEN)
    assert {b.key: b.closed for b in report.by_product if b.closed} == dict(closed_by_product)
    upheld_by_channel = Counter(
        CHANNELS[row["Submitted via"]] for row in all_rows if row["response"] in UPHELD
    )
    assert {b.key: b.upheld for b in report.by_channel if b.upheld} == dict(upheld_by_channel)


def test_outcomes_and_remedies_agree_with_the_csv_files(report: KpiReport) -> None:
    responses = Counter(row["response"] for row in rows())
    upheld = sum(responses[r] for r in UPHELD)
    not_upheld = sum(responses[r] for r in NOT_UPHELD)
    o = report.outcomes
    assert (o.upheld, o.partially_upheld, o.not_upheld) == (upheld, 0, not_upheld)
    assert o.upheld_rate.value == round(upheld / (upheld + not_upheld), 4)
    remedies = {c.key: c.count for c in report.remedies}
    assert remedies["refund"] == responses["Closed with monetary relief"]
    assert remedies["explanation"] == responses["Closed with explanation"]
    assert report.redress == ()


def test_trend_by_month_agrees_with_the_csv_files(report: KpiReport) -> None:
    by_month = Counter(received_on(row).strftime("%Y-%m") for row in rows())
    assert {p.label: p.received for p in report.trend if p.received} == dict(by_month)
    assert [p.label for p in report.trend][:2] == ["2014-01", "2014-02"]


def test_imported_dates_are_not_measured_as_durations(report: KpiReport) -> None:
    (final,) = report.timeliness.final_response
    assert final.count == 0 and final.median is None
    assert final.not_measured == report.outcomes.decided


def test_first_contact_resolution_is_not_measured_on_dates_only(report: KpiReport) -> None:
    # 24 hours from receipt cannot be told from dates: no closed complaint is measured.
    fcr = report.rates.first_contact_resolution
    assert (fcr.numerator, fcr.denominator, fcr.value) == (0, 0, None)
    assert report.rates.first_contact_not_measured == report.volume.closed > 0
    first = {c.kpi: c for c in report.comparison}["first_contact_resolution"]
    assert first.current is None
    text = report_to_markdown(report)
    assert "| Resolved at first contact | not measured | 0 complaints | 0 complaints |" in text
    assert (
        f"Resolved at first contact: not measured for {report.volume.closed:,} complaints of "
        "those closed, imported with dates only: whether a decision went out within 24 hours "
        "of receipt cannot be told from dates, so the figure is not measured at all."
    ) in text


def test_the_reference_pass_also_leaves_dates_only_out_of_first_contact() -> None:
    # The in-memory store takes the row-by-row pass, not the SQL one: same rule.
    store = InMemoryEventStore()
    clock = FixedClock(dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc))
    assert import_cfpb(store, DATA / FILES[1], clock=clock).failed == ()
    report = compute_kpis(store, start=START, end=END, zone="America/New_York", clock=clock)
    assert report.rates.first_contact_resolution.value is None
    assert report.rates.first_contact_not_measured == report.volume.closed > 0


def test_a_previous_period_of_dates_only_compares_as_not_measured(tmp_path: Path) -> None:
    # The previous period (2013-2017) holds only complaints imported with dates: there was
    # data, but first-contact resolution could not be measured on it.
    clock = FixedClock(dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc))
    with SQLiteEventStore(tmp_path / "cfpb.db", synchronous="OFF") as store:
        for name in FILES:
            assert import_cfpb(store, DATA / name, clock=clock).failed == ()
        start = dt.datetime(2017, 1, 1, tzinfo=NEW_YORK)
        report = compute_kpis(store, start=start, end=END, zone="America/New_York", clock=clock)
    first = {c.kpi: c for c in report.comparison}["first_contact_resolution"]
    assert first.previous is None
    assert first.previous_not_measured > 0
    text = report_to_markdown(report)
    comparison = text[text.index("Compared with the previous period") :]
    row = next(line for line in comparison.splitlines() if line.startswith("| Resolved at first"))
    assert "no data" not in row
    assert row.count("not measured") == 3, row
    assert (
        f"Resolved at first contact, previous period: not measured, as all "
        f"{first.previous_not_measured:,} complaints closed then were imported with dates only"
    ) in comparison
