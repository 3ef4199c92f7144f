"""
A notification worker beside the desk, through an outage of the mail server.

The desk enqueues the complainants' letters in the outbox with the commands that cause them;
a worker thread runs the dispatcher loop and delivers them. The mail server (a
``RecordingNotifier`` standing in for an ``SmtpNotifier``) is down for its first attempts and
refuses one address for good. Nothing is lost, nothing is sent twice, each complaint's letters
arrive in order, and the refused letter waits in the dead letters until someone fixes the
address and retries it.

Run it with ``python examples/outbox_worker.py``; it takes well under a second. Backoff is
measured in milliseconds here, to be quick; in production the defaults are 30 s growing to 1 h.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    Decision,
    Outcome,
    Role,
    Severity,
    SQLiteEventStore,
)
from iso10002.letters import LetterSettings, LetterWriter
from iso10002.notify import Delivery, DeliveryError, Notification, RecordingNotifier
from iso10002.outbox import NotificationPolicy, OutboxDispatcher, OutboxState, RetryPolicy
from iso10002.programme import Escalation

STAFF = Actor(id="ana", role=Role.COMPLAINTS_MANAGER, name="Ana Handler")
REFUSED = "no-such-user@example.org"


class MailServer(RecordingNotifier):
    """Refuses ``refused`` for good (an SMTP 550, say); records everything else."""

    refused: str | None = REFUSED

    def send(self, notification: Notification) -> Delivery:
        if notification.recipient == self.refused:
            raise DeliveryError(
                "the mail server refused the recipient",
                idempotency_key=notification.idempotency_key,
                complaint_reference=notification.complaint_reference,
                channel="smtp",
                retryable=False,
                status="SMTP 550 5.1.1",
            )
        return super().send(notification)


def run_worker(dispatcher: OutboxDispatcher, stop: threading.Event) -> None:
    """The worker loop: dispatch while there is work, look again shortly when there is none."""
    while not stop.is_set():
        if not dispatcher.dispatch().busy:
            stop.wait(0.01)


def handle(desk: ComplaintDesk, name: str, email: str) -> str:
    """Receive, acknowledge, decide and communicate one complaint; two letters go out."""
    complainant = Complainant(name=name, contact=ContactDetails(email=email))
    c = desk.receive(
        STAFF, complainant=complainant, channel=Channel.EMAIL, description="Billed twice."
    )
    desk.acknowledge(c.reference, STAFF)
    desk.assess(c.reference, STAFF, Assessment(severity=Severity.LOW))
    desk.decide(
        c.reference,
        STAFF,
        Decision(outcome=Outcome.NOT_UPHELD, reasons="The second line was a refund."),
    )
    desk.communicate_decision(c.reference, STAFF, channel=Channel.EMAIL, summary="Not upheld.")
    return c.reference


def main() -> None:
    # The dispatcher reports dead letters on the "iso10002.outbox" logger (no personal data).
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    store = SQLiteEventStore("outbox-demo.db", synchronous="NORMAL")
    letters = LetterWriter(
        settings=LetterSettings(
            organisation="Example Ltd",
            signature="Customer Relations Team",
            escalation=Escalation(internal_review_by="our Customer Relations Manager"),
        )
    )
    desk = ComplaintDesk(store, notifications=NotificationPolicy(letters=letters))
    mail = MailServer()
    mail.fail_next(4)  # the mail server is down for the first four attempts
    dispatcher = OutboxDispatcher(
        store,
        {"smtp": mail},
        policy=RetryPolicy(base=dt.timedelta(milliseconds=10), cap=dt.timedelta(milliseconds=50)),
    )
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(dispatcher, stop))
    worker.start()
    try:
        references = [handle(desk, f"Customer {n}", f"customer{n}@example.org") for n in range(8)]
        refused = handle(desk, "Customer X", REFUSED)
        deadline = time.monotonic() + 30
        while dispatcher.counts()[OutboxState.PENDING] and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        worker.join()

    counts = dispatcher.counts()
    print(f"delivered {counts[OutboxState.DELIVERED]}, dead {counts[OutboxState.DEAD]}")
    print(f"attempts {len(mail.attempts)} for {len(mail.sent)} deliveries (4 during the outage)")
    keys = [n.idempotency_key for n in mail.sent]
    assert len(keys) == len(set(keys)) == 2 * len(references), "sent twice or lost"
    kinds = defaultdict(list)
    for sent in mail.sent:
        kinds[sent.complaint_reference].append(sent.kind)
    assert all(kinds[r] == ["acknowledgement", "decision"] for r in references), kinds
    print("every complaint's letters arrived in order")

    dead = dispatcher.dead_letters()
    for record in dead:
        print(
            f"dead letter: {record.complaint_reference} {record.kind} [{record.attempts} attempt]"
        )
    assert {record.complaint_reference for record in dead} == {refused}

    # The mailbox is fixed: the dead letters go out again, still in their order.
    mail.refused = None
    print(f"retried {dispatcher.retry_all_dead()}, delivered {dispatcher.drain().delivered}")
    assert [n.kind for n in mail.sent if n.complaint_reference == refused] == [
        "acknowledgement",
        "decision",
    ]
    store.close()


if __name__ == "__main__":
    main()
