"""
The ``iso10002 import`` commands: bring complaints handled elsewhere into a database, with
their past dates.

``import cfpb FILE`` reads a CFPB Consumer Complaint Database export; ``import csv FILE`` and
``import json FILE`` read any export with a column mapping (``--mapping``, TOML or JSON). The
database is created if missing. Running an import again adds nothing: records already imported
are skipped.

Progress goes to stderr; the counts and each refused record (row, column, value, reason) to
stdout. Exit codes: 0 every record was imported or skipped; 1 some records failed (the
others were imported; fix the failed ones and run the import again), or the file cannot be
imported at all (nothing was written), or the database failed; 2 the command line is wrong
(including a bad ``--zone``, ``--limit`` or mapping file).

The database is opened with ``synchronous="NORMAL"``: an import can be run again at no cost,
so a power cut that loses its last commits loses nothing that running it again does not
restore, and not waiting for the disk on each batch's commit makes the import faster.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from iso10002.errors import ImportFileError, Iso10002Error
from iso10002.importing import (
    CFPB_ZONE,
    ColumnMapping,
    ImportReport,
    import_cfpb,
    import_csv,
    import_json,
    load_mapping,
)
from iso10002.importing.writer import MAX_WORKERS
from iso10002.storage.sqlite import SQLiteEventStore

__all__ = ["ImportProgress", "register"]


def _usage(message: str) -> Exception:
    from iso10002.cli._app import _usage as usage

    return usage(message)


def _failure(message: str) -> Exception:
    from iso10002.cli._app import CliError

    return CliError(message)


class ImportProgress:
    """
    Report how far an import has got, on ``stream`` (stderr).

    As the demo's progress: on a terminal one line redrawn in place whenever the percentage
    changes; elsewhere a new line at each tenth of the file read.
    """

    def __init__(self, stream: TextIO, *, enabled: bool = True) -> None:
        self._stream = stream
        self._enabled = enabled
        self._tty = enabled and stream.isatty()
        self._shown = -1
        self._drawn = 0

    def __call__(
        self, *, read: int, imported: int, skipped: int, failed: int, fraction: float | None
    ) -> None:
        """Show the counts with ``fraction`` (0 to 1) of the input read."""
        if not self._enabled or fraction is None:
            return
        percent = min(100, max(0, int(fraction * 100)))
        step = percent if self._tty else percent // 10 * 10
        if step <= self._shown or (not self._tty and step == 0):
            return
        self._shown = step
        text = f"import: {step:3d}% read, {imported} imported, {skipped} skipped, {failed} failed"
        if self._tty:
            self._stream.write(f"\r{text.ljust(self._drawn)}")
            self._drawn = max(self._drawn, len(text))
        else:
            self._stream.write(f"{text}\n")
        self._stream.flush()

    def finish(self) -> None:
        """End the updating line, so that what follows starts on a line of its own."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = 0


def _input(path: str) -> Path:
    file = Path(path)
    if not file.exists():
        raise _failure(f"no file at {path}")
    if not file.is_file():
        raise _failure(f"{path} is not a file")
    return file


def _limit(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise _usage(f"--limit: must be at least 1, got {value}")
    return value


def _workers(value: int) -> int:
    if not 1 <= value <= MAX_WORKERS:
        raise _usage(f"--workers: must be from 1 to {MAX_WORKERS}, got {value}")
    return value


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except Exception:  # ZoneInfoNotFoundError, or ValueError for a malformed key
        raise _usage(f"--zone: {value!r} is not a known IANA time zone") from None
    return value


def _mapping(path: str) -> ColumnMapping:
    if not Path(path).is_file():
        raise _usage(f"--mapping: no file at {path}")
    try:
        return load_mapping(path)
    except Iso10002Error as e:  # the message names the file and the bad field's path
        raise _usage(f"--mapping: {e}") from e


@contextlib.contextmanager
def _store(db: str) -> Iterator[SQLiteEventStore]:
    """The database, created if missing; removed again if a file error leaves it empty."""
    path = Path(db)
    if path.is_dir():
        raise _failure(f"{db} is a directory, not a database file")
    if not path.parent.is_dir():
        raise _failure(f"cannot create {db}: directory {path.parent} does not exist")
    created = not path.exists()
    try:
        with SQLiteEventStore(path, synchronous="NORMAL") as store:
            yield store
    except ImportFileError:
        if created:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        raise


def _print_report(report: ImportReport, source: str, db: str) -> None:
    print(f"{source} -> {db}")
    print(report.summary())
    if report.failed:
        print("Failed records (nothing of them was written):")
        for error in report.failed:
            print(f"  {error}")


Importer = Callable[[SQLiteEventStore, Path, ImportProgress], ImportReport]


def _run(args: argparse.Namespace, importer: Importer) -> int:
    file = _input(args.file)
    progress = ImportProgress(sys.stderr, enabled=not args.quiet)
    try:
        with _store(args.db) as store:
            report = importer(store, file, progress)
    finally:
        progress.finish()
    _print_report(report, args.file, args.db)
    if report.failed:
        raise _failure(
            f"{len(report.failed)} of {report.read} records failed (listed above); "
            "correct them and run the import again: the records imported now will be skipped"
        )
    return 0


def _run_cfpb(args: argparse.Namespace) -> int:
    zone = _zone(args.zone)
    limit = _limit(args.limit)
    workers = _workers(args.workers)
    return _run(
        args,
        lambda store, file, progress: import_cfpb(
            store, file, zone=zone, limit=limit, progress=progress, workers=workers
        ),
    )


def _run_mapped(args: argparse.Namespace) -> int:
    mapping = _mapping(args.mapping)
    limit = _limit(args.limit)
    workers = _workers(args.workers)
    importer = import_json if args.format == "json" else import_csv
    return _run(
        args,
        lambda store, file, progress: importer(
            store, file, mapping, limit=limit, progress=progress, workers=workers
        ),
    )


def register(
    add: Callable[..., argparse.ArgumentParser], *, database: argparse.ArgumentParser
) -> None:
    """Add the ``import`` command and its formats with ``add(name, run, help, *parents)``."""

    def missing_format(_args: argparse.Namespace) -> int:  # pragma: no cover - argparse stops first
        raise _usage("import: name the format: cfpb, csv or json")

    command = add(
        "import",
        missing_format,
        "Import complaints handled elsewhere, with their past dates (created if missing).",
    )
    command.epilog = (
        "Running an import again adds nothing: records already imported are skipped. "
        "Exit code 1 if some records failed; they are listed with the reason."
    )
    formats = command.add_subparsers(title="formats", dest="format", metavar="FORMAT")
    formats.required = True

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("file", metavar="FILE", help="the export to import")
    common.add_argument(
        "--limit", type=int, metavar="N", help="read at most N records (default: all)"
    )
    common.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="processes that read the records and build the complaints while this one writes "
        f"them (default: 1, all in one process; at most {MAX_WORKERS}); the result is the same",
    )
    common.add_argument("--quiet", action="store_true", help="do not show progress on stderr")

    cfpb = formats.add_parser(
        "cfpb",
        help="a CFPB Consumer Complaint Database export (CSV, current or 2014 layout)",
        description="Import a CFPB Consumer Complaint Database export (CSV, current or 2014 "
        "layout). Each complaint keeps its dates, marked as imported from 'cfpb'.",
        parents=[database, common],
    )
    cfpb.add_argument(
        "--zone",
        default=CFPB_ZONE,
        metavar="ZONE",
        help=f"the IANA time zone of the export's dates (default: {CFPB_ZONE})",
    )
    cfpb.set_defaults(run=_run_cfpb)

    mapping = argparse.ArgumentParser(add_help=False)
    mapping.add_argument(
        "--mapping",
        required=True,
        metavar="FILE",
        help="the column mapping (.toml or .json; see the importing guide)",
    )
    for name, what in (
        ("csv", "a CSV file with a header row"),
        ("json", "a JSON array of objects, or JSON Lines"),
    ):
        sub = formats.add_parser(
            name,
            help=f"{what}, read with a column mapping",
            description=f"Import {what}, each record read with a column mapping.",
            parents=[database, common, mapping],
        )
        sub.set_defaults(run=_run_mapped)
