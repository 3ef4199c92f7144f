"""
:class:`NotifierContract`: what every :class:`~iso10002.notify.Notifier` must do, as a pytest
test class to inherit.

Prove a notifier conforms by subclassing the contract and saying, in one method, how to build
it against a far end the test can look into::

    from iso10002.testing import NotifierContract, NotifierUnderTest

    class TestSmsNotifier(NotifierContract):
        recipient = "+44 7700 900123"

        def make_notifier(self, clock, *, fail=None):
            gateway = FakeSmsGateway(refuse=fail)  # a real server on loopback is better
            return NotifierUnderTest(
                notifier=SmsNotifier(gateway.url, clock=clock),
                channel="sms",
                received=gateway.idempotency_keys,
            )

A far end that must be started and stopped (a server on loopback) belongs in an autouse
fixture of the subclass; the hook only builds the notifier. Needs pytest.
"""

from __future__ import annotations

import abc
import datetime as _dt
import logging
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Literal

import attrs
import pytest

from iso10002.clock import FixedClock
from iso10002.errors import DeliveryError
from iso10002.notify import Delivery, Notification, NotificationKind, Notifier
from iso10002.testing._contract import Contract

__all__ = ["Failure", "NotifierContract", "NotifierUnderTest"]

Failure = Literal["temporary", "permanent"]
"""How the far end refuses the next notification: a temporary or a permanent refusal."""

START = _dt.datetime(2026, 3, 2, 9, 30, tzinfo=_dt.timezone.utc)
PERSON_NAME = "Jane Doe"
PERSON_EMAIL = "jane.doe@example.org"
PERSON_PHONE = "+44 20 7946 0123"
REFERENCE = "CMP-2026-000123"
_BODY = "We uphold your complaint and refund GBP 25.00."


@attrs.frozen(kw_only=True)
class NotifierUnderTest:
    """What :meth:`NotifierContract.make_notifier` builds: the notifier, a view of its far end."""

    notifier: Notifier
    """The notifier under test."""
    channel: str
    """The name it reports in ``Delivery.channel`` and ``DeliveryError.channel``."""
    received: Callable[[], Sequence[str]]
    """The idempotency keys of the notifications that reached the far end so far, in order."""


class NotifierContract(Contract):
    """
    The notifier contract as pytest tests; subclass it and implement :meth:`make_notifier`.

    The sample notification carries personal data (:data:`PERSON_NAME`, :data:`PERSON_EMAIL`,
    :data:`PERSON_PHONE`); a far end that refuses may quote it back, as real servers do, and the
    contract checks that none of it reaches an error or a log line.
    """

    contract_hook: ClassVar[str] = "make_notifier"

    recipient: ClassVar[str] = PERSON_EMAIL
    """What ``Notification.recipient`` is for this notifier: an address, an endpoint name."""
    loggers: ClassVar[tuple[str, ...]] = ("iso10002",)
    """The loggers whose records must hold no personal data: add your notifier's own."""

    @abc.abstractmethod
    def make_notifier(self, clock: FixedClock, *, fail: Failure | None = None) -> NotifierUnderTest:
        """
        Build the notifier under test, reading the time from ``clock``.

        With ``fail``, the far end refuses the next notification, temporarily (the notifier
        must raise a retryable :class:`~iso10002.errors.DeliveryError`) or permanently.
        """

    def notification(self, **changes: Any) -> Notification:
        """The sample notification, addressed to :attr:`recipient`; ``changes`` replace fields."""
        fields: dict[str, Any] = {
            "idempotency_key": f"{REFERENCE}:decision:1",
            "complaint_reference": REFERENCE,
            "kind": NotificationKind.DECISION,
            "recipient": self.recipient,
            "subject": f"Your complaint {REFERENCE}: our decision",
            "text": f"Dear {PERSON_NAME},\n\n{_BODY}\nWe will call you on {PERSON_PHONE}.\n",
            "created_at": START,
            "data": {"outcome": "upheld", "refund": {"amount": "25.00", "currency": "GBP"}},
            "personal": {"name": PERSON_NAME, "email": PERSON_EMAIL},
        }
        fields.update(changes)
        return Notification(**fields)

    def _assert_no_personal_data(
        self, error: BaseException, records: list[logging.LogRecord]
    ) -> None:
        secrets = {PERSON_NAME, PERSON_EMAIL, PERSON_PHONE, _BODY, self.recipient}
        seen: BaseException | None = error
        while seen is not None:
            for text in (str(seen), repr(seen), *map(str, seen.args)):
                leaked = sorted(s for s in secrets if s in text)
                assert not leaked, f"{leaked} leaked into {type(seen).__name__}: {text}"
            seen = seen.__cause__ or seen.__context__
        for record in records:
            if record.name.startswith(self.loggers):
                text = record.getMessage()
                leaked = sorted(s for s in secrets if s in text)
                assert not leaked, f"{leaked} leaked into a log line: {text}"

    # -- delivering -----------------------------------------------------------------------------

    def test_is_a_notifier(self) -> None:
        under_test = self.make_notifier(FixedClock(START))
        assert isinstance(under_test.notifier, Notifier)
        assert under_test.channel.strip()
        assert list(under_test.received()) == []

    def test_send_reports_the_delivery(self) -> None:
        clock = FixedClock(START)
        under_test = self.make_notifier(clock)
        clock.advance(_dt.timedelta(minutes=3))
        sent = self.notification()
        delivery = under_test.notifier.send(sent)
        assert isinstance(delivery, Delivery)
        assert delivery.idempotency_key == sent.idempotency_key
        assert delivery.channel == under_test.channel
        # When the next hop accepted it, from the notifier's clock, not the notification's.
        assert delivery.delivered_at == START + _dt.timedelta(minutes=3)
        assert delivery.delivered_at.utcoffset() == _dt.timedelta(0)
        assert delivery.status.strip()
        assert list(under_test.received()) == [sent.idempotency_key]

    def test_a_resend_arrives_again_under_the_same_key(self) -> None:
        """Delivery is at least once: the receiver drops a duplicate by its key."""
        under_test = self.make_notifier(FixedClock(START))
        sent = self.notification()
        first = under_test.notifier.send(sent)
        second = under_test.notifier.send(sent)
        assert list(under_test.received()) == [sent.idempotency_key] * 2
        assert first.idempotency_key == second.idempotency_key == sent.idempotency_key

    def test_notifications_arrive_in_the_order_sent_each_under_its_key(self) -> None:
        under_test = self.make_notifier(FixedClock(START))
        keys = [f"{REFERENCE}:update:{n}" for n in (3, 1, 2)]
        deliveries = [
            under_test.notifier.send(
                self.notification(idempotency_key=key, kind=NotificationKind.PROGRESS_UPDATE)
            )
            for key in keys
        ]
        assert [d.idempotency_key for d in deliveries] == keys
        assert list(under_test.received()) == keys

    def test_a_notification_about_no_single_complaint_is_delivered(self) -> None:
        under_test = self.make_notifier(FixedClock(START))
        digest = self.notification(
            idempotency_key="digest:2026-03-02", complaint_reference=None, data={"count": 3}
        )
        delivery = under_test.notifier.send(digest)
        assert delivery.idempotency_key == "digest:2026-03-02"
        assert list(under_test.received()) == ["digest:2026-03-02"]

    # -- failing --------------------------------------------------------------------------------

    @pytest.mark.parametrize("fail", ["temporary", "permanent"])
    def test_a_refusal_says_whether_to_retry_and_keeps_personal_data_out(
        self, fail: Failure, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        under_test = self.make_notifier(FixedClock(START), fail=fail)
        sent = self.notification()
        with pytest.raises(DeliveryError) as caught:
            under_test.notifier.send(sent)
        error = caught.value
        assert error.retryable is (fail == "temporary")
        assert error.idempotency_key == sent.idempotency_key
        assert error.complaint_reference == REFERENCE
        assert error.channel == under_test.channel
        assert sent.idempotency_key in str(error)
        assert REFERENCE in str(error)
        self._assert_no_personal_data(error, caplog.records)
        assert sent.idempotency_key not in under_test.received()

    def test_a_refused_notification_about_no_complaint_names_none(self) -> None:
        under_test = self.make_notifier(FixedClock(START), fail="permanent")
        digest = self.notification(idempotency_key="digest:2026-03-02", complaint_reference=None)
        with pytest.raises(DeliveryError) as caught:
            under_test.notifier.send(digest)
        assert caught.value.complaint_reference is None
        assert caught.value.retryable is False
        assert "digest:2026-03-02" in str(caught.value)
