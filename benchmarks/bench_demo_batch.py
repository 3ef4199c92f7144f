"""
The demo written one command per transaction against the same run through a
:class:`~iso10002.BatchingStore` (one transaction per batch), on SQLite at ``synchronous =
FULL`` (the store's default) and ``NORMAL`` (the demo's), in the same run.

Each configuration simulates the same seed into a fresh database file; the figure is the best
of ``--runs`` wall-clock times (the least disturbed by the rest of the machine), with the
events per second and the ratio of one by one to batched. Both databases are then verified
(:func:`~iso10002.integrity.verify`) and hold the same number of events.

Run: ``python benchmarks/bench_demo_batch.py [--complaints N] [--batch N] [--runs N]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from iso10002 import SQLiteEventStore
from iso10002.integrity import verify
from iso10002.simulation import DemoSettings, run_demo
from iso10002.storage.sqlite import Synchronous


def measure(
    directory: Path, synchronous: Synchronous, batch: int | None, complaints: int
) -> tuple[float, int]:
    """Seconds the demo took into a fresh database, and the events it wrote (verified)."""
    path = directory / f"demo-{synchronous}-{batch}-{time.monotonic_ns()}.db"
    with SQLiteEventStore(path, synchronous=synchronous) as store:
        began = time.perf_counter()
        result = run_demo(store, DemoSettings(complaints=complaints), batch_events=batch)
        elapsed = time.perf_counter() - began
        report = verify(store)
        assert report.finding is None, report
        assert report.events == result.events, report
    return elapsed, result.events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--complaints", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=500, help="events per transaction")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    levels: tuple[Synchronous, ...] = ("FULL", "NORMAL")
    print(f"demo, {args.complaints} complaints, batches of {args.batch} events")
    print(f"{'synchronous':<12}{'one by one':>14}{'batched':>14}{'ratio':>8}{'events/s':>18}")
    with tempfile.TemporaryDirectory() as tmp:
        for level in levels:
            best: dict[int | None, float] = {}
            events = 0
            for _ in range(args.runs):
                # Alternate the two, so that a disturbance of the machine falls on both.
                for batch in (None, args.batch):
                    seconds, events = measure(Path(tmp), level, batch, args.complaints)
                    best[batch] = min(best.get(batch, seconds), seconds)
            one, many = best[None], best[args.batch]
            rates = f"{events / one:,.0f} -> {events / many:,.0f}"
            print(f"{level:<12}{one:>13.2f}s{many:>13.2f}s{one / many:>7.2f}x{rates:>18}")


if __name__ == "__main__":
    main()
