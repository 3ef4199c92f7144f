"""
:class:`RecordingNotifier`: a notifier for tests that keeps what it is given.

It delivers nothing: it records each notification, and can be told to fail the next sends, with
a temporary or a permanent error, to rehearse an outage of the real channel.
"""

from __future__ import annotations

import threading
from collections import deque

from iso10002.clock import Clock, SystemClock
from iso10002.errors import DeliveryError, ValidationError
from iso10002.model.notification import Delivery, Notification
from iso10002.notify._failure import _failure

__all__ = ["RecordingNotifier"]

CHANNEL = "recording"


class RecordingNotifier:
    """
    Records notifications instead of sending them; safe to share between threads.

    Args:
        clock: where the delivery time comes from; a ``FixedClock`` makes it predictable.
    """

    def __init__(self, *, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._sent: list[Notification] = []
        self._attempts: list[Notification] = []
        self._failures: deque[bool] = deque()

    @property
    def sent(self) -> tuple[Notification, ...]:
        """The notifications delivered so far, in order (a resend appears again)."""
        with self._lock:
            return tuple(self._sent)

    @property
    def attempts(self) -> tuple[Notification, ...]:
        """Every notification given to :meth:`send`, failed ones included, in order."""
        with self._lock:
            return tuple(self._attempts)

    @property
    def pending_failures(self) -> int:
        """How many of the next sends will still fail."""
        with self._lock:
            return len(self._failures)

    def fail_next(self, count: int = 1, *, retryable: bool = True) -> None:
        """
        Make the next ``count`` sends fail with a :class:`~iso10002.errors.DeliveryError`.

        Calls queue up: ``fail_next(2)`` then ``fail_next(1, retryable=False)`` fails two sends
        temporarily, then one permanently, then delivers again.
        """
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValidationError("count", f"must be a positive integer, got {count!r}")
        with self._lock:
            self._failures.extend([retryable] * count)

    def clear(self) -> None:
        """Forget the recorded notifications and any failures still queued."""
        with self._lock:
            self._sent.clear()
            self._attempts.clear()
            self._failures.clear()

    def send(self, notification: Notification) -> Delivery:
        """
        Record ``notification`` and report it delivered, unless a failure is queued.

        Raises:
            DeliveryError: when :meth:`fail_next` queued a failure for this send.
        """
        with self._lock:
            self._attempts.append(notification)
            if self._failures:
                retryable = self._failures.popleft()
                failure: DeliveryError | None = _failure(
                    notification,
                    CHANNEL,
                    "a failure was requested with fail_next()",
                    retryable=retryable,
                )
            else:
                failure = None
                self._sent.append(notification)
                number = len(self._sent)
        if failure is not None:
            raise failure
        return Delivery(
            idempotency_key=notification.idempotency_key,
            channel=CHANNEL,
            delivered_at=self._clock.now(),
            status="recorded",
            message_id=f"recording-{number}",
        )

    def __repr__(self) -> str:
        return f"RecordingNotifier(sent={len(self._sent)}, pending_failures={len(self._failures)})"
