"""Policies, calendars and a desk for the timeliness tests."""

from __future__ import annotations

import datetime as _dt
from zoneinfo import ZoneInfo

from iso10002 import Actor, Channel, ComplaintDesk, FixedClock, Role
from iso10002.model.values import ExtensionKind
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.config import SlaConfig
from iso10002.sla.policy import (
    DueAt,
    Metric,
    On,
    PolicyRule,
    ReopenRule,
    SlaPolicy,
    Target,
    Unit,
)
from iso10002.storage.base import EventStore
from iso10002.testing import sample_complainant

LONDON = ZoneInfo("Europe/London")
STAFF = Actor(id="ana", role=Role.COMPLAINTS_MANAGER)

OFFICE = BusinessCalendar.standard(name="office", zone="Europe/London", version="2026.1")
"""Monday to Friday, 09:00-17:00 London time, no holidays: easy to count by hand."""


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> _dt.datetime:
    """A London wall-clock time as an aware datetime."""
    return _dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def hours(n: float) -> _dt.timedelta:
    """``n`` hours."""
    return _dt.timedelta(hours=n)


def metric(
    name: str,
    target: Target,
    *,
    stop: tuple[On, ...],
    on_reopen: ReopenRule = ReopenRule.CONTINUE,
    pauses: bool = False,
    warnings: tuple[int, ...] = (50, 75),
    recurring: bool = False,
    until: tuple[On, ...] = (),
    extended_target: Target | None = None,
    extensions: tuple[ExtensionKind, ...] = (),
) -> Metric:
    """A metric with the defaults the tests share."""
    m = Metric(
        name=name,
        description=name.replace("_", " "),
        target=target,
        stop=stop,
        on_reopen=on_reopen,
        warnings=warnings,
        recurring=recurring,
        until=until,
        extended_target=extended_target,
        extensions=extensions,
    )
    return m.paused_by_holds() if pauses else m


ACK = On(event="acknowledged")
DECISION = On(event="decision_communicated")
OUTBOUND = On(event="communication_recorded", where={"communication.direction": "outbound"})


def standard_policy(
    *, version: str = "1", final_on_reopen: ReopenRule = ReopenRule.CONTINUE
) -> SlaPolicy:
    """Acknowledge within 1 business day; decide within 16 business hours, paused by holds."""
    return SlaPolicy(
        name="standard",
        version=version,
        description="The office's own targets.",
        calendar=OFFICE,
        metrics=(
            metric(
                "acknowledgement",
                Target(amount=1, unit=Unit.BUSINESS_DAYS, due_at=DueAt.CLOSE_OF_BUSINESS),
                stop=(ACK,),
                on_reopen=ReopenRule.KEEP,
            ),
            metric(
                "final_response",
                Target(amount=16, unit=Unit.BUSINESS_HOURS),
                stop=(DECISION,),
                on_reopen=final_on_reopen,
                pauses=True,
                extended_target=Target(amount=24, unit=Unit.BUSINESS_HOURS),
                extensions=(ExtensionKind.HOLDING_RESPONSE, ExtensionKind.AGREED),
            ),
        ),
    )


def urgent_policy() -> SlaPolicy:
    """Decide within 8 business hours."""
    return SlaPolicy(
        name="urgent",
        version="1",
        description="Complaints with a high priority.",
        calendar=OFFICE,
        metrics=(
            metric("final_response", Target(amount=8, unit=Unit.BUSINESS_HOURS), stop=(DECISION,)),
        ),
    )


def config(**overrides: object) -> SlaConfig:
    """Standard for everything, urgent for high and critical priority."""
    from iso10002.model.values import Priority

    values: dict[str, object] = {
        "policies": (standard_policy(), urgent_policy()),
        "rules": (PolicyRule(policy="urgent", priority=(Priority.URGENT, Priority.HIGH)),),
        "default": "standard",
    }
    values.update(overrides)
    return SlaConfig(**values)  # type: ignore[arg-type]


def make_desk(
    start: _dt.datetime, store: EventStore | None = None, sla: SlaConfig | None = None
) -> tuple[ComplaintDesk, FixedClock]:
    """A desk with the test policies over ``store`` (in memory if omitted), clock at ``start``."""
    clock = FixedClock(start)
    return ComplaintDesk(store, clock=clock, sla=sla or config()), clock


def receive(desk: ComplaintDesk, **kwargs: object) -> str:
    """Receive a complaint now; return its reference."""
    c = desk.receive(
        STAFF,
        complainant=sample_complainant(),
        channel=Channel.EMAIL,
        description="The parcel never came.",
        **kwargs,  # type: ignore[arg-type]
    )
    return c.reference


def decide_and_tell(desk: ComplaintDesk, ref: str) -> None:
    """Acknowledge if needed, assess (low priority), decide not upheld, communicate."""
    from iso10002 import Assessment, Decision, Outcome, Severity

    c = desk.get(ref)
    if c.acknowledged_at is None:
        desk.acknowledge(ref, STAFF)
    if desk.get(ref).assessment is None:
        desk.assess(ref, STAFF, Assessment(severity=Severity.LOW))
    desk.decide(ref, STAFF, Decision(outcome=Outcome.NOT_UPHELD, reasons="Delivered on time."))
    desk.communicate_decision(ref, STAFF, channel=Channel.EMAIL, summary="Not upheld.")
