"""
The PostgreSQL store against raw psycopg in the same run, on a throwaway server that the
benchmark starts (as the tests do: ``tests/storage/pg_cluster.py``; as root, the server runs as
the unprivileged OS user ``iso10002-pg``). The server trades durability for speed (``fsync=off``,
``synchronous_commit=off``), so the figures measure the store's work and round trips, not disks.

- **lifecycles**: each worker process has its own ``PostgresEventStore`` and ``ComplaintDesk``
  and takes complaints through receive, acknowledge, assess, decide, communicate the decision,
  accept and close (seven commands, one event and one transaction each), with 1 and with 2
  processes sharing the work. The baseline inserts the very same event rows (read back from
  our run) into a bare ``events`` table of the same column types with plain psycopg, one
  transaction per event, split over the same number of processes: no validation, no workflow,
  no fold, no projection, no lock; the ceiling for any layer on top of psycopg. A second
  baseline does what any event store with a query model must do besides, as that of
  ``bench_lifecycle.py`` does on SQLite: with each event, in the same statement (one round
  trip, autocommitted), a version-checked ``UPDATE ... WHERE id = %s AND version = %s`` of the
  complaint's projection row (indexed on its state; the first event inserts it), each
  process writing whole complaints, in order.
- **outbox drain**: N letter-sized notifications, two per complaint, enqueued; then drained by
  1 and by 2 processes, each an ``OutboxDispatcher`` with a ``RecordingNotifier`` (claims of
  100 lane heads with ``FOR UPDATE SKIP LOCKED``, one transaction per recorded delivery, each
  notification decoded and handed to the notifier). The baseline drains a copy of the same
  rows with plain psycopg: the same claim statement, then one ``UPDATE`` per delivery in its
  own transaction; it decodes nothing and sends nothing.

Run: ``python benchmarks/bench_postgres.py [--lifecycles N] [--notifications N]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import queue
import sys
import time
from collections.abc import Callable
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

# The throwaway server of the tests, and the lifecycle and notifications of the other
# benchmarks; the benchmark runs from a checkout.
_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(_ROOT), str(_ROOT / "benchmarks")]

import psycopg  # noqa: E402
from bench_lifecycle import EVENTS_PER_LIFECYCLE, START, lifecycle  # noqa: E402
from bench_outbox import entries  # noqa: E402
from tests.storage.pg_cluster import bindir_for_benchmark, throwaway_cluster  # noqa: E402

from iso10002 import ComplaintDesk, FixedClock  # noqa: E402
from iso10002.notify import RecordingNotifier  # noqa: E402
from iso10002.outbox import OutboxDispatcher, OutboxState  # noqa: E402
from iso10002.storage.postgres import PostgresEventStore  # noqa: E402
from iso10002.storage.postgres import outbox as outbox_pg  # noqa: E402

BATCH = 500
_NOW = START.isoformat()
_LEASE = (START + dt.timedelta(minutes=5)).isoformat()

# Worker reports: (seconds from the barrier to the end, units of work done).
Report = tuple[float, int]


def _time_from(barrier: Barrier, work: Callable[[], int], results: Queue[Report]) -> None:
    barrier.wait(timeout=120)
    began = time.perf_counter()
    done = work()
    results.put((time.perf_counter() - began, done))


def desk_worker(
    *, conninfo: str, schema: str, count: int, barrier: Barrier, results: Queue[Report]
) -> None:
    """``count`` lifecycles through a desk of this process's own."""
    with PostgresEventStore(conninfo, schema=schema, max_size=1) as store:
        desk = ComplaintDesk(store, clock=FixedClock(START))
        lifecycle(desk, -1)  # warm the imports, caches and the connection

        def work() -> int:
            for i in range(count):
                lifecycle(desk, i)
            return count

        _time_from(barrier, work, results)


def insert_worker(
    *,
    conninfo: str,
    rows: list[tuple[Any, ...]],
    barrier: Barrier,
    results: Queue[Report],
) -> None:
    """The baseline of the lifecycles: one autocommitted INSERT (a transaction) per event."""
    with psycopg.connect(conninfo, autocommit=True) as conn:

        def work() -> int:
            for row in rows:
                conn.execute(BASELINE_INSERT, row)
            return len(rows)

        _time_from(barrier, work, results)


def projection_worker(
    *,
    conninfo: str,
    rows: list[tuple[Any, ...]],
    barrier: Barrier,
    results: Queue[Report],
) -> None:
    """
    The projection baseline: one autocommitted statement per event, which inserts the event
    with the insert of its complaint's projection row (the first event) or with the
    version-checked update of it; an update that matches no row inserts nothing.
    """
    with psycopg.connect(conninfo, autocommit=True) as conn:

        def work() -> int:
            for row in rows:
                stream_id, seq, _, _, occurred_at, _, state, _ = row
                if seq == 1:
                    conn.execute(PROJECTION_INSERT, (stream_id, state, occurred_at, *row))
                elif (
                    conn.execute(
                        PROJECTION_UPDATE, (seq, state, occurred_at, stream_id, seq - 1, *row)
                    ).rowcount
                    != 1
                ):
                    raise RuntimeError(f"version conflict at {stream_id} {seq}")
            return len(rows)

        _time_from(barrier, work, results)


def dispatch_worker(
    *, conninfo: str, schema: str, barrier: Barrier, results: Queue[Report]
) -> None:
    """An OutboxDispatcher with a RecordingNotifier, until nothing is pending."""
    with PostgresEventStore(conninfo, schema=schema, max_size=1) as store:
        clock = FixedClock(START)
        mail = RecordingNotifier(clock=clock)
        dispatcher = OutboxDispatcher(store, {"smtp": mail}, clock=clock, batch=100)

        def work() -> int:
            while True:
                report = dispatcher.drain()
                if not store.outbox_counts()[OutboxState.PENDING]:
                    return len(mail.sent)
                if not report.busy:
                    # The lane heads left are held by the other dispatcher.
                    time.sleep(0.001)

        _time_from(barrier, work, results)


def drain_worker(*, conninfo: str, schema: str, barrier: Barrier, results: Queue[Report]) -> None:
    """The baseline of the drain: the same claim statement, one UPDATE per delivery."""
    claim = outbox_pg.outbox_sql(schema).claim_sql(None)
    delivered_sql = (
        f"UPDATE \"{schema}\".outbox SET state = 'delivered', delivered_at = %s::timestamptz, "
        "next_attempt_at = NULL, claimed_by = NULL, lease_until = NULL "
        "WHERE id = %s AND state = 'pending'"
    )
    pending_sql = f"SELECT count(*) FROM \"{schema}\".outbox WHERE state = 'pending'"
    with psycopg.connect(conninfo, autocommit=True) as conn:

        def work() -> int:
            delivered = 0
            while True:
                rows = conn.execute(claim, (_NOW, ["smtp"], 100, "raw", _LEASE, _LEASE)).fetchall()
                for row in rows:
                    delivered += conn.execute(delivered_sql, (_NOW, row[1])).rowcount
                if not rows:
                    if not conn.execute(pending_sql).fetchone()[0]:  # type: ignore[index]
                        return delivered
                    time.sleep(0.001)

        _time_from(barrier, work, results)


def run(target: Callable[..., None], jobs: list[dict[str, Any]]) -> tuple[float, int]:
    """Run one process per job, started together; the slowest one's seconds and the work."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(jobs))
    results: Queue[Report] = context.Queue()
    processes = [
        context.Process(target=target, kwargs={**job, "barrier": barrier, "results": results})
        for job in jobs
    ]
    for process in processes:
        process.start()
    reports: list[Report] = []
    deadline = time.monotonic() + 600
    while len(reports) < len(processes):
        try:
            reports.append(results.get(timeout=1))
        except queue.Empty:
            # A worker that failed reports nothing: stop waiting for it.
            if any(p.exitcode not in (None, 0) for p in processes) or time.monotonic() > deadline:
                for process in processes:
                    process.terminate()
                break
    for process in processes:
        process.join(timeout=60)
    if any(p.exitcode != 0 for p in processes):
        raise RuntimeError(f"a worker failed: exit codes {[p.exitcode for p in processes]}")
    return max(seconds for seconds, _ in reports), sum(done for _, done in reports)


def split(total: int, parts: int) -> list[int]:
    """``total`` as ``parts`` nearly equal shares."""
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def event_rows(conninfo: str, schema: str) -> list[tuple[Any, ...]]:
    """Our stored events as the baseline's rows, in position order (the JSON as stored)."""
    with psycopg.connect(conninfo) as conn:
        return conn.execute(
            "SELECT stream_id, seq, type, schema_version, occurred_at, actor::text, state, "
            f'payload::text FROM "{schema}".events ORDER BY position'
        ).fetchall()


_INTO_EVENTS = (
    "INSERT INTO baseline.events (stream_id, seq, type, schema_version, occurred_at, "
    "actor, state, payload)"
)
_EVENT_VALUES = "%s, %s, %s, %s, %s, %s::jsonb, %s, %s::jsonb"

BASELINE_INSERT = f"{_INTO_EVENTS} VALUES ({_EVENT_VALUES})"
"""The baseline's statement: one event row, autocommitted."""


PROJECTION_INSERT = (
    "WITH projected AS (INSERT INTO baseline.complaints (id, version, state, updated_at) "
    f"VALUES (%s, 1, %s, %s)) {BASELINE_INSERT}"
)
"""The projection baseline's first event: the projection row inserted with it."""

PROJECTION_UPDATE = (
    "WITH projected AS (UPDATE baseline.complaints SET version = %s, state = %s, "
    f"updated_at = %s WHERE id = %s AND version = %s RETURNING 1) "
    f"{_INTO_EVENTS} SELECT {_EVENT_VALUES} FROM projected"
)
"""The projection baseline's later events: inserted only if the version check matched."""


def baseline_table(conninfo: str) -> None:
    """
    A new, empty ``baseline.events``, the events table without anything of ours, and
    ``baseline.complaints``, the projection baseline's rows.
    """
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS baseline CASCADE")
        conn.execute("CREATE SCHEMA baseline")
        conn.execute(
            "CREATE TABLE baseline.events (position bigint GENERATED ALWAYS AS IDENTITY "
            "PRIMARY KEY, stream_id uuid NOT NULL, seq integer NOT NULL, type text NOT NULL, "
            "schema_version integer NOT NULL, occurred_at timestamptz NOT NULL, actor jsonb "
            "NOT NULL, state text NOT NULL, payload jsonb NOT NULL, UNIQUE (stream_id, seq))"
        )
        conn.execute(
            "CREATE TABLE baseline.complaints (id uuid PRIMARY KEY, version integer NOT NULL, "
            "state text NOT NULL, updated_at timestamptz NOT NULL)"
        )
        conn.execute("CREATE INDEX complaints_state ON baseline.complaints (state, updated_at)")


def by_complaint(rows: list[tuple[Any, ...]], parts: int) -> list[list[tuple[Any, ...]]]:
    """``rows`` as ``parts`` shares of whole complaints, each complaint's events in order."""
    streams: dict[Any, int] = {}
    shares: list[list[tuple[Any, ...]]] = [[] for _ in range(parts)]
    for row in rows:
        share = streams.setdefault(row[0], len(streams) % parts)
        shares[share].append(row)
    return shares


def lifecycles(conninfo: str, total: int, processes: int) -> None:
    """Print ours and the baseline for ``total`` lifecycles over ``processes`` processes."""
    schema = f"bench_desk_{processes}"
    PostgresEventStore(conninfo, schema=schema).close()
    seconds, done = run(
        desk_worker,
        [{"conninfo": conninfo, "schema": schema, "count": n} for n in split(total, processes)],
    )
    ours = done / seconds
    rows = event_rows(conninfo, schema)
    assert len(rows) == (done + processes) * EVENTS_PER_LIFECYCLE, len(rows)
    baseline_table(conninfo)
    shares = [rows[n::processes] for n in range(processes)]
    base_seconds, written = run(
        insert_worker, [{"conninfo": conninfo, "rows": share} for share in shares]
    )
    assert written == len(rows)
    base = written / EVENTS_PER_LIFECYCLE / base_seconds
    baseline_table(conninfo)
    projected_seconds, written = run(
        projection_worker,
        [{"conninfo": conninfo, "rows": share} for share in by_complaint(rows, processes)],
    )
    assert written == len(rows)
    projected = written / EVENTS_PER_LIFECYCLE / projected_seconds
    print(f"  {processes} process{'es' if processes > 1 else ''}")
    for label, rate in (
        ("ComplaintDesk + PostgresEventStore", ours),
        ("raw psycopg", base),
        ("raw psycopg + versioned projection", projected),
    ):
        print(
            f"    {label:<36} {rate:8,.0f} lifecycles/s "
            f"{rate * EVENTS_PER_LIFECYCLE:9,.0f} events/s"
        )
    print(f"    ratio ours / baseline: {ours / base:.2f}")
    print(f"    ratio ours / projection baseline: {ours / projected:.2f}")


def enqueue(conninfo: str, schema: str, count: int) -> None:
    """``count`` notifications in ``schema``'s outbox, with the store."""
    made = entries(count)
    with PostgresEventStore(conninfo, schema=schema) as store:
        for start in range(0, count, BATCH):
            store.outbox_enqueue(made[start : start + BATCH])


def drains(conninfo: str, count: int, processes: int) -> None:
    """Print ours and the baseline draining ``count`` notifications with ``processes``."""
    ours_schema, base_schema = f"bench_ours_{processes}", f"bench_raw_{processes}"
    enqueue(conninfo, ours_schema, count)
    enqueue(conninfo, base_schema, count)
    jobs = [{"conninfo": conninfo, "schema": ours_schema} for _ in range(processes)]
    seconds, sent = run(dispatch_worker, jobs)
    assert sent == count, sent
    jobs = [{"conninfo": conninfo, "schema": base_schema} for _ in range(processes)]
    base_seconds, done = run(drain_worker, jobs)
    assert done == count, done
    ours, base = count / seconds, count / base_seconds
    print(
        f"  {processes} process{'es' if processes > 1 else ''}: ours {ours:8,.0f}/s   "
        f"raw psycopg {base:8,.0f}/s   ratio ours / baseline: {ours / base:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    """Start a throwaway server, run the benchmark, print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--lifecycles", type=int, default=600, help="lifecycles per run")
    parser.add_argument("--notifications", type=int, default=6000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    bindir = bindir_for_benchmark()
    if bindir is None:
        return 1
    with throwaway_cluster(bindir) as cluster:
        with psycopg.connect(cluster.conninfo) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        print(
            f"python {sys.version.split()[0]}, psycopg {psycopg.__version__}, "
            f"PostgreSQL {version} (fsync off), loopback TCP"
        )
        print(f"lifecycles: {args.lifecycles} per run, seven events each")
        for processes in args.processes:
            lifecycles(cluster.conninfo, args.lifecycles, processes)
        print(f"outbox drain: {args.notifications} notifications, two per complaint")
        for processes in args.processes:
            drains(cluster.conninfo, args.notifications, processes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
