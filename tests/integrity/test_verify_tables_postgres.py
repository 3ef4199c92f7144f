"""
verify() covers every table of a PostgreSQL store: the tampering of
:mod:`tests.integrity.test_verify_tables`, through SQL as another tool would, on the throwaway
server of :mod:`tests.storage.pg_cluster`.
"""

from __future__ import annotations

import datetime as _dt

import pytest

from iso10002 import ComplaintDesk
from iso10002.access import RoleBasedAuthorizer
from iso10002.clock import FixedClock
from iso10002.errors import PermissionDenied
from iso10002.integrity import Problem, verify
from iso10002.model.values import ClosureReason
from iso10002.outbox import OutboxQuery
from iso10002.storage.postgres import PostgresEventStore
from tests.integrity.test_verify_postgres import build, tamper
from tests.integrity.test_verify_tables import ADMIN, STRANGER
from tests.outbox.support import START, handle, policy
from tests.storage.pg_cluster import Cluster
from tests.storage.test_postgres import admin


@pytest.fixture
def schema(postgres_cluster: Cluster) -> str:
    name = build(postgres_cluster)
    with PostgresEventStore(postgres_cluster.conninfo, schema=name) as store:
        desk = ComplaintDesk(store, clock=FixedClock(START), notifications=policy())
        for n in range(1, 4):
            handle(desk, n)
        guarded = ComplaintDesk(store, clock=FixedClock(START), authorizer=RoleBasedAuthorizer())
        for reference in ("CMP-1", "CMP-2", "CMP-3"):
            with pytest.raises(PermissionDenied):
                guarded.close(reference, STRANGER, reason=ClosureReason.RESOLVED)
    return name


def named(cluster: Cluster, schema: str) -> tuple[Problem, str | None, str]:
    with PostgresEventStore(cluster.conninfo, schema=schema) as store:
        finding = verify(store).finding
    assert finding is not None
    return finding.problem, finding.record, str(finding)


def outbox_ids(cluster: Cluster, schema: str) -> list[int]:
    with admin(cluster) as conn:
        rows = conn.execute(f'SELECT id FROM "{schema}".outbox ORDER BY id'.encode()).fetchall()
    return [int(r[0]) for r in rows]


def test_untouched_then_purged_and_erased_tables_are_intact(
    postgres_cluster: Cluster, schema: str
) -> None:
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        assert verify(store).ok
        ids = [r.id for r in store.outbox_records(OutboxQuery())]
        for record_id in ids[1:4]:
            store.outbox_delivered(record_id, now=START)
        assert store.outbox_purge(delivered_before=START + _dt.timedelta(seconds=1)) == 3
        desk = ComplaintDesk(store, clock=FixedClock(START + _dt.timedelta(days=1)))
        reference = handle(desk, 9)
        handle(desk, 10)
        desk.withdraw(reference, ADMIN, reason="no longer needed")
        desk.erase_personal_data(reference, ADMIN, reason="erasure request")
        report = verify(store)
        assert report.ok, report.finding


def test_an_edited_summary_is_named(postgres_cluster: Cluster, schema: str) -> None:
    tamper(
        postgres_cluster,
        schema,
        "UPDATE {s}.complaints SET state = 'investigating', is_open = true "
        "WHERE reference = 'CMP-2'",
    )
    assert named(postgres_cluster, schema)[:2] == (Problem.ALTERED, "summary of CMP-2")


def test_an_edited_or_deleted_outbox_record_is_named(
    postgres_cluster: Cluster, schema: str
) -> None:
    ids = outbox_ids(postgres_cluster, schema)
    tamper(
        postgres_cluster,
        schema,
        "UPDATE {s}.outbox SET notification = jsonb_set(notification, '{{recipient}}', "
        f"'\"thief@example.net\"') WHERE id = {ids[0]}",
    )
    assert named(postgres_cluster, schema)[:2] == (Problem.ALTERED, f"outbox record {ids[0]}")
    tamper(postgres_cluster, schema, f"DELETE FROM {{s}}.outbox WHERE id IN ({ids[0]}, {ids[2]})")
    problem, record, text = named(postgres_cluster, schema)
    assert (problem, record) == (Problem.MISSING, f"outbox record {ids[1]}")
    assert f"outbox record {ids[0]} was deleted" in text


def test_a_deleted_denial_is_named(postgres_cluster: Cluster, schema: str) -> None:
    tamper(postgres_cluster, schema, "DELETE FROM {s}.access_denials WHERE id = 2")
    problem, record, text = named(postgres_cluster, schema)
    assert (problem, record) == (Problem.MISSING, "access denial 3")
    assert "access denial 2 was deleted" in text


def test_a_reset_counter_is_named(postgres_cluster: Cluster, schema: str) -> None:
    tamper(postgres_cluster, schema, "UPDATE {s}.counters SET value = 1")
    problem, record, text = named(postgres_cluster, schema)
    assert (problem, record) == (Problem.ALTERED, "counter reference:CMP-2026")
    assert "is at 1" in text
