"""
A payment-services firm on the FCA's 15/35 business-day rule (DISP 1.6.2A), over Christmas.

- Two complaints arrive on Wednesday 16 December 2026, just before the holidays.
- One is answered in time; the other needs a holding response, which moves its deadline to
  35 business days, as the rule allows.
- An hourly scheduler calls ``tick()``: each warning and breach is raised once and sent to an
  escalation hook (here it prints).

Run it with ``python examples/payment_complaints_sla.py``. It needs ``iso10002[holidays]`` for
the bank holidays of England and Wales.
"""

from __future__ import annotations

import datetime as dt

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Complainant,
    Complaint,
    ComplaintDesk,
    ContactDetails,
    Decision,
    Event,
    ExtensionKind,
    FixedClock,
    Outcome,
    Role,
    Severity,
    SlaAlertRaised,
    SlaConfig,
)
from iso10002.sla import preset

UTC = dt.timezone.utc


def escalate(complaint: Complaint, event: Event) -> None:
    """Tell the complaints manager; a real desk would send an e-mail or open a task."""
    alert = event.payload
    assert isinstance(alert, SlaAlertRaised)
    print(
        f"  {event.occurred_at:%a %d %b %H:%M}  {complaint.reference}  {alert.metric} "
        f"{alert.level.value} ({alert.percent}%), due {alert.due_at:%a %d %b %H:%M} UTC"
    )


def main() -> None:
    policy = preset("fca-disp-1.6.2a").policy(subdivision="ENG")
    clock = FixedClock(dt.datetime(2026, 12, 16, 10, 0, tzinfo=UTC))
    desk = ComplaintDesk(
        clock=clock,
        sla=SlaConfig(policies=(policy,), default=policy.name),
        escalation_hooks=(escalate,),
    )
    staff = Actor(id="mo", role=Role.COMPLAINTS_MANAGER)

    def receive(name: str, text: str) -> str:
        complainant = Complainant(name=name, contact=ContactDetails(email="c@example.org"))
        return desk.receive(
            staff, complainant=complainant, channel=Channel.EMAIL, description=text
        ).reference

    quick = receive("Ben Okafor", "A card payment was taken twice.")
    slow = receive("Chiara Rossi", "A transfer to Italy never arrived.")
    for ref in (quick, slow):
        desk.acknowledge(ref, staff)
        desk.assess(ref, staff, Assessment(severity=Severity.MEDIUM))
    report = desk.sla_status(slow)
    assert report is not None
    for m in report.metrics:
        print(
            f"{m.metric}: {m.target.describe() if m.target else '-'}, "
            f"due {m.due_at:%a %d %b %Y %H:%M} UTC"
        )

    print("Alerts raised by the hourly tick:")
    hour = clock.now()
    end = dt.datetime(2027, 2, 12, 0, 0, tzinfo=UTC)
    while hour < end:
        hour += dt.timedelta(hours=1)
        clock.set(hour)
        desk.tick()
        if hour == dt.datetime(2026, 12, 22, 15, 0, tzinfo=UTC):
            desk.decide(
                quick,
                staff,
                Decision(outcome=Outcome.NOT_UPHELD, reasons="One charge was a pre-authorisation."),
            )
            desk.communicate_decision(quick, staff, channel=Channel.EMAIL, summary="Not upheld.")
        if hour == dt.datetime(2027, 1, 5, 11, 0, tzinfo=UTC):
            desk.extend_deadline(
                slow,
                staff,
                metric="final_response",
                kind=ExtensionKind.HOLDING_RESPONSE,
                reason="The correspondent bank has not answered yet.",
            )

    for ref in (quick, slow):
        final = desk.sla_status(ref)
        assert final is not None
        m = final.metric("final_response")
        print(
            f"{ref}: final response {m.status.value}, "
            f"due {m.due_at:%a %d %b %Y} (extended: {m.extended})"
        )


if __name__ == "__main__":
    main()
