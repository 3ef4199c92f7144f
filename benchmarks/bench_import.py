"""
Import time: ``import iso10002`` and the everyday first imports of an application, against the
library's own runtime dependencies (attrs, cattrs, dateutil, typing-extensions), in the same run.

Each statement runs in a fresh interpreter under ``python -X importtime``; the figure is the sum of
the top-level imports' cumulative times, the best of ``--runs`` (the least disturbed by the rest of
the machine). The script prints each figure and its ratio to the dependencies', and the number of
``iso10002`` modules each statement loads.

Run: ``python benchmarks/bench_import.py [--runs N]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys

BASELINE = "import attrs, cattrs, dateutil.tz, typing_extensions"
STATEMENTS = {
    "import iso10002": "import iso10002",
    "from iso10002 import ComplaintDesk": "from iso10002 import ComplaintDesk",
    "desk on SQLite": "from iso10002 import ComplaintDesk, SQLiteEventStore",
    "the command line": "import iso10002.cli",
}


def _top_level_micros(stderr: str) -> int:
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        cumulative, name = line.split("|")[1:3]
        # A top-level import is printed with exactly one space before its name.
        if name.startswith(" ") and not name.startswith("  ") and cumulative.strip().isdigit():
            total += int(cumulative)
    return total


def measure(statement: str, runs: int) -> tuple[float, int]:
    """The best import time of ``statement`` in ms, and how many iso10002 modules it loads."""
    best: int | None = None
    count = 0
    probe = f"{statement}\nimport sys\nprint(sum(m.startswith('iso10002') for m in sys.modules))"
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", probe],
            capture_output=True,
            text=True,
            check=True,
        )
        micros = _top_level_micros(done.stderr)
        best = micros if best is None else min(best, micros)
        count = int(done.stdout.strip())
    assert best is not None
    return best / 1000, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    baseline, _ = measure(BASELINE, args.runs)
    print(f"baseline ({BASELINE}): {baseline:.1f} ms")
    for label, statement in STATEMENTS.items():
        ms, modules = measure(statement, args.runs)
        print(f"{label}: {ms:.1f} ms, {modules} iso10002 modules")
        print(f"ratio ours / baseline: {ms / baseline:.2f}")


if __name__ == "__main__":
    main()
