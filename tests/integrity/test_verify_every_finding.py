"""
verify() names every bad record, not only the first: a tampered event no longer hides an
edited summary, outbox record, access denial or counter behind it. The events' findings come
first, in log order; one tampering is named once; the summary of a complaint whose events are
named is not (it follows from them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iso10002.cli import main
from iso10002.integrity import Problem
from tests.integrity.test_verify_tables import _db, check, outbox_ids, tamper

__all__ = ["_db"]

EDIT_EVENT_20 = (
    "UPDATE events SET personal = replace(personal, 'twice', 'once') WHERE position = 20"
)


def records(db: Path) -> list[tuple[Problem, int | None, str | None, str | None]]:
    report = check(db)
    assert report.finding == (report.findings[0] if report.findings else None)
    return [(f.problem, f.position, f.reference, f.record) for f in report.findings]


def test_an_altered_event_and_four_other_tables_are_all_named(db: Path) -> None:
    first = outbox_ids(db)[0]
    tamper(
        db,
        EDIT_EVENT_20,
        "UPDATE complaints SET redress = 'GBP:100471.38' WHERE reference = 'CMP-3'",
        "UPDATE outbox SET notification = replace(notification, 'complainant1@example.org', "
        f"'thief@example.net') WHERE id = {first}",
        "UPDATE access_denials SET reason = 'granted' WHERE id = 1",
        "UPDATE counters SET value = 0",
    )
    found = records(db)
    assert found[0] == (Problem.ALTERED, 20, "CMP-2", None)
    assert [r for *_, r in found[1:]] == [
        "summary of CMP-3",
        "counter reference:CMP-2026",
        f"outbox record {first}",
        "access denial 1",
    ]
    report = check(db)
    # What the log was intact up to is still reported as before: up to the first bad event.
    assert report.events == 19 and report.last_position == 19


def test_two_altered_events_are_named_in_log_order_and_each_once(db: Path) -> None:
    tamper(
        db,
        "UPDATE events SET state = 'closed' WHERE position IN (30, 31)",
        EDIT_EVENT_20,
    )
    found = records(db)
    assert [(p, pos, ref) for p, pos, ref, _ in found] == [
        (Problem.ALTERED, 20, "CMP-2"),
        (Problem.ALTERED, 30, "CMP-3"),
    ]


def test_the_summary_of_a_complaint_whose_events_are_named_is_not(db: Path) -> None:
    tamper(
        db,
        EDIT_EVENT_20,
        "UPDATE complaints SET state = 'investigating', is_open = 1 WHERE reference = 'CMP-2'",
    )
    assert records(db) == [(Problem.ALTERED, 20, "CMP-2", None)]


def test_a_deleted_event_does_not_make_the_rest_of_the_log_look_bad(db: Path) -> None:
    tamper(db, "DELETE FROM events WHERE position = 16", "DELETE FROM access_denials WHERE id = 2")
    found = records(db)
    assert [(p, ref, r) for p, _, ref, r in found] == [
        (Problem.MISSING, "CMP-2", None),
        (Problem.MISSING, "CMP-3", "access denial 3"),
    ]


def test_the_cli_lists_every_finding_and_exits_1(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(db, EDIT_EVENT_20, "UPDATE access_denials SET reason = 'granted' WHERE id = 1")
    assert main(["verify", "--db", str(db)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3 and "Traceback" not in "".join(lines)
    assert "position 20, complaint CMP-2, seq 7: altered" in lines[0]
    assert "access denial 1, complaint CMP-1: altered" in lines[1]
    assert lines[2].endswith(": 2 bad records, listed above")


def test_the_cli_lists_at_most_its_limit_and_counts_the_rest(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from iso10002.cli import _verify

    monkeypatch.setattr(_verify, "SHOWN", 1)
    tamper(db, EDIT_EVENT_20, "UPDATE access_denials SET reason = 'granted' WHERE id = 1")
    assert main(["verify", "--db", str(db)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and "position 20" in lines[0]
    assert lines[1].endswith(": 2 bad records, the first 1 listed above")
