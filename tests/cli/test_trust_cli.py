"""
The command line's side of the trust work: ``erase`` says when another connection keeps erased
values in the write-ahead log, and ``verify`` says whether it replayed the summaries.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from iso10002 import ComplaintDesk, FixedClock
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import SAMPLE_START, full_lifecycle
from tests.privacy.test_erasure import NAME, zebedee

from .support import run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        full_lifecycle(desk, reference="CMP-1", complainant=zebedee())
    return path


def test_erase_warns_when_a_reader_holds_the_log(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM events").fetchall()
    try:
        result = run(capsys, "erase", "--db", db, "CMP-1", "--reason", "erasure request")
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert result.code == 0, result.err
    assert result.out.strip() == "erased: 1 (CMP-1)"
    assert result.err.startswith("warning: SQLite store")
    assert f"{db}-wal" in result.err


def test_erase_with_nobody_reading_leaves_nothing_in_the_files(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    other = sqlite3.connect(db)  # open, as a running application keeps it, but not reading
    other.execute("SELECT 1").fetchall()
    try:
        result = run(capsys, "erase", "--db", db, "CMP-1", "--reason", "erasure request")
        assert (result.code, result.err) == (0, "")
        data = b"".join(
            Path(f"{db}{s}").read_bytes() for s in ("", "-wal", "-shm") if Path(f"{db}{s}").exists()
        )
        assert NAME.encode() not in data
    finally:
        other.close()


def test_verify_says_whether_it_replayed_the_summaries(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    result = run(capsys, "verify", "--db", db)
    assert result.code == 0, result.err
    assert "summaries" not in result.out  # replayed: the full check says nothing more
    result = run(capsys, "verify", "--db", db, "--no-deep")
    assert result.code == 0, result.err
    assert "summaries: counted, not replayed" in result.out
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE complaints SET state = 'investigating', is_open = 1")
    conn.close()
    result = run(capsys, "verify", "--db", db)
    assert result.code == 1
    assert "summary of CMP-1: altered: the summary does not match" in result.err
    assert run(capsys, "verify", "--db", db, "--no-deep").code == 0
