"""
Letters to a complainant from templates: an acknowledgement and a decision letter.

Brightwater Energy (the fictional supplier of ``examples/programme.toml``) works under Ofgem's
eight-week rule. The letters take the organisation and its escalation — the internal review and
the Energy Ombudsman with its time limit — from the programme file, the final response deadline
from the complaint's SLA report, and are handed to a notifier as notifications.

Run it with ``python examples/complaint_letters.py``. The clock is fixed, so the output is the
same on every run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    Decision,
    FixedClock,
    InMemoryEventStore,
    Outcome,
    ProductOrService,
    Role,
    Severity,
)
from iso10002.letters import Letter, LetterSettings, LetterWriter
from iso10002.notify import RecordingNotifier
from iso10002.programme import load_programme
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.config import SlaConfig
from iso10002.sla.presets import preset

HERE = Path(__file__).resolve().parent
START = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc)
STAFF = Actor(id="aisha", role=Role.COMPLAINTS_MANAGER, name="Aisha Patel")


def show(letter: Letter) -> None:
    """Print how a letter was written, then its subject and text."""
    n = letter.notification
    print(f"--- {letter.kind.value} by {letter.channel.value}, in {letter.language}")
    print(f"key: {n.idempotency_key.split(':', 1)[1]}")
    print(f"Subject: {n.subject}\n")
    print(n.text)


def main() -> None:
    """Receive a complaint, acknowledge it, decide it, and write both letters."""
    programme = load_programme(HERE / "programme.toml")
    # Office hours without bank holidays keep the example fast; the deadline counts
    # calendar days, so it is the same with the preset's own calendar.
    office = BusinessCalendar.standard(name="brightwater", zone="Europe/London")
    policy = preset("ofgem").policy(calendar=office)
    clock = FixedClock(START)
    desk = ComplaintDesk(
        InMemoryEventStore(), clock=clock, sla=SlaConfig(policies=(policy,), default=policy.name)
    )
    writer = LetterWriter(
        settings=LetterSettings.from_programme(
            programme,
            signature="Aisha Patel, Customer Relations Manager",
            contact="call us free on 0800 000 0000, Monday to Saturday, 8am to 8pm",
            zone="Europe/London",
            referral_months=12,
            # The programme names the body as a title; in a sentence it needs its article.
            translations={"en": {"external_body": "the Energy Ombudsman"}},
        ),
        sla_config=desk.sla,
        store=desk.store,
    )
    notifier = RecordingNotifier(clock=clock)

    complaint = desk.receive(
        STAFF,
        complainant=Complainant(
            name="Sam Taylor", contact=ContactDetails(email="sam.taylor@example.org")
        ),
        channel=Channel.PHONE,
        description="My bill estimated a reading although I sent a meter reading.",
        product=ProductOrService(name="your electricity account"),
    )
    acknowledgement = writer.acknowledgement(complaint, sla=desk.sla_status(complaint.reference))
    notifier.send(acknowledgement.notification)
    desk.acknowledge(complaint.reference, STAFF, channel=Channel.EMAIL)
    show(acknowledgement)

    clock.advance(dt.timedelta(days=9))
    desk.assess(complaint.reference, STAFF, Assessment(severity=Severity.LOW))
    desk.start_investigation(complaint.reference, STAFF)
    complaint = desk.decide(
        complaint.reference,
        STAFF,
        Decision(
            outcome=Outcome.NOT_UPHELD,
            reasons="We received your meter reading on 3 February, after the bill was "
            "produced on 1 February. Your next bill uses your reading and corrects the "
            "estimate.",
        ),
    )
    decision = writer.decision(complaint, sla=desk.sla_status(complaint.reference))
    notifier.send(decision.notification)
    desk.communicate_decision(
        complaint.reference, STAFF, channel=Channel.EMAIL, summary="Final response sent."
    )
    show(decision)
    print(f"sent: {[n.kind for n in notifier.sent]}")


if __name__ == "__main__":
    main()
