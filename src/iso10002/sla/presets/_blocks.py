"""
What the presets of several regulators share: the events that stop their clocks, targets in
business and calendar days, the usual metrics, and the notes many of them carry.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from iso10002.model.values import ExtensionKind
from iso10002.sla.policy import Metric, On, ReopenRule, Target, Unit

CHECKED = _dt.date(2026, 11, 23)
"""When the presets' figures were last checked against their sources."""

UK = ("ENG", "WLS", "SCT", "NIR")
"""The parts of the United Kingdom with their own bank holidays, England first (the default)."""
LONDON = "Europe/London"

EIGHT_WEEK_READING = (
    "'By the end of eight weeks after receipt' is read as the same weekday eight weeks later, at "
    "the end of that day (receipt date + 56 calendar days); this reading is unconfirmed."
)
NO_PAUSE = "No stop-the-clock provision: the clock is never paused."

DECISION = On(event="decision_communicated")
ACKNOWLEDGED = On(event="acknowledged")
CLOSED = On(event="closed")


def outbound(kind: str | None = None) -> On:
    """A communication sent to the complainant (of ``kind`` if given)."""
    where = {"communication.direction": "outbound", "communication.visibility": "customer_visible"}
    if kind is not None:
        where["communication.kind"] = kind
    return On(event="communication_recorded", where=where)


def extension(metric: str, kind: ExtensionKind) -> On:
    """An extension of ``kind`` recorded for ``metric``."""
    return On(event="deadline_extended", where={"metric": metric, "kind": kind.value})


def business_days(amount: int, **rules: Any) -> Target:
    """A target of ``amount`` business days, with the target's other ``rules``."""
    return Target(amount=amount, unit=Unit.BUSINESS_DAYS, **rules)


def calendar_days(amount: int, **rules: Any) -> Target:
    """A target of ``amount`` calendar days, with the target's other ``rules``."""
    return Target(amount=amount, unit=Unit.CALENDAR_DAYS, **rules)


EIGHT_WEEKS = Target(amount=8, unit=Unit.WEEKS)


def acknowledgement(target: Target, description: str) -> Metric:
    """The acknowledgement, met by an acknowledgement or by the decision itself."""
    # A decision sent before any acknowledgement makes the acknowledgement moot.
    return Metric(
        name="acknowledgement",
        description=description,
        target=target,
        stop=(ACKNOWLEDGED, outbound("acknowledgement"), DECISION),
        on_reopen=ReopenRule.KEEP,
    )


def updates(target: Target, description: str) -> Metric:
    """Recurring updates to the complainant until the decision or the closure."""
    return Metric(
        name="update",
        description=description,
        target=target,
        stop=(ACKNOWLEDGED, outbound()),
        until=(DECISION, CLOSED),
        recurring=True,
    )


def met_by_letter(description: str, kind: ExtensionKind, target: Target) -> Metric:
    """A final-response metric that a holding letter or delay notice also meets in time."""
    return Metric(
        name="final_response",
        description=description,
        target=target,
        stop=(DECISION, outbound(kind.value), extension("final_response", kind))
        if kind is ExtensionKind.HOLDING_RESPONSE
        else (DECISION, extension("final_response", kind)),
        # The letter meets the deadline rather than moving it: the extended target is the same.
        extended_target=target,
        extensions=(kind,),
    )


def two_stage(amount: int, extended: int) -> Metric:
    """A final response in ``amount`` business days, ``extended`` after a holding response."""
    return Metric(
        name="final_response",
        description=f"Final response addressing all points raised, within {amount} business "
        f"days; {extended} after a holding response in exceptional cases",
        target=business_days(amount),
        stop=(DECISION,),
        extended_target=business_days(extended),
        extensions=(ExtensionKind.HOLDING_RESPONSE,),
    )
