"""
:class:`ComplaintDesk`, the facade applications use.

Every command follows one path: load the complaint (from a small cache, caught up with the
store), ask the authorizer (if the desk has one) whether the actor may run it on this complaint,
ask the workflow whether the command may run and where it leads, build the event, fold
it into the state, and append it with the version that was read. A concurrent writer makes the
append fail with :class:`~iso10002.errors.ConcurrencyConflict`; the desk then reloads and
re-checks the command once, unless the caller pinned ``expected_version``.
"""

from __future__ import annotations

import datetime as _dt
import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NoReturn, Union

import attrs

from iso10002.access.log import InMemoryAccessLog, StoreAccessLog
from iso10002.access.policy import AccessDecision, Authorizer
from iso10002.access.public import PublicView, public_view
from iso10002.clock import Clock, SystemClock
from iso10002.errors import (
    CommandRejected,
    ComplaintNotFound,
    ConcurrencyConflict,
    DuplicateKeyError,
    Iso10002Error,
    NaiveDatetimeError,
    PermissionDenied,
    ValidationError,
)
from iso10002.model._checks import shown
from iso10002.model.actions import Action
from iso10002.model.complaint import Complaint, ComplaintSummary, apply
from iso10002.model.denials import DenialRecord
from iso10002.model.events import (
    Acknowledged,
    Assessed,
    Assigned,
    Classified,
    Closed,
    CommunicationRecorded,
    ComplaintReceived,
    DeadlineExtended,
    DecisionCommunicated,
    DecisionMade,
    Event,
    EventPayload,
    HoldEnded,
    HoldStarted,
    InternalReviewRequested,
    InvestigationStarted,
    LegalHoldPlaced,
    LegalHoldReleased,
    NoteAdded,
    PersonalDataErased,
    ReactionRecorded,
    ReferredExternally,
    Reopened,
    RootCauseRecorded,
    SatisfactionRecorded,
    SlaAlertRaised,
    SlaPolicyApplied,
    StepRecorded,
    Withdrawn,
)
from iso10002.model.outbox import OutboxQuery, OutboxRecord
from iso10002.model.priority import DefaultPriorityPolicy, PriorityPolicy
from iso10002.model.reference import ReferenceFormat
from iso10002.model.subject import SubjectMatch
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
    ExtensionKind,
    ProductOrService,
    Reaction,
    Role,
    RootCause,
)
from iso10002.outbox.policy import DeskChange, NotificationHook
from iso10002.ports.access import AccessLog
from iso10002.ports.capabilities import Capability
from iso10002.ports.kpi import KpiSource
from iso10002.ports.store import (
    Append,
    ComplaintQuery,
    EventStore,
    Page,
    RecordKeepingStore,
    append_all,
    check_store,
    is_outbox_store,
    is_record_keeping_store,
    iter_summaries,
)
from iso10002.privacy.erasure import ErasureReport, held_values
from iso10002.privacy.export import SubjectExport, export_of
from iso10002.privacy.retention import RetentionPolicy
from iso10002.process.standard import standard_workflow
from iso10002.process.workflow import Workflow
from iso10002.sla.config import SlaConfig
from iso10002.sla.engine import SlaReport, evaluate
from iso10002.sla.policy import SlaPolicy
from iso10002.sla.queue import QueueBucket, QueueItem
from iso10002.storage.memory import InMemoryEventStore
from iso10002.survey.definition import Survey
from iso10002.survey.eligibility import eligible

__all__ = ["ComplaintDesk", "ComplaintKey", "EscalationHook"]

ComplaintKey = Union[ComplaintId, str]  # noqa: UP007 - a runtime alias must work on 3.10
"""A complaint's id (UUID) or its reference (str)."""

EscalationHook = Callable[[Complaint, Event], None]
"""Called with the complaint and each alert event :meth:`ComplaintDesk.tick` wrote."""


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
        notifications: given each change (a command, or the alerts :meth:`tick` raises for a
            complaint), returns the notifications to enqueue in the outbox **in the same
            transaction** as the change's events, e.g. a
            :class:`~iso10002.outbox.policy.NotificationPolicy`. Needs a store with an outbox.
        authorizer: the access policy (e.g. :class:`~iso10002.access.RoleBasedAuthorizer`),
            asked before every command and query. Without one the desk checks no access at
            all: the embedding application decides who may call what.
        access_log: where denials are recorded; the store itself when it keeps denials
            (:class:`~iso10002.access.DenialStore`, as the shipped stores do), else a log in
            memory.

    Every command takes the acting :class:`~iso10002.Actor` first, returns the complaint as it
    is after the command, and writes nothing if it raises. Every query takes the actor as the
    keyword ``actor``, which an authorizer requires: without it, the query is denied.
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
        sla: SlaConfig | None = None,
        escalation_hooks: Iterable[EscalationHook] = (),
        notifications: NotificationHook | None = None,
        authorizer: Authorizer | None = None,
        access_log: AccessLog | None = None,
    ) -> None:
        self.store: EventStore = store if store is not None else InMemoryEventStore()
        check_store(self.store, {Capability.KPI: KpiSource})
        self.authorizer, self.access_log = _access(self.store, authorizer, access_log)
        if notifications is not None:
            if not callable(notifications):
                raise ValidationError(
                    "notifications",
                    f"expected a callable such as NotificationPolicy, got "
                    f"{type(notifications).__name__}",
                )
            if not is_outbox_store(self.store):
                raise ValidationError(
                    "notifications",
                    f"{type(self.store).__name__} keeps no outbox (see OutboxStore), so the "
                    "notifications would be lost",
                )
        self.notifications: NotificationHook | None = notifications
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.workflow: Workflow = workflow if workflow is not None else standard_workflow()
        self.priority_policy: PriorityPolicy = priority_policy or DefaultPriorityPolicy()
        self.references: ReferenceFormat = references or ReferenceFormat()
        self.sla: SlaConfig | None = sla
        self.escalation_hooks: tuple[EscalationHook, ...] = tuple(escalation_hooks)
        # With timeliness policies the history is cached too: deadlines are computed from it.
        self._cache: OrderedDict[ComplaintId, tuple[Complaint, tuple[Event, ...]]] = OrderedDict()
        self._cache_size = cache_size

    # -- reading --------------------------------------------------------------------------

    def _resolve(self, key: ComplaintKey) -> ComplaintId:
        if isinstance(key, uuid.UUID):
            return key
        if isinstance(key, str):
            found = self.store.id_for_reference(key)
            if found is None:
                raise ComplaintNotFound(f"reference {shown(key)}")
            return found
        raise ValidationError("complaint", f"expected an id or a reference, got {shown(key)}")

    def _load(self, cid: ComplaintId) -> Complaint:
        return self._load_entry(cid)[0]

    def _load_entry(self, cid: ComplaintId) -> tuple[Complaint, tuple[Event, ...]]:
        """The complaint, and its history if timeliness policies are configured (else ())."""
        cached = self._cache.get(cid)
        state, past = cached if cached is not None else (None, ())
        events = self.store.read(cid, after=state.version if state else 0)
        if state is not None and any(isinstance(e.payload, PersonalDataErased) for e in events):
            # Erased since it was cached: what the cache holds must not be served again.
            self._cache.pop(cid, None)
            state, past, events = None, (), self.store.read(cid)
        for event in events:
            state = apply(state, event)
        if state is None:
            raise ComplaintNotFound(f"id {cid}")
        if events and self.sla is not None:
            past = (*past, *events)
        if events:
            self._remember(state, past)
        return state, past

    def _remember(self, complaint: Complaint, history: tuple[Event, ...] = ()) -> None:
        cache = self._cache
        cache[complaint.id] = (complaint, history if self.sla is not None else ())
        cache.move_to_end(complaint.id)
        if len(cache) > self._cache_size:
            cache.popitem(last=False)

    def get(self, key: ComplaintKey, *, actor: Actor | None = None) -> Complaint:
        """
        The complaint as its history says it is now.

        Raises:
            ComplaintNotFound: no complaint has that id or reference.
            PermissionDenied: the desk's authorizer refused ``actor``.
        """
        complaint = self._load(self._resolve(key))
        self._authorize(actor, Action.GET, complaint)
        return complaint

    def history(self, key: ComplaintKey, *, actor: Actor | None = None) -> list[Event]:
        """Every event of the complaint, oldest first."""
        cid = self._resolve(key)
        if self.authorizer is not None:
            self._authorize(actor, Action.HISTORY, self._load(cid))
        return self._history(cid)

    def _history(self, cid: ComplaintId) -> list[Event]:
        events = self.store.read(cid)
        if not events:
            raise ComplaintNotFound(f"id {cid}")
        return events

    def find_by_client_key(
        self, client_key: str, *, actor: Actor | None = None
    ) -> Complaint | None:
        """The complaint received with ``client_key``, if any."""
        found = self._find_by_client_key(client_key)
        self._authorize(actor, Action.FIND_BY_CLIENT_KEY, found)
        return found

    def _find_by_client_key(self, client_key: str) -> Complaint | None:
        cid = self.store.id_for_client_key(client_key)
        return None if cid is None else self._load(cid)

    def query(
        self,
        query: ComplaintQuery | None = None,
        /,
        *,
        actor: Actor | None = None,
        **criteria: object,
    ) -> Page:
        """
        Complaint summaries matching ``query`` (or the same criteria as keywords), one page.

        Example: ``desk.query(state="investigating", priority=Priority.URGENT, limit=20)``.

        An authorizer may narrow the listing to the complaints ``actor`` may see (an
        investigator's, to those assigned to them); asking for others is denied.
        """
        if query is None:
            try:
                query = ComplaintQuery(**criteria)  # type: ignore[arg-type]
            except TypeError as e:
                raise ValidationError("query", str(e)) from e
        elif criteria:
            raise ValidationError("query", "pass a ComplaintQuery or keywords, not both")
        decision = self._authorize(actor, Action.QUERY, None)
        return self.store.query(self._narrow(query, decision, actor, Action.QUERY))

    def public_view(self, key: ComplaintKey, *, actor: Actor | None = None) -> PublicView:
        """
        What the complainant may see of the complaint: the status in plain words, the dates,
        the deadlines they were told of and a timeline of the customer-visible events; no
        internal notes or messages, no staff names or ids, nothing about anybody else.

        Raises:
            ComplaintNotFound: no complaint has that id or reference.
            PermissionDenied: the desk's authorizer refused ``actor``.
        """
        complaint = self._load(self._resolve(key))
        self._authorize(actor, Action.PUBLIC_VIEW, complaint)
        # The history as far as the state just loaded, should a command have appended since.
        history = self.store.read(complaint.id)[: complaint.version]
        report = self._report(complaint, history, self.clock.now())
        return public_view(complaint, history, sla=report)

    # -- access control ---------------------------------------------------------------------

    def authorize(
        self, actor: Actor | None, action: Action, key: ComplaintKey | None = None
    ) -> AccessDecision:
        """
        Ask the authorizer whether ``actor`` may run ``action`` (on the complaint ``key``),
        exactly as the desk's own commands and queries do, for the work an application does
        beside the desk: verifying integrity, building a KPI report, handling personal data.

        Returns the allowing decision; without an authorizer, always allows.

        Raises:
            PermissionDenied: the authorizer refused; the denial was recorded.
            ComplaintNotFound: ``key`` names no complaint.
        """
        if not isinstance(action, Action):
            raise ValidationError("action", f"expected an Action, got {action!r}")
        if self.authorizer is None:
            return _UNCHECKED
        complaint = None if key is None else self._load(self._resolve(key))
        return self._authorize(actor, action, complaint)

    def _authorize(
        self, actor: Actor | None, action: Action, complaint: Complaint | None, *, new: bool = False
    ) -> AccessDecision:
        """
        The authorizer's allowing decision, or a recorded denial. ``new``: ``complaint`` is
        one being received, which the denial does not name (it was never recorded).
        """
        authorizer = self.authorizer
        if authorizer is None:
            return _UNCHECKED
        if actor is None:
            decision = _NO_ACTOR
        else:
            _check_actor(actor)
            decision = authorizer.decide(actor, action, complaint)
            if not isinstance(decision, AccessDecision):
                raise ValidationError(
                    "authorizer",
                    f"{type(authorizer).__name__}.decide returned {type(decision).__name__}, "
                    "not an AccessDecision",
                )
        if not decision.allowed:
            self._deny(actor, action, None if new else complaint, decision.reason)
        return decision

    def _deny(
        self, actor: Actor | None, action: Action, complaint: Complaint | None, reason: str
    ) -> NoReturn:
        """Record the denial (logger ``iso10002.access`` and the access log), then raise."""
        denial = DenialRecord(
            at=self.clock.now(),
            actor_id=None if actor is None else actor.id,
            role=None if actor is None else actor.role,
            action=action,
            complaint_id=None if complaint is None else complaint.id,
            reference=None if complaint is None else complaint.reference,
            reason=reason,
        )
        error = PermissionDenied(
            actor_id=denial.actor_id,
            role=None if denial.role is None else denial.role.value,
            action=action.value,
            reference=denial.reference,
            reason=reason,
        )
        _access_logger.warning("%s", error)
        try:
            self.access_log.record(denial)
        except Iso10002Error as e:
            # Refuse all the same: a denial that cannot be recorded is still a denial.
            _access_logger.error("the denial could not be recorded in the access log: %s", e)
            raise error from e
        raise error

    def _narrow(
        self, query: ComplaintQuery, decision: AccessDecision, actor: Actor | None, action: Action
    ) -> ComplaintQuery:
        """``query`` with the criteria the decision confines the listing to."""
        changes: dict[str, object] = {}
        for name, value in decision.within.items():
            asked = getattr(query, name)
            if asked is None:
                changes[name] = value
            elif asked != value:
                self._deny(
                    actor,
                    action,
                    None,
                    f"the listing asks for {name} {asked!r}, outside the actor's scope",
                )
        return attrs.evolve(query, **changes) if changes else query  # type: ignore[arg-type]

    # -- the command path -------------------------------------------------------------------

    def _execute(
        self,
        key: ComplaintKey,
        command: str | Callable[[Complaint], str],
        actor: Actor,
        payload: EventPayload | Callable[[Complaint], EventPayload],
        expected_version: int | None,
        *,
        check: Callable[[Complaint, EventPayload], None] | None = None,
        action: Action,
    ) -> Complaint:
        """
        Run one command. ``command`` and ``payload`` may depend on the complaint as loaded here
        (given as functions of it), so a retry after a conflict recomputes them from fresh state.
        ``check`` validates the payload against the complaint once the workflow has allowed it.
        ``action`` is what the authorizer is asked about, on each complaint state loaded.
        """
        _check_actor(actor)
        cid = self._resolve(key)
        for attempt in (1, 2):
            current, past = self._load_entry(cid)
            self._authorize(actor, action, current)
            if expected_version is not None and current.version != expected_version:
                raise ConcurrencyConflict(
                    complaint=current.reference,
                    expected_version=expected_version,
                    actual_version=current.version,
                )
            name = command if isinstance(command, str) else command(current)
            if current.erased_at is not None:
                raise _refused(name, current, "its personal data was erased")
            body = payload(current) if callable(payload) else payload
            now = self.clock.now()
            target = self.workflow.run(current, name, actor, body, now)
            if check is not None:
                check(current, body)
            event = Event(
                complaint_id=cid,
                seq=current.version + 1,
                occurred_at=now,
                actor=actor,
                state=target,
                payload=body,
            )
            updated = apply(current, event)
            new = [event]
            if self.sla is None:
                history: tuple[Event, ...] = ()
            else:
                updated = self._reselect(updated, new, actor, now)
                history = (*past, *new)
            try:
                self._append(updated, new, current.version, history, now)
            except ConcurrencyConflict:
                self._cache.pop(cid, None)
                # Retrying re-runs the workflow's checks on the fresh state, so it is safe;
                # a caller who pinned a version asked not to act on anything newer.
                if expected_version is not None or attempt == 2:
                    raise
                continue
            self._remember(updated, history)
            return updated
        raise AssertionError("unreachable")  # pragma: no cover

    # -- timeliness -------------------------------------------------------------------------

    def _reselect(
        self, complaint: Complaint, new: list[Event], actor: Actor, now: _dt.datetime
    ) -> Complaint:
        """
        Record the timeliness policy the complaint now falls under, if it changed (appending
        to ``new``). A closed complaint keeps its policy; one no rule matches keeps its own.
        """
        if self.sla is None or not complaint.is_open:
            return complaint
        selected = self.sla.select(complaint)
        if selected is None:
            return complaint
        policy, reason = selected
        if policy.key == (complaint.sla_policy, complaint.sla_policy_version):
            return complaint
        calendar = policy.calendar
        event = Event(
            complaint_id=complaint.id,
            seq=complaint.version + 1,
            occurred_at=now,
            actor=actor,
            state=complaint.state,
            payload=SlaPolicyApplied(
                policy=policy.name,
                version=policy.version,
                calendar=calendar.name,
                calendar_version=calendar.version,
                calendar_fingerprint=calendar.fingerprint(),
                reason=reason,
            ),
        )
        new.append(event)
        return apply(complaint, event)

    def _append(
        self,
        complaint: Complaint,
        new: Sequence[Event],
        expected_version: int,
        history: Sequence[Event],
        now: _dt.datetime,
        *,
        erase: bool = False,
    ) -> None:
        """
        Append ``new`` with the summary of ``complaint`` and, when the desk has a notification
        hook, the notifications it asks for, all in one transaction; with ``erase``, the
        complaint's personal data is erased in it too (:attr:`Append.erase`).
        """
        report = self._report(complaint, history, now)
        summary = self._summary_of(complaint, report)
        hook = self.notifications
        if hook is None and not erase:
            self.store.append(new, expected_version=expected_version, summary=summary)
            return
        entries = (
            ()
            if hook is None
            else tuple(hook(DeskChange(complaint=complaint, events=tuple(new), sla=report)))
        )
        append = Append(
            events=tuple(new),
            expected_version=expected_version,
            summary=summary,
            outbox=entries,
            erase=erase,
        )
        append_all(self.store, [append])

    def _report(
        self, complaint: Complaint, history: Sequence[Event], now: _dt.datetime
    ) -> SlaReport | None:
        """The complaint's timeliness report as of ``now``, when a policy applies."""
        if self.sla is None or complaint.sla_policy is None:
            return None
        policy = self.sla.current(complaint)
        assert policy is not None
        return evaluate(history, policy, now, detail=False)

    def _summary_of(self, complaint: Complaint, report: SlaReport | None) -> ComplaintSummary:
        """The projection row, with the next deadline, warning and alert of ``report``."""
        if report is None:
            return ComplaintSummary.of(complaint)
        return ComplaintSummary.of(
            complaint,
            sla_due_at=report.next_due,
            sla_warning_at=report.next_warning,
            sla_alert_at=report.next_alert,
            sla_outcomes=report.outcomes(),
        )

    def _policy_as_of(self, history: Sequence[Event], as_of: _dt.datetime) -> SlaPolicy | None:
        assert self.sla is not None
        applied = None
        for event in history:
            if isinstance(event.payload, SlaPolicyApplied) and event.occurred_at <= as_of:
                applied = event.payload
        return None if applied is None else self.sla.find(applied.policy, applied.version)

    def sla_status(
        self,
        key: ComplaintKey,
        *,
        as_of: _dt.datetime | None = None,
        actor: Actor | None = None,
    ) -> SlaReport | None:
        """
        Where each timeliness metric of the complaint stands, computed from its history with
        the policy version that applied at ``as_of`` (now if omitted). ``None`` if no policy
        applied by then.

        Raises:
            ValidationError: the desk has no timeliness policies, or ``as_of`` is naive.
        """
        if self.sla is None:
            raise ValidationError("sla", "this desk has no timeliness policies")
        when = self.clock.now() if as_of is None else _aware(as_of, "as_of")
        cid = self._resolve(key)
        if self.authorizer is not None:
            self._authorize(actor, Action.SLA_STATUS, self._load(cid))
        history = self._history(cid)
        policy = self._policy_as_of(history, when)
        return None if policy is None else evaluate(history, policy, when)

    def sla_queue(
        self,
        *,
        as_of: _dt.datetime | None = None,
        within: _dt.timedelta | None = None,
        limit: int = 100,
        actor: Actor | None = None,
    ) -> list[QueueItem]:
        """
        The complaints whose deadlines need attention at ``as_of`` (now if omitted), earliest
        deadline first: *breached* (a deadline has passed), *at risk* (a warning threshold has
        passed), and, with ``within``, *due* (a deadline falls within that time). Read from
        the store's indexes; no history is replayed. An authorizer may narrow the queue to
        the complaints ``actor`` may see.
        """
        decision = self._authorize(actor, Action.SLA_QUEUE, None)
        when = self.clock.now() if as_of is None else _aware(as_of, "as_of")
        if within is not None and within < _dt.timedelta(0):
            raise ValidationError("within", "must not be negative")
        found: dict[ComplaintId, QueueItem] = {}
        searches = [
            (QueueBucket.BREACHED, {"sla_due_by": when - _dt.timedelta(microseconds=1)}),
            (QueueBucket.AT_RISK, {"sla_warning_by": when}),
        ]
        if within is not None:
            searches.append((QueueBucket.DUE, {"sla_due_by": when + within}))
        for bucket, criteria in searches:
            query = ComplaintQuery(order="sla_due", limit=limit, **criteria)  # type: ignore[arg-type]
            page = self.store.query(self._narrow(query, decision, actor, Action.SLA_QUEUE))
            for summary in page.items:
                if summary.id not in found and summary.sla_due_at is not None:
                    found[summary.id] = QueueItem(
                        summary=summary, bucket=bucket, due_at=summary.sla_due_at
                    )
        items = sorted(found.values(), key=lambda i: (i.due_at, i.summary.reference))
        return items[:limit]

    def apply_policies(self, actor: Actor) -> list[Event]:
        """
        Bring every open complaint under the policy the configuration now selects for it, and
        return the ``sla_policy_applied`` events written.

        Run it after changing the configuration (a new calendar version with next year's
        holidays, a new rule): otherwise an open complaint moves to the new selection only at
        its next command. Time already used is kept; closed complaints keep the policy they
        were handled under.
        """
        _check_actor(actor)
        self._authorize(actor, Action.APPLY_POLICIES, None)
        if self.sla is None:
            return []
        # Reselection changes no complaint's place in the received-at order, so paging is safe.
        written: list[Event] = []
        for summary in iter_summaries(self.store, ComplaintQuery(is_open=True)):
            written.extend(self._apply_policy(summary.id, actor))
        return written

    def _apply_policy(self, cid: ComplaintId, actor: Actor) -> list[Event]:
        def reselect(
            current: Complaint, _past: tuple[Event, ...], now: _dt.datetime
        ) -> tuple[Complaint, list[Event]]:
            new: list[Event] = []
            return self._reselect(current, new, actor, now), new

        return self._append_derived(cid, reselect)[1]

    def _append_derived(
        self,
        cid: ComplaintId,
        derive: Callable[
            [Complaint, tuple[Event, ...], _dt.datetime], tuple[Complaint, list[Event]]
        ],
        *,
        erase: bool = False,
    ) -> tuple[Complaint, list[Event]]:
        """
        Append the events ``derive`` computes from the complaint as loaded (bookkeeping of the
        desk itself, not a workflow command), retrying once on a conflict: the retry derives
        again from the fresh history, so nothing is written twice.
        """
        for attempt in (1, 2):
            current, past = self._load_entry(cid)
            now = self.clock.now()
            updated, new = derive(current, past, now)
            if not new:
                return updated, []
            history = (*past, *new)
            try:
                self._append(updated, new, current.version, history, now, erase=erase)
            except ConcurrencyConflict:
                self._cache.pop(cid, None)
                if attempt == 2:
                    raise
                continue
            self._remember(updated, history)
            return updated, new
        raise AssertionError("unreachable")  # pragma: no cover

    def tick(self, *, limit: int = 1000, actor: Actor | None = None) -> list[Event]:
        """
        Raise the warning and breach alerts that have fallen due, each exactly once, and call
        the escalation hooks for them; return the alert events written.

        Call it from a scheduler as often as you like: alerts already raised are in the
        history and are not raised again, even by several ticking processes at once (a
        concurrent append conflicts, and the retry finds the alert recorded). A late tick
        raises only the highest level each metric reached, not every warning it missed. It
        handles up to ``limit`` complaints, earliest deadline first; call it again until it
        returns nothing to work through a backlog.

        ``actor`` is who runs the tick (a scheduler's :attr:`~iso10002.Role.SYSTEM` actor), for
        the authorizer; the alerts are recorded as the desk's own SLA actor's.
        """
        self._authorize(actor, Action.TICK, None)
        if self.sla is None:
            return []
        now = self.clock.now()
        # Closed complaints have no deadlines in the projection, so the index alone finds them.
        page = self.store.query(ComplaintQuery(sla_alert_by=now, order="sla_due", limit=limit))
        raised: list[Event] = []
        for summary in page.items:
            raised.extend(self._raise_alerts(summary.id))
        return raised

    def _raise_alerts(self, cid: ComplaintId) -> list[Event]:
        sla = self.sla
        assert sla is not None

        def alerts(
            current: Complaint, past: tuple[Event, ...], now: _dt.datetime
        ) -> tuple[Complaint, list[Event]]:
            policy = sla.current(current)
            if policy is None or not current.is_open:
                return current, []
            new = [
                Event(
                    complaint_id=cid,
                    seq=current.version + i,
                    occurred_at=now,
                    actor=_SYSTEM,
                    state=current.state,
                    payload=SlaAlertRaised(
                        metric=alert.metric,
                        cycle=alert.cycle,
                        extension=alert.extension,
                        level=alert.level,
                        percent=alert.percent,
                        due_at=alert.due_at,
                    ),
                )
                for i, alert in enumerate(
                    evaluate(past, policy, now, detail=False).alerts_due(), start=1
                )
            ]
            updated = current
            for event in new:
                updated = apply(updated, event)
            return updated, new

        # A concurrent tick makes the append conflict; the retry finds its alerts recorded.
        updated, new = self._append_derived(cid, alerts)
        for event in new:
            for hook in self.escalation_hooks:
                hook(updated, event)
        return new

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
        attributes: Mapping[str, str] | None = None,
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
            attributes: free-form facts for routing and reporting, such as ``regulation``
                and ``segment``, which timeliness policy rules can match.

        Raises:
            ValidationError: a field is missing or malformed (the message names it).
            DuplicateKeyError: ``reference`` is already taken.
        """
        _check_actor(actor)
        if client_key is not None:
            existing = self._find_by_client_key(client_key)
            if existing is not None:
                self._authorize(actor, Action.RECEIVE, existing)
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
            attributes=attributes or {},
        )
        if self.authorizer is not None:
            # Asked about the complaint as it would be recorded, before a reference is used up.
            self._authorize(actor, Action.RECEIVE, self._provisional(payload, actor, now), new=True)
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
        new = [event]
        complaint = self._reselect(complaint, new, actor, now)
        history = tuple(new)
        try:
            self._append(complaint, new, 0, history, now)
        except DuplicateKeyError as e:
            if e.key == "client key" and client_key is not None:
                # Another writer received the same complaint between our check and append.
                winner = self._find_by_client_key(client_key)
                if winner is not None:
                    self._authorize(actor, Action.RECEIVE, winner)
                    return winner
            raise
        self._remember(complaint, history)
        return complaint

    def _provisional(
        self, payload: ComplaintReceived, actor: Actor, now: _dt.datetime
    ) -> Complaint:
        """The complaint ``payload`` would create, for the authorizer; never stored."""
        event = Event(
            complaint_id=uuid.uuid4(),
            seq=1,
            occurred_at=now,
            actor=actor,
            state=self.workflow.initial,
            payload=payload,
        )
        return apply(None, event)

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
            return self._execute(
                key, "acknowledge", actor, payload, expected_version, action=Action.ACKNOWLEDGE
            )

        def by_incoming_channel(current: Complaint) -> EventPayload:
            return Acknowledged(channel=current.channel, message=message)

        return self._execute(
            key,
            "acknowledge",
            actor,
            by_incoming_channel,
            expected_version,
            action=Action.ACKNOWLEDGE,
        )

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

        return self._execute(
            key, first_or_revised, actor, payload, expected_version, action=Action.ASSESS
        )

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
        return self._execute(
            key, "classify", actor, payload, expected_version, action=Action.CLASSIFY
        )

    def assign(
        self,
        key: ComplaintKey,
        actor: Actor,
        assignee: Actor,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Make ``assignee`` responsible for the complaint (4.12)."""
        return self._execute(
            key,
            "assign",
            actor,
            Assigned(assignee=assignee),
            expected_version,
            action=Action.ASSIGN,
        )

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
        return self._execute(
            key,
            "start_investigation",
            actor,
            payload,
            expected_version,
            action=Action.START_INVESTIGATION,
        )

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
        return self._execute(
            key, "add_note", actor, payload, expected_version, action=Action.ADD_NOTE
        )

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
        return self._execute(
            key,
            "record_root_cause",
            actor,
            payload,
            expected_version,
            action=Action.RECORD_ROOT_CAUSE,
        )

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
        return self._execute(key, "decide", actor, payload, expected_version, action=Action.DECIDE)

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
        return self._execute(
            key,
            "communicate_decision",
            actor,
            payload,
            expected_version,
            action=Action.COMMUNICATE_DECISION,
        )

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
        return self._execute(
            key,
            "record_communication",
            actor,
            payload,
            expected_version,
            action=Action.RECORD_COMMUNICATION,
        )

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
        return self._execute(
            key, command, actor, payload, expected_version, action=Action.RECORD_REACTION
        )

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
        return self._execute(
            key,
            "request_internal_review",
            actor,
            payload,
            expected_version,
            action=Action.REQUEST_INTERNAL_REVIEW,
        )

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
        return self._execute(
            key,
            "refer_externally",
            actor,
            payload,
            expected_version,
            action=Action.REFER_EXTERNALLY,
        )

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
        return self._execute(key, "close", actor, payload, expected_version, action=Action.CLOSE)

    def withdraw(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record that the complainant withdrew the complaint."""
        return self._execute(
            key,
            "withdraw",
            actor,
            Withdrawn(reason=reason),
            expected_version,
            action=Action.WITHDRAW,
        )

    def reopen(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Complaint:
        """Reopen a closed or withdrawn complaint."""
        return self._execute(
            key, "reopen", actor, Reopened(reason=reason), expected_version, action=Action.REOPEN
        )

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
        return self._execute(
            key,
            "record_satisfaction",
            actor,
            payload,
            expected_version,
            action=Action.RECORD_SATISFACTION,
        )

    def answer_survey(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        survey: Survey,
        answers: Mapping[str, int],
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """
        Record the complainant's answers to a satisfaction survey (8.3, ISO 10004); the answer
        to the survey's overall question becomes the complaint's satisfaction score.

        Raises:
            ValidationError: an answer names an unknown question, is off its scale, or a
                required question is unanswered (field ``answers.<question id>``); or the
                complaint may not answer the survey now (field ``eligibility.<rule>``).
        """
        if not isinstance(survey, Survey):
            raise ValidationError("survey", f"expected a Survey, got {type(survey).__name__}")
        payload = survey.response(answers, comment=comment)

        def check_eligible(complaint: Complaint, _: EventPayload) -> None:
            verdict = eligible(survey, complaint, self.clock.now())
            if not verdict:
                raise ValidationError(
                    f"eligibility.{verdict.rule}",
                    f"complaint {complaint.reference} may not answer survey {survey.name!r} "
                    f"(version {survey.version}): {verdict.reason}",
                )

        return self._execute(
            key,
            "answer_survey",
            actor,
            payload,
            expected_version,
            check=check_eligible,
            action=Action.ANSWER_SURVEY,
        )

    def put_on_hold(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Complaint:
        """Put the complaint on hold (e.g. waiting for the complainant); SLA metrics may pause."""
        return self._execute(
            key,
            "put_on_hold",
            actor,
            HoldStarted(reason=reason),
            expected_version,
            action=Action.PUT_ON_HOLD,
        )

    def release_hold(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """End the hold; paused SLA metrics run again."""
        return self._execute(
            key,
            "release_hold",
            actor,
            HoldEnded(note=note),
            expected_version,
            action=Action.RELEASE_HOLD,
        )

    def extend_deadline(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        metric: str,
        kind: ExtensionKind,
        reason: str,
        until: _dt.datetime | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """
        Extend one timeliness metric's deadline as its regime allows: a holding response or
        delay notice moves it to the metric's extended target; an agreed extension to ``until``.

        Raises:
            ValidationError: the desk has no timeliness policies, the complaint's policy has no
                such metric, or the metric does not allow this kind of extension.
        """
        payload = DeadlineExtended(metric=metric, kind=kind, reason=reason, until=until)
        return self._execute(
            key,
            "extend_deadline",
            actor,
            payload,
            expected_version,
            check=self._check_extension,
            action=Action.EXTEND_DEADLINE,
        )

    def _check_extension(self, complaint: Complaint, payload: EventPayload) -> None:
        if self.sla is None:
            raise ValidationError("metric", "this desk has no timeliness policies to extend")
        assert isinstance(payload, DeadlineExtended)
        if payload.until is not None and payload.until <= self.clock.now():
            raise ValidationError("until", "an agreed deadline must lie in the future")
        self.sla.check_extension(complaint, payload)

    def run_step(
        self,
        key: ComplaintKey,
        actor: Actor,
        command: str,
        *,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """
        Run a command of a custom workflow that carries no data beyond a note.

        Raises:
            CommandRejected: ``command`` is one of the standard workflow's, which record their
                own data (a decision, a classification, ...) through their own methods.
        """
        if command in _STANDARD_COMMANDS:
            # A note-only step would move the complaint without the data the state stands for
            # (``decide`` to "decided" with no decision).
            method = _METHODS.get(command, command)
            current = self._load(self._resolve(key))
            raise _refused(
                command, current, f"it records its own data: call ComplaintDesk.{method}"
            )
        payload = StepRecorded(command=command, note=note)
        return self._execute(key, command, actor, payload, expected_version, action=Action.RUN_STEP)

    # -- personal data ----------------------------------------------------------------------

    def place_legal_hold(
        self, key: ComplaintKey, actor: Actor, *, reason: str, expected_version: int | None = None
    ) -> Complaint:
        """
        Put the complaint's records under legal hold (litigation, an ombudsman's inquiry): its
        personal data can be neither erased nor purged until :meth:`release_legal_hold`.

        Raises:
            CommandRejected: the complaint is under legal hold already.
        """

        def check(current: Complaint) -> None:
            if current.legal_hold is not None:
                raise _refused("place_legal_hold", current, "it is under legal hold already")

        return self._record_outside_workflow(
            key,
            actor,
            Action.PLACE_LEGAL_HOLD,
            LegalHoldPlaced(reason=reason),
            check,
            expected_version=expected_version,
        )

    def release_legal_hold(
        self, key: ComplaintKey, actor: Actor, *, reason: str, expected_version: int | None = None
    ) -> Complaint:
        """
        End the complaint's legal hold: erasure and retention apply again.

        Raises:
            CommandRejected: the complaint is not under legal hold.
        """

        def check(current: Complaint) -> None:
            if current.legal_hold is None:
                raise _refused("release_legal_hold", current, "it is not under legal hold")

        return self._record_outside_workflow(
            key,
            actor,
            Action.RELEASE_LEGAL_HOLD,
            LegalHoldReleased(reason=reason),
            check,
            expected_version=expected_version,
        )

    def erase_personal_data(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str,
        request: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """
        Erase the complaint's personal data (a data subject's request, or the end of its
        retention), and record the erasure; returns the complaint as it now reads, every
        personal field erased.

        The history keeps its events, their hashes and the monitoring facts: reports and
        :func:`~iso10002.integrity.verify` give the same results as before. The complaint's
        outbox records go too. An erased complaint takes no further commands.

        Raises:
            CommandRejected: the complaint is open (close or withdraw it first), under legal
                hold, or erased already.
            ValidationError: the store keeps no personal data apart (see
                :class:`~iso10002.ports.store.PersonalDataStore`).
        """
        self._personal_store("erase personal data")
        cid = self._resolve(key)

        def check(current: Complaint) -> None:
            why = _not_erasable(current)
            if why is not None:
                raise _refused("erase_personal_data", current, why)

        def payload(current: Complaint) -> EventPayload:
            held = sum(held_values(e.payload) for e in self.store.read(cid))
            return PersonalDataErased(reason=reason, request=request, values=held)

        self._record_outside_workflow(
            cid,
            actor,
            Action.ERASE_PERSONAL_DATA,
            payload,
            check,
            expected_version=expected_version,
            erase=True,
        )
        # The state built in memory still holds what was erased: read it back from the store.
        self._cache.pop(cid, None)
        return self._load(cid)

    def erase_subject(
        self, subject: SubjectMatch, actor: Actor, *, reason: str, request: str | None = None
    ) -> ErasureReport:
        """
        Erase the personal data of every complaint of one data subject that can be erased;
        report the others (open, under legal hold) with why, so that they can be dealt with.
        """
        _check_actor(actor)
        self._authorize(actor, Action.ERASE_PERSONAL_DATA, None)
        store = self._personal_store("erase a data subject")
        erased: list[str] = []
        refused: dict[str, str] = {}
        found = store.find_subject(subject)
        for cid in found:
            current = self._load(cid)
            why = _not_erasable(current)
            if why is not None:
                refused[current.reference] = why
                continue
            self.erase_personal_data(cid, actor, reason=reason, request=request)
            erased.append(current.reference)
        return ErasureReport(erased=sorted(erased), refused=refused, examined=len(found))

    def purge_expired(
        self, retention: RetentionPolicy, actor: Actor, *, limit: int | None = None
    ) -> ErasureReport:
        """
        Erase the personal data of every complaint whose retention period under ``retention``
        has ended; complaints still open, under legal hold or with time left are left alone
        (the first two are reported as refused). Run it from a scheduler; ``limit`` caps the
        erasures of one run.
        """
        _check_actor(actor)
        self._authorize(actor, Action.PURGE_EXPIRED, None)
        self._personal_store("purge expired personal data")
        now = self.clock.now()
        cutoff = retention.received_before(now)
        erased: list[str] = []
        refused: dict[str, str] = {}
        examined = 0
        if cutoff is None:
            return ErasureReport()
        query = ComplaintQuery(received_to=cutoff)
        for summary in list(iter_summaries(self.store, query)):
            if limit is not None and len(erased) >= limit:
                break
            examined += 1
            current = self._load(summary.id)
            if current.erased_at is not None:
                continue
            rule = retention.rule_for(current)
            expires = None if rule is None else rule.expires_at(current)
            if rule is None or expires is None or expires > now:
                continue
            why = _not_erasable(current)
            if why is not None:
                refused[current.reference] = why
                continue
            self.erase_personal_data(
                summary.id, actor, reason=f"retention: {rule.name}, {rule.describe()}"
            )
            erased.append(current.reference)
        return ErasureReport(erased=erased, refused=refused, examined=examined)

    def export_subject(self, subject: SubjectMatch, *, actor: Actor | None = None) -> SubjectExport:
        """
        Everything held about one data subject (GDPR art. 15): each of their complaints with
        its whole history and the notifications kept for it; write it with
        :meth:`~iso10002.privacy.SubjectExport.write`.
        """
        self._authorize(actor, Action.EXPORT_SUBJECT, None)
        store = self._personal_store("export a data subject")
        found = []
        for cid in store.find_subject(subject):
            complaint = self._load(cid)
            notifications: list[OutboxRecord] = []
            if is_outbox_store(self.store):
                query = OutboxQuery(complaint_reference=complaint.reference, limit=1000)
                while page := self.store.outbox_records(query):
                    notifications.extend(page)
                    query = attrs.evolve(query, after_id=page[-1].id)
            found.append((complaint, self.store.read(cid), notifications))
        return export_of(subject, self.clock.now(), found)

    def _personal_store(self, what: str) -> RecordKeepingStore:
        store = self.store
        if not is_record_keeping_store(store):
            raise ValidationError(
                "store", f"{type(store).__name__} keeps no personal data apart; cannot {what}"
            )
        return store

    def _record_outside_workflow(
        self,
        key: ComplaintKey,
        actor: Actor,
        action: Action,
        payload: EventPayload | Callable[[Complaint], EventPayload],
        check: Callable[[Complaint], None],
        *,
        expected_version: int | None,
        erase: bool = False,
    ) -> Complaint:
        """
        Record ``payload`` on the complaint in any handling state, which it leaves unchanged:
        records management (legal hold, erasure), not a step of the handling workflow.
        """
        _check_actor(actor)
        cid = self._resolve(key)

        def derive(
            current: Complaint, _past: tuple[Event, ...], now: _dt.datetime
        ) -> tuple[Complaint, list[Event]]:
            self._authorize(actor, action, current)
            if expected_version is not None and current.version != expected_version:
                raise ConcurrencyConflict(
                    complaint=current.reference,
                    expected_version=expected_version,
                    actual_version=current.version,
                )
            check(current)
            event = Event(
                complaint_id=cid,
                seq=current.version + 1,
                occurred_at=now,
                actor=actor,
                state=current.state,
                payload=payload(current) if callable(payload) else payload,
            )
            return apply(current, event), [event]

        return self._append_derived(cid, derive, erase=erase)[0]

    def __repr__(self) -> str:
        return f"ComplaintDesk(store={self.store!r}, workflow={self.workflow.name!r})"


_SYSTEM = Actor(id="iso10002-sla", role=Role.SYSTEM)
"""The actor of alerts raised by :meth:`ComplaintDesk.tick`."""

_access_logger = logging.getLogger("iso10002.access")
"""Denials, one warning each: actor id and role, action, reference and reason only."""

_UNCHECKED = AccessDecision.allow("the desk has no authorizer; the application decides")
_NO_ACTOR = AccessDecision.deny("access control needs the actor of every query")


def _access(
    store: EventStore, authorizer: Authorizer | None, access_log: AccessLog | None
) -> tuple[Authorizer | None, AccessLog]:
    """The desk's authorizer and access log, checked; the store keeps denials if it can."""
    if authorizer is not None and not isinstance(authorizer, Authorizer):
        raise ValidationError(
            "authorizer",
            f"expected an Authorizer (a decide(actor, action, complaint) method), got "
            f"{type(authorizer).__name__}",
        )
    if access_log is None:
        if is_record_keeping_store(store):
            return authorizer, StoreAccessLog(store)
        if authorizer is not None:
            _access_logger.warning(
                "%s keeps no access denials; they are kept in memory only (pass access_log=)",
                type(store).__name__,
            )
        return authorizer, InMemoryAccessLog()
    if not isinstance(access_log, AccessLog):
        raise ValidationError(
            "access_log",
            f"expected an AccessLog (a record(denial) method), got {type(access_log).__name__}",
        )
    return authorizer, access_log


def _aware(value: _dt.datetime, name: str) -> _dt.datetime:
    if not isinstance(value, _dt.datetime):
        raise ValidationError(name, f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(name)
    return value


_STANDARD_COMMANDS = frozenset(t.command for t in standard_workflow().transitions)
"""The standard workflow's commands: each has its own method and payload."""
_METHODS = {
    "reassess": "assess",
    "accept_decision": "record_reaction",
    "reject_decision": "record_reaction",
}
"""The methods of the standard commands not named after them."""


def _refused(command: str, complaint: Complaint, why: str) -> CommandRejected:
    return CommandRejected(
        f"{command!r} is refused for complaint {complaint.reference}: {why}",
        command=command,
        reference=complaint.reference,
        state=complaint.state,
    )


def _not_erasable(complaint: Complaint) -> str | None:
    """Why the complaint's personal data may not be erased now, or None."""
    if complaint.erased_at is not None:
        return "its personal data is erased already"
    if complaint.legal_hold is not None:
        return "it is under legal hold"
    if complaint.is_open:
        return "it is open: close or withdraw it first"
    return None


def _check_actor(actor: object) -> None:
    if not isinstance(actor, Actor):
        raise ValidationError("actor", f"every command names its Actor, got {actor!r}")


def _with_reference(payload: ComplaintReceived, reference: str) -> ComplaintReceived:
    return attrs.evolve(payload, reference=reference)
