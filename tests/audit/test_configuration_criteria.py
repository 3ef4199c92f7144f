"""
Every configuration criterion, both ways: the sample programme conforms, and a programme with
the one gap the criterion looks for fails it, with the configuration values it read.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from iso10002 import Channel, ComplaintDesk, FixedClock, InMemoryEventStore
from iso10002.audit.actions import ActionStatus, ImprovementAction
from iso10002.audit.criteria import criteria, criterion
from iso10002.audit.findings import EvidenceKind, Finding, FindingStatus
from iso10002.audit.run import run_audit
from iso10002.programme import Charges, Programme
from iso10002.testing import SAMPLE_START, full_lifecycle, sample_actor, sample_complainant
from iso10002.testing.programmes import escalation, objective, programme, training

PERIOD = (SAMPLE_START.date(), SAMPLE_START.date() + _dt.timedelta(days=31))
NOW = SAMPLE_START + _dt.timedelta(days=40)

# The staff of full_lifecycle, all trained.
TRAINED = tuple(
    training(person=person, completed_on=_dt.date(2025, 1, 1), expires_on=None)
    for person in ("agent-1", "manager-1", "investigator-1")
)


def good() -> Programme:
    # Objectives on KPIs the library computes; SLA metrics count too when a config is given.
    return programme(
        training=TRAINED,
        objectives=(
            objective(id="in-time", measure="acknowledged_in_time"),
            objective(id="days", measure="time_to_final_response", target=10, unit="days"),
        ),
    )


Gap = Callable[[Programme], Programme]


def evolve(**changes: Any) -> Gap:
    return lambda p: attrs.evolve(p, **changes)


GAPS: dict[str, Gap] = {
    "4.5-accessible-to-all": lambda p: attrs.evolve(
        p, access=attrs.evolve(p.access, accessible_formats=(), channels=(Channel.PHONE,))
    ),
    "4.10-personal-data-restricted": lambda p: attrs.evolve(
        p, confidentiality=attrs.evolve(p.confidentiality, disclosure_rules=None)
    ),
    "4.8-no-charges": evolve(charges=Charges(charged=True, description="A GBP 5 handling fee")),
    "5.3-policy-published": lambda p: attrs.evolve(
        p, policy=attrs.evolve(p.policy, published_at=())
    ),
    "5.4-roles-assigned": lambda p: attrs.evolve(
        p,
        responsibilities=tuple(r for r in p.responsibilities if r.role != "top_management"),
    ),
    "6.4-staff-trained": evolve(training=TRAINED[:2]),
    "7.1-how-to-complain-published": lambda p: attrs.evolve(
        p, access=attrs.evolve(p.access, published_at=())
    ),
    "7.9-external-body-named": evolve(escalation=escalation(external_body=None)),
    "8.1-retention": lambda p: attrs.evolve(
        p, confidentiality=attrs.evolve(p.confidentiality, retention_years=1)
    ),
    "8.4-objectives-monitored": evolve(objectives=(objective(measure="mood_of_the_board"),)),
}


def closed_store() -> InMemoryEventStore:
    """One complaint received in the period and closed, handled by trained staff."""
    store = InMemoryEventStore()
    full_lifecycle(ComplaintDesk(store, clock=FixedClock(SAMPLE_START)))
    return store


def test_every_configuration_criterion_has_a_gap_fixture() -> None:
    ids = {c.id for c in criteria() if c.evidence_kind is EvidenceKind.CONFIGURATION}
    # The workflow is not part of the programme, and 8.7 reads the improvement actions:
    # their two ways are tested below.
    assert set(GAPS) | {"7-workflow-conforms", "8.7-nonconformity-has-action"} == ids


def test_a_workflow_that_breaks_the_handling_rules_fails_and_says_how() -> None:
    from pathlib import Path

    from iso10002.process.workflow_file import read_workflow_file

    examples = Path(__file__).resolve().parents[2] / "examples" / "workflows"
    broken = read_workflow_file(examples / "phone-desk.json")
    report = run_audit(
        closed_store(), period_from=PERIOD[0], period_to=PERIOD[1], workflow=broken, now=NOW
    )
    f = report.finding("7-workflow-conforms")
    assert f.status is FindingStatus.MAJOR_NONCONFORMITY
    # The complaints ran under the standard workflow, as recorded; the broken one given to the
    # audit governs none of them but is checked too, and fails.
    assert f.evidence.configuration["workflow"] == f"iso10002-standard, {broken.name}"
    assert f.evidence.failed == (broken.name,)
    assert any(note.startswith(f"{broken.name}: assessed: ") for note in f.evidence.notes), (
        f.evidence.notes
    )
    standard = run_audit(closed_store(), period_from=PERIOD[0], period_to=PERIOD[1], now=NOW)
    assert standard.finding("7-workflow-conforms").status is FindingStatus.CONFORMING


def test_the_sample_programme_conforms_to_every_configuration_criterion() -> None:
    report = run_audit(
        closed_store(), period_from=PERIOD[0], period_to=PERIOD[1], programme=good(), now=NOW
    )
    for c in criteria():
        if c.evidence_kind is EvidenceKind.CONFIGURATION and not c.after_findings:
            assert (c.id, report.finding(c.id).status) == (c.id, FindingStatus.CONFORMING)
    assert report.organisation == "Example Ltd"
    # No improvement actions were given: 8.7 says it did not look.
    actions = report.finding("8.7-nonconformity-has-action")
    assert actions.status is FindingStatus.NOT_APPLICABLE
    assert actions.summary == "No improvement actions were given, so this was not checked."


@pytest.mark.parametrize("criterion_id", sorted(GAPS))
def test_a_programme_with_the_gap_fails_the_criterion(criterion_id: str) -> None:
    gapped = GAPS[criterion_id](good())
    # Retention is one year: audited two years on, the complaint is held too long.
    now = NOW + _dt.timedelta(days=730) if criterion_id == "8.1-retention" else NOW
    report = run_audit(
        closed_store(), period_from=PERIOD[0], period_to=PERIOD[1], programme=gapped, now=now
    )
    f = report.finding(criterion_id)
    assert f.status is FindingStatus.failing(criterion(criterion_id).weight), f.summary
    assert f.summary


def test_the_findings_name_what_they_read() -> None:
    report = run_audit(
        closed_store(),
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        programme=GAPS["6.4-staff-trained"](good()),
        now=NOW,
    )
    trained = report.finding("6.4-staff-trained")
    assert trained.summary == (
        "1 of the 3 people who handled complaints had no current training record when they "
        "acted: investigator-1."
    )
    # Counted in people, not complaints: two of three were trained.
    assert trained.evidence.failed == ("investigator-1",)
    assert (trained.evidence.checked, trained.evidence.unit) == (3, "people")
    assert trained.evidence.rate == 2 / 3
    assert trained.evidence.notes == ("investigator-1: 1 complaint (CMP-2026-000001)",)
    charges = run_audit(
        closed_store(),
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        programme=GAPS["4.8-no-charges"](good()),
        now=NOW,
    ).finding("4.8-no-charges")
    assert charges.status is FindingStatus.MAJOR_NONCONFORMITY
    assert dict(charges.evidence.configuration) == {"charges.charged": "true"}
    assert "A GBP 5 handling fee" in charges.summary


def test_without_a_programme_configuration_criteria_are_not_applicable_and_say_why() -> None:
    report = run_audit(closed_store(), period_from=PERIOD[0], period_to=PERIOD[1], now=NOW)
    for c in criteria():
        if c.evidence_kind is EvidenceKind.CONFIGURATION and c.needs_programme:
            f = report.finding(c.id)
            assert f.status is FindingStatus.NOT_APPLICABLE
            assert f.summary == "No programme configuration was given, so this was not checked."


def test_staff_are_matched_by_id_or_by_name() -> None:
    store = InMemoryEventStore()
    desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
    named = sample_actor("agent-9", name="Tom Okafor")
    c = desk.receive(
        named,
        complainant=sample_complainant(),
        channel=Channel.EMAIL,
        description="Late refund.",
        remedy_requested="Refund.",
    )
    assert c.reference
    p = programme(training=(training(person="Tom Okafor", expires_on=None),))
    report = run_audit(store, period_from=PERIOD[0], period_to=PERIOD[1], programme=p, now=NOW)
    assert report.finding("6.4-staff-trained").status is FindingStatus.CONFORMING


def test_one_trained_person_is_one_person() -> None:
    store = InMemoryEventStore()
    desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
    desk.receive(
        sample_actor("agent-1"),
        complainant=sample_complainant(),
        channel=Channel.EMAIL,
        description="Late refund.",
        remedy_requested="Refund.",
    )
    report = run_audit(store, period_from=PERIOD[0], period_to=PERIOD[1], programme=good(), now=NOW)
    f = report.finding("6.4-staff-trained")
    assert f.summary == "The only person who handled complaints had current training."
    assert (f.evidence.checked, f.evidence.failed, f.evidence.rate) == (1, (), 1.0)


def test_the_gaps_of_accessibility_and_confidentiality_are_named() -> None:
    report = run_audit(
        closed_store(),
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        programme=GAPS["4.10-personal-data-restricted"](GAPS["4.5-accessible-to-all"](good())),
        now=NOW,
    )
    access = report.finding("4.5-accessible-to-all")
    assert access.summary == (
        "The process is not accessible to all: fewer than two channels are offered; no "
        "accessible format (large print, easy read, audio, ...) is offered."
    )
    assert access.evidence.configuration["access.channels"] == "phone"
    private = report.finding("4.10-personal-data-restricted")
    assert private.status is FindingStatus.MAJOR_NONCONFORMITY
    assert private.summary == (
        "Personal data is not restricted: no rules say when personal data may be disclosed."
    )
    fine = run_audit(
        closed_store(), period_from=PERIOD[0], period_to=PERIOD[1], programme=good(), now=NOW
    )
    assert fine.finding("4.5-accessible-to-all").summary == (
        "The process is offered by 2 channels, in 1 accessible format and 1 language."
    )


def _action(id: str, finding: str, status: str = "open") -> ImprovementAction:
    closed = None if status in ("open", "in_progress") else _dt.date(2026, 3, 20)
    return ImprovementAction(
        id=id,
        title="Fix it",
        owner="Ann Rep",
        due=_dt.date(2026, 4, 30),
        status=ActionStatus(status),
        opened_on=_dt.date(2026, 3, 10),
        finding=finding,
        closed_on=closed,
    )


def test_every_nonconformity_needs_an_improvement_action() -> None:
    gapped = GAPS["6.4-staff-trained"](GAPS["4.8-no-charges"](good()))

    def audit(*actions: ImprovementAction) -> Finding:
        report = run_audit(
            closed_store(),
            period_from=PERIOD[0],
            period_to=PERIOD[1],
            programme=gapped,
            now=NOW,
            actions=actions,
        )
        return report.finding("8.7-nonconformity-has-action")

    # A cancelled action answers nothing; a done one does.
    missing = audit(_action("A-1", "6.4-staff-trained", "cancelled"))
    assert missing.status is FindingStatus.MINOR_NONCONFORMITY
    assert missing.evidence.failed == ("4.8-no-charges", "6.4-staff-trained")
    assert (missing.evidence.checked, missing.evidence.unit) == (2, "nonconformities")
    assert missing.summary == (
        "2 of 2 nonconformities have no improvement action: 4.8-no-charges, 6.4-staff-trained."
    )
    one = audit(_action("A-1", "6.4-staff-trained", "done"))
    assert one.summary == ("1 of 2 nonconformities has no improvement action: 4.8-no-charges.")
    both = audit(_action("A-1", "6.4-staff-trained"), _action("A-2", "4.8-no-charges"))
    assert both.status is FindingStatus.CONFORMING
    assert both.summary == "All 2 nonconformities have an improvement action."
    clean = run_audit(
        closed_store(),
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        programme=good(),
        now=NOW,
        actions=(),
    ).finding("8.7-nonconformity-has-action")
    assert clean.status is FindingStatus.NOT_APPLICABLE
    assert clean.summary == "The audit found no nonconformity."
