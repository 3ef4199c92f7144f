"""
The personal-data commands (``docs/privacy.md``): ``subject-export`` writes everything held about
one person to a JSON file; ``erase`` erases a complaint's or a person's personal data;
``legal-hold`` places or releases a hold; ``purge`` erases what the retention rules let go;
``vacuum`` removes what PostgreSQL keeps of erased values (and compacts a SQLite file).

The records name who ran them: ``--actor`` (an administrator's id; default ``cli``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from iso10002.model.values import Actor, Role
from iso10002.privacy import ErasureReport, RetentionPolicy, SubjectMatch, retention_preset
from iso10002.storage.postgres.vacuum import vacuum as vacuum_postgres
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.storage.sqlite.vacuum import Vacuum
from iso10002.storage.sqlite.vacuum import vacuum as vacuum_sqlite

__all__ = ["register"]


def _actor(args: argparse.Namespace) -> Actor:
    return Actor(id=args.actor, role=Role.ADMINISTRATOR)


def _subject(args: argparse.Namespace) -> SubjectMatch | None:
    if args.customer_id is None and args.email is None:
        return None
    return SubjectMatch(customer_id=args.customer_id, email=args.email)


def _print_report(report: ErasureReport, verb: str) -> None:
    listed = f" ({', '.join(report.erased)})" if report.erased else ""
    print(f"{verb}: {len(report.erased)}{listed}")
    for reference, why in sorted(report.refused.items()):
        print(f"left as it is: {reference}: {why}")


def _run_export(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_desk, _usage, organisation_option

    subject = _subject(args)
    if subject is None:
        raise _usage("give --customer-id or --email")
    organisation = organisation_option(args.organisation)
    with _existing_desk(args.db) as desk:
        export = desk.export_subject(subject, organisation=organisation)
    export.write(args.out)
    print(f"{len(export.records)} complaint(s) written to {args.out}")
    return 0


def _run_erase(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_desk, _usage

    subject = _subject(args)
    if (subject is None) == (args.reference is None):
        raise _usage("give a complaint REFERENCE, or --customer-id / --email, not both")
    with _existing_desk(args.db) as desk:
        if subject is None:
            desk.erase_personal_data(
                args.reference, _actor(args), reason=args.reason, request=args.request
            )
            print(f"erased: 1 ({args.reference})")
        else:
            report = desk.erase_subject(
                subject, _actor(args), reason=args.reason, request=args.request
            )
            _print_report(report, "erased")
        # What another connection kept in the write-ahead log, said where it is seen.
        store = desk.store
        if isinstance(store, SQLiteEventStore):
            if args.vacuum:
                _report_vacuum(vacuum_sqlite(store))
            elif store.erasure_warning:
                print(f"warning: {store.erasure_warning}", file=sys.stderr)
    return 0


def _report_vacuum(done: Vacuum) -> None:
    from iso10002.cli._app import CliError

    if not done.ok:
        raise CliError(f"vacuum incomplete: {done}")
    print(f"vacuumed {done}")


def _run_vacuum(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_store, _usage
    from iso10002.cli._verify import POSTGRES_SCHEMES, open_postgres

    if args.db.startswith(POSTGRES_SCHEMES):
        with open_postgres(args.db, args.schema or "iso10002", None) as pg:
            _report_vacuum(vacuum_postgres(pg, full=args.full))
        return 0
    if args.schema is not None:
        raise _usage("--schema: applies to a PostgreSQL database (--db postgresql://...) only")
    if args.full:
        raise _usage("--full: applies to a PostgreSQL database; SQLite's VACUUM is always full")
    with _existing_store(args.db) as store:
        _report_vacuum(vacuum_sqlite(store))
    return 0


def _run_hold(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_desk

    with _existing_desk(args.db) as desk:
        if args.release is not None:
            desk.release_legal_hold(args.reference, _actor(args), reason=args.release)
            print(f"{args.reference}: legal hold released")
        else:
            desk.place_legal_hold(args.reference, _actor(args), reason=args.place)
            print(f"{args.reference}: under legal hold")
    return 0


def _run_purge(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_desk

    rules = tuple(rule for name in args.retention for rule in retention_preset(name).rules)
    with _existing_desk(args.db) as desk:
        report = desk.purge_expired(RetentionPolicy(rules=rules), _actor(args), limit=args.limit)
    _print_report(report, "erased")
    return 0


def register(
    add: Callable[..., argparse.ArgumentParser], *, database: argparse.ArgumentParser
) -> None:
    """Add ``subject-export``, ``erase``, ``legal-hold`` and ``purge`` with ``add(...)``."""
    actor = argparse.ArgumentParser(add_help=False)
    actor.add_argument(
        "--actor", default="cli", metavar="ID", help="who runs it, as recorded (default: cli)"
    )
    subject = argparse.ArgumentParser(add_help=False)
    subject.add_argument("--customer-id", metavar="ID", help="the person's customer id")
    subject.add_argument("--email", metavar="ADDRESS", help="the person's e-mail address")

    export = add(
        "subject-export",
        _run_export,
        "Write everything held about one person to a JSON file (subject access).",
        database,
        subject,
    )
    export.add_argument("--out", required=True, metavar="FILE", help="the .json file to write")
    export.add_argument(
        "--organisation", metavar="ID", help="only this organisation's complaints (tenant)"
    )

    erase = add(
        "erase",
        _run_erase,
        "Erase the personal data of a complaint, or of every complaint of one person.",
        database,
        subject,
        actor,
    )
    erase.add_argument("reference", nargs="?", help="the complaint, e.g. CMP-2026-000123")
    erase.add_argument("--reason", required=True, help="why, e.g. 'erasure request'")
    erase.add_argument("--request", metavar="ID", help="your reference for the request")
    erase.add_argument(
        "--vacuum",
        action="store_true",
        help="then VACUUM the database file and truncate its write-ahead log",
    )

    hold = add(
        "legal-hold",
        _run_hold,
        "Place or release a legal hold: no erasure or purge while it lasts.",
        database,
        actor,
    )
    hold.add_argument("reference", help="the complaint, e.g. CMP-2026-000123")
    which = hold.add_mutually_exclusive_group(required=True)
    which.add_argument("--place", metavar="REASON", help="place a hold, e.g. a case number")
    which.add_argument("--release", metavar="REASON", help="release the hold")

    purge = add(
        "purge",
        _run_purge,
        "Erase the personal data of the complaints whose retention period has ended.",
        database,
        actor,
    )
    purge.add_argument(
        "--retention",
        required=True,
        action="append",
        choices=("fca", "cbi"),
        help="the regimes' retention rules to apply (repeat for several)",
    )
    purge.add_argument("--limit", type=int, metavar="N", help="erase at most N complaints")

    vac = add(
        "vacuum",
        _run_vacuum,
        "Remove what the database keeps of erased values: VACUUM of the changed tables.",
        database,
    )
    vac.add_argument(
        "--schema",
        metavar="NAME",
        help="with a PostgreSQL database: the schema that holds the store (default: iso10002)",
    )
    vac.add_argument(
        "--full",
        action="store_true",
        help="PostgreSQL: VACUUM FULL, which rewrites the tables into new files but locks "
        "each against reads and writes while it runs",
    )
    vac.epilog = (
        "--db also takes a PostgreSQL database as a URI, postgresql://USER@HOST:PORT/DBNAME; "
        "run as the owner of the tables. PostgreSQL: VACUUM of the events, outbox and "
        "access_denials tables, outside any transaction. SQLite: VACUUM of the file, then "
        "the write-ahead log checkpointed and truncated (docs/privacy.md)."
    )
