"""
The audit judges each complaint by the workflow recorded for it, names each one with its
version and fingerprint, and falls back to the workflow it is given (or the standard one) for
complaints that recorded none, saying so.
"""

from __future__ import annotations

import datetime as _dt

import attrs

from iso10002 import (
    Channel,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    FixedClock,
    InMemoryEventStore,
    ReferenceFormat,
)
from iso10002.audit.findings import FindingStatus
from iso10002.audit.run import run_audit
from iso10002.model.complaint import Complaint, ComplaintSummary
from iso10002.model.events import ComplaintReceived, Event
from iso10002.process.recorded import workflow_from_record, workflow_record
from tests.process.test_vendor import STAFF, WORKFLOW, _desk, _in_legal_review

FROM = _dt.date(2026, 3, 1)
TO = _dt.date(2026, 4, 1)
LATER = _dt.datetime(2026, 6, 1, tzinfo=_dt.timezone.utc)


def _as_before_recording(events: list[Event]) -> list[Event]:
    """The events as a release that recorded no workflow wrote them."""
    first = events[0]
    assert isinstance(first.payload, ComplaintReceived)
    bare = attrs.evolve(first, payload=attrs.evolve(first.payload, workflow=None))
    return [bare, *events[1:]]


def _older_store(desk: ComplaintDesk, *references: str) -> InMemoryEventStore:
    """A store holding those complaints as written before workflows were recorded."""
    old = InMemoryEventStore()
    for ref in references:
        events = _as_before_recording(desk.history(ref))
        old.append(
            events,
            expected_version=0,
            summary=ComplaintSummary.of(Complaint.replay(events)),
        )
    return old


def test_a_custom_workflow_is_recorded_once_and_named_by_each_complaint() -> None:
    desk = _desk()
    first, second = _in_legal_review(desk), _in_legal_review(desk)
    named = {desk.history(ref)[0].payload.workflow for ref in (first, second)}  # type: ignore[union-attr]
    record = workflow_record(WORKFLOW)
    assert named == {record.fingerprint}
    assert isinstance(desk.store, InMemoryEventStore)
    kept = desk.store.configuration(record.fingerprint)
    assert kept == record
    # The step's payload class is named for the reader; the workflow reads back without it.
    assert "tests.process.test_vendor.Opinion" in record.content
    rebuilt = workflow_from_record(record)
    assert rebuilt is not None
    assert [s.name for s in rebuilt.states] == [s.name for s in WORKFLOW.states]
    assert rebuilt.commands == WORKFLOW.commands


def test_the_audit_names_the_recorded_custom_workflow_without_being_told() -> None:
    desk = _desk()
    _in_legal_review(desk)
    report = run_audit(desk.store, period_from=FROM, period_to=TO, now=LATER)
    finding = report.finding("7-workflow-conforms")
    record = workflow_record(WORKFLOW)
    assert finding.status is FindingStatus.CONFORMING, finding
    assert finding.evidence.configuration["workflow"] == "vendor"
    assert finding.evidence.configuration[f"workflow vendor {record.version}"] == (
        record.fingerprint
    )
    assert record.fingerprint in finding.summary
    assert report.workflow == "vendor"
    assert record.fingerprint in report.configurations


def test_an_older_custom_workflow_database_audited_against_the_standard_one_is_a_finding() -> None:
    desk = _desk()
    ref = _in_legal_review(desk)
    old = _older_store(desk, ref)
    report = run_audit(old, period_from=FROM, period_to=TO, now=LATER)
    finding = report.finding("7-workflow-conforms")
    assert finding.status is FindingStatus.MAJOR_NONCONFORMITY
    assert "1 complaint name no recorded workflow" in finding.summary
    assert "'iso10002-standard' (the standard one, none was given)" in finding.summary
    assert finding.evidence.failed == ("iso10002-standard",)
    assert any(ref in note and "state 'legal_review'" in note for note in finding.evidence.notes)


def test_an_older_database_audited_with_the_workflow_it_ran_under_conforms() -> None:
    desk = _desk()
    ref = _in_legal_review(desk)
    old = _older_store(desk, ref)
    report = run_audit(old, period_from=FROM, period_to=TO, now=LATER, workflow=WORKFLOW)
    finding = report.finding("7-workflow-conforms")
    assert finding.evidence.configuration["workflow"] == "vendor"
    assert finding.evidence.failed == ()
    assert "given to the audit" in finding.summary


def test_each_complaint_is_judged_by_its_own_recorded_workflow() -> None:
    clock = FixedClock(_dt.datetime(2026, 3, 2, 9, tzinfo=_dt.timezone.utc))
    store = InMemoryEventStore()
    vendor = ComplaintDesk(store, clock=clock, workflow=WORKFLOW)
    standard = ComplaintDesk(store, clock=clock, references=ReferenceFormat(prefix="STD"))
    _in_legal_review(vendor)
    standard.receive(
        STAFF,
        complainant=Complainant(name="B", contact=ContactDetails(email="b@example.org")),
        channel=Channel.EMAIL,
        description="d",
    )
    report = run_audit(store, period_from=FROM, period_to=TO, now=LATER)
    finding = report.finding("7-workflow-conforms")
    assert finding.status is FindingStatus.CONFORMING, finding.evidence.notes
    assert set((report.workflow or "").split(", ")) == {"vendor", "iso10002-standard"}
    assert "(1 complaint) passes" in finding.summary


def _four_eyes(ctx: object) -> str | None:
    return None


def test_a_recorded_workflow_with_python_guards_is_named_and_checked_only_when_given() -> None:
    from iso10002 import Guard

    guarded = WORKFLOW.extend(
        name="four-eyes",
        guards={"decide": [Guard(name="four_eyes", description="Two people", check=_four_eyes)]},
    )
    record = workflow_record(guarded)
    assert '"four_eyes":"Two people"' in record.content
    assert workflow_from_record(record) is None
    clock = FixedClock(_dt.datetime(2026, 3, 2, 9, tzinfo=_dt.timezone.utc))
    desk = ComplaintDesk(clock=clock, workflow=guarded)
    _in_legal_review(desk)

    unchecked = run_audit(desk.store, period_from=FROM, period_to=TO, now=LATER)
    finding = unchecked.finding("7-workflow-conforms")
    assert finding.status is FindingStatus.NOT_APPLICABLE
    assert "could not be checked from the record" in finding.summary
    assert any("four_eyes" in note for note in finding.evidence.notes)
    assert unchecked.workflow == "four-eyes"

    given = run_audit(desk.store, period_from=FROM, period_to=TO, now=LATER, workflow=guarded)
    checked = given.finding("7-workflow-conforms")
    assert checked.status is FindingStatus.CONFORMING, checked.evidence.notes
    assert record.fingerprint in checked.summary
