"""
Real servers on loopback for the notifier tests: SMTP (aiosmtpd), HTTP (http.server), and TLS
certificates from a throwaway certificate authority (trustme). Nothing is mocked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage, MIMEPart
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from iso10002.errors import DeliveryError
from iso10002.notify import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Notification,
    NotificationKind,
    verify_signature,
)

START = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc)
RECIPIENT = "jane.doe@example.org"
"""The personal data that must never show up in an error or a log line."""
NAME = "Jane Doe"
SECRET = "whsec-0123456789abcdef0123456789abcdef"
SMTP_USER = "complaints-desk"
SMTP_PASSWORD = "correct horse battery staple"
SERVER_NAME = "mail.test"
CLIENT_NAME = "desk.test"
LOOPBACK = "127.0.0.1"
WAIT = 10.0
"""Upper bound for any wait on another thread; a healthy test never gets near it."""


def notification(**changes: Any) -> Notification:
    """A decision notification for Jane Doe; ``changes`` replace fields."""
    fields: dict[str, Any] = {
        "idempotency_key": "CMP-2026-000123:decision:1",
        "complaint_reference": "CMP-2026-000123",
        "kind": NotificationKind.DECISION,
        "recipient": RECIPIENT,
        "subject": "Your complaint CMP-2026-000123: our decision",
        "text": f"Dear {NAME},\n\nWe uphold your complaint and refund GBP 25.00.\n",
        "language": "en",
        "created_at": START,
        "data": {"outcome": "upheld", "refund": {"amount": "25.00", "currency": "GBP"}},
    }
    fields.update(changes)
    return Notification(**fields)


def assert_no_personal_data(error: BaseException, *secrets: str) -> None:
    """Neither the error nor anything chained to it mentions the recipient or the body."""
    forbidden = (RECIPIENT, NAME, *secrets)
    seen: BaseException | None = error
    while seen is not None:
        for text in (str(seen), repr(seen), *map(str, seen.args)):
            for word in forbidden:
                assert word not in text, f"{word!r} leaked into {type(seen).__name__}: {text}"
        seen = seen.__cause__ or seen.__context__


def assert_no_personal_data_logged(records: list[logging.LogRecord], *secrets: str) -> None:
    """No log record of the library mentions the recipient or the body."""
    for record in records:
        if record.name.startswith("iso10002"):
            text = record.getMessage()
            for word in (RECIPIENT, NAME, *secrets):
                assert word not in text, f"{word!r} leaked into a log line: {text}"


def delivery_error_of(call: Any) -> DeliveryError:
    """The DeliveryError that ``call()`` raises (a test fails when it raises nothing)."""
    try:
        call()
    except DeliveryError as e:
        return e
    raise AssertionError("no DeliveryError was raised")


# --- TLS -------------------------------------------------------------------------------------


@attrs.frozen
class Tls:
    """A server context with a certificate for 127.0.0.1, and a client context that trusts it."""

    server: ssl.SSLContext
    client: ssl.SSLContext


def make_tls() -> Tls:
    """A fresh certificate authority and a certificate it issued for the loopback address."""
    import trustme

    authority = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(LOOPBACK, "localhost").configure_cert(server)
    client = ssl.create_default_context()
    authority.configure_trust(client)
    return Tls(server=server, client=client)


# --- SMTP ------------------------------------------------------------------------------------


@attrs.frozen
class Received:
    """One message as the SMTP server took it."""

    mail_from: str | None
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes
    tls: bool
    authenticated: bool


@attrs.define
class Mailbox:
    """
    An aiosmtpd handler that keeps what it accepts. ``rcpt_reply`` and ``data_reply`` make the
    server refuse the recipient or the message with the given reply instead.
    """

    rcpt_reply: str | None = None
    data_reply: str | None = None
    messages: list[Received] = attrs.field(factory=list)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd calls
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.data_reply is not None:
            return self.data_reply
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(
                Received(
                    mail_from=envelope.mail_from,
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    message=parsed,
                    raw=raw,
                    # Set for STARTTLS and for TLS from the first byte alike.
                    tls=server.transport is not None
                    and server.transport.get_extra_info("ssl_object") is not None,
                    authenticated=bool(session.authenticated),
                )
            )
        return "250 2.0.0 Ok: queued as 4F3A9C"

    def keys(self) -> list[str]:
        """The idempotency keys of the accepted messages, in order."""
        with self._lock:
            return [str(m.message["X-Iso10002-Idempotency-Key"]) for m in self.messages]


def text_of(part: MIMEPart) -> str:
    """A text part's content with the line ends it was written with (SMTP sends CRLF)."""
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


def check_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    """aiosmtpd authenticator: accepts SMTP_USER with SMTP_PASSWORD only."""
    ok = isinstance(auth_data, LoginPassword) and auth_data == LoginPassword(
        SMTP_USER.encode(), SMTP_PASSWORD.encode()
    )
    # handled=False: aiosmtpd then sends the 535 itself; True would leave the client waiting.
    return AuthResult(success=ok, handled=False)


class LoopbackController(Controller):
    """aiosmtpd's threaded controller on 127.0.0.1, on a port the system picks."""

    def __init__(self, handler: Mailbox, **kwargs: Any) -> None:
        super().__init__(handler, hostname=LOOPBACK, port=0, server_hostname=SERVER_NAME, **kwargs)

    def factory(self) -> SMTP:
        # With its loop given, SMTP() skips a helper that flips the process-wide warning
        # filters from the server's thread while the tests run in another.
        return SMTP(self.handler, loop=self.loop, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        # The server is bound by now; learn its port before the controller connects to it.
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@contextmanager
def smtp_server(handler: Mailbox, **kwargs: Any) -> Iterator[LoopbackController]:
    """A running SMTP server; ``kwargs`` go to aiosmtpd (tls_context, ssl_context, ...)."""
    controller = LoopbackController(handler, **kwargs)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound, but not listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        yield sock.getsockname()[1]


@contextmanager
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never says a word."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        sock.listen(8)  # the kernel completes the handshake; nobody ever reads or writes
        yield sock.getsockname()[1]


# --- HTTP ------------------------------------------------------------------------------------


@attrs.frozen
class Request:
    """One request as the webhook receiver got it."""

    path: str
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes
    signed: bool = False
    """Whether the signature checked out (only looked at under ``/hooks/``)."""

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


@attrs.define
class Receiver:
    """
    What the loopback webhook receiver knows and has seen.

    Paths: ``/hooks/...`` checks the signature with ``secret`` at ``now`` (401 if bad) and answers
    202; ``/status/<code>`` answers that code; ``/close`` hangs up without an answer; ``/slow``
    waits until ``release`` is set.
    """

    now: dt.datetime
    secret: str = SECRET
    requests: list[Request] = attrs.field(factory=list)
    release: threading.Event = attrs.field(factory=threading.Event)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def seen(self) -> list[Request]:
        """Every request that reached a handler, in order."""
        with self._lock:
            return list(self.requests)

    def accepted(self) -> list[Request]:
        """The requests to ``/hooks/...`` whose signature was good."""
        return [r for r in self.seen() if r.path.startswith("/hooks/") and r.signed]

    def keys(self) -> list[str]:
        """The idempotency keys of the accepted requests, in order."""
        return [r.headers["idempotency-key"] for r in self.accepted()]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            path = self.path
            if path.startswith("/hooks/"):
                ok = verify_signature(
                    receiver.secret,
                    self.headers.get(TIMESTAMP_HEADER, ""),
                    body,
                    self.headers.get(SIGNATURE_HEADER, ""),
                    now=receiver.now,
                )
                receiver.record(Request(path, headers, body, signed=ok))
                self._answer(202 if ok else 401, {"X-Request-Id": "req-42"})
                return
            receiver.record(Request(path, headers, body))
            if path.startswith("/status/"):
                code = int(path.removeprefix("/status/"))
                self._answer(code, {"Location": "/hooks/moved"} if 300 <= code < 400 else {})
            elif path == "/slow":
                receiver.release.wait(WAIT)
                self._answer(202, {})
            # "/close": no answer at all; the server closes the connection.

        def _answer(self, code: int, headers: dict[str, str]) -> None:
            try:
                self.send_response(code)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
            except OSError:
                pass  # the client gave up waiting (the slow endpoint)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def http_server(receiver: Receiver, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """A running webhook receiver; yields its base URL (``http://127.0.0.1:<port>``)."""
    server = ThreadingHTTPServer((LOOPBACK, 0), _handler(receiver))
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    scheme = "https" if tls is not None else "http"
    try:
        yield f"{scheme}://{LOOPBACK}:{server.server_address[1]}"
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join(WAIT)
