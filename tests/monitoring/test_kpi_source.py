"""The shipped stores against the KPI source contract."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import KpiSourceContract

if TYPE_CHECKING:
    from iso10002.storage.postgres import PostgresEventStore
    from tests.storage.pg_cluster import Cluster

_SCHEMAS = itertools.count(1)


class TestInMemoryKpiSource(KpiSourceContract):
    def make_store(self, tmp_path: Path) -> InMemoryEventStore:
        return InMemoryEventStore()


class TestSQLiteKpiSource(KpiSourceContract):
    def make_store(self, tmp_path: Path) -> SQLiteEventStore:
        return SQLiteEventStore(tmp_path / "kpis.db", synchronous="OFF")


class TestPostgresKpiSource(KpiSourceContract):
    @pytest.fixture(autouse=True)
    def _cluster(self, postgres_cluster: Cluster) -> None:
        self.cluster = postgres_cluster

    def make_store(self, tmp_path: Path) -> PostgresEventStore:
        from iso10002.storage.postgres import PostgresEventStore

        return PostgresEventStore(
            self.cluster.conninfo, schema=f"kpi{os.getpid()}_{next(_SCHEMAS)}"
        )
