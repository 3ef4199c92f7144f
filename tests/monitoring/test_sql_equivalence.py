"""
The SQLite store's aggregation in SQL (from its daily rollups when the period and buckets
begin at UTC midnight, else from the rows) against the reference pass over the same store's
fact rows, figure for figure, over random periods: before any complaint, after the last,
across the data, of a day or of months, in several zones and bucket sizes, and for one
organisation (which the report reads from the summaries) against the in-memory store. The
PostgreSQL store's path from the same rollups (the real server of
:mod:`tests.storage.pg_cluster`) against the reference pass over its own fact rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso10002 import FixedClock, InMemoryEventStore, SQLiteEventStore
from iso10002.monitoring._cohorts import Cohorts
from iso10002.monitoring.kpis import compute_kpis, kpis_from_rows
from iso10002.monitoring.report import KpiReport
from iso10002.ports.kpi import SummaryKpiSource
from iso10002.sla.calendar import BusinessCalendar
from iso10002.storage.postgres import PostgresEventStore
from tests.storage.pg_cluster import Cluster
from tests.storage.test_postgres import fresh_schema

from .scenarios import UTC, Life, play
from .test_kpis import SEED_START

ORGANISATIONS = ("acme", "globex", None)
GENERATED = dt.datetime(2027, 1, 1, tzinfo=UTC)
OFFICE = BusinessCalendar.standard(name="office", zone="Europe/London")

Stores = tuple[SQLiteEventStore, InMemoryEventStore]
Store = SQLiteEventStore | InMemoryEventStore | PostgresEventStore


def fill(store: Store) -> None:
    rng, owners = random.Random(41), random.Random(5)
    first: Life | None = None
    for _ in range(300):
        life = play(
            store,
            rng,
            SEED_START,
            None if first is None else first.reference,
            organisation=owners.choice(ORGANISATIONS),
        )
        first = first or life


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Stores:
    sqlite = SQLiteEventStore(
        Path(tmp_path_factory.mktemp("sql-equivalence")) / "kpis.db", synchronous="OFF"
    )
    memory = InMemoryEventStore()
    for store in (sqlite, memory):
        fill(store)
    return sqlite, memory


@pytest.fixture(scope="module")
def postgres(postgres_cluster: Cluster) -> Iterator[PostgresEventStore]:
    with PostgresEventStore(postgres_cluster.conninfo, schema=fresh_schema()) as store:
        fill(store)
        yield store


def reference(store: Store, **kw: object) -> KpiReport:
    """The report from the store's summaries, one fact row each: the reference pass."""
    start, end = kw["start"], kw["end"]
    assert isinstance(start, dt.datetime) and isinstance(end, dt.datetime)
    organisation = kw.pop("organisation", None)
    assert organisation is None or isinstance(organisation, str)
    source = SummaryKpiSource(store, organisation=organisation)
    rows = source.iter_fact_rows(received_before=end, closed_since=start - (end - start))
    return kpis_from_rows(rows, generated_at=GENERATED, **kw)  # type: ignore[arg-type]


def fast(store: Store, **kw: object) -> KpiReport:
    return compute_kpis(store, clock=FixedClock(GENERATED), **kw)  # type: ignore[arg-type]


periods = st.fixed_dictionaries(
    {
        # From 150 days before the first receipt to well after the last closure; at UTC
        # midnight (counted from the rollups when the buckets are too) or not (the rows).
        "start": st.tuples(st.integers(-150, 420), st.booleans()).map(
            lambda at: SEED_START + dt.timedelta(days=at[0], hours=0 if at[1] else 1 + at[0] % 7)
        ),
        "length": st.sampled_from([1, 7, 30, 91, 200, 365]),
        "bucket": st.sampled_from(["day", "week", "month", "quarter", "auto"]),
        "zone": st.sampled_from(["UTC", "Europe/London", "Asia/Kolkata"]),
        "calendar": st.sampled_from([None, OFFICE]),
    }
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(period=periods)
def test_sql_gives_every_figure_of_the_reference_pass(
    stores: Stores, period: dict[str, object]
) -> None:
    sqlite, _ = stores
    length = period.pop("length")
    assert isinstance(length, int) and isinstance(period["start"], dt.datetime)
    period["end"] = period["start"] + dt.timedelta(days=length)
    report = fast(sqlite, **period)
    assert report == reference(sqlite, **period)


@pytest.mark.parametrize(
    ("start", "days"),
    [
        (dt.datetime(2025, 1, 1, tzinfo=UTC), 90),  # before any complaint
        (dt.datetime(2025, 10, 1, tzinfo=UTC), 365),  # the whole of the data
        (dt.datetime(2026, 1, 1, tzinfo=UTC), 60),  # in the middle
        (dt.datetime(2030, 1, 1, tzinfo=UTC), 30),  # after the last
    ],
    ids=["before", "whole", "middle", "after"],
)
def test_the_known_periods_agree_and_empty_ones_count_nothing(
    stores: Stores, start: dt.datetime, days: int
) -> None:
    sqlite, _ = stores
    period = {"start": start, "end": start + dt.timedelta(days=days), "bucket": "month"}
    report = fast(sqlite, **period)
    assert report == reference(sqlite, **period)
    if start.year in (2025, 2030) and days < 365:
        assert report.volume.received == report.volume.closed == 0
        assert report.timeliness.final_response[0].count == 0
    else:
        assert report.volume.received > 0 and report.volume.closed > 0


@pytest.mark.parametrize("organisation", ["acme", "globex"])
def test_one_organisation_agrees_with_the_reference_and_the_memory_store(
    stores: Stores, organisation: str
) -> None:
    sqlite, memory = stores
    period = {
        "start": dt.datetime(2025, 12, 1, tzinfo=UTC),
        "end": dt.datetime(2026, 3, 1, tzinfo=UTC),
        "bucket": "week",
        "organisation": organisation,
    }
    report = fast(sqlite, **period)
    assert report == reference(sqlite, **period)
    assert report == fast(memory, **period)
    everyone = fast(sqlite, **{k: v for k, v in period.items() if k != "organisation"})
    assert 0 < report.volume.received < everyone.volume.received


midnights = st.fixed_dictionaries(
    {
        # At UTC midnight, with buckets that are too: what PostgreSQL counts from the rollups.
        "start": st.integers(-150, 420).map(lambda days: SEED_START + dt.timedelta(days=days)),
        "length": st.sampled_from([1, 7, 30, 91, 365]),
        "bucket": st.sampled_from(["day", "week", "month", "quarter"]),
        "calendar": st.sampled_from([None, OFFICE]),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(period=midnights)
def test_postgres_rollups_give_every_figure_of_the_reference_pass(
    postgres: PostgresEventStore, period: dict[str, object]
) -> None:
    length = period.pop("length")
    assert isinstance(length, int) and isinstance(period["start"], dt.datetime)
    period["end"] = period["start"] + dt.timedelta(days=length)
    report = fast(postgres, **period)
    assert report == reference(postgres, **period)


def test_postgres_counts_from_the_rollups_only_at_utc_midnight(
    postgres: PostgresEventStore, stores: Stores
) -> None:
    sqlite, _ = stores
    start = dt.datetime(2025, 10, 1, tzinfo=UTC)
    whole = {"start": start, "end": start + dt.timedelta(days=365), "bucket": "month"}
    report = fast(postgres, **whole)
    assert report == reference(postgres, **whole) == fast(sqlite, **whole)
    assert report.volume.received > 0 and report.volume.closed > 0

    def scanned(at: dt.datetime, bounds: list[int]) -> bool:
        return postgres.scan_cohort(
            Cohorts(at, at + dt.timedelta(days=30), None, bounds), detail=True
        )

    assert scanned(start, [])
    # An hour past midnight, or buckets that are not whole days: the fact rows are read.
    assert not scanned(start + dt.timedelta(hours=1), [])
    assert not scanned(start, [3_600_000_000])
