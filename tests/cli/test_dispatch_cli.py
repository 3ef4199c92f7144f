"""
``iso10002 outbox dispatch`` as a real program: a SQLite (or PostgreSQL) database full of
letters and webhook events, a real SMTP server and a real HTTP receiver on loopback, workers
stopped with SIGTERM half-way, and two workers at once. Each record arrives exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shlex
import signal
import ssl
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from iso10002 import (
    Actor,
    Channel,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    FixedClock,
    Role,
)
from iso10002.letters import LetterSettings, LetterWriter
from iso10002.model.notification import Notification
from iso10002.model.outbox import OutboxEntry, OutboxQuery
from iso10002.outbox import DeskChange, NotificationPolicy, OutboxState
from iso10002.ports.store import OutboxEventStore
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from tests.notify.support import (
    LOOPBACK,
    SECRET,
    SMTP_PASSWORD,
    SMTP_USER,
    Mailbox,
    Receiver,
    check_login,
    closed_port,
    http_server,
    smtp_server,
)

from .support import run
from .test_docs_samples import _SAMPLE, PAGE, comparable
from .test_outbox_cli import make_outbox_db

if TYPE_CHECKING:
    from tests.storage.pg_cluster import Cluster

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WAIT = 60.0
"""Seconds to wait for a worker; a healthy run needs a fraction of it."""
SENDER = "complaints@example.org"


@attrs.define
class SlowMailbox(Mailbox):
    """A mail server that takes ``delay`` seconds over each message, so a worker can be caught
    half-way."""

    delay: float = 0.05

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def crm_events(change: DeskChange) -> list[OutboxEntry]:
    """Every event of every complaint to the CRM's webhook (recipient: its endpoint name)."""
    c = change.complaint
    return [
        OutboxEntry(
            notification=Notification(
                idempotency_key=f"{c.reference}:crm:{e.seq}",
                complaint_reference=c.reference,
                kind=f"event.{e.payload.type}",
                recipient="crm",
                subject=f"{c.reference}: {e.payload.type}",
                text=f"{c.reference}: {e.payload.type}\n",
                created_at=e.occurred_at,
                data={"event": e.payload.type, "seq": e.seq},
            ),
            channel="webhook",
            lane=f"{c.reference}/crm",
        )
        for e in change.events
    ]


def fill(store: OutboxEventStore, complaints: int, *, webhooks: bool = False) -> set[str]:
    """``complaints`` complaints received and acknowledged by letter (and, with ``webhooks``,
    each event posted to the CRM); returns the idempotency keys enqueued."""
    clock = FixedClock(T0)
    letters = NotificationPolicy(
        letters=LetterWriter(
            settings=LetterSettings(organisation="Example Ltd", signature="Customer Relations")
        )
    )

    def hook(change: DeskChange) -> list[OutboxEntry]:
        return [*letters(change), *(crm_events(change) if webhooks else [])]

    desk = ComplaintDesk(store, clock=clock, notifications=hook)
    staff = Actor(id="fl-1", role=Role.FRONT_LINE)
    for n in range(complaints):
        person = Complainant(
            name=f"Customer {n}", contact=ContactDetails(email=f"customer{n}@example.org")
        )
        c = desk.receive(staff, complainant=person, channel=Channel.EMAIL, description="Late.")
        clock.advance(dt.timedelta(minutes=1))
        desk.acknowledge(c.reference, staff)
    return keys_of(store)


def keys_of(store: OutboxEventStore, state: OutboxState | None = None) -> set[str]:
    return {r.idempotency_key for r in store.outbox_records(OutboxQuery(state=state, limit=1000))}


def letters_db(path: Path, complaints: int, *, webhooks: bool = False) -> set[str]:
    with SQLiteEventStore(path) as store:
        return fill(store, complaints, webhooks=webhooks)


def counts(path: Path) -> dict[OutboxState, int]:
    with SQLiteEventStore(path) as store:
        return store.outbox_counts()


def attempts(path: Path) -> list[int]:
    with SQLiteEventStore(path) as store:
        return [r.attempts for r in store.outbox_records(OutboxQuery())]


def smtp_args(port: int) -> list[str]:
    return ["--smtp", f"{LOOPBACK}:{port}", "--smtp-security", "none", "--smtp-from", SENDER]


class Worker:
    """``iso10002 outbox dispatch`` in a process of its own."""

    def __init__(self, *args: str | Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "iso10002.cli", "outbox", "dispatch", *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )

    def wait_ready(self) -> Worker:
        """Wait until the worker handles SIGTERM (before, the signal would just end it)."""
        status = Path(f"/proc/{self.process.pid}/status")

        def handled() -> bool:
            assert self.process.poll() is None, self.finish()
            caught = re.search(r"^SigCgt:\s*([0-9a-f]+)$", status.read_text(), re.M)
            return caught is not None and bool(int(caught[1], 16) >> (signal.SIGTERM - 1) & 1)

        wait_until(handled, "the worker to start")
        return self

    def finish(self) -> tuple[int, str, str]:
        try:
            out, err = self.process.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            raise AssertionError(f"the worker did not finish; stderr:\n{err}") from None
        return self.process.returncode, out, err

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str, str]:
        self.process.send_signal(signum)
        return self.finish()


def dispatch(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``iso10002 outbox dispatch ARGS`` to its end."""
    return Worker(*args, env=env).finish()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT} s for {what}"
        time.sleep(0.02)


@pytest.fixture
def mailbox() -> Iterator[tuple[SlowMailbox, int]]:
    box = SlowMailbox(delay=0.0)
    with smtp_server(box) as server:
        yield box, server.port


def test_once_delivers_every_letter_and_webhook_once_and_says_so(
    tmp_path: Path, mailbox: tuple[SlowMailbox, int]
) -> None:
    box, port = mailbox
    db = tmp_path / "letters.db"
    keys = letters_db(db, 4, webhooks=True)
    secret = tmp_path / "webhook.secret"
    secret.write_text(SECRET + "\n")
    receiver = Receiver(now=dt.datetime.now(UTC))
    with http_server(receiver) as base:
        code, out, err = dispatch(
            "--db", db, "--once", *smtp_args(port),
            "--webhook", f"{base}/hooks/crm", "--webhook-secret-file", secret,
            "--webhook-name", "crm",
        )  # fmt: skip
        again = dispatch("--db", db, "--once", *smtp_args(port))

    assert (code, err) == (0, "")
    done = "delivered 12, failed 0 (to be retried), dead 0"
    assert out == f"{done}; outbox: pending 0, delivered 12, dead 0\n"
    mailed, posted = box.keys(), receiver.keys()
    assert len(mailed) == 4 and len(posted) == 8, "4 letters, 8 events (received, acknowledged)"
    assert sorted(mailed + posted) == sorted(keys), "each record arrived once"
    assert {m.mail_from for m in box.messages} == {SENDER}
    assert again == (
        0,
        "delivered 0, failed 0 (to be retried), dead 0; outbox: pending 0, delivered 12, dead 0\n",
        "",
    )


def test_sigterm_stops_a_worker_after_the_delivery_in_progress(tmp_path: Path) -> None:
    db = tmp_path / "letters.db"
    keys = letters_db(db, 40)
    box = SlowMailbox(delay=0.05)
    with smtp_server(box) as server:
        worker = Worker("--db", db, *smtp_args(server.port), "--interval", "30").wait_ready()
        wait_until(lambda: len(box.keys()) >= 5, "the first letters")
        code, out, err = worker.stop()
        first = box.keys()
        left = counts(db)
        # The rest, by a second run at once: the first worker left nothing claimed.
        rest = dispatch("--db", db, "--once", *smtp_args(server.port))

    assert (code, err) == (0, "")
    line = re.fullmatch(
        r"stopped on SIGTERM after 1 round \([\d.]+ s\): delivered (\d+), failed 0 \(to be "
        r"retried\), dead 0\n",
        out,
    )
    assert line is not None, out
    delivered = int(line[1])
    assert delivered == len(first) < 40, "it stopped half-way, and counted what it sent"
    assert left == {
        OutboxState.PENDING: 40 - delivered,
        OutboxState.DELIVERED: delivered,
        OutboxState.DEAD: 0,
    }
    assert rest[0] == 0 and rest[1].startswith(f"delivered {40 - delivered}, "), rest
    assert Counter(box.keys()) == Counter(keys), "each letter arrived exactly once"


def test_sigint_stops_a_waiting_worker_at_once(
    tmp_path: Path, mailbox: tuple[SlowMailbox, int]
) -> None:
    box, port = mailbox
    db = tmp_path / "letters.db"
    letters_db(db, 2)
    worker = Worker("--db", db, *smtp_args(port), "--interval", "600").wait_ready()
    wait_until(lambda: len(box.keys()) == 2, "the letters")
    started = time.monotonic()
    code, out, err = worker.stop(signal.SIGINT)

    assert time.monotonic() - started < 30, "it did not wait out its interval"
    assert (code, err) == (0, "")
    assert re.fullmatch(r"stopped on SIGINT after 1 round \([\d.]+ s\): delivered 2, .*\n", out)


def test_two_workers_deliver_each_record_once(tmp_path: Path) -> None:
    db = tmp_path / "letters.db"
    keys = letters_db(db, 40)
    box = SlowMailbox(delay=0.03)
    with smtp_server(box) as server:
        workers = [
            Worker("--db", db, *smtp_args(server.port), "--interval", "0.2") for _ in range(2)
        ]
        for worker in workers:
            worker.wait_ready()
        wait_until(lambda: counts(db)[OutboxState.DELIVERED] == 40, "every letter")
        results = [w.stop() for w in workers]

    assert [(code, err) for code, _out, err in results] == [(0, ""), (0, "")]
    said = [int(re.findall(r"delivered (\d+)", out)[0]) for _code, out, _err in results]
    assert sum(said) == 40, said
    assert Counter(box.keys()) == Counter(keys), "no letter was sent twice"


def test_an_unreachable_server_leaves_the_records_pending_and_the_worker_running(
    tmp_path: Path,
) -> None:
    db = tmp_path / "letters.db"
    letters_db(db, 3)
    once_db = tmp_path / "once.db"
    letters_db(once_db, 3)
    with closed_port() as port:
        once = dispatch("--db", once_db, "--once", *smtp_args(port))
        worker = Worker("--db", db, *smtp_args(port), "--interval", "0.1").wait_ready()
        wait_until(lambda: attempts(db) == [1, 1, 1], "the first attempts")
        time.sleep(0.5)  # rounds every 0.1 s; the records wait out their backoff
        alive = worker.process.poll() is None
        code, out, err = worker.stop()

    assert once[0] == 0
    assert once[1] == (
        "delivered 0, failed 3 (to be retried), dead 0; outbox: pending 3, delivered 0, dead 0\n"
    )
    assert alive, "the worker kept running"
    assert (code, err) == (0, "")
    assert re.search(r": delivered 0, failed 3 \(to be retried\), dead 0\n$", out), out
    with SQLiteEventStore(db) as store:
        pending = store.outbox_records(OutboxQuery(state=OutboxState.PENDING))
    assert [r.attempts for r in pending] == [1, 1, 1]
    assert all(r.next_attempt_at and r.next_attempt_at > dt.datetime.now(UTC) for r in pending)


def test_starttls_with_a_password_from_a_file_or_the_environment(tmp_path: Path) -> None:
    import trustme

    by_file_db, by_env_db = tmp_path / "file.db", tmp_path / "env.db"
    keys = letters_db(by_file_db, 2) | letters_db(by_env_db, 1)
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(LOOPBACK).configure_cert(server_tls)
    # The worker trusts the system's authorities: here the test's, through OpenSSL's variable.
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    trust = {"SSL_CERT_FILE": str(tmp_path / "ca.pem")}
    password = tmp_path / "smtp.password"
    password.write_text(SMTP_PASSWORD + "\n")
    box = Mailbox()
    with smtp_server(
        box,
        tls_context=server_tls,
        require_starttls=True,
        auth_require_tls=True,
        authenticator=check_login,
    ) as server:
        login = ["--smtp", f"{LOOPBACK}:{server.port}", "--smtp-from", SENDER]
        by_file = dispatch(
            "--db", by_file_db, "--once", *login, "--smtp-user", SMTP_USER,
            "--smtp-password-file", password, env=trust,
        )  # fmt: skip
        by_env = dispatch(
            "--db", by_env_db, "--once", *login, "--smtp-user", SMTP_USER,
            "--smtp-password-env", "SMTP_PASSWORD", env={**trust, "SMTP_PASSWORD": SMTP_PASSWORD},
        )  # fmt: skip
        wrong = tmp_path / "wrong.password"
        wrong.write_text("not the password")
        refused_db = tmp_path / "refused.db"
        letters_db(refused_db, 1)
        refused = dispatch(
            "--db", refused_db, "--once", *login, "--smtp-user", SMTP_USER,
            "--smtp-password-file", wrong, env=trust,
        )  # fmt: skip

    assert by_file[0] == 0 and by_file[1].startswith("delivered 2, failed 0"), by_file
    assert by_env[0] == 0 and by_env[1].startswith("delivered 1, failed 0"), by_env
    assert sorted(box.keys()) == sorted(keys)
    assert all(m.tls and m.authenticated for m in box.messages)
    assert SMTP_PASSWORD not in by_file[1] + by_file[2] + by_env[1] + by_env[2]
    assert refused[:2] == (
        0,
        "delivered 0, failed 0 (to be retried), dead 1; outbox: pending 0, delivered 0, dead 1\n",
    ), "a refused login is a permanent failure: the letter waits in the dead letters"
    assert len(box.messages) == 3


def test_tick_sends_its_alerts_to_staff(tmp_path: Path, mailbox: tuple[SlowMailbox, int]) -> None:
    box, port = mailbox
    db = tmp_path / "demo.db"
    assert run_main("demo", "--db", db, "--complaints", "12", "--days", "5", "--quiet") == 0
    staff = ["--tick", "--staff", "smtp:ops@example.org"]
    code, out, err = dispatch("--db", db, "--once", *smtp_args(port), *staff)
    again = dispatch("--db", db, "--once", *smtp_args(port), *staff)

    assert (code, err) == (0, "")
    found = re.fullmatch(r"alerts raised (\d+), delivered (\d+), failed 0 .*\n", out)
    assert found is not None, out
    assert int(found[1]) == int(found[2]) > 0, "one message per alert"
    assert {tuple(m.rcpt_tos) for m in box.messages} == {("ops@example.org",)}
    assert len(set(box.keys())) == int(found[1])
    assert again[1].startswith("alerts raised 0, delivered 0, "), again


def run_main(*args: str | Path) -> int:
    from iso10002.cli import main

    return main([str(a) for a in args])


def test_postgres_workers_deliver_each_letter_once(
    postgres_cluster: Cluster, mailbox: tuple[SlowMailbox, int]
) -> None:
    box, port = mailbox
    schema = f"dispatch{os.getpid()}"
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        keys = fill(store, 12)
    c = postgres_cluster
    uri = f"postgresql://{c.user}@{c.host}:{c.port}/{c.dbname}"
    env = {"PGPASSWORD": c.password}
    workers = [
        Worker("--db", uri, "--schema", schema, *smtp_args(port), "--interval", "0.2", env=env)
        for _ in range(2)
    ]
    for worker in workers:
        worker.wait_ready()
    wait_until(lambda: len(box.keys()) >= 12, "every letter")
    results = [w.stop() for w in workers]
    once = dispatch("--db", uri, "--schema", schema, "--once", *smtp_args(port), env=env)

    assert [r[0] for r in results] == [0, 0], results
    assert sum(int(re.findall(r"delivered (\d+)", r[1])[0]) for r in results) == 12
    assert Counter(box.keys()) == Counter(keys)
    assert once == (
        0,
        "delivered 0, failed 0 (to be retried), dead 0; outbox: pending 0, delivered 12, dead 0\n",
        "",
    )


def test_the_dispatch_sample_of_the_guide(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mailbox: tuple[SlowMailbox, int],
) -> None:
    box, port = mailbox
    monkeypatch.chdir(tmp_path)
    make_outbox_db(tmp_path / "outbox.db")
    # Where the guide's outbox sample leaves the database: letter 1 retried, the others purged.
    assert run(capsys, "outbox", "retry", "1", "--db", "outbox.db").code == 0
    purge = ("outbox", "purge", "--delivered-before", "2026-03-03", "--db", "outbox.db")
    assert run(capsys, *purge).code == 0
    samples = [
        m for m in _SAMPLE.finditer(PAGE.read_text(encoding="utf-8")) if "dispatch" in m["commands"]
    ]
    assert len(samples) == 1, "the guide shows one run of outbox dispatch"
    out = ""
    for line in samples[0]["commands"].splitlines():
        args = [a.replace("localhost:2525", f"{LOOPBACK}:{port}") for a in shlex.split(line)[1:]]
        result = run(capsys, *args)
        assert result.code == 0, result.err
        out += result.out
    assert comparable(out) == comparable(samples[0]["output"])
    assert [m.message["X-Iso10002-Complaint-Reference"] for m in box.messages] == [
        "CMP-2026-000001"
    ], "the retried letter, and only it"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --smtp HOST:PORT or --webhook URL (or both) to deliver with"),
        (["--smtp", "mail.example.org"], "--smtp-from: the sender's address is needed with --smtp"),
        (["--smtp", "m:99999", "--smtp-from", SENDER], "--smtp: port 99999 is not from 1 to 65535"),
        (["--smtp", "m:smtp", "--smtp-from", SENDER], "--smtp: 'm:smtp' is not HOST or HOST:PORT"),
        (["--smtp", "mail", "--smtp-from", "desk"], "--smtp-from: is not a valid e-mail address"),
        (
            ["--smtp", "mail", "--smtp-from", SENDER, "--smtp-user", "desk"],
            "--smtp-user: give it with --smtp-password-file or --smtp-password-env, or neither",
        ),
        (
            ["--smtp", "mail", "--smtp-from", SENDER, "--smtp-password-env", "X"],
            "--smtp-user: give it with --smtp-password-file or --smtp-password-env, or neither",
        ),
        (["--smtp-from", SENDER], "--smtp-from: applies with --smtp HOST:PORT only"),
        (["--smtp", "mail", "--smtp-from", SENDER, "--once", "--interval", "5"],
         "--interval: applies to a long-running worker, not with --once"),
        (["--smtp", "mail", "--smtp-from", SENDER, "--interval", "0"],
         "--interval: must be more than 0 and at most 86400 seconds"),
        (["--smtp", "mail", "--smtp-from", SENDER, "--staff", "smtp:ops@example.org"],
         "--staff: applies with --tick only (the tick's alerts are sent to staff)"),
        (["--smtp", "mail", "--smtp-from", SENDER, "--tick", "--staff", "sms:07700900123"],
         "--staff: 'sms:07700900123' is not smtp:RECIPIENT"),
        (["--webhook", "http://127.0.0.1/hooks"],
         "--webhook-secret-file: the signing secret's file is needed with --webhook"),
        (["--webhook-name", "crm"], "--webhook-name: applies with --webhook URL only"),
        (["--smtp", "mail", "--smtp-from", SENDER, "--schema", "s"],
         "--schema: applies to a PostgreSQL database (--db postgresql://...) only"),
        (["--smtp", "mail", "--smtp-from", SENDER, "--timeout", "nan"],
         "--timeout: must be more than 0 and at most 3600 seconds"),
    ],
)  # fmt: skip
def test_bad_options_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    db = tmp_path / "letters.db"
    letters_db(db, 1)
    result = run(capsys, "outbox", "dispatch", "--db", db, *args)

    assert (result.code, result.out) == (2, "")
    assert result.err == f"iso10002: error: {message}\n"
    assert counts(db)[OutboxState.PENDING] == 1, "nothing was sent"


def test_secrets_that_cannot_be_read_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "letters.db"
    letters_db(db, 1)
    short = tmp_path / "short.secret"
    short.write_text("too short\n")
    missing = run(
        capsys, "outbox", "dispatch", "--db", db, "--webhook", "http://127.0.0.1/h",
        "--webhook-secret-file", tmp_path / "none",
    )  # fmt: skip
    weak = run(
        capsys, "outbox", "dispatch", "--db", db, "--webhook", "http://127.0.0.1/h",
        "--webhook-secret-file", short,
    )  # fmt: skip
    unset = run(
        capsys, "outbox", "dispatch", "--db", db, "--smtp", "mail", "--smtp-from", SENDER,
        "--smtp-user", "u", "--smtp-password-env", "ISO10002_TEST_UNSET",
    )  # fmt: skip
    nodb = run(capsys, "outbox", "dispatch", "--db", tmp_path / "none.db", "--smtp", "m",
               "--smtp-from", SENDER)  # fmt: skip

    assert missing.code == 1
    assert missing.err.startswith(f"iso10002: error: --webhook-secret-file: cannot read {tmp_path}")
    assert weak.code == 2
    assert weak.err.startswith("iso10002: error: --webhook-secret-file: must be at least 16 bytes")
    assert (unset.code, unset.err) == (
        1,
        "iso10002: error: --smtp-password-env: ISO10002_TEST_UNSET is not set\n",
    )
    assert nodb.code == 1 and nodb.err.startswith("iso10002: error: no database at ")
