"""
The PostgreSQL store's fast :class:`~iso10002.ports.kpi.KpiSource` path and its rollups'
check: a report whose period and buckets begin at UTC midnight is counted from the daily
rollups (:mod:`iso10002.storage._sql.rollup_kpis`, the same code as SQLite's, in PostgreSQL's
dialect) and one narrow scan of the rows for the durations and redress; any other report
reads the fact rows (:meth:`~iso10002.storage.postgres.PostgresEventStore.iter_fact_rows`).
"""

from __future__ import annotations

from iso10002.monitoring._cohorts import Cohorts
from iso10002.ports.kpi import CohortScan
from iso10002.storage._sql.kpi_sql import POSTGRES, SqlSelect
from iso10002.storage._sql.rollup_kpis import aligned, fill_from_rollups
from iso10002.storage._sql.rollups import POSTGRES_RECOUNT, differences

__all__ = ["rollup_differences", "scan_cohort"]


def scan_cohort(db: SqlSelect, cohort: CohortScan, *, detail: bool) -> bool:
    """
    Fill ``cohort`` from the rollups if it is monitoring's accumulator and its period is
    :func:`~iso10002.storage._sql.rollup_kpis.aligned`; else ``False``, with nothing added,
    and the report reads the fact rows. See :meth:`~iso10002.ports.kpi.KpiSource.scan_cohort`.
    """
    if not isinstance(cohort, Cohorts) or not aligned(cohort):
        return False
    return fill_from_rollups(cohort, db, POSTGRES, detail=detail)


def rollup_differences(db: SqlSelect) -> list[tuple[str, str]]:
    """The rollup rows that differ from the rows' counts; see :func:`differences`."""
    return differences(db.select(POSTGRES_RECOUNT))
