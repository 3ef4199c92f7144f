"""
How a command runs. Each command method of the desk (``acknowledge``, ``decide``, ``close``,
...) builds its payload and hands it to :meth:`CommandPath._run`, which:

1. **resolves** the key: an id is used as it is, a reference is looked up in the store;
2. **loads** the complaint: the cached state, caught up with the events the store holds after
   its version, so a second process's writes are always seen (:mod:`~iso10002.desk._loading`).
   When the version is not pinned and no authorizer records refusals, a cached state is used
   as it is, without that read: the version-checked append of step 8 tells whether the store
   moved on, and then (or if a step refused the command) the command runs again from a
   caught-up state, an attempt that does not count as a retry. What is written is therefore
   always decided on the complaint's latest state;
3. **authorizes**: asks the desk's authorizer, if it has one, whether the actor may run the
   command on the complaint as loaded; a refusal is recorded and raised
   (:mod:`~iso10002.desk._access`);
4. **pins** the version: a caller who passed ``expected_version`` gets
   :class:`~iso10002.errors.ConcurrencyConflict` if the complaint has moved on since;
5. **decides**: the workflow in force for the complaint (the one recorded for it, see
   :mod:`~iso10002.desk._in_force`) says whether the command may run in this state and which
   state it leads to, or refuses it; the command's own check, if any, then validates the
   payload against the complaint;
6. **builds** the event (``seq`` = version + 1, ``occurred_at`` from the clock, the actor, the
   target state, the payload) and **folds** it into the state with ``apply``;
7. **reselects** the timeliness policy, if the desk has policies: a new selection is one more
   event (:mod:`~iso10002.desk._deadlines`);
8. **appends** the events with the version that was read, together with the complaint's
   summary row (and its next deadlines) and the notifications the desk's hook asks for, all in
   one transaction;
9. **remembers** the new state in the cache and returns it.

Nothing is written if a step raises. A concurrent writer makes step 8 fail with
``ConcurrencyConflict``; the desk then starts again from step 2, up to the desk's
``conflict_retries`` times (10 by default), after a short random pause, before it raises the
conflict: re-running the
authorizer's and the workflow's checks on the fresh state makes a retry safe, and commands that
commute (notes, communications, satisfaction) then simply land after the other writer's. A
caller who pinned the version asked not to act on anything newer, so for them the conflict is
raised at once.

Receiving a complaint (:mod:`~iso10002.desk._intake`) takes the same steps for a complaint that
does not exist yet. The desk's own bookkeeping (alerts, policy changes, legal holds, erasure)
goes through :meth:`CommandPath._append_derived`: steps 2 and 6 to 9, without the workflow,
retried in the same way.

The desk may be shared by threads: the store serialises the appends, the cache of states
(:mod:`~iso10002.desk._loading`) takes a lock of its own, and the commands on one complaint take
turns in the desk, steps 2 to 9 (:meth:`~iso10002.desk._loading.DeskBase._writing`), so that
only writers in other desks or processes make a conflict.
"""

from __future__ import annotations

import datetime as _dt
import random
import threading
import time
from collections.abc import Callable, Sequence

from iso10002.desk._access import AccessGate, check_actor
from iso10002.desk._deadlines import Derived, derive, reselect
from iso10002.desk._in_force import workflow_in_force
from iso10002.desk._loading import ComplaintKey
from iso10002.errors import CommandRejected, ConcurrencyConflict
from iso10002.integrity.templates import EventPreparer
from iso10002.model.actions import Action
from iso10002.model.complaint import Complaint, apply
from iso10002.model.events import Event, EventPayload, SlaPolicyApplied
from iso10002.model.prepared import PreparedEvent
from iso10002.model.values import Actor, ComplaintId
from iso10002.outbox.policy import DeskChange
from iso10002.ports.numbers import NumberClaim
from iso10002.ports.store import Append, EventStore, append_all, is_record_keeping_store
from iso10002.storage._prepare import prepare_event

__all__ = [
    "FIRST_BACKOFF",
    "MAX_BACKOFF",
    "CommandPath",
    "Derive",
    "back_off",
    "check_version",
    "refused",
]

FIRST_BACKOFF = 0.002
"""The longest pause, in seconds, before the first retry after a conflict."""
MAX_BACKOFF = 0.05
"""The longest pause, in seconds, before any retry after a conflict."""

Derive = Callable[[Complaint, tuple[Event, ...], _dt.datetime], tuple[Complaint, list[Event]]]
"""Given the complaint, its history and now: the state after, and the events to append."""


class CommandPath(AccessGate):
    """One command, from the key to the appended events; see the module's docstring."""

    # The store last appended to, and whether the desk prepares its appends for it.
    _preparing: tuple[EventStore, bool] | None = None
    # What prepares the ``sla_policy_applied`` events, whose payloads repeat (one object per
    # policy and reason, see RecordedSla.payload), with the lock it is used under.
    _policy_events: tuple[EventPreparer, threading.Lock] | None = None

    def _run(
        self,
        action: Action,
        key: ComplaintKey,
        actor: Actor,
        payload: EventPayload | Callable[[Complaint], EventPayload],
        expected_version: int | None,
        *,
        command: str | Callable[[Complaint], str] | None = None,
        check: Callable[[Complaint, EventPayload], None] | None = None,
    ) -> Complaint:
        """
        Run one command. ``action`` is what the authorizer is asked about, on each complaint
        state loaded; ``command`` is the workflow's command, named like the action if omitted.
        ``command`` and ``payload`` may depend on the complaint as loaded here (given as
        functions of it), so a retry after a conflict recomputes them from fresh state.
        ``check`` validates the payload against the complaint once the workflow has allowed it.
        """
        check_actor(actor)
        cid = self._resolve(key)
        # A pinned version is never retried: the caller asked not to act on anything newer.
        retries = 0 if expected_version is not None else self.conflict_retries
        # The cached state is used without first asking the store for newer events: the
        # version-checked append finds out whether another writer moved on, and then the
        # command runs again on the caught-up state, as if it had been read first. Not when
        # the version is pinned or an authorizer records refusals: there, deciding on a state
        # behind the store's could say something (a conflict, a denial) the fresh one would not.
        trust = expected_version is None and self.authorizer is None
        attempt = 0
        with self._writing(cid):
            while True:
                cached = self._cached_entry(cid) if trust else None
                trust = False
                current, past = cached if cached is not None else self._load_entry(cid)
                try:
                    updated, new, history, now = self._decide(
                        current,
                        past,
                        action=action,
                        actor=actor,
                        payload=payload,
                        expected_version=expected_version,
                        command=command,
                        check=check,
                    )
                except Exception:
                    if cached is None:
                        raise
                    # Decided on the cached state, which the store may have moved past: read.
                    continue
                try:
                    derived = self._append(updated, new, current.version, history, now)
                except ConcurrencyConflict:
                    self._forget(cid)
                    if cached is not None:
                        continue  # the cache was behind: a catch-up, not a retry
                    # Retrying re-runs the checks on the fresh state, so it is safe.
                    if attempt == retries:
                        raise
                    back_off(attempt)
                    attempt += 1
                    continue
                self._remember(updated, history, derived)
                return updated

    def _decide(
        self,
        current: Complaint,
        past: tuple[Event, ...],
        *,
        action: Action,
        actor: Actor,
        payload: EventPayload | Callable[[Complaint], EventPayload],
        expected_version: int | None,
        command: str | Callable[[Complaint], str] | None,
        check: Callable[[Complaint, EventPayload], None] | None,
    ) -> tuple[Complaint, list[Event], tuple[Event, ...], _dt.datetime]:
        """Steps 3 to 7 on ``current``: the state after the command, its events, the history."""
        self._authorize(actor, action, current)
        check_version(current, expected_version)
        if command is None:
            name = action.value
        else:
            name = command if isinstance(command, str) else command(current)
        if current.erased_at is not None:
            raise refused(name, current, "its personal data was erased")
        workflow = workflow_in_force(self, current, name)
        body = payload(current) if callable(payload) else payload
        now = self.clock.now()
        target = workflow.run(current, name, actor, body, now)
        if check is not None:
            check(current, body)
        event = Event(
            complaint_id=current.id,
            seq=current.version + 1,
            occurred_at=now,
            actor=actor,
            state=target,
            payload=body,
        )
        updated = apply(current, event)
        new = [event]
        if self.sla is None:
            return updated, new, (), now
        updated = reselect(self._sla_in_force, updated, new, actor, now)
        return updated, new, (*past, *new), now

    def _append(
        self,
        complaint: Complaint,
        new: Sequence[Event],
        expected_version: int,
        history: Sequence[Event],
        now: _dt.datetime,
        *,
        erase: bool = False,
        number: NumberClaim | None = None,
    ) -> Derived:
        """
        Append ``new`` with the summary of ``complaint`` and, when the desk has a notification
        hook, the notifications it asks for, all in one transaction; with ``erase``, the
        complaint's personal data is erased in it too (:attr:`Append.erase`), and with
        ``number``, a new complaint's reference number is claimed in it (:attr:`Append.number`).
        Returns what was derived for the summary, to carry forward to the next command.
        """
        previous = self._derived(complaint.id, expected_version) if expected_version else None
        hook = self.notifications
        report, derived = derive(
            self._sla_in_force,
            previous,
            complaint,
            new=new,
            history=history,
            now=now,
            report_wanted=hook is not None,
        )
        summary = derived.summary
        store = self.store
        prepares = self._prepares(store)
        if hook is None and not erase and number is None and not prepares:
            store.append(new, expected_version=expected_version, summary=summary)
            return derived
        events = tuple(new)
        entries = (
            ()
            if hook is None
            else tuple(hook(DeskChange(complaint=complaint, events=events, sla=report)))
        )
        append = Append(
            events=events,
            expected_version=expected_version,
            summary=summary,
            outbox=entries,
            erase=erase,
            number=number,
            # Sealed and encoded here, above the store, which then stores what it is given
            # (its append_many checks the append, and prepares nothing again).
            prepared=(
                tuple(
                    prepare_event(e)
                    if type(e.payload) is not SlaPolicyApplied
                    else self._prepare_policy_event(e)
                    for e in events
                )
                if prepares
                else None
            ),
        )
        if prepares and not entries and not erase and number is None:
            # What append_all does with such an append, for a store that keeps records.
            store.append_many([append])  # type: ignore[attr-defined]
        else:
            append_all(store, [append])
        return derived

    def _prepare_policy_event(self, event: Event) -> PreparedEvent:
        """
        An ``sla_policy_applied`` event sealed and encoded for the store, as
        :func:`prepare_event` does it. Its payload object is shared by every complaint put
        under one policy alike (:meth:`~iso10002.sla.recorded.RecordedSla.payload`), so it is
        prepared as the import prepares its repeated payloads: from a template of its sealed
        payload and JSON after the first ones, only the envelope being new.
        """
        kept = self._policy_events
        if kept is None:
            # Two threads may each make one; either is right, and one is kept.
            kept = self._policy_events = (EventPreparer(), threading.Lock())
        preparer, lock = kept
        with lock:  # an EventPreparer is not shared between threads unguarded
            return preparer.prepare(event)

    def _prepares(self, store: EventStore) -> bool:
        """Whether the desk prepares its appends for ``store``: one that keeps records."""
        known = self._preparing
        if known is None or known[0] is not store:
            known = self._preparing = (store, is_record_keeping_store(store))
        return known[1]

    def _append_derived(
        self, cid: ComplaintId, derive: Derive, *, erase: bool = False
    ) -> tuple[Complaint, list[Event]]:
        """
        Append the events ``derive`` computes from the complaint as loaded (bookkeeping of the
        desk itself, not a workflow command), retrying on a conflict as commands do: a retry
        derives again from the fresh history, so nothing is written twice.
        """
        retries = self.conflict_retries
        with self._writing(cid):
            for attempt in range(retries + 1):
                current, past = self._load_entry(cid)
                now = self.clock.now()
                updated, new = derive(current, past, now)
                if not new:
                    return updated, []
                history = (*past, *new)
                try:
                    derived = self._append(updated, new, current.version, history, now, erase=erase)
                except ConcurrencyConflict:
                    self._forget(cid)
                    if attempt == retries:
                        raise
                    back_off(attempt)
                    continue
                if erase:
                    # The state built here still holds what was erased: never cache it.
                    self._forget(cid)
                else:
                    self._remember(updated, history, derived)
                return updated, new
            raise AssertionError("unreachable")  # pragma: no cover


def back_off(attempt: int) -> None:
    """
    Wait a little before retry ``attempt + 1``: a random pause, doubling with each attempt up
    to :data:`MAX_BACKOFF` seconds, so that writers who collided do not collide again in step.
    """
    time.sleep(random.uniform(0, min(MAX_BACKOFF, FIRST_BACKOFF * 2**attempt)))


def refused(command: str, complaint: Complaint, why: str) -> CommandRejected:
    """The error refusing ``command`` on ``complaint``, saying ``why``."""
    return CommandRejected(
        f"{command!r} is refused for complaint {complaint.reference}: {why}",
        command=command,
        reference=complaint.reference,
        state=complaint.state,
    )


def check_version(current: Complaint, expected_version: int | None) -> None:
    """Refuse to act on ``current`` when the caller pinned another version of it."""
    if expected_version is not None and current.version != expected_version:
        raise ConcurrencyConflict(
            complaint=current.reference,
            expected_version=expected_version,
            actual_version=current.version,
        )
