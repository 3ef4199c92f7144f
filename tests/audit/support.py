"""Complaints in particular states, built through a desk, for the audit tests."""

from __future__ import annotations

from iso10002 import Assessment, Channel, ComplaintDesk, Decision, Outcome, Severity
from iso10002.testing import sample_actor, sample_complainant

STAFF = sample_actor("manager-1")


def decided_not_communicated(desk: ComplaintDesk) -> str:
    """A complaint decided (not upheld) and never told; returns its reference."""
    c = desk.receive(
        STAFF,
        complainant=sample_complainant(),
        channel=Channel.EMAIL,
        description="The meter reading is wrong.",
        remedy_requested="Correct the bill.",
    )
    desk.acknowledge(c.id, STAFF)
    desk.assess(c.id, STAFF, Assessment(severity=Severity.LOW))
    desk.decide(c.id, STAFF, Decision(outcome=Outcome.NOT_UPHELD, reasons="The reading is right."))
    return c.reference
