"""SmtpNotifier against a real SMTP server (aiosmtpd) on loopback: plain, STARTTLS, SSL, AUTH."""

from __future__ import annotations

import datetime as dt
import ssl
import time
from collections.abc import Iterator
from typing import Any

import pytest

from iso10002.clock import FixedClock
from iso10002.errors import ValidationError
from iso10002.notify import (
    COMPLAINT_REFERENCE_HEADER,
    IDEMPOTENCY_KEY_HEADER,
    KIND_HEADER,
    SmtpNotifier,
)

from .support import (
    CLIENT_NAME,
    LOOPBACK,
    NAME,
    RECIPIENT,
    SMTP_PASSWORD,
    SMTP_USER,
    START,
    Mailbox,
    Tls,
    assert_no_personal_data,
    check_login,
    closed_port,
    delivery_error_of,
    make_tls,
    notification,
    silent_port,
    smtp_server,
    text_of,
)

SENDER = "complaints@shop.example"


@pytest.fixture(scope="module")
def tls() -> Tls:
    return make_tls()


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def plain_port(mailbox: Mailbox) -> Iterator[int]:
    with smtp_server(mailbox) as controller:
        yield controller.port


def notifier(smtp_port: int, **settings: Any) -> SmtpNotifier:
    options: dict[str, Any] = {
        "host": LOOPBACK,
        "port": smtp_port,
        "security": "none",
        "from_address": SENDER,
        "local_hostname": CLIENT_NAME,
        "timeout": 5,
        "clock": FixedClock(START),
    }
    options.update(settings)
    return SmtpNotifier(**options)


# --- the message -----------------------------------------------------------------------------


def test_the_message_carries_the_notification_and_its_identity(
    mailbox: Mailbox, plain_port: int
) -> None:
    smtp = notifier(plain_port, from_name="Complaints team")
    sent = notification()
    delivery = smtp.send(sent)

    [received] = mailbox.messages
    message = received.message
    assert received.mail_from == SENDER
    assert received.rcpt_tos == (RECIPIENT,)
    assert message["From"] == f"Complaints team <{SENDER}>"
    assert message["To"] == RECIPIENT
    assert message["Subject"] == sent.subject
    assert message["Message-ID"] == smtp.message_id(sent) == delivery.message_id
    assert message["Message-ID"].endswith("@shop.example>")
    assert message[IDEMPOTENCY_KEY_HEADER] == "CMP-2026-000123:decision:1"
    assert message[COMPLAINT_REFERENCE_HEADER] == "CMP-2026-000123"
    assert message[KIND_HEADER] == "decision"
    assert message["Content-Language"] == "en"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime == START
    assert not message.is_multipart()
    assert message.get_content_type() == "text/plain"
    assert text_of(message) == sent.text
    assert delivery.status == "SMTP 250 2.0.0 Ok: queued as 4F3A9C"
    assert delivery.channel == "smtp"


def test_html_makes_a_multipart_alternative_with_the_text_first(
    mailbox: Mailbox, plain_port: int
) -> None:
    html = f"<p>Dear {NAME},</p><p>We uphold your complaint.</p>"
    notifier(plain_port).send(notification(html=html))

    message = mailbox.messages[0].message
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert text_of(parts[0]) == notification().text
    assert text_of(parts[1]).strip() == html


def test_a_resend_has_the_same_message_id_and_another_notification_does_not(
    mailbox: Mailbox, plain_port: int
) -> None:
    smtp = notifier(plain_port)
    smtp.send(notification())
    smtp.send(notification())
    smtp.send(notification(idempotency_key="CMP-2026-000123:decision:2"))

    first, resend, other = (m.message["Message-ID"] for m in mailbox.messages)
    assert first == resend
    assert other != first


def test_a_long_key_and_non_ascii_text_arrive_unchanged(mailbox: Mailbox, plain_port: int) -> None:
    # A header longer than 78 characters must not be folded into encoded words: the key is
    # compared byte for byte by whoever deduplicates.
    key = "CMP-2026-000123:decision:" + "x" * 175
    sent = notification(
        idempotency_key=key,
        subject="Ihre Beschwerde CMP-2026-000123 \u2013 unsere Entscheidung über die Erstattung",
        text="Sehr geehrte Frau Müller,\n\nwir erstatten 25,00 €.\n",
        language="de",
    )
    notifier(plain_port).send(sent)

    received = mailbox.messages[0]
    assert f"{IDEMPOTENCY_KEY_HEADER}: {key}\r\n".encode() in received.raw
    assert received.message[IDEMPOTENCY_KEY_HEADER] == key
    assert received.message["Subject"] == sent.subject
    assert text_of(received.message) == sent.text
    assert received.message["Content-Language"] == "de"


def test_a_digest_without_a_complaint_has_no_reference_header(
    mailbox: Mailbox, plain_port: int
) -> None:
    notifier(plain_port).send(
        notification(complaint_reference=None, kind="warning_digest", idempotency_key="digest:1")
    )
    message = mailbox.messages[0].message
    assert COMPLAINT_REFERENCE_HEADER not in message
    assert message[KIND_HEADER] == "warning_digest"


def test_message_id_domain_can_be_set() -> None:
    smtp = notifier(25, message_id_domain="notify.shop.example")
    assert smtp.message_id(notification()).endswith("@notify.shop.example>")
    assert smtp.message(notification())["Message-ID"] == smtp.message_id(notification())


# --- TLS and login ---------------------------------------------------------------------------


def test_starttls_encrypts_the_session(mailbox: Mailbox, tls: Tls) -> None:
    with smtp_server(mailbox, tls_context=tls.server, require_starttls=True) as server:
        notifier(server.port, security="starttls", ssl_context=tls.client).send(notification())
    assert mailbox.messages[0].tls is True


def test_ssl_connects_with_tls_from_the_first_byte(mailbox: Mailbox, tls: Tls) -> None:
    with smtp_server(mailbox, ssl_context=tls.server) as server:
        notifier(server.port, security="ssl", ssl_context=tls.client).send(notification())
    assert mailbox.messages[0].tls is True


def test_login_over_starttls(mailbox: Mailbox, tls: Tls) -> None:
    with smtp_server(
        mailbox,
        tls_context=tls.server,
        require_starttls=True,
        auth_required=True,
        authenticator=check_login,
    ) as server:
        smtp = notifier(
            server.port,
            security="starttls",
            ssl_context=tls.client,
            username=SMTP_USER,
            password=SMTP_PASSWORD,
        )
        smtp.send(notification())
        wrong = notifier(
            server.port,
            security="starttls",
            ssl_context=tls.client,
            username=SMTP_USER,
            password="not the password",
        )
        refused = delivery_error_of(lambda: wrong.send(notification()))
        anonymous = delivery_error_of(
            lambda: notifier(server.port, security="starttls", ssl_context=tls.client).send(
                notification()
            )
        )
    assert mailbox.messages[0].authenticated is True
    assert len(mailbox.messages) == 1
    assert (refused.retryable, refused.status) == (False, "SMTP 535 5.7.8")
    assert "refused the login" in refused.reason
    assert_no_personal_data(refused, SMTP_PASSWORD, "not the password")
    assert (anonymous.retryable, anonymous.status) == (False, "SMTP 530 5.7.0")


def test_an_untrusted_certificate_is_a_temporary_failure(mailbox: Mailbox, tls: Tls) -> None:
    # The default context checks certificates; this one is signed by an authority nobody trusts.
    with smtp_server(mailbox, tls_context=tls.server) as server:
        error = delivery_error_of(
            lambda: notifier(server.port, security="starttls").send(notification())
        )
    assert error.retryable is True
    assert isinstance(error.__cause__, ssl.SSLCertVerificationError)
    assert "starttls" in error.reason
    assert mailbox.messages == []


def test_a_server_without_starttls_is_not_sent_to_in_clear(mailbox: Mailbox) -> None:
    with smtp_server(mailbox) as server:
        error = delivery_error_of(
            lambda: notifier(server.port, security="starttls").send(notification())
        )
    assert error.retryable is True
    assert "does not offer STARTTLS" in error.reason
    assert mailbox.messages == []


class NoAuthMailbox(Mailbox):
    """A server that does not offer AUTH at all."""

    async def handle_EHLO(  # noqa: N802 - the name aiosmtpd calls
        self, server: object, session: object, envelope: object, hostname: str, responses: list[str]
    ) -> list[str]:
        return [line for line in responses if "AUTH" not in line]


def test_a_server_without_auth_is_not_given_the_password(tls: Tls) -> None:
    mailbox = NoAuthMailbox()
    with smtp_server(mailbox, tls_context=tls.server) as server:
        error = delivery_error_of(
            lambda: notifier(
                server.port,
                security="starttls",
                ssl_context=tls.client,
                username=SMTP_USER,
                password=SMTP_PASSWORD,
            ).send(notification())
        )
    assert error.retryable is True
    assert "does not offer AUTH" in error.reason
    assert mailbox.messages == []


def test_a_server_that_demands_starttls_refuses_a_plain_session(mailbox: Mailbox, tls: Tls) -> None:
    with smtp_server(mailbox, tls_context=tls.server, require_starttls=True) as server:
        error = delivery_error_of(lambda: notifier(server.port).send(notification()))
    assert (error.retryable, error.status) == (False, "SMTP 530")
    assert mailbox.messages == []


# --- refusals and outages --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "retryable", "status"),
    [
        ("550 5.1.1 <jane.doe@example.org>: Recipient address rejected", False, "SMTP 550 5.1.1"),
        ("451 4.3.0 <jane.doe@example.org>: Try again later", True, "SMTP 451 4.3.0"),
        ("452 Too many recipients", True, "SMTP 452"),
    ],
    ids=["550-permanent", "451-temporary", "452-no-enhanced-code"],
)
def test_a_refused_recipient_is_classified_by_the_reply_code(
    mailbox: Mailbox, plain_port: int, reply: str, retryable: bool, status: str
) -> None:
    mailbox.rcpt_reply = reply
    error = delivery_error_of(lambda: notifier(plain_port).send(notification()))
    assert (error.retryable, error.status, error.channel) == (retryable, status, "smtp")
    assert error.reason == "the mail server refused the recipient"
    # The reply quotes the address: neither its text nor the smtplib exception may travel on.
    assert error.__cause__ is None and error.__context__ is None
    assert_no_personal_data(error)


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [("554 5.6.0 Message content rejected", False), ("452 4.3.1 Insufficient storage", True)],
    ids=["554-permanent", "452-temporary"],
)
def test_a_refused_message_is_classified_by_the_reply_code(
    mailbox: Mailbox, plain_port: int, reply: str, retryable: bool
) -> None:
    mailbox.data_reply = reply
    error = delivery_error_of(lambda: notifier(plain_port).send(notification()))
    assert error.retryable is retryable
    assert error.status == f"SMTP {reply[:9]}"
    assert error.reason == "the mail server refused the message"


def test_an_international_address_needs_smtputf8(mailbox: Mailbox) -> None:
    address = "jos\u00e9@b\u00fccher.example"
    with smtp_server(mailbox) as server:
        notifier(server.port).send(notification(recipient=address))
    with smtp_server(mailbox, enable_SMTPUTF8=False) as server:
        error = delivery_error_of(
            lambda: notifier(server.port).send(notification(recipient=address))
        )
    assert mailbox.messages[0].rcpt_tos == (address,)
    assert mailbox.messages[0].message["To"] == address
    assert len(mailbox.messages) == 1
    assert error.retryable is False
    assert "needs SMTPUTF8" in error.reason
    assert_no_personal_data(error, address)


def test_a_server_that_is_down_is_a_temporary_failure() -> None:
    with closed_port() as port:
        error = delivery_error_of(lambda: notifier(port).send(notification()))
    assert error.retryable is True
    assert isinstance(error.__cause__, ConnectionRefusedError)
    assert error.status is None
    assert "connect: ConnectionRefusedError" in error.reason


def test_a_server_that_never_answers_times_out_in_time() -> None:
    with silent_port() as port:
        started = time.monotonic()
        error = delivery_error_of(lambda: notifier(port, timeout=0.3).send(notification()))
        elapsed = time.monotonic() - started
    assert error.retryable is True
    assert "did not answer within 0.3 s" in error.reason
    assert 0.25 <= elapsed < 2.0


def test_a_recipient_that_is_not_an_address_fails_permanently_without_connecting() -> None:
    # A closed port would make any connection attempt a temporary failure instead.
    with closed_port() as port:
        error = delivery_error_of(
            lambda: notifier(port).send(notification(recipient="complaints-crm"))
        )
    assert error.retryable is False
    assert error.reason == "the recipient is not an e-mail address"
    assert error.__cause__ is None


@pytest.mark.parametrize("address", [":@;.org", "\u00abjane@[.org"])
def test_an_address_the_email_package_cannot_write_fails_permanently(address: str) -> None:
    with closed_port() as port:
        error = delivery_error_of(lambda: notifier(port).send(notification(recipient=address)))
    assert error.retryable is False
    assert error.reason == "the recipient or the subject cannot be written as an e-mail header"
    assert error.__cause__ is None
    assert error.__context__ is None
    assert_no_personal_data(error, address)


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"host": " "}, "host"),
        ({"from_address": "complaints"}, "from_address"),
        ({"security": "tls"}, "security"),
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"username": "desk"}, "password"),
        ({"password": "secret"}, "password"),
        ({"username": "desk", "password": "secret", "security": "none"}, "security"),
        ({"ssl_context": "default"}, "ssl_context"),
        ({"message_id_domain": "bad domain"}, "message_id_domain"),
        ({"clock": "now"}, "clock"),
    ],
)
def test_bad_settings_name_the_field(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        notifier(25, **settings)
    assert caught.value.field == field


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("ssl", 465), ("none", 25)])
def test_the_port_defaults_to_the_one_for_the_security(security: str, port: int) -> None:
    smtp = SmtpNotifier(host="mail.example", from_address=SENDER, security=security)  # type: ignore[arg-type]
    assert smtp.effective_port == port
    assert notifier(2525, security=security).effective_port == 2525


def test_the_password_is_not_shown() -> None:
    smtp = notifier(
        465, security="ssl", username=SMTP_USER, password=SMTP_PASSWORD, ssl_context=None
    )
    assert SMTP_PASSWORD not in repr(smtp)
    assert SMTP_USER in repr(smtp)


def test_the_date_header_is_the_send_time_from_the_clock() -> None:
    clock = FixedClock(START)
    smtp = notifier(25, clock=clock)
    clock.advance(dt.timedelta(hours=2))
    assert smtp.message(notification())["Date"].datetime == START + dt.timedelta(hours=2)
