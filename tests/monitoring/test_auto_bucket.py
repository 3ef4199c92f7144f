"""``bucket="auto"``: the library and the command line choose the trend's bucket in one place."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from iso10002 import FixedClock, InMemoryEventStore, ValidationError
from iso10002.monitoring import compute_kpis
from iso10002.monitoring.buckets import auto_bucket
from iso10002.monitoring.kpis import kpis_from_rows

UTC = dt.timezone.utc
START = dt.datetime(2026, 1, 1, tzinfo=UTC)
CLOCK = FixedClock(dt.datetime(2027, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(1, "day"), (14, "day"), (15, "week"), (120, "week"), (121, "month"), (1098, "month"),
     (1099, "quarter")],
)  # fmt: skip
def test_auto_chooses_by_the_number_of_days(days: int, bucket: str) -> None:
    assert auto_bucket(START, START + dt.timedelta(days=days), "UTC") == bucket


def test_days_are_counted_in_the_zone() -> None:
    # Fourteen London days across the spring change of clocks are 14 days less an hour.
    zone = "Europe/London"
    start = dt.datetime(2026, 3, 22, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    end = dt.datetime(2026, 4, 5, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    assert (end - start).days == 13
    assert auto_bucket(start, end, zone) == "day"
    assert auto_bucket(start, end + dt.timedelta(days=1), zone) == "week"


def test_compute_kpis_takes_auto_and_reports_the_bucket_it_chose() -> None:
    store = InMemoryEventStore()
    end = START + dt.timedelta(days=30)

    auto = compute_kpis(store, start=START, end=end, bucket="auto", clock=CLOCK)
    week = compute_kpis(store, start=START, end=end, bucket="week", clock=CLOCK)

    assert auto.period.bucket == "week"
    assert auto == week


def test_kpis_from_rows_takes_auto_too() -> None:
    report = kpis_from_rows(
        [], start=START, end=START + dt.timedelta(days=7), bucket="auto", generated_at=START
    )
    assert report.period.bucket == "day"


def test_an_unknown_bucket_names_auto_among_the_choices() -> None:
    with pytest.raises(ValidationError) as caught:
        compute_kpis(InMemoryEventStore(), start=START, end=START + dt.timedelta(days=1),
                     bucket="fortnight")  # fmt: skip
    assert caught.value.field == "bucket"
    assert str(caught.value) == (
        "bucket: must be one of day, week, month, quarter or auto, got 'fortnight'"
    )
