"""
The command line on random argument lists over its known commands and options, against a copy
of a small demo database: the exit code is 0, 1 or 2, and no traceback is ever printed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso10002.cli import main
from iso10002.cli._app import build_parser
from tests.importing.support import CURRENT

CLI = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Every command path with the option strings it accepts."""
    nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    options = tuple(s for a in parser._actions for s in a.option_strings)
    if prefix:
        yield prefix, options
    for action in nested:
        for name, sub in action.choices.items():
            yield from _commands(sub, (*prefix, name))


# The demo command writes as many complaints as it is asked for: it gets small counts below.
COMMANDS = [(path, opts) for path, opts in _commands(build_parser()) if path[0] != "demo"]
VALUES = st.one_of(
    st.sampled_from(
        [
            "{db}",
            "{missing}",
            "{dir}",
            "{csv}",
            "{out}",
            "CMP-2026-000001",
            "CMP-2026-000150",
            "CMP-0000-000000",
            "2026-03-01",
            "2026-02-30",
            "2026-03",
            "Europe/London",
            "Not/AZone",
            "../etc",
            "email",
            "open",
            "json",
            "text",
            "markdown",
            "html",
            "uk-fca",
            "0",
            "1",
            "-1",
            "3",
            "99999999999999999999",
            "-99999999999999999999",
            "9223372036854775808",
            "0001-01-01",
            "9999-12-31",
            "0001-01-01T00:00+00:00",
            "9999-12-31T23:59-23:59",
            "\ud800",
            "\udcff",
            "\x1b[2J",
            "a\r\nb",
            "",
            "-",
            "--",
            "\x00",
        ]
    ),
    st.text(max_size=8),
    st.text(alphabet=st.characters(codec=None, categories=["Cc", "Cs", "Zs"]), max_size=4),
)


@st.composite
def argument_lists(draw: st.DrawFn) -> list[str]:
    """A known command path followed by a few of its options and random values."""
    path, options = draw(st.sampled_from(COMMANDS))
    tail = draw(
        st.lists(
            st.one_of(st.sampled_from(options or ("--help",)), VALUES, st.just("--db")),
            max_size=6,
        )
    )
    return [*path, *tail]


@contextlib.contextmanager
def _workspace(demo: Path) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory() as directory:
        here = Path(directory)
        db = here / "complaints.db"
        shutil.copyfile(demo, db)
        (here / "folder").mkdir()
        cwd = os.getcwd()
        os.chdir(here)  # whatever the command writes lands here
        try:
            yield {
                "db": str(db),
                "missing": str(here / "missing.db"),
                "dir": str(here / "folder"),
                "csv": str(CURRENT),
                "out": str(here / "out.txt"),
            }
        finally:
            os.chdir(cwd)


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database of a few complaints, copied for every example."""
    path = tmp_path_factory.mktemp("hardening-demo") / "complaints.db"
    assert _run(["demo", "--db", str(path), "--complaints", "12", "--quiet"])[0] == 0
    return path


def _check(demo: Path, argv: list[str]) -> int:
    with _workspace(demo) as places:
        # Only the placeholders themselves are replaced: random text may hold braces too.
        argv = [places.get(arg[1:-1], arg) if arg[:1] == "{" else arg for arg in argv]
        code, err = _run(argv)
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    return code


@CLI
@given(argv=argument_lists())
def test_random_arguments_exit_cleanly(small_demo: Path, argv: list[str]) -> None:
    _check(small_demo, argv)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    options=st.lists(
        st.one_of(
            st.sampled_from(["--complaints", "--seed", "--month", "--db", "--quiet"]),
            st.sampled_from(["0", "-1", "2", "x", "2026-02", "2026-13", "{db}", "{dir}"]),
        ),
        max_size=6,
    )
)
def test_random_demo_arguments_exit_cleanly(small_demo: Path, options: list[str]) -> None:
    # At most a handful of complaints: the count is never one of the large values above.
    _check(small_demo, ["demo", *options, "--complaints", "2", "--quiet"])


def test_the_arguments_reach_every_exit_code(small_demo: Path) -> None:
    # Guards the properties above: the workspace gives commands something to succeed on.
    assert _check(small_demo, ["list", "--db", "{db}"]) == 0
    assert _check(small_demo, ["show", "CMP-0000-000000", "--db", "{db}"]) == 1
    assert _check(small_demo, ["list", "--bogus"]) == 2
