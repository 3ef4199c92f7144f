"""
The outbox on SQLite: how fast notifications are enqueued and drained, against raw sqlite3
doing the same row work in the same run.

Setup: N letter-sized notifications (a subject, a plain-text body of about 1 KB, a few data
fields), two per complaint (an acknowledgement, then a decision), so that half of them wait
behind the other half in their lane, as in real use.

- **enqueue**: ours, ``SQLiteEventStore.outbox_enqueue`` in batches of 500 (validation,
  serialisation through the library's converter, one transaction per batch); the baseline, a
  plain ``executemany`` of the very same rows (the JSON serialised beforehand) into an identical
  ``outbox`` table, in batches of 500.
- **drain**: ours, ``OutboxDispatcher.drain()`` with a ``RecordingNotifier`` (claims of 100 lane
  heads per transaction, one transaction per recorded delivery, each notification decoded and
  handed to the notifier); the baseline, the same statements on a copy of the same database with
  plain ``sqlite3``: the claim query and its updates per 100, then one ``UPDATE`` per delivery in
  its own transaction. It decodes nothing and sends nothing: the ceiling for any dispatcher on
  this table.

Run: ``python benchmarks/bench_outbox.py [--notifications N] [--synchronous NORMAL FULL]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from iso10002 import FixedClock
from iso10002.notify import Notification, NotificationKind, RecordingNotifier
from iso10002.outbox import OutboxDispatcher, OutboxEntry, OutboxState
from iso10002.storage._sql.columns import utc
from iso10002.storage.sqlite import SQLiteEventStore, Synchronous
from iso10002.storage.sqlite import outbox as outbox_sql

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
BATCH = 500
BODY = (
    "Dear Customer,\n\nThank you for telling us about your experience. "
    "We have recorded your complaint and will reply within eight weeks.\n" * 7
)


def entries(count: int) -> list[OutboxEntry]:
    """``count`` notifications, two per complaint: an acknowledgement, then a decision."""
    made = []
    for n in range(count):
        reference = f"CMP-2026-{n // 2:06d}"
        kind = NotificationKind.DECISION if n % 2 else NotificationKind.ACKNOWLEDGEMENT
        made.append(
            OutboxEntry(
                notification=Notification(
                    idempotency_key=f"{reference}:{kind.value}:{n % 2 + 2}",
                    complaint_reference=reference,
                    kind=kind,
                    recipient=f"customer{n // 2}@example.org",
                    subject=f"Your complaint {reference}",
                    text=BODY,
                    created_at=START,
                    data={"letter": kind.value, "channel": "email", "language": "en"},
                ),
                channel="smtp",
            )
        )
    return made


def enqueue_ours(path: Path, made: list[OutboxEntry], synchronous: Synchronous) -> float:
    with SQLiteEventStore(path, synchronous=synchronous) as store:
        began = time.perf_counter()
        for start in range(0, len(made), BATCH):
            store.outbox_enqueue(made[start : start + BATCH])
        return time.perf_counter() - began


def enqueue_baseline(path: Path, made: list[OutboxEntry], synchronous: Synchronous) -> float:
    # The same table, made by the store, emptied; the rows serialised before the clock starts.
    SQLiteEventStore(path, synchronous=synchronous).close()
    rows = [outbox_sql.entry_row(e, None) for e in made]
    insert = (
        "INSERT INTO outbox (idempotency_key, complaint_id, complaint_reference, lane, channel, "
        "kind, schema_version, notification, created_at, deliver_after, next_attempt_at, state, "
        "digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)"
    )
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    began = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(insert, rows[start : start + BATCH])
        conn.execute("COMMIT")
    took = time.perf_counter() - began
    conn.close()
    return took


def drain_ours(path: Path, synchronous: Synchronous, count: int) -> float:
    clock = FixedClock(START)
    with SQLiteEventStore(path, synchronous=synchronous) as store:
        mail = RecordingNotifier(clock=clock)
        dispatcher = OutboxDispatcher(store, {"smtp": mail}, clock=clock, batch=100)
        began = time.perf_counter()
        report = dispatcher.drain()
        took = time.perf_counter() - began
        assert report.delivered == len(mail.sent) == count, report
        assert store.outbox_counts()[OutboxState.DELIVERED] == count
    return took


def drain_baseline(path: Path, count: int) -> float:
    # What the store does per claim and per delivery, minus the library: the bookkeeping runs
    # with synchronous = NORMAL in both, whatever the store's setting.
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = NORMAL")
    now = utc(START, "now")
    lease = utc(START + dt.timedelta(minutes=5), "lease")
    claim = outbox_sql._claim_sql(1, None)
    delivered = 0
    began = time.perf_counter()
    while True:
        conn.execute("BEGIN IMMEDIATE")
        rows = conn.execute(claim, (now, "smtp", 100)).fetchall()
        conn.executemany(
            "UPDATE outbox SET attempts = attempts + 1, claimed_by = ?, lease_until = ?, "
            "next_attempt_at = ? WHERE id = ?",
            [("baseline", lease, lease, row[0]) for row in rows],
        )
        conn.execute("COMMIT")
        if not rows:
            break
        for row in rows:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "UPDATE outbox SET state = 'delivered', delivered_at = ?, next_attempt_at = NULL, "
                "claimed_by = NULL, lease_until = NULL WHERE id = ? AND state = 'pending'",
                (now, row[0]),
            )
            conn.execute("COMMIT")
            delivered += 1
    took = time.perf_counter() - began
    conn.close()
    assert delivered == count, delivered
    return took


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the rates."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--notifications", type=int, default=20_000)
    parser.add_argument(
        "--synchronous", nargs="+", default=["NORMAL", "FULL"], choices=["NORMAL", "FULL"]
    )
    args = parser.parse_args(argv)
    count: int = args.notifications
    made = entries(count)
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")
    print(f"{count} notifications, two per complaint")
    for synchronous in args.synchronous:
        print(f"SQLite, WAL, synchronous={synchronous}")
        with tempfile.TemporaryDirectory() as tmp:
            ours_db, base_db = Path(tmp) / "ours.db", Path(tmp) / "baseline.db"
            ours = enqueue_ours(ours_db, made, synchronous)
            base = enqueue_baseline(base_db, made, synchronous)
            print(f"  enqueue  ours {count / ours:10,.0f}/s   raw sqlite3 {count / base:10,.0f}/s")
            print(f"           ratio ours / baseline (time): {ours / base:.2f}")
            # Drain the same rows: the baseline works on a copy of our database.
            shutil.copyfile(ours_db, base_db)
            for suffix in ("-wal", "-shm"):
                Path(f"{base_db}{suffix}").unlink(missing_ok=True)
            base = drain_baseline(base_db, count)
            ours = drain_ours(ours_db, synchronous, count)
            print(f"  drain    ours {count / ours:10,.0f}/s   raw sqlite3 {count / base:10,.0f}/s")
            print(f"           ratio ours / baseline (time): {ours / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
