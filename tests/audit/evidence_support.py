"""A demo database on disk, for the evidence pack and record integrity tests."""

from __future__ import annotations

import datetime as _dt
import sqlite3
from pathlib import Path

from iso10002 import Complaint
from iso10002.audit.findings import AuditReport
from iso10002.audit.run import run_audit
from iso10002.ports.store import EventStore
from iso10002.simulation import DemoSettings, run_demo
from iso10002.storage.sqlite import SQLiteEventStore

UTC = _dt.timezone.utc
AS_OF = _dt.datetime(2026, 4, 20, tzinfo=UTC)
PERIOD = (_dt.date(2026, 3, 1), _dt.date(2026, 4, 1))


def demo_database(path: Path, complaints: int = 30) -> Path:
    """A SQLite database filled by the demo simulation."""
    with SQLiteEventStore(path, synchronous="NORMAL") as store:
        run_demo(store, DemoSettings(complaints=complaints))
    return path


def audit(store: EventStore, *, now: _dt.datetime = AS_OF, sample: int = 4) -> AuditReport:
    """The audit of the demo's month as of ``now``."""
    return run_audit(
        store,
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        now=now,
        sample_size=sample,
        auditor="A. Auditor",
        signed_off_by="Head of Quality",
        signed_off_at=now,
    )


def complaint(store: SQLiteEventStore, reference: str) -> Complaint:
    """The complaint ``reference`` as it stands."""
    cid = store.id_for_reference(reference)
    assert cid is not None
    return Complaint.replay(store.read(cid))


def tamper(path: Path, sql: str, *args: object) -> int:
    """Run ``sql`` on the database file behind the store's back; the rows it changed."""
    db = sqlite3.connect(path)
    try:
        with db:
            return db.execute(sql, args).rowcount
    finally:
        db.close()
