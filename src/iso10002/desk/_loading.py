"""
How the desk finds and reads a complaint: a key (id or reference) resolved to the id, and the
state from a small cache, caught up with the events the store has after it.

The cache is shared by every thread that uses the desk, so each of its operations takes the
desk's cache lock; the lock is never held while the store is read or written. Writers of one
complaint through one desk take turns (:meth:`DeskBase._writing`), so threads sharing a desk do
not make each other's appends conflict; writers in other desks or processes still may, which
the command path retries. Any state the cache
holds is the true state of its complaint at that state's version, and every read catches it up
with the store before use, so a thread that remembers an older state than another thread did
costs a longer catch-up, never a wrong answer; :meth:`DeskBase._remember` keeps the newer one.

:class:`DeskBase` also declares what every part of the desk shares (the store, the clock, the
workflow, the configuration); :class:`~iso10002.desk.ComplaintDesk` sets it when it is built.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from typing import Any, Union

from iso10002.access.policy import Authorizer
from iso10002.clock import Clock
from iso10002.desk._deadlines import Derived
from iso10002.errors import ComplaintNotFound, ValidationError
from iso10002.model._checks import shown
from iso10002.model.complaint import Complaint, apply
from iso10002.model.configuration import ConfigurationRecord
from iso10002.model.events import Event, PersonalDataErased
from iso10002.model.priority import PriorityPolicy
from iso10002.model.reference import ReferenceFormat
from iso10002.model.values import ComplaintId
from iso10002.outbox.policy import NotificationHook
from iso10002.ports.access import AccessLog
from iso10002.ports.store import EventStore
from iso10002.process.workflow import Workflow
from iso10002.programme.config import Programme
from iso10002.sla.config import SlaConfig
from iso10002.sla.recorded import RecordedSla

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
    # With timeliness policies the history is cached too: deadlines are computed from it. What
    # the last command derived (summary row, evaluation) is carried forward to the next one.
    # Keyed by the id's number (``UUID.int``): an int hashes in C, a UUID in Python, and a
    # command looks the cache up several times.
    _cache: OrderedDict[int, tuple[Complaint, tuple[Event, ...], Derived | None]]
    _cache_size: int
    _cache_lock: threading.Lock
    # One lock per complaint being written, with how many threads hold or wait for it:
    # dropped once none does.
    _writers: dict[int, list[Any]]
    _claimed: dict[str, int]
    """The last number this desk claimed, by scope: the next receipt claims the one after."""
    conflict_retries: int
    _recorded_sla: RecordedSla | None = None
    programme: Programme | None = None
    # The workflow and programme last recorded, with their fingerprints (set on first use).
    _recorded_workflow: tuple[Workflow, str] | None = None
    _recorded_programme: tuple[Programme, str] | None = None
    # The desk's workflow with its record, made when the desk is built (and again if the
    # workflow is replaced); the earlier workflows it was given, and those rebuilt from their
    # records, by fingerprint (see :mod:`~iso10002.desk._in_force`).
    _own_workflow: tuple[Workflow, ConfigurationRecord] | None = None
    _given_workflows: dict[str, Workflow]
    _rebuilt_workflows: dict[str, Workflow]

    @property
    def _sla_in_force(self) -> RecordedSla | None:
        """:attr:`sla` with the policies the store recorded; rebuilt when ``sla`` is replaced."""
        sla = self.sla
        if sla is None:
            return None
        recorded = self._recorded_sla
        if recorded is None or recorded.config is not sla:
            recorded = self._recorded_sla = RecordedSla(sla, self.store)
        return recorded

    def _writing(self, cid: ComplaintId) -> _Writing:
        """
        Hold the complaint's writer lock: one command at a time per complaint in this desk.
        Reentrant, so that a hook the command calls may itself write to the complaint.
        """
        return _Writing(self, cid)

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
        with self._cache_lock:
            cached = self._cache.get(cid.int)
        state, past = (cached[0], cached[1]) if cached is not None else (None, ())
        events = self.store.read(cid, after=state.version if state else 0)
        if state is not None and any(isinstance(e.payload, PersonalDataErased) for e in events):
            # Erased since it was cached: what the cache holds must not be served again.
            self._forget(cid)
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

    def _cached_entry(self, cid: ComplaintId) -> tuple[Complaint, tuple[Event, ...]] | None:
        """
        The cached complaint and history as they are, without asking the store for newer
        events; None if the cache does not hold it. Only for a caller whose write is
        version-checked and who reads again on a conflict.
        """
        with self._cache_lock:
            cached = self._cache.get(cid.int)
        return None if cached is None else (cached[0], cached[1])

    def _remember(
        self,
        complaint: Complaint,
        history: tuple[Event, ...] = (),
        derived: Derived | None = None,
    ) -> None:
        """
        Cache ``complaint`` (and its history, and what the command that made it derived),
        unless the cache holds a newer state of it.
        """
        entry = (complaint, history if self.sla is not None else (), derived)
        with self._cache_lock:
            cache = self._cache
            key = complaint.id.int
            held = cache.get(key)
            # The same version without what was derived (a reader catching up) keeps the entry
            # that has it.
            if (
                held is None
                or held[0].version < complaint.version
                or (held[0].version == complaint.version and (derived or not held[2]))
            ):
                cache[key] = entry
            cache.move_to_end(key)
            if len(cache) > self._cache_size:
                cache.popitem(last=False)

    def _derived(self, cid: ComplaintId, version: int) -> tuple[Complaint, Derived] | None:
        """The cached state at ``version`` and what was derived for it, if the cache has both."""
        with self._cache_lock:
            held = self._cache.get(cid.int)
        if held is None or held[2] is None or held[0].version != version:
            return None
        if held[2].summary.version != version:
            return None
        return held[0], held[2]

    def _forget(self, cid: ComplaintId) -> None:
        """Drop the cached state of ``cid``: it may be stale or hold what was erased."""
        with self._cache_lock:
            self._cache.pop(cid.int, None)

    def _history(self, cid: ComplaintId) -> list[Event]:
        events = self.store.read(cid)
        if not events:
            raise ComplaintNotFound(f"id {cid}")
        return events

    def _find_by_client_key(self, client_key: str) -> Complaint | None:
        cid = self.store.id_for_client_key(client_key)
        return None if cid is None else self._load(cid)


class _Writing:
    """
    The context of :meth:`DeskBase._writing`: a class rather than a generator, and a plain dict
    of counted locks rather than a weak one, for it is entered on every command.
    """

    __slots__ = ("_cid", "_desk", "_entry")  # _cid: the id's number, as the cache keys it

    def __init__(self, desk: DeskBase, cid: ComplaintId) -> None:
        self._desk = desk
        self._cid = cid.int

    def __enter__(self) -> None:
        desk = self._desk
        with desk._cache_lock:
            writers = desk._writers
            entry = writers.get(self._cid)
            if entry is None:
                entry = writers[self._cid] = [threading.RLock(), 0]
            entry[1] += 1
        self._entry = entry
        try:
            entry[0].acquire()
        except BaseException:  # pragma: no cover - interrupted while waiting
            self._leave()
            raise

    def __exit__(self, *_exc: object) -> None:
        self._entry[0].release()
        self._leave()

    def _leave(self) -> None:
        desk = self._desk
        entry = self._entry
        with desk._cache_lock:
            entry[1] -= 1
            if not entry[1]:
                del desk._writers[self._cid]
