"""
Timeliness (ISO 10002 4.6, 4.15): business calendars, SLA policies computed from the history,
regulator presets, and the breach queue's items.

The names most applications need are also exported from :mod:`iso10002` itself.
"""

from __future__ import annotations

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
from iso10002.sla.policy import DueAt, Metric, On, PolicyRule, ReopenRule, SlaPolicy, Target, Unit
from iso10002.sla.presets import Preset, preset, presets
from iso10002.sla.queue import QueueBucket, QueueItem

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
