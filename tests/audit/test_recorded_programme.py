"""
A desk given a programme records it as it governs the complaints it receives; an audit not given
one reads the programme recorded by the latest complaint of the period received by its instant.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import attrs

from iso10002 import ComplaintDesk, FixedClock, SQLiteEventStore
from iso10002.audit.findings import FindingStatus
from iso10002.audit.run import run_audit
from iso10002.programme import Charges
from iso10002.programme.recorded import programme_record
from iso10002.testing import SAMPLE_START, full_lifecycle
from tests.audit.test_configuration_criteria import good

PERIOD = (SAMPLE_START.date(), SAMPLE_START.date() + _dt.timedelta(days=31))
EDITED_AT = SAMPLE_START + _dt.timedelta(days=10)


def test_the_audit_reads_the_programme_in_force_as_of_its_instant(tmp_path: Path) -> None:
    adopted = good()
    charged = attrs.evolve(
        adopted, version="2", charges=Charges(charged=True, description="A GBP 5 handling fee")
    )
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        full_lifecycle(ComplaintDesk(store, clock=FixedClock(SAMPLE_START), programme=adopted))
        full_lifecycle(ComplaintDesk(store, clock=FixedClock(EDITED_AT), programme=charged))

        before = run_audit(
            store,
            period_from=PERIOD[0],
            period_to=PERIOD[1],
            now=EDITED_AT - _dt.timedelta(hours=1),
        )
        after = run_audit(
            store,
            period_from=PERIOD[0],
            period_to=PERIOD[1],
            now=EDITED_AT + _dt.timedelta(days=1),
        )
        told = run_audit(
            store,
            period_from=PERIOD[0],
            period_to=PERIOD[1],
            programme=adopted,
            now=EDITED_AT + _dt.timedelta(days=1),
        )

    assert before.programme_version == adopted.version
    assert programme_record(adopted).fingerprint in before.configurations
    assert before.finding("4.8-no-charges").status is FindingStatus.CONFORMING
    assert after.programme_version == "2"
    assert programme_record(charged).fingerprint in after.configurations
    assert after.finding("4.8-no-charges").status is FindingStatus.failing(
        after.finding("4.8-no-charges").weight
    )
    # A programme given to the audit is the one judged.
    assert told.finding("4.8-no-charges").status is FindingStatus.CONFORMING


def test_without_a_recorded_programme_the_configuration_criteria_stay_not_applicable(
    tmp_path: Path,
) -> None:
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        full_lifecycle(ComplaintDesk(store, clock=FixedClock(SAMPLE_START)))
        report = run_audit(
            store,
            period_from=PERIOD[0],
            period_to=PERIOD[1],
            now=SAMPLE_START + _dt.timedelta(days=40),
        )
    assert report.programme_version is None
    assert report.finding("4.8-no-charges").status is FindingStatus.NOT_APPLICABLE
