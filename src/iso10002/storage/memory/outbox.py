"""
The outbox of :class:`~iso10002.storage.memory.InMemoryEventStore`: the reference semantics of
:class:`~iso10002.ports.store.OutboxStore` in plain Python. The store's lock guards every call.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Collection, Sequence

import attrs

from iso10002.model.outbox import (
    OutboxEntry,
    OutboxQuery,
    OutboxRecord,
    OutboxState,
    check_channel,
    check_worker,
)
from iso10002.model.values import ComplaintId

__all__ = ["MemoryOutbox"]

_PENDING = OutboxState.PENDING


class MemoryOutbox:
    """Records in a dict by id; not thread-safe on its own."""

    def __init__(self) -> None:
        self.records: dict[int, OutboxRecord] = {}
        self.keys: dict[str, int] = {}
        self.next_id = 1

    def plan(self, entries: Sequence[tuple[OutboxEntry, ComplaintId | None]]) -> list[OutboxRecord]:
        """The records ``entries`` would add (repeated keys dropped), without adding them."""
        planned: list[OutboxRecord] = []
        seen: set[str] = set()
        for entry, complaint_id in entries:
            key = entry.idempotency_key
            if key in self.keys or key in seen:
                continue
            seen.add(key)
            planned.append(self._record(self.next_id + len(planned), entry, complaint_id))
        return planned

    def add(self, records: Sequence[OutboxRecord]) -> None:
        """Store what :meth:`plan` returned."""
        for record in records:
            self.records[record.id] = record
            self.keys[record.idempotency_key] = record.id
        self.next_id += len(records)

    @staticmethod
    def _record(
        record_id: int, entry: OutboxEntry, complaint_id: ComplaintId | None
    ) -> OutboxRecord:
        due = entry.due_at
        return OutboxRecord(
            id=record_id,
            notification=entry.notification,
            channel=entry.channel,
            lane=entry.effective_lane,
            complaint_id=complaint_id,
            created_at=entry.notification.created_at,
            deliver_after=due,
            next_attempt_at=due,
            digest=entry.digest,
        )

    def claim(
        self,
        *,
        worker: str,
        now: _dt.datetime,
        lease: _dt.timedelta,
        limit: int,
        channels: Collection[str],
        digest: bool | None,
    ) -> list[OutboxRecord]:
        check_worker(worker, "worker")
        wanted = {check_channel(c, "channels") for c in channels}
        heads: dict[str, int] = {}
        for record in self.records.values():
            if record.state is _PENDING and record.id < heads.get(record.lane, record.id + 1):
                heads[record.lane] = record.id
        due = sorted(
            (
                r
                for r in self.records.values()
                if r.state is _PENDING
                and r.next_attempt_at is not None
                and r.next_attempt_at <= now
                and r.digest_id is None
                and r.channel in wanted
                and (digest is None or r.digest is digest)
                and heads[r.lane] == r.id
            ),
            key=lambda r: (r.next_attempt_at, r.id),
        )[:limit]
        until = now + lease
        claimed = []
        for record in due:
            updated = attrs.evolve(
                record,
                attempts=record.attempts + 1,
                claimed_by=worker,
                lease_until=until,
                next_attempt_at=until,
            )
            self.records[record.id] = updated
            claimed.append(updated)
        return claimed

    def _members(self, digest_id: int) -> list[OutboxRecord]:
        return [r for r in self.records.values() if r.digest_id == digest_id]

    def delivered(self, record_id: int, now: _dt.datetime) -> bool:
        record = self.records.get(record_id)
        if record is None or record.state is not _PENDING:
            return False
        for r in (record, *self._members(record_id)):
            if r.state is _PENDING:
                self.records[r.id] = attrs.evolve(
                    r,
                    state=OutboxState.DELIVERED,
                    delivered_at=now,
                    next_attempt_at=None,
                    claimed_by=None,
                    lease_until=None,
                )
        return True

    def failed(
        self, record_id: int, attempt: int, error: str, retry_at: _dt.datetime | None
    ) -> bool:
        record = self.records.get(record_id)
        if record is None or record.state is not _PENDING or record.attempts != attempt:
            return False
        if retry_at is not None:
            self.records[record_id] = attrs.evolve(
                record,
                last_error=error,
                next_attempt_at=retry_at,
                claimed_by=None,
                lease_until=None,
            )
            return True
        self.records[record_id] = attrs.evolve(
            record,
            state=OutboxState.DEAD,
            last_error=error,
            next_attempt_at=None,
            claimed_by=None,
            lease_until=None,
        )
        for member in self._members(record_id):
            if member.state is _PENDING:
                self.records[member.id] = attrs.evolve(
                    member,
                    state=OutboxState.DEAD,
                    last_error=f"its digest (record {record_id}) failed: {error}",
                )
        return True

    def merge(self, records: Sequence[OutboxRecord], digest: OutboxEntry) -> OutboxRecord | None:
        for record in records:
            current = self.records.get(record.id)
            if (
                current is None
                or current.state is not _PENDING
                or current.attempts != record.attempts
                or current.digest_id is not None
            ):
                return None
        planned = self.plan([(digest, None)])
        if not planned:
            return None
        made = planned[0]
        self.add([made])
        for record in records:
            self.records[record.id] = attrs.evolve(
                self.records[record.id],
                digest_id=made.id,
                next_attempt_at=None,
                claimed_by=None,
                lease_until=None,
            )
        return made

    def query(self, query: OutboxQuery) -> list[OutboxRecord]:
        found = [r for r in sorted(self.records.values(), key=lambda r: r.id) if query.matches(r)]
        return found[: query.limit]

    def get(self, key: int | str) -> OutboxRecord | None:
        if isinstance(key, str):
            found = self.keys.get(key)
            return None if found is None else self.records.get(found)
        return self.records.get(key)

    def retry(self, record_ids: Sequence[int], now: _dt.datetime) -> int:
        wanted = set(record_ids)
        revived = 0
        for record_id in sorted(wanted):
            record = self.records.get(record_id)
            if record is None or record.state is not OutboxState.DEAD:
                continue
            alone = record.digest_id is not None and record.digest_id not in wanted
            self.records[record_id] = attrs.evolve(
                record,
                state=_PENDING,
                attempts=0,
                next_attempt_at=now if record.digest_id is None or alone else None,
                digest_id=None if alone else record.digest_id,
            )
            revived += 1
            for member in self._members(record_id):
                if member.state is OutboxState.DEAD and member.id not in wanted:
                    self.records[member.id] = attrs.evolve(member, state=_PENDING, attempts=0)
                    revived += 1
        return revived

    def counts(self) -> dict[OutboxState, int]:
        counts = dict.fromkeys(OutboxState, 0)
        for record in self.records.values():
            counts[record.state] += 1
        return counts

    def forget(self, complaint_id: ComplaintId) -> int:
        """Delete every record of ``complaint_id`` (its personal data is being erased)."""
        gone = [r for r in self.records.values() if r.complaint_id == complaint_id]
        for record in gone:
            del self.records[record.id]
            del self.keys[record.idempotency_key]
        return len(gone)

    def purge(self, before: _dt.datetime) -> int:
        gone = [
            r
            for r in self.records.values()
            if r.state is OutboxState.DELIVERED
            and r.delivered_at is not None
            and r.delivered_at < before
        ]
        for record in gone:
            del self.records[record.id]
            del self.keys[record.idempotency_key]
        return len(gone)
