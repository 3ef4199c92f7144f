"""
``iso10002 repair`` rewrites the summaries that do not match their events and records that it
did so; it refuses, writing nothing, while verify reports tampering of the events.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path

import pytest

from iso10002.cli import main
from iso10002.errors import ValidationError
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.storage.sqlite.repair import REPAIR_KIND, REPAIR_NAME, repair_summaries
from tests.integrity.test_verify_sqlite import build, check, tamper

NOW = _dt.datetime(2026, 12, 6, 12, 0, tzinfo=_dt.timezone.utc)


@pytest.fixture(name="db")
def _db(tmp_path: Path) -> Path:
    path = tmp_path / "complaints.db"
    build(path)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_edited_summary_is_named_then_repaired_and_recorded(db: Path) -> None:
    tamper(
        db, "UPDATE complaints SET state = 'investigating', is_open = 1 WHERE reference = 'CMP-2'"
    )
    finding = check(db).finding
    assert finding is not None and finding.record == "summary of CMP-2"

    with SQLiteEventStore(db) as store:
        done = repair_summaries(store, now=NOW)
        assert done.rewritten == ("CMP-2",)
        assert done.checked == 3
        record = store.find_configuration(REPAIR_KIND, REPAIR_NAME, NOW.isoformat())
        assert record is not None and "CMP-2" in record.content and "state" in record.content
        summary = store.summary(store.id_for_reference("CMP-2"))  # type: ignore[arg-type]
        assert summary is not None and not summary.is_open

    assert check(db).ok
    with SQLiteEventStore(db) as store:  # a second repair finds nothing and writes nothing
        assert repair_summaries(store, now=NOW).record is None


def test_a_summary_counting_fewer_events_is_repaired(db: Path) -> None:
    tamper(db, "UPDATE complaints SET version = version - 1 WHERE reference = 'CMP-1'")
    assert not check(db).ok
    assert main(["repair", "--db", str(db)]) == 0
    assert check(db).ok


def test_repair_is_refused_with_nothing_written_when_events_were_altered(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(
        db,
        "UPDATE complaints SET state = 'investigating', is_open = 1 WHERE reference = 'CMP-2'",
        "UPDATE events SET personal = replace(personal, 'twice', 'once') WHERE position = 20",
    )
    before = _digest(db)
    with SQLiteEventStore(db) as store, pytest.raises(ValidationError, match="position 20"):
        repair_summaries(store, now=NOW)
    assert _digest(db) == before
    capsys.readouterr()
    assert main(["repair", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "cannot repair summaries" in err and "position 20" in err and "Traceback" not in err
    assert _digest(db) == before
