"""``iso10002 import``: the command line end to end, in-process, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from iso10002.cli._import import ImportProgress
from iso10002.storage.base import ComplaintQuery
from iso10002.storage.sqlite import SQLiteEventStore
from tests.cli.support import run

from .support import LAYOUT_2014, assert_whole, read_csv, write_csv

MAPPING = """
system = "crm"
record_id = "Ticket"

[received_at]
column = "Opened"

[channel]
column = "Via"
values = { "Web" = "web_form" }
"""


def test_import_cfpb_creates_the_database_and_reports_the_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cfpb.db"
    result = run(capsys, "import", "cfpb", LAYOUT_2014, "--db", db)
    assert result.code == 0, result.err
    assert result.out == (
        f"{LAYOUT_2014} -> {db}\n500 read: 500 imported, 0 skipped (already imported), 0 failed\n"
    )
    assert "import: 100% read, 500 imported, 0 skipped, 0 failed" in result.err
    assert assert_whole(db) == 500
    again = run(capsys, "import", "cfpb", LAYOUT_2014, "--db", db, "--quiet")
    assert again.code == 0
    assert "500 read: 0 imported, 500 skipped (already imported), 0 failed" in again.out
    assert again.err == ""
    shown = run(capsys, "show", "CFPB-1114245", "--db", db)
    assert shown.code == 0
    assert "Debt collection" in shown.out


def test_bad_rows_are_listed_and_the_exit_code_is_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header, records = read_csv(LAYOUT_2014)
    records = records[:10]
    records[2]["Date received"] = "13/45/2014"
    records[6]["Submitted via"] = "Telegraph"
    path = write_csv(tmp_path / "bad.csv", header, records)
    db = tmp_path / "bad.db"
    result = run(capsys, "import", "cfpb", path, "--db", db, "--quiet")
    assert result.code == 1
    assert result.out.splitlines()[1:] == [
        "10 read: 8 imported, 0 skipped (already imported), 2 failed",
        "Failed records (nothing of them was written):",
        '  row 4, column "Date received": "13/45/2014" is not a date (YYYY-MM-DD or MM/DD/YYYY)',
        (
            '  row 8, column "Submitted via": "Telegraph" is not a known channel (known: Web, '
            "Phone, Email, Postal mail, Fax, Referral, Web Referral)"
        ),
    ]
    assert result.err == (
        "iso10002: error: 2 of 10 records failed (listed above); correct them and run the "
        "import again: the records imported now will be skipped\n"
    )
    assert assert_whole(db) == 8


def test_workers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "workers.db"
    result = run(capsys, "import", "cfpb", LAYOUT_2014, "--db", db, "--workers", "2", "--quiet")
    assert result.code == 0, result.err
    assert "500 read: 500 imported, 0 skipped (already imported), 0 failed" in result.out
    assert assert_whole(db) == 500


def test_zone_and_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "utc.db"
    result = run(capsys, "import", "cfpb", LAYOUT_2014, "--db", db, "--zone", "UTC", "--limit", "3")
    assert result.code == 0
    assert "3 read: 3 imported" in result.out
    with SQLiteEventStore(db) as store:
        page = store.query(ComplaintQuery())
    assert page.total == 3
    assert {s.received_at.hour for s in page.items} == {0}


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--zone", "Nowhere/Land"], "--zone: 'Nowhere/Land' is not a known IANA time zone"),
        (["--limit", "0"], "--limit: must be at least 1, got 0"),
        (["--workers", "0"], "--workers: must be from 1 to 32, got 0"),
        (["--workers", "33"], "--workers: must be from 1 to 32, got 33"),
    ],
)
def test_bad_options_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], error: str
) -> None:
    db = tmp_path / "never.db"
    result = run(capsys, "import", "cfpb", LAYOUT_2014, "--db", db, *args)
    assert result.code == 2
    assert result.error_line == f"iso10002: error: {error}"
    assert not db.exists()


def test_a_file_that_cannot_be_imported_leaves_no_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("just,some\nnotes,here\n", encoding="utf-8")
    db = tmp_path / "new.db"
    result = run(capsys, "import", "cfpb", path, "--db", db)
    assert result.code == 1
    assert result.error_line.startswith(
        f'iso10002: error: {path}: is not a CFPB complaints export: no column "Complaint ID"'
    )
    assert list(tmp_path.glob("new.db*")) == []
    missing = run(capsys, "import", "cfpb", tmp_path / "absent.csv", "--db", db)
    assert (missing.code, missing.error_line) == (
        1,
        f"iso10002: error: no file at {tmp_path / 'absent.csv'}",
    )


def test_import_csv_and_json_with_a_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    export = tmp_path / "export.csv"
    export.write_text(
        "Ticket,Opened,Via\nA-1,2024-02-01T10:00Z,Web\nA-2,2024-02-02,phone\nA-3,soon,Web\n",
        encoding="utf-8",
    )
    db = tmp_path / "crm.db"
    result = run(capsys, "import", "csv", export, "--mapping", mapping, "--db", db, "--quiet")
    assert result.code == 1
    assert "3 read: 2 imported, 0 skipped (already imported), 1 failed" in result.out
    assert '  row 4, column "Opened": "soon" is not a date or time (ISO 8601)' in result.out
    lines = tmp_path / "export.jsonl"
    lines.write_text('{"Ticket": "B-1", "Opened": "2024-03-01", "Via": "email"}\n')
    result = run(capsys, "import", "json", lines, "--mapping", mapping, "--db", db, "--quiet")
    assert result.code == 0
    assert "1 read: 1 imported" in result.out
    assert assert_whole(db) == 3
    shown = run(capsys, "show", "CRM-B-1", "--db", db)
    assert shown.code == 0


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "--mapping: no file at"),
        (MAPPING.replace('"crm"', '"CRM"'), "$.system: 'CRM' must be 1-32 lower-case letters"),
    ],
)
def test_a_bad_mapping_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, error: str
) -> None:
    mapping = tmp_path / "mapping.toml"
    if content is not None:
        mapping.write_text(content, encoding="utf-8")
    export = tmp_path / "export.csv"
    export.write_text("Ticket,Opened,Via\n", encoding="utf-8")
    result = run(capsys, "import", "csv", export, "--mapping", mapping, "--db", tmp_path / "x.db")
    assert result.code == 2
    assert error in result.error_line


def test_import_needs_a_format(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "import")
    assert result.code == 2
    assert "the following arguments are required: FORMAT" in result.err


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.text = ""
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("tty", [False, True])
def test_progress_lines(tty: bool) -> None:
    stream = _Stream(tty)
    progress = ImportProgress(stream, enabled=True)  # type: ignore[arg-type]
    for read, fraction in ((100, 0.05), (200, 0.12), (300, 0.13), (400, None), (500, 1.0)):
        progress(read=read, imported=read, skipped=0, failed=0, fraction=fraction)
    progress.finish()
    if tty:
        assert stream.text.count("\r") == 4  # 5%, 12%, 13%, 100%; unknown is not shown
        assert stream.text.endswith("import: 100% read, 500 imported, 0 skipped, 0 failed\n")
    else:
        assert stream.text.splitlines() == [
            "import:  10% read, 200 imported, 0 skipped, 0 failed",
            "import: 100% read, 500 imported, 0 skipped, 0 failed",
        ]
