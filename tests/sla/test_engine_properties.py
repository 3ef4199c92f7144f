"""
Properties of the timeliness engine, driven through the desk by random command sequences.

Each sequence receives two complaints on the office calendar (Monday to Friday, 09:00-17:00
London time) a week before a Europe/London DST change, then runs commands on the second one:
acknowledge, assess (random severity and impact, so the priority rule moves it between the
standard, urgent and relaxed policies), holds, inbound and outbound communications, extensions,
decisions, reactions, justified closures, withdrawal, reopening, clock steps from minutes to a
month (onto weekends, local midnights and the DST changes of 2026-03-29 and 2026-10-25) and
ticks. After every step the properties below are checked against the engine's documented rules;
the oracle is arithmetic on the calendar, never a second identical call of the engine.

1. The projection row holds what the history says now (next deadline, warning and alert).
2. Each metric's time used and paused is non-negative and fits in the time since it started;
   breached, met, cancelled and paused mean what the engine's rules say.
3. The explanation's counted intervals add up to the time used, in order, without overlap.
4. Deadlines and warnings in business units fall in open time or at the end of it (or at local
   midnight for days counted to the end of the day); agreed instants are exempt.
5. Evaluating one history at later instants never decreases the time used by a cycle, and a met
   cycle stays met unless a reopening intervenes.
6. ``tick`` raises each (metric, cycle, extension, level, percent) at most once, leaves nothing
   due, and a second tick at the same instant writes nothing.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from iso10002 import (
    Assessment,
    ClosureReason,
    CommandRejected,
    Communication,
    CommunicationKind,
    ComplaintDesk,
    ComplaintSummary,
    Decision,
    Direction,
    FixedClock,
    Impact,
    Outcome,
    Reaction,
    Severity,
    SQLiteEventStore,
    ValidationError,
)
from iso10002.model.events import ComplaintReceived, Event, Reopened, SlaAlertRaised
from iso10002.model.values import Channel, ExtensionKind, Priority
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.config import SlaConfig
from iso10002.sla.engine import Evaluation, MetricStatus, SlaReport, SlaStatus, evaluate
from iso10002.sla.policy import (
    DueAt,
    PolicyRule,
    ReopenRule,
    SlaPolicy,
    Target,
    Unit,
)
from iso10002.storage.base import EventStore

from .support import (
    ACK,
    DECISION,
    LONDON,
    OFFICE,
    OUTBOUND,
    STAFF,
    config,
    hours,
    local,
    make_desk,
    metric,
    receive,
    standard_policy,
    urgent_policy,
)

UTC = _dt.timezone.utc
US = _dt.timedelta(microseconds=1)
ZERO = _dt.timedelta(0)
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # tmp_path: each example opens its own file
    ],
)
FEW = settings(SETTINGS, max_examples=40)


def relaxed_policy() -> SlaPolicy:
    """
    Low-priority complaints: calendar days, weeks, months and hours, a cut-off, a recurring
    update cadence, and the reset and new-cycle reopening rules, all on the office calendar.
    """
    both = (ExtensionKind.HOLDING_RESPONSE, ExtensionKind.AGREED)
    return SlaPolicy(
        name="relaxed",
        version="1",
        description="Complaints with a low priority.",
        calendar=OFFICE,
        metrics=(
            metric(
                "acknowledgement",
                Target(amount=2, unit=Unit.CALENDAR_DAYS, count_start_day=True),
                stop=(ACK,),
                on_reopen=ReopenRule.KEEP,
                warnings=(50,),
            ),
            metric(
                "resolution",
                Target(amount=3, unit=Unit.BUSINESS_DAYS, cutoff=_dt.time(16, 0)),
                stop=(DECISION,),
                on_reopen=ReopenRule.RESET,
                pauses=True,
                extended_target=Target(amount=5, unit=Unit.BUSINESS_DAYS),
                extensions=both,
            ),
            metric(
                "final_response",
                Target(amount=2, unit=Unit.WEEKS),
                stop=(DECISION,),
                on_reopen=ReopenRule.NEW_CYCLE,
                pauses=True,
                extended_target=Target(amount=1, unit=Unit.MONTHS),
                extensions=both,
            ),
            metric(
                "update",
                Target(amount=30, unit=Unit.CALENDAR_HOURS),
                stop=(OUTBOUND,),
                recurring=True,
                until=(DECISION,),
                pauses=True,
                warnings=(25, 50, 90),
            ),
        ),
    )


def sla_config() -> SlaConfig:
    """Urgent for urgent and high priority, relaxed for low, standard otherwise."""
    return config(
        policies=(standard_policy(), urgent_policy(), relaxed_policy()),
        rules=(
            PolicyRule(policy="urgent", priority=(Priority.URGENT, Priority.HIGH)),
            PolicyRule(policy="relaxed", priority=(Priority.LOW,)),
        ),
    )


# -- steps --------------------------------------------------------------------------------------

Step = tuple[Any, ...]

# Instants around the DST changes of 2026 (UTC): the last second before, the change, and the
# local midnights and office hours of the weekend and the Monday after.
DST = (
    _dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),
    _dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    local(2026, 3, 30, 0, 0),
    local(2026, 3, 30, 9, 0),
    _dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST
    _dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30 GMT, the repeated hour
    local(2026, 10, 26, 0, 0),
    local(2026, 10, 26, 9, 0),
)
LOCAL_TIMES = (
    _dt.time(0, 0),
    _dt.time(8, 59),
    _dt.time(9, 0),
    _dt.time(12, 30),
    _dt.time(16, 0),
    _dt.time(16, 59, 59),
    _dt.time(17, 0),
    _dt.time(23, 59),
)
DELTAS = st.one_of(
    st.integers(1, 240).map(lambda m: _dt.timedelta(minutes=m)),
    st.integers(1, 72).map(lambda h: _dt.timedelta(hours=h)),
    st.integers(1, 30).map(lambda d: _dt.timedelta(days=d)),
)
STARTS = st.builds(
    lambda monday, day, minute: monday + _dt.timedelta(days=day, minutes=minute),
    st.sampled_from([local(2026, 3, 23), local(2026, 10, 19)]),
    st.integers(0, 6),
    st.integers(0, 24 * 60 - 1),
)
# One assessment per priority: low (relaxed policy), normal (standard), high and urgent (urgent).
BY_PRIORITY = (
    (Severity.LOW, Impact.LOW),
    (Severity.MEDIUM, Impact.LOW),
    (Severity.HIGH, Impact.MEDIUM),
    (Severity.CRITICAL, Impact.LOW),
)
STEPS: st.SearchStrategy[Step] = st.one_of(
    st.just(("acknowledge",)),
    st.tuples(st.just("assess"), st.sampled_from(Severity), st.sampled_from(Impact)),
    st.sampled_from(BY_PRIORITY).map(lambda pair: ("assess", *pair)),
    st.just(("hold",)),
    st.just(("release",)),
    st.just(("note",)),
    st.tuples(st.just("communicate"), st.sampled_from(Direction)),
    st.tuples(
        st.just("extend"),
        st.sampled_from(["final_response", "final_response", "resolution", "acknowledgement"]),
        st.sampled_from([ExtensionKind.HOLDING_RESPONSE, ExtensionKind.AGREED]),
        st.integers(-3 * 24 * 60, 20 * 24 * 60).map(lambda m: _dt.timedelta(minutes=m)),
    ),
    st.tuples(st.just("decide"), st.sampled_from(Severity)),
    st.tuples(st.just("react"), st.sampled_from(Reaction)),
    st.tuples(st.just("close"), st.sampled_from(ClosureReason)),
    st.just(("withdraw",)),
    st.just(("reopen",)),
    st.tuples(st.just("advance"), DELTAS),
    st.tuples(st.just("advance"), DELTAS),
    st.tuples(st.just("jump"), st.sampled_from(LOCAL_TIMES), st.integers(0, 6)),
    st.tuples(st.just("dst"), st.integers(0, 2)),
    st.just(("tick",)),
)
SEQUENCES = st.lists(STEPS, min_size=1, max_size=30)
BACKDATE = st.sampled_from([ZERO, ZERO, hours(5), _dt.timedelta(days=2, hours=3)])


def tally(what: str) -> None:
    """Count an outcome for ``--hypothesis-show-statistics`` (replays outside a test have none)."""
    if currently_in_test_context():
        event(what)


def next_local(now: _dt.datetime, at: _dt.time, skip: int) -> _dt.datetime:
    """The first instant after ``now`` showing ``at`` on London clocks, ``skip`` days later."""
    day = now.astimezone(LONDON).date() + _dt.timedelta(days=skip)
    while True:
        candidate = _dt.datetime.combine(day, at, tzinfo=LONDON)
        if candidate > now:
            return candidate
        day += _dt.timedelta(days=1)


class Run:
    """A desk, its clock, and two complaints: an original and the one the steps work on."""

    def __init__(self, desk: ComplaintDesk, clock: FixedClock, backdate: _dt.timedelta) -> None:
        self.desk, self.clock = desk, clock
        self.original = receive(desk)
        received_at = clock.now() - backdate
        self.ref = receive(desk, received_at=received_at)
        self.refs = (self.original, self.ref)

    @property
    def store(self) -> EventStore:
        """The desk's store."""
        return self.desk.store

    def do(self, step: Step) -> None:
        """Run one step: move the clock, tick, or run the commands the step stands for."""
        kind = step[0]
        if kind in ("advance", "jump", "dst"):
            self._move(step)
        elif kind == "tick":
            self._tick()
        else:
            getattr(self, f"_{kind}")(*step[1:])

    def attempt(self, what: str, command: Callable[[], object]) -> bool:
        """
        Run one desk command; if the workflow refuses it (or the policy refuses an extension),
        check that it wrote nothing and return False.
        """
        before = self.desk.history(self.ref)
        refused: Exception | None = None
        try:
            command()
        except CommandRejected as e:
            refused = e
        except ValidationError as e:
            # Only an extension the regime does not allow, or one ending before the receipt.
            if what != "extend" or e.field not in ("metric", "kind", "until"):
                raise
            refused = e
            what = f"extension ({e.field})"
        if refused is None:
            return True
        tally(f"refused: {what}")
        assert self.desk.history(self.ref) == before, refused
        return False

    def _move(self, step: Step) -> None:
        now = self.clock.now()
        if step[0] == "advance":
            self.clock.advance(step[1])
        elif step[0] == "jump":
            self.clock.set(next_local(now, step[1], step[2]))
        else:
            later = [t for t in DST if t > now]
            self.clock.set(later[min(step[1], len(later) - 1)] if later else now + hours(1))

    def _tick(self) -> None:
        """Property 6: tick, then check each alert was raised once and nothing is left due."""
        desk, now = self.desk, self.clock.now()
        raised = desk.tick()
        assert all(e.occurred_at == now for e in raised)
        if raised:
            tally("tick raised alerts")
        for ref in self.refs:
            keys = [
                (p.metric, p.cycle, p.extension, p.level, p.percent)
                for e in desk.history(ref)
                if isinstance(p := e.payload, SlaAlertRaised)
            ]
            assert len(keys) == len(set(keys)), keys
            report = desk.sla_status(ref)
            assert report is not None
            assert report.alerts_due() == []  # every alert due by now was raised
        histories = [desk.history(ref) for ref in self.refs]
        assert desk.tick() == []
        assert [desk.history(ref) for ref in self.refs] == histories

    def _acknowledge(self) -> None:
        self.attempt("acknowledge", lambda: self.desk.acknowledge(self.ref, STAFF))

    def _assess(self, severity: Severity, impact: Impact) -> None:
        desk, ref = self.desk, self.ref
        if desk.get(ref).state == "received":
            self._acknowledge()
        assessment = Assessment(severity=severity, impact=impact)
        self.attempt("assess", lambda: desk.assess(ref, STAFF, assessment))

    def _hold(self) -> None:
        self.attempt("hold", lambda: self.desk.put_on_hold(self.ref, STAFF, reason="Waiting."))

    def _release(self) -> None:
        self.attempt("release", lambda: self.desk.release_hold(self.ref, STAFF))

    def _note(self) -> None:
        # No metric names a note: the desk carries the summary's deadlines over unchanged.
        self.attempt("note", lambda: self.desk.add_note(self.ref, STAFF, "Called back."))

    def _communicate(self, direction: Direction) -> None:
        message = Communication(
            direction=direction,
            channel=Channel.EMAIL,
            kind=CommunicationKind.PROGRESS_UPDATE,
            summary="Still looking into it.",
        )
        self.attempt(
            "communicate", lambda: self.desk.record_communication(self.ref, STAFF, message)
        )

    def _extend(self, name: str, kind: ExtensionKind, offset: _dt.timedelta) -> None:
        desk, ref = self.desk, self.ref
        until = None
        if kind is ExtensionKind.AGREED:
            # Sometimes in the past: the desk refuses it, naming ``until``.
            until = self.clock.now() + offset

        def extend() -> None:
            desk.extend_deadline(ref, STAFF, metric=name, kind=kind, reason="Agreed.", until=until)

        if self.attempt("extend", extend):
            tally(f"extended: {kind.value}")

    def _decide(self, severity: Severity) -> None:
        desk, ref = self.desk, self.ref
        if desk.get(ref).acknowledged_at is None and not self.attempt(
            "acknowledge", lambda: desk.acknowledge(ref, STAFF)
        ):
            return
        assessment = Assessment(severity=severity)
        if desk.get(ref).assessment is None and not self.attempt(
            "assess", lambda: desk.assess(ref, STAFF, assessment)
        ):
            return
        decision = Decision(outcome=Outcome.NOT_UPHELD, reasons="On time.")
        if self.attempt("decide", lambda: desk.decide(ref, STAFF, decision)):
            assert self.attempt(
                "communicate_decision",
                lambda: desk.communicate_decision(
                    ref, STAFF, channel=Channel.EMAIL, summary="Not upheld."
                ),
            )
            tally("decided")

    def _react(self, reaction: Reaction) -> None:
        desk, ref = self.desk, self.ref
        if self.attempt("react", lambda: desk.record_reaction(ref, STAFF, reaction)) and (
            reaction is Reaction.REJECTS
        ):
            assert self.attempt(
                "review", lambda: desk.request_internal_review(ref, STAFF, reason="Disagrees.")
            )

    def _close(self, reason: ClosureReason) -> None:
        desk, ref = self.desk, self.ref
        current = desk.get(ref)
        if reason is ClosureReason.RESOLVED and current.awaiting_reaction_since is not None:
            self.attempt("react", lambda: desk.record_reaction(ref, STAFF, Reaction.ACCEPTS))
        if reason is ClosureReason.REFERRED_EXTERNALLY and current.state in (
            "awaiting_reaction",
            "rejected",
            "internal_review",
        ):
            self.attempt("refer", lambda: desk.refer_externally(ref, STAFF, body="The ombudsman"))
        duplicate = self.original if reason is ClosureReason.DUPLICATE else None
        if self.attempt(
            "close", lambda: desk.close(ref, STAFF, reason=reason, duplicate_of=duplicate)
        ):
            tally(f"closed: {reason.value}")

    def _withdraw(self) -> None:
        if self.attempt("withdraw", lambda: self.desk.withdraw(self.ref, STAFF, reason="Done.")):
            tally("withdrawn")

    def _reopen(self) -> None:
        if self.attempt("reopen", lambda: self.desk.reopen(self.ref, STAFF, reason="Again.")):
            tally("reopened")


# -- properties ---------------------------------------------------------------------------------


def cycles(status: MetricStatus) -> list[MetricStatus]:
    """The current cycle and the earlier ones it keeps."""
    return [*status.previous, status]


def agreed(policy: SlaPolicy, status: MetricStatus) -> bool:
    """Whether the cycle's deadline is an agreed instant (an extension with ``until``)."""
    target = policy.metric(status.metric)
    # An agreed extension keeps the metric's own target; a holding response switches it to the
    # extended target, which in these policies always differs.
    return status.extended and status.target == target.target


def in_business_time(calendar: BusinessCalendar, instant: _dt.datetime) -> bool:
    """Open, or the end of an open interval."""
    return calendar.is_open(instant) or calendar.is_open(instant - US)


def is_local_midnight(instant: _dt.datetime) -> bool:
    """Whether London clocks show 00:00 at ``instant``."""
    return instant.astimezone(LONDON).time() == _dt.time(0, 0)


def check_projection(run: Run, ref: str) -> SlaReport:
    """Property 1: the stored row agrees with the history evaluated now."""
    report = run.desk.sla_status(ref)
    assert report is not None
    assert report.as_of == run.clock.now()
    summary = run.store.summary(run.desk.get(ref).id)
    assert summary is not None
    assert (summary.sla_due_at, summary.sla_warning_at, summary.sla_alert_at) == (
        report.next_due,
        report.next_warning,
        report.next_alert,
    )
    return report


def check_report(run: Run, ref: str, report: SlaReport) -> None:
    """Properties 2, 3 and 4 for every metric and cycle of ``report``."""
    complaint = run.desk.get(ref)
    policy = sla_config().find(report.policy, report.version)
    cancelled = complaint.withdrawn_at is not None or (
        complaint.closure_reason is ClosureReason.DUPLICATE
    )
    for top in report.metrics:
        tally(f"{report.policy}.{top.metric}: {top.status.value}")
        for m in cycles(top):
            why = f"{report.policy}.{m.metric} cycle {m.cycle}: {m}"
            check_time_used(policy.calendar, m, report.as_of, why)
            check_status(m, report.as_of, why, cancelled=cancelled, on_hold=complaint.on_hold_since)
            check_explanation(m, report.as_of, why)
            check_deadline(policy, m, why)


def check_time_used(
    calendar: BusinessCalendar, m: MetricStatus, as_of: _dt.datetime, why: str
) -> None:
    """Property 2: time used and paused is not negative and fits in the time since the start."""
    assert m.elapsed >= ZERO, why
    assert m.paused >= ZERO, why
    if m.started_at is None:
        assert m.elapsed == m.paused == ZERO, why
        assert m.status in (SlaStatus.PENDING, SlaStatus.CANCELLED), why
        return
    assert m.target is not None, why
    assert m.started_at <= as_of, why
    if m.target.unit.is_business:
        span = calendar.between(m.started_at, as_of)
    else:
        span = as_of - m.started_at
    assert m.elapsed <= span, why
    assert m.elapsed + m.paused <= span, why


def check_status(
    m: MetricStatus,
    as_of: _dt.datetime,
    why: str,
    *,
    cancelled: bool,
    on_hold: _dt.datetime | None,
) -> None:
    """Property 2: what breached, met, cancelled and paused require."""
    if m.status is SlaStatus.BREACHED:
        assert m.budget is not None, why
        late = m.due_at is not None and (
            (m.stopped_at is not None and m.stopped_at > m.due_at) or as_of > m.due_at
        )
        assert late or m.elapsed > m.budget, why
    if m.status is SlaStatus.MET:
        # Stopped by its deadline (a stopped clock always has one).
        assert m.stopped_at is not None, why
        assert m.due_at is not None and m.stopped_at <= m.due_at, why
    if cancelled:
        assert m.status in (SlaStatus.MET, SlaStatus.CANCELLED), why
    if m.status is SlaStatus.PAUSED:
        assert on_hold is not None, why
        # A paused clock has no deadline, unless one was agreed as an instant.
        assert m.due_at is None or m.extended, why


def check_explanation(m: MetricStatus, as_of: _dt.datetime, why: str) -> None:
    """Property 3: counted intervals add up to the time used; in order, without overlap."""
    counted = [i.measured for i in m.explanation if i.counted]
    assert sum(counted, ZERO) == m.elapsed, why
    for i in m.explanation:
        assert m.started_at is not None, why
        assert m.started_at <= i.start <= i.end <= as_of, why
    for a, b in pairwise(m.explanation):
        assert a.start <= b.start, why
        # Half-open intervals overlap if they share an instant; empty ones never do.
        assert max(a.start, b.start) >= min(a.end, b.end), why


def check_deadline(policy: SlaPolicy, m: MetricStatus, why: str) -> None:
    """Property 4: deadlines and warnings in business units lie in business time."""
    if m.target is None or not m.target.unit.is_business or agreed(policy, m):
        return
    calendar = policy.calendar
    if m.due_at is not None:
        midnight_ok = m.target.unit.is_days and m.target.due_at is DueAt.END_OF_DAY
        assert in_business_time(calendar, m.due_at) or (
            midnight_ok and is_local_midnight(m.due_at)
        ), why
    for _, at in m.warnings:
        assert in_business_time(calendar, at), why


def check_monotone(run: Run) -> None:
    """Property 5: one history evaluated at later instants, with each policy of the desk."""
    for ref in run.refs:
        history = run.desk.history(ref)
        instants = sorted({instant(e) for e in history} | {run.clock.now()})
        probes = sorted(
            {*instants, *(a + (b - a) / 2 for a, b in pairwise(instants))} | {instants[0] - US}
        )
        reopened = [instant(e) for e in history if isinstance(e.payload, Reopened)]
        for policy in sla_config().policies:
            reports = [evaluate(history, policy, t) for t in probes]
            for before, after in pairwise(reports):
                reopening = any(before.as_of < t <= after.as_of for t in reopened)
                for m0, m1 in zip(before.metrics, after.metrics, strict=True):
                    later = {c.cycle: c for c in cycles(m1)}
                    for c in cycles(m0):
                        if c.cycle == 0:
                            continue
                        why = f"{policy.name}.{c.metric} {c} then {later.get(c.cycle)}"
                        if c.status is SlaStatus.MET and not reopening:
                            assert c.cycle in later, why
                            assert later[c.cycle].status is SlaStatus.MET, why
                        if c.cycle in later:
                            assert later[c.cycle].elapsed >= c.elapsed, why
                            assert later[c.cycle].paused >= c.paused, why


def instant(e: Event) -> _dt.datetime:
    """When an event counts: the receipt time for a receipt, else when it was recorded."""
    if isinstance(e.payload, ComplaintReceived):
        return e.payload.received_at
    return e.occurred_at


def check_all(run: Run) -> None:
    """Properties 1 to 4 for both complaints, now."""
    for ref in run.refs:
        check_report(run, ref, check_projection(run, ref))


def play(run: Run, steps: list[Step]) -> None:
    """Run ``steps``, checking after each one, then check monotonicity over the histories."""
    check_all(run)
    for step in steps:
        run.do(step)
        check_all(run)
    check_monotone(run)


@contextmanager
def sqlite_store(folder: Path) -> Iterator[SQLiteEventStore]:
    """A new database file in ``folder``: one per example, since tmp_path outlives them."""
    with SQLiteEventStore(folder / f"{uuid.uuid4()}.db") as store:
        yield store


# -- tests --------------------------------------------------------------------------------------


@SETTINGS
@given(start=STARTS, backdate=BACKDATE, steps=SEQUENCES)
def test_random_sequences_keep_every_property_in_memory(
    start: _dt.datetime, backdate: _dt.timedelta, steps: list[Step]
) -> None:
    desk, clock = make_desk(start, sla=sla_config())
    play(Run(desk, clock, backdate), steps)


@FEW
@given(start=STARTS, backdate=BACKDATE, steps=SEQUENCES)
def test_random_sequences_keep_every_property_on_sqlite(
    tmp_path: Path, start: _dt.datetime, backdate: _dt.timedelta, steps: list[Step]
) -> None:
    with sqlite_store(tmp_path) as store:
        desk, clock = make_desk(start, store, sla=sla_config())
        play(Run(desk, clock, backdate), steps)


@FEW
@given(start=STARTS, backdate=BACKDATE, steps=SEQUENCES)
def test_a_fresh_desk_evaluates_a_history_as_the_desk_that_wrote_it(
    tmp_path: Path, start: _dt.datetime, backdate: _dt.timedelta, steps: list[Step]
) -> None:
    with sqlite_store(tmp_path) as store:
        writer, clock = make_desk(start, store, sla=sla_config())
        run = Run(writer, clock, backdate)
        for step in steps:
            run.do(step)
        fresh = ComplaintDesk(store, clock=FixedClock(clock.now()), sla=sla_config())
        for ref in run.refs:
            history = writer.history(ref)
            assert fresh.history(ref) == history
            for t in sorted({instant(e) for e in history} | {clock.now()}):
                assert fresh.sla_status(ref, as_of=t) == writer.sla_status(ref, as_of=t)
            # The writer's row came from the history it kept in memory; a command by the cold
            # desk recomputes it from the stored history, at the same instant, to the same row.
            cid = writer.get(ref).id
            row = store.summary(cid)
            assert row is not None
            fresh.add_note(ref, STAFF, "Read back.")
            again = store.summary(cid)
            assert again is not None
            assert (again.sla_due_at, again.sla_warning_at, again.sla_alert_at) == (
                row.sla_due_at,
                row.sla_warning_at,
                row.sla_alert_at,
            )
            # And the writer, catching up with the note, agrees with both.
            writer.add_note(ref, STAFF, "Seen.")
            third = store.summary(cid)
            assert third is not None
            assert third.sla_due_at == row.sla_due_at
            assert third.sla_alert_at == row.sla_alert_at
        # Alerts the cold desk raises are in the store, so the writer does not raise them again.
        raised = fresh.tick()
        assert writer.tick() == []
        for ref in run.refs:
            assert writer.sla_status(ref) == fresh.sla_status(ref)
            keys = [
                (p.metric, p.cycle, p.extension, p.percent)
                for e in raised
                if e.complaint_id == writer.get(ref).id
                and isinstance(p := e.payload, SlaAlertRaised)
            ]
            assert len(keys) == len(set(keys))


@SETTINGS
@given(start=STARTS, backdate=BACKDATE, steps=SEQUENCES)
def test_what_is_carried_forward_is_what_the_whole_history_gives_after_every_step(
    start: _dt.datetime, backdate: _dt.timedelta, steps: list[Step]
) -> None:
    """
    Incremental == full: the evaluation fed one step's events at a time reports what
    evaluating the whole history does, and the summary row the desk wrote (its facts and
    deadlines carried forward from the command before) is the one derived from the whole
    history as of the last event.
    """
    desk, clock = make_desk(start, sla=sla_config())
    run = Run(desk, clock, backdate)
    sla = desk.sla
    assert sla is not None
    carried: dict[str, Evaluation] = {}
    for step in [("tick",), *steps]:
        run.do(step)
        now = clock.now()
        for ref in run.refs:
            complaint = desk.get(ref)
            history = desk.history(ref)
            policy = sla.current(complaint)
            assert policy is not None
            held = carried.get(ref)
            if held is None or held.policy is not policy:
                held = Evaluation.of(history, policy)
            else:
                new = history[held.version :]
                if new:
                    # Which path the desk took: commands feeding no metric (notes, inbound
                    # mail under some policies) keep the summary's deadlines.
                    event("fed a metric" if held.moves(new) else "fed no metric")
                before = held
                held = held.advanced(new)
                # Advancing leaves the evaluation it started from as it was: a desk whose
                # append fails keeps that one for the next command.
                if before.covers(now):
                    assert before.report(now) == evaluate(
                        history[: before.version], policy, now, detail=False
                    )
            carried[ref] = held
            assert held.version == len(history)
            if held.covers(now):
                assert held.report(now) == evaluate(history, policy, now, detail=False)
            at = history[-1].occurred_at
            full = evaluate(history, policy, at, detail=False)
            expected = ComplaintSummary.of(
                complaint,
                sla_due_at=full.next_due,
                sla_warning_at=full.next_warning,
                sla_alert_at=full.next_alert,
                sla_outcomes=full.outcomes(),
            )
            assert desk.store.summary(complaint.id) == expected
            # What the summary keeps does not depend on the instant of the report, as long as
            # it covers the history: the reason the desk may carry it over unchanged.
            if held.covers(now):
                later = evaluate(history, policy, now, detail=False)
                assert (later.next_due, later.next_warning, later.next_alert) == (
                    full.next_due,
                    full.next_warning,
                    full.next_alert,
                )
                assert later.outcomes() == full.outcomes()


# -- a deadline at the close of business ---------------------------------------------------------


def close_of_business_config() -> SlaConfig:
    """One metric: two business days to the close of business, paused by holds."""
    policy = SlaPolicy(
        name="callback",
        version="1",
        description="Two business days to the close of business, paused by holds.",
        calendar=OFFICE,
        metrics=(
            metric(
                "callback",
                Target(amount=2, unit=Unit.BUSINESS_DAYS, due_at=DueAt.CLOSE_OF_BUSINESS),
                stop=(DECISION,),
                pauses=True,
            ),
        ),
    )
    return SlaConfig(policies=(policy,), default="callback")


def test_a_hold_that_lasts_no_time_leaves_a_close_of_business_deadline_alone() -> None:
    desk, _ = make_desk(local(2026, 11, 23, 10, 0), sla=close_of_business_config())
    ref = receive(desk)
    report = desk.sla_status(ref)
    assert report is not None
    assert report.metric("callback").due_at == local(2026, 11, 25, 17, 0)
    desk.put_on_hold(ref, STAFF, reason="Waiting.")
    desk.release_hold(ref, STAFF)  # at the same instant: nothing was paused
    report = desk.sla_status(ref)
    assert report is not None
    assert report.metric("callback").due_at == local(2026, 11, 25, 17, 0)


# -- an agreed instant before the cycle started ---------------------------------------------------


def test_an_agreement_ending_before_a_new_cycle_is_refused_or_breached() -> None:
    from iso10002 import Assessment, Severity

    desk, clock = make_desk(local(2026, 11, 23, 10, 0), sla=sla_config())
    original = receive(desk)
    ref = receive(desk)
    desk.acknowledge(ref, STAFF)
    desk.assess(ref, STAFF, Assessment(severity=Severity.LOW))  # relaxed: new cycle on reopening
    desk.close(ref, STAFF, reason=ClosureReason.DUPLICATE, duplicate_of=original)
    clock.set(local(2026, 11, 25, 10, 0))
    desk.reopen(ref, STAFF, reason="It happened again.")
    until = local(2026, 11, 24, 12, 0)  # after the receipt, before the new cycle started
    refused: ValidationError | None = None
    try:
        desk.extend_deadline(
            ref, STAFF, metric="final_response", kind=ExtensionKind.AGREED, reason="r", until=until
        )
    except ValidationError as e:
        refused = e
    if refused is not None:
        assert refused.field == "until", refused  # refused, naming the field at fault
        return
    report = desk.sla_status(ref)
    assert report is not None
    assert report.metric("final_response").status is SlaStatus.BREACHED


def test_a_priority_change_never_makes_a_history_unreadable() -> None:
    from iso10002 import Assessment, Severity

    desk, clock = make_desk(local(2026, 11, 23, 10, 0), sla=sla_config())
    original = receive(desk)
    ref = receive(desk)
    # Agreed under the standard policy, whose final response continues after a reopening; the
    # agreed instant has passed by the time the complaint is reopened.
    desk.extend_deadline(
        ref,
        STAFF,
        metric="final_response",
        kind=ExtensionKind.AGREED,
        reason="Agreed by phone.",
        until=local(2026, 11, 24, 12, 0),
    )
    desk.close(ref, STAFF, reason=ClosureReason.DUPLICATE, duplicate_of=original)
    clock.set(local(2026, 11, 25, 10, 0))
    desk.reopen(ref, STAFF, reason="It happened again.")
    report = desk.sla_status(ref)
    assert report is not None
    assert report.metric("final_response").status is SlaStatus.BREACHED
    desk.acknowledge(ref, STAFF)
    desk.assess(ref, STAFF, Assessment(severity=Severity.LOW))  # to the relaxed policy
    report = desk.sla_status(ref)
    assert report is not None
    assert report.policy == "relaxed"


def test_an_agreement_made_after_a_hold_is_due_at_the_agreed_instant() -> None:
    desk, clock = make_desk(local(2026, 11, 23, 9, 0))
    ref = receive(desk)
    clock.set(local(2026, 11, 23, 13, 0))
    desk.put_on_hold(ref, STAFF, reason="Waiting for the receipt.")
    clock.set(local(2026, 11, 25, 13, 0))
    desk.release_hold(ref, STAFF)
    until = local(2026, 11, 26, 12, 0)
    desk.extend_deadline(
        ref, STAFF, metric="final_response", kind=ExtensionKind.AGREED, reason="r", until=until
    )
    report = desk.sla_status(ref)
    assert report is not None
    # The hold before the agreement does not push the agreed instant back.
    assert report.metric("final_response").due_at == until
