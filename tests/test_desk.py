"""ComplaintDesk: the lifecycle, the guards, idempotent intake and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Classification,
    ClosureReason,
    CommandRejected,
    Complainant,
    Complaint,
    ComplaintDesk,
    ComplaintNotFound,
    ConcurrencyConflict,
    ContactDetails,
    Decision,
    DuplicateKeyError,
    FixedClock,
    GuardFailed,
    InMemoryEventStore,
    InvalidTransition,
    Money,
    NaiveDatetimeError,
    Outcome,
    Priority,
    Reaction,
    Remedy,
    RemedyKind,
    Role,
    Severity,
    State,
    Transition,
    UnknownCommand,
    ValidationError,
    standard_workflow,
)
from iso10002.process import guards
from iso10002.testing.samples import full_lifecycle, sample_actor

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
HANDLER = Actor(id="h-1", role=Role.FRONT_LINE, name="Hana Front")
MANAGER = Actor(id="m-1", role=Role.COMPLAINTS_MANAGER, name="Mo Manager")
INVESTIGATOR = Actor(id="i-1", role=Role.INVESTIGATOR)
ANN = Complainant(name="Ann Example", contact=ContactDetails(email="ann@example.org"))
UPHELD = Decision(
    outcome=Outcome.UPHELD,
    reasons="We charged twice.",
    remedies=(
        Remedy(kind=RemedyKind.REFUND, amount=Money(amount=Decimal("42.10"), currency="GBP")),
    ),
)
NOT_UPHELD = Decision(outcome=Outcome.NOT_UPHELD, reasons="The charge was correct.")


@pytest.fixture(name="clock")
def _clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(name="desk")
def _desk(clock: FixedClock) -> ComplaintDesk:
    return ComplaintDesk(InMemoryEventStore(), clock=clock)


def receive(desk: ComplaintDesk, **overrides: object) -> Complaint:
    fields: dict[str, object] = {
        "complainant": ANN,
        "channel": Channel.EMAIL,
        "description": "I was charged twice for one order.",
        "remedy_requested": "Refund the second charge",
    }
    fields.update(overrides)
    return desk.receive(HANDLER, **fields)  # type: ignore[arg-type]


def to_decided(desk: ComplaintDesk, ref: str, decision: Decision = UPHELD) -> Complaint:
    desk.acknowledge(ref, HANDLER)
    desk.assess(ref, HANDLER, Assessment(severity=Severity.MEDIUM))
    desk.start_investigation(ref, INVESTIGATOR)
    return desk.decide(ref, MANAGER, decision)


def test_full_lifecycle_follows_clause_7_and_replays(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    c = receive(desk)
    clock.advance(dt.timedelta(hours=1))
    to_decided(desk, c.reference)
    desk.communicate_decision(c.reference, MANAGER, channel=Channel.EMAIL, summary="Refunding.")
    desk.record_reaction(c.reference, HANDLER, Reaction.ACCEPTS)
    closed = desk.close(c.reference, MANAGER, reason=ClosureReason.RESOLVED)
    clock.advance(dt.timedelta(days=3))
    final = desk.record_satisfaction(c.reference, HANDLER, score=4)

    history = desk.history(c.reference)
    assert [e.type for e in history] == [
        "complaint_received",
        "acknowledged",
        "assessed",
        "investigation_started",
        "decision_made",
        "decision_communicated",
        "reaction_recorded",
        "closed",
        "satisfaction_recorded",
    ]
    assert [e.seq for e in history] == list(range(1, 10))
    assert [e.state for e in history][-2:] == ["closed", "closed"]
    assert closed.closure_reason is ClosureReason.RESOLVED
    assert not final.is_open
    assert final.acknowledged_at == START + dt.timedelta(hours=1)
    assert final.satisfaction is not None and final.satisfaction.score == 4
    assert Complaint.replay(history) == final == desk.get(c.id)


def test_references_are_unique_per_year_and_formatted(desk: ComplaintDesk) -> None:
    first = receive(desk)
    second = receive(desk)
    last_year = receive(desk, received_at=dt.datetime(2025, 12, 31, 23, tzinfo=dt.timezone.utc))

    assert (first.reference, second.reference) == ("CMP-2026-000001", "CMP-2026-000002")
    assert last_year.reference == "CMP-2025-000001"
    assert desk.get("CMP-2026-000002").id == second.id


def test_receiving_twice_with_one_client_key_records_one_complaint(desk: ComplaintDesk) -> None:
    first = receive(desk, client_key="web-123")
    again = receive(desk, client_key="web-123")

    assert again == first
    assert desk.query().total == 1
    assert len(desk.history(first.reference)) == 1
    assert desk.find_by_client_key("web-123") == first
    assert desk.find_by_client_key("other") is None


def test_a_chosen_reference_is_kept_and_cannot_be_reused(desk: ComplaintDesk) -> None:
    c = receive(desk, reference="LEGACY-77")

    assert c.reference == "LEGACY-77"
    with pytest.raises(DuplicateKeyError, match="reference 'LEGACY-77' is already used"):
        receive(desk, reference="LEGACY-77")
    assert desk.query().total == 1


def test_priority_comes_from_the_policy_and_safety_is_urgent(desk: ComplaintDesk) -> None:
    c = receive(desk)
    desk.acknowledge(c.reference, HANDLER)

    assessed = desk.assess(
        c.reference, HANDLER, Assessment(severity=Severity.LOW, safety_implication=True)
    )
    revised = desk.assess(c.reference, MANAGER, Assessment(severity=Severity.LOW))

    assert assessed.priority is Priority.URGENT
    assert revised.priority is Priority.LOW
    assert [e.type for e in desk.history(c.id)][-2:] == ["assessed", "assessed"]
    assert revised.state == State.ASSESSED


def test_command_in_wrong_state_names_state_and_allowed_commands(desk: ComplaintDesk) -> None:
    c = receive(desk)

    with pytest.raises(InvalidTransition) as info:
        desk.decide(c.reference, MANAGER, UPHELD)

    err = info.value
    assert err.state == "received"
    assert err.command == "decide"
    assert err.reference == c.reference
    assert "acknowledge" in err.allowed
    assert str(err) == (
        f"'decide' is not allowed for complaint {c.reference} in state 'received'; allowed "
        "commands: acknowledge, add_note, assign, classify, close, extend_deadline, "
        "put_on_hold, record_communication, record_root_cause, release_hold, withdraw"
    )
    assert desk.get(c.id).version == 1


def test_unknown_command_of_a_custom_step_is_reported(desk: ComplaintDesk) -> None:
    c = receive(desk)

    with pytest.raises(UnknownCommand, match="the workflow has no command 'teleport'"):
        desk.run_step(c.reference, HANDLER, "teleport")


def test_decision_needs_an_assessment_first(clock: FixedClock) -> None:
    # A custom workflow that lets a decision be tried straight after acknowledgement: the
    # assessment_recorded guard still stops it.
    fast_track = standard_workflow().extend(
        name="fast-track",
        transitions=[
            Transition(
                command="decide",
                sources=("acknowledged",),
                target="decided",
                guards=(guards.assessment_recorded,),
            )
        ],
    )
    desk = ComplaintDesk(clock=clock, workflow=fast_track)
    c = receive(desk)
    desk.acknowledge(c.reference, HANDLER)

    with pytest.raises(GuardFailed) as info:
        desk.decide(c.reference, MANAGER, UPHELD)

    assert info.value.guard == "assessment_recorded"
    assert str(info.value) == (
        f"'decide' refused for complaint {c.reference} in state 'acknowledged' by guard "
        "'assessment_recorded': the initial assessment (7.5) has not been recorded"
    )
    assert desk.get(c.id).version == 2


def test_objectivity_keeps_people_complained_about_away(desk: ComplaintDesk) -> None:
    c = receive(desk, people_involved=["m-1"])
    desk.acknowledge(c.reference, HANDLER)
    desk.assess(c.reference, HANDLER, Assessment(severity=Severity.MEDIUM))

    with pytest.raises(GuardFailed) as info:
        desk.assign(c.reference, HANDLER, MANAGER)
    assert info.value.guard == "objectivity"
    assert "m-1 is a person the complaint is about" in str(info.value)

    with pytest.raises(GuardFailed, match="by guard 'objectivity': m-1 is a person"):
        desk.start_investigation(c.reference, MANAGER)
    with pytest.raises(GuardFailed, match="guard 'objectivity'"):
        desk.decide(c.reference, MANAGER, UPHELD)

    assert desk.get(c.id).version == 3
    assert desk.decide(c.reference, INVESTIGATOR, UPHELD).state == State.DECIDED


def test_not_upheld_decisions_must_explain_recourse(desk: ComplaintDesk) -> None:
    c = receive(desk)
    to_decided(desk, c.reference, NOT_UPHELD)

    with pytest.raises(GuardFailed, match="must explain internal review and the external"):
        desk.communicate_decision(
            c.reference, MANAGER, channel=Channel.LETTER, summary="No.", recourse_explained=False
        )
    done = desk.communicate_decision(c.reference, MANAGER, channel=Channel.LETTER, summary="No.")
    assert done.recourse_explained
    assert done.state == State.AWAITING_REACTION


def test_closing_requires_acceptance_or_a_documented_reason(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    c = receive(desk)
    to_decided(desk, c.reference)

    with pytest.raises(GuardFailed, match="the decision has not been communicated"):
        desk.close(c.reference, MANAGER, reason=ClosureReason.RESOLVED)
    with pytest.raises(GuardFailed, match="was not referred to an external body"):
        desk.close(c.reference, MANAGER, reason=ClosureReason.REFERRED_EXTERNALLY)
    with pytest.raises(GuardFailed, match="no communicated decision is awaiting"):
        desk.close(c.reference, MANAGER, reason=ClosureReason.NO_REPLY)

    desk.communicate_decision(c.reference, MANAGER, channel=Channel.EMAIL, summary="Refund.")
    with pytest.raises(GuardFailed, match="has not accepted the decision"):
        desk.close(c.reference, MANAGER, reason=ClosureReason.RESOLVED)
    clock.advance(dt.timedelta(days=27))
    with pytest.raises(GuardFailed, match=r"has until 2026-03-30T09:00:00\+00:00 to react"):
        desk.close(c.reference, MANAGER, reason=ClosureReason.NO_REPLY)
    clock.advance(dt.timedelta(days=1))

    closed = desk.close(c.reference, MANAGER, reason=ClosureReason.NO_REPLY)
    assert closed.closure_reason is ClosureReason.NO_REPLY


def test_rejection_leads_to_review_then_referral_and_closure(desk: ComplaintDesk) -> None:
    c = receive(desk)
    to_decided(desk, c.reference, NOT_UPHELD)
    desk.communicate_decision(c.reference, MANAGER, channel=Channel.EMAIL, summary="No.")
    rejected = desk.record_reaction(c.reference, HANDLER, Reaction.REJECTS, comment="Unfair")
    assert rejected.is_open and rejected.state == State.REJECTED

    desk.request_internal_review(c.reference, MANAGER, reason="Complainant disagrees")
    desk.decide(c.reference, MANAGER, NOT_UPHELD)
    desk.communicate_decision(c.reference, MANAGER, channel=Channel.EMAIL, summary="Still no.")
    desk.record_reaction(c.reference, HANDLER, Reaction.REJECTS)
    referred = desk.refer_externally(
        c.reference, MANAGER, body="Financial Ombudsman Service", external_reference="FOS-1"
    )
    closed = desk.close(c.reference, MANAGER, reason=ClosureReason.REFERRED_EXTERNALLY)

    assert referred.referred_to == "Financial Ombudsman Service"
    assert closed.internal_reviews == 1
    assert closed.closure_reason is ClosureReason.REFERRED_EXTERNALLY


def test_duplicates_close_with_the_original_reference(desk: ComplaintDesk) -> None:
    original = receive(desk)
    dup = receive(desk)

    with pytest.raises(GuardFailed, match="cannot duplicate itself"):
        desk.close(
            dup.reference, MANAGER, reason=ClosureReason.DUPLICATE, duplicate_of=dup.reference
        )
    with pytest.raises(ValidationError, match="duplicate_of: a duplicate names the original"):
        desk.close(dup.reference, MANAGER, reason=ClosureReason.DUPLICATE)
    closed = desk.close(
        dup.reference, MANAGER, reason=ClosureReason.DUPLICATE, duplicate_of=original.reference
    )
    assert closed.duplicate_of == original.reference


def test_withdraw_and_reopen(desk: ComplaintDesk) -> None:
    c = receive(desk)
    withdrawn = desk.withdraw(c.reference, HANDLER, reason="Sorted it out myself")
    assert withdrawn.state == State.WITHDRAWN and not withdrawn.is_open

    with pytest.raises(InvalidTransition, match="allowed commands: add_note, classify"):
        desk.withdraw(c.reference, HANDLER)
    reopened = desk.reopen(c.reference, MANAGER, reason="Problem came back")

    assert reopened.is_open and reopened.reopen_count == 1
    assert reopened.state == State.INVESTIGATING
    assert reopened.withdrawn_at is None


def test_stale_expected_version_is_a_conflict_and_writes_nothing(desk: ComplaintDesk) -> None:
    c = receive(desk)
    desk.acknowledge(c.reference, HANDLER, expected_version=1)

    with pytest.raises(ConcurrencyConflict) as info:
        desk.add_note(c.reference, HANDLER, "late edit", expected_version=1)

    assert str(info.value) == (
        f"complaint {c.reference}: expected version 1, but the stored version is 2"
    )
    assert desk.get(c.id).version == 2


def test_a_second_desk_on_the_same_store_sees_and_respects_changes(clock: FixedClock) -> None:
    store = InMemoryEventStore()
    one = ComplaintDesk(store, clock=clock)
    two = ComplaintDesk(store, clock=clock)
    c = receive(one)
    two.get(c.id)  # caches version 1 in the second desk

    one.acknowledge(c.reference, HANDLER)
    noted = two.add_note(c.reference, HANDLER, "seen from desk two")

    assert noted.version == 3
    assert noted.state == State.ACKNOWLEDGED
    assert one.get(c.id) == noted


def test_classify_assign_notes_root_cause_and_communications(desk: ComplaintDesk) -> None:
    from iso10002 import Communication, CommunicationKind, Direction, RootCause, Visibility

    c = receive(desk)
    desk.classify(c.reference, HANDLER, Classification(category=("Billing", "Double charge")))
    desk.assign(c.reference, MANAGER, INVESTIGATOR)
    desk.add_note(c.reference, INVESTIGATOR, "Payment log shows two captures.")
    desk.record_root_cause(
        c.reference,
        INVESTIGATOR,
        RootCause(
            cause="Retry without idempotency key",
            corrective_action="Refund",
            preventive_action="Fix",
        ),
    )
    latest = desk.record_communication(
        c.reference,
        HANDLER,
        Communication(
            direction=Direction.OUTBOUND,
            channel=Channel.PHONE,
            kind=CommunicationKind.PROGRESS_UPDATE,
            visibility=Visibility.CUSTOMER_VISIBLE,
            summary="Called to say we are on it.",
        ),
    )

    assert latest.classification is not None
    assert latest.classification.path == "Billing / Double charge"
    assert latest.assignee == INVESTIGATOR
    assert [n.text for n in latest.notes] == ["Payment log shows two captures."]
    assert latest.notes[0].by == INVESTIGATOR and latest.notes[0].internal
    assert latest.root_cause is not None and latest.root_cause.preventive_action == "Fix"
    assert len(latest.communications) == 1
    summary = desk.query(assignee="i-1").items[0]
    assert (summary.category, summary.assignee) == ("Billing / Double charge", "i-1")


def test_query_filters_and_pages(desk: ComplaintDesk, clock: FixedClock) -> None:
    refs = []
    for i in range(7):
        clock.advance(dt.timedelta(hours=1))
        c = receive(desk, channel=Channel.PHONE if i % 2 else Channel.EMAIL)
        refs.append(c.reference)
    desk.acknowledge(refs[0], HANDLER)

    page = desk.query(limit=3)
    assert [s.reference for s in page.items] == refs[::-1][:3]
    assert page.total == 7 and page.has_more
    last = desk.query(limit=3, offset=6)
    assert [s.reference for s in last.items] == [refs[0]] and not last.has_more
    assert desk.query(channel=Channel.PHONE).total == 3
    assert [s.reference for s in desk.query(state="acknowledged").items] == [refs[0]]
    window = desk.query(
        received_from=START + dt.timedelta(hours=2), received_to=START + dt.timedelta(hours=4)
    )
    assert [s.reference for s in window.items] == [refs[2], refs[1]]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": "   "}, "description", "must not be empty"),
        ({"channel": "carrier pigeon"}, "channel", "a text of 14 characters is not a Channel"),
        ({"received_at": dt.datetime(2026, 3, 1, 9, 0)}, "received_at", "timezone-aware"),
        (
            {"received_at": START + dt.timedelta(days=1)},
            "received_at",
            "2026-03-03T09:00:00+00:00 is in the future",
        ),
        ({"people_involved": ["ok", ""]}, "people_involved[1]", "must be non-empty text"),
    ],
)
def test_bad_intake_is_refused_naming_the_field_and_writes_nothing(
    desk: ComplaintDesk, overrides: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as info:
        receive(desk, **overrides)

    assert info.value.field == field
    assert message in str(info.value)
    assert desk.query().total == 0
    # A refused receipt uses up no reference number.
    assert receive(desk).reference == "CMP-2026-000001"


def test_naive_datetime_has_its_own_error_type() -> None:
    with pytest.raises(NaiveDatetimeError, match="received_at: datetime must be timezone-aware"):
        receive(ComplaintDesk(), received_at=dt.datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("build", "field", "message"),
    [
        (lambda: ContactDetails(email="ann.example.org"), "email", "not a valid e-mail address"),
        (lambda: ContactDetails(), "contact", "give at least an e-mail, a phone or an address"),
        (lambda: Money(amount=Decimal("-1"), currency="GBP"), "amount", "must not be negative"),
        (lambda: Money(amount=Decimal("1"), currency="gbp"), "currency", "ISO 4217"),
        (lambda: Remedy(kind=RemedyKind.COMPENSATION), "amount", "compensation needs an amount"),
        (
            lambda: Decision(outcome=Outcome.UPHELD, reasons="yes"),
            "remedies",
            "names at least one remedy",
        ),
        (lambda: Actor(id="", role=Role.SYSTEM), "id", "must not be empty"),
        (
            lambda: Actor(id="x", role="boss"),  # type: ignore[arg-type]
            "role",
            "'boss' is not a Role",
        ),
        (lambda: Classification(category=()), "category", "at least one category level"),
    ],
)
def test_value_objects_validate_on_construction(build: object, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        build()  # type: ignore[operator]

    assert info.value.field == field
    assert message in str(info.value)


def test_commands_need_an_actor_and_an_existing_complaint(desk: ComplaintDesk) -> None:
    c = receive(desk)

    with pytest.raises(ValidationError, match="actor: every command names its Actor"):
        desk.acknowledge(c.reference, "someone")  # type: ignore[arg-type]
    with pytest.raises(ComplaintNotFound, match="no complaint found for reference 'CMP-0'"):
        desk.acknowledge("CMP-0", HANDLER)
    with pytest.raises(ComplaintNotFound):
        desk.history("CMP-0")
    with pytest.raises(ValidationError, match=r"query: .*unexpected keyword"):
        desk.query(colour="red")


def test_a_new_decision_after_review_clears_the_earlier_reaction(desk: ComplaintDesk) -> None:
    c = receive(desk)
    to_decided(desk, c.reference, NOT_UPHELD)
    desk.communicate_decision(c.reference, MANAGER, channel=Channel.EMAIL, summary="No.")
    desk.record_reaction(c.reference, HANDLER, Reaction.REJECTS)
    desk.request_internal_review(c.reference, MANAGER, reason="Asked for review")

    revised = desk.decide(c.reference, MANAGER, UPHELD)

    assert revised.reaction is None
    assert revised.decision_communicated_at is None
    assert revised.decision == UPHELD


@pytest.mark.parametrize("command", ["decide", "close", "accept_decision"])
def test_run_step_refuses_the_standard_commands_that_record_data(command: str) -> None:
    desk = ComplaintDesk(clock=FixedClock(START))
    c = full_lifecycle(desk)
    desk.reopen(c.id, sample_actor("manager-1", Role.COMPLAINTS_MANAGER), reason="New fact.")
    before = desk.get(c.id)
    with pytest.raises(CommandRejected) as caught:
        desk.run_step(c.reference, HANDLER, command, note="Just a note.")
    assert "records its own data: call ComplaintDesk." in str(caught.value)
    assert caught.value.reference == c.reference
    assert desk.get(c.id).version == before.version
