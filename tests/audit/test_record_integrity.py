"""Criterion 4.9 runs verify over the stored record as of the audit's instant."""

from __future__ import annotations

import datetime as _dt
import shutil
from pathlib import Path

import pytest

from iso10002.audit.findings import FindingStatus
from iso10002.integrity import verify
from iso10002.storage.sqlite import SQLiteEventStore

from .evidence_support import AS_OF, audit, demo_database, tamper

INTEGRITY = "4.9-history-integrity"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory.mktemp("integrity") / "complaints.db")


@pytest.fixture(name="db")
def _db(pristine: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(pristine, tmp_path / "complaints.db"))


def _tamper_late_event(db: Path) -> tuple[int, _dt.datetime]:
    """Edit the payload of the last policy applied; its position and when it was recorded."""
    with SQLiteEventStore(db) as store:
        chosen = [
            r
            for r in store.iter_chain()
            if r.event is not None and r.event.payload.type == "sla_policy_applied"
        ][-1]
    assert chosen.event is not None
    changed = tamper(
        db,
        "UPDATE events SET payload = replace(payload, 'default policy', 'default polity') "
        "WHERE position = ?",
        chosen.position,
    )
    assert changed == 1
    return chosen.position, chosen.event.occurred_at


def test_an_intact_record_conforms_and_the_finding_names_the_head(db: Path) -> None:
    with SQLiteEventStore(db) as store:
        report = audit(store)
        head = verify(store).head
    finding = report.finding(INTEGRITY)
    assert finding.status is FindingStatus.CONFORMING
    assert report.record is not None and report.record.verified is True
    assert report.record.head == head
    assert any(head in note for note in finding.evidence.notes)


def test_an_edited_event_row_makes_the_finding_fail_naming_it(db: Path) -> None:
    position, _ = _tamper_late_event(db)
    with SQLiteEventStore(db) as store:
        report = audit(store)
        found = verify(store).finding
    assert found is not None and found.position == position
    finding = report.finding(INTEGRITY)
    assert finding.status is FindingStatus.MAJOR_NONCONFORMITY
    assert f"position {position}" in finding.summary
    assert "altered" in finding.summary
    assert found.reference in finding.evidence.failed
    assert report.record is not None and report.record.verified is False
    assert report.record.reference == found.reference


def test_as_of_an_instant_before_the_edit_the_record_verifies_up_to_its_head(db: Path) -> None:
    position, recorded = _tamper_late_event(db)
    before = recorded - _dt.timedelta(seconds=1)
    with SQLiteEventStore(db) as store:
        report = audit(store, now=before)
        by_then = [
            r for r in store.iter_chain() if r.event is not None and r.event.occurred_at <= before
        ]
        total = sum(1 for _ in store.iter_chain())
    last = by_then[-1]
    assert last.position < position <= total
    record = report.record
    assert record is not None and record.verified is True
    assert (record.head, record.position, record.events) == (
        last.chain,
        last.position,
        len(by_then),
    )
    assert record.detail is not None and record.detail.startswith("after the instant:")
    assert report.finding(INTEGRITY).status is FindingStatus.CONFORMING
    assert report.generated_at == before < AS_OF


def test_a_row_that_cannot_be_read_back_fails_the_finding_without_stopping_the_audit(
    db: Path,
) -> None:
    assert tamper(db, "UPDATE events SET payload = '{' WHERE position = 3") == 1
    with SQLiteEventStore(db) as store:
        report = audit(store)
        found = verify(store).finding
    assert found is not None and found.position == 3
    finding = report.finding(INTEGRITY)
    assert finding.status is FindingStatus.MAJOR_NONCONFORMITY
    assert found.reference in finding.evidence.failed
    assert "cannot be read back" in finding.summary
