"""
``iso10002 audit`` names the workflow a database's complaints were recorded under, without
``--workflow``; ``iso10002 history`` shows a custom closing step as the closure it made.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import pytest

from iso10002 import (
    Assessment,
    Channel,
    ClosureReason,
    ComplaintDesk,
    FixedClock,
    Severity,
    SQLiteEventStore,
)
from iso10002.process.recorded import workflow_record
from iso10002.process.workflow_file import read_workflow_file
from iso10002.testing import SAMPLE_START, sample_actor, sample_complainant
from tests.process.test_vendor import STAFF, WORKFLOW, Opinion, _in_legal_review

from .support import run

SMALL_SHOP = Path(__file__).resolve().parents[2] / "examples" / "workflows" / "small-shop.toml"
AS_OF = "2026-04-01T00:00Z"


def test_the_audit_names_the_custom_workflow_the_database_was_filled_through(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    workflow = read_workflow_file(SMALL_SHOP)
    db = tmp_path / "shop.db"
    staff = sample_actor()
    with SQLiteEventStore(db) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START), workflow=workflow)
        for _ in range(2):
            ref = desk.receive(
                staff, complainant=sample_complainant(), channel=Channel.EMAIL, description="d"
            ).reference
            desk.acknowledge(ref, staff)
            desk.assess(ref, staff, Assessment(severity=Severity.LOW))

    result = run(capsys, "audit", "--db", db, "--as-of", AS_OF, "--format", "json")

    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["scope"]["workflow"] == "small-shop"
    record = workflow_record(workflow)
    finding = next(f for f in data["findings"] if f["criterion"] == "7-workflow-conforms")
    assert finding["status"] == "conforming", finding
    assert finding["evidence"]["configuration"]["workflow"] == "small-shop"
    assert record.fingerprint in finding["summary"]
    assert record.fingerprint in data["configurations"]
    text = run(capsys, "audit", "--db", db, "--as-of", AS_OF)
    assert text.code == 0, text.err
    assert "small-shop" in text.out


def test_history_shows_a_custom_closing_step_with_its_data_and_the_closure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "vendor.db"
    clock = FixedClock(_dt.datetime(2026, 3, 2, 9, tzinfo=_dt.timezone.utc))
    with SQLiteEventStore(db) as store:
        desk = ComplaintDesk(store, clock=clock, workflow=WORKFLOW)
        first = _in_legal_review(desk)
        ref = _in_legal_review(desk)
        desk.run_step(ref, STAFF, "opinion", data=Opinion(liable=True, text="We owe them"))
        desk.run_step(ref, STAFF, "to_legal")
        desk.run_step(
            ref,
            STAFF,
            "settle",
            note="same matter",
            reason=ClosureReason.DUPLICATE,
            duplicate_of=first,
        )

    result = run(capsys, "history", ref, "--db", db)

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    opinion = next(line for line in lines if "step opinion" in line)
    assert "{liable: yes, text: We owe them}" in opinion
    settle = next(line for line in lines if "step settle" in line)
    assert f"step settle closed it (duplicate of {first}): same matter" in settle
    assert " closed " in settle  # the state column
