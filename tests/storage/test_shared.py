"""
The stores whose data outlives the store object against the shared-database contract: SQLite
files (with and without syncing) and PostgreSQL schemas. The in-memory store cannot have a
second object on its data, so it has no class here.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from iso10002 import EventStore, PostgresEventStore, SQLiteEventStore
from iso10002.testing import SharedStoreContract
from tests.storage.pg_cluster import Cluster

_SCHEMAS = itertools.count(1)


class TestSQLiteStoreIsShared(SharedStoreContract):
    def store_opener(self, tmp_path: Path) -> Callable[[], EventStore]:
        return functools.partial(SQLiteEventStore, tmp_path / "complaints.db")


class TestSQLiteStoreWithoutSyncIsShared(SharedStoreContract):
    """What one store object wrote reaches the others without waiting for the disk."""

    def store_opener(self, tmp_path: Path) -> Callable[[], EventStore]:
        return functools.partial(SQLiteEventStore, tmp_path / "complaints.db", synchronous="OFF")


class TestPostgresStoreIsShared(SharedStoreContract):
    @pytest.fixture(autouse=True)
    def _cluster(self, postgres_cluster: Cluster) -> None:
        self.cluster = postgres_cluster

    def store_opener(self, tmp_path: Path) -> Callable[[], EventStore]:
        schema = f"shared{os.getpid()}_{next(_SCHEMAS)}"
        return functools.partial(PostgresEventStore, self.cluster.conninfo, schema=schema)
