"""The three shipped notifiers against the notifier contract, each with a real far end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from iso10002.clock import FixedClock
from iso10002.notify import (
    Notifier,
    RecordingNotifier,
    SmtpNotifier,
    WebhookEndpoint,
    WebhookNotifier,
)

from .contract import NotifierContract
from .support import (
    CLIENT_NAME,
    LOOPBACK,
    SECRET,
    START,
    Mailbox,
    Receiver,
    http_server,
    smtp_server,
)


class TestRecordingNotifier(NotifierContract):
    @pytest.fixture(autouse=True)
    def _recorder(self) -> None:
        self.recorder = RecordingNotifier(clock=FixedClock(START))

    def make_notifier(self, clock: FixedClock) -> Notifier:
        self.recorder = RecordingNotifier(clock=clock)
        return self.recorder

    def make_failing_notifier(self, clock: FixedClock, *, retryable: bool) -> Notifier:
        self.recorder = RecordingNotifier(clock=clock)
        self.recorder.fail_next(retryable=retryable)
        return self.recorder

    def received_keys(self) -> list[str]:
        return [n.idempotency_key for n in self.recorder.sent]


class TestSmtpNotifier(NotifierContract):
    @pytest.fixture(autouse=True)
    def _server(self) -> Iterator[None]:
        self.mailbox = Mailbox()
        with smtp_server(self.mailbox) as controller:
            self.port = controller.port
            yield

    def _notifier(self, clock: FixedClock) -> SmtpNotifier:
        return SmtpNotifier(
            host=LOOPBACK,
            port=self.port,
            security="none",
            from_address="complaints@shop.example",
            local_hostname=CLIENT_NAME,
            timeout=5,
            clock=clock,
        )

    def make_notifier(self, clock: FixedClock) -> Notifier:
        return self._notifier(clock)

    def make_failing_notifier(self, clock: FixedClock, *, retryable: bool) -> Notifier:
        # The reply quotes the address, as real servers do; it must not reach the error.
        code = "451 4.3.0" if retryable else "550 5.1.1"
        self.mailbox.rcpt_reply = f"{code} <jane.doe@example.org>: Jane Doe is unknown here"
        return self._notifier(clock)

    def received_keys(self) -> list[str]:
        return self.mailbox.keys()


class TestWebhookNotifier(NotifierContract):
    recipient = "complaints-crm"

    @pytest.fixture(autouse=True)
    def _server(self) -> Iterator[None]:
        self.receiver = Receiver(now=START)
        with http_server(self.receiver) as base:
            self.base = base
            yield

    def _notifier(self, clock: FixedClock, path: str) -> WebhookNotifier:
        self.receiver.now = clock.now()
        endpoint = WebhookEndpoint(url=f"{self.base}{path}", secret=SECRET)
        return WebhookNotifier(
            endpoints={"complaints-crm": endpoint},
            connect_timeout=5,
            read_timeout=5,
            clock=clock,
        )

    def make_notifier(self, clock: FixedClock) -> Notifier:
        return self._notifier(clock, "/hooks/complaints")

    def make_failing_notifier(self, clock: FixedClock, *, retryable: bool) -> Notifier:
        return self._notifier(clock, "/status/503" if retryable else "/status/422")

    def received_keys(self) -> list[str]:
        return self.receiver.keys()
