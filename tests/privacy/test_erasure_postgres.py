"""
Erasure on the PostgreSQL store leaves no id of the complainant's in the events or the access
denials, read as another tool would (before, ``events.actor`` and ``access_denials.actor_id``
kept the customer id).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from iso10002 import ComplaintDesk
from iso10002.access import RoleBasedAuthorizer
from iso10002.clock import FixedClock
from iso10002.errors import PermissionDenied
from iso10002.integrity import verify
from iso10002.model.personal import ERASED
from iso10002.model.values import ClosureReason, Role
from iso10002.privacy import SubjectMatch
from iso10002.storage.postgres import PostgresEventStore
from iso10002.testing.samples import SAMPLE_START
from tests.storage.pg_cluster import Cluster
from tests.storage.test_postgres import admin, fresh_schema

from .test_erasure import ADMIN
from .test_erasure_complete import person, received_by_complainant


@pytest.fixture
def pg(postgres_cluster: Cluster) -> Iterator[tuple[Cluster, str, PostgresEventStore]]:
    schema = fresh_schema()
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        yield postgres_cluster, schema, store


def test_erasure_forgets_the_complainant_everywhere(
    pg: tuple[Cluster, str, PostgresEventStore],
) -> None:
    cluster, schema, store = pg
    desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START), authorizer=RoleBasedAuthorizer())
    plain = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
    received_by_complainant(desk, ("CUST-4411", "Ottoline Brack", "ob@example.org"), "Late.", "C-1")
    received_by_complainant(desk, ("CUST-9000", "Other Person", "op@example.org"), "Lost.", "C-2")
    with pytest.raises(PermissionDenied):
        desk.close(
            "C-2", person("CUST-4411", "x", "x@example.org")[0], reason=ClosureReason.RESOLVED
        )

    plain.erase_personal_data("C-1", ADMIN, reason="erasure request")

    for event in plain.history("C-1"):
        if event.actor.role is Role.COMPLAINANT:
            assert (event.actor.id, event.actor.name) == (ERASED, None)
    with admin(cluster) as conn:
        rows = conn.execute(
            f"SELECT actor::text, coalesce(personal::text, '') FROM \"{schema}\".events"
        ).fetchall()
        denials = conn.execute(f'SELECT actor_id FROM "{schema}".access_denials').fetchall()
    stored = " ".join(a + p for a, p in rows)
    assert "CUST-4411" not in stored and "Ottoline" not in stored
    assert "CUST-9000" in stored  # the other complainant keeps theirs
    assert sorted(str(d) for (d,) in denials) == ["CUST-9000", "None", "None"]
    assert verify(store).ok
    assert plain.export_subject(SubjectMatch(customer_id="CUST-4411")).records == ()
