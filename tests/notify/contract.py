"""
:class:`NotifierContract`: what every :class:`~iso10002.notify.Notifier` must do, as a pytest
class to inherit. A subclass says how to make a working and a failing notifier, and how to read
what arrived at the far end.
"""

from __future__ import annotations

import abc
import datetime as dt
import logging
from typing import Any, ClassVar

import pytest

from iso10002.clock import FixedClock
from iso10002.errors import DeliveryError
from iso10002.model.notification import Notification
from iso10002.notify import Notifier

from .support import (
    RECIPIENT,
    START,
    assert_no_personal_data,
    assert_no_personal_data_logged,
    delivery_error_of,
    notification,
)


class NotifierContract(abc.ABC):
    """Inherit, implement the three methods, and the tests below run against your notifier."""

    __test__: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__test__" not in cls.__dict__:
            cls.__test__ = not getattr(cls.make_notifier, "__isabstractmethod__", False)

    @abc.abstractmethod
    def make_notifier(self, clock: FixedClock) -> Notifier:
        """A notifier that delivers :meth:`notification` and its variants."""

    @abc.abstractmethod
    def make_failing_notifier(self, clock: FixedClock, *, retryable: bool) -> Notifier:
        """A notifier whose next send fails, temporarily or permanently."""

    @abc.abstractmethod
    def received_keys(self) -> list[str]:
        """The idempotency keys that reached the far end, in order."""

    recipient: ClassVar[str] = RECIPIENT
    """What ``Notification.recipient`` is for this notifier: an address, an endpoint name."""

    def notification(self, **changes: Any) -> Notification:
        """The sample notification, addressed to :attr:`recipient`."""
        return notification(**{"recipient": self.recipient, **changes})

    def test_is_a_notifier(self) -> None:
        assert isinstance(self.make_notifier(FixedClock(START)), Notifier)

    def test_send_reports_the_delivery(self) -> None:
        clock = FixedClock(START)
        clock.advance(dt.timedelta(minutes=5))
        sent = self.notification()
        delivery = self.make_notifier(clock).send(sent)
        assert delivery.idempotency_key == sent.idempotency_key
        assert delivery.delivered_at == clock.now()
        assert delivery.channel.strip() and delivery.status.strip()
        assert self.received_keys() == [sent.idempotency_key]

    def test_a_resend_arrives_again_under_the_same_key(self) -> None:
        notifier = self.make_notifier(FixedClock(START))
        sent = self.notification()
        first = notifier.send(sent)
        second = notifier.send(sent)
        assert self.received_keys() == [sent.idempotency_key] * 2
        assert first.idempotency_key == second.idempotency_key

    def test_notifications_arrive_in_the_order_sent(self) -> None:
        notifier = self.make_notifier(FixedClock(START))
        keys = [f"CMP-2026-000123:update:{n}" for n in range(3)]
        for key in keys:
            notifier.send(self.notification(idempotency_key=key, kind="progress_update"))
        assert self.received_keys() == keys

    @pytest.mark.parametrize("retryable", [True, False], ids=["temporary", "permanent"])
    def test_a_failure_says_whether_to_retry_and_keeps_personal_data_out(
        self, retryable: bool, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG, logger="iso10002")
        sent = self.notification()
        error = delivery_error_of(
            lambda: self.make_failing_notifier(FixedClock(START), retryable=retryable).send(sent)
        )
        assert isinstance(error, DeliveryError)
        assert error.retryable is retryable
        assert error.idempotency_key == sent.idempotency_key
        assert error.complaint_reference == "CMP-2026-000123"
        assert sent.idempotency_key in str(error) and "CMP-2026-000123" in str(error)
        assert_no_personal_data(error)
        assert_no_personal_data_logged(caplog.records)
        assert sent.idempotency_key not in self.received_keys()
