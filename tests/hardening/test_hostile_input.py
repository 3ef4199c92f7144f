"""
The hostile inputs a red-team pass found, one test each: every one crashed, stuck or leaked
before it was fixed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from iso10002 import Channel, ComplaintDesk, ValidationError
from iso10002.cli import main
from iso10002.model.facts import _sum_by_currency
from iso10002.model.values import Money
from iso10002.monitoring._cohorts import Cohorts
from iso10002.storage.sqlite import SQLiteEventStore
from tests.importing.support import CURRENT
from tests.test_desk import ANN, HANDLER

UTC = dt.timezone.utc
ESC = "\x1b]0;owned\x07\x1b[2J\x9b31m"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(*argv: str | Path, terminal: bool = False) -> tuple[int, str, str]:
    out = _Terminal() if terminal else io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def _cfpb(tmp_path: Path, **changes: str) -> Path:
    """The first record of the current CFPB sample, with cells changed."""
    path = tmp_path / "one.csv"
    with CURRENT.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        record = next(reader)
        columns = list(reader.fieldnames or ())
    record.update(changes)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerow(record)
    return path


def test_a_received_date_in_year_1_is_a_row_error_and_reports_still_run(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    code, out, _ = _run("import", "cfpb", _cfpb(tmp_path, **{"Date received": "0001-01-01"}),
                        "--db", db, "--quiet")  # fmt: skip
    assert code == 1
    assert 'column "Date received": "0001-01-01" is before 1900-01-01' in out
    assert _run("import", "cfpb", _cfpb(tmp_path), "--db", db, "--quiet")[0] == 0
    assert _run("report", "--db", db)[0] == 0


def test_a_report_over_a_complaint_of_year_1_is_a_clean_error(tmp_path: Path) -> None:
    # Received through the API, which takes any instant.
    db = tmp_path / "c.db"
    with SQLiteEventStore(db) as store:
        ComplaintDesk(store).receive(
            HANDLER, complainant=ANN, channel=Channel.EMAIL, description="x",
            received_at=dt.datetime(1, 1, 1, 12, tzinfo=UTC),
        )  # fmt: skip
    code, _, err = _run("report", "--db", db)
    assert code == 2
    assert err.startswith("iso10002: error: the period from 0001-01-01") and err.count("\n") == 1


@pytest.mark.parametrize("complaint_id", ["12\r\n34", "12\x1b[2J", "12 34", "\u202e12"])
def test_cfpb_ids_that_cannot_name_a_complaint_are_row_errors(
    tmp_path: Path, complaint_id: str
) -> None:
    db = tmp_path / "c.db"
    code, out, _ = _run("import", "cfpb", _cfpb(tmp_path, **{"Complaint ID": complaint_id}),
                        "--db", db, "--quiet")  # fmt: skip
    assert code == 1
    assert 'row 2, column "Complaint ID"' in out
    assert "is not an identifier" in out
    assert "\x1b" not in out and "\r" not in out


def test_json_nested_deeply_is_refused_as_a_file(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('system = "crm"\nrecord_id = "T"\n[received_at]\ncolumn = "O"\n'
                       '[channel]\ncolumn = "V"\n')  # fmt: skip
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    lines = tmp_path / "deep.jsonl"
    lines.write_text('{"T": "A", "O": "2024-01-01", "V": "email", "x": ' + "[" * 100_000 + "]"
                     * 100_000 + "}\n")  # fmt: skip
    code, _, err = _run("import", "json", deep, "--mapping", mapping, "--db", tmp_path / "a.db")
    assert code == 1 and "nested too deeply" in err and "Traceback" not in err
    assert not (tmp_path / "a.db").exists()
    code, out, err = _run("import", "json", lines, "--mapping", mapping, "--db", tmp_path / "b.db")
    assert code == 1 and "nested too deeply" in out and "Traceback" not in err


def test_a_lone_surrogate_in_text_is_a_validation_error(tmp_path: Path) -> None:
    with (
        SQLiteEventStore(tmp_path / "c.db") as store,
        pytest.raises(ValidationError, match="lone surrogate"),
    ):
        ComplaintDesk(store).receive(
            HANDLER, complainant=ANN, channel=Channel.EMAIL, description="bad \ud800 text"
        )
    mapping = tmp_path / "m.toml"
    mapping.write_text('system = "crm"\nrecord_id = "T"\ndescription = "D"\n[received_at]\n'
                       'column = "O"\n[channel]\ncolumn = "V"\n')  # fmt: skip
    export = tmp_path / "e.json"
    export.write_text('[{"T": "A", "O": "2024-01-01", "V": "email", "D": "x\\ud800"}]')
    code, out, err = _run("import", "json", export, "--mapping", mapping, "--db", tmp_path / "d.db")
    assert code == 1 and "lone surrogate" in out and "Traceback" not in err


def test_the_demo_refuses_a_count_it_could_not_hold(tmp_path: Path) -> None:
    code, _, err = _run("demo", "--complaints", "99999999999999999999", "--db", tmp_path / "d.db")
    assert (code, err) == (2, "iso10002: error: --complaints: must be at most 100,000\n")
    assert not (tmp_path / "d.db").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ("sla", "deadlines", "--preset", "cfpb", "--received", "0001-01-01T00:00+00:00"),
        ("sla", "queue", "--as-of", "9999-12-31T23:59-23:59"),
        ("report", "--to", "9999-12-31"),
        ("list", "--offset", "99999999999999999999"),
        ("show", "\udcff"),
    ],
)
def test_edge_arguments_are_usage_errors(tmp_path: Path, argv: tuple[str, ...]) -> None:
    db = tmp_path / "d.db"
    assert _run("demo", "--db", db, "--complaints", "3", "--quiet")[0] == 0
    code, _, err = (
        _run(*argv, "--db", db) if argv[0] != "sla" or argv[1] != "deadlines" else (_run(*argv))
    )
    assert code == 2 and err.startswith("iso10002: error: ") and err.count("\n") == 1, err


def test_list_to_the_last_day_of_the_calendar_lists_everything(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    assert _run("demo", "--db", db, "--complaints", "3", "--quiet")[0] == 0
    code, out, _ = _run("list", "--db", db, "--to", "9999-12-31", "--format", "json")
    assert code == 0 and json.loads(out)["total"] == 3


def test_control_characters_reach_no_terminal_but_stay_stored(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with SQLiteEventStore(db) as store:
        reference = (
            ComplaintDesk(store)
            .receive(
                HANDLER, complainant=ANN, channel=Channel.EMAIL, description=f"before{ESC}after"
            )
            .reference
        )
    for argv in (("show", reference), ("history", reference), ("list",), ("report",)):
        code, out, _ = _run(*argv, "--db", db, terminal=True)
        assert code == 0
        assert not any(c in out for c in "\x1b\x07\x9b"), argv
    code, out, _ = _run("show", reference, "--db", db, "--format", "json", terminal=True)
    assert "\x1b" not in out and "\x9b" not in out
    assert json.loads(out)["description"] == f"before{ESC}after"
    # Not a terminal: the text as stored.
    code, out, _ = _run("show", reference, "--db", db, "--format", "json")
    assert json.loads(out)["description"] == f"before{ESC}after"


def test_redress_sums_keep_every_digit() -> None:
    big = Decimal("12345678901234567890123456789.01")  # 31 significant digits
    small = Decimal("0.01")
    total = _sum_by_currency(
        [Money(amount=big, currency="GBP"), Money(amount=small, currency="GBP")]
    )
    assert total == (Money(amount=Decimal("12345678901234567890123456789.02"), currency="GBP"),)
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    cohorts = Cohorts(start, start + dt.timedelta(days=1), None, [])
    cohorts.count_redress_texts([f"GBP:{big}", "GBP:0.01"])
    cohorts.count_redress("GBP:0.01", 2)
    assert cohorts.redress["GBP"] == Decimal("12345678901234567890123456789.04")
    with pytest.raises(ValidationError, match="at most 64 digits"):
        Money(amount=Decimal("1E+999999"), currency="GBP")
