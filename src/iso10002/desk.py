"""
:class:`ComplaintDesk`, the facade applications use.

Every command follows one path: load the complaint (from a small cache, caught up with the
store), ask the workflow whether the command may run and where it leads, build the event, fold
it into the state, and append it with the version that was read. A concurrent writer makes the
append fail with :class:`~iso10002.errors.ConcurrencyConflict`; the desk then reloads and
re-checks the command once, unless the caller pinned ``expected_version``.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Union

import attrs

from iso10002.clock import Clock, SystemClock
from iso10002.errors import (
    ComplaintNotFound,
    ConcurrencyConflict,
    DuplicateKeyError,
    ValidationError,
)
from iso10002.model.complaint import Complaint, ComplaintSummary, apply
from iso10002.model.events import (
    Acknowledged,
    Assessed,
    Assigned,
    Classified,
    Closed,
    CommunicationRecorded,
    ComplaintReceived,
    DecisionCommunicated,
    DecisionMade,
    Event,
    EventPayload,
    InternalReviewRequested,
    InvestigationStarted,
    NoteAdded,
    ReactionRecorded,
    ReferredExternally,
    Reopened,
    RootCauseRecorded,
    SatisfactionRecorded,
    StepRecorded,
    Withdrawn,
)
from iso10002.model.priority import DefaultPriorityPolicy, PriorityPolicy
from iso10002.model.reference import ReferenceFormat
from iso10002.model.values import (
    Actor,
    Assessment,
    Attachment,
    Channel,
    Classification,
    ClosureReason,
    Communication,
    Complainant,
    ComplaintId,
    Decision,
    ProductOrService,
    Reaction,
    RootCause,
)
from iso10002.process.standard import standard_workflow
from iso10002.process.workflow import Workflow
from iso10002.storage.base import ComplaintQuery, EventStore, Page
from iso10002.storage.memory import InMemoryEventStore

__all__ = ["ComplaintDesk", "ComplaintKey"]

ComplaintKey = Union[ComplaintId, str]  # noqa: UP007 - a runtime alias must work on 3.10
"""A complaint's id (UUID) or its reference (str)."""


class ComplaintDesk:
    """
    Receive complaints and move them through the handling process.

    Args:
        store: where histories are kept; an in-memory store if omitted.
        clock: the source of ``occurred_at``; the system clock if omitted.
        workflow: the handling process; :func:`~iso10002.standard_workflow` if omitted.
        priority_policy: maps assessments to priorities.
        references: the format of new references.
        cache_size: how many complaint states to keep in memory between commands. The cache
            is always caught up with the store before use, so it is never stale.

    Every command takes the acting :class:`~iso10002.Actor` first, returns the complaint as it
    is after the command, and writes nothing if it raises.
    """

    def __init__(
        self,
        store: EventStore | None = None,
        *,
        clock: Clock | None = None,
        workflow: Workflow | None = None,
        priority_policy: PriorityPolicy | None = None,
        references: ReferenceFormat | None = None,
        cache_size: int = 10_000,
    ) -> None:
        self.store: EventStore = store if store is not None else InMemoryEventStore()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.workflow: Workflow = workflow if workflow is not None else standard_workflow()
        self.priority_policy: PriorityPolicy = priority_policy or DefaultPriorityPolicy()
        self.references: ReferenceFormat = references or ReferenceFormat()
        self._cache: OrderedDict[ComplaintId, Complaint] = OrderedDict()
        self._cache_size = cache_size

    # -- reading --------------------------------------------------------------------------

    def _resolve(self, key: ComplaintKey) -> ComplaintId:
        if isinstance(key, uuid.UUID):
            return key
        if isinstance(key, str):
            found = self.store.id_for_reference(key)
            if found is None:
                raise ComplaintNotFound(f"reference {key!r}")
            return found
        raise ValidationError("complaint", f"expected an id or a reference, got {key!r}")

    def _load(self, cid: ComplaintId) -> Complaint:
        cached = self._cache.get(cid)
        events = self.store.read(cid, after=cached.version if cached else 0)
        state = cached
        for event in events:
            state = apply(state, event)
        if state is None:
            raise ComplaintNotFound(f"id {cid}")
        if events:
            self._remember(state)
        return state

    def _remember(self, complaint: Complaint) -> None:
        cache = self._cache
        cache[complaint.id] = complaint
        cache.move_to_end(complaint.id)
        if len(cache) > self._cache_size:
            cache.popitem(last=False)

    def get(self, key: ComplaintKey) -> Complaint:
        """
        The complaint as its history says it is now.

        Raises:
            ComplaintNotFound: no complaint has that id or reference.
        """
        return self._load(self._resolve(key))

    def history(self, key: ComplaintKey) -> list[Event]:
        """Every event of the complaint, oldest first."""
        cid = self._resolve(key)
        events = self.store.read(cid)
        if not events:
            raise ComplaintNotFound(f"id {cid}")
        return events

    def find_by_client_key(self, client_key: str) -> Complaint | None:
        """The complaint received with ``client_key``, if any."""
        cid = self.store.id_for_client_key(client_key)
        return None if cid is None else self._load(cid)

    def query(self, query: ComplaintQuery | None = None, /, **criteria: object) -> Page:
        """
        Complaint summaries matching ``query`` (or the same criteria as keywords), one page.

        Example: ``desk.query(state="investigating", priority=Priority.URGENT, limit=20)``.
        """
        if query is None:
            try:
                query = ComplaintQuery(**criteria)  # type: ignore[arg-type]
            except TypeError as e:
                raise ValidationError("query", str(e)) from e
        elif criteria:
            raise ValidationError("query", "pass a ComplaintQuery or keywords, not both")
        return self.store.query(query)

    # -- the command path -------------------------------------------------------------------

    def _execute(
        self,
        key: ComplaintKey,
        command: str | Callable[[Complaint], str],
        actor: Actor,
        payload: EventPayload | Callable[[Complaint], EventPayload],
        expected_version: int | None,
    ) -> Complaint:
        """
        Run one command. ``command`` and ``payload`` may depend on the complaint as loaded here
        (given as functions of it), so a retry after a conflict recomputes them from fresh state.
        """
        _check_actor(actor)
        cid = self._resolve(key)
        for attempt in (1, 2):
            current = self._load(cid)
            if expected_version is not None and current.version != expected_version:
                raise ConcurrencyConflict(
                    complaint=current.reference,
                    expected_version=expected_version,
                    actual_version=current.version,
                )
            name = command if isinstance(command, str) else command(current)
            body = payload(current) if callable(payload) else payload
            now = self.clock.now()
            target = self.workflow.run(current, name, actor, body, now)
            event = Event(
                complaint_id=cid,
                seq=current.version + 1,
                occurred_at=now,
                actor=actor,
                state=target,
                payload=body,
            )
            updated = apply(current, event)
            try:
                self.store.append(
                    (event,), expected_version=current.version, summary=ComplaintSummary.of(updated)
                )
            except ConcurrencyConflict:
                self._cache.pop(cid, None)
                # Retrying re-runs the workflow's checks on the fresh state, so it is safe;
                # a caller who pinned a version asked not to act on anything newer.
                if expected_version is not None or attempt == 2:
                    raise
                continue
            self._remember(updated)
            return updated
        raise AssertionError("unreachable")  # pragma: no cover

    # -- commands -------------------------------------------------------------------------

    def receive(
        self,
        actor: Actor,
        *,
        complainant: Complainant,
        channel: Channel,
        description: str,
        received_at: _dt.datetime | None = None,
        remedy_requested: str | None = None,
        product: ProductOrService | None = None,
        incident_date: _dt.date | None = None,
        incident_place: str | None = None,
        people_involved: Iterable[str] = (),
        attachments: Iterable[Attachment] = (),
        client_key: str | None = None,
        reference: str | None = None,
    ) -> Complaint:
        """
        Record a new complaint (7.2) and give it a unique reference.

        Receiving again with the same ``client_key`` returns the complaint already recorded
        and writes nothing.

        Args:
            received_at: when the organization received it; now if omitted. It may be earlier
                than now (a letter opened today), never later.
            people_involved: ids of staff the complaint is about (objectivity guard).
            reference: a reference chosen by the caller instead of the generated one.

        Raises:
            ValidationError: a field is missing or malformed (the message names it).
            DuplicateKeyError: ``reference`` is already taken.
        """
        _check_actor(actor)
        if client_key is not None:
            existing = self.find_by_client_key(client_key)
            if existing is not None:
                return existing
        now = self.clock.now()
        if received_at is None:
            received_at = now
        elif received_at.tzinfo is not None and received_at > now:
            raise ValidationError("received_at", f"{received_at.isoformat()} is in the future")
        # Build the payload before allocating a reference, so bad input uses up no number.
        payload = ComplaintReceived(
            reference=reference or "pending",
            complainant=complainant,
            channel=channel,
            description=description,
            received_at=received_at,
            remedy_requested=remedy_requested,
            product=product,
            incident_date=incident_date,
            incident_place=incident_place,
            people_involved=tuple(people_involved),
            attachments=tuple(attachments),
            client_key=client_key,
        )
        if reference is None:
            year = received_at.astimezone(_dt.timezone.utc).year
            number = self.store.next_number(self.references.scope(year))
            payload = _with_reference(payload, self.references.format(year, number))
        event = Event(
            complaint_id=uuid.uuid4(),
            seq=1,
            occurred_at=now,
            actor=actor,
            state=self.workflow.initial,
            payload=payload,
        )
        complaint = apply(None, event)
        try:
            self.store.append((event,), expected_version=0, summary=ComplaintSummary.of(complaint))
        except DuplicateKeyError as e:
            if e.key == "client key" and client_key is not None:
                # Another writer received the same complaint between our check and append.
                winner = self.find_by_client_key(client_key)
                if winner is not None:
                    return winner
            raise
        self._remember(complaint)
        return complaint

    def acknowledge(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        channel: Channel | None = None,
        message: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Acknowledge receipt (7.4); ``channel`` defaults to the channel it came in by."""
        if channel is not None:
            payload = Acknowledged(channel=channel, message=message)
            return self._execute(key, "acknowledge", actor, payload, expected_version)

        def by_incoming_channel(current: Complaint) -> EventPayload:
            return Acknowledged(channel=current.channel, message=message)

        return self._execute(key, "acknowledge", actor, by_incoming_channel, expected_version)

    def assess(
        self,
        key: ComplaintKey,
        actor: Actor,
        assessment: Assessment,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record the initial assessment (7.5), or revise it; the priority policy sets priority."""
        payload = Assessed(
            assessment=assessment,
            priority=self.priority_policy(assessment),
            priority_policy=self.priority_policy.name,
        )

        def first_or_revised(current: Complaint) -> str:
            return "assess" if current.assessment is None else "reassess"

        return self._execute(key, first_or_revised, actor, payload, expected_version)

    def classify(
        self,
        key: ComplaintKey,
        actor: Actor,
        classification: Classification,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Place the complaint in the category tree (8.2)."""
        payload = Classified(classification=classification)
        return self._execute(key, "classify", actor, payload, expected_version)

    def assign(
        self,
        key: ComplaintKey,
        actor: Actor,
        assignee: Actor,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Make ``assignee`` responsible for the complaint (4.12)."""
        return self._execute(key, "assign", actor, Assigned(assignee=assignee), expected_version)

    def start_investigation(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        plan: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Begin the investigation (7.6)."""
        payload = InvestigationStarted(plan=plan)
        return self._execute(key, "start_investigation", actor, payload, expected_version)

    def add_note(
        self,
        key: ComplaintKey,
        actor: Actor,
        text: str,
        *,
        internal: bool = True,
        expected_version: int | None = None,
    ) -> Complaint:
        """Add an investigation note; internal unless ``internal=False``."""
        payload = NoteAdded(text=text, internal=internal)
        return self._execute(key, "add_note", actor, payload, expected_version)

    def record_root_cause(
        self,
        key: ComplaintKey,
        actor: Actor,
        root_cause: RootCause,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record the root cause and corrective or preventive action (8.2)."""
        payload = RootCauseRecorded(root_cause=root_cause)
        return self._execute(key, "record_root_cause", actor, payload, expected_version)

    def decide(
        self,
        key: ComplaintKey,
        actor: Actor,
        decision: Decision,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Take (or revise, before it is communicated) the decision (7.7)."""
        payload = DecisionMade(decision=decision)
        return self._execute(key, "decide", actor, payload, expected_version)

    def communicate_decision(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        channel: Channel,
        summary: str,
        recourse_explained: bool = True,
        expected_version: int | None = None,
    ) -> Complaint:
        """Tell the complainant the decision (7.8) and, unless fully upheld, their recourse."""
        payload = DecisionCommunicated(
            channel=channel, summary=summary, recourse_explained=recourse_explained
        )
        return self._execute(key, "communicate_decision", actor, payload, expected_version)

    def record_communication(
        self,
        key: ComplaintKey,
        actor: Actor,
        communication: Communication,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record any other exchange with the complainant, or an internal message."""
        payload = CommunicationRecorded(communication=communication)
        return self._execute(key, "record_communication", actor, payload, expected_version)

    def record_reaction(
        self,
        key: ComplaintKey,
        actor: Actor,
        reaction: Reaction,
        *,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record that the complainant accepts or rejects the decision (7.9)."""
        payload = ReactionRecorded(reaction=reaction, comment=comment)
        command = "accept_decision" if reaction is Reaction.ACCEPTS else "reject_decision"
        return self._execute(key, command, actor, payload, expected_version)

    def request_internal_review(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Complaint:
        """Escalate a rejected decision for internal review."""
        payload = InternalReviewRequested(reason=reason)
        return self._execute(key, "request_internal_review", actor, payload, expected_version)

    def refer_externally(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        body: str,
        external_reference: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record referral to an external dispute-resolution body (ISO 10003)."""
        payload = ReferredExternally(body=body, external_reference=external_reference)
        return self._execute(key, "refer_externally", actor, payload, expected_version)

    def close(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: ClosureReason,
        note: str | None = None,
        duplicate_of: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Close the complaint with a documented reason (guard ``closure_justified``)."""
        payload = Closed(reason=reason, note=note, duplicate_of=duplicate_of)
        if duplicate_of is not None and self.store.id_for_reference(duplicate_of) is None:
            raise ValidationError(
                "duplicate_of", f"no complaint has the reference {duplicate_of!r}"
            )
        return self._execute(key, "close", actor, payload, expected_version)

    def withdraw(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record that the complainant withdrew the complaint."""
        return self._execute(key, "withdraw", actor, Withdrawn(reason=reason), expected_version)

    def reopen(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Complaint:
        """Reopen a closed or withdrawn complaint."""
        return self._execute(key, "reopen", actor, Reopened(reason=reason), expected_version)

    def record_satisfaction(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        score: int,
        scale: int = 5,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record the complainant's satisfaction with the handling (8.3)."""
        payload = SatisfactionRecorded(score=score, scale=scale, comment=comment)
        return self._execute(key, "record_satisfaction", actor, payload, expected_version)

    def run_step(
        self,
        key: ComplaintKey,
        actor: Actor,
        command: str,
        *,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Run a command of a custom workflow that carries no data beyond a note."""
        payload = StepRecorded(command=command, note=note)
        return self._execute(key, command, actor, payload, expected_version)

    def __repr__(self) -> str:
        return f"ComplaintDesk(store={self.store!r}, workflow={self.workflow.name!r})"


def _check_actor(actor: object) -> None:
    if not isinstance(actor, Actor):
        raise ValidationError("actor", f"every command names its Actor, got {actor!r}")


def _with_reference(payload: ComplaintReceived, reference: str) -> ComplaintReceived:
    return attrs.evolve(payload, reference=reference)
