"""An event store in the process's memory: for tests, demos and short-lived tools."""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Collection, Iterator, Sequence
from typing import ClassVar
from uuid import UUID

import attrs

from iso10002.access.log import InMemoryAccessLog
from iso10002.errors import (
    ConcurrencyConflict,
    DuplicateKeyError,
    StoreClosedError,
    ValidationError,
)
from iso10002.model.chain import Hasher
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.configuration import ConfigurationRecord
from iso10002.model.denials import DenialRecord
from iso10002.model.events import Event
from iso10002.model.outbox import OutboxEntry, OutboxQuery, OutboxRecord, OutboxState
from iso10002.model.subject import SubjectMatch
from iso10002.model.values import Actor, ComplaintId
from iso10002.ports.capabilities import Capability
from iso10002.ports.store import Append, ChainRecord, ComplaintQuery, Page, check_claims, link
from iso10002.privacy.sealing import ACTOR, Sealed, unseal, unseal_actor
from iso10002.serialization import structure
from iso10002.storage import prepare_appends
from iso10002.storage.memory.outbox import MemoryOutbox

__all__ = ["InMemoryEventStore"]


_COMPLAINANT_IDS = frozenset({"complainant.customer_id", f"{ACTOR}id"})
"""Where the ids that point to the complainant are held: forgotten in denials on erasure."""


class InMemoryEventStore:
    """
    A complete :class:`~iso10002.ports.store.EventStore` held in dictionaries, with an outbox
    (:class:`~iso10002.ports.store.OutboxStore`).

    Thread-safe; it enforces the same concurrency and uniqueness rules as the SQL stores.
    Nothing survives the process. Each event is kept with its integrity hashes
    (:class:`~iso10002.ports.store.ChainedStore`), HMACs under ``integrity_key`` if given.
    """

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.OUTBOX,
            Capability.RECORD_KEEPING,
            Capability.CONFIGURATIONS,
            Capability.NUMBER_CLAIMS,
            Capability.CLIENT_KEYS,
        }
    )
    """Every level of the store port; KPI reports read it through its summaries."""

    def __init__(self, *, integrity_key: bytes | None = None) -> None:
        self._hasher = Hasher(key=integrity_key)
        self._links: list[tuple[str, str]] = []
        # The maps by complaint are keyed by the id's number (``UUID.int``), which hashes in C
        # where a UUID hashes in Python: an append looks a complaint up several times.
        self._heads: dict[int, str] = {}
        self._lock = threading.Lock()
        # Each complaint's events, as indexes into the log.
        self._streams: dict[int, list[int]] = {}
        self._summaries: dict[int, ComplaintSummary] = {}
        self._references: dict[str, ComplaintId] = {}
        self._client_keys: dict[str, ComplaintId] = {}
        self._log: list[Event] = []
        # Each logged event as sealed, with its personal values apart (cleared on erasure).
        self._sealed: list[Sealed] = []
        self._counters: dict[str, int] = {}
        self._outbox = MemoryOutbox()
        self._closed = False
        self._denials = InMemoryAccessLog()
        # Each configuration by fingerprint, in the order first recorded.
        self._configurations: dict[str, ConfigurationRecord] = {}

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosedError("the in-memory store is closed")

    def append(
        self, events: Sequence[Event], *, expected_version: int, summary: ComplaintSummary
    ) -> None:
        """Append atomically; see :meth:`EventStore.append`."""
        self.append_many(
            [Append(events=tuple(events), expected_version=expected_version, summary=summary)]
        )

    def append_many(self, appends: Sequence[Append]) -> None:
        """Make every append or none; see :meth:`BatchAppender.append_many`."""
        appends = prepare_appends(appends)
        with self._lock:
            self._check_open()
            # Check the whole batch against the store and the batch's own earlier appends
            # before changing anything, so that a failure leaves the store as it was.
            versions: dict[int, int] = {}
            references: dict[str, ComplaintId] = {}
            client_keys: dict[str, ComplaintId] = {}
            for a in appends:
                summary = a.summary
                key = summary.id.int
                actual = versions.get(key)
                if actual is None:
                    actual = len(self._streams.get(key, ()))
                if actual != a.expected_version:
                    raise ConcurrencyConflict(
                        complaint=summary.reference,
                        expected_version=a.expected_version,
                        actual_version=actual,
                    )
                if actual == 0:
                    if summary.reference in self._references or summary.reference in references:
                        raise DuplicateKeyError("reference", summary.reference)
                    client_key = summary.client_key
                    if client_key is not None and (
                        client_key in self._client_keys or client_key in client_keys
                    ):
                        raise DuplicateKeyError("client key", client_key)
                    references[summary.reference] = summary.id
                    if client_key is not None:
                        client_keys[client_key] = summary.id
                versions[key] = a.events[-1].seq
            counters = check_claims(appends, lambda scope: self._counters.get(scope, 0))
            outbox = self._outbox.plan([(e, a.summary.id) for a in appends for e in a.outbox])
            links = link(
                appends,
                stored_hash=lambda cid, _version: self._heads.get(cid.int),
                last_link=self._links[-1][1] if self._links else None,
                hasher=self._hasher,
            )
            for a, pairs in zip(appends, links, strict=True):
                cid = a.summary.id
                key = cid.int
                if a.erase:
                    self._erase(cid)
                stream = self._streams.setdefault(key, [])
                for p, pair in zip(a.prepared or (), pairs, strict=True):
                    self._links.append(pair)
                    stream.append(len(self._log))
                    self._log.append(p.event)
                    self._sealed.append(
                        Sealed(payload=p.payload, personal=p.personal, actor=p.sealed_actor)
                    )
                if pairs:
                    self._heads[key] = pairs[-1][0]
                self._summaries[key] = a.summary
            self._references.update(references)
            self._client_keys.update(client_keys)
            self._counters.update(counters)
            self._outbox.add(outbox)

    def _erase(self, cid: ComplaintId) -> None:
        """Clear the complaint's personal values and outbox records; the lock is held."""
        ids = {
            value
            for i in self._streams.get(cid.int, ())
            for path, (_salt, value) in self._sealed[i].personal.items()
            if path in _COMPLAINANT_IDS and isinstance(value, str)
        }
        self._denials.forget_complainant(cid, ids)
        for i in self._streams.get(cid.int, ()):
            sealed = self._sealed[i]
            if sealed.personal:
                event = self._log[i]
                kind = type(event.payload)
                opened = unseal(kind.type, sealed.payload, None)
                actor = (
                    event.actor
                    if sealed.actor is None
                    else structure(unseal_actor(sealed.actor, None), Actor)
                )
                self._log[i] = attrs.evolve(event, actor=actor, payload=structure(opened, kind))
                self._sealed[i] = attrs.evolve(sealed, personal={})
        self._outbox.forget(cid)

    def find_subject(self, match: SubjectMatch) -> list[ComplaintId]:
        """The complaints whose complainant is ``match``; see :class:`PersonalDataStore`."""
        with self._lock:
            self._check_open()
            found = []
            for stream in self._streams.values():
                if match.matches_personal(self._sealed[stream[0]].personal):
                    found.append(self._log[stream[0]].complaint_id)
            return found

    def read(self, complaint_id: ComplaintId, *, after: int = 0) -> list[Event]:
        """Events with ``seq > after``; see :meth:`EventStore.read`."""
        with self._lock:
            self._check_open()
            log = self._log
            return [log[i] for i in self._streams.get(_key(complaint_id), ())[after:]]

    def version(self, complaint_id: ComplaintId) -> int:
        """The last seq, or 0."""
        with self._lock:
            self._check_open()
            return len(self._streams.get(_key(complaint_id), ()))

    def id_for_reference(self, reference: str) -> ComplaintId | None:
        """Look up by reference."""
        with self._lock:
            self._check_open()
            return self._references.get(reference)

    def id_for_client_key(self, client_key: str) -> ComplaintId | None:
        """Look up by client key."""
        with self._lock:
            self._check_open()
            return self._client_keys.get(client_key)

    def stored_client_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are stored; see :class:`~iso10002.ports.store.ClientKeyStore`."""
        with self._lock:
            self._check_open()
            return {k for k in keys if k in self._client_keys}

    def summary(self, complaint_id: ComplaintId) -> ComplaintSummary | None:
        """The summary row, if any."""
        with self._lock:
            self._check_open()
            return self._summaries.get(_key(complaint_id))

    def query(self, query: ComplaintQuery) -> Page:
        """Filter, order, page."""
        with self._lock:
            self._check_open()
            rows = [s for s in self._summaries.values() if query.matches(s)]
        if query.order == "sla_due":
            rows.sort(key=lambda s: (s.sla_due_at, s.reference))
        else:
            rows.sort(key=lambda s: (s.received_at, s.reference), reverse=True)
        items = tuple(rows[query.offset : query.offset + query.limit])
        return Page(items=items, total=len(rows), limit=query.limit, offset=query.offset)

    def iter_events(self, *, after_position: int = 0) -> Iterator[tuple[int, Event]]:
        """Every event in append order with positions 1, 2, …"""
        with self._lock:
            self._check_open()
            snapshot = self._log[after_position:]
        yield from enumerate(snapshot, start=after_position + 1)

    @property
    def hasher(self) -> Hasher:
        """How this store computes the integrity hashes of what it appends."""
        return self._hasher

    def iter_chain(self, *, after_position: int = 0) -> Iterator[ChainRecord]:
        """Every event in append order with its hashes; see :class:`ChainedStore`."""
        with self._lock:
            self._check_open()
            snapshot = list(zip(self._log, self._sealed, self._links, strict=True))[after_position:]
        for position, (event, sealed, (digest, chain)) in enumerate(
            snapshot, start=after_position + 1
        ):
            yield ChainRecord(
                position=position,
                complaint_id=str(event.complaint_id),
                seq=event.seq,
                event=event,
                error=None,
                hash=digest,
                chain=chain,
                payload=sealed.payload,
                personal=sealed.personal or None,
                actor=sealed.actor,
            )

    def next_number(self, scope: str) -> int:
        """Allocate the next number in ``scope``."""
        with self._lock:
            self._check_open()
            value = self._counters.get(scope, 0) + 1
            self._counters[scope] = value
            return value

    def last_number(self, scope: str) -> int:
        """The last number allocated or claimed in ``scope``, 0 if none; see
        :class:`~iso10002.ports.store.NumberClaimStore`."""
        with self._lock:
            self._check_open()
            return self._counters.get(scope, 0)

    # -- access denials (see iso10002.ports.store.DenialStore) ---------------------------------

    def record_denial(self, denial: DenialRecord) -> None:
        """Keep an access denial; see :class:`~iso10002.ports.store.DenialStore`."""
        with self._lock:
            self._check_open()
            self._denials.record(denial)

    def denials(
        self, *, since: _dt.datetime | None = None, limit: int = 1000
    ) -> list[DenialRecord]:
        """The access denials at or after ``since``, oldest first, at most ``limit``."""
        with self._lock:
            self._check_open()
            return self._denials.denials(since=since, limit=limit)

    # -- configurations (see iso10002.ports.store.ConfigurationStore) --------------------------

    def record_configuration(self, record: ConfigurationRecord) -> None:
        """Keep ``record`` unless its fingerprint is kept already."""
        if not isinstance(record, ConfigurationRecord):
            raise ValidationError("record", f"expected a ConfigurationRecord, got {record!r}")
        with self._lock:
            self._check_open()
            self._configurations.setdefault(record.fingerprint, record)

    def configuration(self, fingerprint: str) -> ConfigurationRecord | None:
        """The configuration kept under ``fingerprint``, if any."""
        with self._lock:
            self._check_open()
            return self._configurations.get(fingerprint)

    def find_configuration(self, kind: str, name: str, version: str) -> ConfigurationRecord | None:
        """The first configuration kept of that ``kind``, ``name`` and ``version``, if any."""
        with self._lock:
            self._check_open()
            return next(
                (
                    r
                    for r in self._configurations.values()
                    if (r.kind, r.name, r.version) == (kind, name, version)
                ),
                None,
            )

    # -- outbox (see iso10002.ports.store.OutboxStore) ----------------------------------------

    def outbox_enqueue(self, entries: Sequence[OutboxEntry]) -> int:
        """Enqueue entries that no event caused; see :class:`OutboxStore`."""
        with self._lock:
            self._check_open()
            planned = self._outbox.plan([(e, None) for e in entries])
            self._outbox.add(planned)
            return len(planned)

    def outbox_claim(
        self,
        *,
        worker: str,
        now: _dt.datetime,
        lease: _dt.timedelta,
        limit: int,
        channels: Collection[str],
        digest: bool | None = None,
    ) -> list[OutboxRecord]:
        """Claim due lane heads; see :meth:`OutboxStore.outbox_claim`."""
        with self._lock:
            self._check_open()
            return self._outbox.claim(
                worker=worker,
                now=now,
                lease=lease,
                limit=limit,
                channels=channels,
                digest=digest,
            )

    def outbox_delivered(self, record_id: int, *, now: _dt.datetime) -> bool:
        """Record a delivery; see :meth:`OutboxStore.outbox_delivered`."""
        with self._lock:
            self._check_open()
            return self._outbox.delivered(record_id, now)

    def outbox_failed(
        self,
        record_id: int,
        *,
        attempt: int,
        error: str,
        retry_at: _dt.datetime | None,
    ) -> bool:
        """Record a failed attempt; see :meth:`OutboxStore.outbox_failed`."""
        with self._lock:
            self._check_open()
            return self._outbox.failed(record_id, attempt, error, retry_at)

    def outbox_merge(
        self, records: Sequence[OutboxRecord], digest: OutboxEntry
    ) -> OutboxRecord | None:
        """Merge claimed records into a digest; see :meth:`OutboxStore.outbox_merge`."""
        with self._lock:
            self._check_open()
            return self._outbox.merge(records, digest)

    def outbox_records(self, query: OutboxQuery) -> list[OutboxRecord]:
        """Records matching ``query``, by id."""
        with self._lock:
            self._check_open()
            return self._outbox.query(query)

    def outbox_record(self, key: int | str) -> OutboxRecord | None:
        """The record with this id or idempotency key."""
        with self._lock:
            self._check_open()
            return self._outbox.get(key)

    def outbox_retry(self, record_ids: Sequence[int], *, now: _dt.datetime) -> int:
        """Revive dead records; see :meth:`OutboxStore.outbox_retry`."""
        with self._lock:
            self._check_open()
            return self._outbox.retry(record_ids, now)

    def outbox_counts(self) -> dict[OutboxState, int]:
        """Records per state."""
        with self._lock:
            self._check_open()
            return self._outbox.counts()

    def outbox_purge(self, *, delivered_before: _dt.datetime) -> int:
        """Delete records delivered before the instant; see :meth:`OutboxStore.outbox_purge`."""
        with self._lock:
            self._check_open()
            return self._outbox.purge(delivered_before)

    def close(self) -> None:
        """Drop everything."""
        with self._lock:
            self._closed = True
            self._streams.clear()
            self._summaries.clear()
            self._log.clear()
            self._links.clear()
            self._heads.clear()
            self._outbox = MemoryOutbox()

    def __repr__(self) -> str:
        return f"InMemoryEventStore(complaints={len(self._streams)})"


def _key(complaint_id: object) -> int:
    """
    The key of ``complaint_id`` in the maps by complaint; -1, which no UUID's number is (so
    found nowhere), for anything that is not a UUID, as before the maps were keyed by number.
    """
    return complaint_id.int if isinstance(complaint_id, UUID) else -1
