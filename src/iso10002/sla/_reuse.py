"""
What an evaluation keeps between reports, and when it may keep it.

A report measures each metric's current cycle at its instant, but most of what it gives does
not depend on that instant: the target in force, the deadline, the warnings and the budget, the
time measured in closed segments and pauses (:class:`Fixed`), and, once the cycle has ended,
its whole status. A :class:`Fixed` is kept on its cycle and stays right as long as the cycle's
:func:`shape` (the segments, pauses and gaps it holds, its stop and its extensions) is the one
it was computed for: an event that feeds the cycle without changing it (a closure after the
cycle was met, say) keeps it, and a stop that only closes the running segment keeps all of it
but the time measured (:func:`renewed`). Anything else computes it again.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.policy import DueAt, Metric, Target

if TYPE_CHECKING:
    from iso10002.model.facts import MetricOutcome
    from iso10002.sla.engine import DueAlert, MetricStatus, _Cycle

__all__ = [
    "ALWAYS_OPEN",
    "TICK",
    "ZERO",
    "Fixed",
    "end_of_day",
    "fixed_for",
    "measure_of",
    "renewed",
    "shape",
]

ALWAYS_OPEN = BusinessCalendar.always_open()
TICK = _dt.timedelta(microseconds=1)
ZERO = _dt.timedelta(0)

Shape = tuple[
    int, _dt.datetime | None, int, _dt.datetime | None, int, _dt.datetime | None, str | None, int
]


def shape(cycle: _Cycle) -> Shape:
    """
    Everything about ``cycle`` that a :class:`Fixed` depends on, besides what never changes
    (its metric, number and start): feeding a cycle only appends segments, pauses and gaps,
    closes the last one, stops, continues or extends it.
    """
    segments, pauses = cycle.segments, cycle.pauses
    return (
        len(segments),
        segments[-1][1] if segments else None,
        len(pauses),
        pauses[-1][1] if pauses else None,
        len(cycle.gaps),
        cycle.stopped_at,
        cycle.ending,
        cycle.extensions,
    )


def measure_of(target: Target, calendar: BusinessCalendar) -> BusinessCalendar:
    """The calendar a target's time is measured in: business time, or elapsed time."""
    return calendar if target.unit.is_business else ALWAYS_OPEN


def end_of_day(calendar: BusinessCalendar, instant: _dt.datetime) -> _dt.datetime:
    """The end of the local day an instant ends (a deadline at midnight ends the day before)."""
    # Day-counted deadlines moved by a pause still fall at the end of a day.
    return calendar.end_of_day(calendar.local_date(instant - TICK))


class Fixed:
    """
    What a cycle's status holds whatever the instant it is taken at, kept on the cycle while
    its :func:`shape` stays the one it was computed for: the target in force, the deadline,
    warnings and budget, and the time measured in the closed segments and pauses. A segment is
    open exactly while the cycle runs (pauses and endings close it), and a pause only while it
    is paused; only those two are measured again at each instant. Once the cycle has ended its
    status does not depend on the instant at all, and is kept too (``ended``, by whether the
    complaint stands withdrawn or closed as a duplicate), as are the alerts a running cycle has
    pending (``alerts``, by the highest percent already raised).
    """

    __slots__ = (
        "agreed",
        "alerts",
        "budget",
        "calendar",
        "closed",
        "closed_paused",
        "closed_used",
        "due",
        "ended",
        "measure",
        "outcome",
        "shape",
        "target",
        "warnings",
    )

    agreed: _dt.datetime | None
    alerts: dict[int, tuple[DueAlert, ...]]
    budget: _dt.timedelta
    calendar: BusinessCalendar
    closed: tuple[_dt.timedelta, ...]
    closed_paused: _dt.timedelta
    closed_used: _dt.timedelta
    due: _dt.datetime | None
    ended: dict[bool, MetricStatus]
    measure: BusinessCalendar
    outcome: MetricOutcome | None
    shape: Shape
    target: Target
    warnings: tuple[tuple[int, _dt.datetime], ...]

    def __init__(self, metric: Metric, cycle: _Cycle, calendar: BusinessCalendar) -> None:
        extension = cycle.extension
        target = metric.target
        if extension is not None and extension.until is None and metric.extended_target is not None:
            target = metric.extended_target
        measure = measure_of(target, calendar)
        until = extension.until if extension is not None else None
        agreed = until.astimezone(_dt.timezone.utc) if until is not None else None
        deadline = agreed if agreed is not None else target.deadline(calendar, cycle.started_at)
        # An agreed date may lie before a cycle that began later (after a reopening): no time
        # left.
        budget = max(measure.between(cycle.started_at, deadline), ZERO)
        segments = cycle.segments
        running = cycle.phase == "running"
        closed_segments = segments[:-1] if running else segments
        # (Most cycles are one segment running since their start: nothing closed to measure.)
        closed = (
            tuple(measure.between(a, b) for a, b, _ in closed_segments if b is not None)
            if closed_segments
            else ()
        )
        used_before_open = sum(closed, ZERO) if closed else ZERO

        def instant_at(amount: _dt.timedelta) -> _dt.datetime | None:
            # The open segment's own length does not matter: an amount it reaches lies at
            # ``add(its start, amount - time used before it)``, as it does if the clock runs on.
            used = ZERO
            for (a, _b, _why), size in zip(closed_segments, closed, strict=True):
                if used + size >= amount:
                    return measure.add(a, amount - used)
                used += size
            if running:
                return measure.add(segments[-1][0], amount - used)
            if cycle.stopped_at is not None:
                # Where the deadline would have fallen had the clock run on from the stop.
                return measure.add(cycle.stopped_at, amount - used)
            return None

        due: _dt.datetime | None
        if agreed is not None:
            # An agreed deadline is an instant: holds neither before nor after it move it.
            due = deadline
        elif cycle.phase == "paused":
            due = None  # a clock that stands still has no deadline
        elif len(segments) == 1 and not cycle.pauses and not cycle.gaps:
            due = deadline
        else:
            due = instant_at(budget)
            if due is not None and target.unit.is_days and target.due_at is DueAt.END_OF_DAY:
                due = end_of_day(calendar, due)
        self.calendar, self.target, self.measure, self.agreed = calendar, target, measure, agreed
        self.budget, self.due, self.closed, self.closed_used = budget, due, closed, used_before_open
        self.warnings = tuple(
            (p, at)
            for p in metric.warnings
            if (at := instant_at(budget * p / 100)) is not None and (due is None or at <= due)
        )
        pauses = cycle.pauses
        self.closed_paused = (
            sum((measure.between(a, b) for a, b, _ in pauses if b is not None), ZERO)
            if pauses
            else ZERO
        )
        self.shape = shape(cycle)
        self.ended, self.alerts, self.outcome = {}, {}, None

    def _stopped(self, cycle: _Cycle, now: Shape) -> Fixed:
        """
        This (a running cycle's) for ``cycle`` once a stop, closure or ``until`` has closed its
        running segment and nothing else: the segment's time is measured; the rest holds.

        The deadline and warnings of the running cycle are ``add(s, amount - used)`` from the
        open segment's start ``s``; computed afresh for the stopped cycle they are the same
        ``add`` when the segment reached the amount, else ``add(stop, amount - used - size)``
        with ``size = between(s, stop) < amount - used``, the same instant: ``add(x, d)`` is the
        earliest ``t >= x`` with ``between(x, t) == d``, and ``between`` adds up over adjacent
        stretches. The budget, the target, the agreed date and the pauses (none is open while
        the clock runs) do not depend on the segment.
        """
        start, end, _ = cycle.segments[-1]
        assert end is not None
        size = self.measure.between(start, end)
        new = object.__new__(Fixed)
        new.calendar, new.target, new.measure, new.agreed = (
            self.calendar,
            self.target,
            self.measure,
            self.agreed,
        )
        new.budget, new.due, new.warnings = self.budget, self.due, self.warnings
        new.closed, new.closed_used = (*self.closed, size), self.closed_used + size
        new.closed_paused = self.closed_paused
        new.shape = now
        new.ended, new.alerts, new.outcome = {}, {}, None
        return new


def renewed(fixed: Fixed, cycle: _Cycle) -> Fixed | None:
    """
    ``fixed``, computed for an earlier shape of ``cycle``, made right for ``cycle`` as it is
    now: kept when the cycle did not change, derived when only its running segment was closed
    by an ending, else None (to be computed again).
    """
    now = shape(cycle)
    was = fixed.shape
    if now == was:
        return fixed
    if (
        was[1] is None
        and was[6] is None
        and now[6] is not None
        and now[0] == was[0]
        and now[1] is not None
        and now[2:5] == was[2:5]
        and now[7] == was[7]
    ):
        return fixed._stopped(cycle, now)
    return None


def fixed_for(metric: Metric, cycle: _Cycle, calendar: BusinessCalendar) -> Fixed:
    """
    What ``cycle``'s status holds whatever the instant, on ``calendar``: the one kept on the
    cycle when it is still right (:func:`renewed`), else computed; kept on the cycle.
    """
    fixed = cycle.fixed
    # Kept from an earlier report when still right for the cycle as it is now.
    fixed = renewed(fixed, cycle) if fixed is not None and fixed.calendar is calendar else None
    if fixed is None:
        fixed = Fixed(metric, cycle, calendar)
    cycle.fixed = fixed
    return fixed
