"""An audit as of an instant sees only what was there by then: complaints, events, attestations."""

from __future__ import annotations

import datetime as _dt

import attrs

from iso10002 import Channel, ComplaintDesk, FixedClock
from iso10002.audit.findings import Attestation, FindingStatus
from iso10002.audit.run import run_audit
from iso10002.testing import SAMPLE_START

from .support import STAFF, decided_not_communicated

DAY = _dt.timedelta(days=1)
PERIOD = (SAMPLE_START.date(), SAMPLE_START.date() + _dt.timedelta(days=60))


def test_complaints_received_after_the_instant_are_not_counted() -> None:
    clock = FixedClock(SAMPLE_START)
    desk = ComplaintDesk(clock=clock)
    first = decided_not_communicated(desk)
    clock.advance(10 * DAY)
    decided_not_communicated(desk)
    as_of = SAMPLE_START + 5 * DAY
    report = run_audit(desk.store, period_from=PERIOD[0], period_to=PERIOD[1], now=as_of)
    assert report.complaints == 1
    assert report.sample == (first,)


def test_events_after_the_instant_are_not_seen() -> None:
    clock = FixedClock(SAMPLE_START)
    desk = ComplaintDesk(clock=clock)
    ref = decided_not_communicated(desk)
    clock.advance(20 * DAY)
    desk.communicate_decision(ref, STAFF, channel=Channel.EMAIL, summary="Not upheld.")
    # As of day 16 the decision was overdue and not yet told; the later telling is not seen.
    before = run_audit(
        desk.store, period_from=PERIOD[0], period_to=PERIOD[1], now=SAMPLE_START + 16 * DAY
    )
    assert before.finding("7.8-decision-communicated").evidence.failed == (ref,)
    after = run_audit(
        desk.store, period_from=PERIOD[0], period_to=PERIOD[1], now=SAMPLE_START + 30 * DAY
    )
    assert ref not in after.finding("7.8-decision-communicated").evidence.failed


def test_attestations_dated_after_the_instant_are_not_accepted() -> None:
    as_of = SAMPLE_START + 5 * DAY
    late = Attestation(
        criterion="8.6-management-review-held",
        by="Auditor",
        at=as_of + DAY,
        conforms=True,
        statement="Held.",
        evidence="Minutes.",
    )
    report = run_audit(
        ComplaintDesk().store,
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        now=as_of,
        attestations=[late],
    )
    finding = report.finding("8.6-management-review-held")
    assert finding.status is FindingStatus.AWAITING_ATTESTATION
    on_time = attrs.evolve(late, at=as_of)
    report = run_audit(
        ComplaintDesk().store,
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        now=as_of,
        attestations=[late, on_time],
    )
    assert report.finding("8.6-management-review-held").attestation == on_time
