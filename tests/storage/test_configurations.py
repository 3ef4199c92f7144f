"""Every shipped store against the configuration store contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import ConfigurationStoreContract

from .pg_cluster import Cluster
from .test_postgres import fresh_schema


class TestInMemoryStoreRecords(ConfigurationStoreContract):
    def make_store(self, tmp_path: Path) -> InMemoryEventStore:
        return InMemoryEventStore()


class TestSQLiteStoreRecords(ConfigurationStoreContract):
    def make_store(self, tmp_path: Path) -> SQLiteEventStore:
        return SQLiteEventStore(tmp_path / "complaints.db")


class TestPostgresStoreRecords(ConfigurationStoreContract):
    @pytest.fixture(autouse=True)
    def _cluster(self, postgres_cluster: Cluster) -> None:
        self.cluster = postgres_cluster

    def make_store(self, tmp_path: Path) -> PostgresEventStore:
        return PostgresEventStore(self.cluster.conninfo, schema=fresh_schema())


def test_a_stored_record_that_does_not_match_its_fingerprint_is_refused(tmp_path: Path) -> None:
    import sqlite3

    from iso10002.errors import StorageError
    from iso10002.model.configuration import SLA_POLICY, ConfigurationRecord, fingerprint_of

    path = tmp_path / "complaints.db"
    record = ConfigurationRecord(
        kind=SLA_POLICY, name="p", version="1", content="{}", fingerprint=fingerprint_of("{}")
    )
    with SQLiteEventStore(path) as store:
        store.record_configuration(record)
    raw = sqlite3.connect(path)
    raw.execute("UPDATE configurations SET content = '{\"a\":1}'")
    raw.commit()
    raw.close()
    with SQLiteEventStore(path) as store, pytest.raises(StorageError, match="cannot be read"):
        store.configuration(record.fingerprint)
