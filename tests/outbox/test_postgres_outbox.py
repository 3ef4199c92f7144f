"""
The outbox on PostgreSQL: the contract, then what only a server shows: dispatchers in several
processes claiming with ``FOR UPDATE SKIP LOCKED``, each record delivered exactly once and
every lane in order.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import multiprocessing
import os
import time
import uuid
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from iso10002.clock import FixedClock
from iso10002.notify import Delivery, Notification, RecordingNotifier
from iso10002.outbox import OutboxDispatcher, OutboxQuery, OutboxState
from iso10002.storage.base import Append, append_all
from iso10002.storage.postgres import PostgresEventStore
from iso10002.testing import OutboxStoreContract, note_event, received_event, summary_after
from iso10002.testing.outbox import entry
from tests.processes import run_processes

if TYPE_CHECKING:
    # Only for annotations: the spawned dispatchers import this module without the tests
    # package on their path.
    from tests.storage.pg_cluster import Cluster

_SCHEMAS = itertools.count(1)
T0 = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_dt.timezone.utc)


def fresh_schema() -> str:
    """A schema name no other test of this run uses."""
    return f"ob{os.getpid()}_{next(_SCHEMAS)}"


class TestPostgresOutbox(OutboxStoreContract):
    @pytest.fixture(autouse=True)
    def _cluster(self, postgres_cluster: Cluster) -> None:
        self.cluster = postgres_cluster

    def make_store(self, tmp_path: Path) -> PostgresEventStore:
        return PostgresEventStore(self.cluster.conninfo, schema=fresh_schema())


# -- several dispatcher processes ------------------------------------------------------------------


class _Timed:
    """A notifier that stamps each send with the machine's monotonic clock, across processes."""

    def __init__(self) -> None:
        self.inner = RecordingNotifier(clock=FixedClock(T0))
        self.stamps: list[tuple[str, int]] = []

    def send(self, notification: Notification) -> Delivery:
        self.stamps.append((notification.idempotency_key, time.monotonic_ns()))
        return self.inner.send(notification)


def _dispatch_worker(
    *,
    conninfo: str,
    schema: str,
    name: str,
    barrier: Barrier,
    results: Queue[tuple[str, list[tuple[str, int]], int]],
) -> None:
    """One dispatcher process: sends until nothing is pending, then reports its sends."""
    store = PostgresEventStore(conninfo, schema=schema, max_size=1)
    try:
        notifier = _Timed()
        dispatcher = OutboxDispatcher(
            store, {"smtp": notifier}, clock=FixedClock(T0), worker=name, batch=4
        )
        barrier.wait(timeout=60)
        claimed = 0
        while store.outbox_counts()[OutboxState.PENDING]:
            report = dispatcher.dispatch(limit=20)
            claimed += report.claimed
            if not report.busy:
                # The remaining lane heads are held by the other dispatchers.
                time.sleep(0.002)
        results.put((name, notifier.stamps, claimed))
    finally:
        store.close()


@pytest.fixture
def importable_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let spawned processes import this module by the name pytest gave it."""
    root = Path(__file__).resolve().parents[_dispatch_worker.__module__.count(".")]
    monkeypatch.syspath_prepend(str(root))


@pytest.mark.usefixtures("importable_tests")
def test_dispatchers_in_several_processes_deliver_each_record_once_in_lane_order(
    postgres_cluster: Cluster,
) -> None:
    workers, lanes, per_lane = 3, 40, 8
    schema = fresh_schema()
    ids = [uuid.uuid4() for _ in range(lanes)]

    def ref(lane: int) -> str:
        return f"CMP-2026-{lane + 1:06d}"

    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        # Lanes interleaved, as complaints progress side by side: the even ones written with
        # their complaint's events, the odd ones enqueued on their own.
        for step in range(per_lane):
            appends = []
            for lane in range(0, lanes, 2):
                history = store.read(ids[lane])
                event = (
                    note_event(history[-1])
                    if history
                    else received_event(complaint_id=ids[lane], reference=ref(lane))
                )
                appends.append(
                    Append(
                        events=(event,),
                        expected_version=len(history),
                        summary=summary_after([*history, event]),
                        outbox=(entry(f"{lane}:{step}", ref(lane)),),
                    )
                )
            append_all(store, appends)
            store.outbox_enqueue(
                [entry(f"{lane}:{step}", ref(lane)) for lane in range(1, lanes, 2)]
            )
        assert store.outbox_counts()[OutboxState.PENDING] == lanes * per_lane
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    results: Queue[tuple[str, list[tuple[str, int]], int]] = context.Queue()
    jobs = [
        {
            "conninfo": postgres_cluster.conninfo,
            "schema": schema,
            "name": f"dispatcher-{n}",
            "barrier": barrier,
            "results": results,
        }
        for n in range(workers)
    ]
    reports = run_processes(_dispatch_worker, jobs, results)
    sends = [stamp for _, stamps, _ in reports for stamp in stamps]
    keys = [key for key, _ in sends]
    # Exactly once: every record sent, none twice.
    assert sorted(keys) == sorted(
        f"{lane}:{step}" for lane in range(lanes) for step in range(per_lane)
    )
    assert len(set(keys)) == len(keys)
    # The work was shared: no dispatcher waited for another to finish.
    assert sum(1 for _, stamps, _ in reports if stamps) >= 2
    # Each lane in order, across processes: a lane's next record is claimed only once the
    # previous one is recorded delivered, so its send comes later on the shared clock.
    for lane in range(lanes):
        in_lane = sorted((at, key) for key, at in sends if key.startswith(f"{lane}:"))
        assert [key for _, key in in_lane] == [f"{lane}:{step}" for step in range(per_lane)]
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        counts = store.outbox_counts()
        assert counts[OutboxState.DELIVERED] == lanes * per_lane
        assert counts[OutboxState.PENDING] == counts[OutboxState.DEAD] == 0
        # One claim per record: nothing was claimed twice, nothing lost to a lease.
        assert sum(claimed for _, _, claimed in reports) == lanes * per_lane
        delivered = store.outbox_records(OutboxQuery(state=OutboxState.DELIVERED, limit=1000))
        assert {r.attempts for r in delivered} == {1}
