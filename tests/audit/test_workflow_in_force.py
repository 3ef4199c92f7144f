"""The audit names the workflow it judged, and says so when the histories ran under another."""

from __future__ import annotations

import datetime as _dt

from iso10002.audit.findings import FindingStatus
from iso10002.audit.run import run_audit
from tests.process.test_vendor import WORKFLOW, _desk, _in_legal_review

FROM = _dt.date(2026, 3, 1)
TO = _dt.date(2026, 4, 1)
LATER = _dt.datetime(2026, 6, 1, tzinfo=_dt.timezone.utc)


def test_a_custom_workflow_database_audited_against_the_standard_one_is_a_finding() -> None:
    desk = _desk()
    ref = _in_legal_review(desk)
    report = run_audit(desk.store, period_from=FROM, period_to=TO, now=LATER)
    finding = report.finding("7-workflow-conforms")
    assert finding.status is FindingStatus.MAJOR_NONCONFORMITY
    assert "passes" not in finding.summary
    assert "iso10002-standard" in finding.summary
    assert "state 'legal_review'" in finding.evidence.failed
    assert any(ref in note for note in finding.evidence.notes)


def test_audited_against_the_workflow_it_ran_under_the_audit_names_that_workflow() -> None:
    desk = _desk()
    _in_legal_review(desk)
    report = run_audit(desk.store, period_from=FROM, period_to=TO, now=LATER, workflow=WORKFLOW)
    finding = report.finding("7-workflow-conforms")
    assert finding.evidence.configuration["workflow"] == "vendor"
    assert finding.evidence.failed == ()
    assert "'vendor'" in finding.summary
