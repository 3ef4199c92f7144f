"""
Timeliness (ISO 10002 4.15) on the desk: where a complaint's deadlines stand, the queue of
complaints that need attention, bringing open complaints under a changed configuration, and
the scheduled tick that raises warning and breach alerts once each and calls the escalation
hooks.

What each command records about timeliness is in :mod:`~iso10002.desk._deadlines`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence

from iso10002.desk._access import check_actor
from iso10002.desk._deadlines import reselect
from iso10002.desk._loading import ComplaintKey
from iso10002.desk._path import CommandPath
from iso10002.errors import NaiveDatetimeError, ValidationError
from iso10002.model.actions import Action
from iso10002.model.complaint import Complaint, apply
from iso10002.model.events import Event, SlaAlertRaised
from iso10002.model.values import Actor, ComplaintId, Role
from iso10002.ports.store import ComplaintQuery, iter_summaries
from iso10002.sla.engine import SlaReport, evaluate
from iso10002.sla.policy import SlaPolicy
from iso10002.sla.queue import QueueBucket, QueueItem

__all__ = ["EscalationHook", "Timeliness"]

EscalationHook = Callable[[Complaint, Event], None]
"""Called with the complaint and each alert event :meth:`ComplaintDesk.tick` wrote."""

_SYSTEM = Actor(id="iso10002-sla", role=Role.SYSTEM)
"""The actor of alerts raised by :meth:`ComplaintDesk.tick`."""


class Timeliness(CommandPath):
    """SLA status and queue, policy application, and the tick that raises alerts."""

    escalation_hooks: tuple[EscalationHook, ...]

    def _policy_as_of(self, history: Sequence[Event], as_of: _dt.datetime) -> SlaPolicy | None:
        sla = self._sla_in_force
        assert sla is not None
        return sla.as_of(history, as_of)

    def sla_status(
        self,
        key: ComplaintKey,
        *,
        as_of: _dt.datetime | None = None,
        actor: Actor | None = None,
    ) -> SlaReport | None:
        """
        Where each timeliness metric of the complaint stands, computed from its history with
        the policy that applied at ``as_of`` (now if omitted), as the store recorded it when it
        was applied. ``None`` if no policy applied by then.

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
        organisation: str | None = None,
    ) -> list[QueueItem]:
        """
        The complaints whose deadlines need attention at ``as_of`` (now if omitted), earliest
        deadline first: *breached* (a deadline has passed), *at risk* (a warning threshold has
        passed), and, with ``within``, *due* (a deadline falls within that time). Read from
        the store's indexes; no history is replayed. An authorizer may narrow the queue to
        the complaints ``actor`` may see; ``organisation`` keeps the complaints of one
        organisation (tenant), as an actor bound to one is kept to it.
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
            query = ComplaintQuery(
                order="sla_due",
                limit=limit,
                organisation=organisation,
                **criteria,  # type: ignore[arg-type]
            )
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
        holidays, a newer ``holidays`` package, a new rule): an open complaint keeps the policy
        recorded for it until policies are re-applied (a command moves it only when the rules
        pick another policy). Each move is recorded, naming the new policy's recorded content;
        a complaint whose policy content is unchanged is left alone. Time already used is kept;
        closed complaints keep the policy they were handled under.
        """
        check_actor(actor)
        decision = self._authorize(actor, Action.APPLY_POLICIES, None)
        if self.sla is None:
            return []
        # An actor bound to an organisation re-applies its organisation's policies only.
        query = ComplaintQuery(
            is_open=True, organisation=self._tenant(decision, None, actor, Action.APPLY_POLICIES)
        )
        # Reselection changes no complaint's place in the received-at order, so paging is safe.
        written: list[Event] = []
        for summary in iter_summaries(self.store, query):
            written.extend(self._apply_policy(summary.id, actor))
        return written

    def _apply_policy(self, cid: ComplaintId, actor: Actor) -> list[Event]:
        sla = self._sla_in_force

        def derive(
            current: Complaint, past: tuple[Event, ...], now: _dt.datetime
        ) -> tuple[Complaint, list[Event]]:
            new: list[Event] = []
            applied = None if sla is None else sla.applied_fingerprint(past)
            updated = reselect(sla, current, new, actor, now, reapply=True, applied=applied)
            return updated, new

        return self._append_derived(cid, derive)[1]

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
        decision = self._authorize(actor, Action.TICK, None)
        if self.sla is None:
            return []
        now = self.clock.now()
        # Closed complaints have no deadlines in the projection, so the index alone finds them.
        # An actor bound to an organisation ticks its organisation's complaints only.
        query = ComplaintQuery(
            sla_alert_by=now,
            order="sla_due",
            limit=limit,
            organisation=self._tenant(decision, None, actor, Action.TICK),
        )
        page = self.store.query(query)
        raised: list[Event] = []
        for summary in page.items:
            raised.extend(self._raise_alerts(summary.id))
        return raised

    def _raise_alerts(self, cid: ComplaintId) -> list[Event]:
        sla = self._sla_in_force
        assert sla is not None

        def alerts(
            current: Complaint, past: tuple[Event, ...], now: _dt.datetime
        ) -> tuple[Complaint, list[Event]]:
            policy = sla.current(past)
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


def _aware(value: _dt.datetime, name: str) -> _dt.datetime:
    if not isinstance(value, _dt.datetime):
        raise ValidationError(name, f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(name)
    return value
