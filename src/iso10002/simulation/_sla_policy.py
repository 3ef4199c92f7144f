"""
The simulated retailer's own timeliness policy (not a regulator's), which the simulation's desk
evaluates every complaint with.
"""

from __future__ import annotations

import datetime as _dt

from iso10002.model.values import ExtensionKind
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.config import SlaConfig
from iso10002.sla.holiday_sources import holidays_from_package
from iso10002.sla.policy import Metric, On, ReopenRule, SlaPolicy, Target, Unit

__all__ = ["DEMO_POLICY", "demo_sla_config", "demo_sla_policy"]

DEMO_POLICY = "online-retailer"
"""The name of the demo retailer's timeliness policy."""


def _outbound(*kinds: str) -> tuple[On, ...]:
    return tuple(
        On(
            event="communication_recorded",
            where={
                "communication.direction": "outbound",
                "communication.visibility": "customer_visible",
                "communication.kind": kind,
            },
        )
        for kind in kinds
    )


def demo_sla_policy() -> SlaPolicy:
    """
    The demo retailer's own service levels (not a regulator's): acknowledge within 1 business
    day, a first substantive reply within 2, an update every 5 business days until the
    decision, and the decision within 15, which an agreement with the customer may extend and
    which stands still while the complaint is on hold. Counted Monday to Friday 09:00-17:30
    in London, closed on the bank holidays of England and Wales 2025-2028.
    """
    calendar = BusinessCalendar.standard(
        name="online-retailer England and Wales",
        zone="Europe/London",
        version=f"GB-ENG 2025-2028 holidays {_holidays_version()}",
        hours=((_dt.time(9), _dt.time(17, 30)),),
        holidays=holidays_from_package("GB", subdiv="ENG", years=range(2025, 2029)),
    )
    decision = On(event="decision_communicated")
    substantive = ("progress_update", "request_for_information", "holding_response", "decision")
    return SlaPolicy(
        name=DEMO_POLICY,
        version="1",
        description="Online retailer's service levels: acknowledgement 1 business day, first "
        "response 2, updates every 5, final response 15 (paused on hold, extendable by "
        "agreement)",
        calendar=calendar,
        metrics=(
            Metric(
                name="acknowledgement",
                description="Acknowledge within 1 business day",
                target=Target(amount=1, unit=Unit.BUSINESS_DAYS),
                stop=(On(event="acknowledged"), *_outbound("acknowledgement"), decision),
                on_reopen=ReopenRule.KEEP,
            ),
            Metric(
                name="first_response",
                description="First substantive reply within 2 business days",
                target=Target(amount=2, unit=Unit.BUSINESS_DAYS),
                stop=(*_outbound(*substantive), decision),
                on_reopen=ReopenRule.KEEP,
            ),
            Metric(
                name="update",
                description="Keep the customer informed at least every 5 business days",
                target=Target(amount=5, unit=Unit.BUSINESS_DAYS),
                stop=_outbound("progress_update", "request_for_information", "holding_response"),
                until=(decision, On(event="closed")),
                recurring=True,
            ),
            Metric(
                name="final_response",
                description="Communicate the decision within 15 business days",
                target=Target(amount=15, unit=Unit.BUSINESS_DAYS),
                stop=(decision,),
                extensions=(ExtensionKind.AGREED,),
            ).paused_by_holds(),
        ),
    )


def demo_sla_config() -> SlaConfig:
    """The demo's timeliness configuration: the retailer's policy for every complaint."""
    return SlaConfig(policies=(demo_sla_policy(),), default=DEMO_POLICY)


def _holidays_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("holidays")
    except metadata.PackageNotFoundError:  # pragma: no cover - the holidays extra is missing
        return "none"
