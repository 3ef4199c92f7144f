"""
Personal data never appears in logs, error messages or webhook bodies unless configured.

Whole complaints are handled through the real desk on a SQLite file, with the marker in every
personal field; the outbox is delivered to real loopback servers, good and failing (an SMTP
server that quotes the address back when it refuses it, webhook endpoints that are down, refuse,
redirect or hang up, a notifier that raises with the content in its message). Every log record
of the library, every error and every webhook body is then searched for the marker. So are the
errors of bad input and of damaged rows, edited in the database file with sqlite3, and the lines
the command line prints about them.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Classification,
    ClosureReason,
    Communication,
    ComplaintDesk,
    ContactDetails,
    Decision,
    FixedClock,
    Outcome,
    Reaction,
    Remedy,
    RemedyKind,
    Role,
    RootCause,
    Severity,
    SQLiteEventStore,
    StateDef,
    Transition,
    standard_workflow,
)
from iso10002.cli import main
from iso10002.errors import Iso10002Error
from iso10002.integrity import verify
from iso10002.model.events import ComplaintReceived, payload_types
from iso10002.model.personal import personal_paths
from iso10002.model.values import (
    CommunicationKind,
    Complainant,
    Direction,
    ExtensionKind,
    Visibility,
)
from iso10002.notify import Notification, SmtpNotifier, WebhookEndpoint, WebhookNotifier
from iso10002.outbox import (
    DeskChange,
    NotificationPolicy,
    OutboxDispatcher,
    OutboxEntry,
    OutboxQuery,
    OutboxRecord,
    OutboxState,
    RetryPolicy,
    StaffRoute,
)
from iso10002.sla.config import SlaConfig
from iso10002.sla.presets import preset
from tests.notify.support import (
    LOOPBACK,
    Mailbox,
    Receiver,
    closed_port,
    http_server,
    smtp_server,
)
from tests.outbox.support import OFFICE, letters
from tests.survey.support import SURVEY_SYSTEM, survey

from .markers import (
    MARKER,
    assert_all_marked,
    assert_no_marker_in,
    assert_no_marker_logged,
    caught,
    damaged,
    fill,
    marked_cells,
    shape,
)

START = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_dt.timezone.utc)
STAFF = Actor(id="ana", role=Role.COMPLAINTS_MANAGER, name="Ana Handler")
HANDLER = Actor(id="ben", role=Role.INVESTIGATOR, name="Ben Case")
SLA = SlaConfig(
    policies=(preset("fca-disp-1.6.2a").policy(calendar=OFFICE),), default="fca-disp-1.6.2a"
)


@attrs.frozen
class InformationAsked:
    """A custom step's typed data: what was asked for, or what came."""

    what: str


WORKFLOW = standard_workflow().extend(
    name="with-information-requests",
    states=[StateDef(name="awaiting_complainant", description="Waiting for information")],
    transitions=[
        Transition(
            command="request_information",
            sources=("investigating",),
            target="awaiting_complainant",
            payload=InformationAsked,
        ),
        Transition(
            command="information_received",
            sources=("awaiting_complainant",),
            target="investigating",
            payload=InformationAsked,
        ),
    ],
)
ENDPOINTS = {
    "plain": ("/hooks/plain", False),
    "full": ("/hooks/full", True),
    "down": ("/status/503", False),
    "refused": ("/status/404", False),
    "moved": ("/status/302", False),
    "hangup": ("/close", False),
}
"""The webhook endpoints by name: path on the receiver, and whether personal data goes there."""
NOWHERE = "nowhere"
"""An endpoint on a port nobody listens on."""
UNKNOWN = "unknown"
"""An endpoint no notifier knows."""
MAIL_COPIES = ("smtp-refused", "smtp-busy", "smtp-data", "smtp-down", "buggy")
"""Channels that fail; every letter is copied to each of them."""
FAILING = (*MAIL_COPIES, *(f"webhook:{e}" for e in ("down", "refused", "moved", "hangup")))


def text(what: str) -> str:
    """A free-text value with the marker."""
    return f"{MARKER} {what}"


def free(what: str) -> Any:
    """A free-text value with the marker, where the types want a code."""
    return text(what)


# -- servers -----------------------------------------------------------------------------------


@attrs.define
class QuotingRefusal:
    """An SMTP server that refuses the recipient or the message, quoting the address back."""

    rcpt_code: str | None = None
    data_code: str | None = None

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_code is not None:
            return f"{self.rcpt_code} <{address}>: Recipient address rejected: {address}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        return f"{self.data_code} message to {envelope.rcpt_tos} refused as spam"


class Buggy:
    """A notifier of an application's own with a bug: its error quotes the notification."""

    def send(self, notification: Notification) -> Any:
        raise RuntimeError(f"cannot send to {notification.recipient}: {notification.text}")


@attrs.frozen
class Servers:
    """The loopback servers and the notifiers that talk to them."""

    clock: FixedClock
    mailbox: Mailbox
    receiver: Receiver
    notifiers: dict[str, Any]


@pytest.fixture
def servers() -> Iterator[Servers]:
    clock = FixedClock(START)
    mailbox = Mailbox()
    receiver = Receiver(now=START)
    with ExitStack() as stack:
        good = stack.enter_context(smtp_server(mailbox))
        refused = stack.enter_context(smtp_server(QuotingRefusal(rcpt_code="550 5.1.1")))  # type: ignore[arg-type]
        busy = stack.enter_context(smtp_server(QuotingRefusal(rcpt_code="451 4.3.0")))  # type: ignore[arg-type]
        spam = stack.enter_context(smtp_server(QuotingRefusal(data_code="554 5.7.1")))  # type: ignore[arg-type]
        down = stack.enter_context(closed_port())
        base = stack.enter_context(http_server(receiver))
        nowhere = stack.enter_context(closed_port())

        def mail(port: int) -> SmtpNotifier:
            return SmtpNotifier(
                host=LOOPBACK,
                port=port,
                security="none",
                from_address="complaints@bank.example",
                timeout=5,
                clock=clock,
            )

        secret = receiver.secret
        endpoints = {
            name: WebhookEndpoint(url=base + path, secret=secret, include_personal_data=full)
            for name, (path, full) in ENDPOINTS.items()
        }
        endpoints[NOWHERE] = WebhookEndpoint(url=f"http://{LOOPBACK}:{nowhere}/", secret=secret)
        notifiers: dict[str, Any] = {
            "smtp": mail(good.port),
            "smtp-refused": mail(refused.port),
            "smtp-busy": mail(busy.port),
            "smtp-data": mail(spam.port),
            "smtp-down": mail(down),
            "buggy": Buggy(),
            "webhook": WebhookNotifier(
                endpoints=endpoints, connect_timeout=5, read_timeout=5, clock=clock
            ),
        }
        yield Servers(clock=clock, mailbox=mailbox, receiver=receiver, notifiers=notifiers)


# -- the desk ----------------------------------------------------------------------------------


def with_copies(change: DeskChange, policy: NotificationPolicy) -> list[OutboxEntry]:
    """
    The standard notifications, and a copy of every letter to each failing mail channel and to
    every webhook endpoint, with facts about the complainant in ``personal``.
    """
    entries = list(policy(change))
    complaint = change.complaint
    person = complaint.complainant
    copies: list[OutboxEntry] = []
    for entry in entries:
        letter = entry.notification
        if entry.lane is not None:  # a staff alert
            continue
        for channel in MAIL_COPIES:
            copies.append(
                OutboxEntry(
                    notification=attrs.evolve(
                        letter, idempotency_key=f"{letter.idempotency_key}:{channel}"
                    ),
                    channel=channel,
                    lane=f"{complaint.reference}/{channel}",
                )
            )
        for endpoint in (*ENDPOINTS, NOWHERE, UNKNOWN):
            copies.append(
                OutboxEntry(
                    notification=attrs.evolve(
                        letter,
                        idempotency_key=f"{letter.idempotency_key}:{endpoint}",
                        recipient=endpoint,
                        personal={
                            "complainant": person.name,
                            "email": person.contact.email,
                            "description": complaint.description,
                        },
                    ),
                    channel="webhook",
                    lane=f"{complaint.reference}/webhook-{endpoint}",
                )
            )
    return [*entries, *copies]


def desk_on(path: Path, clock: FixedClock) -> ComplaintDesk:
    """A desk on the SQLite file ``path`` that writes letters, staff alerts and their copies."""
    policy = NotificationPolicy(
        letters=letters(),
        staff=(
            StaffRoute(channel="webhook", recipient="plain"),
            StaffRoute(channel="webhook", recipient="full"),
            StaffRoute(channel="smtp", recipient="complaints-team@bank.example"),
        ),
        business_hours=OFFICE,
    )
    return ComplaintDesk(
        SQLiteEventStore(path),
        clock=clock,
        workflow=WORKFLOW,
        sla=SLA,
        notifications=lambda change: with_copies(change, policy),
    )


def receive(desk: ComplaintDesk) -> str:
    """Receive a complaint with the marker in every personal field; its reference."""
    complainant = Complainant(name="x", contact=ContactDetails(email="x@example.org"))
    marked = fill(
        ComplaintReceived(
            reference="pending",
            complainant=complainant,
            channel=Channel.EMAIL,
            description="x",
            received_at=START,
        )
    )
    accepted = inspect.signature(desk.receive).parameters
    arguments = {
        f.name: getattr(marked, f.name)
        for f in attrs.fields(ComplaintReceived)
        if f.name in accepted and f.name not in ("reference", "received_at")
    }
    return desk.receive(STAFF, **arguments).reference


def handle(desk: ComplaintDesk, clock: FixedClock) -> str:
    """One complaint through every command that records text, to the end; its reference."""
    ref = receive(desk)
    desk.acknowledge(ref, STAFF, message=text("we have it"))
    desk.assess(ref, STAFF, fill(Assessment(severity=Severity.HIGH)))
    desk.classify(ref, STAFF, Classification(category=("Billing", "Wrong amount")))
    desk.assign(ref, STAFF, HANDLER)
    desk.start_investigation(ref, HANDLER, plan=text("plan"))
    desk.run_step(
        ref,
        HANDLER,
        "request_information",
        note=text("asked for statements"),
        data=InformationAsked(what=text("statements")),
    )
    desk.run_step(
        ref,
        HANDLER,
        "information_received",
        note=text("statements came"),
        data={"what": text("statements")},
    )
    desk.add_note(ref, HANDLER, text("called the complainant"))
    desk.put_on_hold(ref, HANDLER, reason=text("waiting for the bank"))
    desk.release_hold(ref, HANDLER, note=text("the bank answered"))
    desk.extend_deadline(
        ref,
        HANDLER,
        metric="final_response",
        kind=ExtensionKind.HOLDING_RESPONSE,
        reason=text("records from a third party"),
    )
    clock.advance(_dt.timedelta(days=60))
    assert desk.tick(), "the deadline passed: an alert goes to staff"
    desk.record_root_cause(ref, HANDLER, RootCause(cause="billing run repeated"))
    decision = fill(
        Decision(
            outcome=Outcome.PARTIALLY_UPHELD,
            reasons="x",
            remedies=(Remedy(kind=RemedyKind.OTHER, description="x"),),
        )
    )
    desk.decide(ref, HANDLER, decision)
    desk.communicate_decision(ref, HANDLER, channel=Channel.EMAIL, summary=text("decision"))
    communication = Communication(
        direction=Direction.INBOUND,
        channel=Channel.PHONE,
        kind=CommunicationKind.OTHER,
        visibility=Visibility.INTERNAL,
        summary="x",
    )
    desk.record_communication(ref, HANDLER, fill(communication))
    desk.record_reaction(ref, STAFF, Reaction.REJECTS, comment=text("not enough"))
    desk.request_internal_review(ref, STAFF, reason=text("review it"))
    desk.decide(ref, STAFF, decision)
    desk.communicate_decision(ref, STAFF, channel=Channel.EMAIL, summary=text("after review"))
    desk.record_reaction(ref, STAFF, Reaction.REJECTS, comment=text("still not enough"))
    desk.refer_externally(
        ref, STAFF, body="the Financial Ombudsman Service", external_reference=text("FOS-1")
    )
    desk.close(ref, STAFF, reason=ClosureReason.REFERRED_EXTERNALLY, note=text("closing"))
    desk.record_satisfaction(ref, SURVEY_SYSTEM, score=2, comment=text("slow"))
    desk.answer_survey(
        ref, SURVEY_SYSTEM, survey=survey(), answers={"overall": 2}, comment=text("too slow")
    )
    desk.reopen(ref, STAFF, reason=text("new evidence"))
    desk.decide(ref, STAFF, decision)
    desk.communicate_decision(ref, STAFF, channel=Channel.EMAIL, summary=text("after reopening"))
    desk.record_reaction(ref, STAFF, Reaction.ACCEPTS, comment=text("accepted"))
    desk.carry_out_decision(ref, STAFF, summary=text("refund paid"))
    desk.withdraw(ref, STAFF, reason=text("gave up"))
    return ref


def assert_every_personal_field_was_marked(desk: ComplaintDesk, ref: str) -> None:
    """The lifecycle wrote every payload type with personal data, and marked all of it."""
    history = desk.history(ref)
    for event in history:
        assert_all_marked(event.payload)
    written = {e.payload.type for e in history}
    personal = {name for name, cls in payload_types().items() if any(personal_paths(cls))}
    assert personal <= written, f"add a command for {sorted(personal - written)} to handle()"


def records(store: SQLiteEventStore, **criteria: Any) -> list[OutboxRecord]:
    """Every outbox record matching ``criteria``, by id."""
    found: list[OutboxRecord] = []
    while page := store.outbox_records(
        OutboxQuery(after_id=found[-1].id if found else 0, **criteria)
    ):
        found.extend(page)
    return found


def deliver(dispatcher: OutboxDispatcher, clock: FixedClock, receiver: Receiver) -> None:
    """Dispatch until every retry was made: each record is delivered or dead."""
    for _ in range(12):
        receiver.now = clock.now()
        dispatcher.drain()
        clock.advance(_dt.timedelta(hours=6))


# -- the tests ---------------------------------------------------------------------------------


@pytest.fixture
def library_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="iso10002")
    return caplog


def test_handling_and_delivering_complaints_leaks_no_personal_data(
    tmp_path: Path, servers: Servers, library_logs: pytest.LogCaptureFixture
) -> None:
    clock = servers.clock
    desk = desk_on(tmp_path / "desk.db", clock)
    references = [handle(desk, clock), handle(desk, clock)]
    for ref in references:
        assert_every_personal_field_was_marked(desk, ref)
    store = desk.store
    assert isinstance(store, SQLiteEventStore)
    dispatcher = OutboxDispatcher(
        store,
        servers.notifiers,
        clock=clock,
        policy=RetryPolicy(base=_dt.timedelta(minutes=1), max_attempts=3),
    )
    deliver(dispatcher, clock, servers.receiver)

    # Every record was settled: the good channels delivered, every failing one gave up.
    everything = records(store)
    assert {r.state for r in everything} == {OutboxState.DELIVERED, OutboxState.DEAD}
    dead = records(store, state=OutboxState.DEAD)
    failed = {
        r.channel if r.channel != "webhook" else f"webhook:{r.notification.recipient}" for r in dead
    }
    assert set(FAILING) | {f"webhook:{NOWHERE}", f"webhook:{UNKNOWN}"} == failed
    for record in everything:
        assert MARKER not in repr(record)
        assert MARKER not in (record.last_error or "")

    # The letters themselves carry the personal data: it did go where it was meant to.
    assert any(MARKER in m.raw.decode("utf-8", "replace") for m in servers.mailbox.messages)

    # Webhook bodies: personal data only at the endpoint configured for it.
    requests = servers.receiver.seen()
    full = [r for r in requests if r.path == ENDPOINTS["full"][0]]
    others = [r for r in requests if r.path != ENDPOINTS["full"][0]]
    assert {r.path for r in others} >= {path for path, _ in ENDPOINTS.values()} - {"/hooks/full"}
    for request in others:
        assert MARKER.encode() not in request.body, request.json()
    letters_sent = [r for r in full if r.json()["kind"] in ("acknowledgement", "decision")]
    assert letters_sent and all(MARKER in r.json()["personal"]["complainant"] for r in letters_sent)
    assert all(MARKER in r.json()["message"]["text"] for r in letters_sent)
    alerts = [r for r in others if r.json()["kind"] in ("sla_breach", "escalation")]
    assert alerts, "staff alerts went to the plain endpoint"

    # The logs: the error paths ran, and no line (or traceback) holds the marker.
    logged = [r for r in library_logs.records if r.name.startswith("iso10002")]
    assert any("dead letters" in r.getMessage() for r in logged)
    assert any("raised RuntimeError" in r.getMessage() for r in logged)
    assert any("delivered by smtp" in r.getMessage() for r in logged)
    assert_no_marker_logged(library_logs.records)
    store.close()


def test_failed_deliveries_raise_errors_without_personal_data(
    tmp_path: Path, servers: Servers, library_logs: pytest.LogCaptureFixture
) -> None:
    desk = desk_on(tmp_path / "desk.db", servers.clock)
    ref = receive(desk)
    desk.acknowledge(ref, STAFF)
    store = desk.store
    assert isinstance(store, SQLiteEventStore)
    errors = []
    for record in records(store):
        channel = record.channel
        if channel in ("smtp", "buggy") or record.notification.recipient in ("plain", "full"):
            continue
        errors.append(caught(partial(servers.notifiers[channel].send, record.notification)))
    assert len(errors) == len(MAIL_COPIES) - 1 + len(ENDPOINTS) - 2 + 2
    for error in errors:
        assert isinstance(error, Iso10002Error), repr(error)
        assert_no_marker_in(error)
    assert_no_marker_logged(library_logs.records)
    store.close()


def bad_inputs(desk: ComplaintDesk, ref: str) -> Iterable[Any]:
    """Calls that fail on input touching personal data; each gives its error."""
    contact = ContactDetails(email="x@example.org")
    yield lambda: ContactDetails(email=text("at example.org"))
    yield lambda: ContactDetails(email=f"{MARKER}@example")
    yield lambda: Complainant(name="  ", contact=contact)
    yield lambda: Complainant(name=text("name"), contact=ContactDetails())
    yield lambda: Complainant(name=text("name"), contact=contact, preferred_contact=free("post"))
    yield lambda: desk.receive(
        STAFF,
        complainant=fill(Complainant(name="x", contact=contact)),
        channel=Channel.EMAIL,
        description="  ",
    )
    yield lambda: desk.receive(
        STAFF,
        complainant=fill(Complainant(name="x", contact=contact)),
        channel=free("channel"),
        description=text("description"),
    )
    yield lambda: desk.close(ref, STAFF, reason=free("the customer said"))
    yield lambda: desk.close(ref, STAFF, reason=ClosureReason.RESOLVED, note=text("done"))
    yield lambda: desk.record_reaction(ref, STAFF, free("unhappy"))
    yield lambda: desk.request_internal_review(ref, STAFF, reason=text("please"))
    yield lambda: desk.reopen(ref, STAFF, reason=text("again"))
    yield lambda: desk.record_satisfaction(ref, STAFF, score=9, comment=text("bad"))
    yield lambda: desk.extend_deadline(
        ref,
        STAFF,
        metric="no_such_metric",
        kind=ExtensionKind.HOLDING_RESPONSE,
        reason=text("why"),
    )
    yield lambda: desk.answer_survey(
        ref, SURVEY_SYSTEM, survey=survey(), answers={"overall": 2}, comment=text("early")
    )
    yield lambda: Notification(
        idempotency_key=text("key"),
        complaint_reference=ref,
        kind="decision",
        recipient="x@example.org",
        subject="s",
        text="t",
        created_at=START,
    )
    yield lambda: Notification(
        idempotency_key="k",
        complaint_reference=ref,
        kind="decision",
        recipient=f"{MARKER}@example.org\r\nBcc: all@example.org",
        subject=text("subject\nline"),
        text="t",
        created_at=START,
    )
    yield lambda: letters().holding_response(desk.get(ref), reason=text("waiting"))


def test_bad_input_touching_personal_data_is_refused_without_repeating_it(
    tmp_path: Path, library_logs: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(START)
    desk = desk_on(tmp_path / "desk.db", clock)
    ref = receive(desk)
    errors = [caught(call) for call in bad_inputs(desk, ref)]
    assert len(errors) == 18
    for error in errors:
        assert isinstance(error, Iso10002Error), repr(error)
        assert_no_marker_in(error)
    assert_no_marker_logged(library_logs.records)


def _read_everything(path: Path, references: list[str]) -> Iterator[BaseException]:
    """Open the database and read all of it; the errors that come out."""
    try:
        store = SQLiteEventStore(path)
    except Exception as e:
        yield e
        return
    try:
        desk = ComplaintDesk(store, workflow=WORKFLOW, sla=SLA)
        for ref in references:
            for read in (desk.get, desk.history):
                try:
                    read(ref)
                except Exception as e:
                    yield e
        for read_all in (
            lambda: records(store),
            lambda: list(store.iter_events()),
            lambda: list(store.iter_chain()),
            lambda: desk.query(),
        ):
            try:
                read_all()
            except Exception as e:
                yield e
        try:
            report = verify(store)
        except Exception as e:
            yield e
        else:
            assert MARKER not in str(report.finding)
    finally:
        store.close()


def test_damaged_rows_are_reported_without_their_personal_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_logs: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "desk.db"
    clock = FixedClock(START)
    desk = desk_on(path, clock)
    references = [handle(desk, clock)]
    desk.store.close()
    cells = list({(c.table, c.column, shape(c.value)): c for c in marked_cells(path)}.values())
    tables = {c.table for c in cells}
    assert cells and "outbox" in tables
    errors: list[BaseException] = []
    damaged_tables: set[str] = set()
    for cell in cells:
        for bad in damaged(cell.value):
            with sqlite3.connect(path) as conn:
                conn.execute(
                    f'UPDATE "{cell.table}" SET "{cell.column}" = ? WHERE rowid = ?',
                    (bad, cell.rowid),
                )
            conn.close()
            found = list(_read_everything(path, references))
            if found:
                damaged_tables.add(cell.table)
            errors.extend(found)
            with sqlite3.connect(path) as conn:
                conn.execute(
                    f'UPDATE "{cell.table}" SET "{cell.column}" = ? WHERE rowid = ?',
                    (cell.value, cell.rowid),
                )
            conn.close()
    # Every table that holds personal data was damaged into errors, and each error is ours.
    assert damaged_tables == tables
    for error in errors:
        assert isinstance(error, Iso10002Error), repr(error)
        assert_no_marker_in(error)
    assert_no_marker_logged(library_logs.records)


def test_the_command_line_reports_a_damaged_row_without_its_personal_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "desk.db"
    clock = FixedClock(START)
    desk = desk_on(path, clock)
    ref = handle(desk, clock)
    desk.store.close()
    [email] = [
        c for c in marked_cells(path) if c.table != "outbox" and "contact-email@" in c.value
    ][:1]
    with sqlite3.connect(path) as conn:
        bad = email.value.replace("@example.org", " at example dot org")
        conn.execute(
            f'UPDATE "{email.table}" SET "{email.column}" = ? WHERE rowid = ?', (bad, email.rowid)
        )
    conn.close()
    for command in (["show", "--db", str(path), ref], ["history", "--db", str(path), ref]):
        capsys.readouterr()
        assert main(command) == 1
        err = capsys.readouterr().err
        assert err.startswith("iso10002: error: complaint "), err
        assert "complainant.contact.email" in err
        assert MARKER not in err
    capsys.readouterr()
    main(["verify", "--db", str(path)])
    printed = capsys.readouterr()
    assert MARKER not in printed.out + printed.err
