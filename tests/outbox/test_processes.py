"""
Real OS processes on one SQLite file: a dispatcher killed (SIGKILL) between claiming and
recording, a desk killed between commit and delivery, several dispatchers at once. The mail
server on loopback counts what arrives.
"""

from __future__ import annotations

import datetime as _dt
import queue
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from iso10002 import ComplaintQuery, FixedClock
from iso10002.notify import SmtpNotifier
from iso10002.outbox import OutboxDispatcher, OutboxState
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.outbox import entry
from tests.notify.support import LOOPBACK, Mailbox

from .support import START, all_records, free_port, smtp_on, sqlite_store

WORKER = Path(__file__).with_name("worker_process.py")
LEASE = _dt.timedelta(minutes=5)
WAIT = 60.0
"""Seconds to wait for a child's next line; a healthy run needs a fraction of it."""


class Child:
    """A worker process whose stdout lines can be awaited."""

    def __init__(self, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self) -> str:
        try:
            return self.lines.get(timeout=WAIT)
        except queue.Empty:
            errors = self.kill()
            raise AssertionError(
                f"the worker said nothing for {WAIT} s; stderr:\n{errors}"
            ) from None

    def kill(self) -> str:
        """SIGKILL: no cleanup, no rollback, no last words. Returns what it wrote to stderr."""
        self.process.kill()
        return self._close()

    def finish(self) -> None:
        """Wait for a clean exit."""
        try:
            self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:  # pragma: no cover - only if a worker hangs
            self.process.kill()
        errors = self._close()
        assert self.process.returncode == 0, errors

    def _close(self) -> str:
        self.process.wait(timeout=WAIT)
        self.reader.join(WAIT)
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        errors = self.process.stderr.read()
        self.process.stdout.close()
        self.process.stderr.close()
        return errors


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    with smtp_on(port, box):
        yield box, port


def dispatcher(
    path: Path, port: int, clock: FixedClock
) -> tuple[OutboxDispatcher, SQLiteEventStore]:
    """A dispatcher of its own on the file, and its store (to close)."""
    store = sqlite_store(path.parent, path.name)
    mail = SmtpNotifier(
        host=LOOPBACK,
        port=port,
        security="none",
        from_address="complaints@example.org",
        clock=clock,
    )
    worker = OutboxDispatcher(store, {"smtp": mail}, clock=clock, lease=LEASE, worker="survivor")
    return worker, store


@pytest.mark.parametrize(("mode", "seen"), [("hang-before-send", 1), ("hang-after-send", 2)])
def test_a_dispatcher_killed_after_claiming_is_replaced_once_its_lease_ends(
    tmp_path: Path, mailbox: tuple[Mailbox, int], mode: str, seen: int
) -> None:
    box, port = mailbox
    path = tmp_path / "complaints.db"
    with sqlite_store(tmp_path) as store:
        store.outbox_enqueue([entry("k1", "A"), entry("k2", "A"), entry("b1", "B")])
    child = Child("dispatch", str(path), START.isoformat(), str(port), mode, "doomed")
    assert child.next_line() == "READY"
    word = "CLAIMED" if mode == "hang-before-send" else "SENT"
    assert child.next_line() == f"{word} k1"
    child.kill()

    clock = FixedClock(START)
    survivor, store = dispatcher(path, port, clock)
    held = store.outbox_record("k1")
    assert held is not None
    assert (held.state, held.claimed_by, held.attempts) == (OutboxState.PENDING, "doomed", 1)
    # Within the lease, k1 and the rest of its lane wait; other lanes go on.
    survivor.drain()
    assert Counter(box.keys()) == Counter({"k1": seen - 1, "b1": 1})
    clock.advance(LEASE)
    survivor.drain()
    keys = box.keys()
    counts = Counter(keys)
    assert counts["k1"] == seen  # at most twice, never zero times
    assert counts["k2"] == counts["b1"] == 1
    assert keys.index("k1") < keys.index("k2")
    done = store.outbox_record("k1")
    assert done is not None
    assert (done.state, done.attempts) == (OutboxState.DELIVERED, 2)
    store.close()


def test_a_desk_killed_between_commit_and_delivery_loses_no_notification(
    tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    path = tmp_path / "complaints.db"
    sqlite_store(tmp_path).close()
    child = Child("desk", str(path), START.isoformat())
    committed = [child.next_line().removeprefix("COMMITTED ") for _ in range(5)]
    child.kill()

    clock = FixedClock(START)
    after, store = dispatcher(path, port, clock)
    records = all_records(store)
    # Every committed letter-causing event has its record, and every record its event.
    causes = set()
    summaries = store.query(ComplaintQuery(limit=1000)).items
    for summary in summaries:
        for event in store.read(summary.id):
            if event.payload.type in ("acknowledged", "decision_communicated"):
                causes.add((summary.id, event.seq))
    assert {(r.complaint_id, int(r.idempotency_key.rsplit(":", 1)[1])) for r in records} == causes
    assert len(records) >= 2 * len(committed)
    # After the restart, everything committed is delivered, once.
    after.drain()
    keys = box.keys()
    assert Counter(keys) == Counter(r.idempotency_key for r in records)
    references = {r.complaint_reference for r in records}
    assert set(committed) <= references
    assert after.counts()[OutboxState.DELIVERED] == len(records)
    store.close()


def test_dispatchers_in_several_processes_deliver_each_notification_once(
    tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    path = tmp_path / "complaints.db"
    with sqlite_store(tmp_path) as store:
        store.outbox_enqueue(
            [entry(f"L{lane}-{n}", f"L{lane}") for n in range(3) for lane in range(40)]
        )
        written = all_records(store)
    children = [
        Child("dispatch", str(path), START.isoformat(), str(port), "drain", f"proc-{n}")
        for n in range(3)
    ]
    for child in children:
        assert child.next_line() == "READY"
    for child in children:
        assert child.next_line() == "DONE"
        child.finish()
    keys = box.keys()
    assert Counter(keys) == Counter(r.idempotency_key for r in written)
    for lane in range(40):
        mine = [k for k in keys if k.startswith(f"L{lane}-")]
        assert mine == [f"L{lane}-{n}" for n in range(3)]
    with sqlite_store(tmp_path) as store:
        delivered = all_records(store)
        assert {r.state for r in delivered} == {OutboxState.DELIVERED}
        assert {r.attempts for r in delivered} == {1}


def test_dispatchers_in_several_threads_deliver_each_notification_once(
    tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    path = tmp_path / "complaints.db"
    with sqlite_store(tmp_path) as store:
        store.outbox_enqueue(
            [entry(f"L{lane}-{n}", f"L{lane}") for n in range(4) for lane in range(25)]
        )
    clock = FixedClock(START)
    pairs = [dispatcher(path, port, clock) for _ in range(4)]
    workers = [worker for worker, _ in pairs]

    def run(worker: OutboxDispatcher) -> None:
        while worker.counts()[OutboxState.PENDING]:
            worker.dispatch(limit=3)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    for _, store in pairs:
        store.close()
    keys = box.keys()
    assert len(keys) == len(set(keys)) == 100
    for lane in range(25):
        assert [k for k in keys if k.startswith(f"L{lane}-")] == [f"L{lane}-{n}" for n in range(4)]
