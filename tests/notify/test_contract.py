"""The three shipped notifiers against the shipped notifier contract, each with a real far end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from iso10002.clock import FixedClock
from iso10002.notify import (
    RecordingNotifier,
    SmtpNotifier,
    WebhookEndpoint,
    WebhookNotifier,
)
from iso10002.testing import NotifierContract, NotifierUnderTest
from iso10002.testing.notifier import PERSON_EMAIL, PERSON_NAME, Failure

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
    def make_notifier(self, clock: FixedClock, *, fail: Failure | None = None) -> NotifierUnderTest:
        recorder = RecordingNotifier(clock=clock)
        if fail is not None:
            recorder.fail_next(retryable=fail == "temporary")
        return NotifierUnderTest(
            notifier=recorder,
            channel="recording",
            received=lambda: [n.idempotency_key for n in recorder.sent],
        )


class TestSmtpNotifier(NotifierContract):
    @pytest.fixture(autouse=True)
    def _server(self) -> Iterator[None]:
        self.mailbox = Mailbox()
        with smtp_server(self.mailbox) as controller:
            self.port = controller.port
            yield

    def make_notifier(self, clock: FixedClock, *, fail: Failure | None = None) -> NotifierUnderTest:
        if fail is not None:
            # The reply quotes the address and the name, as real servers do; neither may reach
            # the error.
            code = "451 4.3.0" if fail == "temporary" else "550 5.1.1"
            self.mailbox.rcpt_reply = f"{code} <{PERSON_EMAIL}>: {PERSON_NAME} is unknown here"
        notifier = SmtpNotifier(
            host=LOOPBACK,
            port=self.port,
            security="none",
            from_address="complaints@shop.example",
            local_hostname=CLIENT_NAME,
            timeout=5,
            clock=clock,
        )
        return NotifierUnderTest(notifier=notifier, channel="smtp", received=self.mailbox.keys)


class TestWebhookNotifier(NotifierContract):
    recipient = "complaints-crm"

    @pytest.fixture(autouse=True)
    def _server(self) -> Iterator[None]:
        self.receiver = Receiver(now=START)
        with http_server(self.receiver) as base:
            self.base = base
            yield

    def make_notifier(self, clock: FixedClock, *, fail: Failure | None = None) -> NotifierUnderTest:
        # The receiver checks the signature's timestamp against its own clock.
        self.receiver.now = clock.now()
        path = {None: "/hooks/complaints", "temporary": "/status/503", "permanent": "/status/422"}
        endpoint = WebhookEndpoint(url=f"{self.base}{path[fail]}", secret=SECRET)
        notifier = WebhookNotifier(
            endpoints={"complaints-crm": endpoint},
            connect_timeout=5,
            read_timeout=5,
            clock=clock,
        )
        return NotifierUnderTest(notifier=notifier, channel="webhook", received=self.receiver.keys)
