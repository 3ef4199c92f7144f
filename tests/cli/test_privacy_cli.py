"""The personal-data commands on a real SQLite file: export, erase, legal hold, purge."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from iso10002 import ComplaintDesk, FixedClock
from iso10002.integrity import verify
from iso10002.model.personal import ERASED
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import SAMPLE_START, full_lifecycle
from tests.privacy.test_erasure import EMAIL, NAME, zebedee

from .support import run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        fca = {"regulation": "fca"}
        full_lifecycle(desk, reference="CMP-1", complainant=zebedee(), attributes=fca)
        full_lifecycle(desk, reference="CMP-2", complainant=zebedee(), attributes=fca)
        full_lifecycle(desk, reference="CMP-3", attributes=fca)
    return path


def test_export_erase_and_hold_from_the_command_line(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "subject.json"
    result = run(capsys, "subject-export", "--db", db, "--email", EMAIL.upper(), "--out", out)
    assert result.code == 0, result.err
    assert result.out.strip() == f"2 complaint(s) written to {out}"
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [c["reference"] for c in data["complaints"]] == ["CMP-1", "CMP-2"]
    assert data["complaints"][0]["history"][0]["payload"]["complainant"]["name"] == NAME

    result = run(capsys, "legal-hold", "--db", db, "CMP-2", "--place", "Claim 7")
    assert (result.code, result.out.strip()) == (0, "CMP-2: under legal hold")
    result = run(
        capsys, "erase", "--db", db, "--customer-id", "C-77", "--reason", "erasure request",
        "--request", "DSR-1", "--actor", "dpo-1",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "erased: 1 (CMP-1)",
        "left as it is: CMP-2: it is under legal hold",
    ]
    with SQLiteEventStore(db) as store:
        desk = ComplaintDesk(store)
        assert desk.get("CMP-1").complainant.name == ERASED
        last = desk.history("CMP-1")[-1]
        assert (last.actor.id, last.actor.role.value) == ("dpo-1", "administrator")
        assert desk.get("CMP-2").complainant.name == NAME
        assert verify(store).ok

    result = run(capsys, "erase", "--db", db, "CMP-1", "--reason", "again")
    assert result.code == 1
    assert "CMP-1" in result.err and "erased already" in result.err


def test_purge_erases_only_what_expired(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    with SQLiteEventStore(db) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        # Received in 2020 and recorded later: its 3 years ended long before today.
        old = dt.datetime(2020, 1, 6, 9, tzinfo=dt.timezone.utc)
        full_lifecycle(desk, reference="CMP-4", received_at=old, attributes={"regulation": "fca"})
    result = run(capsys, "purge", "--db", db, "--retention", "fca", "--actor", "cron")
    assert (result.code, result.out.strip()) == (0, "erased: 1 (CMP-4)")
    with SQLiteEventStore(db) as store:
        desk = ComplaintDesk(store)
        assert desk.get("CMP-4").erased_at is not None
        assert [desk.get(f"CMP-{n}").erased_at for n in (1, 2, 3)] == [None, None, None]
    result = run(capsys, "purge", "--db", db, "--retention", "fca")
    assert (result.code, result.out.strip()) == (0, "erased: 0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("erase", "CMP-1", "--email", EMAIL, "--reason", "r"), "not both"),
        (("erase", "--reason", "r"), "not both"),
        (("subject-export", "--out", "x.json"), "give --customer-id or --email"),
        (("erase", "CMP-404", "--reason", "r"), "CMP-404"),
    ],
)
def test_usage_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], db: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(capsys, args[0], "--db", db, *args[1:])
    assert result.code in (1, 2)
    assert message in result.err
    assert "Traceback" not in result.err
