"""
An audit of the demo's month: the simulation is built to lapse in known ways, and the audit
finds exactly those, with the complaints that show them, while the rest conforms.

- Letters and referrals are sometimes acknowledged two or three working days after receipt,
  past the retailer's one-business-day target (7.4).
- Investigators skip the root cause for about one investigation in five, so some upheld
  complaints have none (8.2).
- Satisfaction is surveyed for some closed complaints, not all: a sample, which conforms (8.3).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from iso10002 import SQLiteEventStore
from iso10002.audit.findings import FindingStatus
from iso10002.audit.run import run_audit
from iso10002.cli._sla import known_policies
from iso10002.simulation import DemoSettings, run_demo
from iso10002.simulation._retailer import FRONT_LINE, HEAD_OF_COMPLAINTS, INVESTIGATORS, MANAGERS
from iso10002.testing import programmes


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "complaints.db"
    with SQLiteEventStore(path, synchronous="NORMAL") as store:
        run_demo(store, DemoSettings())
    return path


def test_the_demo_month_fails_exactly_the_criteria_it_was_built_to_fail(demo_db: Path) -> None:
    settings = DemoSettings()
    staff = (*FRONT_LINE, *INVESTIGATORS, *MANAGERS, HEAD_OF_COMPLAINTS)
    programme = programmes.programme(
        training=tuple(
            programmes.training(person=a.id, completed_on=_dt.date(2025, 6, 1), expires_on=None)
            for a in staff
        ),
        objectives=(
            programmes.objective(id="ack", measure="acknowledgement"),
            programmes.objective(id="final", measure="final_response"),
        ),
    )
    with SQLiteEventStore(demo_db) as store:
        report = run_audit(
            store,
            period_from=settings.start,
            period_to=settings.start + _dt.timedelta(days=settings.days),
            programme=programme,
            sla=known_policies(),
            now=settings.end_at,
        )

    failing = {f.criterion for f in report.findings if f.status.value.endswith("nonconformity")}
    assert failing == {"7.4-acknowledged-in-time", "8.2-root-cause-for-upheld"}
    late = report.finding("7.4-acknowledged-in-time")
    assert late.status is FindingStatus.MINOR_NONCONFORMITY
    assert 0 < len(late.evidence.failed) < late.evidence.checked / 10
    no_cause = report.finding("8.2-root-cause-for-upheld")
    assert 0.4 < (no_cause.evidence.rate or 0) < 0.95  # most, not all
    survey = report.finding("8.3-satisfaction-measured")
    assert survey.status is FindingStatus.CONFORMING
    assert 0 < (survey.evidence.rate or 0) < 1
    conforming = {f.criterion for f in report.findings if f.status is FindingStatus.CONFORMING}
    assert {"7.2-record-complete", "7.9-recourse-explained", "4.7-objectivity"} <= conforming
    assert {"4.8-no-charges", "6.4-staff-trained", "8.4-objectives-monitored"} <= conforming
    assert report.complaints == settings.complaints
    assert len(report.sample) == 10
