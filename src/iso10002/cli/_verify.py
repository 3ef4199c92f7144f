"""
The ``iso10002 verify`` command: check a database's tamper-evident hashes
(``docs/integrity.md``). Exit code 0 when the history is intact, 1 with the first bad record
on stderr.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from iso10002.integrity.verify import verify
from iso10002.storage.sqlite import SQLiteEventStore

__all__ = ["register"]


def _fail(message: str) -> Exception:
    # Imported late: the app imports this module.
    from iso10002.cli._app import CliError

    return CliError(message)


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


def _run_verify(args: argparse.Namespace) -> int:
    key = _key("--key-file", args.key_file)
    path = Path(args.db)
    if not path.is_file():
        raise _fail(f"no database at {args.db}")
    with SQLiteEventStore(path, integrity_key=key) as store:
        report = verify(store)
    if report.finding is not None:
        raise _fail(f"{args.db}: {report.finding}")
    keyed = "HMAC-SHA256" if report.keyed else "SHA-256, no key"
    print(f"intact: {report.events} events ({keyed}); head {report.last_position} {report.head}")
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
    cmd.epilog = (
        "Prints the head of the log's chain: keep it elsewhere and compare it later to detect "
        "events deleted from the end."
    )
