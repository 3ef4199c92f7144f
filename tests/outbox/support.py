"""Stores, entries, a desk with a notification policy, and loopback servers for the outbox tests."""

from __future__ import annotations

import datetime as _dt
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    ComplaintDesk,
    Decision,
    FixedClock,
    Outcome,
    Priority,
    Role,
    Severity,
)
from iso10002.letters import LetterSettings, LetterWriter
from iso10002.notify import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from iso10002.outbox import NotificationPolicy, OutboxQuery, OutboxRecord, StaffRoute
from iso10002.programme import Escalation, ExternalBody
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.config import SlaConfig
from iso10002.sla.policy import Metric, On, PolicyRule, SlaPolicy, Target, Unit
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import sample_complainant
from iso10002.testing.outbox import OutboxEventStore
from tests.notify.support import LOOPBACK, SERVER_NAME, Mailbox

SECRET = "whsec-0123456789abcdef0123456789abcdef"
WAIT = 10.0
"""Upper bound for any wait on another thread; a healthy test never gets near it."""
UTC = _dt.timezone.utc
START = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""A Monday, 09:00 in London (GMT)."""
STAFF = Actor(id="ana", role=Role.COMPLAINTS_MANAGER, name="Ana Handler")
OFFICE = BusinessCalendar.standard(name="office", zone="Europe/London", version="2026.1")
TEAM = StaffRoute(channel="smtp", recipient="complaints-team@example.org")


LONDON = ZoneInfo("Europe/London")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> _dt.datetime:
    """A London wall-clock time as an aware datetime."""
    return _dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def sla_config() -> SlaConfig:
    """
    Decide within 16 business hours of the office (warning at half time), or within 8 for
    urgent complaints.
    """

    def final_response(hours: int) -> Metric:
        return Metric(
            name="final_response",
            description="final response",
            target=Target(amount=hours, unit=Unit.BUSINESS_HOURS),
            stop=(On(event="decision_communicated"),),
            warnings=(50,),
        )

    def policy(name: str, hours: int) -> SlaPolicy:
        return SlaPolicy(
            name=name,
            version="1",
            description=f"{hours} business hours",
            calendar=OFFICE,
            metrics=(final_response(hours),),
        )

    return SlaConfig(
        policies=(policy("standard", 16), policy("urgent", 8)),
        rules=(PolicyRule(policy="urgent", priority=(Priority.URGENT,)),),
        default="standard",
    )


def minutes(n: float) -> _dt.timedelta:
    """``n`` minutes."""
    return _dt.timedelta(minutes=n)


def letters() -> LetterWriter:
    """A letter writer of a UK bank with an internal review and an ombudsman."""
    body = ExternalBody(
        name="the Financial Ombudsman Service",
        url="https://www.financial-ombudsman.org.uk",
        time_limit="6 months from the date of our final response",
    )
    return LetterWriter(
        settings=LetterSettings(
            organisation="Example Bank plc",
            signature="Customer Relations Team",
            escalation=Escalation(
                internal_review_by="our Customer Relations Manager", external_body=body
            ),
            referral_months=6,
            zone="Europe/London",
        )
    )


def policy(**changes: Any) -> NotificationPolicy:
    """Letters by e-mail through "smtp", staff alerts to the team, office hours."""
    fields: dict[str, Any] = {
        "letters": letters(),
        "staff": (TEAM,),
        "business_hours": OFFICE,
    }
    fields.update(changes)
    return NotificationPolicy(**fields)


def handle(desk: ComplaintDesk, n: int, *, email: str | None = None) -> str:
    """Receive complaint number ``n``, acknowledge it, decide it and tell the complainant."""
    complainant = sample_complainant(
        f"Complainant {n}", email=email or f"complainant{n}@example.org"
    )
    c = desk.receive(STAFF, complainant=complainant, channel=Channel.EMAIL, description="It broke.")
    desk.acknowledge(c.reference, STAFF)
    desk.assess(c.reference, STAFF, Assessment(severity=Severity.LOW))
    desk.decide(
        c.reference, STAFF, Decision(outcome=Outcome.NOT_UPHELD, reasons="It works as sold.")
    )
    desk.communicate_decision(c.reference, STAFF, channel=Channel.EMAIL, summary="Not upheld.")
    return c.reference


def all_records(store: OutboxEventStore) -> list[OutboxRecord]:
    """Every record of the outbox, by id."""
    found: list[OutboxRecord] = []
    while page := store.outbox_records(OutboxQuery(after_id=found[-1].id if found else 0)):
        found.extend(page)
    return found


def sqlite_store(tmp_path: Path, name: str = "complaints.db") -> SQLiteEventStore:
    """A SQLite store in ``tmp_path``, without waiting for the disk (tests are about logic)."""
    return SQLiteEventStore(tmp_path / name, synchronous="NORMAL")


def free_port() -> int:
    """A loopback port nobody listens on now (bound and released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    return port


class FixedPortController(Controller):
    """aiosmtpd's threaded controller on a given loopback port (to stop and start it again)."""

    def __init__(self, handler: Mailbox, port: int) -> None:
        super().__init__(handler, hostname=LOOPBACK, port=port, server_hostname=SERVER_NAME)

    def factory(self) -> SMTP:
        # With its loop given, SMTP() leaves the process-wide warning filters be.
        return SMTP(self.handler, loop=self.loop, **self.SMTP_kwargs)


@contextmanager
def smtp_on(port: int, mailbox: Mailbox) -> Iterator[FixedPortController]:
    """A running SMTP server on ``port``."""
    controller = FixedPortController(mailbox, port)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@attrs.define
class SwitchableReceiver:
    """
    A webhook receiver whose answer can be changed while it runs: ``status`` (202 by default)
    for requests with a good signature, checked at ``clock.now()``; 401 for a bad one.
    """

    clock: FixedClock
    status: int = 202
    keys: list[str] = attrs.field(factory=list)
    """The idempotency keys it accepted (2xx), in order."""
    refused: int = 0
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        ok = verify_signature(
            SECRET,
            headers.get(TIMESTAMP_HEADER.lower(), ""),
            body,
            headers.get(SIGNATURE_HEADER.lower(), ""),
            now=self.clock.now(),
        )
        with self._lock:
            if not ok:
                return 401
            if 200 <= self.status <= 299:
                self.keys.append(headers["idempotency-key"])
                assert json.loads(body)["idempotency_key"] == headers["idempotency-key"]
            else:
                self.refused += 1
            return self.status


@contextmanager
def webhook_receiver(receiver: SwitchableReceiver) -> Iterator[str]:
    """A running receiver; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            code = receiver.answer(headers, body)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}/hooks/complaints"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(WAIT)
