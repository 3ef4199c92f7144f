"""
Client keys looked up a batch at once (``Capability.CLIENT_KEYS``): every shipped store against
the contract, the batching wrapper with keys still buffered, and an import into PostgreSQL,
which asks the server once a batch instead of once a record, with the same outcome.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import ClassVar

import pytest

from iso10002.errors import ValidationError
from iso10002.importing import import_rows
from iso10002.storage import BatchingStore, Capability
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import ClientKeyContract, received_event, summary_after
from tests.importing.support import clock, counting_look_ups
from tests.importing.test_batches import MAPPING, _rows

from .pg_cluster import Cluster
from .test_postgres import fresh_schema


class TestInMemoryStoreClientKeys(ClientKeyContract):
    def make_store(self, tmp_path: Path) -> InMemoryEventStore:
        return InMemoryEventStore()


class TestSQLiteStoreClientKeys(ClientKeyContract):
    def make_store(self, tmp_path: Path) -> SQLiteEventStore:
        return SQLiteEventStore(tmp_path / "complaints.db")


class TestPostgresStoreClientKeys(ClientKeyContract):
    @pytest.fixture(autouse=True)
    def _cluster(self, postgres_cluster: Cluster) -> None:
        self.cluster = postgres_cluster

    def make_store(self, tmp_path: Path) -> PostgresEventStore:
        return PostgresEventStore(self.cluster.conninfo, schema=fresh_schema())


class TestBatchingStoreClientKeys(ClientKeyContract):
    """Keys still in the buffer are held as much as the stored ones."""

    def make_store(self, tmp_path: Path) -> BatchingStore:
        return BatchingStore(SQLiteEventStore(tmp_path / "complaints.db"), max_events=10_000)


def test_a_batching_store_counts_its_buffered_keys(tmp_path: Path) -> None:
    with BatchingStore(SQLiteEventStore(tmp_path / "c.db"), max_events=100) as store:
        for n, key in enumerate(("web:stored", "web:buffered")):
            first = received_event(reference=f"KEYS-{n}", client_key=key, complaint_id=uuid.uuid4())
            store.append([first], expected_version=0, summary=summary_after([first]))
            if n == 0:
                store.flush()
        assert store.pending == 1
        assert store.stored_client_keys(["web:stored", "web:buffered", "web:none"]) == {
            "web:stored",
            "web:buffered",
        }


def test_a_batching_store_over_a_store_without_the_capability_refuses(tmp_path: Path) -> None:
    class Plain(SQLiteEventStore):
        capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability) - {
            Capability.CLIENT_KEYS,
            Capability.BULK_LOAD,
        }

    with BatchingStore(Plain(tmp_path / "c.db")) as store:
        assert Capability.CLIENT_KEYS not in store.capabilities
        with pytest.raises(ValidationError, match="does not declare client_keys"):
            store.stored_client_keys(["web:1"])


class _OneKeyAtATime(PostgresEventStore):
    """The PostgreSQL store as a store without the capability: asked about each key alone."""

    capabilities: ClassVar[frozenset[Capability]] = PostgresEventStore.capabilities - {
        Capability.CLIENT_KEYS
    }


def test_an_import_into_postgres_asks_once_a_batch(
    postgres_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _rows(30)
    again = [rows[3], rows[12], *rows[25:], rows[24]]
    outcomes = []
    for kind in (PostgresEventStore, _OneKeyAtATime):
        with kind(postgres_cluster.conninfo, schema=fresh_schema()) as store:
            look_up = store.id_for_client_key
            alone, at_once = counting_look_ups(store, monkeypatch)
            first = import_rows(store, rows[:25], MAPPING, clock=clock(), batch_size=10)
            second = import_rows(store, again, MAPPING, clock=clock(), batch_size=10)
            if kind is PostgresEventStore:
                assert (alone, at_once) == ([], [10, 10, 5, 8])  # each batch at once
            else:
                assert (len(alone), at_once) == (33, [])  # each record alone
            found = [look_up(f"crm:R{n}") for n in range(30)]
            outcomes.append(
                (
                    (first.read, first.imported, first.skipped),
                    (second.read, second.imported, second.skipped),
                    [None if i is None else store.summary(i) is not None for i in found],
                )
            )
    # The same outcome either way: the second import skips the three stored records.
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][:2] == ((25, 25, 0), (8, 5, 3))
    assert outcomes[0][2] == [True] * 30
