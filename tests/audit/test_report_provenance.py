"""The report names the record it judged, and its JSON detects a change of any byte."""

from __future__ import annotations

import json

from iso10002 import ComplaintDesk, FixedClock
from iso10002.audit.digest import verify_report
from iso10002.audit.reports import report_to_json, report_to_markdown
from iso10002.audit.run import run_audit
from iso10002.integrity import verify
from iso10002.testing import SAMPLE_START

from .support import decided_not_communicated
from .test_point_in_time import DAY, PERIOD


def _report_json() -> tuple[str, ComplaintDesk]:
    desk = ComplaintDesk(clock=FixedClock(SAMPLE_START))
    decided_not_communicated(desk)
    report = run_audit(
        desk.store,
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        now=SAMPLE_START + 5 * DAY,
        auditor="A. Auditor",
        signed_off_by="Head of Quality",
    )
    assert "A. Auditor" in report_to_markdown(report)
    return report_to_json(report), desk


def test_the_report_carries_the_verified_record_scope_and_people() -> None:
    text, desk = _report_json()
    data = json.loads(text)
    checked = verify(desk.store)
    assert data["record"] == {
        "verified": True,
        "head": checked.head,
        "events": checked.events,
        "position": checked.last_position,
        "detail": None,
        "reference": None,
    }
    assert data["library_version"]
    assert data["scope"]["complaints"] == 1
    assert data["scope"]["period"] == {"from": PERIOD[0].isoformat(), "to": PERIOD[1].isoformat()}
    assert data["scope"]["workflow"] == "iso10002-standard"
    assert data["auditor"] == "A. Auditor"
    assert data["signed_off_by"] == "Head of Quality"
    assert isinstance(data["configurations"], list)
    assert data["digest"].startswith("sha256:")


def test_an_intact_report_verifies() -> None:
    text, _ = _report_json()
    assert verify_report(text).ok
    assert verify_report(text.encode("utf-8")).ok


def test_a_report_with_one_byte_changed_fails_the_check() -> None:
    text, _ = _report_json()
    raw = bytearray(text.encode("utf-8"))
    for at in (raw.index(b'"complaints": 1') + len('"complaints": '), 0, len(raw) // 2, 3):
        changed = bytearray(raw)
        changed[at] = ord("2") if changed[at] != ord("2") else ord("3")
        assert not verify_report(bytes(changed)).ok, at
    spaced = text.replace('"auditor": ', '"auditor":  ', 1)
    assert not verify_report(spaced).ok
