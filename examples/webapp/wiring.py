"""
How the application is put together: its settings (from environment variables), the actors it
acts as, the access policy, and the one store and desk each process opens.

Every process (each web worker, the background worker, the seeding command) calls
:func:`open_desk` once when it starts, never before a ``fork()``, and shares the desk between
its threads, as docs/embedding.md says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from iso10002 import (
    Actor,
    Clock,
    Complaint,
    ComplaintDesk,
    FixedClock,
    Role,
    RoleBasedAuthorizer,
    SQLiteEventStore,
    SystemClock,
)
from iso10002.access import by_customer_id
from iso10002.letters import LetterSettings, LetterWriter
from iso10002.model.notification import Delivery, Notification
from iso10002.outbox import NotificationPolicy
from iso10002.sla.config import SlaConfig
from iso10002.sla.presets import preset

__all__ = [
    "PRESET",
    "STAFF",
    "WEB_INTAKE",
    "WORKER",
    "MailDirectory",
    "Settings",
    "authorizer",
    "open_desk",
    "open_store",
    "visitor",
]

PRESET = "fca-disp-1.5"
"""The timeliness regime: the FCA's three-business-day summary resolution and eight weeks."""

WEB_INTAKE = Actor(id="web-intake", role=Role.SYSTEM, name="Web complaint form")
"""Who receives and acknowledges the complaints that come through the form."""

WORKER = Actor(id="webapp-worker", role=Role.SYSTEM, name="Background worker")
"""Who runs the scheduled tick."""

STAFF: dict[str, Actor] = {
    actor.id: actor
    for actor in (
        Actor(id="mia", role=Role.COMPLAINTS_MANAGER, name="Mia (complaints manager)"),
        Actor(id="fran", role=Role.FRONT_LINE, name="Fran (front line)"),
        Actor(id="ivan", role=Role.INVESTIGATOR, name="Ivan (investigator)"),
        Actor(id="aud", role=Role.AUDITOR, name="Aud (auditor)"),
    )
}
"""The staff who may sign in to the console; a real deployment takes them from its own login."""


@dataclass(frozen=True)
class Settings:
    """
    The application's settings, read from the environment by :meth:`from_env`.

    Attributes:
        database: the SQLite file every process opens (``ISO10002_WEBAPP_DB``).
        mail_dir: where the worker delivers e-mail, one ``.eml`` file per message
            (``ISO10002_WEBAPP_MAIL_DIR``); a real deployment sends through SMTP instead.
        now: a fixed "now" for tests and demonstrations (``ISO10002_WEBAPP_NOW``, an ISO 8601
            instant with its offset); the system clock when unset. Time then stands still in
            every process, so all of them agree on it.
        tick_seconds: how often the worker runs the tick (``ISO10002_WEBAPP_TICK_SECONDS``).
    """

    database: Path
    mail_dir: Path
    now: dt.datetime | None = None
    tick_seconds: float = 30.0

    @classmethod
    def from_env(cls) -> Settings:
        """The settings the environment gives, with defaults in the current directory."""
        env = os.environ
        now = env.get("ISO10002_WEBAPP_NOW")
        fixed = None
        if now:
            fixed = dt.datetime.fromisoformat(now.replace("Z", "+00:00"))
            if fixed.tzinfo is None:
                raise ValueError("ISO10002_WEBAPP_NOW needs an offset, e.g. 2027-01-11T09:00Z")
        return cls(
            database=Path(env.get("ISO10002_WEBAPP_DB", "webapp.db")),
            mail_dir=Path(env.get("ISO10002_WEBAPP_MAIL_DIR", "webapp-mail")),
            now=fixed,
            tick_seconds=float(env.get("ISO10002_WEBAPP_TICK_SECONDS", "30")),
        )

    def clock(self) -> Clock:
        """The clock every desk of the application uses."""
        return SystemClock() if self.now is None else FixedClock(self.now)


def visitor(email: str) -> Actor:
    """
    The complainant who gives ``email`` on the status page. The id is a digest of the address,
    so that the access log, which records a refused look-up with its actor, holds no address.
    """
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]
    return Actor(id=f"visitor-{digest}", role=Role.COMPLAINANT)


def _owns(actor: Actor, complaint: Complaint) -> bool:
    """A complaint is a visitor's own when they know the e-mail address it was made with."""
    if by_customer_id(actor, complaint):
        return True
    email = complaint.complainant.contact.email
    return email is not None and visitor(email).id == actor.id


def authorizer() -> RoleBasedAuthorizer:
    """
    The default role matrix, which already lets the web form's system actor receive and
    acknowledge complaints, with what a public web application adds: a complainant owns a
    complaint by its e-mail address (see :func:`visitor`).
    """
    return RoleBasedAuthorizer().with_ownership(_owns)


class MailDirectory:
    """
    A notifier that "delivers" each e-mail as a file in a directory, named by its idempotency
    key, so that a message delivered twice is one file. Stands in for
    :class:`~iso10002.notify.SmtpNotifier` in the example.
    """

    def __init__(self, directory: Path, clock: Clock) -> None:
        self.directory = directory
        self.clock = clock

    def send(self, notification: Notification) -> Delivery:
        """Write the message to ``<idempotency key>.eml``."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(notification.idempotency_key.encode("utf-8")).hexdigest()[:32]
        path = self.directory / f"{name}.eml"
        message = (
            f"To: {notification.recipient}\nSubject: {notification.subject}\n"
            f"X-Complaint: {notification.complaint_reference}\n\n{notification.text}\n"
        )
        temporary = path.with_suffix(".tmp")
        temporary.write_text(message, encoding="utf-8")
        temporary.replace(path)
        return Delivery(
            idempotency_key=notification.idempotency_key,
            channel="smtp",
            delivered_at=self.clock.now(),
            status="written",
            message_id=path.name,
        )


def open_store(settings: Settings) -> SQLiteEventStore:
    """This process's store: one per process, shared by its threads, opened after any fork."""
    return SQLiteEventStore(settings.database)


def open_desk(settings: Settings, store: SQLiteEventStore | None = None) -> ComplaintDesk:
    """This process's desk on ``store`` (opened here if omitted); one per process."""
    policy = preset(PRESET).policy()
    letters = LetterWriter(
        settings=LetterSettings(organisation="Example Ltd", signature="Customer Relations Team")
    )
    return ComplaintDesk(
        open_store(settings) if store is None else store,
        clock=settings.clock(),
        sla=SlaConfig(policies=(policy,), default=policy.name),
        authorizer=authorizer(),
        notifications=NotificationPolicy(letters=letters),
    )
