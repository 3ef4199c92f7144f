"""
Properties of the importers on arbitrary input: whatever the cells hold, an import either
reports every record (imported, skipped or failed) or refuses the whole file with
ImportFileError, raises nothing else, and never leaves part of a complaint behind.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso10002.errors import ImportFileError
from iso10002.importing import (
    ChannelColumn,
    ColumnMapping,
    ImportReport,
    RemedyColumns,
    StatusColumn,
    TimeColumn,
    import_cfpb,
    import_csv,
)
from iso10002.model.values import Channel
from iso10002.storage.sqlite import SQLiteEventStore

from .support import CURRENT, assert_whole, clock, read_csv

MAPPING = ColumnMapping(
    system="crm",
    record_id="id",
    received_at=TimeColumn(column="opened", format="%d/%m/%Y", zone="Europe/Paris"),
    channel=ChannelColumn(column="via", values={"Web": Channel.WEB_FORM}),
    category=("area", "topic"),
    description="text",
    status=StatusColumn(column="status", values={"Done": "upheld", "No": "not_upheld"}),
    closed_at=TimeColumn(column="closed"),
    remedy=RemedyColumns(amount="paid", currency_column="currency"),
    attributes={"region": "region"},
)
COLUMNS = ["id", "opened", "via", "area", "topic", "text", "status", "closed", "paid", "currency"]

# Text that UTF-8 can hold (no lone surrogates), with the characters CSV cares about.
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(',"\r\n \t;N/A0123456789-/:TZ.')),
        st.characters(codec="utf-8"),
    ),
    max_size=20,
)
# Cells that are sometimes plausible, so that some records get through.
_CELL = st.one_of(
    _TEXT,
    st.sampled_from(
        ["", "Web", "email", "Done", "No", "open", "closed", "withdrawn", "GBP", "12.50"]
    ),
    st.sampled_from(["01/02/2024", "31/02/2024", "2024-02-01", "2024-02-01T10:00Z", "3000-01-01"]),
)


def _to_csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _import_and_check(text: str, run: str) -> ImportReport | None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "input.csv"
        path.write_text(text, encoding="utf-8", newline="")
        db = Path(directory) / "complaints.db"
        with SQLiteEventStore(db) as store:
            try:
                report = (
                    import_cfpb(store, path, clock=clock(), batch_size=3)
                    if run == "cfpb"
                    else import_csv(store, path, MAPPING, clock=clock(), batch_size=3)
                )
            except ImportFileError:
                report = None
        complaints = assert_whole(db)
        if report is None:
            assert complaints == 0
        else:
            assert isinstance(report, ImportReport)
            assert report.read == report.imported + report.skipped + len(report.failed)
            assert complaints == report.imported
            assert [e.row for e in report.failed] == sorted(e.row for e in report.failed)
        return report


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.permutations([*COLUMNS, "region", "extra"]),
    rows=st.lists(st.lists(_CELL, max_size=13), max_size=8),
)
def test_random_cells_under_a_mapping(header: list[str], rows: list[list[str]]) -> None:
    _import_and_check(_to_csv(header, rows), "csv")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(_CELL, min_size=18, max_size=19), max_size=6))
def test_random_cells_under_the_cfpb_header(rows: list[list[str]]) -> None:
    header, _ = read_csv(CURRENT)
    _import_and_check(_to_csv(header, rows), "cfpb")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_random_text_after_a_header(text: str) -> None:
    _import_and_check("id,opened,via,status,closed\n" + text, "csv")


def test_the_checks_see_imports_as_well_as_failures() -> None:
    # Guards the properties above: their inputs must be able to produce every outcome.
    good = ["R1", "01/02/2024", "Web", "Billing", "", "", "Done", "2024-02-03", "12.50", "GBP", ""]
    text = _to_csv([*COLUMNS, "region"], [good, ["R2", "31/02/2024", *good[2:]], good])
    report = _import_and_check(text, "csv")
    assert report is not None
    assert (report.imported, report.skipped, len(report.failed)) == (1, 1, 1)
