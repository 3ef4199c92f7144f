"""
verify() covers every table of a SQLite store, not only the events: an edited summary, an
edited or deleted outbox record, a deleted or edited access denial and a reset reference
counter are each named; deletions the store makes itself (purges, erasures) are not findings.
(Before, each of these passed.) Also: a keyed database verified without its key, and a
complaint's last event deleted from the middle of the log, are named as what they are.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from pathlib import Path

import pytest

from iso10002 import ComplaintDesk
from iso10002.access import RoleBasedAuthorizer
from iso10002.cli import main
from iso10002.clock import FixedClock
from iso10002.errors import PermissionDenied
from iso10002.integrity import Problem, VerificationReport, verify
from iso10002.model.values import Actor, ClosureReason, Role
from iso10002.outbox import OutboxQuery
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import SAMPLE_START, full_lifecycle
from tests.integrity.test_verify_sqlite import KEY, build
from tests.outbox.support import START, handle, policy

ADMIN = Actor(id="dpo-1", role=Role.ADMINISTRATOR)
STRANGER = Actor(id="CUST-55", role=Role.COMPLAINANT)


def check(path: Path, key: bytes | None = None, *, deep: bool = True) -> VerificationReport:
    with SQLiteEventStore(path, integrity_key=key) as store:
        return verify(store, deep=deep)


def tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


def named(path: Path, key: bytes | None = None) -> tuple[Problem, str | None, str]:
    finding = check(path, key).finding
    assert finding is not None
    return finding.problem, finding.record, str(finding)


@pytest.fixture(name="db")
def _db(tmp_path: Path) -> Path:
    """The three lifecycles of test_verify_sqlite, three notified complaints, three denials."""
    path = tmp_path / "complaints.db"
    build(path)
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(START), notifications=policy())
        for n in range(1, 4):
            handle(desk, n)
        guarded = ComplaintDesk(store, clock=FixedClock(START), authorizer=RoleBasedAuthorizer())
        for reference in ("CMP-1", "CMP-2", "CMP-3"):
            with pytest.raises(PermissionDenied):
                guarded.close(reference, STRANGER, reason=ClosureReason.RESOLVED)
    return path


def outbox_ids(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    ids = [int(r[0]) for r in conn.execute("SELECT id FROM outbox ORDER BY id")]
    conn.close()
    return ids


def test_the_untouched_tables_are_intact(db: Path) -> None:
    report = check(db)
    assert report.ok, report.finding
    assert report.deep and report.unsealed_rows == 0
    assert len(outbox_ids(db)) >= 6


def test_a_summary_edited_to_reopen_a_closed_complaint_is_named(db: Path) -> None:
    tamper(
        db, "UPDATE complaints SET state = 'investigating', is_open = 1 WHERE reference = 'CMP-2'"
    )
    problem, record, text = named(db)
    assert (problem, record) == (Problem.ALTERED, "summary of CMP-2")
    assert "state 'investigating', not 'closed'" in text
    # Only the deep check sees it: the hashes are intact.
    assert check(db, deep=False).ok


def test_an_edited_redress_is_named(db: Path) -> None:
    tamper(db, "UPDATE complaints SET redress = 'GBP:100471.38' WHERE reference = 'CMP-3'")
    problem, record, text = named(db)
    assert (problem, record) == (Problem.ALTERED, "summary of CMP-3")
    assert "facts.redress" in text and "100471.38" in text


def test_a_summary_counting_fewer_events_is_named_even_without_the_deep_check(db: Path) -> None:
    tamper(db, "UPDATE complaints SET version = version - 1 WHERE reference = 'CMP-1'")
    finding = check(db, deep=False).finding
    assert finding is not None
    assert (finding.problem, finding.record) == (Problem.ALTERED, "summary of CMP-1")
    assert "counts 13 events; 14 are stored" in finding.detail


def test_an_edited_recipient_in_the_outbox_is_named(db: Path) -> None:
    first = outbox_ids(db)[0]
    tamper(
        db,
        "UPDATE outbox SET notification = replace(notification, 'complainant1@example.org', "
        f"'thief@example.net') WHERE id = {first}",
    )
    problem, record, _text = named(db)
    assert (problem, record) == (Problem.ALTERED, f"outbox record {first}")


def test_a_deleted_outbox_record_is_named(db: Path) -> None:
    ids = outbox_ids(db)
    tamper(db, f"DELETE FROM outbox WHERE id = {ids[2]}")
    problem, record, text = named(db)
    assert (problem, record) == (Problem.MISSING, f"outbox record {ids[3]}")
    assert f"outbox record {ids[2]} was deleted" in text


def test_purges_and_erasures_are_not_findings(db: Path) -> None:
    with SQLiteEventStore(db) as store:
        ids = [r.id for r in store.outbox_records(OutboxQuery())]
        for record_id in ids[1:4]:
            store.outbox_delivered(record_id, now=START)
        assert store.outbox_purge(delivered_before=START + _dt.timedelta(seconds=1)) == 3
        desk = ComplaintDesk(store, clock=FixedClock(START + _dt.timedelta(days=1)))
        reference = handle(desk, 9)
        handle(desk, 10)  # its records follow those the erasure deletes
        desk.withdraw(reference, ADMIN, reason="no longer needed")
        desk.erase_personal_data(reference, ADMIN, reason="erasure request")
        report = verify(store)
        assert report.ok, report.finding
    # And a deletion after them is still seen.
    tamper(db, f"DELETE FROM outbox WHERE id = {outbox_ids(db)[1]}")
    assert named(db)[0] is Problem.MISSING


def test_a_deleted_denial_is_named(db: Path) -> None:
    tamper(db, "DELETE FROM access_denials WHERE id = 2")
    problem, record, text = named(db)
    assert (problem, record) == (Problem.MISSING, "access denial 3")
    assert "access denial 2 was deleted" in text


def test_an_edited_denial_is_named(db: Path) -> None:
    tamper(db, "UPDATE access_denials SET reason = 'granted' WHERE id = 1")
    assert named(db)[:2] == (Problem.ALTERED, "access denial 1")


def test_a_denial_naming_another_actor_is_named(db: Path) -> None:
    tamper(db, "UPDATE access_denials SET actor_id = 'CUST-56' WHERE id = 3")
    problem, record, text = named(db)
    assert (problem, record) == (Problem.ALTERED, "access denial 3")
    assert "actor id does not match its commitment" in text


@pytest.mark.parametrize("statement", ["UPDATE counters SET value = 0", "DELETE FROM counters"])
def test_a_reset_reference_counter_is_named(db: Path, statement: str) -> None:
    tamper(db, statement)
    problem, record, text = named(db)
    assert (problem, record) == (Problem.ALTERED, "counter reference:CMP-2026")
    assert "complaint CMP-2026-000003 is stored" in text


def test_a_keyed_database_without_its_key_says_so(tmp_path: Path) -> None:
    path = tmp_path / "keyed.db"
    build(path, KEY)
    finding = check(path).finding
    assert finding is not None
    assert finding.problem is Problem.WRONG_KEY
    assert "written with an integrity key; give it" in finding.detail
    assert "--key-file" in finding.detail
    wrong = check(path, b"another key").finding
    assert wrong is not None and wrong.problem is Problem.WRONG_KEY
    assert "another integrity key" in wrong.detail
    assert check(path, KEY).ok


def test_the_cli_says_a_key_is_needed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "keyed.db"
    build(path, KEY)
    assert main(["verify", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "give it (iso10002 verify --key-file FILE)" in err
    assert "altered" not in err


def test_a_complaints_deleted_last_event_is_named(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        full_lifecycle(desk, reference="CMP-1")
        full_lifecycle(desk, reference="CMP-2")
    # CMP-1's last event (seq 13, position 13) is followed in the log by CMP-2's events.
    tamper(path, "DELETE FROM events WHERE position = 13")
    finding = check(path).finding
    assert finding is not None
    assert (finding.problem, finding.reference, finding.seq, finding.position) == (
        Problem.MISSING,
        "CMP-1",
        13,
        13,
    )
    assert "last event" in finding.detail
