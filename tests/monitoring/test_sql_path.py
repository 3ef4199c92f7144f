"""
The SQLite store's aggregation in SQL against the reference pass over fact rows (the in-memory
store), with the settings that change the SQL: a business calendar, many trend buckets, a zone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iso10002 import InMemoryEventStore, SQLiteEventStore
from iso10002.sla.calendar import BusinessCalendar

from .test_kpis import populate, report_of


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[SQLiteEventStore, InMemoryEventStore]:
    sqlite = SQLiteEventStore(
        Path(tmp_path_factory.mktemp("sql-path")) / "kpis.db", synchronous="OFF"
    )
    memory = InMemoryEventStore()
    for store in (sqlite, memory):
        populate(store, 250, seed=23)
    return sqlite, memory


OFFICE = BusinessCalendar.standard(name="office", zone="Europe/London")


@pytest.mark.parametrize(
    "settings",
    [
        {"calendar": OFFICE},
        {"bucket": "day"},
        {"bucket": "day", "zone": "America/New_York", "calendar": OFFICE},
        {"bucket": "week", "zone": "Europe/London"},
        {"bucket": "quarter"},
    ],
    ids=["calendar", "by day", "by day in New York with a calendar", "by week", "by quarter"],
)
def test_sql_and_reference_pass_give_the_same_report(
    stores: tuple[SQLiteEventStore, InMemoryEventStore], settings: dict[str, object]
) -> None:
    sqlite, memory = stores
    report = report_of(sqlite, **settings)
    assert report == report_of(memory, **settings)
    assert report.volume.received > 0
    assert any(point.median_final_response is not None for point in report.trend)
