"""
Importing real complaints: the CFPB sample (``tests/data/cfpb``, the current layout) into a fresh
SQLite store at ``synchronous=NORMAL``, against a baseline in the same run that reads the same
file with :mod:`csv` and writes one row per complaint with plain ``sqlite3`` in the same
batches (no parsing of dates, no history, no validation, no projection).

Each figure is the best of ``--runs`` runs (the least disturbed by the rest of the machine),
with the processor time of that run: this process's, and the worker processes' with
``--workers N`` (``import_cfpb(..., workers=N)``).

Run: ``python benchmarks/bench_import_cfpb.py [--runs N] [--workers N]``
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from iso10002 import FixedClock, import_cfpb
from iso10002.storage.sqlite import SQLiteEventStore

SAMPLE = Path(__file__).parent.parent / "tests" / "data" / "cfpb" / "complaints-2015-2020-part1.csv"
NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)
BATCH = 500


def _children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ours(path: Path, workers: int = 1) -> tuple[float, int, float, float]:
    """Seconds to import the sample, how many complaints it imported, and the processor
    seconds of this process and of the workers."""
    # Only given when asked for, so that the script also times versions without the option.
    options: dict[str, Any] = {"workers": workers} if workers != 1 else {}
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteEventStore(Path(tmp) / "import.db", synchronous="NORMAL")
        c0, w0 = time.process_time(), _children()
        t0 = time.perf_counter()
        result = import_cfpb(store, path, clock=FixedClock(NOW), batch_size=BATCH, **options)
        elapsed = time.perf_counter() - t0
        cpu, worker_cpu = time.process_time() - c0, _children() - w0
        store.close()
    return elapsed, result.imported, cpu, worker_cpu


def baseline(path: Path) -> tuple[float, int]:
    """Seconds to read the sample with csv and write one row per complaint, batched."""
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "raw.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE complaints (id TEXT PRIMARY KEY, received TEXT, row TEXT)")
        t0 = time.perf_counter()
        count = 0
        with path.open(newline="", encoding="utf-8") as f:
            rows = csv.DictReader(f)
            batch: list[tuple[str, str, str]] = []
            for row in rows:
                batch.append((row["Complaint ID"], row["Date received"], repr(row)))
                if len(batch) >= BATCH:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.executemany("INSERT INTO complaints VALUES (?, ?, ?)", batch)
                    conn.execute("COMMIT")
                    count += len(batch)
                    batch = []
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO complaints VALUES (?, ?, ?)", batch)
            conn.execute("COMMIT")
            count += len(batch)
        elapsed = time.perf_counter() - t0
        conn.close()
    return elapsed, count


def main(argv: list[str] | None = None) -> int:
    """Run the import and the baseline and print both with the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file", type=Path, default=SAMPLE)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, {args.file.name}")
    ours_best = min(ours(args.file, args.workers) for _ in range(args.runs))
    base_best = min(baseline(args.file) for _ in range(args.runs))
    label = "import_cfpb, SQLite NORMAL" + (f", {args.workers} workers" if args.workers > 1 else "")
    for name, (seconds, n) in ((label, ours_best[:2]), ("raw csv + sqlite3", base_best)):
        print(f"  {name:<38} {n:>6} complaints {seconds:7.3f} s {n / seconds:10,.0f} complaints/s")
    print(f"  processor time of the import: {ours_best[2]:.2f} s, workers {ours_best[3]:.2f} s")
    ratio = (ours_best[1] / ours_best[0]) / (base_best[1] / base_best[0])
    print(f"  ratio ours / baseline: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
