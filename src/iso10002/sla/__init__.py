"""
Timeliness (ISO 10002 4.6, 4.15): business calendars, SLA policies computed from the history,
regulator presets, and the breach queue's items.

The names most applications need are also exported from :mod:`iso10002` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# These names are also the names of submodules, which importing the submodule would bind
# in their place; so they are bound now, after their submodule, rather than on first use.
from iso10002.sla.presets import Preset, preset, presets

if TYPE_CHECKING:
    from iso10002.sla.calendar import BusinessCalendar, Holiday, Window
    from iso10002.sla.config import SlaConfig
    from iso10002.sla.engine import (
        DueAlert,
        Interval,
        MetricStatus,
        SlaReport,
        SlaStatus,
        evaluate,
    )
    from iso10002.sla.holiday_sources import holidays_from_package, holidays_from_rrule
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
    from iso10002.sla.queue import QueueBucket, QueueItem
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "BusinessCalendar",
    "DueAlert",
    "DueAt",
    "Holiday",
    "Interval",
    "Metric",
    "MetricStatus",
    "On",
    "PolicyRule",
    "Preset",
    "QueueBucket",
    "QueueItem",
    "ReopenRule",
    "SlaConfig",
    "SlaPolicy",
    "SlaReport",
    "SlaStatus",
    "Target",
    "Unit",
    "Window",
    "evaluate",
    "holidays_from_package",
    "holidays_from_rrule",
    "preset",
    "presets",
]
