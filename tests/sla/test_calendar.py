"""Worked examples of the business calendar: windows, holidays, day counting and bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from iso10002.errors import NaiveDatetimeError, SerializationError, ValidationError
from iso10002.serialization import structure, unstructure
from iso10002.sla.calendar import BusinessCalendar, Holiday, Window
from iso10002.sla.holiday_sources import holidays_from_package

UTC = dt.timezone.utc
LONDON = ZoneInfo("Europe/London")
H = timedelta(hours=1)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=UTC)


def london(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LONDON)


@pytest.fixture(scope="module")
def office() -> BusinessCalendar:
    """Mon-Fri 09:00-17:00 in UTC, no holidays."""
    return BusinessCalendar.standard(name="office", zone="UTC")


@pytest.fixture(scope="module")
def lunch() -> BusinessCalendar:
    """Mon-Fri 09:00-12:30 and 13:30-17:30 in London."""
    return BusinessCalendar.standard(
        name="lunch",
        zone="Europe/London",
        hours=((time(9), time(12, 30)), (time(13, 30), time(17, 30))),
    )


@pytest.fixture(scope="module")
def nights() -> BusinessCalendar:
    """Mon-Fri 22:00-06:00 in UTC."""
    return BusinessCalendar.standard(name="nights", zone="UTC", hours=((time(22), time(6)),))


@pytest.fixture(scope="module")
def uk() -> BusinessCalendar:
    """Mon-Fri 09:00-17:00 in London with the 2025-2027 bank holidays of England and Wales."""
    return BusinessCalendar.standard(
        name="uk",
        zone="Europe/London",
        version="2025.1",
        holidays=holidays_from_package("GB", subdiv="ENG", years=range(2025, 2028)),
    )


# -- windows -----------------------------------------------------------------------------------


def test_a_full_day_ends_at_closing_time_not_next_morning(office: BusinessCalendar) -> None:
    monday = at(2026, 3, 2, 9)
    assert office.add(monday, 8 * H) == at(2026, 3, 2, 17)
    assert office.add(monday, 8 * H + timedelta(microseconds=1)) == at(2026, 3, 3, 9) + timedelta(
        microseconds=1
    )
    assert office.add(monday, timedelta(0)) == monday


def test_add_from_closed_time_starts_at_the_next_opening(office: BusinessCalendar) -> None:
    saturday = at(2026, 3, 7, 12)
    assert office.add(saturday, H) == at(2026, 3, 9, 10)
    assert office.add(at(2026, 3, 2, 18), 30 * H) == at(2026, 3, 6, 15)
    assert office.add(at(2026, 3, 2, 9), timedelta(0)) == at(2026, 3, 2, 9)
    # 0 from closed time is the instant itself: nothing is consumed.
    assert office.add(saturday, timedelta(0)) == saturday


def test_add_accepts_any_offset_and_returns_utc(office: BusinessCalendar) -> None:
    new_york = dt.datetime(2026, 3, 2, 4, tzinfo=ZoneInfo("America/New_York"))  # 09:00 UTC
    result = office.add(new_york, 2 * H)
    assert result == at(2026, 3, 2, 11)
    assert result.tzinfo is UTC


def test_long_durations_span_weeks(office: BusinessCalendar) -> None:
    start = at(2026, 3, 2, 9)
    five_weeks = 5 * 5 * 8 * H
    assert office.add(start, five_weeks) == at(2026, 4, 3, 17)
    assert office.between(start, at(2026, 4, 3, 17)) == five_weeks
    ten_years = office.add(start, 2610 * 8 * H)  # 2,610 weekdays from March 2026
    assert office.between(start, ten_years) == 2610 * 8 * H


def test_lunch_break_is_not_business_time(lunch: BusinessCalendar) -> None:
    monday = london(2026, 3, 2, 9)
    assert lunch.add(monday, 3 * H + 30 * timedelta(minutes=1)) == london(2026, 3, 2, 12, 30)
    assert lunch.add(monday, 4 * H) == london(2026, 3, 2, 14)
    assert lunch.between(monday, london(2026, 3, 3, 9)) == timedelta(hours=7, minutes=30)
    assert not lunch.is_open(london(2026, 3, 2, 13))
    assert lunch.next_open(london(2026, 3, 2, 13)) == london(2026, 3, 2, 13, 30)
    assert list(lunch.open_intervals(london(2026, 3, 2, 12), london(2026, 3, 2, 15))) == [
        (london(2026, 3, 2, 12), london(2026, 3, 2, 12, 30)),
        (london(2026, 3, 2, 13, 30), london(2026, 3, 2, 15)),
    ]


def test_summer_time_instants_come_out_in_utc(lunch: BusinessCalendar) -> None:
    # 09:00 in London in June is 08:00 UTC.
    assert lunch.next_open(at(2026, 6, 6, 12)) == at(2026, 6, 8, 8)


def test_window_crossing_midnight_belongs_to_its_start_day(nights: BusinessCalendar) -> None:
    friday = at(2026, 3, 6, 22)
    assert nights.is_open(at(2026, 3, 7, 5, 59))
    assert not nights.is_open(at(2026, 3, 7, 6))
    assert nights.add(friday, 8 * H) == at(2026, 3, 7, 6)
    assert nights.add(friday, 9 * H) == at(2026, 3, 9, 23)
    assert nights.is_business_day(date(2026, 3, 6))
    assert not nights.is_business_day(date(2026, 3, 7))  # open until 06:00, but Friday's shift
    assert nights.end_of_business_day(date(2026, 3, 6)) == at(2026, 3, 7, 6)
    assert nights.between(at(2026, 3, 2), at(2026, 3, 9)) == 5 * 8 * H


def test_always_open_is_elapsed_time() -> None:
    cal = BusinessCalendar.always_open()
    start = at(2026, 3, 7, 13, 7)
    assert cal.add(start, timedelta(days=10, minutes=3)) == start + timedelta(days=10, minutes=3)
    assert cal.between(start, start + 100 * H) == 100 * H
    assert list(cal.open_intervals(start, start + 72 * H)) == [(start, start + 72 * H)]
    assert cal.is_business_day(date(2026, 3, 8))


def test_between_is_antisymmetric(office: BusinessCalendar) -> None:
    a, b = at(2026, 3, 2, 10), at(2026, 3, 3, 11)
    assert office.between(a, b) == 9 * H
    assert office.between(b, a) == -9 * H
    assert office.between(a, a) == timedelta(0)


# -- holidays ----------------------------------------------------------------------------------


def test_full_and_partial_holidays() -> None:
    cal = BusinessCalendar.standard(
        name="xmas",
        zone="Europe/London",
        holidays=[
            Holiday(date=date(2026, 12, 25), name="Christmas Day"),
            Holiday(
                date=date(2026, 12, 24),
                name="Christmas Eve",
                closed=(Window(start=time(12), end=time(0)),),
            ),
        ],
    )
    assert cal.between(london(2026, 12, 24), london(2026, 12, 26)) == 3 * H
    assert cal.add(london(2026, 12, 24, 11), 2 * H) == london(2026, 12, 28, 10)
    assert cal.end_of_business_day(date(2026, 12, 24)) == london(2026, 12, 24, 12)
    assert not cal.is_business_day(date(2026, 12, 25))
    assert cal.is_business_day(date(2026, 12, 24))
    with pytest.raises(ValidationError) as info:
        cal.end_of_business_day(date(2026, 12, 25))
    assert info.value.field == "day"


def test_holiday_closes_the_tail_of_yesterdays_night_window(nights: BusinessCalendar) -> None:
    cal = nights.with_holidays([Holiday(date=date(2026, 3, 3), name="Tuesday off")], version="2")
    # Monday 22:00-24:00 stays open, its tail on Tuesday is closed, and so is Tuesday 22:00-24:00;
    # Tuesday's shift after midnight falls on Wednesday and stays open.
    assert cal.between(at(2026, 3, 2, 12), at(2026, 3, 4, 12)) == 2 * H + 6 * H
    assert cal.end_of_business_day(date(2026, 3, 2)) == at(2026, 3, 3)
    assert cal.is_business_day(date(2026, 3, 3)) is True  # its shift runs into Wednesday
    assert cal.end_of_business_day(date(2026, 3, 3)) == at(2026, 3, 4, 6)


def test_uk_bank_holidays_around_christmas_and_new_year(uk: BusinessCalendar) -> None:
    # 2026: Christmas Friday, Boxing Day Saturday observed Monday 28th; New Year Friday.
    assert uk.add_business_days(date(2026, 12, 23), 1) == date(2026, 12, 24)
    assert uk.add_business_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert uk.add_business_days(date(2026, 12, 24), 3) == date(2026, 12, 31)
    assert uk.add_business_days(date(2026, 12, 24), 4) == date(2027, 1, 4)
    assert uk.add_business_days(date(2026, 12, 25), 0) == date(2026, 12, 29)
    assert uk.add_business_days(date(2026, 12, 29), 0) == date(2026, 12, 29)
    # 21-24 Dec, 29-31 Dec, 4-8 Jan: 25 and 28 Dec and 1 Jan are bank holidays.
    assert uk.business_days_between(date(2026, 12, 18), date(2027, 1, 8)) == 12
    assert uk.business_days_between(date(2027, 1, 8), date(2026, 12, 18)) == -12
    assert uk.business_days_between(date(2026, 12, 24), date(2026, 12, 24)) == 0
    assert uk.between(london(2026, 12, 24, 9), london(2027, 1, 4, 9)) == 4 * 8 * H


def test_receipt_day_rolls_after_hours_and_weekends(uk: BusinessCalendar) -> None:
    cutoff = time(17)
    assert uk.receipt_day(london(2026, 3, 4, 16, 59), cutoff=cutoff) == date(2026, 3, 4)
    assert uk.receipt_day(london(2026, 3, 4, 17), cutoff=cutoff) == date(2026, 3, 5)
    assert uk.receipt_day(london(2026, 3, 4, 23)) == date(2026, 3, 4)
    assert uk.receipt_day(london(2026, 3, 6, 18), cutoff=cutoff) == date(2026, 3, 9)
    assert uk.receipt_day(london(2026, 3, 7, 10)) == date(2026, 3, 9)
    assert uk.receipt_day(london(2026, 12, 24, 20), cutoff=cutoff) == date(2026, 12, 29)
    # 23:30 UTC on a summer Friday is already Saturday in London.
    assert uk.receipt_day(at(2026, 7, 3, 23, 30)) == date(2026, 7, 6)
    with pytest.raises(ValidationError) as info:
        uk.receipt_day(london(2026, 3, 4), cutoff=time(17, tzinfo=UTC))
    assert info.value.field == "cutoff"


def test_end_of_business_day_and_day_bounds(uk: BusinessCalendar) -> None:
    assert uk.end_of_business_day(date(2026, 7, 1)) == at(2026, 7, 1, 16)
    assert uk.start_of_day(date(2026, 7, 1)) == at(2026, 6, 30, 23)
    assert uk.end_of_day(date(2026, 7, 1)) == at(2026, 7, 1, 23)
    assert uk.end_of_day(date(2026, 3, 29)) - uk.start_of_day(date(2026, 3, 29)) == 23 * H
    assert uk.end_of_day(date(2026, 10, 25)) - uk.start_of_day(date(2026, 10, 25)) == 25 * H
    assert uk.local_date(at(2026, 7, 1, 23, 30)) == date(2026, 7, 2)
    assert uk.add_calendar_days(date(2026, 2, 27), 2) == date(2026, 3, 1)
    assert uk.add_calendar_days(date(2026, 3, 1), -1) == date(2026, 2, 28)


def test_date_skipped_by_the_zone_starts_where_the_next_one_does() -> None:
    apia = BusinessCalendar.always_open(zone="Pacific/Apia")
    assert apia.start_of_day(date(2011, 12, 30)) == apia.start_of_day(date(2011, 12, 31))
    assert not apia.is_business_day(date(2011, 12, 30))


# -- values, versions, serialization -----------------------------------------------------------


def test_holidays_are_sorted_and_with_holidays_makes_a_new_version(uk: BusinessCalendar) -> None:
    a = Holiday(date=date(2030, 5, 2), name="b")
    b = Holiday(date=date(2030, 5, 1), name="a")
    cal = BusinessCalendar.standard(name="x", zone="UTC", holidays=iter([a, b]))
    assert cal.holidays == (b, a)
    newer = uk.with_holidays([Holiday(date=date(2027, 6, 1), name="Company day")], version="2")
    assert newer.version == "2"
    assert len(newer.holidays) == len(uk.holidays) + 1
    assert not newer.is_business_day(date(2027, 6, 1))
    assert uk.is_business_day(date(2027, 6, 1))
    same = uk.with_holidays(uk.holidays[:1], version="3")
    assert same.holidays == uk.holidays
    with pytest.raises(ValidationError) as info:
        uk.with_holidays([], version=uk.version)
    assert info.value.field == "version"
    with pytest.raises(ValidationError) as info:
        uk.with_holidays([Holiday(date=uk.holidays[0].date, name="Other")], version="4")
    assert info.value.field == "holidays"


def test_round_trip_and_fingerprint(uk: BusinessCalendar, nights: BusinessCalendar) -> None:
    data = unstructure(uk)
    assert data["week"][0] == [{"start": "09:00", "end": "17:00"}]
    assert structure(data, BusinessCalendar) == uk
    odd = BusinessCalendar.standard(name="odd", zone="UTC", hours=((time(8, 0, 30, 250), time(9)),))
    assert structure(unstructure(odd), BusinessCalendar) == odd
    assert unstructure(odd)["week"][0][0]["start"] == "08:00:30.000250"
    assert uk.fingerprint() == structure(data, BusinessCalendar).fingerprint()
    assert len(uk.fingerprint()) == 64
    assert uk.fingerprint() != uk.with_holidays([], version="9").fingerprint()
    assert nights.fingerprint() != uk.fingerprint()


@pytest.mark.parametrize("bad", ["9:00", "09:00+01:00", "24:00", "09:00:00.5", 900, "T09:00"])
def test_time_must_be_strict_local_text(bad: object) -> None:
    with pytest.raises(SerializationError):
        structure({"start": bad, "end": "10:00"}, Window)


# -- errors ------------------------------------------------------------------------------------


def test_naive_datetimes_are_refused_naming_the_argument(office: BusinessCalendar) -> None:
    naive = dt.datetime(2026, 3, 2, 9)
    aware = at(2026, 3, 2, 9)
    cases: list[tuple[str, Callable[[], object]]] = [
        ("instant", lambda: office.add(naive, H)),
        ("instant", lambda: office.is_open(naive)),
        ("instant", lambda: office.next_open(naive)),
        ("start", lambda: office.between(naive, aware)),
        ("end", lambda: office.between(aware, naive)),
        ("end", lambda: list(office.open_intervals(aware, naive))),
        ("instant", lambda: office.local_date(naive)),
        ("instant", lambda: office.receipt_day(naive)),
    ]
    for field, call in cases:
        with pytest.raises(NaiveDatetimeError) as info:
            call()
        assert info.value.field == field


@pytest.mark.parametrize(
    ("field", "build"),
    [
        ("zone", lambda: BusinessCalendar.standard(name="x", zone="Mars/Olympus")),
        ("zone", lambda: BusinessCalendar.standard(name="x", zone="../etc/passwd")),
        ("zone", lambda: BusinessCalendar.standard(name="x", zone="")),
        (
            "week",
            lambda: BusinessCalendar.standard(
                name="x", zone="UTC", hours=((time(9), time(13)), (time(12), time(17)))
            ),
        ),
        (
            "week",
            lambda: BusinessCalendar(
                name="x",
                version="1",
                zone="UTC",
                week=((Window(start=time(22), end=time(6)),), (Window(start=time(5), end=time(9)),))
                + ((),) * 5,
            ),
        ),
        ("week", lambda: BusinessCalendar(name="x", version="1", zone="UTC", week=((),) * 7)),
        ("week", lambda: BusinessCalendar(name="x", version="1", zone="UTC", week=((),) * 6)),
        (
            "holidays",
            lambda: BusinessCalendar.standard(
                name="x",
                zone="UTC",
                holidays=[Holiday(date=date(2026, 1, 1), name=n) for n in ("a", "b")],
            ),
        ),
        ("version", lambda: BusinessCalendar.standard(name="x", zone="UTC", version=" ")),
        ("days", lambda: BusinessCalendar.standard(name="x", zone="UTC", days=[7])),
        ("window", lambda: Window(start=time(9), end=time(9))),
        ("window", lambda: Window(start=time(9, tzinfo=UTC), end=time(10))),
        ("date", lambda: Holiday(date=at(2026, 1, 1), name="x")),
        ("name", lambda: Holiday(date=date(2026, 1, 1), name="")),
        (
            "closed[0]",
            lambda: Holiday(
                date=date(2026, 1, 1), name="x", closed=(Window(start=time(22), end=time(6)),)
            ),
        ),
    ],
)
def test_bad_calendars_name_the_field(field: str, build: Callable[[], object]) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert info.value.field == field


def test_bad_arguments_name_the_field(office: BusinessCalendar) -> None:
    monday = at(2026, 3, 2, 9)
    cases: list[tuple[str, Callable[[], object]]] = [
        ("duration", lambda: office.add(monday, -H)),
        ("duration", lambda: office.add(monday, 3)),  # type: ignore[arg-type]
        ("n", lambda: office.add_business_days(date(2026, 3, 2), -1)),
        ("n", lambda: office.add_business_days(date(2026, 3, 2), True)),
        ("day", lambda: office.is_business_day(monday)),
        ("day", lambda: office.end_of_business_day(date(2026, 3, 7))),
        ("instant", lambda: office.is_open(dt.datetime(1, 1, 2, tzinfo=UTC))),
        ("duration", lambda: office.add(monday, timedelta(days=999_999_999))),
    ]
    for field, call in cases:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.field == field, (field, info.value)


def test_whole_day_window_is_allowed() -> None:
    whole = Window(start=time(0), end=time(0))
    assert whole.crosses_midnight
    assert whole.offsets() == (0, 86_400_000_000)


def test_dates_beyond_the_supported_years_are_a_validation_error_not_a_crash() -> None:
    office = BusinessCalendar.standard(name="office", zone="Europe/London")
    late = dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone.utc)
    calls: list[Callable[[], object]] = [
        lambda: office.receipt_day(late, cutoff=time(17)),
        lambda: office.add_calendar_days(date(9999, 12, 30), 5),
        lambda: office.add_business_days(date(9997, 12, 30), 3),
        lambda: office.is_business_day(date(9999, 1, 1)),
    ]
    for call in calls:
        with pytest.raises(ValidationError, match=r"supported years|is not a date"):
            call()
