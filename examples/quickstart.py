"""
A day at a small complaints desk: three complaints, three ways a complaint can end.

- A double charge: acknowledged, assessed, investigated, upheld with a refund, accepted, closed.
- A late delivery: not upheld, rejected by the customer, reviewed internally, partially upheld
  on review, accepted, closed; the customer then rates the handling.
- The same late delivery reported again by phone: closed as a duplicate of the first report.

Run it with ``python examples/quickstart.py``. The clock is a :class:`~iso10002.FixedClock`, so
the output is the same on every run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    ClosureReason,
    Complainant,
    Complaint,
    ComplaintDesk,
    ContactDetails,
    Decision,
    FixedClock,
    Impact,
    InMemoryEventStore,
    Money,
    Outcome,
    Reaction,
    Remedy,
    RemedyKind,
    Role,
    RootCause,
    Severity,
)

FRONT_LINE = Actor(id="u-17", role=Role.FRONT_LINE, name="Hana Front")
MANAGER = Actor(id="u-02", role=Role.COMPLAINTS_MANAGER, name="Mo Manager")
INVESTIGATOR = Actor(id="u-31", role=Role.INVESTIGATOR, name="Ines Tigate")

ANN = Complainant(name="Ann Example", contact=ContactDetails(email="ann@example.org"))
BEN = Complainant(
    name="Ben Sample",
    contact=ContactDetails(phone="+44 20 7946 0018", address="1 High Street, Leeds"),
)


def double_charge(desk: ComplaintDesk, clock: FixedClock) -> Complaint:
    """The straight path: upheld, refunded, accepted and closed."""
    complaint = desk.receive(
        FRONT_LINE,
        complainant=ANN,
        channel=Channel.EMAIL,
        description="I was charged twice for order 1042.",
        remedy_requested="Refund the second charge",
    )
    ref = complaint.reference
    clock.advance(dt.timedelta(minutes=10))
    desk.acknowledge(ref, FRONT_LINE, message="We have your complaint and will reply in 5 days.")
    desk.assess(ref, MANAGER, Assessment(severity=Severity.MEDIUM, impact=Impact.MEDIUM))
    desk.assign(ref, MANAGER, INVESTIGATOR)
    desk.start_investigation(ref, INVESTIGATOR, plan="Compare the order with the payment log")
    clock.advance(dt.timedelta(hours=3))
    desk.record_root_cause(
        ref,
        INVESTIGATOR,
        RootCause(
            cause="The payment page retried a timed-out request",
            corrective_action="Refund the duplicate",
            preventive_action="Make payment requests idempotent",
        ),
    )
    refund = Remedy(kind=RemedyKind.REFUND, amount=Money(amount=Decimal("42.10"), currency="GBP"))
    desk.decide(
        ref,
        MANAGER,
        Decision(outcome=Outcome.UPHELD, reasons="Charged twice.", remedies=(refund,)),
    )
    desk.communicate_decision(
        ref, MANAGER, channel=Channel.EMAIL, summary="We are refunding 42.10 GBP."
    )
    clock.advance(dt.timedelta(days=1))
    desk.record_reaction(ref, FRONT_LINE, Reaction.ACCEPTS, comment="Thanks, refund received.")
    return desk.close(ref, MANAGER, reason=ClosureReason.RESOLVED)


def late_delivery(desk: ComplaintDesk, clock: FixedClock) -> Complaint:
    """A rejected decision stays open, is reviewed, and is decided again."""
    complaint = desk.receive(
        FRONT_LINE,
        complainant=BEN,
        channel=Channel.WEB_FORM,
        description="My sofa arrived nine days late and nobody told me.",
        remedy_requested="Compensation for two days off work",
        client_key="web-form-88213",
    )
    ref = complaint.reference
    desk.acknowledge(ref, FRONT_LINE)
    desk.assess(ref, MANAGER, Assessment(severity=Severity.LOW))
    desk.start_investigation(ref, MANAGER)
    clock.advance(dt.timedelta(days=2))
    desk.decide(
        ref,
        MANAGER,
        Decision(outcome=Outcome.NOT_UPHELD, reasons="The carrier's delay is outside our terms."),
    )
    desk.communicate_decision(
        ref, MANAGER, channel=Channel.LETTER, summary="Not upheld; how to ask for a review."
    )
    clock.advance(dt.timedelta(days=3))
    desk.record_reaction(ref, FRONT_LINE, Reaction.REJECTS, comment="You never warned me.")
    desk.request_internal_review(ref, MANAGER, reason="The customer was not kept informed")
    clock.advance(dt.timedelta(days=4))
    apology = Remedy(kind=RemedyKind.APOLOGY, description="For not telling him about the delay")
    voucher = Remedy(
        kind=RemedyKind.COMPENSATION,
        description="Voucher",
        amount=Money(amount=Decimal("50.00"), currency="GBP"),
    )
    desk.decide(
        ref,
        MANAGER,
        Decision(
            outcome=Outcome.PARTIALLY_UPHELD,
            reasons="The delay was the carrier's, but we did not keep him informed.",
            remedies=(apology, voucher),
        ),
    )
    desk.communicate_decision(
        ref, MANAGER, channel=Channel.LETTER, summary="Apology and a 50 GBP voucher."
    )
    clock.advance(dt.timedelta(days=2))
    desk.record_reaction(ref, FRONT_LINE, Reaction.ACCEPTS)
    desk.close(ref, MANAGER, reason=ClosureReason.RESOLVED)
    return desk.record_satisfaction(ref, FRONT_LINE, score=4, comment="Sorted in the end.")


def duplicate_report(desk: ComplaintDesk, original: Complaint) -> Complaint:
    """The same matter reported again is closed as a duplicate, with a pointer to the first."""
    complaint = desk.receive(
        FRONT_LINE,
        complainant=BEN,
        channel=Channel.PHONE,
        description="Calling about my late sofa again.",
    )
    return desk.close(
        complaint.reference,
        FRONT_LINE,
        reason=ClosureReason.DUPLICATE,
        duplicate_of=original.reference,
    )


def main() -> None:
    """Handle the three complaints and print what the desk knows about them."""
    clock = FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc))
    desk = ComplaintDesk(InMemoryEventStore(), clock=clock)

    first = double_charge(desk, clock)
    second = late_delivery(desk, clock)
    third = duplicate_report(desk, second)

    # Receiving the web form again (a retried submission) returns the same complaint.
    again = desk.receive(
        FRONT_LINE,
        complainant=BEN,
        channel=Channel.WEB_FORM,
        description="My sofa arrived nine days late and nobody told me.",
        remedy_requested="Compensation for two days off work",
        client_key="web-form-88213",
    )
    assert again.id == second.id

    for complaint in (first, second, third):
        print(
            f"{complaint.reference}  {complaint.state:<8}  "
            f"{complaint.closure_reason.value if complaint.closure_reason else '-':<10}  "
            f"{len(desk.history(complaint.reference))} events"
        )

    print()
    print(f"History of {second.reference}:")
    for event in desk.history(second.reference):
        when = f"{event.occurred_at:%Y-%m-%d %H:%M}"
        print(f"  {event.seq:>2}  {when}  {event.actor.id:<5}  {event.type}")

    page = desk.query(is_open=False)
    assert page.total == 3
    print()
    print(f"{page.total} complaints, all closed; {second.internal_reviews} internal review.")


if __name__ == "__main__":
    main()
