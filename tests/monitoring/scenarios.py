"""
Random but reproducible complaint lives, played through a real desk, and the plain record of
what each one did, from which the tests compute the KPIs their own way.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import attrs

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Classification,
    ClosureReason,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    Decision,
    FixedClock,
    Money,
    Outcome,
    Reaction,
    Remedy,
    RemedyKind,
    Role,
    RootCause,
    Severity,
)
from iso10002.sla.config import SlaConfig
from iso10002.storage.base import EventStore

HANDLER = Actor(id="h-1", role=Role.FRONT_LINE)
MANAGER = Actor(id="m-1", role=Role.COMPLAINTS_MANAGER)
INVESTIGATOR = Actor(id="i-1", role=Role.INVESTIGATOR)
PERSON = Complainant(name="Pat Example", contact=ContactDetails(email="pat@example.org"))
UTC = dt.timezone.utc

CHANNELS = (Channel.EMAIL, Channel.PHONE, Channel.WEB_FORM, Channel.LETTER)
CATEGORIES = (("billing", "double charge"), ("delivery",), ("service", "rude staff"), None)
PRODUCTS = ("broadband", "mobile", None)
CAUSES = (("process", "manual entry"), ("system", "batch job"), (None, "courier"))
ENDINGS = ("open", "withdrawn", "duplicate", "decided", "first_contact", "reopened", "reviewed")


@attrs.define
class Life:
    """What happened to one complaint, in plain values."""

    reference: str = ""
    channel: str = ""
    category: str | None = None
    product: str | None = None
    received: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=UTC)
    acknowledged: dt.datetime | None = None
    responded: dt.datetime | None = None
    ended: dt.datetime | None = None
    ending: str = "open"
    outcome: str | None = None
    investigated: bool = False
    redress: tuple[tuple[str, Decimal], ...] = ()
    remedies: tuple[str, ...] = ()
    score: int | None = None
    cause: tuple[str | None, str] | None = None


def play(  # noqa: PLR0912 - one life, told in the order it happens
    store: EventStore,
    rng: random.Random,
    start: dt.datetime,
    original: str | None = None,
    sla: SlaConfig | None = None,
    *,
    organisation: str | None = None,
) -> Life:
    """
    One random life in ``store``, from a receipt within 180 days of ``start``; a duplicate
    duplicates ``original`` (with none, the life stays open instead). The complaint belongs
    to ``organisation`` when one is given.
    """
    life = Life()
    received = start + dt.timedelta(minutes=rng.randrange(0, 180 * 24 * 60))
    clock = FixedClock(received)
    # A desk per life: lives are played one after another, each with its own clock.
    desk = ComplaintDesk(store, clock=clock, sla=sla)
    channel = rng.choice(CHANNELS)
    category = rng.choice(CATEGORIES)
    product = rng.choice(PRODUCTS)
    c = desk.receive(
        HANDLER,
        complainant=PERSON,
        channel=channel,
        description="A complaint.",
        organisation=organisation,
    )
    life.reference, life.received, life.channel = c.reference, received, channel.value
    ref = c.reference
    at = received

    def later(hours: float) -> dt.datetime:
        nonlocal at
        at = at + dt.timedelta(minutes=round(hours * 60))
        clock.set(at)
        return at

    if category is not None:
        desk.classify(ref, HANDLER, Classification(category=category, product=product))
        life.category = " / ".join(category)
        life.product = product
    ending = rng.choice(ENDINGS)
    if ending == "duplicate" and original is None:
        ending = "open"
    life.ending = ending
    if ending == "duplicate":
        later(rng.uniform(0.1, 30))
        desk.close(ref, HANDLER, reason=ClosureReason.DUPLICATE, duplicate_of=original)
        life.ended = at
        return life
    if rng.random() < 0.8:
        life.acknowledged = later(rng.uniform(0.05, 60))
        desk.acknowledge(ref, HANDLER)
    if ending == "open":
        return life
    if ending == "withdrawn":
        life.ended = later(rng.uniform(1, 200))
        desk.withdraw(ref, HANDLER, reason="Sorted it myself.")
        return life
    if life.acknowledged is None:
        life.acknowledged = later(rng.uniform(0.05, 2))
        desk.acknowledge(ref, HANDLER)
    desk.assess(ref, HANDLER, Assessment(severity=Severity.MEDIUM))
    quick = ending == "first_contact"
    if not quick:
        later(rng.uniform(1, 48))
        desk.start_investigation(ref, INVESTIGATOR)
        life.investigated = True
    outcome = rng.choice(tuple(Outcome))
    remedies: list[Remedy] = []
    if outcome is not Outcome.NOT_UPHELD:
        currency = rng.choice(("GBP", "EUR"))
        amount = Decimal(rng.randrange(100, 10000)) / 100
        remedies.append(
            Remedy(kind=RemedyKind.REFUND, amount=Money(amount=amount, currency=currency))
        )
        remedies.append(Remedy(kind=RemedyKind.APOLOGY))
        life.redress = ((currency, amount),)
    life.remedies = tuple(r.kind.value for r in remedies)
    desk.decide(
        ref, MANAGER, Decision(outcome=outcome, reasons="Looked into it.", remedies=tuple(remedies))
    )
    life.outcome = outcome.value
    cause = rng.choice((*CAUSES, None)) if not quick else None
    if cause is not None:
        desk.record_root_cause(ref, INVESTIGATOR, RootCause(category=cause[0], cause=cause[1]))
        life.cause = cause
    later(rng.uniform(0.5, 20) if quick else rng.uniform(24, 500))
    desk.communicate_decision(ref, MANAGER, channel=Channel.EMAIL, summary="Our decision.")
    life.responded = at
    if ending == "reviewed":
        later(5)
        desk.record_reaction(ref, HANDLER, Reaction.REJECTS)
        desk.request_internal_review(ref, MANAGER, reason="Asked for a review.")
        later(24)
        desk.decide(
            ref, MANAGER, Decision(outcome=outcome, reasons="Reviewed.", remedies=tuple(remedies))
        )
        desk.communicate_decision(ref, MANAGER, channel=Channel.EMAIL, summary="Reviewed.")
    later(rng.uniform(0.1, 3))
    desk.record_reaction(ref, HANDLER, Reaction.ACCEPTS)
    desk.close(ref, MANAGER, reason=ClosureReason.RESOLVED)
    life.ended = at
    if ending == "reopened":
        later(rng.uniform(1, 100))
        desk.reopen(ref, MANAGER, reason="New information.")
        desk.decide(
            ref, MANAGER, Decision(outcome=outcome, reasons="Again.", remedies=tuple(remedies))
        )
        later(10)
        desk.communicate_decision(ref, MANAGER, channel=Channel.EMAIL, summary="Again.")
        desk.record_reaction(ref, HANDLER, Reaction.ACCEPTS)
        desk.close(ref, MANAGER, reason=ClosureReason.RESOLVED)
        life.ended = at
    if rng.random() < 0.6:
        later(rng.uniform(1, 72))
        life.score = rng.randint(1, 5)
        desk.record_satisfaction(ref, HANDLER, score=life.score)
    return life
