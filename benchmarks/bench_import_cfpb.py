"""
Importing real complaints: the CFPB sample (``tests/data/cfpb``, the current layout) into a fresh
SQLite store at ``synchronous=NORMAL``, against a baseline in the same run that reads the same
file with :mod:`csv` and writes one row per complaint with plain ``sqlite3`` in the same
batches (no parsing of dates, no history, no validation, no projection).

Each figure is the best of ``--runs`` runs (the least disturbed by the rest of the machine).

Run: ``python benchmarks/bench_import_cfpb.py [--runs N]``
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from iso10002 import FixedClock, import_cfpb
from iso10002.storage.sqlite import SQLiteEventStore

SAMPLE = Path(__file__).parent.parent / "tests" / "data" / "cfpb" / "complaints-2015-2020-part1.csv"
NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)
BATCH = 500


def ours(path: Path) -> tuple[float, int]:
    """Seconds to import the sample, and how many complaints it imported."""
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteEventStore(Path(tmp) / "import.db", synchronous="NORMAL")
        t0 = time.perf_counter()
        result = import_cfpb(store, path, clock=FixedClock(NOW), batch_size=BATCH)
        elapsed = time.perf_counter() - t0
        store.close()
    return elapsed, result.imported


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
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, {args.file.name}")
    ours_best = min(ours(args.file) for _ in range(args.runs))
    base_best = min(baseline(args.file) for _ in range(args.runs))
    for label, (seconds, n) in (
        ("import_cfpb, SQLite NORMAL", ours_best),
        ("raw csv + sqlite3", base_best),
    ):
        print(f"  {label:<28} {n:>6} complaints {seconds:7.3f} s {n / seconds:10,.0f} complaints/s")
    ratio = (ours_best[1] / ours_best[0]) / (base_best[1] / base_best[0])
    print(f"  ratio ours / baseline: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
