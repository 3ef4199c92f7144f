"""
User errors: one line on stderr starting with ``iso10002: error:``, exit code 2 for a wrong
command line and 1 for a command that cannot be carried out, never a traceback; reading never
creates a database.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .support import CliResult, open_desk, run

ALLOWED_STATES = (
    "received, acknowledged, assessed, investigating, decided, awaiting_reaction, resolved, "
    "rejected, internal_review, referred, closed, withdrawn"
)


def assert_user_error(result: CliResult, code: int, message: str) -> None:
    assert result.code == code
    assert result.err == f"iso10002: error: {message}\n"
    assert result.out == ""
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["list", "--priority", "sky"],
            "--priority: 'sky' is not a priority (allowed: urgent, high, normal, low)",
        ),
        (
            ["list", "--channel", "fax"],
            (
                "--channel: 'fax' is not a channel (allowed: in_person, phone, email, letter, "
                "web_form, chat, social_media, referral)"
            ),
        ),
        (
            ["list", "--state", "closd"],
            f"--state: 'closd' is not a state (allowed: {ALLOWED_STATES})",
        ),
        (
            ["list", "--from", "2026-13-01"],
            "--from: '2026-13-01' is not a date (expected YYYY-MM-DD)",
        ),
        (["list", "--to", "2026-02-30"], "--to: '2026-02-30' is not a date (expected YYYY-MM-DD)"),
        (["list", "--to", "yesterday"], "--to: 'yesterday' is not a date (expected YYYY-MM-DD)"),
        (
            ["list", "--from", "2026-03-10", "--to", "2026-03-01"],
            "--from 2026-03-10 is after --to 2026-03-01",
        ),
        (["list", "--limit", "0"], "--limit: must be an integer from 1 to 1000, got 0"),
        (["list", "--limit", "1001"], "--limit: must be an integer from 1 to 1000, got 1001"),
        (["list", "--offset", "-1"], "--offset: must be a non-negative integer, got -1"),
        (["demo", "--complaints", "0"], "--complaints: must be at least 1, got 0"),
        (["demo", "--days", "0"], "--days: must be at least 1, got 0"),
        (
            ["demo", "--start", "2026-3-2"],
            "--start: '2026-3-2' is not a date (expected YYYY-MM-DD)",
        ),
        (
            ["demo", "--start", "2026-03-07", "--days", "2"],
            (
                "--days: the 2 day(s) from 2026-03-07 hold no working day; complaints arrive "
                "Monday to Friday"
            ),
        ),
        (
            ["demo", "--start", "9999-12-01", "--days", "90"],
            "--days: 90 days from 9999-12-01 is too long",
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_a_wrong_value_is_a_usage_error_that_lists_what_is_allowed(
    args: list[str], message: str, demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Checked before the database is touched: demo must not create one, list needs one.
    db = demo_db if args[0] == "list" else tmp_path / "never.db"

    result = run(capsys, *args, "--db", db)

    assert_user_error(result, 2, message)
    assert args[0] == "list" or not db.exists()


@pytest.mark.parametrize("command", ["show", "history"])
def test_an_unknown_reference_is_a_runtime_error(
    command: str, demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, command, "CMP-2026-999999", "--db", demo_db)

    assert_user_error(result, 1, "no complaint found for reference 'CMP-2026-999999'")


@pytest.mark.parametrize(
    "args", [["show", "CMP-2026-000001"], ["history", "CMP-2026-000001"], ["list"]]
)
def test_reading_a_missing_database_fails_and_creates_nothing(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    elsewhere = tmp_path / "elsewhere.db"

    default = run(capsys, *args)
    chosen = run(capsys, *args, "--db", elsewhere)

    assert_user_error(
        default,
        1,
        "no database at complaints.db (run 'iso10002 demo' to create one, or choose one with --db)",
    )
    assert_user_error(
        chosen,
        1,
        f"no database at {elsewhere} (run 'iso10002 demo --db {elsewhere}' to create one, "
        "or choose one with --db)",
    )
    assert list(tmp_path.iterdir()) == []


def test_a_directory_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listed = run(capsys, "list", "--db", tmp_path)
    demo = run(capsys, "demo", "--db", tmp_path, "--quiet")
    nowhere = run(capsys, "demo", "--db", tmp_path / "missing" / "x.db", "--quiet")

    assert_user_error(listed, 1, f"{tmp_path} is not a database file")
    assert_user_error(demo, 1, f"{tmp_path} is a directory, not a database file")
    assert_user_error(
        nowhere,
        1,
        f"cannot create {tmp_path / 'missing' / 'x.db'}: directory {tmp_path / 'missing'} "
        "does not exist",
    )
    assert not (tmp_path / "missing").exists()


def test_a_file_that_is_not_a_database_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(b"These are meeting notes, not a database. " * 100)

    result = run(capsys, "list", "--db", db)

    assert_user_error(result, 1, f"SQLite store {db}: open the database: file is not a database")


def test_another_applications_database_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA application_id = 42")
        conn.execute("CREATE TABLE things (x)")
    conn.close()

    result = run(capsys, "show", "CMP-2026-000001", "--db", db)

    assert_user_error(
        result,
        1,
        f"SQLite store {db}: the file is a SQLite database of another application "
        "(application_id 42)",
    )


def test_a_database_from_a_newer_release_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "newer.db"
    assert run(capsys, "demo", "--db", db, "--complaints", "2", "--quiet").code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()

    result = run(capsys, "list", "--db", db)

    assert result.code == 1
    assert result.error_line.startswith(
        f"iso10002: error: SQLite store {db}: the database has schema version 99"
    )
    assert result.err.count("\n") == 1


def test_a_corrupt_event_names_the_complaint_and_the_event(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "corrupt.db"
    assert run(capsys, "demo", "--db", db, "--complaints", "3", "--quiet").code == 0
    with open_desk(db) as desk:
        cid = desk.get("CMP-2026-000002").id
    with sqlite3.connect(db) as conn:
        (seq,) = conn.execute(
            "SELECT seq FROM events WHERE stream_id = ? AND type = 'acknowledged'", (str(cid),)
        ).fetchone()
        conn.execute(
            'UPDATE events SET payload = \'{"channel": "pigeon"}\' WHERE stream_id = ? AND seq = ?',
            (str(cid), seq),
        )
    conn.close()

    history = run(capsys, "history", "CMP-2026-000002", "--db", db)
    show = run(capsys, "show", "CMP-2026-000002", "--db", db)
    unharmed = run(capsys, "show", "CMP-2026-000001", "--db", db)

    for result in (history, show):
        assert result.code == 1
        assert result.error_line.startswith(
            f"iso10002: error: complaint CMP-2026-000002, event seq {seq} is corrupt: $.payload"
        )
        assert "'pigeon' is not a Channel" in result.err
        assert result.err.count("\n") == 1
        assert "Traceback" not in result.err
    assert unharmed.code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "iso10002: error: the following arguments are required: COMMAND"),
        (["show"], "iso10002 show: error: the following arguments are required: REF"),
        (
            ["list", "--open", "--closed"],
            "iso10002 list: error: argument --closed: not allowed with argument --open",
        ),
        (
            ["list", "--limit", "many"],
            "iso10002 list: error: argument --limit: invalid int value: 'many'",
        ),
        # How argparse quotes the choices differs between Python versions; the start does not.
        (
            ["workflow", "--format", "png"],
            "iso10002 workflow: error: argument --format: invalid choice: 'png'",
        ),
        (["teleport"], "iso10002: error: argument COMMAND: invalid choice: 'teleport'"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_argparse_errors_keep_argparse_behaviour(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, *args)

    assert result.code == 2
    assert result.error_line.startswith("usage: iso10002")
    assert result.err.splitlines()[-1].startswith(message)
    assert result.out == ""


def test_as_a_program_an_error_is_one_line_and_no_traceback(tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    db.write_text("not a database at all, " * 50)

    done = subprocess.run(
        [sys.executable, "-m", "iso10002.cli", "history", "CMP-2026-000001", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 1
    assert done.stdout == ""
    assert (
        done.stderr
        == f"iso10002: error: SQLite store {db}: open the database: file is not a database\n"
    )


def test_a_reader_that_stops_early_gets_no_traceback(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["list", "--db", str(demo_db), "--limit", "1000", "--format", "json"]
    # More output than a pipe holds (64 KiB), so the writer is still writing when the reader
    # leaves after the first line.
    assert len(run(capsys, *args).out) > 65536 + 8192
    with subprocess.Popen(
        [sys.executable, "-m", "iso10002.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,  # read only the first line, not a buffer's worth
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        err = process.stderr.read()
        process.wait(timeout=60)

    assert first == b"{\n"
    assert process.returncode == 1
    assert err == b""
