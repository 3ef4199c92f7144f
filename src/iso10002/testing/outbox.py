"""
:class:`OutboxStoreContract`: the behaviour every outbox-capable store
(:class:`~iso10002.ports.store.OutboxStore`) must show, as a pytest test class to inherit.

Prove a store conforms by subclassing it and saying how to make an empty store::

    from pathlib import Path

    from iso10002.testing import OutboxStoreContract

    class TestMyStoreOutbox(OutboxStoreContract):
        def make_store(self, tmp_path: Path) -> MyStore:
            return MyStore(tmp_path / "complaints")

Every test speaks to the store only through the protocols, with the instants passed in (no
clock is read). Needs pytest.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from iso10002.errors import ConcurrencyConflict, ValidationError
from iso10002.model.events import Event
from iso10002.model.notification import Notification, NotificationKind
from iso10002.model.outbox import OutboxEntry, OutboxQuery, OutboxRecord, OutboxState
from iso10002.ports.store import Append, OutboxEventStore, OutboxStore, is_outbox_store
from iso10002.testing._contract import StoreContract, version_of
from iso10002.testing.samples import note_event, received_event, summary_after

__all__ = ["OutboxEventStore", "OutboxStoreContract"]

_UTC = _dt.timezone.utc
_T0 = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_UTC)
_LEASE = _dt.timedelta(minutes=5)
_CHANNELS = ("smtp", "webhook")


def _minutes(n: float) -> _dt.datetime:
    return _T0 + _dt.timedelta(minutes=n)


def notification(
    key: str,
    reference: str | None = "CMP-2026-000001",
    *,
    at: _dt.datetime = _T0,
    kind: str = NotificationKind.ACKNOWLEDGEMENT,
    recipient: str = "ada@example.org",
    data: dict[str, Any] | None = None,
) -> Notification:
    """A small notification for the contract's records."""
    return Notification(
        idempotency_key=key,
        complaint_reference=reference,
        kind=kind,
        recipient=recipient,
        subject=f"About {reference or 'many'}",
        text="Dear Ada,\n\nWe have your complaint.\n",
        created_at=at,
        data=data or {},
    )


def entry(key: str, reference: str | None = "CMP-2026-000001", **fields: Any) -> OutboxEntry:
    """An entry for the notification ``key``; ``fields`` go to :class:`OutboxEntry`."""
    at = fields.pop("at", _T0)
    kind = fields.pop("kind", NotificationKind.ACKNOWLEDGEMENT)
    recipient = fields.pop("recipient", "ada@example.org")
    fields.setdefault("channel", "smtp")
    return OutboxEntry(
        notification=notification(key, reference, at=at, kind=kind, recipient=recipient),
        **fields,
    )


class OutboxStoreContract(StoreContract[OutboxEventStore]):
    """
    The outbox contract as pytest tests; subclass it and implement :meth:`make_store`.
    """

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def receive(
        store: OutboxEventStore, reference: str, *entries: OutboxEntry
    ) -> tuple[Event, ...]:
        """Append a new complaint ``reference`` with ``entries``; returns its history."""
        first = received_event(reference=reference)
        store.append_many(
            [
                Append(
                    events=(first,),
                    expected_version=0,
                    summary=summary_after([first]),
                    outbox=entries,
                )
            ]
        )
        return (first,)

    @staticmethod
    def add_note(
        store: OutboxEventStore, history: Sequence[Event], *entries: OutboxEntry
    ) -> tuple[Event, ...]:
        """Append a note to the complaint of ``history`` with ``entries``."""
        note = note_event(history[-1], "a note")
        new = (*history, note)
        store.append_many(
            [
                Append(
                    events=(note,),
                    expected_version=len(history),
                    summary=summary_after(list(new)),
                    outbox=entries,
                )
            ]
        )
        return new

    @staticmethod
    def claim(
        store: OutboxEventStore,
        at: _dt.datetime = _T0,
        *,
        worker: str = "w1",
        limit: int = 100,
        channels: Sequence[str] = _CHANNELS,
        digest: bool | None = None,
    ) -> list[OutboxRecord]:
        """Claim with the contract's lease."""
        return store.outbox_claim(
            worker=worker,
            now=at,
            lease=_LEASE,
            limit=limit,
            channels=channels,
            digest=digest,
        )

    @staticmethod
    def keys(records: Sequence[OutboxRecord]) -> list[str]:
        """The records' idempotency keys, in order."""
        return [r.idempotency_key for r in records]

    # -- writing ------------------------------------------------------------------------------

    def test_is_an_outbox_store(self, store: OutboxEventStore) -> None:
        assert isinstance(store, OutboxStore)
        assert is_outbox_store(store), "declare Capability.OUTBOX in the store's capabilities"
        assert store.outbox_counts() == dict.fromkeys(OutboxState, 0)

    def test_entries_are_written_with_the_events(self, store: OutboxEventStore) -> None:
        history = self.receive(
            store,
            "CMP-2026-000001",
            entry("ack-1"),
            entry("alert-1", channel="webhook", deliver_after=_minutes(60), lane="staff-1"),
        )
        ack = store.outbox_record("ack-1")
        assert ack is not None
        assert ack == store.outbox_record(ack.id)
        assert ack.notification == notification("ack-1")
        assert (ack.channel, ack.lane, ack.complaint_id) == (
            "smtp",
            "CMP-2026-000001",
            history[0].complaint_id,
        )
        assert (ack.created_at, ack.deliver_after, ack.next_attempt_at) == (_T0, _T0, _T0)
        assert (ack.attempts, ack.state, ack.last_error, ack.delivered_at) == (
            0,
            OutboxState.PENDING,
            None,
            None,
        )
        assert (ack.claimed_by, ack.lease_until, ack.digest, ack.digest_id) == (
            None,
            None,
            False,
            None,
        )
        alert = store.outbox_record("alert-1")
        assert alert is not None
        assert alert.id > ack.id
        assert (alert.channel, alert.lane, alert.deliver_after) == (
            "webhook",
            "staff-1",
            _minutes(60),
        )
        assert store.outbox_record("no-such-key") is None
        assert store.outbox_record(10_000) is None
        assert store.outbox_counts()[OutboxState.PENDING] == 2

    def test_a_failing_append_writes_no_entry(self, store: OutboxEventStore) -> None:
        history = self.receive(store, "CMP-2026-000001", entry("ack-1"))
        self.add_note(store, history)
        # Written by someone who had not seen that note.
        note = note_event(history[-1], "late")
        stale = Append(
            events=(note,),
            expected_version=1,
            summary=summary_after([*history, note]),
            outbox=(entry("lost-1"),),
        )
        with pytest.raises(ConcurrencyConflict):
            store.append_many([stale])
        # A batch whose second append fails writes neither part.
        fresh = received_event(reference="CMP-2026-000002")
        good = Append(
            events=(fresh,),
            expected_version=0,
            summary=summary_after([fresh]),
            outbox=(entry("lost-2", "CMP-2026-000002"),),
        )
        with pytest.raises(ConcurrencyConflict):
            store.append_many([good, stale])
        assert store.outbox_record("lost-1") is None
        assert store.outbox_record("lost-2") is None
        assert version_of(store, fresh.complaint_id) == 0
        assert self.keys(store.outbox_records(OutboxQuery())) == ["ack-1"]

    def test_a_repeated_key_keeps_the_first_entry(self, store: OutboxEventStore) -> None:
        history = self.receive(
            store, "CMP-2026-000001", entry("ack-1"), entry("ack-1", channel="webhook")
        )
        self.add_note(store, history, entry("ack-1", channel="webhook"))
        assert store.outbox_enqueue([entry("ack-1", channel="webhook"), entry("other-1")]) == 1
        assert store.outbox_enqueue([]) == 0
        records = store.outbox_records(OutboxQuery())
        assert self.keys(records) == ["ack-1", "other-1"]
        assert records[0].channel == "smtp"
        assert records[1].complaint_id is None

    def test_an_outbox_entry_needs_an_outbox_store(self) -> None:
        first = received_event()
        with pytest.raises(ValidationError, match=r"outbox\[0\]: expected OutboxEntry"):
            Append(
                events=(first,),
                expected_version=0,
                summary=summary_after([first]),
                outbox=("not an entry",),
            )

    # -- claiming -----------------------------------------------------------------------------

    def test_a_claim_takes_due_records_of_its_channels_oldest_due_first(
        self, store: OutboxEventStore
    ) -> None:
        store.outbox_enqueue(
            [
                entry("later", "CMP-1", deliver_after=_minutes(30)),
                entry("hook", "CMP-2", channel="webhook", at=_minutes(-5)),
                entry("sms", "CMP-3", channel="sms"),
                entry("first", "CMP-4", at=_minutes(-10)),
                entry("now", "CMP-5"),
            ]
        )
        claimed = self.claim(store, limit=2)
        assert self.keys(claimed) == ["first", "hook"]
        for record in claimed:
            assert record.attempts == 1
            assert record.claimed_by == "w1"
            assert record.lease_until == record.next_attempt_at == _T0 + _LEASE
            assert record.state is OutboxState.PENDING
            assert store.outbox_record(record.id) == record
        more = self.claim(store, channels=["smtp"])
        assert self.keys(more) == ["now"]
        assert self.claim(store) == []
        for record in (*claimed, *more):
            assert store.outbox_delivered(record.id, now=_T0)
        assert self.keys(self.claim(store, _minutes(30))) == ["later"]
        assert self.keys(self.claim(store, _minutes(30), channels=["sms"])) == ["sms"]

    def test_a_lane_is_delivered_in_order(self, store: OutboxEventStore) -> None:
        history = self.receive(store, "CMP-2026-000001", entry("a1"), entry("a2"))
        self.add_note(store, history, entry("a3"))
        self.receive(store, "CMP-2026-000002", entry("b1", "CMP-2026-000002"))
        first = self.claim(store)
        assert self.keys(first) == ["a1", "b1"]
        # Claimed but not reported: the rest of its lane waits, even for another worker.
        assert self.claim(store, worker="w2") == []
        assert store.outbox_delivered(first[0].id, now=_T0)
        assert self.keys(self.claim(store, worker="w2")) == ["a2"]

    def test_a_failing_record_holds_back_its_lane_only(self, store: OutboxEventStore) -> None:
        store.outbox_enqueue(
            [entry("a1", "A"), entry("a2", "A"), entry("b1", "B"), entry("b2", "B")]
        )
        a1, b1 = self.claim(store)
        assert store.outbox_failed(a1.id, attempt=1, error="try later", retry_at=_minutes(10))
        assert store.outbox_delivered(b1.id, now=_T0)
        (b2,) = self.claim(store)
        assert b2.idempotency_key == "b2"
        assert store.outbox_delivered(b2.id, now=_T0)
        assert self.claim(store, _minutes(9)) == []
        again = self.claim(store, _minutes(10))
        assert self.keys(again) == ["a1"]
        assert again[0].attempts == 2
        assert again[0].last_error == "try later"
        # A dead record no longer holds its lane back.
        assert store.outbox_failed(again[0].id, attempt=2, error="refused", retry_at=None)
        assert self.keys(self.claim(store, _minutes(10))) == ["a2"]

    def test_a_record_scheduled_for_later_holds_back_its_lane(
        self, store: OutboxEventStore
    ) -> None:
        store.outbox_enqueue(
            [entry("a1", "A", deliver_after=_minutes(60)), entry("a2", "A"), entry("c1", "C")]
        )
        (c1,) = self.claim(store)
        assert c1.idempotency_key == "c1"
        assert store.outbox_delivered(c1.id, now=_T0)
        assert self.keys(self.claim(store, _minutes(60))) == ["a1"]

    def test_a_claim_is_held_until_its_lease_ends(self, store: OutboxEventStore) -> None:
        store.outbox_enqueue([entry("a1", "A")])
        (held,) = self.claim(store)
        assert self.claim(store, _T0 + _LEASE - _dt.timedelta(microseconds=1), worker="w2") == []
        (taken,) = self.claim(store, _T0 + _LEASE, worker="w2")
        assert (taken.id, taken.attempts, taken.claimed_by) == (held.id, 2, "w2")
        # The first worker's outcome no longer decides...
        assert not store.outbox_failed(held.id, attempt=1, error="late", retry_at=_minutes(60))
        # ...but its delivery is a fact.
        assert store.outbox_delivered(held.id, now=_minutes(6))
        assert not store.outbox_failed(held.id, attempt=2, error="late", retry_at=None)
        done = store.outbox_record(held.id)
        assert done is not None
        assert (done.state, done.delivered_at, done.claimed_by) == (
            OutboxState.DELIVERED,
            _minutes(6),
            None,
        )
        assert not store.outbox_delivered(held.id, now=_minutes(8))

    def test_claims_from_many_threads_never_overlap(self, store: OutboxEventStore) -> None:
        store.outbox_enqueue([entry(f"k{n}", f"L{n}") for n in range(200)])
        taken: list[list[int]] = [[] for _ in range(8)]
        start = threading.Barrier(8)

        def work(n: int) -> None:
            start.wait()
            while batch := self.claim(store, worker=f"w{n}", limit=7):
                taken[n].extend(r.id for r in batch)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ids = [i for got in taken for i in got]
        assert len(ids) == len(set(ids)) == 200

    def test_bad_claims_are_refused(self, store: OutboxEventStore) -> None:
        with pytest.raises(ValidationError, match=r"^worker:"):
            self.claim(store, worker="two words")
        with pytest.raises(ValidationError, match=r"^channels:"):
            self.claim(store, channels=["SMTP"])

    # -- outcomes -----------------------------------------------------------------------------

    def test_a_temporary_failure_is_rescheduled_and_a_permanent_one_dies(
        self, store: OutboxEventStore
    ) -> None:
        store.outbox_enqueue([entry("a1", "A"), entry("b1", "B")])
        a1, b1 = self.claim(store)
        assert store.outbox_failed(a1.id, attempt=1, error="HTTP 503", retry_at=_minutes(1))
        assert store.outbox_failed(b1.id, attempt=1, error="HTTP 410", retry_at=None)
        later = store.outbox_record(a1.id)
        dead = store.outbox_record(b1.id)
        assert later is not None
        assert dead is not None
        assert (later.state, later.next_attempt_at, later.last_error, later.claimed_by) == (
            OutboxState.PENDING,
            _minutes(1),
            "HTTP 503",
            None,
        )
        assert (dead.state, dead.next_attempt_at, dead.last_error, dead.attempts) == (
            OutboxState.DEAD,
            None,
            "HTTP 410",
            1,
        )
        assert store.outbox_counts() == {
            OutboxState.PENDING: 1,
            OutboxState.DELIVERED: 0,
            OutboxState.DEAD: 1,
        }
        assert not store.outbox_failed(b1.id, attempt=1, error="x", retry_at=None)
        assert not store.outbox_delivered(b1.id, now=_T0)
        assert not store.outbox_delivered(999_999, now=_T0)

    def test_dead_records_can_be_retried(self, store: OutboxEventStore) -> None:
        store.outbox_enqueue([entry("a1", "A"), entry("a2", "A")])
        (a1,) = self.claim(store)
        store.outbox_failed(a1.id, attempt=1, error="refused", retry_at=None)
        (a2,) = self.claim(store)
        assert a2.idempotency_key == "a2"
        assert store.outbox_retry([a1.id, a2.id, 999_999], now=_minutes(30)) == 1
        revived = store.outbox_record(a1.id)
        assert revived is not None
        assert (revived.state, revived.attempts, revived.next_attempt_at) == (
            OutboxState.PENDING,
            0,
            _minutes(30),
        )
        assert revived.last_error == "refused"
        # The revived record is the head of its lane again.
        assert store.outbox_delivered(a2.id, now=_T0)
        assert self.keys(self.claim(store, _minutes(30))) == ["a1"]
        assert store.outbox_retry([], now=_T0) == 0

    # -- digests ------------------------------------------------------------------------------

    def digestible(self, store: OutboxEventStore) -> list[OutboxRecord]:
        """Three warnings in two lanes (lane A: a warning then a breach), all claimed."""
        store.outbox_enqueue(
            [
                entry("w-a", "A", kind="sla_warning", digest=True),
                entry("breach-a", "A", kind="sla_breach"),
                entry("w-b", "B", kind="sla_warning", digest=True),
                entry("w-c", "C", kind="sla_warning", digest=True, recipient="bob@example.org"),
                entry("plain", "D"),
            ]
        )
        return self.claim(store, digest=True)

    def test_claims_for_a_digest_take_only_digestible_lane_heads(
        self, store: OutboxEventStore
    ) -> None:
        assert self.keys(self.digestible(store)) == ["w-a", "w-b", "w-c"]
        assert self.keys(self.claim(store, digest=False)) == ["plain"]

    def test_claims_may_leave_digestible_records_out(self, store: OutboxEventStore) -> None:
        store.outbox_enqueue(
            [entry("w-a", "A", kind="sla_warning", digest=True), entry("plain", "B")]
        )
        assert self.keys(self.claim(store, digest=False)) == ["plain"]
        assert self.keys(self.claim(store)) == ["w-a"]

    def test_merged_records_travel_with_their_digest(self, store: OutboxEventStore) -> None:
        claimed = self.digestible(store)[:2]
        digest = entry("digest-1", None, kind="warning_digest", lane="digest:1", at=_minutes(1))
        made = store.outbox_merge(claimed, digest)
        assert made is not None
        assert (made.idempotency_key, made.lane, made.state, made.created_at) == (
            "digest-1",
            "digest:1",
            OutboxState.PENDING,
            _minutes(1),
        )
        for record in claimed:
            merged = store.outbox_record(record.id)
            assert merged is not None
            assert (merged.state, merged.digest_id, merged.next_attempt_at) == (
                OutboxState.PENDING,
                made.id,
                None,
            )
        # The breach waits behind the merged warning of its lane, until the digest is sent.
        (sent,) = self.claim(store, _minutes(1), channels=["smtp"], limit=1)
        assert sent.idempotency_key == "plain"
        (sent,) = self.claim(store, _minutes(1), limit=1)
        assert sent.id == made.id
        assert store.outbox_delivered(made.id, now=_minutes(2))
        for record in claimed:
            done = store.outbox_record(record.id)
            assert done is not None
            assert (done.state, done.delivered_at) == (OutboxState.DELIVERED, _minutes(2))
        assert self.keys(self.claim(store, _minutes(2))) == ["breach-a"]

    def test_a_dead_digest_takes_its_records_with_it_and_back(
        self, store: OutboxEventStore
    ) -> None:
        claimed = self.digestible(store)[:2]
        made = store.outbox_merge(claimed, entry("digest-1", None))
        assert made is not None
        (digest,) = [r for r in self.claim(store) if r.id == made.id]
        assert store.outbox_failed(digest.id, attempt=1, error="refused", retry_at=None)
        for record in claimed:
            dead = store.outbox_record(record.id)
            assert dead is not None
            assert dead.state is OutboxState.DEAD
            assert dead.last_error is not None
            assert "refused" in dead.last_error
        assert store.outbox_retry([made.id], now=_minutes(5)) == 3
        for record in claimed:
            back = store.outbox_record(record.id)
            assert back is not None
            assert (back.state, back.digest_id, back.next_attempt_at) == (
                OutboxState.PENDING,
                made.id,
                None,
            )

    def test_a_merged_record_retried_alone_leaves_its_digest(self, store: OutboxEventStore) -> None:
        claimed = self.digestible(store)[:2]
        made = store.outbox_merge(claimed, entry("digest-1", None))
        assert made is not None
        (digest,) = [r for r in self.claim(store) if r.id == made.id]
        store.outbox_failed(digest.id, attempt=1, error="refused", retry_at=None)
        assert store.outbox_retry([claimed[1].id], now=_minutes(5)) == 1
        alone = store.outbox_record(claimed[1].id)
        assert alone is not None
        assert (alone.state, alone.digest_id, alone.next_attempt_at) == (
            OutboxState.PENDING,
            None,
            _minutes(5),
        )
        assert "w-b" in self.keys(self.claim(store, _minutes(5), digest=True))

    def test_a_merge_of_records_no_longer_held_changes_nothing(
        self, store: OutboxEventStore
    ) -> None:
        claimed = self.digestible(store)[:2]
        # The leases run out and another worker takes w-a.
        (retaken,) = self.claim(store, _T0 + _LEASE, worker="w2", digest=True, limit=1)
        assert retaken.idempotency_key == "w-a"
        assert store.outbox_merge(claimed, entry("digest-1", None)) is None
        assert store.outbox_record("digest-1") is None
        for record in claimed:
            unchanged = store.outbox_record(record.id)
            assert unchanged is not None
            assert unchanged.digest_id is None

    # -- listing and housekeeping -------------------------------------------------------------

    def test_records_are_listed_by_id_with_filters_and_pages(self, store: OutboxEventStore) -> None:
        store.outbox_enqueue(
            [
                entry("a1", "A", kind="decision"),
                entry("b1", "B", channel="webhook"),
                entry("a2", "A", lane="A/staff"),
                entry("n1", None),
            ]
        )
        a1 = self.claim(store)[0]
        store.outbox_failed(a1.id, attempt=1, error="refused", retry_at=None)

        def listed(**criteria: Any) -> list[str]:
            return self.keys(store.outbox_records(OutboxQuery(**criteria)))

        assert listed() == ["a1", "b1", "a2", "n1"]
        assert listed(state=OutboxState.DEAD) == ["a1"]
        assert listed(state=OutboxState.PENDING) == ["b1", "a2", "n1"]
        assert listed(complaint_reference="A") == ["a1", "a2"]
        assert listed(channel="webhook") == ["b1"]
        assert listed(kind="decision") == ["a1"]
        assert listed(lane="A/staff") == ["a2"]
        assert listed(lane="key:n1") == ["n1"]
        first = store.outbox_records(OutboxQuery(limit=2))
        assert self.keys(first) == ["a1", "b1"]
        assert listed(after_id=first[-1].id, limit=2) == ["a2", "n1"]

    def test_purge_deletes_only_what_was_delivered_before_the_instant(
        self, store: OutboxEventStore
    ) -> None:
        store.outbox_enqueue([entry("a1", "A"), entry("b1", "B"), entry("c1", "C")])
        a1, b1, c1 = self.claim(store)
        store.outbox_delivered(a1.id, now=_minutes(1))
        store.outbox_delivered(b1.id, now=_minutes(3))
        store.outbox_failed(c1.id, attempt=1, error="refused", retry_at=None)
        assert store.outbox_purge(delivered_before=_minutes(2)) == 1
        assert self.keys(store.outbox_records(OutboxQuery())) == ["b1", "c1"]
        # A purged key is forgotten: enqueueing it again is a new record.
        assert store.outbox_enqueue([entry("a1", "A")]) == 1
