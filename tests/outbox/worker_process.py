"""
A separate OS process for tests/outbox/test_processes.py: a dispatcher or a desk on a SQLite
file, which the test kills with SIGKILL at a chosen moment. It reports on stdout, one line per
step, and flushes each line, so that the test knows when to kill it.

Usage::

    python worker_process.py dispatch DB NOW PORT MODE WORKER
    python worker_process.py desk DB NOW

``MODE`` is ``drain`` (deliver until nothing is pending), ``hang-before-send`` (claim one
record, print ``CLAIMED <key>``, never send it) or ``hang-after-send`` (send one record, print
``SENT <key>``, never record the outcome). Instants are ISO 8601; the clock stands still.
"""

from __future__ import annotations

import datetime as _dt
import sys
import time

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    ComplaintDesk,
    Decision,
    FixedClock,
    Outcome,
    Role,
    Severity,
)
from iso10002.letters import LetterSettings, LetterWriter
from iso10002.notify import Delivery, Notification, Notifier, SmtpNotifier
from iso10002.outbox import NotificationPolicy, OutboxDispatcher, OutboxState
from iso10002.programme import Escalation
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import sample_complainant

STAFF = Actor(id="ana", role=Role.COMPLAINTS_MANAGER)


def say(line: str) -> None:
    """One line for the test, flushed at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def hang() -> None:
    """Wait to be killed."""
    while True:
        time.sleep(60)


class Hanging:
    """Stops the process at the chosen moment of the first send."""

    def __init__(self, inner: Notifier, mode: str) -> None:
        self.inner = inner
        self.mode = mode

    def send(self, notification: Notification) -> Delivery:
        if self.mode == "hang-before-send":
            say(f"CLAIMED {notification.idempotency_key}")
            hang()
        delivery = self.inner.send(notification)
        if self.mode == "hang-after-send":
            say(f"SENT {notification.idempotency_key}")
            hang()
        return delivery


def dispatch(db: str, now: str, port: str, mode: str, worker: str) -> None:
    clock = FixedClock(_dt.datetime.fromisoformat(now))
    store = SQLiteEventStore(db, synchronous="NORMAL")
    mail = SmtpNotifier(
        host="127.0.0.1",
        port=int(port),
        security="none",
        from_address="complaints@example.org",
        timeout=10,
        clock=clock,
    )
    notifier: Notifier = mail if mode == "drain" else Hanging(mail, mode)
    dispatcher = OutboxDispatcher(store, {"smtp": notifier}, clock=clock, worker=worker)
    say("READY")
    if mode == "drain":
        # Keep at it while anything is pending: the other processes hold some lane heads.
        while dispatcher.counts()[OutboxState.PENDING]:
            if not dispatcher.dispatch(limit=5).busy:
                time.sleep(0.005)
        say("DONE")
        return
    dispatcher.dispatch(limit=1)
    say("NOTHING")


def desk(db: str, now: str) -> None:
    clock = FixedClock(_dt.datetime.fromisoformat(now))
    store = SQLiteEventStore(db, synchronous="NORMAL")
    letters = LetterWriter(
        settings=LetterSettings(
            organisation="Example Ltd",
            signature="Complaints Team",
            escalation=Escalation(internal_review_by="our Customer Relations Manager"),
        )
    )
    handling = ComplaintDesk(store, clock=clock, notifications=NotificationPolicy(letters=letters))
    n = 0
    while True:
        n += 1
        c = handling.receive(
            STAFF,
            complainant=sample_complainant(f"Complainant {n}", email=f"c{n}@example.org"),
            channel=Channel.EMAIL,
            description="It broke.",
        )
        handling.acknowledge(c.reference, STAFF)
        handling.assess(c.reference, STAFF, Assessment(severity=Severity.LOW))
        decision = Decision(outcome=Outcome.NOT_UPHELD, reasons="It works as sold.")
        handling.decide(c.reference, STAFF, decision)
        handling.communicate_decision(
            c.reference, STAFF, channel=Channel.EMAIL, summary="Not upheld."
        )
        say(f"COMMITTED {c.reference}")


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "dispatch":
        dispatch(*arguments)
    elif command == "desk":
        desk(*arguments)
    else:
        raise SystemExit(f"unknown command {command!r}")
