"""
:class:`OutboxDispatcher`: delivers what the outbox holds, from a worker loop or a cron job.

One call of :meth:`OutboxDispatcher.dispatch` merges due digestible notifications into digests,
then, round after round, claims the due records (one per lane at a time), hands each to its
notifier, and records the outcome: delivered; a temporary failure, retried later with
exponential backoff; or a permanent failure (or too many temporary ones), moved to the dead
letters.

Delivery is **at least once**. A dispatcher that dies after a notifier accepted a notification
but before the outcome was recorded leaves the record claimed; once the claim's lease is over,
another dispatcher sends it again, with the same idempotency key, which receivers use to drop
the repeat. In normal operation no record is sent twice: claims are atomic in the store.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import socket
import uuid
from collections.abc import Iterable, Mapping

import attrs

from iso10002.clock import Clock, SystemClock
from iso10002.errors import DeliveryError, ValidationError
from iso10002.model.outbox import (
    ERROR_LIMIT,
    OutboxEntry,
    OutboxQuery,
    OutboxRecord,
    OutboxState,
    check_channel,
    check_worker,
)
from iso10002.outbox.digest import DigestPolicy
from iso10002.outbox.retry import RetryPolicy
from iso10002.ports.notify import Notifier
from iso10002.ports.store import OutboxStore, is_outbox_store

__all__ = ["DispatchReport", "OutboxDispatcher"]

_log = logging.getLogger("iso10002.outbox")

_MAX_LIMIT = 100_000
_DIGEST_BATCH = 10_000
"""Digestible records claimed per round of the digest step."""


@attrs.frozen(kw_only=True)
class DispatchReport:
    """What one :meth:`OutboxDispatcher.dispatch` did."""

    claimed: int = 0
    """Records claimed to be sent (digests included, the records merged into them not)."""
    delivered: int = 0
    """Records delivered (a digest counts once)."""
    retried: int = 0
    """Records that failed temporarily and were scheduled again."""
    dead: int = 0
    """Records moved to the dead letters."""
    digests: int = 0
    """Digests made."""
    merged: int = 0
    """Records merged into those digests."""
    lost: int = 0
    """Claimed records left alone because the claim's lease ran out before they were sent, or
    whose outcome could not be recorded because another dispatcher had claimed them since."""

    @property
    def busy(self) -> bool:
        """Whether anything was done: call again at once when true, wait a little when not."""
        return self.claimed > 0 or self.digests > 0

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            **{
                field.name: getattr(self, field.name) + getattr(other, field.name)
                for field in attrs.fields(DispatchReport)
            }
        )


@attrs.define
class _Tally:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    digests: int = 0
    merged: int = 0
    lost: int = 0

    def report(self) -> DispatchReport:
        return DispatchReport(**attrs.asdict(self))


def _default_worker() -> str:
    host = "".join(c for c in socket.gethostname() if "!" <= c <= "~")[:100] or "host"
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _positive_int(value: object, name: str, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
        raise ValidationError(name, f"must be an integer from 1 to {high}, got {value!r}")
    return value


class OutboxDispatcher:
    """
    Sends the outbox's due notifications through the notifiers, and records the outcomes.

    Args:
        store: an outbox-capable store (:class:`~iso10002.ports.store.OutboxStore`).
        notifiers: the notifiers by channel name, as entries name them (``{"smtp": mail}``).
            Only records of these channels are claimed, so one dispatcher per channel works
            too; a record of a channel no dispatcher serves stays pending.
        clock: "now" for due times, leases and backoff; the system clock if omitted.
        policy: the backoff and when to give up; :class:`RetryPolicy` defaults if omitted.
        digests: how to merge digestible notifications; ``None`` sends them one by one.
        lease: how long a claim lasts. Make it much longer than a notifier's timeouts: a
            record still being sent when its lease ends may be sent again by another
            dispatcher.
        worker: this dispatcher's name in ``claimed_by``; host, process id and a random
            suffix by default.
        batch: how many records one claim takes at most.

    Raises:
        ValidationError: a bad argument (the message names it).
    """

    def __init__(
        self,
        store: OutboxStore,
        notifiers: Mapping[str, Notifier],
        *,
        clock: Clock | None = None,
        policy: RetryPolicy | None = None,
        digests: DigestPolicy | None = None,
        lease: _dt.timedelta = _dt.timedelta(minutes=5),
        worker: str | None = None,
        batch: int = 100,
    ) -> None:
        if not is_outbox_store(store):
            raise ValidationError(
                "store", f"{type(store).__name__} keeps no outbox (see OutboxStore)"
            )
        if not isinstance(notifiers, Mapping) or not notifiers:
            raise ValidationError("notifiers", "expected a non-empty mapping of names to notifiers")
        for name, notifier in notifiers.items():
            check_channel(name, "notifiers")
            if not isinstance(notifier, Notifier):
                raise ValidationError(
                    f"notifiers.{name}", f"expected a Notifier, got {type(notifier).__name__}"
                )
        if policy is not None and not isinstance(policy, RetryPolicy):
            raise ValidationError("policy", f"expected RetryPolicy, got {type(policy).__name__}")
        if digests is not None and not isinstance(digests, DigestPolicy):
            raise ValidationError("digests", f"expected DigestPolicy, got {type(digests).__name__}")
        if not isinstance(lease, _dt.timedelta) or lease <= _dt.timedelta(0):
            raise ValidationError("lease", f"must be a positive timedelta, got {lease!r}")
        name = worker if worker is not None else _default_worker()
        check_worker(name, "worker")
        self.store = store
        self.notifiers: dict[str, Notifier] = dict(notifiers)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.policy: RetryPolicy = policy if policy is not None else RetryPolicy()
        self.digests = digests
        self.lease = lease
        self.worker = name
        self.batch = _positive_int(batch, "batch", 10_000)

    # -- the work -----------------------------------------------------------------------------

    def dispatch(self, limit: int = 1000) -> DispatchReport:
        """
        Merge the due digests, then send up to ``limit`` due records, and report.

        Records of one lane go one at a time, in order: a lane's next record is claimed in a
        later round of the same call once the previous one is delivered. Returns when
        ``limit`` records were claimed or none is due.
        """
        _positive_int(limit, "limit", _MAX_LIMIT)
        tally = _Tally()
        if self.digests is not None:
            self._digest(self.digests, tally)
        channels = tuple(self.notifiers)
        # With digests, digestible records go only through the digest step (merged, or alone
        # when too few), even those that become due during this call: the next call merges them.
        digest = None if self.digests is None else False
        while tally.claimed < limit:
            claimed = self.store.outbox_claim(
                worker=self.worker,
                now=self.clock.now(),
                lease=self.lease,
                limit=min(self.batch, limit - tally.claimed),
                channels=channels,
                digest=digest,
            )
            if not claimed:
                break
            tally.claimed += len(claimed)
            for record in claimed:
                self._send(record, tally)
        return tally.report()

    def drain(self, *, limit: int = _MAX_LIMIT) -> DispatchReport:
        """
        :meth:`dispatch` until nothing more is due now (or ``limit`` records were claimed),
        for a cron job or the end of a test. Records scheduled for later stay for later.
        """
        _positive_int(limit, "limit", _MAX_LIMIT)
        total = DispatchReport()
        while total.claimed < limit:
            report = self.dispatch(limit - total.claimed)
            total += report
            if not report.busy:
                break
        return total

    def digest(self) -> DispatchReport:
        """Only merge the due digestible records into digests (:meth:`dispatch` does it too)."""
        if self.digests is None:
            raise ValidationError("digests", "this dispatcher has no DigestPolicy")
        tally = _Tally()
        self._digest(self.digests, tally)
        return tally.report()

    def _digest(self, digests: DigestPolicy, tally: _Tally) -> None:
        now = self.clock.now()
        claimed: list[OutboxRecord] = []
        while True:
            got = self.store.outbox_claim(
                worker=self.worker,
                now=now,
                lease=self.lease,
                limit=_DIGEST_BATCH,
                channels=tuple(self.notifiers),
                digest=True,
            )
            claimed.extend(got)
            if len(got) < _DIGEST_BATCH:
                break
        groups: dict[tuple[str, str], list[OutboxRecord]] = {}
        for record in claimed:
            groups.setdefault((record.channel, record.notification.recipient), []).append(record)
        for (channel, _recipient), group in groups.items():
            for start in range(0, len(group), digests.max_size):
                self._merge(digests, channel, group[start : start + digests.max_size], now, tally)

    def _merge(
        self,
        digests: DigestPolicy,
        channel: str,
        records: list[OutboxRecord],
        now: _dt.datetime,
        tally: _Tally,
    ) -> None:
        if len(records) < digests.min_size:
            # Too few to merge: they are claimed already, so send them as they are.
            tally.claimed += len(records)
            for record in records:
                self._send(record, tally)
            return
        notification = digests.render(records, now)
        entry = OutboxEntry(
            notification=notification,
            channel=channel,
            lane=f"digest:{notification.idempotency_key}",
        )
        made = self.store.outbox_merge(records, entry)
        if made is None:
            # A claim ran out meanwhile: leave the records to whoever holds them now.
            tally.lost += len(records)
            return
        tally.digests += 1
        tally.merged += len(records)
        _log.info(
            "outbox: %d notifications merged into digest %r (record %d)",
            len(records),
            made.idempotency_key,
            made.id,
        )

    def _send(self, record: OutboxRecord, tally: _Tally) -> None:
        now = self.clock.now()
        if record.lease_until is not None and record.lease_until <= now:
            # Another dispatcher may hold it by now; sending it too would deliver it twice.
            tally.lost += 1
            return
        key, reference = record.idempotency_key, record.complaint_reference
        if record.attempts > self.policy.max_attempts:
            # Earlier claims never reported back (a dispatcher killed while sending it, again
            # and again): stop before this notification takes down more workers.
            self._fail(
                record,
                tally,
                f"notification {key!r} gave up after {record.attempts - 1} attempts whose "
                "outcome was never recorded",
                retryable=False,
            )
            return
        notifier = self.notifiers[record.channel]
        try:
            notifier.send(record.notification)
        except DeliveryError as e:
            self._fail(record, tally, str(e), retryable=e.retryable)
            return
        except Exception as e:
            # A notifier's bug must not stop the other notifications, nor leave this one
            # claimed until its lease ends. Its message may quote the recipient or the
            # content, so only the exception's type is kept.
            _log.warning(
                "outbox: notifier %r raised %s for notification %r (complaint %s)",
                record.channel,
                type(e).__name__,
                key,
                reference,
            )
            reason = (
                f"notification {key!r} not delivered by {record.channel}: the notifier raised "
                f"{type(e).__name__}"
            )
            self._fail(record, tally, reason, retryable=True)
            return
        if self.store.outbox_delivered(record.id, now=self.clock.now()):
            tally.delivered += 1
            _log.debug("outbox: notification %r (complaint %s) delivered", key, reference)
        else:
            tally.lost += 1

    def _fail(self, record: OutboxRecord, tally: _Tally, error: str, *, retryable: bool) -> None:
        now = self.clock.now()
        give_up = not retryable or self.policy.gives_up_after(record.attempts)
        retry_at = (
            None if give_up else now + self.policy.delay(record.attempts, record.idempotency_key)
        )
        if retryable and give_up:
            plural = "" if record.attempts == 1 else "s"
            error = f"{error} (gave up after {record.attempts} attempt{plural})"
        if len(error) > ERROR_LIMIT:
            # The end says why it was given up; keep it.
            error = error[: ERROR_LIMIT // 2 - 1] + "…" + error[-(ERROR_LIMIT // 2) :]
        if not self.store.outbox_failed(
            record.id, attempt=record.attempts, error=error, retry_at=retry_at
        ):
            tally.lost += 1
            return
        if retry_at is None:
            tally.dead += 1
            _log.warning(
                "outbox: notification %r (complaint %s) moved to the dead letters: %s",
                record.idempotency_key,
                record.complaint_reference,
                error,
            )
        else:
            tally.retried += 1

    # -- dead letters -------------------------------------------------------------------------

    def dead_letters(self, *, limit: int = 100, after_id: int = 0) -> list[OutboxRecord]:
        """The dead records, oldest first, one page (pass the last ``id`` as ``after_id``)."""
        return self.store.outbox_records(
            OutboxQuery(state=OutboxState.DEAD, limit=limit, after_id=after_id)
        )

    def retry(self, records: Iterable[int | OutboxRecord]) -> int:
        """
        Send these dead records again, from now on, with a fresh count of attempts (after the
        cause was fixed: a password, a URL, a recipient). Returns how many were revived.
        """
        ids: list[int] = []
        for item in records:
            record_id = item.id if isinstance(item, OutboxRecord) else item
            if not isinstance(record_id, int) or isinstance(record_id, bool) or record_id < 1:
                raise ValidationError("records", f"expected record ids, got {item!r}")
            ids.append(record_id)
        return self.store.outbox_retry(ids, now=self.clock.now()) if ids else 0

    def retry_all_dead(self) -> int:
        """Revive every dead record; returns how many."""
        revived = 0
        after = 0
        while True:
            page = self.dead_letters(limit=1000, after_id=after)
            if not page:
                return revived
            revived += self.retry(page)
            after = page[-1].id

    def counts(self) -> dict[OutboxState, int]:
        """How many records are in each state."""
        return self.store.outbox_counts()

    def __repr__(self) -> str:
        return f"OutboxDispatcher(worker={self.worker!r}, channels={sorted(self.notifiers)!r})"
