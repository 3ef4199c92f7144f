"""Holiday lists from the holidays package and from recurrence rules."""

from __future__ import annotations

import datetime as dt
from datetime import date, time

import pytest
from dateutil.rrule import YEARLY, rrule

from iso10002.errors import ValidationError
from iso10002.sla.calendar import BusinessCalendar, Holiday, Window
from iso10002.sla.holiday_sources import holidays_from_package, holidays_from_rrule


def dates(holidays: tuple[Holiday, ...]) -> set[date]:
    return {h.date for h in holidays}


def test_uk_nations_have_different_bank_holidays() -> None:
    years = [2026]
    england = dates(holidays_from_package("GB", subdiv="ENG", years=years))
    wales = dates(holidays_from_package("GB", subdiv="WLS", years=years))
    scotland = dates(holidays_from_package("GB", subdiv="SCT", years=years))
    northern_ireland = dates(holidays_from_package("GB", subdiv="NIR", years=years))

    assert england == wales
    assert date(2026, 1, 2) in scotland and date(2026, 1, 2) not in england
    assert date(2026, 11, 30) in scotland  # St Andrew's Day
    assert date(2026, 4, 6) in england and date(2026, 4, 6) not in scotland  # Easter Monday
    assert date(2026, 3, 17) in northern_ireland and date(2026, 3, 17) not in england
    assert date(2026, 7, 13) in northern_ireland  # Battle of the Boyne, 12 July observed
    assert date(2026, 12, 25) in england & scotland & northern_ireland


def test_snapshot_is_sorted_named_and_closes_whole_dates() -> None:
    found = holidays_from_package("GB", subdiv="ENG", years=range(2025, 2027))
    assert [h.date for h in found] == sorted(h.date for h in found)
    assert all(h.closed == () and h.name for h in found)
    christmas = next(h for h in found if h.date == date(2026, 12, 25))
    assert christmas.name == "Christmas Day"
    cal = BusinessCalendar.standard(name="eng", zone="Europe/London", holidays=found)
    assert not cal.is_business_day(date(2026, 12, 28))  # Boxing Day observed


def test_categories_select_the_package_categories() -> None:
    public = holidays_from_package("DE", subdiv="BY", years=[2026], categories=["public"])
    assert date(2026, 1, 6) in dates(public)  # Epiphany in Bavaria
    assert date(2026, 1, 6) not in dates(holidays_from_package("DE", subdiv="BE", years=[2026]))


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("country", {"country": "XX", "years": [2026]}),
        ("subdiv", {"country": "GB", "subdiv": "LDN", "years": [2026]}),
        ("categories", {"country": "GB", "years": [2026], "categories": ["nonsense"]}),
        ("years", {"country": "GB", "years": []}),
        ("years", {"country": "GB", "years": ["2026"]}),
    ],
)
def test_package_errors_name_the_field(field: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as info:
        holidays_from_package(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_rrule_string_gives_half_days() -> None:
    afternoon = (Window(start=time(12), end=time(0)),)
    eves = holidays_from_rrule(
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24",
        name="Christmas Eve",
        start=date(2024, 1, 1),
        end=date(2026, 12, 24),
        closed=afternoon,
    )
    assert [h.date for h in eves] == [date(2024, 12, 24), date(2025, 12, 24), date(2026, 12, 24)]
    assert all(h.closed == afternoon and h.name == "Christmas Eve" for h in eves)
    cal = BusinessCalendar.standard(name="x", zone="Europe/London", holidays=eves)
    assert cal.end_of_business_day(date(2025, 12, 24)) == dt.datetime(
        2025, 12, 24, 12, tzinfo=dt.timezone.utc
    )


def test_rrule_object_keeps_its_own_start() -> None:
    rule = rrule(YEARLY, dtstart=dt.datetime(2020, 7, 1), bymonth=7, bymonthday=1, count=10)
    found = holidays_from_rrule(
        rule, name="Canada Day", start=date(2025, 1, 1), end=date(2026, 12, 31)
    )
    assert [h.date for h in found] == [date(2025, 7, 1), date(2026, 7, 1)]


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("rule", {"rule": "FREQ=SOMETIMES"}),
        ("rule", {"rule": 42}),
        ("end", {"rule": "FREQ=YEARLY", "end": date(2019, 1, 1)}),
        ("start", {"rule": "FREQ=YEARLY", "start": dt.datetime(2020, 1, 1)}),
        ("name", {"rule": "FREQ=YEARLY", "name": ""}),
    ],
)
def test_rrule_errors_name_the_field(field: str, kwargs: dict[str, object]) -> None:
    arguments: dict[str, object] = {"name": "x", "start": date(2020, 1, 1), "end": date(2021, 1, 1)}
    arguments.update(kwargs)
    with pytest.raises(ValidationError) as info:
        holidays_from_rrule(**arguments)  # type: ignore[arg-type]
    assert info.value.field == field
