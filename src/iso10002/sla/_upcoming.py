"""
What a complaint's summary row keeps of a timeliness report (:class:`Upcoming`): the next
deadline, warning and alert, and each metric's outcome. :func:`upcoming` takes them from a
carried evaluation without building the report: the desk's commands need nothing else when no
notification hook asks for the report.
"""

from __future__ import annotations

import datetime as _dt

import attrs

from iso10002.model.facts import MetricOutcome
from iso10002.sla._reuse import TICK, fixed_for
from iso10002.sla.engine import Evaluation, SlaReport, SlaStatus, _decide

__all__ = ["Upcoming", "upcoming"]


@attrs.frozen
class Upcoming:
    """The fields a summary row keeps of a report, as :meth:`of` reads them."""

    due: _dt.datetime | None
    warning: _dt.datetime | None
    alert: _dt.datetime | None
    outcomes: tuple[MetricOutcome, ...]

    @classmethod
    def of(cls, report: SlaReport) -> Upcoming:
        """``report``'s next deadline, next warning, next alert and outcomes."""
        return cls(report.next_due, report.next_warning, report.next_alert, report.outcomes())


def _earliest(a: _dt.datetime | None, b: _dt.datetime) -> _dt.datetime:
    return b if a is None or b < a else a


def upcoming(evaluation: Evaluation, as_of: _dt.datetime) -> Upcoming:
    """
    ``Upcoming.of(evaluation.report(as_of))``, without measuring the running clocks or building
    the statuses (the property tests compare the two after every step of random histories).

    A cycle's deadline, warnings and outcome do not depend on the instant (what the cycle keeps,
    :class:`~iso10002.sla._reuse.Fixed`); its status matters only as far as it is cancelled,
    met or live. A cycle that has not ended (running or paused) is never met, and is cancelled
    exactly when the complaint stands withdrawn or closed as a duplicate (the first rule of
    ``_decide`` for it); otherwise it is live when it has a deadline. An ended cycle is never
    live, and its status does not depend on the instant: ``_decide`` gives it with the time
    used in its closed segments.
    """
    replay = evaluation._replay  # the evaluation's own replay, read, never fed here
    calendar = evaluation.policy.calendar
    as_of = as_of.astimezone(_dt.timezone.utc)
    cancelled = replay.cancelled
    due: _dt.datetime | None = None
    warning: _dt.datetime | None = None
    alert: _dt.datetime | None = None
    outcomes: list[MetricOutcome] = []
    for track in replay.tracks:
        cycle = track.current
        if cycle is None:
            continue  # pending (or cancelled) with no deadline: neither live nor an outcome
        metric = track.metric
        fixed = fixed_for(metric, cycle, calendar)
        if fixed.due is None:
            continue
        if cycle.ending is not None:
            stopped = cycle.stopped_at
            assert stopped is not None
            agreed = fixed.agreed
            over = stopped > agreed if agreed is not None else fixed.closed_used > fixed.budget
            status = _decide(
                cycle,
                over=over,
                due=fixed.due,
                warnings=fixed.warnings,
                as_of=as_of,
                cancelled=cancelled,
            )
            if status is SlaStatus.CANCELLED:
                continue
        else:
            assert cycle.stopped_at is None
            if cancelled:
                continue
            due = _earliest(due, fixed.due)
            if fixed.warnings:
                warning = _earliest(warning, fixed.warnings[0][1])
            done = replay.raised.get((metric.name, cycle.number, cycle.extensions), 0)
            for percent, at in fixed.warnings:
                if percent > done:
                    alert = _earliest(alert, at)
            if done < 100:
                alert = _earliest(alert, fixed.due + TICK)
        outcome = fixed.outcome
        if outcome is None:
            outcome = fixed.outcome = MetricOutcome(
                metric=metric.name, due_at=fixed.due, done_at=cycle.stopped_at
            )
        outcomes.append(outcome)
    return Upcoming(due, warning, alert, tuple(outcomes))
