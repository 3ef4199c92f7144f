"""
:class:`SmtpNotifier`: notifications as e-mail, with the standard library's ``smtplib``.

Each :meth:`SmtpNotifier.send` opens a connection, secures it (``"starttls"`` or ``"ssl"``),
logs in when a username is configured, sends one message and closes the connection, so one
notifier can be shared by threads.

The message carries the notification's identity in its headers, so that a resend is recognisable
by the mail server, the mail client and whoever reads the bounce:

- ``Message-ID``: derived from the idempotency key alone (``<iso10002.{hash}@{domain}>``), so
  every attempt to send one notification has the same Message-ID;
- ``X-Iso10002-Idempotency-Key``, ``X-Iso10002-Complaint-Reference``, ``X-Iso10002-Kind``;
- ``Auto-Submitted: auto-generated`` (RFC 3834), so that out-of-office replies are not sent back;
- ``Content-Language``; ``multipart/alternative`` with the HTML part when there is one.

Failures are classified by the server's reply code: 4xx is temporary, 5xx permanent; a failure
without a reply (connection refused, timeout, a broken TLS handshake, a dropped connection) is
temporary. The server's reply *text* is never put into an error message, because servers quote
the recipient's address in it.
"""

from __future__ import annotations

import email.errors
import email.policy
import functools
import hashlib
import logging
import math
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import TYPE_CHECKING, Any, Literal

import attrs

from iso10002.clock import Clock, SystemClock
from iso10002.errors import DeliveryError, ValidationError
from iso10002.model import _checks as check
from iso10002.model.notification import Delivery, Notification
from iso10002.notify._failure import _failure

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = [
    "COMPLAINT_REFERENCE_HEADER",
    "IDEMPOTENCY_KEY_HEADER",
    "KIND_HEADER",
    "SmtpNotifier",
    "SmtpSecurity",
]

SmtpSecurity = Literal["starttls", "ssl", "none"]
"""How the connection to the mail server is secured."""

IDEMPOTENCY_KEY_HEADER = "X-Iso10002-Idempotency-Key"
"""The e-mail header that carries the notification's idempotency key."""
COMPLAINT_REFERENCE_HEADER = "X-Iso10002-Complaint-Reference"
"""The e-mail header that carries the complaint reference (absent when there is none)."""
KIND_HEADER = "X-Iso10002-Kind"
"""The e-mail header that carries the notification's kind."""

CHANNEL = "smtp"
_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
# The model's rule for addresses: permissive; only sending proves an address.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_ENHANCED_CODE = re.compile(rb"^\s*([245]\.\d{1,3}\.\d{1,3})\b")
# RFC 5322 allows 998 characters on a line. The default of 78 would turn a long idempotency key
# into RFC 2047 encoded words, and a key that is not byte-for-byte the same is no key.
_POLICY = email.policy.default.clone(max_line_length=998)
_STEPS = {
    "connect": "the connection",
    "starttls": "STARTTLS",
    "login": "the login",
    "send": "the message",
}
_log = logging.getLogger("iso10002.notify")


class _CapturingSMTP(smtplib.SMTP):
    # send_message() throws away the reply to DATA, which is where servers put their queue id.
    data_reply: tuple[int, bytes] | None = None

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        reply = super().data(msg)
        self.data_reply = reply
        return reply


class _CapturingSMTPSSL(_CapturingSMTP, smtplib.SMTP_SSL):
    pass


@functools.lru_cache(maxsize=1)
def _default_context() -> ssl.SSLContext:
    # Loading the system's trust store takes milliseconds; do it once per process.
    return ssl.create_default_context()


def _security(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in _DEFAULT_PORTS:
        raise ValidationError(attribute.name, f"{value!r} is not one of 'starttls', 'ssl', 'none'")


def _port(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check.int_range(1, 65535)(_inst, attribute, value)


def _timeout(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValidationError(
            attribute.name, f"must be a positive number of seconds, got {value!r}"
        )


def _domain(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _DOMAIN.match(value)):
        raise ValidationError(attribute.name, f"{value!r} is not a domain name")


@attrs.frozen(kw_only=True, eq=False)
class SmtpNotifier:
    """
    Sends each notification as one e-mail to ``notification.recipient``.

    Args:
        host: the mail server (submission server or relay).
        from_address: the envelope sender and ``From`` address.
        security: ``"starttls"`` (default; port 587), ``"ssl"`` (implicit TLS; port 465) or
            ``"none"`` (port 25; only for a relay on a trusted network).
        port: the server's port; by default the one that goes with ``security``.
        username: log in with this name (and ``password``); only over TLS.
        password: the password for ``username``; never shown in ``repr``.
        from_name: a display name for the ``From`` header, e.g. ``"Complaints team"``.
        timeout: seconds to wait for the connection and for each reply of the server.
        ssl_context: the TLS settings; by default the system's trusted certificates and
            hostname checking.
        message_id_domain: the right-hand side of ``Message-ID``; by default the domain of
            ``from_address``.
        local_hostname: the name to greet the server with (``EHLO``); by default this
            machine's fully qualified name.
        clock: where the ``Date`` header and the delivery time come from.
    """

    host: str = attrs.field(validator=check.text)
    from_address: str = attrs.field(validator=[check.text, check.email])
    security: SmtpSecurity = attrs.field(default="starttls", validator=_security)
    port: int | None = attrs.field(default=None, validator=_port)
    username: str | None = attrs.field(default=None, validator=check.optional_text)
    password: str | None = attrs.field(default=None, repr=False)
    from_name: str | None = attrs.field(default=None, validator=check.optional_text)
    timeout: float = attrs.field(default=30.0, validator=_timeout)
    ssl_context: ssl.SSLContext | None = attrs.field(
        default=None,
        repr=False,
        validator=attrs.validators.optional(check.instance(ssl.SSLContext)),
    )
    message_id_domain: str | None = attrs.field(default=None, validator=_domain)
    local_hostname: str | None = attrs.field(default=None, validator=check.optional_text)
    clock: Clock = attrs.field(factory=SystemClock, repr=False, validator=check.instance(Clock))

    def __attrs_post_init__(self) -> None:
        if (self.username is None) != (self.password is None):
            raise ValidationError("password", "give both username and password, or neither")
        if self.username is not None and self.security == "none":
            raise ValidationError(
                "security", "a password is only sent over TLS: use 'starttls' or 'ssl'"
            )

    @property
    def effective_port(self) -> int:
        """The port connected to: ``port``, or the default for ``security``."""
        return self.port if self.port is not None else _DEFAULT_PORTS[self.security]

    def message_id(self, notification: Notification) -> str:
        """The ``Message-ID`` of ``notification``'s e-mail; the same on every attempt."""
        digest = hashlib.sha256(notification.idempotency_key.encode("ascii")).hexdigest()[:32]
        domain = self.message_id_domain or self.from_address.rpartition("@")[2]
        return f"<iso10002.{digest}@{domain}>"

    def message(self, notification: Notification) -> EmailMessage:
        """The e-mail that :meth:`send` would send for ``notification`` (for previews and tests)."""
        message = EmailMessage(policy=_POLICY)
        message["From"] = (
            formataddr((self.from_name, self.from_address)) if self.from_name else self.from_address
        )
        message["To"] = notification.recipient
        message["Subject"] = notification.subject
        message["Date"] = format_datetime(self.clock.now())
        message["Message-ID"] = self.message_id(notification)
        message["Auto-Submitted"] = "auto-generated"
        message[IDEMPOTENCY_KEY_HEADER] = notification.idempotency_key
        if notification.complaint_reference is not None:
            message[COMPLAINT_REFERENCE_HEADER] = notification.complaint_reference
        message[KIND_HEADER] = notification.kind
        message.set_content(notification.text)
        if notification.html is not None:
            message.add_alternative(notification.html, subtype="html")
        # Last: set_content() drops Content-* headers, and add_alternative() moves them into
        # the first part.
        message["Content-Language"] = notification.language
        return message

    def send(self, notification: Notification) -> Delivery:
        """
        Send ``notification`` as one e-mail; see :class:`~iso10002.ports.notify.Notifier`.

        Raises:
            DeliveryError: ``retryable`` for a failure without a reply code or with a 4xx
                reply; permanent for a 5xx reply, a recipient that is not an e-mail address
                (or one the email package cannot write in a header), or a message that needs
                an extension (SMTPUTF8) the server lacks.
        """
        if not _EMAIL.match(notification.recipient):
            error = _failure(
                notification, CHANNEL, "the recipient is not an e-mail address", retryable=False
            )
            _log.debug("%s", error)
            raise error
        message = self._message_or_none(notification)
        if message is None:
            # Raised here, not in the handler: the email package's exception is not ours and
            # may one day quote the address.
            error = _failure(
                notification,
                CHANNEL,
                "the recipient or the subject cannot be written as an e-mail header",
                retryable=False,
            )
            _log.debug("%s", error)
            raise error
        outcome = self._attempt(notification, message)
        if isinstance(outcome, DeliveryError):
            _log.debug("%s", outcome)
            # Raised outside the `except` that made it: the smtplib exception holds the
            # server's reply, which may quote the recipient, and must not travel along.
            raise outcome
        _log.debug(
            "notification %r (complaint %s) delivered by smtp: %s",
            notification.idempotency_key,
            notification.complaint_reference,
            outcome.status.split(" ", 2)[1],
        )
        return outcome

    def _message_or_none(self, notification: Notification) -> EmailMessage | None:
        try:
            return self.message(notification)
        except (AttributeError, LookupError, TypeError, ValueError, email.errors.MessageError):
            # The email package fails this way on an address it cannot parse, such as ":@;.org".
            return None

    def _connect(self) -> _CapturingSMTP:
        if self.security == "ssl":
            return _CapturingSMTPSSL(
                self.host,
                self.effective_port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=self.ssl_context or _default_context(),
            )
        return _CapturingSMTP(
            self.host, self.effective_port, local_hostname=self.local_hostname, timeout=self.timeout
        )

    def _attempt(
        self, notification: Notification, message: EmailMessage
    ) -> Delivery | DeliveryError:
        step = "connect"
        try:
            smtp = self._connect()
            try:
                if self.security == "starttls":
                    step = "starttls"
                    smtp.starttls(context=self.ssl_context or _default_context())
                if self.username is not None and self.password is not None:
                    step = "login"
                    smtp.login(self.username, self.password)
                step = "send"
                smtp.send_message(
                    message, from_addr=self.from_address, to_addrs=[notification.recipient]
                )
                reply = smtp.data_reply
            finally:
                _close(smtp)
        except smtplib.SMTPRecipientsRefused as e:
            code, text = next(iter(e.recipients.values()), (0, b""))
            return _rejected(notification, "the mail server refused the recipient", code, text)
        except smtplib.SMTPSenderRefused as e:
            return _rejected(
                notification, "the mail server refused the sender", e.smtp_code, e.smtp_error
            )
        except smtplib.SMTPDataError as e:
            return _rejected(
                notification, "the mail server refused the message", e.smtp_code, e.smtp_error
            )
        except smtplib.SMTPResponseException as e:
            what = _STEPS[step]
            return _rejected(
                notification, f"the mail server refused {what}", e.smtp_code, e.smtp_error
            )
        except smtplib.SMTPNotSupportedError:
            if step == "send":
                # Only SMTPUTF8 is required by send_message(): a non-ASCII address.
                return _failure(
                    notification,
                    CHANNEL,
                    "the message needs SMTPUTF8, which the mail server does not offer",
                    retryable=False,
                )
            return _failure(
                notification,
                CHANNEL,
                f"the mail server does not offer {'AUTH' if step == 'login' else 'STARTTLS'}",
                retryable=True,
            )
        except (smtplib.SMTPException, OSError) as e:
            # Connection refused or reset, name resolution, TLS handshake or certificate, a
            # server that hung up or went quiet: nothing here is about this notification.
            # smtplib reports a read that timed out as SMTPServerDisconnected.
            if isinstance(e, TimeoutError) or isinstance(e.__context__, TimeoutError):
                reason = f"the mail server did not answer within {self.timeout:g} s ({step})"
            else:
                reason = f"could not talk to the mail server ({step}: {type(e).__name__})"
            raise _failure(notification, CHANNEL, reason, retryable=True) from e
        code, text = reply if reply is not None else (250, b"")
        return Delivery(
            idempotency_key=notification.idempotency_key,
            channel=CHANNEL,
            delivered_at=self.clock.now(),
            status=f"SMTP {code} {text.decode('ascii', 'replace')}".strip()[:200],
            message_id=str(message["Message-ID"]),
        )


def _rejected(notification: Notification, what: str, code: int, text: bytes | str) -> DeliveryError:
    raw = text.encode("ascii", "replace") if isinstance(text, str) else text
    enhanced = _ENHANCED_CODE.match(raw or b"")
    status = f"SMTP {code}" + (f" {enhanced[1].decode()}" if enhanced else "")
    retryable = not 500 <= code <= 599
    return _failure(notification, CHANNEL, what, retryable=retryable, status=status)


def _close(smtp: smtplib.SMTP) -> None:
    # The message is either accepted or refused by now; a failing QUIT changes neither.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()
