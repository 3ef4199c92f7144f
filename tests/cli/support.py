"""Helpers shared by the command-line tests: run ``main`` and capture what it printed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from iso10002 import ComplaintDesk
from iso10002.cli import main
from iso10002.storage.sqlite import SQLiteEventStore


@attrs.frozen
class CliResult:
    """The exit code and the text printed on stdout and stderr by one run."""

    code: int
    out: str
    err: str

    @property
    def error_line(self) -> str:
        """The first line of stderr."""
        return self.err.splitlines()[0] if self.err else ""


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> CliResult:
    """Run the command line in-process with ``args``."""
    capsys.readouterr()  # start from nothing
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return CliResult(code=code, out=captured.out, err=captured.err)


@contextlib.contextmanager
def open_desk(path: Path) -> Iterator[ComplaintDesk]:
    """A desk on an existing demo database, to compare the command line with the API."""
    assert path.is_file()
    with SQLiteEventStore(path) as store:
        yield ComplaintDesk(store)


def flat(text: str) -> str:
    """``text`` with every run of whitespace made one space, to find wrapped values."""
    return " ".join(text.split())
