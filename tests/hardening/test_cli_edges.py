"""
Every option of every command (found by introspecting the parser) with the hostile values of
its kind: dates at both ends of the calendar, instants whose offset takes them past it, integers
of any size, text with control characters, line breaks and lone surrogates. Each run exits with
0, 1 or 2, prints no traceback, and a run that ends in an error leaves every file as it was.
"""

from __future__ import annotations

import collections
import contextlib
import io
from pathlib import Path

import pytest

from iso10002.cli import main
from iso10002.cli._app import build_parser
from tests.hardening.cli_edges import Case, cases, leaves, problem, run_case
from tests.importing.support import LAYOUT_2014

CASES = cases()


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database of a few complaints, copied for every case."""
    path = tmp_path_factory.mktemp("edges-demo") / "complaints.db"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", "--db", str(path), "--complaints", "12", "--quiet"]) == 0
    return path


def test_the_cases_cover_every_command_and_kind_of_value() -> None:
    commands = {c.argv[: 2 if c.argv[0] in ("sla", "import", "outbox") else 1] for c in CASES}
    assert commands == {path for path, _parser in leaves(build_parser())}
    values = {c.value for c in CASES}
    for needed in ("9999-12-31", "0001-01-01T00:00+00:00", "99999999999999999999", "\ud800"):
        assert needed in values


def test_every_option_with_hostile_values_ends_cleanly(small_demo: Path) -> None:
    tally: collections.Counter[str] = collections.Counter()
    crashes: list[tuple[Case, str]] = []
    for case in CASES:
        outcome = run_case(small_demo, LAYOUT_2014, case.argv)
        found = problem(outcome)
        if found:
            crashes.append((case, f"{found}: {outcome.err[-300:]}"))
        tally["ok" if outcome.code == 0 else "clean error"] += 1
    assert not crashes, "\n".join(f"{c.argv}: {why}" for c, why in crashes[:20])
    # The working arguments must work, or the options behind them are never reached.
    baselines = [c for c in CASES if not c.option]
    assert all(run_case(small_demo, LAYOUT_2014, c.argv).code == 0 for c in baselines)
    assert tally["ok"] >= 100
