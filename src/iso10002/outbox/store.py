"""
The :class:`OutboxStore` seam: an event store that also keeps an outbox of notifications.

A store is outbox-capable when it writes the entries of an
:class:`~iso10002.storage.base.Append` (``Append.outbox``) in the same transaction as its
events, and implements the claim-and-mark methods below, which the
:class:`~iso10002.outbox.dispatcher.OutboxDispatcher` uses. ``InMemoryEventStore``,
``SQLiteEventStore`` and ``PostgresEventStore`` are; :class:`iso10002.testing.OutboxStoreContract`
proves another one.

Every instant is passed in by the caller (the dispatcher's clock), never read by the store, so
that a test can move time on and expire a lease.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from iso10002.outbox.record import OutboxEntry, OutboxQuery, OutboxRecord, OutboxState

if TYPE_CHECKING:
    from iso10002.storage.base import Append

__all__ = ["OutboxStore"]


@runtime_checkable
class OutboxStore(Protocol):
    """**Protocol:** an event store with a transactional outbox."""

    def append_many(self, appends: Sequence[Append]) -> None:
        """
        Write every append of ``appends`` atomically, each one's ``outbox`` entries with its
        events: all of it or nothing. An entry whose idempotency key is already in the outbox
        (or earlier in the same call) is dropped; the first one stays.
        """
        ...

    def outbox_enqueue(self, entries: Sequence[OutboxEntry]) -> int:
        """
        Enqueue ``entries`` on their own, in one transaction, for notifications that no event
        caused (a reminder an application sends). Returns how many were new; an entry whose
        key is already stored is dropped.
        """
        ...

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
        """
        Claim up to ``limit`` due records for ``worker`` and return them, oldest due first.

        A record is claimable when it is pending, its ``next_attempt_at`` is at or before
        ``now``, its channel is one of ``channels``, it is not waiting in a digest, and no
        pending record of its lane is older (so one record per lane at most; a record held by
        another claim, scheduled for later, or merged into an undelivered digest holds back the
        rest of its lane). With ``digest`` given, only records whose ``digest`` mark equals it.

        Claiming is atomic across threads and processes: two workers never hold the same
        record. Each claimed record's ``attempts`` goes up by one, ``claimed_by`` becomes
        ``worker``, and ``lease_until`` and ``next_attempt_at`` become ``now + lease``: if the
        worker never reports back, the record is claimable again once the lease is over.
        """
        ...

    def outbox_delivered(self, record_id: int, *, now: _dt.datetime) -> bool:
        """
        Record that the record was delivered at ``now``; for a digest, its merged records too.
        Returns ``False`` (and changes nothing) when the record is no longer pending.
        A delivery counts even when the claim was lost meanwhile: it is a fact.
        """
        ...

    def outbox_failed(
        self,
        record_id: int,
        *,
        attempt: int,
        error: str,
        retry_at: _dt.datetime | None,
    ) -> bool:
        """
        Record a failed attempt: schedule the next at ``retry_at``, or, when it is ``None``,
        move the record (and, for a digest, its merged records) to the dead letters.

        ``attempt`` is the record's ``attempts`` as claimed: when it changed (the lease ran
        out and another worker claimed the record), the call changes nothing and returns
        ``False``, so only the current claim decides.
        """
        ...

    def outbox_merge(
        self, records: Sequence[OutboxRecord], digest: OutboxEntry
    ) -> OutboxRecord | None:
        """
        Atomically enqueue ``digest`` and merge ``records`` (claimed by the caller) into it:
        they stay pending, stop being claimable on their own, and are delivered (or die) with
        the digest. Returns the digest's record, or ``None`` with nothing changed when a
        record's claim was lost (its ``attempts`` moved on) or it is no longer pending.
        """
        ...

    def outbox_records(self, query: OutboxQuery) -> list[OutboxRecord]:
        """The records matching ``query``, by ``id``, one page."""
        ...

    def outbox_record(self, key: int | str) -> OutboxRecord | None:
        """The record with this ``id`` (int) or idempotency key (str), if any."""
        ...

    def outbox_retry(self, record_ids: Sequence[int], *, now: _dt.datetime) -> int:
        """
        Give dead records another chance: pending again, due at ``now``, ``attempts`` back to
        0. A dead digest revives its merged records with it; a merged record revived on its
        own leaves its digest and is sent alone. Returns how many records were revived.
        """
        ...

    def outbox_counts(self) -> dict[OutboxState, int]:
        """How many records are in each state (every state present, 0 when none)."""
        ...

    def outbox_purge(self, *, delivered_before: _dt.datetime) -> int:
        """
        Delete the records delivered before ``delivered_before`` and return how many.

        Their idempotency keys are forgotten with them: keep records for longer than anything
        might enqueue the same notification again. Dead and pending records are kept.
        """
        ...
