"""
The ``iso10002`` command: argument parsing, dispatch to the subcommands, and error handling.

Exit codes: 0 success; 1 the command could not be carried out (no such database or complaint,
a database that cannot be read, any library error); 2 the command line is wrong (argparse's
own errors, and values argparse cannot check: enum values, dates, ranges); 130 interrupted.
A user error is one line on stderr starting with ``iso10002: error:``, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import difflib
import os
import re
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from enum import Enum
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from iso10002 import (
    Channel,
    Clock,
    ComplaintDesk,
    ComplaintQuery,
    Iso10002Error,
    Priority,
    State,
    ValidationError,
    serialization,
    standard_workflow,
)
from iso10002.cli import (
    _audit,
    _conformance,
    _evidence,
    _import,
    _outbox,
    _privacy,
    _render,
    _report,
    _sla,
    _tick,
    _verify,
)
from iso10002.cli._progress import Progress
from iso10002.cli._terminal import strip_controls, terminal_safe
from iso10002.simulation import DemoSettings, run_demo, working_days
from iso10002.sla.config import SlaConfig
from iso10002.storage.batch import DEFAULT_MAX_EVENTS
from iso10002.storage.sqlite import SQLiteEventStore

__all__ = ["main"]

PROG = "iso10002"
DEFAULT_DB = "complaints.db"
DEFAULT_LIMIT = 20

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

E = TypeVar("E", bound=Enum)


class CliError(Exception):
    """A user error: the one line to print after ``iso10002: error:``, and the exit code."""

    def __init__(self, message: str, *, code: int = EXIT_FAILURE) -> None:
        self.code = code
        super().__init__(message)


def _usage(message: str) -> CliError:
    return CliError(message, code=EXIT_USAGE)


# -- values argparse cannot check -----------------------------------------------------------


def _enum(cls: type[E], option: str, value: str, noun: str) -> E:
    """A member of ``cls`` by value, forgiving case and ``-`` for ``_``."""
    wanted = value.strip().lower().replace("-", "_")
    for member in cls:
        if member.value == wanted:
            return member
    allowed = ", ".join(str(m.value) for m in cls)
    raise _usage(f"{option}: {value!r} is not a {noun} (allowed: {allowed})")


_STATE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _state(value: str) -> str:
    """
    A standard state, or a custom workflow's: any other state name is taken as it is, unless
    it is a near miss of a standard one (``closd``), which is refused as a typo.
    """
    wanted = value.strip().lower().replace("-", "_")
    standard = [s.value for s in State]
    if wanted in standard:
        return wanted
    if not _STATE_NAME.match(wanted) or difflib.get_close_matches(
        wanted, standard, n=1, cutoff=0.85
    ):
        return _enum(State, "--state", value, "state").value
    return wanted


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(option: str, value: str) -> _dt.date:
    """A ``YYYY-MM-DD`` date (the same on every Python version, unlike fromisoformat)."""
    try:
        if _DATE.match(value):
            return _dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise _usage(f"{option}: {value!r} is not a date (expected YYYY-MM-DD)")


def _midnight(day: _dt.date) -> _dt.datetime:
    return _dt.datetime.combine(day, _dt.time(0), _dt.timezone.utc)


# -- the database ---------------------------------------------------------------------------


@contextlib.contextmanager
def _existing_desk(
    db: str, *, sla: SlaConfig | None = None, clock: Clock | None = None
) -> Iterator[ComplaintDesk]:
    """
    A desk on the database at ``db``, which must exist: reading never creates one. ``sla``
    gives the timeliness policies its complaints may have been evaluated with; ``clock`` the
    time the desk acts at (the system clock if omitted).
    """
    with _existing_store(db) as store:
        yield ComplaintDesk(store, sla=sla, clock=clock)


@contextlib.contextmanager
def _existing_store(db: str) -> Iterator[SQLiteEventStore]:
    """The store in the SQLite file at ``db``, which must exist: reading never creates one."""
    path = Path(db)
    if not path.exists():
        create = f"{PROG} demo" + ("" if db == DEFAULT_DB else f" --db {shlex.quote(db)}")
        raise CliError(
            f"no database at {db} (run '{create}' to create one, or choose one with --db)"
        )
    if not path.is_file():
        raise CliError(f"{db} is not a database file")
    with SQLiteEventStore(path) as store:
        yield store


def _print_json(data: object) -> None:
    print(serialization.pretty_json(data))


# -- subcommands ----------------------------------------------------------------------------


def _run_demo(args: argparse.Namespace) -> int:
    try:
        settings = DemoSettings(
            complaints=args.complaints,
            seed=args.seed,
            start=_date("--start", args.start),
            days=args.days,
        )
    except ValidationError as e:
        raise _usage(f"--{e.field}: {e.reason}") from None
    if settings.start < _sla.FIRST_INSTANT.date():  # office hours begin in local time
        raise _usage(f"--start: {settings.start} is before {_sla.FIRST_INSTANT:%Y-%m-%d}")
    try:
        settings.start + _dt.timedelta(days=settings.days)  # the period must end by 9999-12-31
    except OverflowError:
        raise _usage(f"--days: {settings.days} days from {settings.start} is too long") from None
    if not working_days(settings.start, min(settings.days, 7)):
        raise _usage(
            f"--days: the {settings.days} day(s) from {settings.start} hold no working day; "
            "complaints arrive Monday to Friday"
        )
    if args.batch < 1:
        raise _usage(f"--batch: must be at least 1, got {args.batch}")
    path = Path(args.db)
    if path.is_dir():
        raise CliError(f"{args.db} is a directory, not a database file")
    if not path.parent.is_dir():
        raise CliError(f"cannot create {args.db}: directory {path.parent} does not exist")
    progress = Progress(sys.stderr, days=settings.days, enabled=not args.quiet)
    try:
        # The demo's data can be regenerated at will, so it trades the fsync of every commit
        # (FULL) for speed: NORMAL keeps the database consistent, even after a power cut.
        with SQLiteEventStore(path, synchronous="NORMAL") as store:
            result = run_demo(
                store,
                settings,
                progress=progress.update,
                batch_events=None if args.batch == 1 else args.batch,
            )
    finally:
        progress.finish()
    print(_render.demo_summary(result, str(path.resolve())))
    return EXIT_OK


def _run_show(args: argparse.Namespace) -> int:
    with _existing_desk(args.db) as desk:
        complaint = desk.get(args.reference)
    if args.format == "json":
        _print_json(serialization.unstructure(complaint))
    else:
        print(_render.complaint(complaint))
    return EXIT_OK


def _run_history(args: argparse.Namespace) -> int:
    with _existing_desk(args.db) as desk:
        events = desk.history(args.reference)
    if args.format == "json":
        print(serialization.history_to_json(events))
    else:
        print(_render.history(events))
    return EXIT_OK


_QUERY_OPTIONS = {"limit": "--limit", "offset": "--offset", "organisation": "--organisation"}
_MAX_OFFSET = 2**63 - 1
"""The largest offset a store can count to (SQLite's integers are 64-bit)."""


ORGANISATION_OPTION = "--organisation"
ORGANISATION_HELP = "only the complaints of this organisation (tenant id)"


def organisation_option(value: str | None) -> str | None:
    """The ``--organisation`` given, checked: a usage error naming the option if malformed."""
    if value is None:
        return None
    try:
        return ComplaintQuery(organisation=value).organisation
    except ValidationError as e:
        raise _usage(f"{ORGANISATION_OPTION}: {e.reason}") from e


def _day_after(last: _dt.date) -> _dt.datetime | None:
    """The exclusive bound after ``last``, the day --to names; None after 9999-12-31."""
    if last == _dt.date.max:
        return None
    return _midnight(last + _dt.timedelta(days=1))


def _list_query(args: argparse.Namespace) -> ComplaintQuery:
    start = _date("--from", args.date_from) if args.date_from else None
    end = _date("--to", args.date_to) if args.date_to else None
    if start and end and start > end:
        raise _usage(f"--from {start} is after --to {end}")
    if args.offset > _MAX_OFFSET:
        raise _usage(f"--offset: must be at most {_MAX_OFFSET}")
    try:
        return ComplaintQuery(
            state=_state(args.state) if args.state else None,
            is_open=args.is_open,
            assignee=args.assignee,
            priority=_enum(Priority, "--priority", args.priority, "priority")
            if args.priority
            else None,
            channel=_enum(Channel, "--channel", args.channel, "channel") if args.channel else None,
            received_from=_midnight(start) if start else None,
            received_to=_day_after(end) if end else None,
            organisation=args.organisation,
            limit=args.limit,
            offset=args.offset,
        )
    except ValidationError as e:
        option = _QUERY_OPTIONS.get(e.field, e.field)
        raise _usage(f"{option}: {e.reason}") from e


def _next_page(args: argparse.Namespace, query: ComplaintQuery) -> str:
    """The command line that shows the page after ``query``'s."""
    words = [PROG, "list"]
    if args.db != DEFAULT_DB:
        words += ["--db", args.db]
    if query.state:
        words += ["--state", query.state]
    if query.is_open is not None:
        words.append("--open" if query.is_open else "--closed")
    if query.assignee:
        words += ["--assignee", query.assignee]
    if query.priority:
        words += ["--priority", query.priority.value]
    if query.channel:
        words += ["--channel", query.channel.value]
    if query.organisation:
        words += ["--organisation", query.organisation]
    if args.date_from:
        words += ["--from", args.date_from]
    if args.date_to:
        words += ["--to", args.date_to]
    if query.limit != DEFAULT_LIMIT:
        words += ["--limit", str(query.limit)]
    words += ["--offset", str(query.offset + query.limit)]
    return shlex.join(words)


def _run_list(args: argparse.Namespace) -> int:
    query = _list_query(args)
    with _existing_desk(args.db) as desk:
        result = desk.query(query)
    if args.format == "json":
        _print_json(
            {
                "total": result.total,
                "limit": result.limit,
                "offset": result.offset,
                "next_offset": result.offset + result.limit if result.has_more else None,
                "items": [serialization.unstructure(s) for s in result.items],
            }
        )
    else:
        next_command = _next_page(args, query) if result.has_more else None
        print(_render.page(result, next_command))
    return EXIT_OK


def _run_workflow(args: argparse.Namespace) -> int:
    wf = standard_workflow()
    if args.format == "mermaid":
        print(wf.to_mermaid(), end="")
    else:
        print(_render.workflow(wf))
    return EXIT_OK


# -- the parser -----------------------------------------------------------------------------


def _version() -> str:
    try:
        return metadata.version("iso10002")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare source tree
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``iso10002`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Complaints handling aligned with ISO 10002:2018: simulate a month of "
        "complaints, then inspect them.",
        epilog=f"Run '{PROG} COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    commands.required = True

    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--db",
        metavar="PATH",
        default=DEFAULT_DB,
        help=f"the SQLite database file (default: {DEFAULT_DB} in the current directory)",
    )
    text_or_json = argparse.ArgumentParser(add_help=False)
    text_or_json.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )

    def add(
        name: str, run: Callable[[argparse.Namespace], int], help_: str, *parents: object
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_,
            description=help_,
            parents=list(parents),  # type: ignore[arg-type]
        )
        sub.set_defaults(run=run)
        return sub

    demo = add(
        "demo",
        _run_demo,
        "Simulate a month of complaints handling into the database (created if missing).",
        database,
    )
    demo.epilog = (
        "Running a seed again on the same database adds nothing: its complaints are already "
        "there. Another --seed adds new complaints."
    )
    demo.add_argument(
        "--complaints",
        type=int,
        default=200,
        metavar="N",
        help="complaints received over the period (default: 200)",
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=2026,
        metavar="S",
        help="the same seed tells the same story (default: 2026)",
    )
    demo.add_argument(
        "--start",
        default="2026-03-02",
        metavar="YYYY-MM-DD",
        help="first simulated day (default: 2026-03-02)",
    )
    demo.add_argument(
        "--days", type=int, default=30, metavar="D", help="days to simulate (default: 30)"
    )
    demo.add_argument(
        "--batch",
        type=int,
        default=DEFAULT_MAX_EVENTS,
        metavar="N",
        help=(
            f"events written per transaction (default: {DEFAULT_MAX_EVENTS}; 1 writes each "
            "command on its own); an interrupted run loses at most the last batch"
        ),
    )
    demo.add_argument("--quiet", action="store_true", help="do not show progress on stderr")

    show = add("show", _run_show, "Show a complaint as it stands.", database, text_or_json)
    show.add_argument("reference", metavar="REF", help="the complaint's reference")

    hist = add("history", _run_history, "Show a complaint's events.", database, text_or_json)
    hist.add_argument("reference", metavar="REF", help="the complaint's reference")

    lst = add("list", _run_list, "List complaints, newest first.", database, text_or_json)
    lst.add_argument(
        "--state",
        metavar="S",
        help="in this workflow state, e.g. investigating, or a custom workflow's",
    )
    openness = lst.add_mutually_exclusive_group()
    openness.add_argument(
        "--open", dest="is_open", action="store_true", default=None, help="open ones only"
    )
    openness.add_argument(
        "--closed", dest="is_open", action="store_false", help="closed or withdrawn ones only"
    )
    lst.add_argument("--assignee", metavar="ID", help="assigned to this actor id")
    lst.add_argument("--priority", metavar="P", help="urgent, high, normal or low")
    lst.add_argument("--channel", metavar="C", help="received by this channel, e.g. email")
    lst.add_argument(ORGANISATION_OPTION, metavar="ID", help=ORGANISATION_HELP)
    lst.add_argument(
        "--from", dest="date_from", metavar="DATE", help="received on or after (YYYY-MM-DD, UTC)"
    )
    lst.add_argument(
        "--to", dest="date_to", metavar="DATE", help="received on or before (YYYY-MM-DD, UTC)"
    )
    lst.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"complaints per page (default: {DEFAULT_LIMIT})",
    )
    lst.add_argument("--offset", type=int, default=0, metavar="N", help="complaints to skip")

    wf = add("workflow", _run_workflow, "Print the standard handling workflow.")
    wf.add_argument(
        "--format",
        choices=("mermaid", "text"),
        default="mermaid",
        help="a Mermaid state diagram, or text (default: mermaid)",
    )

    _sla.register(add, database=database, text_or_json=text_or_json)
    _conformance.register(add, text_or_json=text_or_json)
    _audit.register(add, database=database)
    _evidence.register(add, database=database)
    _import.register(add, database=database)
    _report.register(add, database=database)
    _verify.register(add, database=database)
    _privacy.register(add, database=database)
    _tick.register(add, database=database, text_or_json=text_or_json)
    _outbox.register(add, database=database, text_or_json=text_or_json)
    return parser


# -- main -----------------------------------------------------------------------------------


def _check_text(args: argparse.Namespace) -> None:
    """
    Refuse an argument that no file name or stored text can hold: one with a NUL (which no
    real command line has) or with bytes that are not UTF-8 (Python reads them as lone
    surrogates, which nothing can encode again).
    """
    for name, value in vars(args).items():
        if not isinstance(value, str) or (value.isascii() and "\0" not in value):
            continue
        option = _OPTIONS.get(name, name if name in _POSITIONALS else "--" + name.replace("_", "-"))
        if "\0" in value:
            raise _usage(f"{option}: holds a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _usage(f"{option}: is not UTF-8 text") from None


_POSITIONALS = frozenset({"reference", "file", "workflow_file"})
_OPTIONS = {"date_from": "--from", "date_to": "--to"}


def _error(message: str) -> None:
    # One line, and nothing a terminal acts on: the message may repeat what it was given.
    print(f"{PROG}: error: {strip_controls(' '.join(message.split()))}", file=sys.stderr)


def _exit_code(code: object) -> int:
    if code is None:
        return EXIT_OK
    return code if isinstance(code, int) else EXIT_FAILURE


def _detach_stdout() -> None:
    # Python flushes stdout once more on exit; pointing it at devnull stops that flush from
    # failing again on the closed pipe.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the ``iso10002`` command line.

    Args:
        argv: the arguments after the program name; ``sys.argv[1:]`` if omitted.

    Returns:
        The exit code: 0 success, 1 failure, 2 usage error, 130 interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, and argparse's usage errors (already printed)
        return _exit_code(e.code)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        _check_text(args)
        with terminal_safe(json=getattr(args, "format", None) == "json"):
            return run(args)
    except CliError as e:
        _error(str(e))
        return e.code
    except Iso10002Error as e:
        _error(str(e))
        return EXIT_FAILURE
    except BrokenPipeError:  # the reader went away, e.g. `iso10002 history REF | head`
        _detach_stdout()
        return EXIT_FAILURE
    except OSError as e:
        _error(f"{e.filename}: {e.strerror}" if e.filename and e.strerror else str(e))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
