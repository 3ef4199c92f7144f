"""The shipped stores against the KPI source contract."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from iso10002.model.fact_row import FactRow
from iso10002.ports.kpi import CohortScan
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import KpiSourceContract
from iso10002.testing.kpi_source import _fill

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


class _ForgetsWithdrawals(SQLiteEventStore):
    """A KPI source that loses the withdrawn complaints' rows, and reports from its rows."""

    def iter_fact_rows(self, **window: Any) -> Iterator[FactRow]:
        return (row for row in super().iter_fact_rows(**window) if not row[10])

    def scan_cohort(self, cohort: CohortScan, *, detail: bool) -> bool:
        return False


def test_the_contract_catches_a_source_that_loses_rows(tmp_path: Path) -> None:
    contract = TestSQLiteKpiSource()
    with _ForgetsWithdrawals(tmp_path / "kpis.db", synchronous="OFF") as store:
        _fill(store)
        with pytest.raises(AssertionError):
            contract.test_reports_are_those_of_the_reference_path(store)
        with pytest.raises(AssertionError):
            contract.test_fact_rows_are_those_of_the_summaries(store)
        contract.test_survey_answers_are_those_of_the_log(store)
