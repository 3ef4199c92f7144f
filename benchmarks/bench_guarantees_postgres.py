"""
Where a command's time goes on PostgreSQL, against raw psycopg in the same run, on the
throwaway server of ``bench_postgres.py`` (``fsync=off``): the client's processor time (the
desk's side, and the store's append with psycopg), the server's processor time (every process
of the server, from ``/proc``), and what is left of the time on the clock: waiting for answers
and for a core.

The lifecycles of ``bench_lifecycle.py`` are recorded on an in-memory desk as
``bench_guarantees.py`` does; each round then runs, taking turns: the whole command in memory,
the whole command on a ``PostgresEventStore`` (a fresh schema), the recorded appends replayed
into another fresh schema, and the baseline, one autocommitted ``INSERT`` of the same event
row a command (``bench_postgres.py``'s).

Run: ``python benchmarks/bench_guarantees_postgres.py [--lifecycles N] [--rounds N]``
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(_ROOT), str(_ROOT / "benchmarks")]

import psycopg  # noqa: E402
from bench_guarantees import (  # noqa: E402
    Command,
    TimedMemoryStore,
    append_each,
    lifecycles,
    record,
)
from bench_lifecycle import START  # noqa: E402
from bench_postgres import BASELINE_INSERT, baseline_table, event_rows  # noqa: E402
from tests.storage.pg_cluster import bindir_for_benchmark, throwaway_cluster  # noqa: E402

from iso10002 import ComplaintDesk, FixedClock  # noqa: E402
from iso10002.ports.store import Append  # noqa: E402
from iso10002.storage.postgres import PostgresEventStore  # noqa: E402

TARGET = 0.4
"""PostgreSQL, ours / raw psycopg, one process."""

Times = tuple[float, float, float]
"""The client's processor time, the server's, and the time on the clock, in seconds."""


class TimedPostgresStore(PostgresEventStore):
    """A PostgreSQL store that adds up the client's processor time of its appends."""

    spent = 0.0

    def append_many(self, appends: Sequence[Append]) -> None:
        """Append as the store does, and add up the time."""
        c0 = time.process_time()
        super().append_many(appends)
        self.spent += time.process_time() - c0


def server_time(postmaster: int) -> float:
    """The processor seconds of the server: the postmaster and every process it started."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended
            continue
        if int(entry.name) == postmaster or int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def timed(body: Callable[[], object], postmaster: int) -> Times:
    """Run ``body`` after a collection; the client's, the server's and the clock's time."""
    gc.collect()
    s0 = server_time(postmaster)
    c0, w0 = time.process_time(), time.perf_counter()
    body()
    c1, w1 = time.process_time(), time.perf_counter()
    return c1 - c0, server_time(postmaster) - s0, w1 - w0


class Rounds:
    """The pieces of a round on one server."""

    def __init__(self, conninfo: str, postmaster: int, commands: list[Command], n: int) -> None:
        self.conninfo = conninfo
        self.postmaster = postmaster
        self.appends = [c.append for c in commands]
        self.n = n
        self.schemas = 0
        self.rows: list[tuple[object, ...]] = []

    def schema(self) -> str:
        """A new schema's name."""
        self.schemas += 1
        return f"guarantees_{self.schemas}"

    def whole_memory(self) -> dict[str, Times]:
        store = TimedMemoryStore()
        desk = ComplaintDesk(store, clock=FixedClock(START))
        whole = timed(functools.partial(lifecycles, desk, self.n), self.postmaster)
        return {"memory": whole, "memory, store": (store.spent[0], 0.0, store.spent[1])}

    def whole(self) -> dict[str, Times]:
        schema = self.schema()
        with TimedPostgresStore(self.conninfo, schema=schema, max_size=1) as store:
            desk = ComplaintDesk(store, clock=FixedClock(START))
            whole = timed(functools.partial(lifecycles, desk, self.n), self.postmaster)
            spent = store.spent
        if not self.rows:
            self.rows = event_rows(self.conninfo, schema)
        return {"whole": whole, "whole, store": (spent, 0.0, 0.0)}

    def replay(self) -> dict[str, Times]:
        with PostgresEventStore(self.conninfo, schema=self.schema(), max_size=1) as store:
            return {
                "replay": timed(
                    functools.partial(append_each, store, self.appends), self.postmaster
                )
            }

    def baseline(self) -> dict[str, Times]:
        baseline_table(self.conninfo)
        with psycopg.connect(self.conninfo, autocommit=True) as conn:

            def body() -> None:
                for row in self.rows:
                    conn.execute(BASELINE_INSERT, row)

            return {"baseline": timed(body, self.postmaster)}


def run(conninfo: str, postmaster: int, n: int, rounds: int) -> list[dict[str, Times]]:
    """A warm-up round, then ``rounds`` rounds, each in another order; µs a command."""
    _, commands = record(n)
    bench = Rounds(conninfo, postmaster, commands, n)
    bench.whole()  # the baseline's rows, and a warm server
    pieces = [bench.whole_memory, bench.whole, bench.replay, bench.baseline]
    per = 1e6 / len(commands)
    out = []
    for r in range(rounds):
        times: dict[str, Times] = {}
        for piece in pieces[r % 4 :] + pieces[: r % 4]:
            for key, (cpu, server, wall) in piece().items():
                times[key] = (cpu * per, server * per, wall * per)
        out.append(times)
    return out


def median(rounds: list[dict[str, Times]], value: Callable[[dict[str, Times]], float]) -> str:
    """The median of ``value`` over the rounds, with its range."""
    values = [value(r) for r in rounds]
    return f"{statistics.median(values):7.0f} ({min(values):5.0f} to {max(values):5.0f})"


def part(key: str, index: int, times: dict[str, Times]) -> float:
    """One of the three times of piece ``key``."""
    return times[key][index]


def report(rounds: list[dict[str, Times]]) -> None:
    """Print where a command's time goes, ours and the baseline's."""
    print(f"\nµs a command, median of {len(rounds)} rounds (lowest to highest)")
    print(f"  {'':<46} {'client':>21} {'server':>21} {'on the clock':>21}")
    for label, key in (
        ("ours, whole command", "whole"),
        ("the recorded appends replayed (store alone)", "replay"),
        ("raw psycopg, one INSERT a command", "baseline"),
        ("ours in memory, whole command", "memory"),
    ):
        cells = [median(rounds, functools.partial(part, key, i)) for i in range(3)]
        print(f"  {label:<46} {' '.join(cells)}")
    rows: list[tuple[str, Callable[[dict[str, Times]], float]]] = [
        ("the desk's side (client)", lambda r: r["whole"][0] - r["whole, store"][0]),
        (
            "  of which beyond the in-memory desk's side",
            lambda r: (
                (r["whole"][0] - r["whole, store"][0]) - (r["memory"][0] - r["memory, store"][0])
            ),
        ),
        ("the store's append with psycopg (client)", lambda r: r["whole, store"][0]),
        ("the server", lambda r: r["whole"][1]),
        (
            "waiting (the clock less client and server)",
            lambda r: r["whole"][2] - sum(r["whole"][:2]),
        ),
        ("baseline: client", lambda r: r["baseline"][0]),
        ("baseline: server", lambda r: r["baseline"][1]),
        ("baseline: waiting", lambda r: r["baseline"][2] - sum(r["baseline"][:2])),
    ]
    print("\nours on the clock, split")
    for label, value in rows:
        print(f"  {label:<46} {median(rounds, value)}")
    base = statistics.median(r["baseline"][2] for r in rounds)
    ours = statistics.median(r["whole"][2] for r in rounds)
    budget = base / TARGET
    print(
        f"\nTarget ours / raw psycopg >= {TARGET}: now {base / ours:.2f}; it allows "
        f"{budget:.0f} µs a command on the clock"
    )
    over = [
        label.strip()
        for label, value in rows[:5]
        if statistics.median(value(r) for r in rounds) > budget
    ]
    print(f"  alone over {budget:.0f} µs: {'; '.join(over) if over else 'none'}")


def main(argv: list[str] | None = None) -> int:
    """Start a throwaway server, run the rounds, print where the time goes."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--lifecycles", type=int, default=100, help="lifecycles a round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    bindir = bindir_for_benchmark()
    if bindir is None:
        return 1
    with throwaway_cluster(bindir) as cluster:
        postmaster = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
        with psycopg.connect(cluster.conninfo) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        print(
            f"python {sys.version.split()[0]}, PostgreSQL {version}, psycopg {psycopg.__version__}"
        )
        report(run(cluster.conninfo, postmaster, args.lifecycles, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
