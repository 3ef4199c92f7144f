"""
Where each timeliness metric stands, computed from the complaint's history and nothing else.

:func:`evaluate` replays the events against a policy's metrics: it opens and closes counting
segments at the events that start, stop, pause, resume or reset each metric, measures them in
the policy's calendar (business time for business units, elapsed time otherwise), and places
the deadline where the used time reaches the target. Nothing is stored between calls, so a
status can never drift from the history it describes.

Rules that hold for every metric:

* A withdrawn complaint, or one closed as a duplicate, never counts as a breach: every metric
  not met is *cancelled* (until the complaint is reopened).
* A complaint closed while a metric runs stops that metric: *breached* if its time was already
  used up, otherwise *cancelled* (closed before the milestone was needed).
* A change of policy or priority keeps the time used: the whole history is measured against the
  policy in force (a retroactive start), never restarted.
* Extensions move the deadline only as the metric allows: to its extended target counted from
  the same start, or to an agreed instant.
"""

from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Sequence
from enum import Enum

import attrs

from iso10002.model.events import (
    Closed,
    ComplaintReceived,
    DeadlineExtended,
    Event,
    Reopened,
    SlaAlertRaised,
    Withdrawn,
)
from iso10002.model.facts import MetricOutcome
from iso10002.model.values import AlertLevel, ClosureReason
from iso10002.sla._reuse import TICK, ZERO, Fixed, fixed_for
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.policy import Metric, ReopenRule, SlaPolicy, Target

__all__ = [
    "DueAlert",
    "Evaluation",
    "Interval",
    "MetricStatus",
    "SlaReport",
    "SlaStatus",
    "evaluate",
]

_TICK = TICK
_ZERO = ZERO


class SlaStatus(str, Enum):
    """Where a metric stands at the evaluation instant."""

    PENDING = "pending"
    """Its clock has not started."""
    RUNNING = "running"
    PAUSED = "paused"
    WARNING = "warning"
    """Running, and past a warning threshold."""
    MET = "met"
    BREACHED = "breached"
    CANCELLED = "cancelled"
    """No longer needed: withdrawn, duplicate, or closed before it was due."""


@attrs.frozen(kw_only=True)
class Interval:
    """A stretch of the metric's life and whether it counted against the target."""

    start: _dt.datetime
    end: _dt.datetime
    counted: bool
    measured: _dt.timedelta
    """The time it holds in the metric's measure (business time for business units)."""
    reason: str


@attrs.frozen(kw_only=True)
class MetricStatus:
    """One metric's state: status, deadline, warnings, time used, and why."""

    metric: str
    description: str
    status: SlaStatus
    cycle: int
    """1 for the first cycle; recurring metrics, resets and new cycles count up."""
    target: Target | None
    extended: bool
    started_at: _dt.datetime | None
    stopped_at: _dt.datetime | None
    due_at: _dt.datetime | None
    """``None`` while pending or paused (a paused clock has no deadline)."""
    warning_at: _dt.datetime | None
    """The first warning instant of the current cycle, if the clock reaches it."""
    warnings: tuple[tuple[int, _dt.datetime], ...]
    """Each warning threshold (percent) and the instant it is reached."""
    elapsed: _dt.timedelta
    """Time counted against the target (business time for business units)."""
    paused: _dt.timedelta
    """Time the clock stood still while the metric was paused, in the same measure."""
    budget: _dt.timedelta | None
    """The target as time in the same measure (``elapsed`` may not exceed it)."""
    explanation: tuple[Interval, ...]
    previous: tuple[MetricStatus, ...] = ()
    """Earlier cycles kept by recurring metrics and ``new_cycle`` reopening."""
    extension: int = 0
    """How many extensions moved this cycle's deadline."""


@attrs.frozen(kw_only=True)
class DueAlert:
    """An alert the history has not raised yet, and when it falls due."""

    metric: str
    cycle: int
    extension: int
    level: AlertLevel
    percent: int
    at: _dt.datetime
    due_at: _dt.datetime


@attrs.frozen(kw_only=True)
class SlaReport:
    """Every metric of a policy for one complaint, as of one instant."""

    reference: str
    policy: str
    version: str
    calendar: str
    calendar_version: str
    as_of: _dt.datetime
    metrics: tuple[MetricStatus, ...]
    pending_alerts: tuple[DueAlert, ...]
    """Alerts not raised yet for running metrics, soonest first (raised or not by ``as_of``)."""

    def metric(self, name: str) -> MetricStatus:
        """The status of the metric called ``name`` (KeyError if the policy has none)."""
        for m in self.metrics:
            if m.metric == name:
                return m
        raise KeyError(name)

    @property
    def next_due(self) -> _dt.datetime | None:
        """The earliest deadline of a running metric (possibly already passed)."""
        dues = [m.due_at for m in self.metrics if _is_live(m) and m.due_at is not None]
        return min(dues, default=None)

    @property
    def next_warning(self) -> _dt.datetime | None:
        """The earliest first-warning instant of a running metric."""
        warns = [m.warning_at for m in self.metrics if _is_live(m) and m.warning_at is not None]
        return min(warns, default=None)

    @property
    def next_alert(self) -> _dt.datetime | None:
        """When the next alert not yet raised falls due."""
        return self.pending_alerts[0].at if self.pending_alerts else None

    def outcomes(self) -> tuple[MetricOutcome, ...]:
        """
        Each metric that has a deadline, as the monitoring facts keep it: its current cycle's
        deadline, and when its clock stopped. Cancelled, pending and paused metrics are left
        out: they are neither met nor breached.
        """
        return tuple(
            MetricOutcome(metric=m.metric, due_at=m.due_at, done_at=m.stopped_at)
            for m in self.metrics
            if m.due_at is not None and m.status is not SlaStatus.CANCELLED
        )

    def alerts_due(self) -> list[DueAlert]:
        """
        The alerts to raise at ``as_of``: per metric, only the highest level reached, so a late
        tick raises one alert, not a burst of the warnings it missed.
        """
        best: dict[str, DueAlert] = {}
        for alert in self.pending_alerts:
            if alert.at <= self.as_of:
                held = best.get(alert.metric)
                if held is None or alert.percent > held.percent:
                    best[alert.metric] = alert
        return sorted(best.values(), key=lambda a: (a.at, a.metric))


def _is_live(m: MetricStatus) -> bool:
    # A clock not yet stopped that has a deadline: running, in warning, past its deadline, or
    # paused under an agreed date. Which of these it is changes with time; this does not.
    return (
        m.stopped_at is None
        and m.due_at is not None
        and m.status not in (SlaStatus.CANCELLED, SlaStatus.MET)
    )


# -- replay -------------------------------------------------------------------------------------


Stretch = tuple[_dt.datetime, _dt.datetime | None, str]
"""A segment, pause or gap of a cycle: its start, its end (None while open), and why."""


@attrs.define
class _Cycle:
    number: int
    started_at: _dt.datetime
    # Each segment is (start, end or None while open, reason). Segments, pauses and gaps are
    # tuples, replaced as the cycle is fed, never changed in place: a copy of the cycle shares
    # them (``copy``), and what a cycle holds costs the garbage collector nothing to track.
    segments: tuple[Stretch, ...]
    pauses: tuple[Stretch, ...] = ()
    gaps: tuple[Stretch, ...] = ()
    stopped_at: _dt.datetime | None = None
    stop_reason: str | None = None
    # "stopped" by its stop condition, "closed" by the complaint's closure, "ended" by until.
    ending: str | None = None
    extension: DeadlineExtended | None = None
    extensions: int = 0
    # What the status holds whatever the instant, for the shape it was computed at.
    fixed: Fixed | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def phase(self) -> str:
        if self.ending is not None:
            return self.ending
        if self.segments and self.segments[-1][1] is None:
            return "running"
        return "paused"

    def copy(self) -> _Cycle:
        """A copy that feeding leaves this cycle as it is (every field, ``fixed`` too)."""
        return _Cycle(*_cycle_values(self))


_cycle_values = operator.attrgetter(*(a.name for a in attrs.fields(_Cycle)))
"""Every field of a cycle, in the order its constructor takes them."""


def _closed(items: tuple[Stretch, ...], at: _dt.datetime) -> tuple[Stretch, ...]:
    """``items`` with the last one ended at ``at`` if it is open."""
    if items and items[-1][1] is None:
        start, _, reason = items[-1]
        return (*items[:-1], (start, at, reason))
    return items


class _Track:
    """One metric's cycles as the history unfolds."""

    __slots__ = ("current", "metric", "numbers", "previous", "types")

    def __init__(self, metric: Metric, types: frozenset[str]) -> None:
        self.metric = metric
        self.types = types
        self.current: _Cycle | None = None
        self.previous: tuple[_Cycle, ...] = ()
        self.numbers = 0

    def copy(self) -> _Track:
        """A copy that feeding leaves this track as it is."""
        new = object.__new__(_Track)
        new.metric, new.types, new.numbers = self.metric, self.types, self.numbers
        new.previous = self.previous
        cycle = self.current
        new.current = None if cycle is None else cycle.copy()
        return new

    def _begin(self, at: _dt.datetime, why: str) -> None:
        self.numbers += 1
        self.current = _Cycle(number=self.numbers, started_at=at, segments=((at, None, why),))

    def feed(self, event: Event, at: _dt.datetime) -> None:
        m, cycle, payload = self.metric, self.current, event.payload
        kind = payload.type
        if isinstance(payload, Reopened):
            self._reopen(at)
            return
        if cycle is None:
            if any(c.matches(event) for c in m.start):
                self._begin(at, f"started by {kind}")
            return
        phase = cycle.phase
        if phase in ("running", "paused"):
            if isinstance(payload, (Withdrawn, Closed)) and not any(
                c.matches(event) for c in m.stop
            ):
                self._end(cycle, at, "closed", f"stopped by {kind}")
                return
            if any(c.matches(event) for c in m.reset):
                self._begin(at, f"reset by {kind}")
                return
            if any(c.matches(event) for c in m.stop):
                self._end(cycle, at, "stopped", f"stopped by {kind}")
                if m.recurring:
                    self.previous = (*self.previous, cycle)
                    self._begin(at, f"next cycle after {kind}")
                return
            # A holding response may both meet one metric and extend another: stops come first.
            if isinstance(payload, DeadlineExtended) and payload.metric == m.name:
                cycle.extension = payload
                cycle.extensions += 1
                return
            if m.recurring and any(c.matches(event) for c in m.until):
                self._end(cycle, at, "ended", f"no longer needed after {kind}")
                return
            if phase == "running" and any(c.matches(event) for c in m.pause):
                cycle.segments = _closed(cycle.segments, at)
                cycle.pauses = (*cycle.pauses, (at, None, f"paused by {kind}"))
                return
            if phase == "paused" and any(c.matches(event) for c in m.resume):
                cycle.pauses = _closed(cycle.pauses, at)
                cycle.segments = (*cycle.segments, (at, None, f"resumed by {kind}"))

    def _end(self, cycle: _Cycle, at: _dt.datetime, ending: str, why: str) -> None:
        cycle.segments = _closed(cycle.segments, at)
        cycle.pauses = _closed(cycle.pauses, at)
        cycle.stopped_at, cycle.stop_reason, cycle.ending = at, why, ending

    def _reopen(self, at: _dt.datetime) -> None:
        cycle, rule = self.current, self.metric.on_reopen
        if cycle is None or rule is ReopenRule.KEEP:
            return
        if rule is ReopenRule.CONTINUE:
            if cycle.ending is not None:
                gap = (cycle.stopped_at or at, at, "not counted: complaint closed")
                cycle.gaps = (*cycle.gaps, gap)
                cycle.stopped_at = cycle.stop_reason = cycle.ending = None
                cycle.segments = (*cycle.segments, (at, None, "continued after reopened"))
            return
        if rule is ReopenRule.NEW_CYCLE:
            if cycle.ending is None:
                self._end(cycle, at, "closed", "superseded by reopened")
            self.previous = (*self.previous, cycle)
        self._begin(at, f"{'reset' if rule is ReopenRule.RESET else 'new cycle'} by reopened")


def _metric_types(metric: Metric) -> frozenset[str]:
    """The event types that can change ``metric``: the others (notes, assignments, ...) cannot."""
    conditions = (*metric.start, *metric.stop, *metric.pause, *metric.resume)
    return frozenset(
        {c.event for c in (*conditions, *metric.reset, *metric.until)}
        | {"closed", "withdrawn", "reopened", "deadline_extended"}
    )


_TYPES: dict[int, tuple[SlaPolicy, tuple[frozenset[str], ...], frozenset[str]]] = {}
"""The event types of each policy met, by its identity (kept with the policy, so that an
identity is never reused): a complaint's replay is built with them, once a policy."""
_TYPES_KEPT = 256


def _types(policy: SlaPolicy) -> tuple[tuple[frozenset[str], ...], frozenset[str]]:
    """
    The types each metric of ``policy`` takes (:func:`_metric_types`), and every type some
    metric takes, and alerts: the only events that change a report (withdrawals, closures and
    reopenings are in every metric's types).
    """
    kept = _TYPES.get(id(policy))
    if kept is None or kept[0] is not policy:
        each = tuple(_metric_types(m) for m in policy.metrics)
        kept = (policy, each, frozenset[str]().union(*each) | {SlaAlertRaised.type})
        if len(_TYPES) >= _TYPES_KEPT:
            _TYPES.clear()
        _TYPES[id(policy)] = kept
    return kept[1], kept[2]


def _instant(event: Event) -> _dt.datetime:
    payload = event.payload
    if isinstance(payload, ComplaintReceived):
        return payload.received_at.astimezone(_dt.timezone.utc)
    return event.occurred_at.astimezone(_dt.timezone.utc)


class _Replay:
    """
    A policy's metrics fed a complaint's history in order, with what a report needs besides:
    the alerts already raised, and whether the complaint stands withdrawn or closed as a
    duplicate (the last withdrawal, closure or reopening decides).
    """

    __slots__ = ("cancelled", "last", "raised", "reference", "tracks", "types")

    def __init__(self, policy: SlaPolicy) -> None:
        each, self.types = _types(policy)
        self.tracks = [_Track(m, types) for m, types in zip(policy.metrics, each, strict=True)]
        self.raised: dict[tuple[str, int, int], int] = {}
        self.cancelled = False
        self.reference = ""
        self.last: _dt.datetime | None = None
        """The latest instant fed: a report is only right as of this instant or later."""

    def copy(self) -> _Replay:
        """A replay that feeding leaves this one as it is (tracks copied as they are fed)."""
        new = object.__new__(_Replay)
        new.tracks = list(self.tracks)
        new.raised, new.types = self.raised, self.types
        new.cancelled, new.reference, new.last = self.cancelled, self.reference, self.last
        return new

    def feed(self, event: Event, at: _dt.datetime, *, copied: set[int] | None = None) -> None:
        """
        Feed one event at its instant ``at``; with ``copied``, a track is copied before it is
        first changed (its index then noted), so that a replay shared by :meth:`copy` stays
        as it was.
        """
        kind = event.payload.type
        tracks = self.tracks
        for i, track in enumerate(tracks):
            if kind in track.types:
                if copied is not None and i not in copied:
                    tracks[i] = track.copy()
                    copied.add(i)
                # What a cycle's status kept stays with it: a report checks that it was kept
                # for the cycle as it is now (sla._reuse.renewed).
                tracks[i].feed(event, at)
        p = event.payload
        if isinstance(p, SlaAlertRaised):
            key = (p.metric, p.cycle, p.extension)
            if copied is not None:
                self.raised = dict(self.raised)
            self.raised[key] = max(self.raised.get(key, 0), p.percent)
        elif isinstance(p, Withdrawn):
            self.cancelled = True
        elif isinstance(p, Closed):
            self.cancelled = p.reason is ClosureReason.DUPLICATE
        elif isinstance(p, Reopened):
            self.cancelled = False
        if self.last is None or at > self.last:
            self.last = at

    def report(self, policy: SlaPolicy, as_of: _dt.datetime, *, detail: bool) -> SlaReport:
        """Where each metric stands at ``as_of`` (UTC) after what was fed."""
        statuses: list[MetricStatus] = []
        alerts: list[DueAlert] = []
        for track in self.tracks:
            status = _status(track, policy.calendar, as_of, self.cancelled, detail=detail)
            statuses.append(status)
            if _is_live(status):
                # A live status is the current cycle's, whose kept values it was built from.
                cycle = track.current
                assert cycle is not None
                alerts.extend(_pending_alerts(track.metric, status, self.raised, cycle.fixed))
        alerts.sort(key=lambda a: (a.at, a.metric, a.percent))
        return SlaReport(
            reference=self.reference,
            policy=policy.name,
            version=policy.version,
            calendar=policy.calendar.name,
            calendar_version=policy.calendar.version,
            as_of=as_of,
            metrics=tuple(statuses),
            pending_alerts=tuple(alerts),
        )


def _reference(events: Sequence[Event]) -> str:
    first = events[0].payload if events else None
    return first.reference if isinstance(first, ComplaintReceived) else ""


def evaluate(
    events: Sequence[Event], policy: SlaPolicy, as_of: _dt.datetime, *, detail: bool = True
) -> SlaReport:
    """
    Evaluate ``policy`` over a complaint's history as of ``as_of``.

    Events after ``as_of`` are ignored, so evaluating at a past instant gives the status as it
    was then. With ``detail=False`` the report leaves out the explanations and earlier cycles,
    which is all the next deadline, warning and alert need (the desk does this on every
    command).
    """
    as_of = as_of.astimezone(_dt.timezone.utc)
    replay = _Replay(policy)
    replay.reference = _reference(events)
    for event in events:
        at = _instant(event)
        if at <= as_of:
            replay.feed(event, at)
    return replay.report(policy, as_of, detail=detail)


@attrs.frozen(eq=False)
class Evaluation:
    """
    A policy's evaluation of one complaint carried forward event by event: the replay
    :func:`evaluate` makes of the history, kept, so that a command feeds only its own events
    and the cost of a report does not grow with the history. Immutable: :meth:`advanced`
    returns a new evaluation and leaves this one as it was.

    ``report(as_of)`` equals ``evaluate(history, policy, as_of, detail=False)`` for the
    history fed, as long as no event of it falls after ``as_of`` (:meth:`covers`); the
    property tests hold the two to that.
    """

    policy: SlaPolicy
    version: int
    """How many events of the complaint's history were fed: the complaint's version."""
    _replay: _Replay

    @classmethod
    def of(cls, events: Sequence[Event], policy: SlaPolicy) -> Evaluation:
        """The evaluation of a whole history (every event fed, whatever its instant)."""
        replay = _Replay(policy)
        replay.reference = _reference(events)
        for event in events:
            replay.feed(event, _instant(event))
        return cls(policy, len(events), replay)

    def advanced(self, events: Sequence[Event]) -> Evaluation:
        """This evaluation with ``events`` (the next ones of the history) fed too."""
        replay = self._replay.copy()
        copied: set[int] = set()
        for event in events:
            replay.feed(event, _instant(event), copied=copied)
        return Evaluation(self.policy, self.version + len(events), replay)

    def moves(self, events: Sequence[Event]) -> bool:
        """
        Whether feeding ``events`` can change a report other than through its instant: true
        when one of them is of a type a metric's conditions name (or a withdrawal, closure,
        reopening or extension) or raises an alert. When false, the deadlines, warnings,
        pending alerts and outcomes of a report at any instant the evaluation :meth:`covers`
        stay what they were; only running clocks' statuses and time used move with the instant.
        """
        types = self._replay.types
        return any(e.payload.type in types for e in events)

    def covers(self, as_of: _dt.datetime) -> bool:
        """Whether every event fed happened at or before ``as_of``, so a report there is right."""
        last = self._replay.last
        return last is None or last <= as_of.astimezone(_dt.timezone.utc)

    def report(self, as_of: _dt.datetime) -> SlaReport:
        """Where each metric stands at ``as_of`` (as ``evaluate(..., detail=False)``)."""
        return self._replay.report(self.policy, as_of.astimezone(_dt.timezone.utc), detail=False)


def _pending_alerts(
    metric: Metric,
    status: MetricStatus,
    raised: dict[tuple[str, int, int], int],
    fixed: Fixed | None = None,
) -> tuple[DueAlert, ...]:
    if status.due_at is None:
        return ()
    done = raised.get((metric.name, status.cycle, status.extension), 0)
    # The alerts follow from the deadline and warnings ``fixed`` keeps for the cycle, and from
    # what was raised: kept with them.
    held = None if fixed is None else fixed.alerts.get(done)
    if held is None:
        held = _alerts(metric, status, done)
        if fixed is not None:
            fixed.alerts[done] = held
    return held


def _alerts(metric: Metric, status: MetricStatus, done: int) -> tuple[DueAlert, ...]:
    assert status.due_at is not None
    levels = [(p, at, AlertLevel.WARNING) for p, at in status.warnings]
    levels.append((100, status.due_at, AlertLevel.BREACH))
    return tuple(
        DueAlert(
            metric=metric.name,
            cycle=status.cycle,
            extension=status.extension,
            level=level,
            percent=percent,
            # A breach is due once the deadline has passed, not at the deadline itself.
            at=at + _TICK if level is AlertLevel.BREACH else at,
            due_at=status.due_at,
        )
        for percent, at, level in levels
        if percent > done
    )


# -- measuring ----------------------------------------------------------------------------------


def _status(
    track: _Track,
    calendar: BusinessCalendar,
    as_of: _dt.datetime,
    cancelled: bool,
    *,
    detail: bool,
) -> MetricStatus:
    metric = track.metric
    previous = tuple(
        _cycle_status(
            metric,
            c,
            calendar=calendar,
            as_of=as_of,
            cancelled=cancelled,
            previous=(),
            detail=detail,
        )
        for c in (track.previous if detail else ())
    )
    if track.current is None:
        return MetricStatus(
            metric=metric.name,
            description=metric.description,
            status=SlaStatus.CANCELLED if cancelled else SlaStatus.PENDING,
            cycle=0,
            target=metric.target,
            extended=False,
            started_at=None,
            stopped_at=None,
            due_at=None,
            warning_at=None,
            warnings=(),
            elapsed=_ZERO,
            paused=_ZERO,
            budget=None,
            explanation=(),
            previous=previous,
        )
    return _cycle_status(
        metric,
        track.current,
        calendar=calendar,
        as_of=as_of,
        cancelled=cancelled,
        previous=previous,
        detail=detail,
    )


def _cycle_status(
    metric: Metric,
    cycle: _Cycle,
    *,
    calendar: BusinessCalendar,
    as_of: _dt.datetime,
    cancelled: bool,
    previous: tuple[MetricStatus, ...],
    detail: bool,
) -> MetricStatus:
    fixed = fixed_for(metric, cycle, calendar)
    # An ended cycle's status does not depend on the instant: it is kept (not with the detail
    # and earlier cycles, which a report with ``detail`` gives).
    keep = cycle.ending is not None and not detail and not previous
    if keep:
        held = fixed.ended.get(cancelled)
        if held is not None:
            return held
    measure, agreed, budget, due = fixed.measure, fixed.agreed, fixed.budget, fixed.due
    segments = cycle.segments
    measured = fixed.closed
    elapsed = fixed.closed_used
    if cycle.phase == "running":
        size = measure.between(segments[-1][0], as_of)
        measured = (*measured, size)
        elapsed += size
    warnings = fixed.warnings
    # Past an agreed instant is late whatever was paused; otherwise the time used decides.
    over = (cycle.stopped_at or as_of) > agreed if agreed is not None else elapsed > budget
    paused = fixed.closed_paused
    pauses = cycle.pauses
    if pauses and pauses[-1][1] is None:
        paused += measure.between(pauses[-1][0], as_of)
    status = _decide(
        cycle,
        over=over,
        due=due,
        warnings=warnings,
        as_of=as_of,
        cancelled=cancelled,
    )
    explanation: list[Interval] = []
    if detail:
        explanation = [
            Interval(
                start=a, end=b if b is not None else as_of, counted=True, measured=size, reason=why
            )
            for (a, b, why), size in zip(segments, measured, strict=True)
        ]
        for a, b, why in (*pauses, *cycle.gaps):
            end = b if b is not None else as_of
            explanation.append(
                Interval(
                    start=a, end=end, counted=False, measured=measure.between(a, end), reason=why
                )
            )
        explanation.sort(key=lambda i: i.start)
    result = MetricStatus(
        metric=metric.name,
        description=metric.description,
        status=status,
        cycle=cycle.number,
        target=fixed.target,
        extended=cycle.extension is not None,
        started_at=cycle.started_at,
        stopped_at=cycle.stopped_at,
        due_at=due,
        warning_at=warnings[0][1] if warnings else None,
        warnings=warnings,
        elapsed=elapsed,
        paused=paused,
        budget=budget,
        explanation=tuple(explanation),
        previous=previous,
        extension=cycle.extensions,
    )
    if keep:
        fixed.ended[cancelled] = result
    return result


def _decide(
    cycle: _Cycle,
    *,
    over: bool,
    due: _dt.datetime | None,
    warnings: tuple[tuple[int, _dt.datetime], ...],
    as_of: _dt.datetime,
    cancelled: bool,
) -> SlaStatus:
    if cycle.ending == "stopped":
        met = cycle.stopped_at is not None and due is not None and cycle.stopped_at <= due
        if met or (not over and due is None):
            return SlaStatus.MET
        return SlaStatus.CANCELLED if cancelled else SlaStatus.BREACHED
    if cancelled:
        return SlaStatus.CANCELLED
    if cycle.ending in ("closed", "ended"):
        return SlaStatus.BREACHED if over else SlaStatus.CANCELLED
    if cycle.phase == "paused":
        return SlaStatus.BREACHED if over else SlaStatus.PAUSED
    if due is not None and as_of > due:
        return SlaStatus.BREACHED
    if warnings and warnings[0][1] <= as_of:
        return SlaStatus.WARNING
    return SlaStatus.RUNNING
