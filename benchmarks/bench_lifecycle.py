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

Run: ``python benchmarks/bench_lifecycle.py [--complaints N] [--rounds N] [--synchronous ...]``

The runs take turns in rounds (ours in memory, ours on SQLite, then both baselines on the rows
that round stored), so that a change in the machine's load falls on all of them alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
import tempfile
import time
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


class RawWriter:
    """
    A baseline: plain sqlite3 writing event rows, one transaction per row, into the bare
    ``events`` table; with ``projection``, each with a version-checked update of the
    complaint's projection row (the row inserted by the first event).
    """

    INSERT_EVENT = (
        "INSERT INTO events (stream_id, seq, type, schema_version, occurred_at, actor, state, "
        "payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    INSERT_ROW = "INSERT INTO complaints (id, version, state, updated_at) VALUES (?, 1, ?, ?)"
    UPDATE_ROW = (
        "UPDATE complaints SET version = ?, state = ?, updated_at = ? WHERE id = ? AND version = ?"
    )

    def __init__(self, path: Path, synchronous: str, *, projection: bool) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={synchronous}")
        self.conn.execute(BASELINE_SCHEMA)
        if projection:
            self.conn.executescript(PROJECTION_SCHEMA)
        self.projection = projection

    def write(self, rows: list[tuple[object, ...]]) -> float:
        """Seconds to write ``rows``."""
        conn = self.conn
        t0 = time.perf_counter()
        for row in rows:
            conn.execute("BEGIN IMMEDIATE")
            if self.projection:
                stream_id, seq, _, _, occurred_at, _, state, _ = row
                if seq == 1:
                    conn.execute(self.INSERT_ROW, (stream_id, state, occurred_at))
                else:
                    params = (seq, state, occurred_at, stream_id, cast(int, seq) - 1)
                    if conn.execute(self.UPDATE_ROW, params).rowcount != 1:
                        raise RuntimeError("version conflict")
            conn.execute(self.INSERT_EVENT, row)
            conn.execute("COMMIT")
        return time.perf_counter() - t0

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


PROJECTION_SCHEMA = """
CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX complaints_state ON complaints (state, updated_at)
"""


def event_rows(store: SQLiteEventStore, after: int) -> tuple[list[tuple[object, ...]], int]:
    """The events stored after position ``after`` as the rows the baselines write, and the
    last position."""
    rows: list[tuple[object, ...]] = []
    last = after
    for last, e in store.iter_events(after_position=after):  # noqa: B007 - the last one is kept
        rows.append(
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
        )
    return rows, last


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
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--synchronous", nargs="+", default=["FULL", "NORMAL"], choices=["FULL", "NORMAL", "OFF"]
    )
    args = parser.parse_args(argv)

    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")
    lifecycle(ComplaintDesk(clock=FixedClock(START)), -1)  # warm imports and caches
    per_round = max(1, args.complaints // args.rounds)
    n = per_round * args.rounds
    for synchronous in args.synchronous:
        print(f"SQLite, WAL, synchronous={synchronous}; in memory alongside")
        with tempfile.TemporaryDirectory() as tmp:
            store = SQLiteEventStore(
                Path(tmp) / "ours.db", synchronous=cast(Synchronous, synchronous)
            )
            ours = ComplaintDesk(store, clock=FixedClock(START))
            memory = ComplaintDesk(InMemoryEventStore(), clock=FixedClock(START))
            raw = RawWriter(Path(tmp) / "raw.db", synchronous, projection=False)
            projected = RawWriter(Path(tmp) / "projection.db", synchronous, projection=True)
            seconds = {"memory": 0.0, "ours": 0.0, "raw": 0.0, "projection": 0.0}
            position = 0
            # Rounds taking turns, so that a change in the machine's load falls on all alike.
            for r in range(args.rounds):
                chunk = range(r * per_round, (r + 1) * per_round)
                for name, desk in (("memory", memory), ("ours", ours)):
                    t0 = time.perf_counter()
                    for i in chunk:
                        lifecycle(desk, i)
                    seconds[name] += time.perf_counter() - t0
                rows, position = event_rows(store, position)
                seconds["raw"] += raw.write(rows)
                seconds["projection"] += projected.write(rows)
            for writer in (raw, projected):
                writer.close()
            store.close()
        mem = report("ComplaintDesk + InMemoryEventStore", n, seconds["memory"])
        our = report("ComplaintDesk + SQLiteEventStore", n, seconds["ours"])
        base = report("raw sqlite3, same event rows", n, seconds["raw"])
        proj = report("raw sqlite3 + versioned projection", n, seconds["projection"])
        print(f"  ratio ours / baseline: {our / base:.2f}")
        print(f"  ratio ours / projection baseline: {our / proj:.2f}")
        print(f"  ratio in memory / projection baseline: {mem / proj:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
