"""RecordingNotifier: records, and fails on request to rehearse outages."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from iso10002.clock import FixedClock
from iso10002.errors import DeliveryError, ValidationError
from iso10002.notify import RecordingNotifier

from .support import START, delivery_error_of, notification


def test_it_records_what_it_delivers() -> None:
    clock = FixedClock(START)
    recorder = RecordingNotifier(clock=clock)
    clock.advance(dt.timedelta(minutes=1))
    first = recorder.send(notification())
    second = recorder.send(notification(idempotency_key="CMP-2026-000123:decision:2"))

    assert recorder.sent == (
        notification(),
        notification(idempotency_key="CMP-2026-000123:decision:2"),
    )
    assert recorder.attempts == recorder.sent
    assert (first.channel, first.status, first.message_id) == (
        "recording",
        "recorded",
        "recording-1",
    )
    assert second.message_id == "recording-2"
    assert first.delivered_at == START + dt.timedelta(minutes=1)


def test_queued_failures_come_in_order_then_sending_works_again() -> None:
    recorder = RecordingNotifier(clock=FixedClock(START))
    recorder.fail_next(2)
    recorder.fail_next(retryable=False)
    assert recorder.pending_failures == 3

    outcomes = [
        delivery_error_of(lambda: recorder.send(notification())).retryable for _ in range(3)
    ]
    delivered = recorder.send(notification())

    assert outcomes == [True, True, False]
    assert delivered.idempotency_key == notification().idempotency_key
    assert recorder.sent == (notification(),)
    assert len(recorder.attempts) == 4
    assert recorder.pending_failures == 0


def test_a_failure_names_the_notification() -> None:
    recorder = RecordingNotifier()
    recorder.fail_next()
    with pytest.raises(
        DeliveryError, match=r"'CMP-2026-000123:decision:1' for complaint CMP-2026-000123"
    ):
        recorder.send(notification())


def test_clear_forgets_everything() -> None:
    recorder = RecordingNotifier()
    recorder.send(notification())
    recorder.fail_next(3)
    recorder.clear()
    assert (recorder.sent, recorder.attempts, recorder.pending_failures) == ((), (), 0)
    assert recorder.send(notification()).message_id == "recording-1"
    assert "sent=1" in repr(recorder)


@pytest.mark.parametrize("count", [0, -1, True, 1.5])
def test_fail_next_needs_a_positive_count(count: object) -> None:
    with pytest.raises(ValidationError) as caught:
        RecordingNotifier().fail_next(count)  # type: ignore[arg-type]
    assert caught.value.field == "count"


def test_threads_can_share_it() -> None:
    recorder = RecordingNotifier(clock=FixedClock(START))
    recorder.fail_next(10)
    start = threading.Barrier(8)
    failures: list[DeliveryError] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        start.wait()
        for i in range(25):
            try:
                recorder.send(notification(idempotency_key=f"k-{n}-{i}"))
            except DeliveryError as e:
                with lock:
                    failures.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(failures) == 10
    assert len(recorder.sent) == 190
    assert len(recorder.attempts) == 200
    assert len({n.idempotency_key for n in recorder.sent}) == 190
