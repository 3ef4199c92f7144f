"""
The ``demo`` simulation: a month of complaints handling at a retailer, compressed into seconds.

Complaints arrive over the month through the retailer's channels (who works there and what
people complain about is in :mod:`iso10002.simulation._retailer`); a small team (front line,
investigators, complaints managers, a head of complaints for internal reviews) takes each one
through the standard workflow. Time is a :class:`~iso10002.FixedClock` moved from one step to
the next, so the month passes without waiting, and every step is an ordinary desk command
checked by the workflow's guards.

The simulation is a discrete-event loop: each complaint's life is a generator that runs one
command, then yields the instant of its next step; a heap runs the steps of all complaints in
time order. Steps that fall after the simulated period are not run, so complaints received late
in the month are still open at the end, as they would be.

Every random choice comes from one ``random.Random(seed)``, drawn in an order fixed by the
simulated time, so a seed always tells the same story on a fresh database.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import heapq
import random
import time
from collections.abc import Generator
from typing import TypeVar

from iso10002 import (
    DEFAULT_NO_REPLY_PERIOD,
    Actor,
    Assessment,
    BatchingStore,
    Channel,
    Classification,
    ClosureReason,
    Communication,
    CommunicationKind,
    Complaint,
    ComplaintDesk,
    ComplaintId,
    Complexity,
    Decision,
    Direction,
    EventStore,
    FixedClock,
    Impact,
    Outcome,
    Priority,
    Reaction,
    Remedy,
    RemedyKind,
    Severity,
)
from iso10002.simulation._cases import Case, Planner, amount_between, gbp
from iso10002.simulation._office import OfficeHours
from iso10002.simulation._retailer import (
    HEAD_OF_COMPLAINTS,
    INTAKE,
    INVESTIGATORS,
    MANAGERS,
    NOTES,
    OMBUDSMAN,
    OUTCOMES,
    REOPEN_REASONS,
    SCORE_WEIGHTS,
    SEVERITIES,
    SURVEY,
    WITHDRAWAL_REASONS,
)
from iso10002.simulation._settings import DemoResult, DemoSettings, ProgressCallback
from iso10002.simulation._sla_policy import demo_sla_config
from iso10002.storage.batch import DEFAULT_MAX_EVENTS

__all__ = ["run_demo"]

T = TypeVar("T")

_HOUR = _dt.timedelta(hours=1)

Steps = Generator[_dt.datetime, None, T]
"""A complaint's life: run a command, yield when the next step is due; returns at the end."""


class _Simulation:
    def __init__(self, desk: ComplaintDesk, clock: FixedClock, settings: DemoSettings) -> None:
        self.desk = desk
        self.clock = clock
        self.settings = settings
        self.rng = random.Random(settings.seed)
        self.calendar = OfficeHours(self.rng)
        self.references: dict[int, str] = {}
        self.received: list[ComplaintId] = []

    # -- the loop ---------------------------------------------------------------------------

    def run(self, progress: ProgressCallback | None) -> int:
        """Run every complaint's life to the end of the period; return how many were skipped."""
        cases = Planner(self.rng, self.settings, self.calendar).plan()
        queue: list[tuple[_dt.datetime, int, Steps[None]]] = []
        skipped = 0
        for case in cases:
            existing = self.desk.find_by_client_key(case.key)
            if existing is not None:
                # Rerunning a seed leaves its complaints as they are: their history is written.
                self.references[case.index] = existing.reference
                skipped += 1
                continue
            queue.append((case.recorded_at, case.index, self._life(case)))
        heapq.heapify(queue)
        start, end = self.settings.start_at, self.settings.end_at
        period = (end - start).total_seconds()
        order = len(cases)
        hour = start.replace(minute=0, second=0, microsecond=0)
        while queue and queue[0][0] < end:
            when, _, life = heapq.heappop(queue)
            # The scheduler's hourly run: warnings and breaches fall due between the steps.
            while hour + _HOUR <= when:
                hour += _HOUR
                self.clock.set(hour)
                self.desk.tick()
            self.clock.set(when)
            try:
                due = next(life)
            except StopIteration:
                continue
            order += 1
            heapq.heappush(queue, (max(due, when), order, life))
            if progress is not None:
                progress((when - start).total_seconds() / period, len(self.received))
        if progress is not None:
            progress(1.0, len(self.received))
        return skipped

    # -- a life -----------------------------------------------------------------------------

    def _life(self, case: Case) -> Steps[None]:
        desk, cal, rng = self.desk, self.calendar, self.rng
        c = desk.receive(
            case.receiver,
            complainant=case.complainant,
            channel=case.channel,
            description=case.description,
            received_at=case.arrived_at,
            remedy_requested=case.remedy_requested,
            product=case.product,
            incident_date=case.incident_date,
            incident_place=case.incident_place,
            people_involved=case.involved,
            client_key=case.key,
        )
        self.references[case.index] = c.reference
        self.received.append(c.id)

        yield self._acknowledgement_due(case, c.recorded_at)
        by = INTAKE if case.channel is Channel.WEB_FORM else case.agent
        c = desk.acknowledge(
            c.id,
            by,
            channel=case.reply,
            message=f"We have your complaint, reference {c.reference}, and will reply "
            "within eight weeks.",
        )

        manager = rng.choice(MANAGERS)
        if case.duplicate_of is not None:
            yield cal.working_days(self.clock.now(), 0, 1)
            original = self.references[case.duplicate_of]
            desk.close(
                c.id,
                manager,
                reason=ClosureReason.DUPLICATE,
                duplicate_of=original,
                note=f"Same matter as {original}, raised again by {case.channel.value}.",
            )
            return
        if case.withdraws == "early":
            yield cal.days(self.clock.now(), 1, 6)
            desk.withdraw(c.id, case.agent, reason=rng.choice(WITHDRAWAL_REASONS))
            return

        if case.safety:
            yield cal.minutes(self.clock.now(), 10, 90)  # safety first (7.5)
        else:
            yield cal.working_days(self.clock.now(), 0, 2)
        c = desk.assess(c.id, manager, self._assessment(case))
        yield cal.minutes(self.clock.now(), 1, 15)
        c = desk.classify(
            c.id, manager, Classification(category=case.category.path, product=case.product.name)
        )

        quick = (
            c.priority in (Priority.LOW, Priority.NORMAL)
            and c.assessment is not None
            and c.assessment.complexity is Complexity.SIMPLE
            and not case.category.about_staff
            and rng.random() < 0.45
        )
        handler = (
            case.agent
            if quick
            else rng.choice([i for i in INVESTIGATORS if i.id not in case.involved])
        )
        yield cal.minutes(self.clock.now(), 5, 60)
        c = desk.assign(c.id, manager, handler)

        outcome = rng.choices(OUTCOMES, weights=case.category.outcomes)[0]
        if quick:
            # Simple matters are settled by the front line without a formal investigation.
            yield cal.minutes(self.clock.now(), 30, 240)
            decider = handler
        else:
            withdrawn = yield from self._investigate(case, c, handler, outcome)
            if withdrawn:
                return
            decider = manager
        c = yield from self._decide(case, c, decider, outcome)
        if c.closure_reason is ClosureReason.RESOLVED and rng.random() < 0.07:
            yield cal.days(self.clock.now(), 3, 12)
            desk.reopen(c.id, case.agent, reason=rng.choice(REOPEN_REASONS))
            yield cal.working_days(self.clock.now(), 0, 2)
            desk.add_note(c.id, handler, "Checked the remedy with the team that delivers it.")
            c = yield from self._decide(case, c, decider, outcome, again=True)
        yield from self._survey(c)

    def _acknowledgement_due(self, case: Case, recorded: _dt.datetime) -> _dt.datetime:
        cal = self.calendar
        if case.channel is Channel.WEB_FORM:
            return recorded + _dt.timedelta(minutes=self.rng.randint(1, 5))
        if case.channel in (Channel.PHONE, Channel.CHAT, Channel.IN_PERSON):
            return cal.minutes(recorded, 2, 30)  # confirmed while still in contact
        late = {Channel.LETTER: 3, Channel.REFERRAL: 3}.get(case.channel, 2)
        return cal.working_days(recorded, 0, self.rng.choice((0, 0, 1, 1, 1, late)))

    def _assessment(self, case: Case) -> Assessment:
        rng = self.rng
        complexity = rng.choices(tuple(Complexity), weights=case.category.complexity)[0]
        if case.safety:
            return Assessment(
                severity=rng.choice((Severity.HIGH, Severity.CRITICAL)),
                safety_implication=True,
                complexity=complexity,
                impact=Impact.HIGH,
                immediate_action_needed=True,
                immediate_action_possible=True,
                immediate_action_taken="Told the customer to stop using it; collection booked",
            )
        return Assessment(
            severity=rng.choices(SEVERITIES, weights=(30, 45, 22, 3))[0],
            complexity=complexity,
            impact=rng.choices(tuple(Impact), weights=(45, 40, 15))[0],
        )

    def _investigate(
        self, case: Case, c: Complaint, investigator: Actor, outcome: Outcome
    ) -> Steps[bool]:
        """Investigate until a decision can be taken; True if the complainant withdrew."""
        desk, cal, rng = self.desk, self.calendar, self.rng
        pace = {
            Priority.URGENT: ((0, 0), (1, 2)),
            Priority.HIGH: ((0, 1), (2, 6)),
            Priority.NORMAL: ((0, 2), (3, 9)),
            Priority.LOW: ((1, 3), (4, 12)),
        }
        (start_low, start_high), (low, high) = pace[c.priority or Priority.NORMAL]
        yield cal.working_days(self.clock.now(), start_low, start_high)
        plan = f"Review the records; contact the complainant by {case.reply.value}."
        desk.start_investigation(c.id, investigator, plan=plan)
        started = self.clock.now()
        finish = cal.working_days(started, low, high)
        span = finish - started
        notes = rng.sample(NOTES, rng.choice((0, 1, 1, 2, 3)))
        for share, note in zip(sorted(rng.random() for _ in notes), notes, strict=True):
            yield cal.office(started + span * share)
            desk.add_note(c.id, investigator, note)
        if span > _dt.timedelta(days=10):
            yield cal.office(started + _dt.timedelta(days=8))
            desk.record_communication(
                c.id,
                investigator,
                Communication(
                    direction=Direction.OUTBOUND,
                    channel=case.reply,
                    kind=CommunicationKind.PROGRESS_UPDATE,
                    summary="Update sent: the investigation is under way; reply expected soon.",
                ),
            )
        if case.withdraws == "investigating":
            yield cal.days(self.clock.now(), 1, 5)
            desk.withdraw(c.id, case.agent, reason=rng.choice(WITHDRAWAL_REASONS))
            return True
        yield finish
        if outcome is not Outcome.NOT_UPHELD and rng.random() < 0.8:
            desk.record_root_cause(c.id, investigator, case.category.root_cause)
            yield cal.minutes(self.clock.now(), 10, 120)
        return False

    def _decide(
        self, case: Case, c: Complaint, decider: Actor, outcome: Outcome, *, again: bool = False
    ) -> Steps[Complaint]:
        """Decide, communicate, and follow the complainant's reactions until the file closes."""
        desk, cal, rng = self.desk, self.calendar, self.rng
        reviewed = False
        while True:
            decision = self._decision(case, outcome, again=again)
            c = desk.decide(c.id, decider, decision)
            yield cal.working_days(self.clock.now(), 0, 1)
            c = desk.communicate_decision(
                c.id, decider, channel=case.reply, summary=_letter(decision)
            )
            communicated = self.clock.now()
            reaction = self._reaction(outcome, reviewed=reviewed)
            if reaction is None:
                # Silence: the file may close once the no-reply period has passed.
                yield cal.office(communicated + DEFAULT_NO_REPLY_PERIOD)
                return desk.close(
                    c.id,
                    decider,
                    reason=ClosureReason.NO_REPLY,
                    note="No reply to the final response.",
                )
            yield cal.days(communicated, 0.5, 7)
            c = desk.record_reaction(c.id, case.agent, reaction)
            if reaction is Reaction.ACCEPTS:
                yield cal.working_days(self.clock.now(), 0, 1)
                return desk.close(c.id, decider, reason=ClosureReason.RESOLVED)
            if reviewed or rng.random() < 0.3:
                yield cal.days(self.clock.now(), 2, 14)
                c = desk.refer_externally(
                    c.id,
                    case.agent,
                    body=OMBUDSMAN,
                    external_reference=f"PNX-{rng.randint(1000, 9999)}-{rng.randint(100, 999)}",
                )
                yield cal.working_days(self.clock.now(), 1, 3)
                return desk.close(
                    c.id,
                    decider,
                    reason=ClosureReason.REFERRED_EXTERNALLY,
                    note=f"Complaint file sent to the {OMBUDSMAN}.",
                )
            yield cal.working_days(self.clock.now(), 0, 1)
            c = desk.request_internal_review(
                c.id, case.agent, reason="The complainant disputes the findings."
            )
            yield cal.working_days(self.clock.now(), 2, 6)
            decider, reviewed = HEAD_OF_COMPLAINTS, True
            outcome = self._review(outcome)

    def _review(self, outcome: Outcome) -> Outcome:
        """A review upholds more of the complaint about a third of the time."""
        if outcome is Outcome.UPHELD or self.rng.random() >= 0.35:
            return outcome
        return Outcome.PARTIALLY_UPHELD if outcome is Outcome.NOT_UPHELD else Outcome.UPHELD

    def _reaction(self, outcome: Outcome, *, reviewed: bool) -> Reaction | None:
        weights = {
            Outcome.UPHELD: (90, 4, 6),
            Outcome.PARTIALLY_UPHELD: (68, 24, 8),
            Outcome.NOT_UPHELD: (50, 40, 10),
        }[outcome]
        if reviewed:
            weights = (55, 35, 10)
        choices = (Reaction.ACCEPTS, Reaction.REJECTS, None)
        return self.rng.choices(choices, weights=weights)[0]

    def _decision(self, case: Case, outcome: Outcome, *, again: bool) -> Decision:
        rng, cat = self.rng, case.category
        if outcome is Outcome.NOT_UPHELD:
            return Decision(outcome=outcome, reasons=cat.not_upheld_reason)
        share = 1.0 if outcome is Outcome.UPHELD else 0.5
        remedies = [Remedy(kind=RemedyKind.APOLOGY)]
        for kind, description, low, high in cat.redress[: 1 if share < 1 else None]:
            amount = gbp(amount_between(rng, low, high, share)) if high else None
            remedies.append(Remedy(kind=kind, description=description, amount=amount))
        if case.safety:
            remedies.append(
                Remedy(
                    kind=RemedyKind.COMPENSATION,
                    description="Payment for the distress caused",
                    amount=gbp(amount_between(rng, 50, 150)),
                )
            )
        if outcome is Outcome.UPHELD and rng.random() < 0.15:
            prevention = cat.root_cause.preventive_action or cat.root_cause.cause
            remedies.append(Remedy(kind=RemedyKind.PROCESS_CHANGE, description=prevention))
        reasons = cat.upheld_reason
        if outcome is Outcome.PARTIALLY_UPHELD:
            reasons += " The further losses claimed are not supported by our records."
        if again:
            reasons += " Reviewed again after the complaint was reopened."
        return Decision(outcome=outcome, reasons=reasons, remedies=tuple(remedies))

    def _survey(self, c: Complaint) -> Steps[None]:
        rng = self.rng
        answers = 0.25 if c.closure_reason is ClosureReason.NO_REPLY else 0.6
        if rng.random() >= answers:
            return
        yield self.calendar.days(self.clock.now(), 2, 10)
        if c.closure_reason is ClosureReason.REFERRED_EXTERNALLY:
            outcome = None
        else:
            outcome = c.decision.outcome if c.decision else None
        score = rng.choices((1, 2, 3, 4, 5), weights=SCORE_WEIGHTS[outcome])[0]
        self.desk.record_satisfaction(c.id, SURVEY, score=score, scale=5)


def _remedy_text(remedy: Remedy) -> str:
    text = remedy.kind.value.replace("_", " ")
    if remedy.amount is not None:
        text += f" of {remedy.amount.currency} {remedy.amount.amount}"
    return text


def _letter(decision: Decision) -> str:
    """The one-line summary of the final response letter."""
    words = decision.outcome.value.replace("_", " ")
    text = f"Final response: complaint {words}"
    if decision.remedies:
        text += "; " + ", ".join(_remedy_text(r) for r in decision.remedies)
    if decision.outcome is not Outcome.UPHELD:
        text += f"; internal review and the {OMBUDSMAN} explained"
    return text + "."


def run_demo(
    store: EventStore,
    settings: DemoSettings,
    *,
    progress: ProgressCallback | None = None,
    batch_events: int | None = DEFAULT_MAX_EVENTS,
) -> DemoResult:
    """
    Simulate ``settings.days`` days of complaints handling into ``store``.

    The desk writes through a :class:`~iso10002.BatchingStore`: every command is checked and
    decided as usual, and the events are written ``batch_events`` at a time, one transaction
    each (the last batch when the run ends, even if it ends on an error). A crash part-way
    loses at most the last batch, as if those steps had not been simulated; rerunning the seed
    adds them. ``batch_events=None`` writes each command in its own transaction instead; a
    store that cannot write a batch in one transaction (no
    :attr:`~iso10002.Capability.OUTBOX`) needs it.

    Complaints are received with client keys ``demo-{seed}-{n}``; one that is already in the
    store is left as it is, so rerunning a seed on the same database writes nothing new, and a
    run with a larger ``complaints`` only adds the missing ones. A different seed adds new
    complaints whose references continue the store's numbering.

    Raises:
        CommandRejected: a step broke the workflow; that is a bug in the simulation.
        ValidationError: ``batch_events`` is not a positive integer or None, or the store
            cannot write a batch in one transaction.
        BatchFlushError: a batch was not written (another writer changed one of its
            complaints meanwhile); the batches before it were.
    """
    began = time.perf_counter()
    clock = FixedClock(settings.start_at)
    with contextlib.ExitStack() as stack:
        if batch_events is not None:
            # Leaving the block flushes the last batch; the caller's store stays open.
            store = stack.enter_context(BatchingStore(store, max_events=batch_events))
        desk = ComplaintDesk(store, clock=clock, sla=demo_sla_config())
        simulation = _Simulation(desk, clock, settings)
        skipped = simulation.run(progress)
    complaints = tuple(desk.get(cid) for cid in simulation.received)
    return DemoResult(
        settings=settings,
        complaints=complaints,
        skipped=skipped,
        elapsed=time.perf_counter() - began,
    )
