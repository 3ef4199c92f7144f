"""
Sample data for tests: valid actors, complainants, events, histories and summaries.

Everything here is built through the library's own constructors, the desk and the fold, so the
samples are exactly what a real application would store.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal

from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.model.complaint import Complaint, ComplaintSummary
from iso10002.model.events import ComplaintReceived, Event, NoteAdded
from iso10002.model.values import (
    Actor,
    Assessment,
    Channel,
    Classification,
    ClosureReason,
    Complainant,
    ComplaintId,
    ContactDetails,
    Decision,
    Impact,
    Money,
    Outcome,
    Reaction,
    Remedy,
    RemedyKind,
    Role,
    RootCause,
    Severity,
)
from iso10002.storage.memory import InMemoryEventStore

__all__ = [
    "SAMPLE_START",
    "full_lifecycle",
    "note_event",
    "received_event",
    "sample_actor",
    "sample_complainant",
    "sample_history",
    "summary_after",
]

SAMPLE_START = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_dt.timezone.utc)
"""The instant sample events happen at unless told otherwise (a Monday, 09:00 UTC)."""


def sample_actor(
    actor_id: str = "agent-1", role: Role = Role.FRONT_LINE, name: str | None = None
) -> Actor:
    """A member of staff (front line unless ``role`` says otherwise)."""
    return Actor(id=actor_id, role=role, name=name)


def sample_complainant(
    name: str = "Ada Lovelace", *, email: str = "ada@example.org"
) -> Complainant:
    """A complainant reachable by e-mail."""
    return Complainant(name=name, contact=ContactDetails(email=email))


def received_event(
    *,
    reference: str = "CMP-2026-000001",
    complaint_id: ComplaintId | None = None,
    received_at: _dt.datetime = SAMPLE_START,
    occurred_at: _dt.datetime | None = None,
    channel: Channel = Channel.EMAIL,
    client_key: str | None = None,
    complainant: Complainant | None = None,
    actor: Actor | None = None,
    state: str = "received",
) -> Event:
    """
    The first event of a new complaint (seq 1), as the desk would record it.

    Args:
        complaint_id: a new random id if omitted.
        occurred_at: when it was recorded; ``received_at`` if omitted.
        state: the state after the event; the standard workflow's initial state by default.
    """
    return Event(
        complaint_id=complaint_id if complaint_id is not None else uuid.uuid4(),
        seq=1,
        occurred_at=occurred_at if occurred_at is not None else received_at,
        actor=actor if actor is not None else sample_actor(),
        state=state,
        payload=ComplaintReceived(
            reference=reference,
            complainant=complainant if complainant is not None else sample_complainant(),
            channel=channel,
            description="I was charged twice for my March bill.",
            received_at=received_at,
            remedy_requested="Refund the second payment.",
            client_key=client_key,
        ),
    )


def note_event(
    previous: Event,
    text: str = "Called the complainant back.",
    *,
    occurred_at: _dt.datetime | None = None,
    actor: Actor | None = None,
) -> Event:
    """
    The event that follows ``previous`` in its stream: an internal note, in the same state.

    Args:
        occurred_at: one minute after ``previous`` if omitted.
    """
    return Event(
        complaint_id=previous.complaint_id,
        seq=previous.seq + 1,
        occurred_at=(
            occurred_at
            if occurred_at is not None
            else previous.occurred_at + _dt.timedelta(minutes=1)
        ),
        actor=actor if actor is not None else sample_actor(),
        state=previous.state,
        payload=NoteAdded(text=text),
    )


def summary_after(events: Iterable[Event]) -> ComplaintSummary:
    """The summary a store must hold after ``events``, a complete history from seq 1."""
    return ComplaintSummary.of(Complaint.replay(events))


def full_lifecycle(
    desk: ComplaintDesk,
    *,
    reference: str | None = None,
    client_key: str | None = None,
    received_at: _dt.datetime | None = None,
    channel: Channel = Channel.EMAIL,
    step: _dt.timedelta = _dt.timedelta(hours=1),
    complainant: Complainant | None = None,
    attributes: Mapping[str, str] | None = None,
) -> Complaint:
    """
    Take one complaint through every stage of the standard workflow.

    Receipt, acknowledgement, assessment, classification, assignment, investigation with a note
    and a root cause, an upheld decision with a refund, its communication, acceptance, closure
    and a satisfaction score: thirteen events.

    Args:
        desk: a desk running the standard workflow.
        complainant: who complains; :func:`sample_complainant` if omitted.
        attributes: the complaint's attributes (``regulation``, ``segment``, ...).
        step: if the desk's clock is a :class:`~iso10002.clock.FixedClock`, it is advanced by
            this much before every command after the receipt.

    Returns:
        The complaint after the last command.
    """
    front_line = sample_actor()
    manager = sample_actor("manager-1", Role.COMPLAINTS_MANAGER)
    investigator = sample_actor("investigator-1", Role.INVESTIGATOR)
    clock = desk.clock

    def tick() -> None:
        if isinstance(clock, FixedClock):
            clock.advance(step)

    complaint = desk.receive(
        front_line,
        complainant=complainant or sample_complainant(),
        channel=channel,
        description="I was charged twice for my March bill.",
        attributes=attributes or {},
        received_at=received_at,
        remedy_requested="Refund the second payment.",
        client_key=client_key,
        reference=reference,
    )
    cid = complaint.id
    tick()
    desk.acknowledge(cid, front_line, message="We have your complaint and will reply in 5 days.")
    tick()
    desk.assess(cid, manager, Assessment(severity=Severity.MEDIUM, impact=Impact.MEDIUM))
    tick()
    desk.classify(cid, manager, Classification(category=("Billing", "Duplicate charge")))
    tick()
    desk.assign(cid, manager, investigator)
    tick()
    desk.start_investigation(cid, investigator, plan="Check the payment log.")
    tick()
    desk.add_note(cid, investigator, "The direct debit ran twice on 1 March.")
    tick()
    desk.record_root_cause(
        cid, investigator, RootCause(cause="A retry after a timeout charged again.")
    )
    tick()
    refund = Remedy(kind=RemedyKind.REFUND, amount=Money(amount=Decimal("42.50"), currency="GBP"))
    desk.decide(
        cid,
        manager,
        Decision(outcome=Outcome.UPHELD, reasons="We charged twice.", remedies=(refund,)),
    )
    tick()
    desk.communicate_decision(
        cid, front_line, channel=channel, summary="We will refund GBP 42.50 within 3 days."
    )
    tick()
    desk.record_reaction(cid, front_line, Reaction.ACCEPTS)
    tick()
    desk.close(cid, manager, reason=ClosureReason.RESOLVED)
    tick()
    return desk.record_satisfaction(cid, front_line, score=4)


def sample_history(
    *,
    reference: str | None = None,
    client_key: str | None = None,
    start: _dt.datetime = SAMPLE_START,
) -> list[Event]:
    """
    The thirteen events of :func:`full_lifecycle`, recorded by a desk of their own.

    The events can then be appended to the store under test, whole or in parts.

    Args:
        reference: ``CMP-<year>-000001`` if omitted.
        start: when the complaint is received; each later event is an hour after the last.
    """
    desk = ComplaintDesk(InMemoryEventStore(), clock=FixedClock(start))
    complaint = full_lifecycle(desk, reference=reference, client_key=client_key)
    return desk.history(complaint.id)
