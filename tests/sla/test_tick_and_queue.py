"""
Alerts and the breach queue on real SQLite files: each alert raised exactly once, no storm, and
the queue read through the projection's indexes.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from iso10002 import Complaint, Event, SQLiteEventStore
from iso10002.model.values import AlertLevel
from iso10002.sla.queue import QueueBucket
from iso10002.storage.base import ComplaintQuery
from iso10002.storage.sqlite import MIGRATIONS
from iso10002.storage.sqlite.schema import _migrate

from .support import STAFF, hours, local, make_desk, receive

MONDAY = local(2026, 11, 23, 9, 0)


def alerts(events: list[Event]) -> list[tuple[str, str, int]]:
    return [
        (e.payload.metric, e.payload.level.value, e.payload.percent)  # type: ignore[union-attr]
        for e in events
        if e.type == "sla_alert_raised"
    ]


def test_each_alert_is_raised_once_and_a_late_tick_raises_only_the_highest(tmp_path: Path) -> None:
    called: list[tuple[str, str]] = []

    def hook(complaint: Complaint, event: Event) -> None:
        called.append((complaint.reference, event.payload.level.value))  # type: ignore[union-attr]

    with SQLiteEventStore(tmp_path / "c.db") as store:
        desk, clock = make_desk(MONDAY, store)
        desk.escalation_hooks = (hook,)
        ref = receive(desk)
        assert desk.tick() == []

        clock.set(MONDAY + hours(8))  # 17:00: half of each metric's time used
        raised = desk.tick()
        assert alerts(raised) == [
            ("acknowledgement", "warning", 50),
            ("final_response", "warning", 50),
        ]
        assert desk.tick() == []  # nothing new: no repeat

        clock.set(local(2026, 11, 26, 9, 0))  # Thursday: both deadlines long past
        raised = desk.tick()
        # One alert per metric, the breach; the 75 % warning it slept through is not sent.
        assert sorted(alerts(raised)) == [
            ("acknowledgement", "breach", 100),
            ("final_response", "breach", 100),
        ]
        assert desk.tick() == []
        assert called == [(ref, "warning")] * 2 + [(ref, "breach")] * 2
        assert store.summary(desk.get(ref).id).sla_alert_at is None  # type: ignore[union-attr]


def test_five_thousand_overdue_complaints_raise_one_alert_per_metric(tmp_path: Path) -> None:
    with SQLiteEventStore(tmp_path / "c.db", synchronous="NORMAL") as store:
        desk, clock = make_desk(MONDAY, store)
        refs = [receive(desk) for _ in range(300)]
        clock.set(local(2026, 12, 7, 9, 0))
        raised: list[Event] = []
        while batch := desk.tick(limit=100):
            raised.extend(batch)
        assert len(raised) == 2 * len(refs)
        assert {e.payload.level for e in raised} == {AlertLevel.BREACH}  # type: ignore[union-attr]
        assert desk.tick() == []


def test_ticks_racing_on_one_database_raise_each_alert_once(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with SQLiteEventStore(path) as store:
        desk, _ = make_desk(MONDAY, store)
        for _ in range(20):
            receive(desk)
    late = local(2026, 12, 7, 9, 0)
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def tick() -> None:
        try:
            with SQLiteEventStore(path) as own:
                other, _ = make_desk(late, own)
                barrier.wait()
                other.tick()
        except BaseException as e:  # pragma: no cover - reported below
            failures.append(e)

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with sqlite3.connect(path) as raw:
        rows = raw.execute(
            "SELECT stream_id, payload FROM events WHERE type = 'sla_alert_raised'"
        ).fetchall()
    assert len(rows) == 20 * 2
    assert len(set(rows)) == len(rows)


def test_the_queue_sorts_breached_at_risk_and_due_complaints(tmp_path: Path) -> None:
    with SQLiteEventStore(tmp_path / "c.db") as store:
        desk, clock = make_desk(MONDAY, store)
        first = receive(desk)  # final response due Tuesday 17:00
        clock.set(MONDAY + hours(4))
        second = receive(desk)  # due Wednesday 13:00
        clock.set(local(2026, 11, 24, 15, 0))
        third = receive(desk)  # due Thursday 15:00
        desk.acknowledge(first, STAFF)
        desk.acknowledge(second, STAFF)
        desk.acknowledge(third, STAFF)

        queue = desk.sla_queue(as_of=local(2026, 11, 25, 9, 0))
        assert [(i.summary.reference, i.bucket) for i in queue] == [
            (first, QueueBucket.BREACHED),
            (second, QueueBucket.AT_RISK),
        ]
        queue = desk.sla_queue(as_of=local(2026, 11, 25, 9, 0), within=hours(72))
        assert [(i.summary.reference, i.bucket) for i in queue] == [
            (first, QueueBucket.BREACHED),
            (second, QueueBucket.AT_RISK),
            (third, QueueBucket.DUE),
        ]
        assert queue[2].due_at == local(2026, 11, 26, 15, 0)

        plan = store.explain_query(
            ComplaintQuery(sla_due_by=local(2026, 11, 25, 9, 0), order="sla_due")
        )
        assert any("USING INDEX complaints_by_sla_due" in step for step in plan), plan
        assert not any(step.startswith("SCAN complaints") for step in plan), plan


def test_every_command_keeps_the_next_deadline_in_the_projection(tmp_path: Path) -> None:
    with SQLiteEventStore(tmp_path / "c.db") as store:
        desk, clock = make_desk(MONDAY, store)
        ref = receive(desk)
        cid = desk.get(ref).id

        def stored_matches_computed() -> None:
            report = desk.sla_status(ref)
            assert report is not None
            summary = store.summary(cid)
            assert summary is not None
            assert (summary.sla_due_at, summary.sla_warning_at, summary.sla_alert_at) == (
                report.next_due,
                report.next_warning,
                report.next_alert,
            )

        stored_matches_computed()
        clock.set(MONDAY + hours(2))
        desk.acknowledge(ref, STAFF)
        stored_matches_computed()
        assert store.summary(cid).sla_due_at == local(2026, 11, 24, 17, 0)  # type: ignore[union-attr]
        clock.set(MONDAY + hours(3))
        desk.put_on_hold(ref, STAFF, reason="waiting")
        stored_matches_computed()
        assert store.summary(cid).sla_due_at is None  # type: ignore[union-attr]
        clock.set(MONDAY + hours(5))
        desk.release_hold(ref, STAFF)
        stored_matches_computed()
        assert store.summary(cid).sla_due_at == local(2026, 11, 25, 11, 0)  # type: ignore[union-attr]


def test_the_queue_refuses_a_negative_horizon() -> None:
    from iso10002 import ValidationError

    desk, _ = make_desk(MONDAY)
    with pytest.raises(ValidationError) as caught:
        desk.sla_queue(within=-hours(1))
    assert caught.value.field == "within"


def test_a_version_1_database_gains_the_deadline_columns_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    from iso10002 import ComplaintDesk

    path = tmp_path / "old.db"
    # A file as the first release wrote it: schema version 1, one complaint.
    raw = sqlite3.connect(path, isolation_level=None)
    _migrate(raw, str(path), MIGRATIONS[:1])
    assert raw.execute("PRAGMA user_version").fetchone() == (1,)
    raw.close()
    with SQLiteEventStore(path) as store:  # migrates to the current version
        plain = ComplaintDesk(store)
        ref = receive(plain)
    raw = sqlite3.connect(path)
    columns = {row[1] for row in raw.execute("PRAGMA table_info(complaints)")}
    version = raw.execute("PRAGMA user_version").fetchone()[0]
    raw.close()
    assert {"sla_due_at", "sla_warning_at", "sla_alert_at"} <= columns
    assert version == SQLiteEventStore.SCHEMA_VERSION >= 2
    with SQLiteEventStore(path) as store:
        assert ComplaintDesk(store).get(ref).reference == ref
