"""
Random command sequences through ComplaintDesk, against every store, with invariants after each.

Every command is predicted before it runs, from a model kept apart from the desk: a stale pinned
version must raise ConcurrencyConflict; a command the workflow does not declare for the state
must raise InvalidTransition; a guard (predicted here from the documented rules, not by calling
the guards) must raise GuardFailed; anything else must succeed, with the version one higher and
the state the workflow's transition names. A refused command must write nothing.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import currently_in_test_context, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from iso10002 import (
    DEFAULT_NO_REPLY_PERIOD,
    Acknowledged,
    Actor,
    Assessed,
    Assessment,
    Assigned,
    Channel,
    Classification,
    Classified,
    Closed,
    ClosureReason,
    Communication,
    CommunicationRecorded,
    Complainant,
    Complaint,
    ComplaintDesk,
    ComplaintId,
    ComplaintQuery,
    ComplaintReceived,
    ComplaintSummary,
    ConcurrencyConflict,
    ContactDetails,
    Decision,
    DecisionCommunicated,
    DecisionMade,
    Event,
    EventPayload,
    EventStore,
    FixedClock,
    GuardFailed,
    InMemoryEventStore,
    InternalReviewRequested,
    InvalidTransition,
    InvestigationStarted,
    Note,
    NoteAdded,
    Outcome,
    Reaction,
    ReactionRecorded,
    ReferredExternally,
    Remedy,
    RemedyKind,
    Reopened,
    Role,
    RootCause,
    RootCauseRecorded,
    SatisfactionRecorded,
    Severity,
    ValidationError,
    Withdrawn,
)
from iso10002.errors import ClientKeyReused
from iso10002.model.events import DeadlineExtended, DecisionCarriedOut, HoldEnded, HoldStarted
from iso10002.model.values import ExtensionKind
from iso10002.serialization import history_from_json, history_to_json
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.survey import (
    FIVE_POINT_SATISFACTION,
    ZERO_TO_TEN,
    EligibilityRules,
    Question,
    Survey,
)

from . import strategies as s
from .reference_fold import assert_same_state, evolved_replay

START = _dt.datetime(2026, 12, 20, 9, 0, tzinfo=_dt.timezone.utc)
"""Close to the end of a year, so that references of two years appear."""

STAFF = ("ana", "ben", "cho")
INVOLVED = ("dev", "eli")
"""Staff some complaints are about: the objectivity guard keeps them off those complaints."""

actors = s.actors(ids=st.sampled_from(STAFF + INVOLVED))
pins = st.sampled_from([None, None, None, 0, 0, -1, 1])
"""How ``expected_version`` is given: not at all, right (0), or stale by one either way."""
short_texts = s.texts(max_size=12)
clock_steps = st.one_of(
    st.timedeltas(min_value=_dt.timedelta(0), max_value=_dt.timedelta(days=3)),
    st.timedeltas(
        min_value=DEFAULT_NO_REPLY_PERIOD - _dt.timedelta(hours=1),
        max_value=DEFAULT_NO_REPLY_PERIOD + _dt.timedelta(days=10),
    ),
)
CLOSED_STATES = {"closed", "withdrawn"}
SURVEY = Survey(
    name="after-closure",
    version="1",
    questions=(
        Question(id="overall", text="Overall?", scale=FIVE_POINT_SATISFACTION, overall=True),
        Question(id="recommend", text="Recommend us?", scale=ZERO_TO_TEN),
    ),
    # Every closed complaint may answer, as often as it likes: refusals by the eligibility
    # rules are tested in tests/survey; here only the workflow may refuse.
    eligibility=EligibilityRules(exclude_duplicates=False, once_per_complaint=False),
)

COMMAND_ARGS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "acknowledge": {"channel": st.none() | st.sampled_from(Channel)},
    "assess": {"assessment": s.assessments()},
    "classify": {"classification": s.classifications()},
    "assign": {"assignee": actors},
    "start_investigation": {"plan": st.none() | short_texts},
    "add_note": {"text": short_texts, "internal": st.booleans()},
    "record_root_cause": {"cause": s.root_causes()},
    "decide": {"decision": s.decisions()},
    "communicate_decision": {"channel": st.sampled_from(Channel), "recourse": st.booleans()},
    "record_communication": {"communication": s.communications()},
    "record_reaction": {"reaction": st.sampled_from(Reaction), "comment": st.none() | short_texts},
    "carry_out_decision": {"summary": short_texts},
    "request_internal_review": {"reason": short_texts},
    "refer_externally": {
        "body": st.sampled_from(["Financial Ombudsman Service", "Energy Ombudsman"]),
        "external": st.none() | short_texts,
    },
    "close": {
        "reason": st.sampled_from(ClosureReason),
        "note": st.none() | short_texts,
        "original": st.sampled_from(["itself", "another", "unknown"]),
    },
    "withdraw": {"reason": st.none() | short_texts},
    "reopen": {"reason": short_texts},
    "record_satisfaction": {"satisfaction": s.satisfactions()},
    "answer_survey": {
        "answers": st.fixed_dictionaries(
            {}, optional={"overall": st.integers(1, 5), "recommend": st.integers(0, 10)}
        ).filter(bool),
        "comment": st.none() | short_texts,
    },
    "put_on_hold": {"reason": short_texts},
    "release_hold": {"note": st.none() | short_texts},
    "extend_deadline": {
        "metric": st.sampled_from(["final_response", "acknowledgement"]),
        "kind": st.sampled_from(ExtensionKind),
        "reason": short_texts,
    },
}
"""The arguments of each command method besides complaint, actor and pin."""

RULE_OF: dict[str, tuple[str, dict[str, object]]] = {
    "reassess": ("assess", {}),
    "accept_decision": ("record_reaction", {"reaction": Reaction.ACCEPTS}),
    "reject_decision": ("record_reaction", {"reaction": Reaction.REJECTS}),
}
"""Workflow commands run by a method of another name, with the arguments that select them."""


def predicted_refusal(
    c: Complaint,
    command: str,
    actor: Actor,
    payload: EventPayload,
    now: _dt.datetime,
) -> str | None:
    """
    The guard that must refuse ``command``, written from the documented rules (the workflow's
    guard descriptions and the standard's clauses), or None.
    """
    involved = set(c.people_involved)
    if command == "decide" and c.assessment is None:
        return "assessment_recorded"
    if command in {"start_investigation", "decide", "assign"} and actor.id in involved:
        return "objectivity"
    if isinstance(payload, Assigned) and payload.assignee.id in involved:
        return "objectivity"
    if (
        isinstance(payload, DecisionCommunicated)
        and c.decision is not None
        and c.decision.outcome is not Outcome.UPHELD
        and not payload.recourse_explained
    ):
        return "recourse_explained"
    if isinstance(payload, Closed) and not _closure_justified(c, payload, now):
        return "closure_justified"
    if command == "carry_out_decision" and (
        c.decision is None
        or not c.decision.promises_action
        or c.decision_carried_out_at is not None
    ):
        return "action_promised"
    if command == "put_on_hold" and c.on_hold_since is not None:
        return "not_on_hold"
    if command == "release_hold" and c.on_hold_since is None:
        return "on_hold"
    return None


def _closure_justified(c: Complaint, closed: Closed, now: _dt.datetime) -> bool:
    if closed.reason is ClosureReason.RESOLVED:
        return c.decision_communicated_at is not None and c.reaction is Reaction.ACCEPTS
    if closed.reason is ClosureReason.REFERRED_EXTERNALLY:
        return c.referred_at is not None
    if closed.reason is ClosureReason.DUPLICATE:
        return closed.duplicate_of != c.reference
    sent = c.decision_communicated_at
    return sent is not None and c.reaction is None and now - sent >= DEFAULT_NO_REPLY_PERIOD


def _count(outcome: str) -> None:
    """Count an outcome for ``--hypothesis-show-statistics`` (scripted runs have no counter)."""
    if currently_in_test_context():
        event(outcome)


def _identity(e: Event) -> tuple[str, int]:
    return str(e.complaint_id), e.seq


class DeskMachine(RuleBasedStateMachine):
    """The desk over one store, a fixed clock, and the model of what each complaint must be."""

    complaints: Bundle[ComplaintId] = Bundle("complaints")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(START)
        self.store = self.make_store()
        self.desk = ComplaintDesk(self.store, clock=self.clock)
        self.workflow = self.desk.workflow
        self.ids: list[ComplaintId] = []
        self.expected: dict[ComplaintId, tuple[str, int]] = {}
        """The model: each complaint's state and version, as predicted."""
        self.keys: dict[str, ComplaintId] = {}
        # What each client key was first received with: the people involved, and when.
        self.intakes: dict[str, tuple[tuple[str, ...], _dt.datetime]] = {}
        self.numbers: Counter[int] = Counter()
        """References handed out per year."""

    def make_store(self) -> EventStore:
        """The store under test; a fresh one per example."""
        return InMemoryEventStore()

    def teardown(self) -> None:
        """Release the store."""
        self.store.close()

    # -- intake ------------------------------------------------------------------------------

    @initialize(target=complaints, actor=actors)
    def receive_a_first_complaint(self, actor: Actor) -> ComplaintId:
        """Start every example with one complaint, so that commands run from the first step."""
        return self._receive_new(actor, people=(), key=None, received_at=None)

    @rule(
        target=complaints,
        actor=actors,
        people=st.lists(st.sampled_from(INVOLVED), max_size=2, unique=True),
        key=st.none() | st.sampled_from(["k1", "k2", "k3"]),
        back=st.none() | st.timedeltas(min_value=_dt.timedelta(0), max_value=_dt.timedelta(400)),
        zone=s.utc_offsets(),
    )
    def receive(
        self,
        actor: Actor,
        people: list[str],
        key: str | None,
        back: _dt.timedelta | None,
        zone: _dt.timezone,
    ) -> Any:
        """
        Receive a complaint; a client key seen before returns that complaint when the content
        is the same (an omitted ``received_at`` is the desk's to fill), else is refused; either
        way nothing is written.
        """
        received_at = None if back is None else (self.clock.now() - back).astimezone(zone)
        if key is not None and key in self.keys:
            first = self.keys[key]
            before = self._snapshot()
            first_people, first_received = self.intakes[key]
            same = tuple(people) == first_people and received_at in (None, first_received)
            if same:
                again = self._call_receive(actor, people, key, received_at)
                assert again == self.desk.get(first)
                assert again.id == first
            else:
                with pytest.raises(ClientKeyReused) as info:
                    self._call_receive(actor, people, key, received_at)
                assert info.value.client_key == key
                assert info.value.reference == self.desk.get(first).reference
            assert self._snapshot() == before
            return multiple()
        return self._receive_new(actor, people=tuple(people), key=key, received_at=received_at)

    @rule(actor=actors, ahead=st.timedeltas(min_value=_dt.timedelta(microseconds=1)))
    def receive_from_the_future(self, actor: Actor, ahead: _dt.timedelta) -> None:
        """A complaint received later than now is refused; no reference number is used up."""
        when = self.clock.now() + min(ahead, _dt.timedelta(days=3000))
        before = self._snapshot()

        with pytest.raises(ValidationError) as info:
            self._call_receive(actor, [], None, when)

        assert info.value.field == "received_at"
        assert info.value.reason == f"{when.isoformat()} is in the future"
        assert self._snapshot() == before

    def _call_receive(
        self,
        actor: Actor,
        people: list[str] | tuple[str, ...],
        key: str | None,
        received_at: _dt.datetime | None,
    ) -> Complaint:
        return self.desk.receive(
            actor,
            complainant=Complainant(name="Ann Example", contact=ContactDetails(phone="0100 000")),
            channel=Channel.WEB_FORM,
            description="Charged twice for one order.",
            received_at=received_at,
            people_involved=people,
            client_key=key,
        )

    def _receive_new(
        self,
        actor: Actor,
        *,
        people: tuple[str, ...],
        key: str | None,
        received_at: _dt.datetime | None,
    ) -> ComplaintId:
        before = self._snapshot()
        now = self.clock.now()

        c = self._call_receive(actor, people, key, received_at)

        year = (received_at or now).astimezone(_dt.timezone.utc).year
        self.numbers[year] += 1
        assert c.reference == f"CMP-{year}-{self.numbers[year]:06d}"
        assert (c.state, c.version) == (self.workflow.initial, 1)
        assert c.received_at == (received_at or now)
        assert c.recorded_at == now
        assert c.received_by == actor
        assert c.people_involved == people
        assert c.id not in self.expected
        (received,) = self.store.read(c.id)
        assert isinstance(received.payload, ComplaintReceived)
        assert self._log() == [*before[1], received]
        self.ids.append(c.id)
        self.expected[c.id] = (c.state, 1)
        if key is not None:
            self.keys[key] = c.id
            self.intakes[key] = (tuple(people), received_at or now)
        return c.id

    # -- time --------------------------------------------------------------------------------

    @rule(step=clock_steps)
    def time_passes(self, step: _dt.timedelta) -> None:
        """Move the clock on, sometimes past the no-reply period."""
        before = self.clock.now()
        assert self.clock.advance(step) == before + step

    # -- commands ----------------------------------------------------------------------------

    @rule(
        cid=complaints,
        actor=actors,
        pin=pins,
        command=st.sampled_from(sorted(COMMAND_ARGS)),
        data=st.data(),
    )
    def any_command(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, command: str, data: st.DataObject
    ) -> None:
        """Run any desk command, whatever the state; most are refused."""
        args = {k: data.draw(v, label=k) for k, v in COMMAND_ARGS[command].items()}
        getattr(self, command)(cid, actor, pin, **args)

    @rule(cid=complaints, actor=actors, steps=st.integers(min_value=1, max_value=5), data=st.data())
    def commands_the_state_allows(
        self, cid: ComplaintId, actor: Actor, steps: int, data: st.DataObject
    ) -> None:
        """
        Run a few of the commands the workflow declares for the complaint's state, one after
        the other, so that sequences reach the later states; guards may still refuse them.
        """
        for _ in range(steps):
            c = self.desk.get(cid)
            # Waiting matters most while a decision awaits the complainant (no-reply closure).
            if data.draw(st.integers(0, 1 if c.awaiting_reaction_since else 3), label="wait") == 0:
                self.time_passes(data.draw(clock_steps, label="step"))
                c = self.desk.get(cid)
            allowed = self.workflow.allowed(c.state)
            # Mostly a command that moves the complaint on, and closing only for a reason the
            # model holds justified, so that walks reach the later states and every closure.
            onward = [
                x
                for x in allowed
                if x not in {"close", "withdraw"}
                and self.workflow.transition(c.state, x).target not in {None, c.state}
            ]
            reasons = [
                r
                for r in [
                    ClosureReason.RESOLVED,
                    ClosureReason.REFERRED_EXTERNALLY,
                    ClosureReason.NO_REPLY,
                ]
                if "close" in allowed and _closure_justified(c, Closed(reason=r), self.clock.now())
            ]
            if reasons:
                onward.append("close")
            go_on = data.draw(st.integers(0, 7), label="onward") > 0
            choices = onward if onward and go_on else allowed
            command = data.draw(st.sampled_from(choices), label="command")
            name, fixed = RULE_OF.get(command, (command, {}))
            if command == "close" and choices is onward:
                fixed = {"reason": data.draw(st.sampled_from(reasons), label="reason")}
            args = {
                k: data.draw(v, label=k) for k, v in COMMAND_ARGS[name].items() if k not in fixed
            }
            pin = data.draw(st.sampled_from([None, 0]), label="pin")
            getattr(self, name)(cid, actor, pin, **args, **fixed)

    def _run(
        self,
        cid: ComplaintId,
        command: str,
        actor: Actor,
        *,
        payload: EventPayload,
        pin: int | None,
        call: Callable[[int | None], Complaint],
    ) -> Complaint | None:
        """
        Run one command through ``call`` and check the outcome the model predicts; return the
        complaint after it, or None if it was refused.
        """
        before = self.desk.get(cid)
        assert (before.state, before.version) == self.expected[cid]
        snapshot = self._snapshot()
        now = self.clock.now()
        expected_version = None if pin is None else before.version + pin
        allowed = self.workflow.allowed(before.state)

        if expected_version is not None and expected_version != before.version:
            with pytest.raises(ConcurrencyConflict) as conflict:
                call(expected_version)
            assert str(conflict.value) == (
                f"complaint {before.reference}: expected version {expected_version}, "
                f"but the stored version is {before.version}"
            )
            assert self._snapshot() == snapshot
            _count("conflict")
            return None

        if command not in allowed:
            with pytest.raises(InvalidTransition) as invalid:
                call(expected_version)
            error = invalid.value
            assert (error.command, error.reference, error.state) == (
                command,
                before.reference,
                before.state,
            )
            assert error.allowed == allowed
            assert str(error) == (
                f"{command!r} is not allowed for complaint {before.reference} in state "
                f"{before.state!r}; allowed commands: {', '.join(allowed)}"
            )
            assert self._snapshot() == snapshot
            _count("invalid transition")
            return None

        guard = predicted_refusal(before, command, actor, payload, now)
        if guard is not None:
            with pytest.raises(GuardFailed) as refused:
                call(expected_version)
            failed = refused.value
            assert (failed.guard, failed.command, failed.state) == (guard, command, before.state)
            assert failed.reason
            assert str(failed) == (
                f"{command!r} refused for complaint {before.reference} in state "
                f"{before.state!r} by guard {guard!r}: {failed.reason}"
            )
            if guard == "objectivity":
                assert failed.reason.endswith(" is a person the complaint is about")
            assert self._snapshot() == snapshot
            _count(f"refused by {guard}")
            return None

        after = call(expected_version)

        transition = self.workflow.transition(before.state, command)
        target = transition.target or before.state
        assert (after.id, after.state, after.version) == (cid, target, before.version + 1)
        new = self.store.read(cid, after=before.version)
        assert len(new) == 1
        (written,) = new
        assert (written.seq, written.state, written.actor, written.occurred_at) == (
            after.version,
            target,
            actor,
            now,
        )
        assert written.payload == payload
        assert after.last_event_at == now
        history, log = snapshot
        assert self.store.read(cid) == [*history[cid], written]
        assert self._log() == [*log, written]
        assert self.desk.get(cid) == after
        self.expected[cid] = (target, after.version)
        label = payload.reason.value if isinstance(payload, Closed) else ""
        _count(f"ran {command} {label}".rstrip())
        return after

    def acknowledge(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, channel: Channel | None
    ) -> None:
        """Acknowledge receipt, by default on the channel the complaint came in by."""
        payload = Acknowledged(channel=channel or self.desk.get(cid).channel)
        self._run(
            cid,
            "acknowledge",
            actor,
            payload=payload,
            pin=pin,
            call=lambda v: self.desk.acknowledge(cid, actor, channel=channel, expected_version=v),
        )

    def assess(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, assessment: Assessment
    ) -> None:
        """Assess, or reassess once assessed."""
        command = "assess" if self.desk.get(cid).assessment is None else "reassess"
        policy = self.desk.priority_policy
        payload = Assessed(
            assessment=assessment, priority=policy(assessment), priority_policy=policy.name
        )
        self._run(
            cid,
            command,
            actor,
            payload=payload,
            pin=pin,
            call=lambda v: self.desk.assess(cid, actor, assessment, expected_version=v),
        )

    def classify(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, classification: Classification
    ) -> None:
        """Classify; allowed in every state."""
        self._run(
            cid,
            "classify",
            actor,
            payload=Classified(classification=classification),
            pin=pin,
            call=lambda v: self.desk.classify(cid, actor, classification, expected_version=v),
        )

    def assign(self, cid: ComplaintId, actor: Actor, pin: int | None, *, assignee: Actor) -> None:
        """Assign, sometimes to a person the complaint is about."""
        self._run(
            cid,
            "assign",
            actor,
            payload=Assigned(assignee=assignee),
            pin=pin,
            call=lambda v: self.desk.assign(cid, actor, assignee, expected_version=v),
        )

    def start_investigation(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, plan: str | None
    ) -> None:
        """Start the investigation."""
        self._run(
            cid,
            "start_investigation",
            actor,
            payload=InvestigationStarted(plan=plan),
            pin=pin,
            call=lambda v: self.desk.start_investigation(cid, actor, plan=plan, expected_version=v),
        )

    def add_note(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, text: str, internal: bool
    ) -> None:
        """Add a note; the state keeps it with its author and time."""
        notes = self.desk.get(cid).notes
        after = self._run(
            cid,
            "add_note",
            actor,
            payload=NoteAdded(text=text, internal=internal),
            pin=pin,
            call=lambda v: self.desk.add_note(
                cid, actor, text, internal=internal, expected_version=v
            ),
        )
        if after is not None:
            note = Note(at=self.clock.now(), by=actor, text=text, internal=internal)
            assert after.notes == (*notes, note)

    def record_root_cause(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, cause: RootCause
    ) -> None:
        """Record the root cause."""
        self._run(
            cid,
            "record_root_cause",
            actor,
            payload=RootCauseRecorded(root_cause=cause),
            pin=pin,
            call=lambda v: self.desk.record_root_cause(cid, actor, cause, expected_version=v),
        )

    def decide(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, decision: Decision
    ) -> None:
        """Decide, or revise the decision."""
        self._run(
            cid,
            "decide",
            actor,
            payload=DecisionMade(decision=decision),
            pin=pin,
            call=lambda v: self.desk.decide(cid, actor, decision, expected_version=v),
        )

    def communicate_decision(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, channel: Channel, recourse: bool
    ) -> None:
        """Communicate the decision, with or without explaining the recourse."""
        summary = "Our decision and what you can do next."
        self._run(
            cid,
            "communicate_decision",
            actor,
            payload=DecisionCommunicated(
                channel=channel, summary=summary, recourse_explained=recourse
            ),
            pin=pin,
            call=lambda v: self.desk.communicate_decision(
                cid,
                actor,
                channel=channel,
                summary=summary,
                recourse_explained=recourse,
                expected_version=v,
            ),
        )

    def record_communication(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, communication: Communication
    ) -> None:
        """Record another exchange."""
        self._run(
            cid,
            "record_communication",
            actor,
            payload=CommunicationRecorded(communication=communication),
            pin=pin,
            call=lambda v: self.desk.record_communication(
                cid, actor, communication, expected_version=v
            ),
        )

    def record_reaction(
        self,
        cid: ComplaintId,
        actor: Actor,
        pin: int | None,
        *,
        reaction: Reaction,
        comment: str | None,
    ) -> None:
        """The complainant accepts or rejects the decision."""
        command = "accept_decision" if reaction is Reaction.ACCEPTS else "reject_decision"
        self._run(
            cid,
            command,
            actor,
            payload=ReactionRecorded(reaction=reaction, comment=comment),
            pin=pin,
            call=lambda v: self.desk.record_reaction(
                cid, actor, reaction, comment=comment, expected_version=v
            ),
        )

    def carry_out_decision(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, summary: str
    ) -> None:
        """Record the accepted decision carried out."""
        self._run(
            cid,
            "carry_out_decision",
            actor,
            payload=DecisionCarriedOut(summary=summary),
            pin=pin,
            call=lambda v: self.desk.carry_out_decision(
                cid, actor, summary=summary, expected_version=v
            ),
        )

    def request_internal_review(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, reason: str
    ) -> None:
        """Escalate a rejected decision."""
        self._run(
            cid,
            "request_internal_review",
            actor,
            payload=InternalReviewRequested(reason=reason),
            pin=pin,
            call=lambda v: self.desk.request_internal_review(
                cid, actor, reason=reason, expected_version=v
            ),
        )

    def refer_externally(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, body: str, external: str | None
    ) -> None:
        """Refer to an external body."""
        self._run(
            cid,
            "refer_externally",
            actor,
            payload=ReferredExternally(body=body, external_reference=external),
            pin=pin,
            call=lambda v: self.desk.refer_externally(
                cid, actor, body=body, external_reference=external, expected_version=v
            ),
        )

    def close(
        self,
        cid: ComplaintId,
        actor: Actor,
        pin: int | None,
        *,
        reason: ClosureReason,
        note: str | None,
        original: str,
    ) -> None:
        """Close for any reason; a duplicate names itself, another complaint, or anything."""
        duplicate_of = None
        if reason is ClosureReason.DUPLICATE:
            own = self.desk.get(cid).reference
            others = [self.desk.get(i).reference for i in self.ids if i != cid]
            if original == "itself" or (original == "another" and not others):
                duplicate_of = own
            elif original == "another":
                duplicate_of = others[0]
            else:
                # An unknown original is refused before the workflow is asked.
                with pytest.raises(ValidationError, match="no complaint has the reference"):
                    self.desk.close(
                        cid, actor, reason=reason, note=note, duplicate_of="REF-ELSEWHERE-1"
                    )
                return
        self._run(
            cid,
            "close",
            actor,
            payload=Closed(reason=reason, note=note, duplicate_of=duplicate_of),
            pin=pin,
            call=lambda v: self.desk.close(
                cid, actor, reason=reason, note=note, duplicate_of=duplicate_of, expected_version=v
            ),
        )

    def withdraw(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, reason: str | None
    ) -> None:
        """The complainant withdraws."""
        self._run(
            cid,
            "withdraw",
            actor,
            payload=Withdrawn(reason=reason),
            pin=pin,
            call=lambda v: self.desk.withdraw(cid, actor, reason=reason, expected_version=v),
        )

    def reopen(self, cid: ComplaintId, actor: Actor, pin: int | None, *, reason: str) -> None:
        """Reopen a closed or withdrawn complaint."""
        self._run(
            cid,
            "reopen",
            actor,
            payload=Reopened(reason=reason),
            pin=pin,
            call=lambda v: self.desk.reopen(cid, actor, reason=reason, expected_version=v),
        )

    def record_satisfaction(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, satisfaction: SatisfactionRecorded
    ) -> None:
        """Record satisfaction with the handling."""
        self._run(
            cid,
            "record_satisfaction",
            actor,
            payload=satisfaction,
            pin=pin,
            call=lambda v: self.desk.record_satisfaction(
                cid,
                actor,
                score=satisfaction.score,
                scale=satisfaction.scale,
                comment=satisfaction.comment,
                expected_version=v,
            ),
        )

    def answer_survey(
        self,
        cid: ComplaintId,
        actor: Actor,
        pin: int | None,
        *,
        answers: dict[str, int],
        comment: str | None,
    ) -> None:
        """Answer the satisfaction survey; the overall answer becomes the satisfaction."""
        after = self._run(
            cid,
            "answer_survey",
            actor,
            payload=SURVEY.response(answers, comment=comment),
            pin=pin,
            call=lambda v: self.desk.answer_survey(
                cid, actor, survey=SURVEY, answers=answers, comment=comment, expected_version=v
            ),
        )
        if after is not None and "overall" in answers:
            assert after.satisfaction is not None
            assert (after.satisfaction.score, after.satisfaction.scale) == (answers["overall"], 5)

    def put_on_hold(self, cid: ComplaintId, actor: Actor, pin: int | None, *, reason: str) -> None:
        """Put on hold; refused while already on hold."""
        after = self._run(
            cid,
            "put_on_hold",
            actor,
            payload=HoldStarted(reason=reason),
            pin=pin,
            call=lambda v: self.desk.put_on_hold(cid, actor, reason=reason, expected_version=v),
        )
        if after is not None:
            assert after.on_hold_since == self.clock.now()

    def release_hold(
        self, cid: ComplaintId, actor: Actor, pin: int | None, *, note: str | None
    ) -> None:
        """End the hold; refused when not on hold."""
        after = self._run(
            cid,
            "release_hold",
            actor,
            payload=HoldEnded(note=note),
            pin=pin,
            call=lambda v: self.desk.release_hold(cid, actor, note=note, expected_version=v),
        )
        if after is not None:
            assert after.on_hold_since is None

    def extend_deadline(
        self,
        cid: ComplaintId,
        actor: Actor,
        pin: int | None,
        *,
        metric: str,
        kind: ExtensionKind,
        reason: str,
    ) -> None:
        """This desk has no timeliness policies: an extension the workflow allows is refused."""
        before = self.desk.get(cid)
        expected_version = None if pin is None else before.version + pin
        if "extend_deadline" not in self.workflow.allowed(before.state) or expected_version not in (
            None,
            before.version,
        ):
            self._run(
                cid,
                "extend_deadline",
                actor,
                payload=DeadlineExtended(metric=metric, kind=kind, reason=reason),
                pin=pin,
                call=lambda v: self.desk.extend_deadline(
                    cid, actor, metric=metric, kind=kind, reason=reason, expected_version=v
                ),
            )
            return
        snapshot = self._snapshot()
        with pytest.raises(ValidationError, match="no timeliness policies"):
            self.desk.extend_deadline(
                cid,
                actor,
                metric=metric,
                kind=kind,
                reason=reason,
                expected_version=expected_version,
            )
        assert self._snapshot() == snapshot
        _count("refused extension without policies")

    # -- invariants --------------------------------------------------------------------------

    def _log(self) -> list[Any]:
        return [event for _, event in self.store.iter_events()]

    def _snapshot(self) -> tuple[dict[ComplaintId, list[Any]], list[Any]]:
        """Everything the store holds: each history, and the global log."""
        return {cid: self.store.read(cid) for cid in self.ids}, self._log()

    @invariant()
    def each_history_replays_to_the_desk_state(self) -> None:
        """Per complaint: the history is well formed and says what the desk and the store say."""
        fresh = ComplaintDesk(self.store, clock=self.clock)
        for cid in self.ids:
            events = self.store.read(cid)
            complaint = self.desk.get(cid)
            assert Complaint.replay(events) == complaint
            # The fold copies the state's attributes unchecked: the same as attrs.evolve's.
            assert_same_state(complaint, evolved_replay(events))
            assert fresh.get(cid) == complaint
            assert (complaint.state, complaint.version) == self.expected[cid]
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            assert all(e.complaint_id == cid for e in events)
            assert all(isinstance(e.actor, Actor) for e in events)
            instants = [e.occurred_at for e in events]
            assert all(t.tzinfo is not None and t.utcoffset() is not None for t in instants)
            assert instants == sorted(instants)
            assert events[-1].state == complaint.state
            assert history_from_json(history_to_json(events)) == events
            assert self.store.summary(cid) == ComplaintSummary.of(complaint)
            self._check_closure(complaint)

    def _check_closure(self, c: Complaint) -> None:
        assert c.is_open == (not self.workflow.state(c.state).closed)
        if c.state == "closed":
            assert c.closed_at is not None
            assert c.withdrawn_at is None
            assert c.closure_reason is not None
            # Closed only after an accepted decision, or for one of the documented reasons.
            reason = c.closure_reason
            if reason is ClosureReason.RESOLVED:
                assert c.decision_communicated_at is not None
                assert c.reaction is Reaction.ACCEPTS
            elif reason is ClosureReason.NO_REPLY:
                assert c.awaiting_reaction_since is not None
                assert c.closed_at - c.awaiting_reaction_since >= DEFAULT_NO_REPLY_PERIOD
            elif reason is ClosureReason.REFERRED_EXTERNALLY:
                assert c.referred_at is not None
            else:
                assert reason is ClosureReason.DUPLICATE
                assert c.duplicate_of not in {None, c.reference}
        else:
            assert c.closed_at is None
            assert c.closure_reason is None
        assert (c.state == "withdrawn") == (c.withdrawn_at is not None)
        if c.state == "awaiting_reaction":
            assert c.decision_communicated_at is not None
            assert c.awaiting_reaction_since == c.decision_communicated_at
        if c.state in {"decided", "awaiting_reaction", "resolved", "rejected"}:
            assert c.decision is not None

    @invariant()
    def the_global_log_is_every_stream_once_in_order(self) -> None:
        """iter_events holds each complaint's events exactly once, positions strictly rising."""
        entries = list(self.store.iter_events())
        positions = [p for p, _ in entries]
        assert all(a < b for a, b in itertools.pairwise(positions))
        streams = [e for cid in self.ids for e in self.store.read(cid)]
        logged = [e for _, e in entries]
        assert sorted(logged, key=_identity) == sorted(streams, key=_identity)
        assert Counter(map(_identity, logged)) == Counter(map(_identity, streams))
        for cid in self.ids:
            assert [e.seq for e in logged if e.complaint_id == cid] == sorted(
                e.seq for e in logged if e.complaint_id == cid
            )
        instants = [e.occurred_at for e in logged]
        assert instants == sorted(instants)
        middle = len(entries) // 2
        tail = list(self.store.iter_events(after_position=positions[middle]))
        assert tail == entries[middle + 1 :]

    @invariant()
    def queries_agree_with_the_summaries(self) -> None:
        """Listing and filtering by state find exactly the complaints in that state."""
        page = self.store.query(ComplaintQuery(limit=1000))
        assert page.total == len(self.ids)
        assert set(page.items) == {self.store.summary(cid) for cid in self.ids}
        received = [(i.received_at, i.reference) for i in page.items]
        assert received == sorted(received, reverse=True)
        by_state = Counter(state for state, _ in self.expected.values())
        for state, count in by_state.items():
            found = self.store.query(ComplaintQuery(state=state, limit=1000))
            assert found.total == count
            assert {i.state for i in found.items} == {state}
        open_ = self.store.query(ComplaintQuery(is_open=True, limit=1000)).total
        assert open_ == sum(n for st_, n in by_state.items() if st_ not in CLOSED_STATES)


class SQLiteDeskMachine(DeskMachine):
    """The same machine over a SQLite file in a fresh temporary directory."""

    def make_store(self) -> EventStore:
        """A SQLite store in a new temporary directory, removed on teardown."""
        self.directory = tempfile.mkdtemp(prefix="iso10002-stateful-")
        return SQLiteEventStore(Path(self.directory) / "complaints.db", synchronous="OFF")

    def teardown(self) -> None:
        """Close the store and remove its directory."""
        try:
            super().teardown()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


TestDeskInMemory = DeskMachine.TestCase
TestDeskInMemory.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)

TestDeskOnSQLite = SQLiteDeskMachine.TestCase
TestDeskOnSQLite.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)


ANA = Actor(id="ana", role=Role.COMPLAINTS_MANAGER)
DEV = Actor(id="dev", role=Role.INVESTIGATOR)
NOT_UPHELD = Decision(outcome=Outcome.NOT_UPHELD, reasons="The charge was correct.")
UPHELD = Decision(
    outcome=Outcome.UPHELD,
    reasons="We charged twice.",
    remedies=(Remedy(kind=RemedyKind.APOLOGY),),
)


@pytest.mark.parametrize("machine_class", [DeskMachine, SQLiteDeskMachine])
def test_a_scripted_walk_takes_every_road_the_random_ones_may_miss(
    machine_class: type[DeskMachine],
) -> None:
    m = machine_class()
    try:
        _walk(m)
    finally:
        m.teardown()


def _single(result: object) -> ComplaintId:
    assert isinstance(result, UUID)
    return result


def _walk(m: DeskMachine) -> None:
    def state(cid: ComplaintId) -> str:
        return m.expected[cid][0]

    def check() -> None:
        m.each_history_replays_to_the_desk_state()
        m.the_global_log_is_every_stream_once_in_order()
        m.queries_agree_with_the_summaries()

    a = _single(m.receive_a_first_complaint(ANA))
    m.acknowledge(a, ANA, None, channel=None)
    m.classify(a, ANA, -1, classification=Classification(category=("Billing",)))
    assert m.expected[a] == ("acknowledged", 2)  # the stale pin wrote nothing
    m.assess(a, ANA, 0, assessment=Assessment(severity=Severity.HIGH))
    m.decide(a, ANA, None, decision=NOT_UPHELD)
    m.communicate_decision(a, ANA, None, channel=Channel.EMAIL, recourse=False)
    assert state(a) == "decided"  # refused: recourse not explained
    m.communicate_decision(a, ANA, None, channel=Channel.EMAIL, recourse=True)
    m.close(a, ANA, None, reason=ClosureReason.NO_REPLY, note=None, original="unknown")
    assert state(a) == "awaiting_reaction"  # refused: the complainant still has time
    m.time_passes(DEFAULT_NO_REPLY_PERIOD)
    m.close(a, ANA, None, reason=ClosureReason.NO_REPLY, note=None, original="unknown")
    assert state(a) == "closed"
    m.record_satisfaction(a, ANA, None, satisfaction=SatisfactionRecorded(score=2))
    m.reopen(a, ANA, None, reason="New evidence")
    m.decide(a, ANA, None, decision=UPHELD)
    m.communicate_decision(a, ANA, None, channel=Channel.LETTER, recourse=False)
    m.record_reaction(a, ANA, None, reaction=Reaction.REJECTS, comment=None)
    m.request_internal_review(a, ANA, None, reason="Too little")
    m.decide(a, ANA, None, decision=UPHELD)
    m.communicate_decision(a, ANA, None, channel=Channel.LETTER, recourse=True)
    m.record_reaction(a, ANA, None, reaction=Reaction.ACCEPTS, comment="Thanks")
    m.close(a, ANA, None, reason=ClosureReason.RESOLVED, note=None, original="unknown")
    assert state(a) == "closed"
    m.reopen(a, ANA, None, reason="Asked again")
    m.withdraw(a, ANA, None, reason=None)
    assert state(a) == "withdrawn"
    check()

    b = _single(
        m.receive(
            DEV, people=["dev"], key="k1", back=_dt.timedelta(days=400), zone=_dt.timezone.utc
        )
    )
    assert m.receive(ANA, people=[], key="k1", back=None, zone=_dt.timezone.utc) == multiple()
    m.assign(b, ANA, None, assignee=DEV)
    m.acknowledge(b, ANA, None, channel=Channel.PHONE)
    m.assess(b, ANA, None, assessment=Assessment(severity=Severity.LOW))
    m.start_investigation(b, DEV, None, plan=None)
    assert state(b) == "assessed"  # refused: objectivity
    m.start_investigation(b, ANA, None, plan="Read the call notes")
    m.decide(b, ANA, None, decision=UPHELD)
    m.communicate_decision(b, ANA, None, channel=Channel.PHONE, recourse=False)
    m.record_reaction(b, ANA, None, reaction=Reaction.REJECTS, comment=None)
    m.close(b, ANA, None, reason=ClosureReason.REFERRED_EXTERNALLY, note=None, original="x")
    assert state(b) == "rejected"  # refused: not referred yet
    m.refer_externally(b, ANA, None, body="Energy Ombudsman", external=None)
    m.close(b, ANA, None, reason=ClosureReason.REFERRED_EXTERNALLY, note=None, original="x")
    assert state(b) == "closed"
    check()

    c = _single(m.receive(ANA, people=[], key=None, back=None, zone=_dt.timezone.utc))
    m.receive_from_the_future(ANA, _dt.timedelta(seconds=1))
    m.close(c, ANA, None, reason=ClosureReason.DUPLICATE, note=None, original="itself")
    assert state(c) == "received"
    m.close(c, ANA, 1, reason=ClosureReason.DUPLICATE, note=None, original="another")
    assert state(c) == "received"  # a pin from the future is a conflict too
    m.close(c, ANA, 0, reason=ClosureReason.DUPLICATE, note=None, original="another")
    assert state(c) == "closed"
    m.record_satisfaction(c, ANA, None, satisfaction=SatisfactionRecorded(score=1))
    check()
    assert m.numbers == Counter({2025: 1, 2026: 1, 2027: 1})  # the year of receipt


def test_every_workflow_command_has_a_rule() -> None:
    rules = {RULE_OF.get(c, (c, {}))[0] for c in DeskMachine().workflow.commands}

    assert rules == set(COMMAND_ARGS)
    assert all(callable(getattr(DeskMachine, name)) for name in rules)


# -- minimal cases of the bugs the machine found (see the report) ------------------------------


def test_a_complaint_withdrawn_before_assessment_can_be_assessed_after_reopening() -> None:
    clock = FixedClock(START)
    desk = ComplaintDesk(clock=clock)
    staff = Actor(id="ana", role=Role.COMPLAINTS_MANAGER)
    c = desk.receive(
        staff,
        complainant=Complainant(name="Ann", contact=ContactDetails(phone="0100 000")),
        channel=Channel.PHONE,
        description="Charged twice.",
    )
    desk.withdraw(c.id, staff)
    desk.reopen(c.id, staff, reason="The complainant called back.")

    # Reopened into "investigating" without an assessment, the complaint can neither be
    # assessed ("assess" runs only from "acknowledged", "reassess" needs an assessment) nor
    # decided (guard assessment_recorded): only a duplicate closure or a withdrawal remain.
    assessed = desk.assess(c.id, staff, Assessment(severity=Severity.LOW))

    assert assessed.assessment == Assessment(severity=Severity.LOW)
