"""Every shipped access log against the shipped access log contract: in memory, and kept by the
in-memory, SQLite and PostgreSQL stores."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from iso10002 import InMemoryEventStore, PostgresEventStore, SQLiteEventStore
from iso10002.access import InMemoryAccessLog, StoreAccessLog
from iso10002.testing import AccessLogContract, ReadableAccessLog
from tests.storage.pg_cluster import Cluster

_SCHEMAS = itertools.count(1)


class TestInMemoryAccessLog(AccessLogContract):
    def make_access_log(self, tmp_path: Path) -> InMemoryAccessLog:
        return InMemoryAccessLog()


class StoreLogContract(AccessLogContract):
    """Closes the store that keeps the log's denials."""

    def close_access_log(self, log: ReadableAccessLog) -> None:
        assert isinstance(log, StoreAccessLog)
        log.store.close()


class TestInMemoryStoreAccessLog(StoreLogContract):
    def make_access_log(self, tmp_path: Path) -> StoreAccessLog:
        return StoreAccessLog(InMemoryEventStore())


class TestSQLiteStoreAccessLog(StoreLogContract):
    def make_access_log(self, tmp_path: Path) -> StoreAccessLog:
        return StoreAccessLog(SQLiteEventStore(tmp_path / "complaints.db"))


class TestPostgresStoreAccessLog(StoreLogContract):
    @pytest.fixture(autouse=True)
    def _cluster(self, postgres_cluster: Cluster) -> None:
        self.cluster = postgres_cluster

    def make_access_log(self, tmp_path: Path) -> StoreAccessLog:
        schema = f"log{os.getpid()}_{next(_SCHEMAS)}"
        return StoreAccessLog(PostgresEventStore(self.cluster.conninfo, schema=schema))
