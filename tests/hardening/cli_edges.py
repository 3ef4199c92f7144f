"""
Hostile values for every option of every command, found by introspecting the parser: each
option gets the values of its kind (dates at the ends of the calendar, instants with extreme
offsets, integers of any size, text with control characters and lone surrogates), one at a
time, with the other arguments of the command set to values that work.

Used by ``test_cli_edges.py`` and by the atheris harness ``fuzz/fuzz_cli.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import attrs

from iso10002.cli import main
from iso10002.cli._app import build_parser

DATES = ("0001-01-01", "0001-01-02", "9999-12-31", "9999-12-30", "0000-00-00", "2024-02-29")
INSTANTS = (
    "0001-01-01T00:00+00:00",
    "0001-01-01T00:00+14:00",
    "0001-01-01T00:00-23:59",
    "9999-12-31T23:59+00:00",
    "9999-12-31T23:59-23:59",
    "9999-12-31T00:00+14:00",
    "0001-01-01",
    "9999-12-31",
)
INTEGERS = (
    "99999999999999999999",
    "-99999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "1" + "0" * 5000,
    "0",
    "-1",
)
TEXTS = (
    "\ud800",
    "\udcff",
    "a\udcffb",
    "\x1b[2J\x1b]0;owned\x07",
    "CMP-2026-000001\r\nX",
    "\x00",
    "\t",
    " ",
    "\u202eevil",
    "{" * 100,
    "é" * 300,
)
"""Text: a lone surrogate (as Python decodes bytes that are not UTF-8), terminal escapes, line
breaks, a NUL, blanks, a right-to-left override and long text."""


@attrs.frozen
class Case:
    """One command line: the command path, the option under test and its hostile value."""

    argv: tuple[str, ...]
    option: str
    value: str


def leaves(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command path that runs something, with its parser."""
    nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if prefix and not nested:
        yield prefix, parser
    for action in nested:
        for name, sub in action.choices.items():
            yield from leaves(sub, (*prefix, name))


def _kind(action: argparse.Action) -> tuple[str, ...]:
    metavar = str(action.metavar or "")
    if action.type is int:
        return INTEGERS
    if "DATE" in metavar or "YYYY" in metavar:
        return DATES + TEXTS[:3]
    if "INSTANT" in metavar:
        return INSTANTS + DATES[:1] + TEXTS[:3]
    return TEXTS + DATES[:1] + INTEGERS[:1]


# Values that make each command succeed, so that the option under test is reached. The demo
# writes as many complaints as it is asked for: it gets two.
_WORKING = {
    "reference": "CMP-2026-000001",
    "workflow_file": None,
    "--preset": "fca-disp-1.6",
    "--received": "2026-03-02T09:00+00:00",
    "--actions": "{actions}",
    "--mapping": "{mapping}",
    "--reason": "request of the complainant",
    "--retention": "fca",
    "--out": "{out}",
    "--complaints": "2",
    "--delivered-before": "2026-03-03",
}
_FILES = {"cfpb": "{cfpb}", "csv": "{csv}", "json": "{json}"}


def _baseline(path: tuple[str, ...], parser: argparse.ArgumentParser) -> dict[str, str | None]:
    """The arguments every case of ``path`` starts from, keyed by option string or dest."""
    options = {s for a in parser._actions for s in a.option_strings}
    base: dict[str, str | None] = {}
    if "--db" in options:
        base["--db"] = "{new}" if path[0] == "demo" else "{db}"
    for action in parser._actions:
        key = action.option_strings[0] if action.option_strings else action.dest
        if key == "file":
            # The import commands read a file; `audit` takes one only to verify a report.
            if path[-1] in _FILES:
                base[key] = _FILES[path[-1]]
        elif key in _WORKING and (action.required or key in ("--complaints", "reference")):
            base[key] = _WORKING[key]
        elif key == "--quiet":
            base[key] = ""
    if path[0] == "subject-export":
        base.update({"--customer-id": "C-1", "--out": "{export}"})
    if path[0] == "legal-hold":
        base["--place"] = "litigation"
    if path[0] == "conformance":
        base["--standard"] = ""  # or a workflow file: the case that tests it drops this
    if path[0] == "erase":
        base["reference"] = "CMP-2026-000002"
    if path == ("outbox", "retry"):
        base["--all"] = ""
    if path == ("outbox", "dispatch"):
        # The demo's outbox is empty: nothing is sent, so no mail server is needed.
        base.update({"--smtp": "127.0.0.1:9", "--smtp-from": "desk@example.org", "--once": ""})
    return base


def _argv(base: dict[str, str | None]) -> tuple[str, ...]:
    words: list[str] = []
    positional: list[str] = []
    for key, value in base.items():
        if value is None:
            continue
        if not key.startswith("-"):
            positional.append(value)
        elif value == "":
            words.append(key)
        else:
            words += [key, value]
    # "--" keeps a positional that starts with a dash from reading as an option.
    return (*words, "--", *positional) if positional else tuple(words)


def cases() -> list[Case]:
    """Every option of every command with each hostile value of its kind."""
    found: list[Case] = []
    for path, parser in leaves(build_parser()):
        base = _baseline(path, parser)
        found.append(Case((*path, *_argv(base)), "", ""))
        for action in parser._actions:
            if action.nargs == 0 or action.choices is not None or action.dest == "help":
                continue
            key = action.option_strings[0] if action.option_strings else action.dest
            for value in _kind(action):
                if key == "--db" and path[0] == "demo" and value in INTEGERS:
                    continue
                args = {**base, key: value}
                if key == "workflow_file":
                    del args["--standard"]
                found.append(Case((*path, *_argv(args)), key, value))
    return found


CFPB_ROWS = 3


@contextlib.contextmanager
def workspace(demo: Path, cfpb: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """
    A directory holding a copy of ``demo`` and the files the commands read, made the current
    directory so that whatever a command writes lands in it; and the placeholders' values.
    """
    with tempfile.TemporaryDirectory() as directory:
        here = Path(directory)
        shutil.copyfile(demo, here / "complaints.db")
        (here / "folder").mkdir()
        with cfpb.open(encoding="utf-8", newline="") as f:
            head = [next(f) for _ in range(CFPB_ROWS + 1)]
        (here / "cfpb.csv").write_text("".join(head), encoding="utf-8", newline="")
        (here / "mapping.toml").write_text(
            'system = "crm"\nrecord_id = "Ticket"\n[received_at]\ncolumn = "Opened"\n'
            '[channel]\ncolumn = "Via"\n',
            encoding="utf-8",
        )
        (here / "export.csv").write_text(
            "Ticket,Opened,Via\nA-1,2024-02-01,email\n", encoding="utf-8"
        )
        (here / "export.json").write_text(
            '[{"Ticket": "B-1", "Opened": "2024-03-01", "Via": "phone"}]\n'
        )
        (here / "actions.json").write_text("[]", encoding="utf-8")
        cwd = os.getcwd()
        os.chdir(here)
        try:
            yield (
                here,
                {
                    "db": str(here / "complaints.db"),
                    "new": str(here / "new.db"),
                    "missing": str(here / "missing.db"),
                    "dir": str(here / "folder"),
                    "cfpb": str(here / "cfpb.csv"),
                    "csv": str(here / "export.csv"),
                    "json": str(here / "export.json"),
                    "mapping": str(here / "mapping.toml"),
                    "actions": str(here / "actions.json"),
                    "out": str(here / "out.txt"),
                    "export": str(here / "export-out.json"),
                },
            )
        finally:
            os.chdir(cwd)


def snapshot(directory: Path) -> dict[str, str]:
    """The name and a digest of every file under ``directory``."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@attrs.frozen
class Outcome:
    """What one run did: its exit code, what it printed, and whether it changed any file."""

    code: int
    out: str
    err: str
    changed: bool


def run_case(demo: Path, cfpb: Path, argv: tuple[str, ...]) -> Outcome:
    """Run ``argv`` (placeholders filled in) in a fresh workspace."""
    with workspace(demo, cfpb) as (here, places):
        filled = [places.get(a[1:-1], a) if a[:1] == "{" and a[-1:] == "}" else a for a in argv]
        before = snapshot(here)
        # Encoded as a terminal would: strict UTF-8 on stdout, escapes on stderr, as Python sets
        # them up, so that text no encoding can write fails here as it would there.
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
        err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(filled)
        return Outcome(code, _text(out), _text(err), snapshot(here) != before)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


def problem(outcome: Outcome) -> str | None:
    """What is wrong with ``outcome``, or None: the contract of every command line."""
    if outcome.code not in (0, 1, 2):
        return f"exit code {outcome.code}"
    if "Traceback" in outcome.err:
        return "a traceback"
    errors = [line for line in outcome.err.splitlines() if line.startswith("iso10002")]
    if outcome.code and not errors and "failed" not in outcome.out:
        return "no error line"
    if errors and outcome.changed:
        return "an error, yet files were written"
    return None
