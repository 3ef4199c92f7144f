"""
The ``iso10002 verify`` command: check a database's tamper-evident hashes
(``docs/integrity.md``). Exit code 0 when the history is intact, 1 with every bad record on
stderr, the events' first; and ``iso10002 repair``, which rewrites the summaries from their
events.

``--db`` names a SQLite file, or a PostgreSQL database by its URI (``postgresql://…``); the
password then had better come from ``PGPASSWORD`` or ``~/.pgpass`` than from the command line.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from iso10002.cli._terminal import strip_controls
from iso10002.errors import ValidationError
from iso10002.integrity.verify import VerificationReport, verify
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.postgres.repair import repair_summaries as repair_postgres
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.storage.sqlite.repair import Repair
from iso10002.storage.sqlite.repair import repair_summaries as repair_sqlite

__all__ = ["register"]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
"""How ``--db`` names a PostgreSQL database."""

SHOWN = 100
"""The most bad records verify lists, one a line; the count says how many there are."""

DEEP_UP_TO = 256 * 1024 * 1024
"""The largest SQLite file whose summaries are replayed from their events by default (bytes):
a deep check reads every history twice."""


def _fail(message: str) -> Exception:
    # Imported late: the app imports this module.
    from iso10002.cli._app import CliError

    return CliError(message)


def _usage(message: str) -> Exception:
    from iso10002.cli._app import _usage as usage

    return usage(message)


def _key(option: str, path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        # Surrounding whitespace is dropped: a key file written by an editor ends in a newline.
        key = Path(path).read_bytes().strip()
    except OSError as e:
        raise _fail(f"{option}: cannot read {path}: {e.strerror or e}") from e
    if not key:
        raise _fail(f"{option}: {path} is empty")
    return key


def _where(uri: str, schema: str) -> str:
    """The database a URI names, for messages: user, hosts and database, never a password."""
    parts = urlsplit(uri)
    userinfo, _, hosts = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return f"{user + '@' if user else ''}{hosts}{parts.path} (schema {schema})"


_OPTIONS = {"conninfo": "--db", "schema": "--schema"}


def open_postgres(uri: str, schema: str, key: bytes | None) -> PostgresEventStore:
    """The store at ``uri``, never created: a mistyped database or schema is reported."""
    try:
        return PostgresEventStore(uri, schema=schema, integrity_key=key, max_size=1, create=False)
    except ValidationError as e:
        if e.field not in _OPTIONS:
            raise
        raise _usage(f"{_OPTIONS[e.field]}: {e.reason}") from e


def _verify_postgres(
    uri: str, schema: str, key: bytes | None, deep: bool
) -> tuple[str, VerificationReport]:
    with open_postgres(uri, schema, key) as store:
        return _where(uri, schema), verify(store, deep=deep)


def _run_verify(args: argparse.Namespace) -> int:
    key = _key("--key-file", args.key_file)
    if args.db.startswith(POSTGRES_SCHEMES):
        where, report = _verify_postgres(args.db, args.schema or "iso10002", key, bool(args.deep))
    else:
        if args.schema is not None:
            raise _usage("--schema: applies to a PostgreSQL database (--db postgresql://...) only")
        path = Path(args.db)
        if not path.is_file():
            raise _fail(f"no database at {args.db}")
        deep = path.stat().st_size <= DEEP_UP_TO if args.deep is None else args.deep
        with SQLiteEventStore(path, integrity_key=key) as store:
            where, report = args.db, verify(store, deep=deep)
    if report.finding is not None:
        if len(report.findings) == 1:
            raise _fail(f"{where}: {report.finding}")
        shown = report.findings[:SHOWN]
        for finding in shown:
            # One line each, and nothing a terminal acts on: rows may hold anything.
            print(strip_controls(" ".join(f"{where}: {finding}".split())), file=sys.stderr)
        more = len(report.findings) - len(shown)
        listed = "listed above" if not more else f"the first {len(shown)} listed above"
        raise _fail(f"{where}: {len(report.findings)} bad records, {listed}")
    keyed = "HMAC-SHA256" if report.keyed else "SHA-256, no key"
    print(f"intact: {report.events} events ({keyed}); head {report.last_position} {report.head}")
    if not report.deep:
        print("summaries: counted, not replayed from their events (--deep replays them)")
    return 0


def _run_repair(args: argparse.Namespace) -> int:
    key = _key("--key-file", args.key_file)
    now = _dt.datetime.now(_dt.timezone.utc)
    done: Repair
    if args.db.startswith(POSTGRES_SCHEMES):
        with open_postgres(args.db, args.schema or "iso10002", key) as pg:
            done = repair_postgres(pg, now=now)
    else:
        if args.schema is not None:
            raise _usage("--schema: applies to a PostgreSQL database (--db postgresql://...) only")
        path = Path(args.db)
        if not path.is_file():
            raise _fail(f"no database at {args.db}")
        with SQLiteEventStore(path, integrity_key=key) as store:
            done = repair_sqlite(store, now=now)
    if done.record is None:
        print(f"nothing to repair: {done.checked} summaries match their events")
        return 0
    for reference in done.rewritten:
        print(f"rewrote the summary of {reference}")
    for name in done.rollups:
        print(f"{name} did not match the rows: the daily rollups were counted again")
    print(
        f"repaired {len(done.rewritten)} of {done.checked} summaries; recorded as "
        f"{done.record.kind} {done.record.version} ({done.record.fingerprint})"
    )
    return 0


def register(
    add: Callable[..., argparse.ArgumentParser], *, database: argparse.ArgumentParser
) -> None:
    """Add the ``verify`` command with ``add(name, run, help, *parents)``."""
    cmd = add(
        "verify",
        _run_verify,
        "Check that no stored event was altered, deleted, inserted or reordered.",
        database,
    )
    cmd.add_argument(
        "--key-file",
        metavar="FILE",
        help="the integrity key the database's hashes were made with",
    )
    cmd.add_argument(
        "--schema",
        metavar="NAME",
        help="with a PostgreSQL database: the schema that holds the store (default: iso10002)",
    )
    cmd.add_argument(
        "--deep",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="replay each summary from its events (default: on for SQLite files up to 256 MiB, "
        "off for PostgreSQL)",
    )
    cmd.epilog = (
        "--db also takes a PostgreSQL database as a URI, postgresql://USER@HOST:PORT/DBNAME "
        "(the password from PGPASSWORD or ~/.pgpass). Prints the head of the log's chain: keep "
        "it elsewhere and compare it later to detect events deleted from the end. Checks the "
        "summaries, the outbox, the access denials and the reference counters too."
    )
    repair = add(
        "repair",
        _run_repair,
        "Rewrite the complaint summaries that do not match their events, and record it.",
        database,
    )
    repair.add_argument(
        "--key-file",
        metavar="FILE",
        help="the integrity key the database's hashes were made with",
    )
    repair.add_argument(
        "--schema",
        metavar="NAME",
        help="with a PostgreSQL database: the schema that holds the store (default: iso10002)",
    )
    repair.epilog = (
        "Refuses, writing nothing, while verify reports tampering of the events. Deadlines "
        "and SLA outcomes are kept as stored. The repair is recorded as a configuration "
        "record of kind summary-repair, versioned by its instant (docs/hardening.md)."
    )
