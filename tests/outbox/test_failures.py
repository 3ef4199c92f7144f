"""
Outages against real servers on loopback: a mail server that is down for an hour, a webhook
receiver that answers 503 and recovers, permanent refusals. Only the clock is faked.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from iso10002 import ComplaintDesk, FixedClock
from iso10002.notify import (
    Notification,
    SmtpNotifier,
    WebhookEndpoint,
    WebhookNotifier,
)
from iso10002.outbox import (
    DeskChange,
    OutboxDispatcher,
    OutboxEntry,
    OutboxRecord,
    OutboxState,
    RetryPolicy,
)
from iso10002.storage.sqlite import SQLiteEventStore
from tests.notify.support import LOOPBACK, Mailbox

from .support import (
    SECRET,
    START,
    SwitchableReceiver,
    all_records,
    free_port,
    handle,
    minutes,
    policy,
    smtp_on,
    sqlite_store,
    webhook_receiver,
)

PATIENT = RetryPolicy(base=_dt.timedelta(seconds=30), cap=minutes(10), max_attempts=30)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteEventStore]:
    made = sqlite_store(tmp_path)
    try:
        yield made
    finally:
        made.close()


def mailer(port: int, clock: FixedClock) -> SmtpNotifier:
    return SmtpNotifier(
        host=LOOPBACK,
        port=port,
        security="none",
        from_address="complaints@example.org",
        timeout=5,
        clock=clock,
    )


def assert_in_order_per_lane(delivered: list[str], records: list[OutboxRecord]) -> None:
    """Each lane's keys reached the receiver in the order they were written."""
    first_seen = {key: index for index, key in reversed(list(enumerate(delivered)))}
    lanes: dict[str, list[str]] = {}
    for record in records:
        lanes.setdefault(record.lane, []).append(record.idempotency_key)
    for keys in lanes.values():
        assert [first_seen[k] for k in keys] == sorted(first_seen[k] for k in keys)


def test_a_mail_server_down_for_an_hour_loses_nothing_and_sends_nothing_twice(
    store: SQLiteEventStore, clock: FixedClock
) -> None:
    port = free_port()
    desk = ComplaintDesk(store, clock=clock, notifications=policy(staff=()))
    dispatcher = OutboxDispatcher(
        store, {"smtp": mailer(port, clock)}, clock=clock, policy=PATIENT, worker="w"
    )
    # An hour of outage: complaints keep being handled, the dispatcher keeps trying.
    references = []
    for step in range(12):
        references += [handle(desk, 2 * step), handle(desk, 2 * step + 1)]
        report = dispatcher.dispatch()
        assert report.delivered == report.dead == 0
        assert report.retried > 0
        clock.advance(minutes(5))
    records = all_records(store)
    assert len(records) == 48  # an acknowledgement and a decision letter each
    assert dispatcher.counts() == {
        OutboxState.PENDING: 48,
        OutboxState.DELIVERED: 0,
        OutboxState.DEAD: 0,
    }
    first = store.outbox_record(records[0].id)
    assert first is not None
    assert first.attempts >= 5
    assert first.last_error is not None
    assert "could not talk to the mail server" in first.last_error
    # The server comes back.
    mailbox = Mailbox()
    with smtp_on(port, mailbox):
        for _ in range(30):
            dispatcher.drain()
            if dispatcher.counts()[OutboxState.PENDING] == 0:
                break
            clock.advance(minutes(1))
        keys = mailbox.keys()
    assert len(keys) == len(set(keys)) == 48
    assert set(keys) == {r.idempotency_key for r in records}
    assert_in_order_per_lane(keys, records)
    assert dispatcher.counts()[OutboxState.DELIVERED] == 48
    # Each message is the letter that was stored, to the complainant it was written for.
    received = {str(m.message["X-Iso10002-Idempotency-Key"]): m.rcpt_tos for m in mailbox.messages}
    for record in records:
        assert received[record.idempotency_key] == (record.notification.recipient,)


def crm_feed(change: DeskChange) -> Iterable[OutboxEntry]:
    """Every event of a complaint, as a webhook to the CRM."""
    for event in change.events:
        yield OutboxEntry(
            notification=Notification(
                idempotency_key=f"{event.complaint_id}:{event.seq}",
                complaint_reference=change.complaint.reference,
                kind=f"event.{event.payload.type}",
                recipient="crm",
                subject=f"{change.complaint.reference}: {event.payload.type}",
                text=event.payload.type,
                created_at=event.occurred_at,
                data={"seq": event.seq, "state": event.state},
            ),
            channel="webhook",
        )


def test_a_webhook_receiver_that_answers_503_gets_everything_once_it_recovers(
    store: SQLiteEventStore, clock: FixedClock
) -> None:
    receiver = SwitchableReceiver(clock=clock, status=503)
    with webhook_receiver(receiver) as url:
        hooks = WebhookNotifier(
            endpoints={"crm": WebhookEndpoint(url=url, secret=SECRET)}, clock=clock
        )
        desk = ComplaintDesk(store, clock=clock, notifications=crm_feed)
        for n in range(5):
            handle(desk, n)
        dispatcher = OutboxDispatcher(store, {"webhook": hooks}, clock=clock, policy=PATIENT)
        for _ in range(3):
            report = dispatcher.dispatch()
            assert (report.claimed, report.retried, report.delivered) == (5, 5, 0)
            clock.advance(minutes(10))
        receiver.status = 202
        for _ in range(10):
            dispatcher.drain()
            clock.advance(minutes(1))
    records = all_records(store)
    assert len(records) == 25  # five events each
    assert receiver.refused == 15
    assert len(receiver.keys) == len(set(receiver.keys)) == 25
    assert_in_order_per_lane(receiver.keys, records)
    done = [store.outbox_record(r.id) for r in records]
    assert all(r is not None and r.state is OutboxState.DELIVERED for r in done)
    assert [r.attempts for r in done if r is not None][:1] == [4]


def test_a_permanent_refusal_is_a_dead_letter_after_one_attempt(
    store: SQLiteEventStore, clock: FixedClock
) -> None:
    receiver = SwitchableReceiver(clock=clock, status=410)
    port = free_port()
    mailbox = Mailbox(rcpt_reply="550 5.1.1 <jane.doe@example.org>: no such user")
    with webhook_receiver(receiver) as url, smtp_on(port, mailbox):
        hooks = WebhookNotifier(
            endpoints={"crm": WebhookEndpoint(url=url, secret=SECRET)}, clock=clock
        )
        desk = ComplaintDesk(store, clock=clock, notifications=crm_feed)
        handle(desk, 1)
        mail_desk = ComplaintDesk(store, clock=clock, notifications=policy(staff=()))
        handle(mail_desk, 2, email="jane.doe@example.org")
        dispatcher = OutboxDispatcher(
            store, {"webhook": hooks, "smtp": mailer(port, clock)}, clock=clock, policy=PATIENT
        )
        report = dispatcher.drain()
        dead = dispatcher.dead_letters()
        # Every record of both lanes died at its first attempt; nothing was retried.
        assert report.dead == len(dead) == 7
        assert report.retried == report.delivered == 0
        assert {r.attempts for r in dead} == {1}
        assert receiver.refused == 5
        for record in dead:
            assert record.last_error is not None
            assert "permanent failure" in record.last_error
            assert "jane.doe" not in record.last_error
        smtp_dead = [r for r in dead if r.channel == "smtp"]
        assert all("[SMTP 550 5.1.1]" in (r.last_error or "") for r in smtp_dead)
        # Fixed at the receivers' end, the dead letters go out again.
        receiver.status = 202
        mailbox.rcpt_reply = None
        assert dispatcher.retry_all_dead() == 7
        assert dispatcher.drain().delivered == 7
        assert len(receiver.keys) == 5
        assert len(mailbox.keys()) == 2


def test_a_temporary_failure_that_never_ends_is_a_dead_letter_after_n_attempts(
    store: SQLiteEventStore, clock: FixedClock
) -> None:
    receiver = SwitchableReceiver(clock=clock, status=503)
    port = free_port()
    mailbox = Mailbox(data_reply="451 4.3.0 Try again later")
    three = RetryPolicy(base=minutes(1), cap=minutes(4), max_attempts=3)
    with webhook_receiver(receiver) as url, smtp_on(port, mailbox):
        hooks = WebhookNotifier(
            endpoints={"crm": WebhookEndpoint(url=url, secret=SECRET)}, clock=clock
        )
        store.outbox_enqueue(
            [
                OutboxEntry(
                    notification=Notification(
                        idempotency_key="hook-1",
                        complaint_reference="CMP-1",
                        kind="event.test",
                        recipient="crm",
                        subject="s",
                        text="t",
                        created_at=START,
                    ),
                    channel="webhook",
                ),
                OutboxEntry(
                    notification=Notification(
                        idempotency_key="mail-1",
                        complaint_reference="CMP-2",
                        kind="decision",
                        recipient="jane.doe@example.org",
                        subject="s",
                        text="t",
                        created_at=START,
                    ),
                    channel="smtp",
                ),
            ]
        )
        dispatcher = OutboxDispatcher(
            store, {"webhook": hooks, "smtp": mailer(port, clock)}, clock=clock, policy=three
        )
        outcomes = []
        for _ in range(5):
            outcomes.append(dispatcher.dispatch())
            clock.advance(minutes(5))
    assert [(o.retried, o.dead) for o in outcomes] == [(2, 0), (2, 0), (0, 2), (0, 0), (0, 0)]
    assert receiver.refused == 3
    assert mailbox.messages == []
    for key, status in (("hook-1", "[HTTP 503]"), ("mail-1", "[SMTP 451 4.3.0]")):
        record = store.outbox_record(key)
        assert record is not None
        assert (record.state, record.attempts) == (OutboxState.DEAD, 3)
        assert record.last_error is not None
        assert status in record.last_error
        assert record.last_error.endswith("(gave up after 3 attempts)")
