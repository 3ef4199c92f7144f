"""
Coverage-guided fuzzing of the command line with atheris, run by hand (not part of the tests).

    pip install atheris
    python fuzz/fuzz_cli.py -max_total_time=600

Each input picks a command (found by introspecting the parser, as tests/hardening/cli_edges.py
does), one of its options and a value made of the input's bytes, decoded as Python decodes a
command line (UTF-8 with surrogate escapes). The command runs in-process against a copy of a
small demo database. An exit code other than 0, 1 or 2, a traceback, or an error that leaves a
file changed is a crash that libFuzzer reports with the input.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path

import atheris  # type: ignore[import-untyped, import-not-found, unused-ignore]

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

with atheris.instrument_imports():
    from tests.hardening.cli_edges import cases, problem, run_case
    from tests.importing.support import LAYOUT_2014

    from iso10002.cli import main as cli

CASES = [c for c in cases() if c.option and c.argv[0] != "demo"]


def _demo() -> Path:
    path = Path(tempfile.mkdtemp()) / "complaints.db"
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli(["demo", "--db", str(path), "--complaints", "12", "--quiet"]) == 0
    return path


def main() -> None:
    """Fuzz the command line."""
    demo = _demo()

    def one_input(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        case = CASES[fdp.ConsumeIntInRange(0, len(CASES) - 1)]
        value = fdp.ConsumeBytes(fdp.remaining_bytes()).decode("utf-8", "surrogateescape")
        argv = tuple(value if word == case.value else word for word in case.argv)
        found = problem(run_case(demo, LAYOUT_2014, argv))
        if found:
            raise AssertionError(f"{argv!r}: {found}")

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
