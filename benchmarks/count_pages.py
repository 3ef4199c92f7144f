"""
Pages a command writes to SQLite's write-ahead log: ours (``ComplaintDesk`` on a
``SQLiteEventStore``) and the two baselines of ``bench_lifecycle.py`` writing the same event
rows. At ``synchronous=FULL`` each commit waits for the disk to flush the pages it appended,
so the count says how much longer a commit of ours waits than one of the baseline's.

The count is the log's growth over the measured commands, with automatic checkpoints off and
the log emptied first; a frame is a page and its 24-byte header. It does not move with the
machine's load.

Run: ``python benchmarks/count_pages.py [--lifecycles N]``
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

from iso10002 import ComplaintDesk, FixedClock
from iso10002.storage.sqlite import SQLiteEventStore

sys.path.insert(0, str(Path(__file__).parent))
from bench_lifecycle import EVENTS_PER_LIFECYCLE, START, RawWriter, event_rows, lifecycle

FRAME_HEADER = 24
"""The bytes before each page in a write-ahead log frame."""


def _log_size(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def _emptied(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def ours(tmp: Path, lifecycles: int) -> tuple[float, list[tuple[object, ...]]]:
    """Pages a command of ours, and the event rows of the measured lifecycles."""
    db = tmp / "ours.db"
    store = SQLiteEventStore(db, synchronous="NORMAL")
    desk = ComplaintDesk(store, clock=FixedClock(START))
    for i in range(lifecycles):  # the tables and indexes past their first pages
        lifecycle(desk, i)
    with store._use("count pages") as conn:
        _emptied(conn)
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        before = _log_size(db)
    _, position = event_rows(store, 0)
    for i in range(lifecycles, 2 * lifecycles):
        lifecycle(desk, i)
    grown = _log_size(db) - before
    rows, _ = event_rows(store, position)
    store.close()
    return grown / (page_size + FRAME_HEADER) / (lifecycles * EVENTS_PER_LIFECYCLE), rows


def baseline(tmp: Path, rows: list[tuple[object, ...]], *, projection: bool) -> float:
    """Pages an event of a baseline, writing ``rows`` after a first pass of the same count."""
    db = tmp / f"baseline-{projection}.db"
    writer = RawWriter(db, "NORMAL", projection=projection)
    half = len(rows) // 2
    writer.write(rows[:half])
    _emptied(writer.conn)
    page_size = int(writer.conn.execute("PRAGMA page_size").fetchone()[0])
    before = _log_size(db)
    writer.write(rows[half:])
    grown = _log_size(db) - before
    writer.close()
    return grown / (page_size + FRAME_HEADER) / (len(rows) - half)


def main(argv: list[str] | None = None) -> int:
    """Count and print the pages a command of each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--lifecycles", type=int, default=300, help="lifecycles measured")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as tmp:
        mine, rows = ours(Path(tmp), args.lifecycles)
        raw = baseline(Path(tmp), rows, projection=False)
        projected = baseline(Path(tmp), rows, projection=True)
    print(f"pages written to the log a command, {args.lifecycles} lifecycles")
    for label, pages in (
        ("ComplaintDesk + SQLiteEventStore", mine),
        ("raw sqlite3, same event rows", raw),
        ("raw sqlite3 + versioned projection", projected),
    ):
        print(f"  {label:<36} {pages:5.2f}")
    print(f"  ratio ours / projection baseline: {mine / projected:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
