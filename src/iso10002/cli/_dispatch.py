"""
The ``iso10002 outbox dispatch`` command: a worker that delivers the outbox of a database through
the :class:`~iso10002.outbox.OutboxDispatcher`, with an :class:`~iso10002.notify.SmtpNotifier`
(channel ``smtp``) and/or a :class:`~iso10002.notify.WebhookNotifier` (channel ``webhook``)
built from the options.

``--once`` delivers what is due and exits; otherwise it runs until SIGTERM or SIGINT, looking
for due records every ``--interval`` seconds, and with ``--tick`` runs the scheduled tick before
each round. A signal lets the delivery in progress finish, starts no other, and ends the worker
with one line saying what it did (exit 0). Secrets come from files or the environment, never
from the command line, where any user of the machine can read them.

Several workers may serve one database: each record is claimed by one of them (the store's
claim is atomic), and claimed one at a time, so that a worker told to stop holds no claim that
another worker would have to wait out.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import attrs

from iso10002.cli._sla import known_policies
from iso10002.desk import ComplaintDesk
from iso10002.errors import ValidationError
from iso10002.notify.smtp import SmtpNotifier
from iso10002.notify.webhook import WebhookEndpoint, WebhookNotifier
from iso10002.outbox.dispatcher import DispatchReport, OutboxDispatcher
from iso10002.outbox.policy import NotificationPolicy, StaffRoute
from iso10002.ports.notify import Notifier
from iso10002.ports.store import OutboxEventStore, is_outbox_store

__all__ = ["register"]

DEFAULT_INTERVAL = 5.0
"""Seconds between two looks at the outbox when nothing is due."""
MAX_INTERVAL = 86_400.0
TICK_BATCH = 500
"""Complaints one tick call handles; a backlog takes several calls in one round."""
_NAP = 0.1
"""The longest a waiting worker takes to notice a signal (seconds)."""
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _usage(message: str) -> Exception:
    from iso10002.cli._app import _usage as usage

    return usage(message)


def _fail(message: str) -> Exception:
    from iso10002.cli._app import CliError

    return CliError(message)


# -- the options ------------------------------------------------------------------------------


def _host_port(value: str) -> tuple[str, int | None]:
    """``HOST``, ``HOST:PORT`` or ``[IPv6]:PORT``."""
    host, port = value, ""
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest and not rest.startswith(":"):
            host = ""
        port = rest[1:]
    elif value.count(":") == 1:
        host, _, port = value.partition(":")
    if not host or (port and not (port.isascii() and port.isdigit())):
        raise _usage(f"--smtp: {value!r} is not HOST or HOST:PORT")
    number = int(port) if port else None
    if number is not None and not 1 <= number <= 65535:
        raise _usage(f"--smtp: port {number} is not from 1 to 65535")
    return host, number


def _read_secret(option: str, path: str) -> str:
    try:
        # An editor ends the file with a newline, which is no part of the secret.
        text = Path(path).read_text(encoding="utf-8").strip("\r\n")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else "not UTF-8 text"
        raise _fail(f"{option}: cannot read {path}: {reason}") from e
    if not text:
        raise _fail(f"{option}: {path} is empty")
    return text


def _password(args: argparse.Namespace) -> str | None:
    if args.smtp_password_file is not None and args.smtp_password_env is not None:
        raise _usage("--smtp-password-file: give it or --smtp-password-env, not both")
    given = args.smtp_password_file is not None or args.smtp_password_env is not None
    if given != (args.smtp_user is not None):
        raise _usage(
            "--smtp-user: give it with --smtp-password-file or --smtp-password-env, or neither"
        )
    if args.smtp_password_file is not None:
        return _read_secret("--smtp-password-file", args.smtp_password_file)
    if args.smtp_password_env is not None:
        value = os.environ.get(args.smtp_password_env)
        if not value:
            raise _fail(f"--smtp-password-env: {args.smtp_password_env} is not set")
        return value
    return None


_SMTP_OPTIONS = {
    "host": "--smtp",
    "from_address": "--smtp-from",
    "security": "--smtp-security",
    "port": "--smtp",
    "username": "--smtp-user",
    "password": "--smtp-user",
    "timeout": "--timeout",
}


def _smtp(args: argparse.Namespace) -> SmtpNotifier | None:
    smtp_only = {
        "--smtp-from": args.smtp_from,
        "--smtp-user": args.smtp_user,
        "--smtp-password-file": args.smtp_password_file,
        "--smtp-password-env": args.smtp_password_env,
        "--smtp-security": args.smtp_security,
    }
    if args.smtp is None:
        for option, value in smtp_only.items():
            if value is not None:
                raise _usage(f"{option}: applies with --smtp HOST:PORT only")
        return None
    if args.smtp_from is None:
        raise _usage("--smtp-from: the sender's address is needed with --smtp")
    host, port = _host_port(args.smtp)
    password = _password(args)
    try:
        return SmtpNotifier(
            host=host,
            port=port,
            from_address=args.smtp_from,
            security=args.smtp_security or "starttls",
            username=args.smtp_user,
            password=password,
            timeout=args.timeout,
        )
    except ValidationError as e:
        raise _usage(f"{_SMTP_OPTIONS.get(e.field, '--' + e.field)}: {e.reason}") from e


def _webhook(args: argparse.Namespace) -> WebhookNotifier | None:
    if args.webhook is None:
        for option, value in (
            ("--webhook-secret-file", args.webhook_secret_file),
            ("--webhook-name", args.webhook_name),
        ):
            if value is not None:
                raise _usage(f"{option}: applies with --webhook URL only")
        return None
    if args.webhook_secret_file is None:
        raise _usage("--webhook-secret-file: the signing secret's file is needed with --webhook")
    name = args.webhook_name or "default"
    if not name.strip():
        raise _usage("--webhook-name: must not be blank")
    secret = _read_secret("--webhook-secret-file", args.webhook_secret_file)
    try:
        endpoint = WebhookEndpoint(url=args.webhook, secret=secret)
    except ValidationError as e:
        option = "--webhook-secret-file" if e.field == "secret" else "--webhook"
        raise _usage(f"{option}: {e.reason}") from e
    return WebhookNotifier(
        endpoints={name: endpoint},
        connect_timeout=args.timeout,
        read_timeout=args.timeout,
    )


def _interval(args: argparse.Namespace) -> float:
    if args.interval is None:
        return DEFAULT_INTERVAL
    if args.once:
        raise _usage("--interval: applies to a long-running worker, not with --once")
    if not math.isfinite(args.interval) or not 0 < args.interval <= MAX_INTERVAL:
        raise _usage(f"--interval: must be more than 0 and at most {MAX_INTERVAL:g} seconds")
    return float(args.interval)


def _staff(args: argparse.Namespace, channels: dict[str, Notifier]) -> tuple[StaffRoute, ...]:
    if args.staff and not args.tick:
        raise _usage("--staff: applies with --tick only (the tick's alerts are sent to staff)")
    routes = []
    for value in args.staff:
        channel, _, recipient = value.partition(":")
        if channel not in channels or not recipient:
            allowed = " or ".join(f"{c}:RECIPIENT" for c in channels)
            raise _usage(f"--staff: {value!r} is not {allowed}")
        try:
            routes.append(StaffRoute(channel=channel, recipient=recipient))
        except ValidationError as e:
            raise _usage(f"--staff: {e.reason}") from e
    return tuple(routes)


def _check_timeout(args: argparse.Namespace) -> None:
    if not math.isfinite(args.timeout) or not 0 < args.timeout <= 3600:
        raise _usage("--timeout: must be more than 0 and at most 3600 seconds")


# -- the database -----------------------------------------------------------------------------


@contextlib.contextmanager
def _open(args: argparse.Namespace) -> Iterator[OutboxEventStore]:
    """The store ``--db`` names, SQLite or PostgreSQL, opened the way ``verify`` opens it."""
    from iso10002.cli._app import _existing_store
    from iso10002.cli._verify import POSTGRES_SCHEMES, open_postgres

    opened: contextlib.AbstractContextManager[object]
    if args.db.startswith(POSTGRES_SCHEMES):
        opened = open_postgres(args.db, args.schema or "iso10002", None)
    else:
        if args.schema is not None:
            raise _usage("--schema: applies to a PostgreSQL database (--db postgresql://...) only")
        opened = _existing_store(args.db)
    with opened as store:
        if not is_outbox_store(store):  # pragma: no cover - both stores keep an outbox
            raise _fail(f"{args.db}: {type(store).__name__} keeps no outbox")
        yield store


# -- the worker -------------------------------------------------------------------------------


@attrs.define
class _Stop:
    """Set by SIGTERM or SIGINT: the name of the signal that asked the worker to stop."""

    signal: str | None = None

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        # Only a flag: the delivery in progress goes on, and the loop looks at it in between.
        self.signal = signal.Signals(signum).name

    @property
    def requested(self) -> bool:
        return self.signal is not None

    def nap(self, seconds: float) -> None:
        """Wait ``seconds``, or less when a signal arrives meanwhile."""
        end = time.monotonic() + seconds
        while not self.requested:
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(_NAP, left))


@contextlib.contextmanager
def _handling(stop: _Stop) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` while the worker runs; the handlers before come back."""
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield
        return
    previous = {signum: signal.signal(signum, stop) for signum in _SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _deliver(dispatcher: OutboxDispatcher, stop: _Stop) -> DispatchReport:
    """Deliver what is due, one record per claim, until nothing is or a signal arrives."""
    total = DispatchReport()
    while not stop.requested:
        report = dispatcher.dispatch(limit=1)
        total += report
        if not report.busy:
            break
    return total


def _tick(desk: ComplaintDesk, stop: _Stop) -> int:
    raised = 0
    while not stop.requested:
        events = desk.tick(limit=TICK_BATCH)
        raised += len(events)
        if not events:
            break
    return raised


def _summary(report: DispatchReport, alerts: int | None) -> str:
    parts = [] if alerts is None else [f"alerts raised {alerts}"]
    parts += [
        f"delivered {report.delivered}",
        f"failed {report.retried} (to be retried)",
        f"dead {report.dead}",
    ]
    if report.lost:
        parts.append(f"left to another worker {report.lost}")
    return ", ".join(parts)


def _counts(store: OutboxEventStore) -> str:
    counts = store.outbox_counts()
    return ", ".join(f"{state.value} {n:,}" for state, n in counts.items())


def _run_dispatch(args: argparse.Namespace) -> int:
    _check_timeout(args)
    interval = _interval(args)
    # Every option is checked, and every secret read, before the database is opened.
    notifiers: dict[str, Notifier] = {}
    smtp = _smtp(args)
    if smtp is not None:
        notifiers["smtp"] = smtp
    webhook = _webhook(args)
    if webhook is not None:
        notifiers["webhook"] = webhook
    if not notifiers:
        raise _usage("give --smtp HOST:PORT or --webhook URL (or both) to deliver with")
    routes = _staff(args, notifiers)
    stop = _Stop()
    total, alerts, rounds = DispatchReport(), 0, 0
    started = time.monotonic()
    with _handling(stop), _open(args) as store:
        dispatcher = OutboxDispatcher(store, notifiers)
        desk = None
        if args.tick:
            policy = NotificationPolicy(staff=routes, digest_warnings=False) if routes else None
            desk = ComplaintDesk(store, sla=known_policies(), notifications=policy)
        while not stop.requested:
            rounds += 1
            if desk is not None:
                alerts += _tick(desk, stop)
            total += _deliver(dispatcher, stop)
            if args.once:
                break
            stop.nap(interval)
        counts = _counts(store)
    done = _summary(total, alerts if args.tick else None)
    if stop.signal is not None:
        elapsed = time.monotonic() - started
        noun = "round" if rounds == 1 else "rounds"
        print(f"stopped on {stop.signal} after {rounds} {noun} ({elapsed:.1f} s): {done}")
    else:
        print(f"{done}; outbox: {counts}")
    sys.stdout.flush()
    return 0


def register(sub: Callable[..., argparse.ArgumentParser]) -> None:
    """Add ``outbox dispatch`` with the outbox group's ``sub(name, run, help)``."""
    cmd = sub(
        "dispatch",
        _run_dispatch,
        "Deliver the outbox by e-mail and/or webhook: once, or as a worker until SIGTERM.",
    )
    cmd.add_argument(
        "--schema",
        metavar="NAME",
        help="with a PostgreSQL database: the schema that holds the store (default: iso10002)",
    )
    mode = cmd.add_argument_group("running")
    mode.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    mode.add_argument(
        "--interval",
        type=float,
        metavar="SECONDS",
        help=f"how often a worker looks for due records (default: {DEFAULT_INTERVAL:g})",
    )
    mode.add_argument(
        "--tick",
        action="store_true",
        help="run the scheduled tick (SLA warnings and breaches) before each round",
    )
    mode.add_argument(
        "--staff",
        action="append",
        default=[],
        metavar="CHANNEL:RECIPIENT",
        help="with --tick: send its alerts to this staff route, e.g. smtp:ops@example.org or "
        "webhook:default (repeatable; without it the alerts are only recorded)",
    )
    mode.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long to wait for the mail server or the endpoint (default: 30)",
    )
    mail = cmd.add_argument_group("e-mail (channel smtp)")
    mail.add_argument("--smtp", metavar="HOST:PORT", help="the mail server to submit to")
    mail.add_argument("--smtp-from", metavar="ADDR", help="the sender's address")
    mail.add_argument(
        "--smtp-security",
        choices=("starttls", "ssl", "none"),
        help="starttls (default; port 587), ssl (port 465) or none (port 25, a trusted relay)",
    )
    mail.add_argument("--smtp-user", metavar="NAME", help="log in with this name")
    mail.add_argument(
        "--smtp-password-file", metavar="FILE", help="the password, read from this file"
    )
    mail.add_argument(
        "--smtp-password-env", metavar="VAR", help="the password, read from this variable"
    )
    hook = cmd.add_argument_group("webhooks (channel webhook)")
    hook.add_argument("--webhook", metavar="URL", help="the endpoint to post to")
    hook.add_argument("--webhook-secret-file", metavar="FILE", help="the endpoint's signing secret")
    hook.add_argument(
        "--webhook-name",
        metavar="NAME",
        help="the endpoint's name, which the records' recipient gives (default: default)",
    )
    cmd.epilog = (
        "--db also takes a PostgreSQL database as a URI, postgresql://USER@HOST:PORT/DBNAME "
        "(the password from PGPASSWORD or ~/.pgpass). SIGTERM or Ctrl-C lets the delivery in "
        "progress finish and stops the worker with exit code 0. Several workers may serve "
        "one database: each record is delivered by one of them."
    )
