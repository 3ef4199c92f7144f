"""OutboxDispatcher with RecordingNotifier: order, backoff, dead letters, leases, digests."""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iso10002 import FixedClock, InMemoryEventStore
from iso10002.errors import DeliveryError, ValidationError
from iso10002.notify import Delivery, Notification, RecordingNotifier
from iso10002.outbox import (
    DigestPolicy,
    DispatchReport,
    OutboxDispatcher,
    OutboxQuery,
    OutboxState,
    RetryPolicy,
    warning_digest,
)
from iso10002.testing.outbox import OutboxEventStore, entry

from .support import START, all_records, minutes, sqlite_store

RETRY = RetryPolicy(base=minutes(1), factor=2, cap=minutes(10), jitter=0.2, max_attempts=4)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OutboxEventStore]:
    made: OutboxEventStore = (
        InMemoryEventStore() if request.param == "memory" else sqlite_store(tmp_path)
    )
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def mail(clock: FixedClock) -> RecordingNotifier:
    return RecordingNotifier(clock=clock)


def dispatcher(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock, **options: object
) -> OutboxDispatcher:
    options.setdefault("policy", RETRY)
    options.setdefault("worker", "test-worker")
    return OutboxDispatcher(store, {"smtp": mail}, clock=clock, **options)  # type: ignore[arg-type]


def sent_keys(mail: RecordingNotifier) -> list[str]:
    return [n.idempotency_key for n in mail.sent]


def test_due_records_are_delivered_in_order_per_lane(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock
) -> None:
    store.outbox_enqueue(
        [
            entry("a1", "A"),
            entry("b1", "B"),
            entry("a2", "A"),
            entry("later", "C", deliver_after=START + minutes(30)),
            entry("a3", "A"),
        ]
    )
    report = dispatcher(store, mail, clock).dispatch()
    assert report == DispatchReport(claimed=4, delivered=4)
    assert report.busy
    assert sent_keys(mail) == ["a1", "b1", "a2", "a3"]
    for record in all_records(store)[:3]:
        assert (record.state, record.delivered_at, record.attempts) == (
            OutboxState.DELIVERED,
            START,
            1,
        )
    assert not dispatcher(store, mail, clock).dispatch().busy
    clock.advance(minutes(30))
    assert dispatcher(store, mail, clock).dispatch().delivered == 1
    assert sent_keys(mail)[-1] == "later"


def test_a_dispatch_stops_at_its_limit(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock
) -> None:
    store.outbox_enqueue([entry(f"k{n}", f"L{n}") for n in range(7)])
    worker = dispatcher(store, mail, clock, batch=2)
    assert worker.dispatch(limit=3).claimed == 3
    assert worker.drain() == DispatchReport(claimed=4, delivered=4)
    assert len(mail.sent) == 7


def test_a_temporary_failure_backs_off_and_holds_back_its_lane_only(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock
) -> None:
    store.outbox_enqueue([entry("a1", "A"), entry("a2", "A"), entry("b1", "B")])
    mail.fail_next(2)
    worker = dispatcher(store, mail, clock)
    report = worker.dispatch()
    assert report == DispatchReport(claimed=2, retried=2)
    first = store.outbox_record("a1")
    assert first is not None
    assert first.next_attempt_at == START + RETRY.delay(1, "a1")
    assert first.last_error is not None
    assert "a failure was requested" in first.last_error
    assert "ada@example.org" not in first.last_error
    # Nothing is due before the backoff ends.
    assert not worker.dispatch().busy
    clock.set(max(START + RETRY.delay(1, "a1"), START + RETRY.delay(1, "b1")))
    assert worker.dispatch() == DispatchReport(claimed=3, delivered=3)
    assert sent_keys(mail) == ["a1", "b1", "a2"] or sent_keys(mail) == ["b1", "a1", "a2"]
    assert sent_keys(mail).index("a1") < sent_keys(mail).index("a2")


def test_a_permanent_failure_is_a_dead_letter_at_once_and_can_be_retried(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock
) -> None:
    store.outbox_enqueue([entry("a1", "A"), entry("a2", "A")])
    mail.fail_next(retryable=False)
    worker = dispatcher(store, mail, clock)
    assert worker.dispatch() == DispatchReport(claimed=2, delivered=1, dead=1)
    # The dead letter no longer holds back its lane.
    assert sent_keys(mail) == ["a2"]
    (dead,) = worker.dead_letters()
    assert (dead.idempotency_key, dead.attempts, dead.state) == ("a1", 1, OutboxState.DEAD)
    assert dead.last_error is not None
    assert "permanent failure" in dead.last_error
    assert worker.counts() == {
        OutboxState.PENDING: 0,
        OutboxState.DELIVERED: 1,
        OutboxState.DEAD: 1,
    }
    clock.advance(minutes(5))
    assert worker.retry([dead]) == 1
    assert worker.dispatch().delivered == 1
    assert sent_keys(mail) == ["a2", "a1"]
    assert worker.dead_letters() == []
    assert worker.retry([]) == 0


def test_a_notification_that_keeps_failing_dies_after_max_attempts(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock
) -> None:
    store.outbox_enqueue([entry("a1", "A")])
    mail.fail_next(RETRY.max_attempts)
    worker = dispatcher(store, mail, clock)
    waits = []
    for attempt in range(1, RETRY.max_attempts + 1):
        report = worker.dispatch()
        record = store.outbox_record("a1")
        assert record is not None
        assert record.attempts == attempt
        if attempt < RETRY.max_attempts:
            assert report == DispatchReport(claimed=1, retried=1)
            assert record.next_attempt_at is not None
            waits.append(record.next_attempt_at - clock.now())
            clock.set(record.next_attempt_at)
        else:
            assert report == DispatchReport(claimed=1, dead=1)
            assert record.state is OutboxState.DEAD
            assert record.last_error is not None
            assert record.last_error.endswith("(gave up after 4 attempts)")
    assert waits == [RETRY.delay(n, "a1") for n in (1, 2, 3)]
    assert len(mail.attempts) == RETRY.max_attempts
    assert not mail.sent
    # Revived, it has a fresh count and is delivered now that the channel works.
    assert worker.retry_all_dead() == 1
    assert worker.dispatch().delivered == 1


def test_a_claim_whose_lease_ran_out_is_not_sent(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock
) -> None:
    store.outbox_enqueue([entry("a1", "A"), entry("b1", "B")])

    class Slow:
        """Takes so long over the first notification that the second one's lease runs out."""

        def send(self, notification: Notification) -> Delivery:
            clock.advance(minutes(6))
            return mail.send(notification)

    worker = OutboxDispatcher(store, {"smtp": Slow()}, clock=clock, lease=minutes(5), worker="slow")
    report = worker.dispatch(limit=2)
    assert (report.claimed, report.delivered, report.lost) == (2, 1, 1)
    assert sent_keys(mail) == ["a1"]
    # The lost claim is claimable again (by anyone) now that its lease is over.
    assert dispatcher(store, mail, clock).dispatch().delivered == 1
    assert sent_keys(mail) == ["a1", "b1"]


def test_a_notification_whose_claims_never_reported_back_is_given_up(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock
) -> None:
    store.outbox_enqueue([entry("poison", "A")])
    # Dispatchers that died while sending it, one after another.
    for _ in range(RETRY.max_attempts):
        store.outbox_claim(
            worker="crashed", now=clock.now(), lease=minutes(5), limit=1, channels=["smtp"]
        )
        clock.advance(minutes(5))
    report = dispatcher(store, mail, clock).dispatch()
    assert report == DispatchReport(claimed=1, dead=1)
    assert mail.attempts == ()
    record = store.outbox_record("poison")
    assert record is not None
    assert record.last_error == (
        "notification 'poison' gave up after 4 attempts whose outcome was never recorded"
    )


def test_a_notifier_that_raises_something_else_is_retried_without_its_message(
    store: OutboxEventStore,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken:
        def send(self, notification: Notification) -> Delivery:
            raise RuntimeError(f"cannot reach {notification.recipient}")

    store.outbox_enqueue([entry("a1", "A")])
    worker = OutboxDispatcher(store, {"smtp": Broken()}, clock=clock, policy=RETRY)
    with caplog.at_level(logging.DEBUG, logger="iso10002"):
        assert worker.dispatch() == DispatchReport(claimed=1, retried=1)
    record = store.outbox_record("a1")
    assert record is not None
    assert record.last_error == (
        "notification 'a1' not delivered by smtp: the notifier raised RuntimeError"
    )
    assert "ada@example.org" not in caplog.text
    assert "RuntimeError" in caplog.text


def test_a_record_of_a_channel_nobody_serves_stays_pending(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock
) -> None:
    store.outbox_enqueue([entry("post-1", "A", channel="post"), entry("mail-1", "B")])
    assert dispatcher(store, mail, clock).drain().delivered == 1
    waiting = store.outbox_record("post-1")
    assert waiting is not None
    assert waiting.state is OutboxState.PENDING
    assert waiting.attempts == 0


def test_dead_letters_log_their_key_and_error_but_no_personal_data(
    store: OutboxEventStore,
    mail: RecordingNotifier,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store.outbox_enqueue([entry("a1", "CMP-9")])
    mail.fail_next(retryable=False)
    with caplog.at_level(logging.DEBUG, logger="iso10002"):
        dispatcher(store, mail, clock).dispatch()
    (line,) = [r.getMessage() for r in caplog.records if "dead letters" in r.getMessage()]
    assert line.startswith("outbox: notification 'a1' (complaint CMP-9) moved to the dead")
    assert "ada@example.org" not in caplog.text
    assert "Dear Ada" not in caplog.text


# -- digests -----------------------------------------------------------------------------------


def warnings(store: OutboxEventStore, count: int, recipient: str, start: int = 0) -> None:
    store.outbox_enqueue(
        [
            entry(
                f"warn-{recipient}-{n}",
                f"CMP-{n:06d}",
                kind="sla_warning",
                recipient=recipient,
                digest=True,
                lane=f"CMP-{n:06d}/staff:{recipient}",
            )
            for n in range(start, start + count)
        ]
    )


def test_warnings_are_merged_into_one_digest_per_recipient(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock
) -> None:
    warnings(store, 5000, "team@example.org")
    warnings(store, 5, "boss@example.org", start=1000)
    warnings(store, 1, "lone@example.org", start=2000)
    store.outbox_enqueue([entry("breach-1", "CMP-000001/staff", kind="sla_breach")])
    worker = dispatcher(store, mail, clock, digests=DigestPolicy())
    report = worker.dispatch()
    assert (report.digests, report.merged) == (2, 5005)
    assert report.delivered == 4  # two digests, the lone warning, the breach
    by_recipient = {n.recipient: n for n in mail.sent if n.kind == "warning_digest"}
    assert sorted(by_recipient) == ["boss@example.org", "team@example.org"]
    team = by_recipient["team@example.org"]
    assert team.data["count"] == 5000
    assert team.data["references"][:2] == ["CMP-000000", "CMP-000001"]
    assert team.complaint_reference is None
    assert "CMP-004999" in team.text
    assert team.subject == "Timeliness warnings: 5000 complaints"
    assert [n.idempotency_key for n in mail.sent if n.kind == "sla_warning"] == [
        "warn-lone@example.org-2000"
    ]
    records = all_records(store)
    merged = [r for r in records if r.digest_id is not None]
    assert len(merged) == 5005
    assert all(r.state is OutboxState.DELIVERED for r in records)
    assert len(mail.sent) == 4


def test_a_digest_keeps_the_order_of_the_lanes_it_drew_from(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock
) -> None:
    warnings(store, 2, "team@example.org")
    store.outbox_enqueue(
        [
            entry(
                "breach-0",
                "CMP-000000",
                kind="sla_breach",
                recipient="team@example.org",
                lane="CMP-000000/staff:team@example.org",
            )
        ]
    )
    mail.fail_next()  # the digest's first attempt
    worker = dispatcher(store, mail, clock, digests=DigestPolicy())
    assert worker.dispatch() == DispatchReport(claimed=1, retried=1, digests=1, merged=2)
    # The breach waits until the warning merged before it has gone out.
    assert not mail.sent
    clock.advance(minutes(2))
    assert worker.dispatch().delivered == 2
    assert [sent.kind for sent in mail.sent] == ["warning_digest", "sla_breach"]


def test_a_digest_step_merges_and_sends_alone_what_is_too_few_to_merge(
    store: OutboxEventStore, mail: RecordingNotifier, clock: FixedClock
) -> None:
    warnings(store, 3, "team@example.org")
    worker = dispatcher(store, mail, clock, digests=DigestPolicy(min_size=2, max_size=2))
    report = worker.digest()
    # The third did not fit in the digest and is below min_size on its own: it went alone.
    assert report == DispatchReport(claimed=1, delivered=1, digests=1, merged=2)
    assert sent_keys(mail) == ["warn-team@example.org-2"]
    with pytest.raises(ValidationError, match=r"^digests: this dispatcher has no DigestPolicy"):
        dispatcher(store, mail, clock).digest()


def test_the_default_digest_needs_records() -> None:
    with pytest.raises(ValidationError, match=r"^records:"):
        warning_digest([], START)


# -- the retry policy --------------------------------------------------------------------------


def test_backoff_grows_to_its_cap_with_a_jitter_derived_from_the_key() -> None:
    policy = RetryPolicy(base=minutes(1), factor=2, cap=minutes(10), jitter=0.2)
    delays = [policy.delay(n, "CMP-1:decision:5") for n in range(1, 8)]
    assert delays == [policy.delay(n, "CMP-1:decision:5") for n in range(1, 8)]
    for n, delay in enumerate(delays, start=1):
        ceiling = min(minutes(10), minutes(2 ** (n - 1)))
        assert ceiling * 0.8 <= delay <= ceiling
    assert delays != [policy.delay(n, "CMP-2:decision:5") for n in range(1, 8)]
    assert RetryPolicy(jitter=0).delay(3, "k") == _dt.timedelta(minutes=2)
    assert RetryPolicy().delay(10_000, "k") <= _dt.timedelta(hours=1)


@given(
    attempt=st.integers(1, 200),
    key=st.text(min_size=1, max_size=20),
    jitter=st.floats(0, 0.99),
)
def test_a_delay_never_exceeds_the_cap_nor_falls_below_the_jitter(
    attempt: int, key: str, jitter: float
) -> None:
    policy = RetryPolicy(base=minutes(1), factor=3, cap=minutes(30), jitter=jitter)
    ceiling = min(minutes(30), minutes(3 ** min(attempt - 1, 10)))
    delay = policy.delay(attempt, key)
    assert ceiling * (1 - jitter) - _dt.timedelta(microseconds=1) <= delay <= ceiling


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"base": _dt.timedelta(0)}, "base"),
        ({"cap": -minutes(1)}, "cap"),
        ({"base": minutes(10), "cap": minutes(5)}, "cap"),
        ({"factor": 0.5}, "factor"),
        ({"factor": float("inf")}, "factor"),
        ({"jitter": 1}, "jitter"),
        ({"jitter": -0.1}, "jitter"),
        ({"max_attempts": 0}, "max_attempts"),
    ],
)
def test_a_bad_retry_policy_is_refused(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RetryPolicy(**fields)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_delay_needs_a_positive_attempt() -> None:
    with pytest.raises(ValidationError, match=r"^attempt:"):
        RetryPolicy().delay(0, "k")


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"min_size": 0}, "min_size"), ({"min_size": 5, "max_size": 4}, "max_size")],
)
def test_a_bad_digest_policy_is_refused(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DigestPolicy(**fields)  # type: ignore[arg-type]
    assert caught.value.field == field
    with pytest.raises(ValidationError, match=r"^render:"):
        DigestPolicy(render="warning_digest")  # type: ignore[arg-type]


# -- bad arguments -----------------------------------------------------------------------------


def test_a_dispatcher_with_bad_arguments_is_refused(mail: RecordingNotifier) -> None:
    store = InMemoryEventStore()

    def field_of(**changes: object) -> str:
        arguments: dict[str, object] = {"store": store, "notifiers": {"smtp": mail}}
        arguments.update(changes)
        with pytest.raises(ValidationError) as caught:
            OutboxDispatcher(**arguments)  # type: ignore[arg-type]
        return caught.value.field

    assert field_of(store=object()) == "store"
    assert field_of(notifiers={}) == "notifiers"
    assert field_of(notifiers={"SMTP": mail}) == "notifiers"
    assert field_of(notifiers={"smtp": object()}) == "notifiers.smtp"
    assert field_of(lease=_dt.timedelta(0)) == "lease"
    assert field_of(worker="a worker") == "worker"
    assert field_of(batch=0) == "batch"
    assert field_of(policy="fast") == "policy"
    assert field_of(digests=3) == "digests"
    worker = OutboxDispatcher(store, {"smtp": mail})
    with pytest.raises(ValidationError, match=r"^limit:"):
        worker.dispatch(limit=0)
    with pytest.raises(ValidationError, match=r"^records:"):
        worker.retry([0])
    assert repr(worker).startswith("OutboxDispatcher(worker='")
    assert worker.worker.count(":") >= 2


def test_an_outbox_query_checks_itself() -> None:
    with pytest.raises(ValidationError, match=r"^limit:"):
        OutboxQuery(limit=0)
    with pytest.raises(ValidationError, match=r"^state:"):
        OutboxQuery(state="dead")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^channel:"):
        OutboxQuery(channel="Mail")
    with pytest.raises(ValidationError, match=r"^after_id:"):
        OutboxQuery(after_id=-1)


def test_a_long_error_is_cut_in_the_middle_keeping_why_it_was_given_up(
    store: OutboxEventStore, clock: FixedClock
) -> None:
    class Verbose:
        def send(self, notification: Notification) -> Delivery:
            raise DeliveryError(
                "x" * 2000,
                idempotency_key=notification.idempotency_key,
                complaint_reference=notification.complaint_reference,
                channel="smtp",
                retryable=True,
            )

    store.outbox_enqueue([entry("a1", "A")])
    once = RetryPolicy(max_attempts=1)
    OutboxDispatcher(store, {"smtp": Verbose()}, clock=clock, policy=once).dispatch()
    record = store.outbox_record("a1")
    assert record is not None
    assert record.last_error is not None
    assert len(record.last_error) == 500
    assert record.last_error.startswith("notification 'a1' for complaint A not delivered")
    assert record.last_error.endswith("xx (gave up after 1 attempt)")
