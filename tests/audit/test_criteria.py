"""
Every history criterion, both ways: a complaint handled by the book conforms, and a history
with the one fault the criterion looks for fails it, naming that complaint.

Faults the desk's guards prevent (deciding unassessed, closing without a reason, ...) are
written straight into the store, as a history imported from elsewhere or edited outside the
library would be.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

import attrs
import pytest

from iso10002 import (
    Channel,
    ClosureReason,
    ComplaintDesk,
    Decision,
    DecisionCommunicated,
    DecisionMade,
    Event,
    FixedClock,
    InMemoryEventStore,
    Outcome,
)
from iso10002.audit.criteria import criteria, criterion
from iso10002.audit.findings import EvidenceKind, FindingStatus
from iso10002.audit.run import run_audit, sample_references
from iso10002.errors import ValidationError
from iso10002.model.events import (
    Assessed,
    Closed,
    ComplaintReceived,
    DecisionCarriedOut,
    InvestigationStarted,
    ReactionRecorded,
    RootCauseRecorded,
    SatisfactionRecorded,
)
from iso10002.model.values import ImportSource, Priority
from iso10002.testing import SAMPLE_START, sample_history, summary_after

PERIOD = (SAMPLE_START.date(), SAMPLE_START.date() + _dt.timedelta(days=31))
LATER = SAMPLE_START + _dt.timedelta(days=60)

Mutation = Callable[[list[Event]], list[Event]]


def renumbered(events: list[Event]) -> list[Event]:
    return [attrs.evolve(e, seq=i) for i, e in enumerate(events, start=1)]


def without(kind: type) -> Mutation:
    return lambda events: renumbered([e for e in events if not isinstance(e.payload, kind)])


def changed(kind: type, **changes: object) -> Mutation:
    def mutate(events: list[Event]) -> list[Event]:
        return [
            attrs.evolve(e, payload=attrs.evolve(e.payload, **changes))  # type: ignore[arg-type]
            if isinstance(e.payload, kind)
            else e
            for e in events
        ]

    return mutate


def not_upheld_without_recourse(events: list[Event]) -> list[Event]:
    events = without(RootCauseRecorded)(events)
    events = changed(DecisionMade, decision=Decision(outcome=Outcome.NOT_UPHELD, reasons="No."))(
        events
    )
    return changed(DecisionCommunicated, recourse_explained=False)(events)


def acknowledged_late(events: list[Event]) -> list[Event]:
    # Everything after the receipt happens three days later.
    late = _dt.timedelta(days=3)
    return [events[0], *(attrs.evolve(e, occurred_at=e.occurred_at + late) for e in events[1:])]


def out_of_time_order(events: list[Event]) -> list[Event]:
    third = events[2]
    return [*events[:2], attrs.evolve(third, occurred_at=events[0].occurred_at), *events[3:]]


def about_the_investigator(events: list[Event]) -> list[Event]:
    return changed(ComplaintReceived, people_involved=("investigator-1",))(events)


def later_from(kind: type, by: _dt.timedelta) -> Mutation:
    """Everything from the first event of ``kind`` on happens ``by`` later."""

    def mutate(events: list[Event]) -> list[Event]:
        first = next(i for i, e in enumerate(events) if isinstance(e.payload, kind))
        moved = (attrs.evolve(e, occurred_at=e.occurred_at + by) for e in events[first:])
        return [*events[:first], *moved]

    return mutate


def by_the_book(reference: str | None = None) -> list[Event]:
    """
    The sample history, assessed as serious (so 7.6 applies) and with its refund recorded as
    carried out before the resolved closure (so 7.9's step is there).
    """
    events = sample_history(reference=reference)
    events = changed(Assessed, priority=Priority.HIGH)(events)
    closing = next(i for i, e in enumerate(events) if isinstance(e.payload, Closed))
    before = events[closing - 1]
    done = attrs.evolve(before, payload=DecisionCarriedOut(summary="Refund paid."))
    return renumbered([*events[:closing], done, *events[closing:]])


FAULTS: dict[str, Mutation] = {
    "7.2-record-complete": changed(ComplaintReceived, remedy_requested=None),
    # Acknowledged within the hour, then 40 days without a word before the decision.
    "7.3-kept-informed": later_from(Assessed, _dt.timedelta(days=40)),
    "7.6-investigated-when-serious": without(InvestigationStarted),
    # The decision goes out 57 days after receipt, past the eight weeks.
    "7.7-response-given": later_from(DecisionCommunicated, _dt.timedelta(days=57)),
    "7.9-decision-carried-out": without(DecisionCarriedOut),
    "7.4-acknowledged-in-time": acknowledged_late,
    "7.5-assessed-before-investigation": without(Assessed),
    "7.8-decision-communicated": without(DecisionCommunicated),
    "7.9-recourse-explained": not_upheld_without_recourse,
    "7.9-closure-reason": without(ReactionRecorded),
    "4.7-objectivity": about_the_investigator,
    "4.9-history-integrity": out_of_time_order,
    "8.2-root-cause-for-upheld": without(RootCauseRecorded),
    "8.3-satisfaction-measured": without(SatisfactionRecorded),
}


def store_with(*histories: list[Event]) -> InMemoryEventStore:
    store = InMemoryEventStore()
    for events in histories:
        store.append(events, expected_version=0, summary=summary_after(events))
    return store


def test_every_history_criterion_has_a_fault_fixture() -> None:
    history_ids = {c.id for c in criteria() if c.evidence_kind is EvidenceKind.HISTORY}
    assert set(FAULTS) == history_ids


def test_a_complaint_handled_by_the_book_conforms_to_every_history_criterion() -> None:
    report = run_audit(
        store_with(by_the_book()), period_from=PERIOD[0], period_to=PERIOD[1], now=LATER
    )
    for c in criteria():
        if c.evidence_kind is EvidenceKind.HISTORY:
            f = report.finding(c.id)
            # The sample is upheld: recourse need not be explained, so it does not apply.
            expected = (
                FindingStatus.NOT_APPLICABLE
                if c.id == "7.9-recourse-explained"
                else FindingStatus.CONFORMING
            )
            assert (c.id, f.status) == (c.id, expected)
            assert f.evidence.failed == ()


@pytest.mark.parametrize("criterion_id", sorted(FAULTS))
def test_a_history_with_the_fault_fails_the_criterion(criterion_id: str) -> None:
    good = by_the_book(reference="CMP-2026-000001")
    bad = FAULTS[criterion_id](by_the_book(reference="CMP-2026-000002"))
    store = store_with(good, bad)

    report = run_audit(store, period_from=PERIOD[0], period_to=PERIOD[1], now=LATER)

    f = report.finding(criterion_id)
    c = criterion(criterion_id)
    if c.any_suffices:
        # A sample is enough: one measured complaint of two conforms; none fails, and the
        # one without is listed apart, not as a nonconformity.
        assert f.status is FindingStatus.CONFORMING
        assert f.evidence.failed == ()
        assert f.evidence.unmet == ("CMP-2026-000002",)
        assert f.evidence.rate == 0.5
        assert f.summary == (
            "1 of 2 complaints to which this applies have it (50%); a sample suffices."
        )
        alone = run_audit(store_with(bad), period_from=PERIOD[0], period_to=PERIOD[1], now=LATER)
        assert alone.finding(criterion_id).status is FindingStatus.failing(c.weight)
        return
    assert f.status is FindingStatus.failing(c.weight)
    assert f.evidence.failed == ("CMP-2026-000002",)
    # The upheld sample needs no recourse, so only the faulty complaint is checked there.
    checked = 1 if criterion_id == "7.9-recourse-explained" else 2
    assert f.evidence.checked == checked
    assert f"1 of {checked} complaints do not conform" in f.summary


def test_a_decision_not_yet_communicated_fails_only_once_it_is_overdue() -> None:
    clock = FixedClock(SAMPLE_START)
    desk = ComplaintDesk(clock=clock)
    from .support import decided_not_communicated

    ref = decided_not_communicated(desk)
    soon = run_audit(
        desk.store,
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        now=clock.now() + _dt.timedelta(days=3),
    )
    late = run_audit(
        desk.store,
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        now=clock.now() + _dt.timedelta(days=15),
    )
    assert soon.finding("7.8-decision-communicated").status is FindingStatus.NOT_APPLICABLE
    assert late.finding("7.8-decision-communicated").evidence.failed == (ref,)


def test_complaints_outside_the_period_are_not_audited() -> None:
    store = store_with(sample_history())
    report = run_audit(
        store,
        period_from=PERIOD[1],
        period_to=PERIOD[1] + _dt.timedelta(days=30),
        now=LATER,
    )
    assert report.complaints == 0
    assert report.finding("7.2-record-complete").status is FindingStatus.NOT_APPLICABLE


def test_the_sample_is_reproducible_and_drawn_from_the_period() -> None:
    refs = [f"CMP-2026-{i:06d}" for i in range(1, 101)]
    first = sample_references(refs, 10, seed=7)
    assert first == sample_references(reversed(refs), 10, seed=7)
    assert first != sample_references(refs, 10, seed=8)
    assert len(first) == 10 and set(first) <= set(refs)
    assert sample_references(refs[:3], 10, seed=7) == tuple(refs[:3])
    with pytest.raises(ValidationError) as caught:
        sample_references(refs, -1, seed=7)
    assert caught.value.field == "sample_size"


def test_a_reversed_period_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        run_audit(InMemoryEventStore(), period_from=PERIOD[1], period_to=PERIOD[0], now=LATER)
    assert caught.value.field == "period_to"


def test_closing_resolved_without_acceptance_is_caught_even_with_a_reason() -> None:
    events = FAULTS["7.9-closure-reason"](sample_history())
    closed = [e for e in events if e.type == "closed"]
    assert closed and closed[0].payload.reason is ClosureReason.RESOLVED  # type: ignore[union-attr]
    report = run_audit(store_with(events), period_from=PERIOD[0], period_to=PERIOD[1], now=LATER)
    assert report.finding("7.9-closure-reason").status is FindingStatus.MAJOR_NONCONFORMITY


@pytest.mark.parametrize(
    "criterion_id",
    [c.id for c in criteria() if c.evidence_kind is EvidenceKind.ATTESTATION],
)
def test_each_attested_criterion_conforms_or_fails_as_attested(criterion_id: str) -> None:
    from iso10002.audit.findings import Attestation

    store = store_with(sample_history())
    for conforms in (True, False):
        attestation = Attestation(
            criterion=criterion_id,
            by="Grace Hopper (managing director)",
            at=LATER,
            conforms=conforms,
            statement="As the minutes show.",
            evidence="Board minutes",
        )
        report = run_audit(
            store,
            period_from=PERIOD[0],
            period_to=PERIOD[1],
            now=LATER,
            attestations=[attestation],
        )
        expected = (
            FindingStatus.CONFORMING
            if conforms
            else FindingStatus.failing(criterion(criterion_id).weight)
        )
        assert report.finding(criterion_id).status is expected


def test_attested_criteria_await_a_named_person_and_record_who_and_when() -> None:
    from iso10002.audit.findings import Attestation

    store = store_with(sample_history())
    waiting = run_audit(store, period_from=PERIOD[0], period_to=PERIOD[1], now=LATER)
    attested = [c.id for c in criteria() if c.evidence_kind is EvidenceKind.ATTESTATION]
    assert attested
    assert {waiting.finding(i).status for i in attested} == {FindingStatus.AWAITING_ATTESTATION}

    first = Attestation(
        criterion="8.6-management-review-held",
        by="Grace Hopper (managing director)",
        at=LATER - _dt.timedelta(days=2),
        conforms=False,
        statement="The review was postponed.",
        evidence="Board minutes, 3 March",
    )
    second = attrs.evolve(
        first, at=LATER - _dt.timedelta(days=1), conforms=True, statement="Held on 28 April."
    )
    report = run_audit(
        store,
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        now=LATER,
        attestations=[second, first],
    )
    f = report.finding("8.6-management-review-held")
    assert (f.status, f.attestation) == (FindingStatus.CONFORMING, second)
    assert f.summary == "Attested by Grace Hopper (managing director): Held on 28 April."

    refused = run_audit(
        store, period_from=PERIOD[0], period_to=PERIOD[1], now=LATER, attestations=[first]
    )
    assert refused.finding("8.6-management-review-held").status is (
        FindingStatus.MINOR_NONCONFORMITY
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nope", "no criterion 'nope'"),
        ("7.2-record-complete", "is evidenced by the history, not by attestation"),
    ],
)
def test_an_attestation_for_a_criterion_that_takes_none_is_refused(name: str, message: str) -> None:
    from iso10002.audit.findings import Attestation

    attestation = Attestation(
        criterion=name, by="Ada", at=LATER, conforms=True, statement="Fine.", evidence="Memo"
    )
    with pytest.raises(ValidationError) as caught:
        run_audit(
            InMemoryEventStore(),
            period_from=PERIOD[0],
            period_to=PERIOD[1],
            now=LATER,
            attestations=[attestation],
        )
    assert caught.value.field == "attestations[0].criterion"
    assert message in str(caught.value)


def test_an_organisation_adds_its_own_criterion_with_the_weight_of_an_observation() -> None:
    from iso10002.audit.criteria import Criterion
    from iso10002.audit.findings import Weight

    def answered_by_post(_ctx: object, complaint: object, _history: object) -> bool:
        from iso10002 import Complaint

        assert isinstance(complaint, Complaint)
        return complaint.channel is not Channel.LETTER

    house_rule = Criterion(
        id="house-no-letters",
        clause="7.1",
        question="Did complainants avoid writing letters?",
        evidence_kind=EvidenceKind.HISTORY,
        weight=Weight.OBSERVATION,
        history_check=answered_by_post,
    )
    letter = changed(ComplaintReceived, channel=Channel.LETTER)
    store = store_with(letter(sample_history()))
    report = run_audit(
        store,
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        now=LATER,
        catalogue=[*criteria(), house_rule],
    )
    f = report.finding("house-no-letters")
    assert (f.status, f.evidence.failed) == (FindingStatus.OBSERVATION, ("CMP-2026-000001",))
    with pytest.raises(ValidationError) as caught:
        run_audit(
            store,
            period_from=PERIOD[0],
            period_to=PERIOD[1],
            now=LATER,
            catalogue=[house_rule, house_rule],
        )
    assert caught.value.field == "catalogue"


def test_dates_only_imports_are_not_measured_by_the_interval_criteria() -> None:
    # Forty silent days and a response after 57 would fail 7.3 and 7.7, but an import with
    # dates only cannot show intervals: neither criterion applies to it.
    source = ImportSource(system="cfpb", record_id="1", imported_at=LATER, timed=False)
    slow = later_from(DecisionCommunicated, _dt.timedelta(days=57))(
        later_from(Assessed, _dt.timedelta(days=40))(by_the_book())
    )
    imported = changed(ComplaintReceived, source=source)(slow)

    report = run_audit(store_with(imported), period_from=PERIOD[0], period_to=PERIOD[1], now=LATER)

    for criterion_id in ("7.3-kept-informed", "7.7-response-given"):
        f = report.finding(criterion_id)
        assert (criterion_id, f.status, f.evidence.checked) == (
            criterion_id,
            FindingStatus.NOT_APPLICABLE,
            0,
        )
    timed = run_audit(store_with(slow), period_from=PERIOD[0], period_to=PERIOD[1], now=LATER)
    assert timed.finding("7.3-kept-informed").evidence.failed == ("CMP-2026-000001",)
    assert timed.finding("7.7-response-given").evidence.failed == ("CMP-2026-000001",)


def test_a_complaint_still_waiting_fails_7_3_only_once_the_interval_has_passed() -> None:
    clock = FixedClock(SAMPLE_START)
    desk = ComplaintDesk(clock=clock)
    from .support import decided_not_communicated

    ref = decided_not_communicated(desk)

    def kept_informed(days: int) -> tuple[FindingStatus, tuple[str, ...]]:
        f = run_audit(
            desk.store,
            period_from=PERIOD[0],
            period_to=PERIOD[1],
            now=clock.now() + _dt.timedelta(days=days),
        ).finding("7.3-kept-informed")
        return f.status, f.evidence.failed

    assert kept_informed(20) == (FindingStatus.CONFORMING, ())
    assert kept_informed(40) == (FindingStatus.MINOR_NONCONFORMITY, (ref,))
