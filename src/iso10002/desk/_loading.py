"""
How the desk finds and reads a complaint: a key (id or reference) resolved to the id, and the
state from a small cache, caught up with the events the store has after it.

:class:`DeskBase` also declares what every part of the desk shares (the store, the clock, the
workflow, the configuration); :class:`~iso10002.desk.ComplaintDesk` sets it when it is built.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from typing import Union

from iso10002.access.policy import Authorizer
from iso10002.clock import Clock
from iso10002.errors import ComplaintNotFound, ValidationError
from iso10002.model._checks import shown
from iso10002.model.complaint import Complaint, apply
from iso10002.model.events import Event, PersonalDataErased
from iso10002.model.priority import PriorityPolicy
from iso10002.model.reference import ReferenceFormat
from iso10002.model.values import ComplaintId
from iso10002.outbox.policy import NotificationHook
from iso10002.ports.access import AccessLog
from iso10002.ports.store import EventStore
from iso10002.process.workflow import Workflow
from iso10002.sla.config import SlaConfig

__all__ = ["ComplaintKey", "DeskBase"]

ComplaintKey = Union[ComplaintId, str]  # noqa: UP007 - a runtime alias must work on 3.10
"""A complaint's id (UUID) or its reference (str)."""


class DeskBase:
    """The desk's collaborators and configuration, and the cache of the complaints it read."""

    store: EventStore
    clock: Clock
    workflow: Workflow
    priority_policy: PriorityPolicy
    references: ReferenceFormat
    sla: SlaConfig | None
    notifications: NotificationHook | None
    authorizer: Authorizer | None
    access_log: AccessLog
    # With timeliness policies the history is cached too: deadlines are computed from it.
    _cache: OrderedDict[ComplaintId, tuple[Complaint, tuple[Event, ...]]]
    _cache_size: int

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

    def _history(self, cid: ComplaintId) -> list[Event]:
        events = self.store.read(cid)
        if not events:
            raise ComplaintNotFound(f"id {cid}")
        return events

    def _find_by_client_key(self, client_key: str) -> Complaint | None:
        cid = self.store.id_for_client_key(client_key)
        return None if cid is None else self._load(cid)
