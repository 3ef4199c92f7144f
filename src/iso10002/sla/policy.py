"""
SLA policies as data: targets, metrics, the conditions on events that drive them, and the
ordered rules that choose a policy for a complaint.

A policy never stores a counter. It says *which events* start, stop, pause, resume or reset each
metric and *how long* the metric may run; :mod:`iso10002.sla.engine` reads the history to say
where each metric stands.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Mapping
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from dateutil.relativedelta import relativedelta

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.complaint import Complaint
from iso10002.model.events import Event
from iso10002.model.values import Channel, ExtensionKind, Priority
from iso10002.sla.calendar import BusinessCalendar

__all__ = [
    "DueAt",
    "Metric",
    "On",
    "PolicyRule",
    "ReopenRule",
    "SlaPolicy",
    "Target",
    "Unit",
]


class Unit(str, Enum):
    """What a target counts: business time of the policy's calendar, or calendar time."""

    BUSINESS_HOURS = "business_hours"
    BUSINESS_DAYS = "business_days"
    CALENDAR_HOURS = "calendar_hours"
    CALENDAR_DAYS = "calendar_days"
    WEEKS = "weeks"
    MONTHS = "months"
    """Calendar months: the same day of the month ``n`` months on (the month's last day if
    that day does not exist)."""

    @property
    def is_business(self) -> bool:
        """True if the unit counts only the calendar's open time or business days."""
        return self in (Unit.BUSINESS_HOURS, Unit.BUSINESS_DAYS)

    @property
    def is_days(self) -> bool:
        """True if the unit counts whole days (the deadline falls at a day's end)."""
        return self in (Unit.BUSINESS_DAYS, Unit.CALENDAR_DAYS, Unit.WEEKS, Unit.MONTHS)


class DueAt(str, Enum):
    """When on its last day a day-counted deadline falls."""

    END_OF_DAY = "end_of_day"
    """Local midnight ending the day."""
    CLOSE_OF_BUSINESS = "close_of_business"
    """The end of the calendar's last working window that day."""


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(attribute.name, f"must be a positive integer, got {value!r}")


def _optional_time(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, _dt.time) or value.tzinfo is not None):
        raise ValidationError(attribute.name, f"expected a local time of day, got {value!r}")


@attrs.frozen(kw_only=True, cache_hash=True)
class Target:
    """
    How long a metric may run, with the day-counting rules regulators write down.

    Args:
        amount: how many units.
        unit: business hours or days of the policy's calendar, or calendar hours, days, weeks.
        count_start_day: for day units, whether the day the clock starts counts as day 1
            (``False``: counting starts the day after, as in "3 working days after the day on
            which it is received").
        due_at: for business days, whether the deadline is the close of business or midnight.
            Calendar days and weeks always end at midnight.
        cutoff: for day units, a local time after which (or on a non-business day) the clock
            starts as if on the next business day (FCA DISP 1.5.3G).
    """

    amount: int = attrs.field(validator=_positive)
    unit: Unit = attrs.field(validator=check.member_of(Unit))
    count_start_day: bool = attrs.field(default=False, validator=check.instance(bool))
    due_at: DueAt = attrs.field(default=DueAt.END_OF_DAY, validator=check.member_of(DueAt))
    cutoff: _dt.time | None = attrs.field(default=None, validator=_optional_time)

    def __attrs_post_init__(self) -> None:
        if not self.unit.is_days and (self.count_start_day or self.cutoff is not None):
            raise ValidationError("unit", "day-counting rules apply only to day units")
        if self.due_at is DueAt.CLOSE_OF_BUSINESS and self.unit is not Unit.BUSINESS_DAYS:
            raise ValidationError("due_at", "close of business applies only to business days")

    def describe(self) -> str:
        """A short phrase such as ``8 weeks`` or ``3 business days``."""
        words = {
            Unit.BUSINESS_HOURS: "business hour",
            Unit.BUSINESS_DAYS: "business day",
            Unit.CALENDAR_HOURS: "hour",
            Unit.CALENDAR_DAYS: "calendar day",
            Unit.WEEKS: "week",
            Unit.MONTHS: "month",
        }
        word = words[self.unit]
        return f"{self.amount} {word}{'' if self.amount == 1 else 's'}"

    def deadline(self, calendar: BusinessCalendar, start: _dt.datetime) -> _dt.datetime:
        """The due instant for a clock that starts at ``start`` and never stops."""
        return _deadline(self, calendar, start)

    def _compute(self, calendar: BusinessCalendar, start: _dt.datetime) -> _dt.datetime:
        unit, n = self.unit, self.amount
        if unit is Unit.BUSINESS_HOURS:
            return calendar.add(start, _dt.timedelta(hours=n))
        if unit is Unit.CALENDAR_HOURS:
            return (start + _dt.timedelta(hours=n)).astimezone(_dt.timezone.utc)
        if self.cutoff is not None:
            day = calendar.receipt_day(start, cutoff=self.cutoff)
        else:
            day = calendar.local_date(start)
        return self._from_day(calendar, day)

    def _from_day(self, calendar: BusinessCalendar, day: _dt.date) -> _dt.datetime:
        # A day-counted deadline from the day its clock counts from (after the cut-off rule).
        unit, n = self.unit, self.amount
        if unit is Unit.BUSINESS_DAYS:
            if self.count_start_day and calendar.is_business_day(day):
                due = calendar.add_business_days(day, n - 1)
            else:
                due = calendar.add_business_days(day, n)
            if self.due_at is DueAt.CLOSE_OF_BUSINESS:
                return calendar.end_of_business_day(due)
            return calendar.end_of_day(due)
        if unit is Unit.MONTHS:
            last = day + relativedelta(months=n)
        else:
            last = calendar.add_calendar_days(day, n * 7 if unit is Unit.WEEKS else n)
        if self.count_start_day:
            last = calendar.add_calendar_days(last, -1)
        return calendar.end_of_day(last)


def _deadline(target: Target, calendar: BusinessCalendar, start: _dt.datetime) -> _dt.datetime:
    if not target.unit.is_days or not isinstance(start, _dt.datetime) or start.utcoffset() is None:
        return _start_deadline(target, calendar, start)  # (a naive start is refused there)
    # A day-counted deadline depends on the start only through its local date and, with a
    # cut-off, whether the local time is at or after it: every complaint received on one day
    # shares the answer, which is kept per day (as ``_compute`` finds it: the tests compare),
    # and not per start, which no other complaint shares.
    local = start.astimezone(ZoneInfo(calendar.zone))
    late = target.cutoff is not None and local.time() >= target.cutoff
    return _day_deadline(target, calendar, local.date(), late)


@functools.lru_cache(maxsize=65_536)
def _start_deadline(
    target: Target, calendar: BusinessCalendar, start: _dt.datetime
) -> _dt.datetime:
    # Every evaluation of a history recomputes each metric's deadline from the same start;
    # targets and calendars are immutable values, so the answer can be kept.
    return target._compute(calendar, start)


@functools.lru_cache(maxsize=16_384)
def _day_deadline(
    target: Target, calendar: BusinessCalendar, day: _dt.date, late: bool
) -> _dt.datetime:
    # ``BusinessCalendar.receipt_day``: after the cut-off, or on a day that is not a business
    # day, the clock counts from the next business day.
    if target.cutoff is not None and (late or not calendar.is_business_day(day)):
        day = calendar.add_business_days(day, 1)
    return target._from_day(calendar, day)


@attrs.frozen(kw_only=True)
class On:
    """
    A condition on one event: its type, and optionally payload fields that must equal given
    values (dotted paths, enum values by their string): ``On(event="communication_recorded",
    where={"communication.direction": "outbound"})``.
    """

    event: str = attrs.field(validator=check.text)
    where: Mapping[str, str] = attrs.field(
        factory=dict, converter=check.to_str_mapping, validator=check.text_mapping, hash=False
    )

    def matches(self, event: Event) -> bool:
        """True if ``event`` is of this type and its payload has the given field values."""
        payload = event.payload
        if payload.type != self.event:
            return False
        for path, wanted in self.where.items():
            value: Any = payload
            for part in path.split("."):
                value = getattr(value, part, None)
            if isinstance(value, Enum):
                value = value.value
            if str(value) != wanted:
                return False
        return True


class ReopenRule(str, Enum):
    """What reopening a complaint does to a metric."""

    KEEP = "keep"
    """Nothing: the metric's result stands (e.g. the acknowledgement was sent)."""
    CONTINUE = "continue"
    """The clock runs again from the reopening with the time already used; time closed is not
    counted."""
    RESET = "reset"
    """The clock starts again from zero at the reopening; the earlier result is replaced."""
    NEW_CYCLE = "new_cycle"
    """A new cycle starts from zero at the reopening; the earlier cycle's result is kept."""


def _percents(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise ValidationError(attribute.name, f"expected a tuple of percentages, got {value!r}")
    for item in value:
        if not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= 99:
            raise ValidationError(attribute.name, f"percentages are 1..99, got {item!r}")
    if list(value) != sorted(set(value)):
        raise ValidationError(attribute.name, "percentages must increase, without repeats")


_RECEIVED = On(event="complaint_received")
_HOLD = (On(event="hold_started"),)
_RELEASE = (On(event="hold_ended"),)


@attrs.frozen(kw_only=True)
class Metric:
    """
    One timeliness milestone: when its clock starts, stops, pauses, resumes and resets, how
    long it may run, when to warn, and what extensions and reopening do to it.

    ``recurring`` metrics (a keep-in-the-loop cadence) start a new cycle at every stop and end
    for good at an ``until`` condition. The clock of a metric that starts on the receipt starts
    at the receipt time the complaint gives, not when it was recorded.
    """

    name: str = attrs.field(validator=check.text)
    description: str = attrs.field(validator=check.text)
    target: Target = attrs.field(validator=check.instance(Target))
    stop: tuple[On, ...] = attrs.field(converter=check.to_tuple, validator=check.tuple_of(On))
    start: tuple[On, ...] = attrs.field(
        default=(_RECEIVED,), converter=check.to_tuple, validator=check.tuple_of(On)
    )
    pause: tuple[On, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of(On)
    )
    resume: tuple[On, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of(On)
    )
    reset: tuple[On, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of(On)
    )
    until: tuple[On, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of(On)
    )
    recurring: bool = attrs.field(default=False, validator=check.instance(bool))
    warnings: tuple[int, ...] = attrs.field(
        default=(75,), converter=check.to_tuple, validator=_percents
    )
    """Shares of the target (percent) at which a warning is due."""
    on_reopen: ReopenRule = attrs.field(
        default=ReopenRule.CONTINUE, validator=check.member_of(ReopenRule)
    )
    extended_target: Target | None = attrs.field(
        default=None, validator=check.optional_instance(Target)
    )
    """The target after a holding response or delay notice, counted from the same start."""
    extensions: tuple[ExtensionKind, ...] = attrs.field(default=(), converter=check.to_tuple)
    """The kinds of extension this metric's regime allows."""

    def __attrs_post_init__(self) -> None:
        if not self.stop:
            raise ValidationError("stop", f"metric {self.name!r} needs a stop condition")
        if not self.start:
            raise ValidationError("start", f"metric {self.name!r} needs a start condition")
        if (self.pause == ()) != (self.resume == ()):
            raise ValidationError("pause", "pause and resume conditions come together")
        if self.until and not self.recurring:
            raise ValidationError("until", "only a recurring metric has until conditions")
        for kind in self.extensions:
            if not isinstance(kind, ExtensionKind):
                raise ValidationError("extensions", f"expected an ExtensionKind, got {kind!r}")
        needs_target = {ExtensionKind.HOLDING_RESPONSE, ExtensionKind.DELAY_NOTICE}
        if needs_target & set(self.extensions) and self.extended_target is None:
            raise ValidationError(
                "extended_target",
                f"metric {self.name!r} allows holding responses or delay notices "
                "but has no extended target",
            )

    def paused_by_holds(self) -> Metric:
        """This metric, pausing while the complaint is on hold."""
        return attrs.evolve(self, pause=_HOLD, resume=_RELEASE)


def _metrics(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.tuple_of(Metric)(_inst, attribute, value)
    names = [m.name for m in value]  # type: ignore[attr-defined]
    if not names:
        raise ValidationError(attribute.name, "a policy needs at least one metric")
    if len(names) != len(set(names)):
        raise ValidationError(attribute.name, f"metric names repeat: {names}")


@attrs.frozen(kw_only=True)
class SlaPolicy:
    """
    A named, versioned set of metrics counted in one business calendar.

    The name and version are recorded on every complaint the policy applies to (with the
    calendar's version and fingerprint), so a deadline can be recomputed years later exactly.
    """

    name: str = attrs.field(validator=check.text)
    version: str = attrs.field(validator=check.text)
    description: str = attrs.field(validator=check.text)
    calendar: BusinessCalendar = attrs.field(validator=check.instance(BusinessCalendar))
    metrics: tuple[Metric, ...] = attrs.field(converter=check.to_tuple, validator=_metrics)

    def metric(self, name: str) -> Metric:
        """The metric called ``name``; ``ValidationError`` naming ``metric`` if there is none."""
        for m in self.metrics:
            if m.name == name:
                return m
        known = ", ".join(m.name for m in self.metrics)
        raise ValidationError(
            "metric", f"policy {self.name!r} has no metric {name!r} (it has: {known})"
        )

    @property
    def key(self) -> tuple[str, str]:
        """``(name, version)``: what identifies the policy in a history."""
        return (self.name, self.version)


@attrs.frozen(kw_only=True)
class PolicyRule:
    """
    One selection rule: the policy it picks, and what the complaint must match. An empty
    criterion matches anything; a category, written as a path (``"banking / cards"``), matches
    itself and everything below it (``"banking"`` matches ``"banking / cards"``);
    ``regulation`` and ``segment`` match the complaint's attributes of those names.
    """

    policy: str = attrs.field(validator=check.text)
    priority: tuple[Priority, ...] = attrs.field(default=(), converter=check.to_tuple)
    channel: tuple[Channel, ...] = attrs.field(default=(), converter=check.to_tuple)
    category: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of_text
    )
    regulation: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of_text
    )
    segment: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of_text
    )

    def __attrs_post_init__(self) -> None:
        for p in self.priority:
            if not isinstance(p, Priority):
                raise ValidationError("priority", f"expected a Priority, got {p!r}")
        for c in self.channel:
            if not isinstance(c, Channel):
                raise ValidationError("channel", f"expected a Channel, got {c!r}")

    @property
    def _category_parts(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(p.strip() for p in c.split("/")) for c in self.category)

    def matches(self, complaint: Complaint) -> bool:
        """True if ``complaint`` meets every criterion of this rule."""
        if self.priority and complaint.priority not in self.priority:
            return False
        if self.channel and complaint.channel not in self.channel:
            return False
        if self.category:
            held = complaint.classification.category if complaint.classification else ()
            if not any(held[: len(parts)] == parts for parts in self._category_parts):
                return False
        attributes = complaint.attributes
        if self.regulation and attributes.get("regulation") not in self.regulation:
            return False
        return not (self.segment and attributes.get("segment") not in self.segment)

    def describe(self) -> str:
        """The criteria in words, for the reason recorded with the policy."""
        parts = [
            f"{name} in {', '.join(str(getattr(v, 'value', v)) for v in values)}"
            for name, values in (
                ("priority", self.priority),
                ("channel", self.channel),
                ("category", self.category),
                ("regulation", self.regulation),
                ("segment", self.segment),
            )
            if values
        ]
        return " and ".join(parts) if parts else "any complaint"
