"""A desk with the FCA DISP 1.5 timeliness policy, complaints taken to a decision, and settings."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Complainant,
    Complaint,
    ComplaintDesk,
    ContactDetails,
    ContactMethod,
    Decision,
    FixedClock,
    InMemoryEventStore,
    Money,
    Outcome,
    ProductOrService,
    Remedy,
    RemedyKind,
    Role,
    Severity,
)
from iso10002.letters import LetterSettings, LetterWriter
from iso10002.programme import Escalation, ExternalBody
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.config import SlaConfig
from iso10002.sla.presets import preset

START = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_dt.timezone.utc)
"""A Monday, 09:00 in London (GMT)."""
STAFF = Actor(id="ana", role=Role.COMPLAINTS_MANAGER, name="Ana Handler")
PERSONAL = "Ann <script>alert('x')</script> Example"
"""A complainant's name that must never reach an error message, and never unescaped HTML."""

OFFICE = BusinessCalendar.standard(name="office", zone="Europe/London", version="2026.1")
SYDNEY = BusinessCalendar.standard(name="sydney", zone="Australia/Sydney", version="2026.1")

FOS = ExternalBody(
    name="the Financial Ombudsman Service",
    url="https://www.financial-ombudsman.org.uk",
    time_limit="6 months from the date of our final response",
)
ESCALATION = Escalation(internal_review_by="our Customer Relations Manager", external_body=FOS)


def settings(**overrides: object) -> LetterSettings:
    """Settings of a UK bank under DISP, with the ombudsman taken from its escalation."""
    fields: dict[str, object] = {
        "organisation": "Example Bank plc",
        "signature": "Customer Relations Team",
        "contact": "call us on 0800 123 4567, Monday to Friday, 9am to 5pm",
        "escalation": ESCALATION,
        "referral_months": 6,
        "time_limit_consent": False,
        "zone": "Europe/London",
    }
    fields.update(overrides)
    return LetterSettings(**fields)  # type: ignore[arg-type]


def complainant(
    *,
    name: str = PERSONAL,
    language: str = "en",
    preferred: ContactMethod = ContactMethod.EMAIL,
    email: str | None = "ann@example.org",
    address: str | None = "1 High Street\nCardiff",
    phone: str | None = "+44 7700 900123",
) -> Complainant:
    """A complainant reachable by e-mail, post and SMS unless told otherwise."""
    return Complainant(
        name=name,
        contact=ContactDetails(email=email, address=address, phone=phone, postcode="CF10 1AA"),
        preferred_contact=preferred,
        language=language,
    )


def make_desk(
    clock: FixedClock, *, calendar: BusinessCalendar = OFFICE, timed: bool = True
) -> ComplaintDesk:
    """A desk on an in-memory store; with ``timed``, under FCA DISP 1.5 counted in ``calendar``."""
    sla = None
    if timed:
        policy = preset("fca-disp-1.5").policy(calendar=calendar)
        sla = SlaConfig(policies=(policy,), default=policy.name)
    return ComplaintDesk(InMemoryEventStore(), clock=clock, sla=sla)


def writer(desk: ComplaintDesk, **overrides: object) -> LetterWriter:
    """A writer with the built-in templates, dates in the desk's calendar zone."""
    return LetterWriter(settings=settings(**overrides), sla_config=desk.sla, store=desk.store)


def receive(desk: ComplaintDesk, who: Complainant | None = None) -> Complaint:
    """A complaint about a current account, received now."""
    return desk.receive(
        STAFF,
        complainant=who or complainant(),
        channel=Channel.EMAIL,
        description="I was charged twice for one payment.",
        product=ProductOrService(name="your current account"),
    )


def gbp(amount: str) -> Money:
    """An amount in pounds."""
    return Money(amount=Decimal(amount), currency="GBP")


DECISIONS = {
    "upheld, refund with amount": Decision(
        outcome=Outcome.UPHELD,
        reasons="We took the payment twice.",
        remedies=(Remedy(kind=RemedyKind.REFUND, amount=gbp("1242.1")),),
    ),
    "upheld, apology without amount": Decision(
        outcome=Outcome.UPHELD,
        reasons="Our letter was rude.",
        remedies=(Remedy(kind=RemedyKind.APOLOGY, description="for the tone of our letter"),),
    ),
    "partially upheld, compensation and explanation": Decision(
        outcome=Outcome.PARTIALLY_UPHELD,
        reasons="The charge was right, but we handled your call badly.",
        remedies=(
            Remedy(kind=RemedyKind.COMPENSATION, amount=gbp("50")),
            Remedy(kind=RemedyKind.EXPLANATION, description="why the charge applies"),
        ),
    ),
    "not upheld, no remedy": Decision(
        outcome=Outcome.NOT_UPHELD, reasons="The charge follows your account's terms."
    ),
    "not upheld, goodwill payment": Decision(
        outcome=Outcome.NOT_UPHELD,
        reasons="The charge was right.",
        remedies=(
            Remedy(kind=RemedyKind.OTHER, description="a goodwill gesture", amount=gbp("20")),
        ),
    ),
}


def decided(desk: ComplaintDesk, decision: Decision, who: Complainant | None = None) -> Complaint:
    """A complaint received, acknowledged, assessed, investigated and decided an hour later."""
    clock = desk.clock
    assert isinstance(clock, FixedClock)
    complaint = receive(desk, who)
    clock.advance(_dt.timedelta(hours=1))
    desk.acknowledge(complaint.reference, STAFF)
    desk.assess(complaint.reference, STAFF, Assessment(severity=Severity.MEDIUM))
    desk.start_investigation(complaint.reference, STAFF)
    return desk.decide(complaint.reference, STAFF, decision)
