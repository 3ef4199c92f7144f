"""
The complaints of a run, drawn before any is received: when and by which channel each arrives,
who makes it, about what, and whether it repeats an earlier one or will be withdrawn.
"""

from __future__ import annotations

import datetime as _dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

import attrs

from iso10002 import (
    Actor,
    Channel,
    Complainant,
    ContactDetails,
    ContactMethod,
    Money,
    ProductOrService,
    Representative,
)
from iso10002.simulation._office import OfficeHours, at_minute, working_days
from iso10002.simulation._retailer import (
    ANY_HOUR,
    CATEGORIES,
    CHANNEL_WEIGHTS,
    FIRST_NAMES,
    FRONT_LINE,
    INTAKE,
    LAST_NAMES,
    POSTCODE_LETTERS,
    REPLY_CHANNEL,
    REPRESENTATIVES,
    STORE_STAFF,
    STORES,
    STREETS,
    TOWNS,
    Category,
)
from iso10002.simulation._settings import DemoSettings

__all__ = ["Case", "Planner", "amount_between", "gbp"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Case:
    """What is known about a complaint before it is received."""

    index: int
    key: str
    arrived_at: _dt.datetime
    recorded_at: _dt.datetime
    channel: Channel
    receiver: Actor
    agent: Actor
    """The front-line adviser who deals with the complainant; never one complained about."""
    complainant: Complainant
    reply: Channel
    category: Category
    product: ProductOrService
    description: str
    remedy_requested: str
    incident_date: _dt.date
    incident_place: str | None
    involved: tuple[str, ...]
    safety: bool
    duplicate_of: int | None
    withdraws: str | None
    """``"early"`` (before assessment), ``"investigating"``, or None."""


def _pick(rng: random.Random, weighted: dict[T, int]) -> T:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def gbp(amount: Decimal) -> Money:
    return Money(amount=amount, currency="GBP")


def amount_between(rng: random.Random, low: int, high: int, share: float = 1.0) -> Decimal:
    pence = int(rng.randrange(low * 100, high * 100 + 1) * share)
    return (Decimal(pence) / 100).quantize(Decimal("0.01"))


class Planner:
    """Draws the complaints of a run: when and how each arrives, who makes it, and about what."""

    def __init__(self, rng: random.Random, settings: DemoSettings, calendar: OfficeHours) -> None:
        self.rng = rng
        self.settings = settings
        self.calendar = calendar

    def plan(self) -> list[Case]:
        s = self.settings
        days = [s.start + _dt.timedelta(days=i) for i in range(s.days)]
        work = working_days(s.start, s.days)
        # Arrivals stop after the last working day, so every complaint is recorded in time.
        days = [d for d in days if d <= work[-1]]
        drawn: list[tuple[_dt.datetime, _dt.datetime, Channel]] = []
        for _ in range(s.complaints):
            channel = _pick(self.rng, CHANNEL_WEIGHTS)
            arrived = self._arrival(channel, days, work)
            if channel is Channel.WEB_FORM:
                recorded = arrived  # the intake system records it at once, at any hour
            else:
                recorded = self.calendar.minutes(arrived, 0, 45)
            drawn.append((recorded, arrived, channel))
        # References are given in the order complaints are recorded.
        drawn.sort(key=lambda d: (d[0], d[1]))
        cases: list[Case] = []
        for index, (recorded, arrived, channel) in enumerate(drawn):
            cases.append(self._case(index, recorded, arrived, channel, cases))
        return cases

    def _arrival(
        self, channel: Channel, days: Sequence[_dt.date], work: Sequence[_dt.date]
    ) -> _dt.datetime:
        rng = self.rng
        if channel in ANY_HOUR:
            weights = [
                (1.3 if d.weekday() == 0 else 1.0) if d.weekday() < 5 else 0.35 for d in days
            ]
            day = rng.choices(days, weights=weights)[0]
            last = day == work[-1]
            return at_minute(day, rng.randrange(7 * 60, (16 if last else 23) * 60))
        day = rng.choice(work)
        if channel is Channel.LETTER:
            return at_minute(day, rng.randrange(9 * 60, 11 * 60))  # when the post is opened
        # Until 16:00, so that with the time taken to record it, it is in before 17:00.
        return at_minute(day, rng.randrange(9 * 60, 16 * 60))

    def _case(
        self,
        index: int,
        recorded: _dt.datetime,
        arrived: _dt.datetime,
        channel: Channel,
        earlier: Sequence[Case],
    ) -> Case:
        rng = self.rng
        recent = [c for c in earlier if arrived - c.arrived_at < _dt.timedelta(days=14)]
        if recent and rng.random() < 0.03:
            original = rng.choice(recent)
            complainant, category = original.complainant, original.category
            product, duplicate_of = original.product, original.index
        else:
            complainant = self._complainant(channel)
            category = rng.choices(CATEGORIES, weights=[c.weight for c in CATEGORIES])[0]
            product = self._product(category)
            duplicate_of = None
        safety = rng.random() < category.safety_share
        templates = category.safety_descriptions if safety else category.descriptions
        in_store = channel is Channel.IN_PERSON or product.name == "Store visit"
        place = f"{rng.choice(STORES)} store" if in_store else "Contact centre"
        values = {
            "product": product.name.lower(),
            "amount": str(amount_between(rng, 8, 160)),
            "days": str(rng.randint(3, 21)),
            "place": f"the {place}" if in_store else "your contact centre",
        }
        involved: tuple[str, ...] = ()
        agents: tuple[Actor, ...] = FRONT_LINE
        if category.about_staff:
            # Mostly store staff; sometimes one of the advisers, who then stays off the case.
            person = rng.choice(FRONT_LINE).id if rng.random() < 0.4 else rng.choice(STORE_STAFF)
            involved = (person,)
            agents = tuple(a for a in FRONT_LINE if a.id != person)
        agent = rng.choice(agents)
        withdraws = None
        if duplicate_of is None and rng.random() < 0.04:
            withdraws = rng.choice(("early", "investigating"))
        return Case(
            index=index,
            key=f"demo-{self.settings.seed}-{index}",
            arrived_at=arrived,
            recorded_at=recorded,
            channel=channel,
            receiver=INTAKE if channel is Channel.WEB_FORM else agent,
            agent=agent,
            complainant=complainant,
            reply=REPLY_CHANNEL[complainant.preferred_contact],
            category=category,
            product=product,
            description=rng.choice(templates).format(**values),
            remedy_requested=rng.choice(category.remedy_requested).format(**values),
            incident_date=arrived.date() - _dt.timedelta(days=rng.randint(0, 20)),
            incident_place=place if category.about_staff or in_store else None,
            involved=involved,
            safety=safety,
            duplicate_of=duplicate_of,
            withdraws=withdraws,
        )

    def _complainant(self, channel: Channel) -> Complainant:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}{rng.randint(1, 99)}@example.com".lower()
        phone = f"07700 900{rng.randint(0, 999):03d}"
        town, district = rng.choice(TOWNS)
        address = f"{rng.randint(1, 120)} {rng.choice(STREETS)}, {town}"
        postcode = f"{district} {rng.randint(1, 9)}{''.join(rng.choices(POSTCODE_LETTERS, k=2))}"
        representative = None
        needs: tuple[str, ...] = ()
        if channel is Channel.LETTER or channel is Channel.REFERRAL:
            contact = ContactDetails(address=address, postcode=postcode)
            preferred = ContactMethod.LETTER
        elif channel in (Channel.PHONE, Channel.IN_PERSON):
            has_email = rng.random() < 0.6
            contact = ContactDetails(phone=phone, email=email if has_email else None)
            by_email = has_email and rng.random() < 0.5
            preferred = ContactMethod.EMAIL if by_email else ContactMethod.PHONE
        else:
            contact = ContactDetails(email=email, phone=phone if rng.random() < 0.5 else None)
            preferred = ContactMethod.EMAIL
        if channel is Channel.REFERRAL:
            body, role = rng.choice(REPRESENTATIVES)
            representative = Representative(name=body, relationship=role)
        if rng.random() < 0.04:
            needs = ("large print",)
            preferred = ContactMethod.LETTER
            if contact.address is None:
                contact = attrs.evolve(contact, address=address, postcode=postcode)
        return Complainant(
            name=f"{first} {last}",
            contact=contact,
            preferred_contact=preferred,
            accessibility_needs=needs,
            representative=representative,
            customer_id=f"C{rng.randint(1_000_000, 9_999_999)}" if rng.random() < 0.85 else None,
        )

    def _product(self, category: Category) -> ProductOrService:
        rng = self.rng
        name = rng.choice(category.products)
        if name == "Credit account":
            ref = f"ACC-{rng.randint(10_000_000, 99_999_999)}"
        elif name == "Home broadband":
            ref = f"BB-{rng.randint(1_000_000, 9_999_999)}"
        elif category.about_staff:
            ref = None
        else:
            ref = f"ORD-{rng.randint(100_000, 999_999)}"
        return ProductOrService(name=name, reference=ref)
