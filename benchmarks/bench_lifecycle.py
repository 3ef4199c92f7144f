"""
Full complaint lifecycles through ComplaintDesk, in memory and on SQLite, against a raw sqlite3
baseline in the same run.

A lifecycle is seven commands, one event each: receive, acknowledge, assess, decide,
communicate_decision, record_reaction (accepts), close.

The baseline writes the very same event rows (the JSON our run stored, read back from it) into a
bare ``events`` table with plain ``sqlite3``: one transaction per event, as the desk commits one
per command, with the same journal mode and ``synchronous`` setting. It does no validation, no
workflow, no fold and no projection, so it is the ceiling for any layer on top of sqlite3.

A second baseline does what any event store with a query model must do on top of that: in the
same transaction as each event, a version-checked update of the complaint's projection row
(``UPDATE ... WHERE id = ? AND version = ?``, the row inserted by the first event), whose state
and version columns are indexed as ours are. It is the figure the write path is measured
against: ours does the same writes plus validation, the workflow, the fold, sealing and hashing.

Run: ``python benchmarks/bench_lifecycle.py [--complaints N] [--synchronous FULL NORMAL]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import cast

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    ClosureReason,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    Decision,
    FixedClock,
    InMemoryEventStore,
    Money,
    Outcome,
    Reaction,
    Remedy,
    RemedyKind,
    Role,
    Severity,
)
from iso10002.serialization import dumps
from iso10002.storage.sqlite import SQLiteEventStore, Synchronous

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
HANDLER = Actor(id="hana", role=Role.FRONT_LINE, name="Hana Front")
MANAGER = Actor(id="mo", role=Role.COMPLAINTS_MANAGER, name="Mo Manager")
ANN = Complainant(name="Ann Example", contact=ContactDetails(email="ann@example.org"))
ASSESSMENT = Assessment(severity=Severity.MEDIUM)
DECISION = Decision(
    outcome=Outcome.UPHELD,
    reasons="We charged twice for one order.",
    remedies=(
        Remedy(kind=RemedyKind.REFUND, amount=Money(amount=Decimal("42.10"), currency="GBP")),
    ),
)
EVENTS_PER_LIFECYCLE = 7


def lifecycle(desk: ComplaintDesk, i: int) -> None:
    """One complaint from receipt to closure."""
    c = desk.receive(
        HANDLER,
        complainant=ANN,
        channel=Channel.EMAIL,
        description=f"Charged twice for order {i}",
        remedy_requested="Refund the second charge",
    )
    ref = c.id
    desk.acknowledge(ref, HANDLER, channel=Channel.EMAIL)
    desk.assess(ref, HANDLER, ASSESSMENT)
    desk.decide(ref, MANAGER, DECISION)
    desk.communicate_decision(ref, MANAGER, channel=Channel.EMAIL, summary="We will refund.")
    desk.record_reaction(ref, HANDLER, Reaction.ACCEPTS)
    desk.close(ref, MANAGER, reason=ClosureReason.RESOLVED)


def timed(n: int, make_desk: Callable[[], ComplaintDesk]) -> tuple[float, ComplaintDesk]:
    """Seconds for ``n`` lifecycles on a fresh desk."""
    desk = make_desk()
    t0 = time.perf_counter()
    for i in range(n):
        lifecycle(desk, i)
    return time.perf_counter() - t0, desk


BASELINE_SCHEMA = """
CREATE TABLE events (
    stream_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    position INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    state TEXT NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (stream_id, seq)
)
"""


def baseline(rows: list[tuple[object, ...]], path: Path, synchronous: str) -> float:
    """Seconds to write ``rows`` with raw sqlite3, one transaction per row."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute(BASELINE_SCHEMA)
    sql = (
        "INSERT INTO events (stream_id, seq, type, schema_version, occurred_at, actor, state, "
        "payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    t0 = time.perf_counter()
    for row in rows:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(sql, row)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


PROJECTION_SCHEMA = """
CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX complaints_state ON complaints (state, updated_at)
"""


def baseline_projection(rows: list[tuple[object, ...]], path: Path, synchronous: str) -> float:
    """
    Seconds to write ``rows`` with raw sqlite3, one transaction per row, each with a
    version-checked update of the complaint's projection row.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute(BASELINE_SCHEMA)
    conn.executescript(PROJECTION_SCHEMA)
    insert_event = (
        "INSERT INTO events (stream_id, seq, type, schema_version, occurred_at, actor, state, "
        "payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    insert_row = "INSERT INTO complaints (id, version, state, updated_at) VALUES (?, 1, ?, ?)"
    update_row = (
        "UPDATE complaints SET version = ?, state = ?, updated_at = ? WHERE id = ? AND version = ?"
    )
    t0 = time.perf_counter()
    for row in rows:
        stream_id, seq, _, _, occurred_at, _, state, _ = row
        conn.execute("BEGIN IMMEDIATE")
        if seq == 1:
            conn.execute(insert_row, (stream_id, state, occurred_at))
        elif (
            conn.execute(
                update_row, (seq, state, occurred_at, stream_id, cast(int, seq) - 1)
            ).rowcount
            != 1
        ):
            raise RuntimeError("version conflict")
        conn.execute(insert_event, row)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def event_rows(store: SQLiteEventStore) -> list[tuple[object, ...]]:
    """The stored events as the rows the baseline writes."""
    return [
        (
            str(e.complaint_id),
            e.seq,
            e.type,
            e.schema_version,
            e.occurred_at.isoformat(),
            dumps(e.actor),
            e.state,
            dumps(e.payload),
        )
        for _, e in store.iter_events()
    ]


def report(label: str, n: int, seconds: float) -> float:
    """Print one result line and return lifecycles per second."""
    rate = n / seconds
    print(
        f"  {label:<34} {n:>7} lifecycles {seconds:8.3f} s "
        f"{rate:10,.0f} lifecycles/s {rate * EVENTS_PER_LIFECYCLE:10,.0f} events/s"
    )
    return rate


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--complaints", type=int, default=5000, help="lifecycles per SQLite run")
    parser.add_argument("--memory-complaints", type=int, default=20000)
    parser.add_argument(
        "--synchronous", nargs="+", default=["FULL", "NORMAL"], choices=["FULL", "NORMAL", "OFF"]
    )
    args = parser.parse_args(argv)

    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")
    print("in memory")
    lifecycle(ComplaintDesk(clock=FixedClock(START)), -1)  # warm imports and caches
    seconds, _ = timed(
        args.memory_complaints,
        lambda: ComplaintDesk(InMemoryEventStore(), clock=FixedClock(START)),
    )
    memory_rate: float | None = report(
        "ComplaintDesk + InMemoryEventStore", args.memory_complaints, seconds
    )

    for synchronous in args.synchronous:
        print(f"SQLite, WAL, synchronous={synchronous}")
        with tempfile.TemporaryDirectory() as tmp:
            ours_path = Path(tmp) / "ours.db"
            store = SQLiteEventStore(ours_path, synchronous=cast(Synchronous, synchronous))

            def sqlite_desk(store: SQLiteEventStore = store) -> ComplaintDesk:
                return ComplaintDesk(store, clock=FixedClock(START))

            seconds, _ = timed(args.complaints, sqlite_desk)
            rows = event_rows(store)
            store.close()
            ours = report("ComplaintDesk + SQLiteEventStore", args.complaints, seconds)
            base_seconds = baseline(rows, Path(tmp) / "baseline.db", synchronous)
            base = report("raw sqlite3, same event rows", args.complaints, base_seconds)
            print(f"  ratio ours / baseline: {ours / base:.2f}")
            proj_seconds = baseline_projection(rows, Path(tmp) / "projection.db", synchronous)
            proj = report("raw sqlite3 + versioned projection", args.complaints, proj_seconds)
            print(f"  ratio ours / projection baseline: {ours / proj:.2f}")
            if memory_rate is not None:
                print(f"  ratio in memory / projection baseline: {memory_rate / proj:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
