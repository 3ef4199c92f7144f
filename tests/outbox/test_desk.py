"""The desk writes notifications with the events that caused them, and none when it fails."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from pathlib import Path

import pytest

from iso10002 import (
    Assessment,
    Channel,
    ComplaintDesk,
    ConcurrencyConflict,
    ContactMethod,
    Decision,
    FixedClock,
    GuardFailed,
    InMemoryEventStore,
    InvalidTransition,
    Outcome,
    Reaction,
    Severity,
    ValidationError,
)
from iso10002.notify import RecordingNotifier
from iso10002.outbox import (
    DeskChange,
    DigestPolicy,
    NotificationPolicy,
    OutboxDispatcher,
    OutboxEntry,
    OutboxState,
    StaffRoute,
    urgent_breach,
)
from iso10002.testing import full_lifecycle, sample_complainant
from iso10002.testing.outbox import OutboxEventStore

from .support import (
    OFFICE,
    STAFF,
    START,
    TEAM,
    all_records,
    handle,
    letters,
    local,
    minutes,
    policy,
    sla_config,
    sqlite_store,
)

BOSS = StaffRoute(channel="webhook", recipient="ops-board")


def make(
    store: OutboxEventStore | None = None, **options: object
) -> tuple[ComplaintDesk, FixedClock, OutboxEventStore]:
    clock = FixedClock(START)
    store = store if store is not None else InMemoryEventStore()
    options.setdefault("notifications", policy())
    desk = ComplaintDesk(store, clock=clock, **options)  # type: ignore[arg-type]
    return desk, clock, store


def test_a_desk_without_a_hook_writes_no_notification() -> None:
    store = InMemoryEventStore()
    desk = ComplaintDesk(store, clock=FixedClock(START))
    full_lifecycle(desk)
    assert desk.notifications is None
    assert all_records(store) == []


def test_letters_are_enqueued_with_the_commands_that_cause_them(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    desk, clock, _ = make(store)
    reference = handle(desk, 1)
    complaint = desk.get(reference)
    history = desk.history(reference)
    ack, decision = all_records(store)
    acknowledged = next(e for e in history if e.payload.type == "acknowledged")
    communicated = next(e for e in history if e.payload.type == "decision_communicated")
    assert ack.idempotency_key == f"{complaint.id}:acknowledgement:{acknowledged.seq}"
    assert decision.idempotency_key == f"{complaint.id}:decision:{communicated.seq}"
    for record in (ack, decision):
        assert (record.channel, record.lane, record.complaint_id) == (
            "smtp",
            reference,
            complaint.id,
        )
        assert record.notification.recipient == "complainant1@example.org"
        assert record.deliver_after == record.created_at == START
        assert reference in record.notification.subject
    assert "Financial Ombudsman" in decision.notification.text
    mail = RecordingNotifier(clock=clock)
    OutboxDispatcher(store, {"smtp": mail}, clock=clock).drain()
    assert [n.kind for n in mail.sent] == ["acknowledgement", "decision"]
    store.close()


def test_the_hook_sees_the_complaint_after_the_command_and_its_events() -> None:
    seen: list[DeskChange] = []

    def hook(change: DeskChange) -> Iterable[OutboxEntry]:
        seen.append(change)
        return []

    desk, _, store = make(notifications=hook, sla=sla_config())
    c = desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Broken."
    )
    desk.acknowledge(c.reference, STAFF)
    received, acknowledged = seen
    assert [e.payload.type for e in received.events] == ["complaint_received", "sla_policy_applied"]
    assert received.complaint.version == 2
    assert [e.payload.type for e in acknowledged.events] == ["acknowledged"]
    assert acknowledged.complaint.acknowledged_at == START
    assert acknowledged.at == START
    assert acknowledged.sla is not None
    assert acknowledged.sla.reference == c.reference
    assert all_records(store) == []


# -- failures write nothing ------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_command_that_fails_writes_no_notification(backend: str, tmp_path: Path) -> None:
    store: OutboxEventStore = (
        InMemoryEventStore() if backend == "memory" else sqlite_store(tmp_path)
    )
    desk, _, _ = make(store)
    c = desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Broken."
    )
    desk.acknowledge(c.reference, STAFF)
    before = all_records(store)
    version = desk.get(c.reference).version
    # Conflict: a caller who read an older version.
    with pytest.raises(ConcurrencyConflict):
        desk.acknowledge(c.reference, STAFF, expected_version=version - 1)
    # Not allowed in this state: deciding before assessing.
    with pytest.raises((InvalidTransition, GuardFailed)):
        desk.communicate_decision(c.reference, STAFF, channel=Channel.EMAIL, summary="No.")
    # Bad input.
    with pytest.raises(ValidationError):
        desk.acknowledge(c.reference, STAFF, message=" ")
    assert all_records(store) == before
    assert desk.get(c.reference).version == version
    store.close()


def test_a_hook_that_raises_fails_the_command_and_nothing_is_written() -> None:
    def hook(change: DeskChange) -> Iterable[OutboxEntry]:
        if change.events[-1].payload.type == "acknowledged":
            raise ValidationError("letters", "no template for this language")
        return []

    desk, _, store = make(notifications=hook)
    c = desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Broken."
    )
    with pytest.raises(ValidationError, match=r"^letters:"):
        desk.acknowledge(c.reference, STAFF)
    assert desk.get(c.reference).acknowledged_at is None
    assert desk.get(c.reference).version == 1
    assert all_records(store) == []


def test_a_hook_needs_an_outbox_store_and_must_be_callable() -> None:
    class NoOutbox(InMemoryEventStore):
        capabilities = frozenset()

    with pytest.raises(ValidationError, match=r"^notifications: NoOutbox keeps no outbox"):
        ComplaintDesk(NoOutbox(), notifications=policy())
    with pytest.raises(ValidationError, match=r"^notifications: expected a callable"):
        ComplaintDesk(notifications="letters")  # type: ignore[arg-type]


# -- staff alerts from tick() ------------------------------------------------------------------


def test_alerts_wait_for_business_hours_unless_urgent() -> None:
    desk, clock, store = make(sla=sla_config(), notifications=policy(staff=(TEAM, BOSS)))
    routine = desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Late."
    )
    desk.acknowledge(routine.reference, STAFF)
    urgent = desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Urgent."
    )
    desk.acknowledge(urgent.reference, STAFF)
    desk.assess(urgent.reference, STAFF, Assessment(severity=Severity.CRITICAL))
    assert desk.get(urgent.reference).priority is not None
    # Monday 17:30 London: half of the routine complaint's 16 business hours are gone, and
    # all of the urgent one's 8.
    clock.set(local(2026, 3, 2, 17, 30))
    desk.tick()
    alerts = [r for r in all_records(store) if r.kind in ("sla_warning", "sla_breach")]
    routine_alerts = [r for r in alerts if r.complaint_reference == routine.reference]
    urgent_alerts = [r for r in alerts if r.complaint_reference == urgent.reference]
    assert {(r.kind, r.channel) for r in routine_alerts} == {
        ("sla_warning", "smtp"),
        ("sla_warning", "webhook"),
    }
    for record in routine_alerts:
        # Office hours: Tuesday 09:00 London.
        assert record.deliver_after == local(2026, 3, 3, 9, 0)
        assert record.lane.startswith(f"{routine.reference}/staff:")
        assert record.digest
        assert record.notification.data["metric"] == "final_response"
        assert record.notification.data["percent"] == 50
        assert "complainant" not in record.notification.text.lower()
    breaches = [r for r in urgent_alerts if r.kind == "sla_breach"]
    assert breaches
    for record in breaches:
        assert record.deliver_after == record.created_at == local(2026, 3, 2, 17, 30)
        assert not record.digest
        assert "deadline missed" in record.notification.subject
    # A second tick raises nothing new, so enqueues nothing new.
    count = len(all_records(store))
    desk.tick()
    assert len(all_records(store)) == count


def test_many_warnings_make_one_message_per_recipient() -> None:
    desk, clock, store = make(
        sla=sla_config(), notifications=policy(letters=None, staff=(TEAM, BOSS))
    )
    references = []
    for n in range(60):
        c = desk.receive(
            STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description=f"#{n}"
        )
        desk.acknowledge(c.reference, STAFF)
        references.append(c.reference)
    clock.set(local(2026, 3, 2, 17, 30))
    assert len(desk.tick()) == 60
    mail, board = RecordingNotifier(clock=clock), RecordingNotifier(clock=clock)
    dispatcher = OutboxDispatcher(
        store, {"smtp": mail, "webhook": board}, clock=clock, digests=DigestPolicy()
    )
    assert not dispatcher.drain().busy  # office hours: nothing before Tuesday 09:00
    assert mail.attempts == board.attempts == ()
    clock.set(local(2026, 3, 3, 9, 0))
    report = dispatcher.drain()
    assert (report.digests, report.merged) == (2, 120)
    warnings_sent = [n for n in mail.sent if n.kind == "warning_digest"]
    assert len(warnings_sent) == 1
    assert [n.kind for n in board.sent].count("warning_digest") == 1
    assert warnings_sent[0].data["references"] == sorted(references)


def test_escalations_go_to_staff_in_office_hours() -> None:
    desk, clock, store = make(notifications=policy())
    reference = handle(desk, 1)
    clock.set(local(2026, 3, 7, 11, 0))  # a Saturday
    desk.record_reaction(reference, STAFF, Reaction.REJECTS)
    desk.request_internal_review(reference, STAFF, reason="The complainant disagrees.")
    (review,) = [r for r in all_records(store) if r.kind == "escalation"]
    assert review.deliver_after == local(2026, 3, 9, 9, 0)
    assert review.notification.subject == f"{reference}: internal review requested"
    assert "disagrees" not in review.notification.text


# -- the policy's own settings -------------------------------------------------------------------


def test_a_letter_without_a_notifier_for_its_channel_is_not_enqueued() -> None:
    desk, _, store = make(notifications=policy(letter_channels={ContactMethod.SMS: "sms"}))
    handle(desk, 1)
    assert all_records(store) == []


def test_the_policy_reacts_only_to_what_it_is_told() -> None:
    desk, _, store = make(notifications=policy(reacts_to={"decision_communicated"}))
    handle(desk, 1)
    assert [r.kind for r in all_records(store)] == ["decision"]
    desk, _, store = make(notifications=NotificationPolicy(staff=(TEAM,)))
    handle(desk, 2)
    assert all_records(store) == []


def test_warnings_can_wait_for_the_end_of_a_digest_window() -> None:
    hourly = policy(digest_window=_dt.timedelta(hours=1), business_hours=None)
    desk, clock, store = make(sla=sla_config(), notifications=hourly)
    c = desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Late."
    )
    desk.acknowledge(c.reference, STAFF)
    clock.set(local(2026, 3, 2, 17, 20))
    desk.tick()
    (warning,) = [r for r in all_records(store) if r.kind == "sla_warning"]
    assert warning.deliver_after == local(2026, 3, 2, 18, 0)


def test_urgency_is_configurable() -> None:
    never = policy(urgent=lambda complaint, payload: False)
    desk, clock, store = make(sla=sla_config(), notifications=never)
    c = desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Urgent."
    )
    desk.acknowledge(c.reference, STAFF)
    desk.assess(c.reference, STAFF, Assessment(severity=Severity.CRITICAL))
    clock.set(local(2026, 3, 2, 17, 30))
    desk.tick()
    breaches = [r for r in all_records(store) if r.kind == "sla_breach"]
    assert breaches
    assert all(r.deliver_after == local(2026, 3, 3, 9, 0) for r in breaches)
    assert urgent_breach(desk.get(c.reference), desk.history(c.reference)[-1].payload)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"letter_channels": {"fax": "smtp"}}, "letter_channels"),
        ({"letter_channels": {ContactMethod.EMAIL: "Mail Server"}}, "letter_channels.email"),
        ({"reacts_to": {"closed"}}, "reacts_to"),
        ({"staff": ("ops@example.org",)}, "staff[0]"),
        ({"digest_window": _dt.timedelta(0)}, "digest_window"),
        ({"urgent": True}, "urgent"),
        ({"letters": "builtin"}, "letters"),
        ({"business_hours": "office"}, "business_hours"),
    ],
)
def test_a_bad_policy_is_refused(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        NotificationPolicy(**fields)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_bad_staff_route_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"^channel:"):
        StaffRoute(channel="E-mail", recipient="ops@example.org")
    with pytest.raises(ValidationError, match=r"^recipient: must be one line"):
        StaffRoute(channel="smtp", recipient="ops@example.org\nBcc: x@example.org")
    assert "ops@example.org" not in repr(StaffRoute(channel="smtp", recipient="ops@example.org"))


def test_a_change_has_events() -> None:
    desk = ComplaintDesk(clock=FixedClock(START))
    c = desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Broken."
    )
    with pytest.raises(ValidationError, match=r"^events:"):
        DeskChange(complaint=c, events=())


def test_letters_name_the_reference_and_decision_when_the_policy_writes_them() -> None:
    writer = letters()
    desk, _, store = make(notifications=NotificationPolicy(letters=writer))
    reference = handle(desk, 7)
    decision = next(r for r in all_records(store) if r.kind == "decision")
    assert decision.notification.data["outcome"] == Outcome.NOT_UPHELD.value
    assert desk.get(reference).decision == Decision(
        outcome=Outcome.NOT_UPHELD, reasons="It works as sold."
    )
    assert [s.value for s in OutboxState] == ["pending", "delivered", "dead"]
    _ = OFFICE, minutes
