"""
The configurations that govern complaints, recorded as they governed them: the desk's workflow
and programme are kept in the store once each (content-addressed, see
:mod:`iso10002.process.recorded` and :mod:`iso10002.programme.recorded`) and named by every
complaint it receives; the timeliness policies are recorded by :mod:`~iso10002.desk._deadlines`.

An edited configuration governs new complaints. It reaches an existing complaint only through
:meth:`Configurations.reapply_configuration`, which records the move.
"""

from __future__ import annotations

import datetime as _dt

from iso10002.desk._access import check_actor
from iso10002.desk._deadlines import reselect
from iso10002.desk._in_force import own_record
from iso10002.desk._loading import ComplaintKey, DeskBase
from iso10002.desk._path import CommandPath, refused
from iso10002.model.actions import Action
from iso10002.model.complaint import Complaint, apply
from iso10002.model.events import Event, WorkflowApplied
from iso10002.model.values import Actor
from iso10002.ports.store import is_configuration_store
from iso10002.process.recorded import recorded_workflow
from iso10002.programme.recorded import programme_record

__all__ = ["Configurations", "programme_fingerprint", "workflow_fingerprint"]

REAPPLY = "reapply_configuration"


def workflow_fingerprint(desk: DeskBase) -> str:
    """The fingerprint of the desk's workflow, recorded in its store the first time."""
    workflow = desk.workflow
    known = desk._recorded_workflow
    if known is not None and known[0] is workflow:
        return known[1]
    record = own_record(desk)
    store = desk.store
    if is_configuration_store(store):
        store.record_configuration(record)
    desk._recorded_workflow = (workflow, record.fingerprint)
    return record.fingerprint


def programme_fingerprint(desk: DeskBase) -> str | None:
    """The fingerprint of the desk's programme, if it has one, recorded the first time."""
    programme = desk.programme
    if programme is None:
        return None
    known = desk._recorded_programme
    if known is not None and known[0] is programme:
        return known[1]
    record = programme_record(programme)
    store = desk.store
    if is_configuration_store(store):
        store.record_configuration(record)
    desk._recorded_programme = (programme, record.fingerprint)
    return record.fingerprint


class Configurations(CommandPath):
    """Re-applying the desk's configuration to a complaint, recorded."""

    def reapply_configuration(self, key: ComplaintKey, actor: Actor) -> list[Event]:
        """
        Bring the complaint under the desk's configuration as it is now, and return the
        events written (none when nothing changed).

        The workflow: when the complaint was handled under another one (or none was recorded
        for it), a ``workflow_applied`` event names the desk's workflow as recorded; the
        complaint keeps its state, which must be one the workflow defines. The timeliness
        policy: as :meth:`~iso10002.ComplaintDesk.apply_policies` does for every open
        complaint, an ``sla_policy_applied`` event names the policy selected now, if its
        content differs from the one applied. Time already used is kept.

        Raises:
            CommandRejected: the complaint's state is not a state of the desk's workflow;
                nothing was written.
            PermissionDenied: the authorizer refused (action ``apply_policies``).
        """
        check_actor(actor)
        cid = self._resolve(key)
        self._authorize(actor, Action.APPLY_POLICIES, self._load(cid))
        workflow = self.workflow
        fingerprint = workflow_fingerprint(self)
        states = {s.name for s in workflow.states}
        sla = self._sla_in_force

        def derive(
            current: Complaint, past: tuple[Event, ...], now: _dt.datetime
        ) -> tuple[Complaint, list[Event]]:
            # Without policies the desk caches no history: read it.
            history = past if past else tuple(self.store.read(cid))
            new: list[Event] = []
            before = recorded_workflow(history)
            if before != fingerprint:
                if current.state not in states:
                    raise refused(
                        REAPPLY,
                        current,
                        f"its state {current.state!r} is not a state of the workflow "
                        f"{workflow.name!r}, so it cannot be handled under it; it stays under "
                        "the workflow recorded for it",
                    )
                event = Event(
                    complaint_id=current.id,
                    seq=current.version + 1,
                    occurred_at=now,
                    actor=actor,
                    state=current.state,
                    payload=WorkflowApplied(
                        workflow=workflow.name, configuration=fingerprint, previous=before
                    ),
                )
                new.append(event)
                current = apply(current, event)
            if sla is not None:
                applied = sla.applied_fingerprint(history)
                current = reselect(sla, current, new, actor, now, reapply=True, applied=applied)
            return current, new

        return self._append_derived(cid, derive)[1]
