"""
Importing the CFPB sample (``tests/data/cfpb``) into PostgreSQL, on a throwaway server the
benchmark starts (as ``bench_postgres.py`` does, ``fsync`` off): the store as shipped, which
looks a batch's client keys up at once (``Capability.CLIENT_KEYS``), against the same store
asked about each record's key alone (the capability taken off its declaration), taking turns
in one process, each into a fresh schema. Both import the same complaints, with the same
checks and the same stored rows; what differs is one round trip a record.

Run: ``python benchmarks/bench_import_postgres.py [--rounds N]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import ClassVar

_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(_ROOT)]

from tests.storage.pg_cluster import bindir_for_benchmark, throwaway_cluster  # noqa: E402

from iso10002 import FixedClock, import_cfpb  # noqa: E402
from iso10002.storage import Capability  # noqa: E402
from iso10002.storage.postgres import PostgresEventStore  # noqa: E402

SAMPLE = _ROOT / "tests" / "data" / "cfpb" / "complaints-2015-2020-part1.csv"
NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)
BATCH = 500
_SCHEMAS = itertools.count(1)


class OneKeyAtATime(PostgresEventStore):
    """The store asked about each record's client key alone, as importers did before."""

    capabilities: ClassVar[frozenset[Capability]] = PostgresEventStore.capabilities - {
        Capability.CLIENT_KEYS
    }


def one_import(conninfo: str, kind: type[PostgresEventStore]) -> tuple[float, float, int]:
    """Seconds on the clock and of this process's processor time, and the complaints."""
    with kind(conninfo, schema=f"bench_import_{next(_SCHEMAS)}") as store:
        c0, t0 = time.process_time(), time.perf_counter()
        report = import_cfpb(store, SAMPLE, clock=FixedClock(NOW), batch_size=BATCH)
        return time.perf_counter() - t0, time.process_time() - c0, report.imported


def main(argv: list[str] | None = None) -> int:
    """Start a throwaway server, import in turns, print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    bindir = bindir_for_benchmark()
    if bindir is None:
        return 1
    kinds = {
        "batch look-ups (as shipped)": PostgresEventStore,
        "one look-up a record": OneKeyAtATime,
    }
    runs: dict[str, list[tuple[float, float, int]]] = {label: [] for label in kinds}
    with throwaway_cluster(bindir) as cluster:
        one_import(cluster.conninfo, PostgresEventStore)  # warm the server and the imports
        for _ in range(args.rounds):
            for label, kind in kinds.items():
                runs[label].append(one_import(cluster.conninfo, kind))
    print(f"python {sys.version.split()[0]}, {SAMPLE.name}, PostgreSQL (fsync off), loopback")
    rates = {}
    for label, done in runs.items():
        (count,) = {n for *_, n in done}
        rates[label] = statistics.median(n / seconds for seconds, _, n in done)
        cpu = statistics.median(c for _, c, _ in done)
        print(
            f"  {label:<28} {count} complaints {rates[label]:8,.0f} complaints/s "
            f"(processor {cpu:.2f} s), median of {args.rounds}"
        )
    shipped, alone = rates.values()
    print(f"  ratio batch / one a record: {shipped / alone:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
