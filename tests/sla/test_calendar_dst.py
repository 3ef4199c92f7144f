"""
The calendar across DST changes: exact gap and fold durations, and properties near transitions.

Instants are drawn within three days of the real transitions of 2024-2027 (found here by scanning
zoneinfo, independently of the calendar's own search), in zones with one-hour, half-hour
(Australia/Lord_Howe) and 45-minute-offset (Pacific/Chatham) changes, and one without DST
(Asia/Kolkata). A minute-by-minute count of the wall-clock rule is the oracle for ``between``.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, time, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso10002.sla.calendar import BusinessCalendar, Holiday, Window

UTC = dt.timezone.utc
H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
US = timedelta(microseconds=1)
ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
)
KINDS = ("office", "split", "early", "night", "always", "holey")

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def transitions(zone_name: str) -> tuple[dt.datetime, ...]:
    """UTC instants of the offset changes of 2024-2027, or a few plain dates without DST."""
    zone = ZoneInfo(zone_name)
    found = []
    t = dt.datetime(2024, 1, 1, tzinfo=UTC)
    end = dt.datetime(2028, 1, 1, tzinfo=UTC)
    step = timedelta(minutes=30)
    before = t.astimezone(zone).utcoffset()
    while t < end:
        after = (t + step).astimezone(zone).utcoffset()
        if after != before:
            m = t
            while (m + MINUTE).astimezone(zone).utcoffset() == before:
                m += MINUTE
            found.append(m + MINUTE)
        t, before = t + step, after
    if not found:
        found = [dt.datetime(y, 6, 1, tzinfo=UTC) for y in range(2024, 2028)]
    return tuple(found)


def _whole(windows: tuple[Window, ...], days: range = range(7)) -> tuple[tuple[Window, ...], ...]:
    return tuple(windows if i in days else () for i in range(7))


@cache
def calendar(zone: str, kind: str) -> BusinessCalendar:
    w = Window
    if kind == "office":
        week = _whole((w(start=time(9), end=time(17)),), range(5))
    elif kind == "split":
        week = _whole(
            (w(start=time(9), end=time(12, 30)), w(start=time(13, 30), end=time(17, 30))), range(6)
        )
    elif kind == "early":
        week = _whole((w(start=time(1), end=time(3)),))
    elif kind == "night":
        week = _whole((w(start=time(22), end=time(6)),))
    else:
        week = _whole((w(start=time(0), end=time(0)),))
    holidays: list[Holiday] = []
    if kind == "holey":
        local_days = sorted({t.astimezone(ZoneInfo(zone)).date() for t in transitions(zone)})
        for i, day in enumerate(local_days):
            closed = () if i % 3 == 0 else (w(start=time(1, 30), end=time(2, 45)),)
            holidays.append(Holiday(date=day, name="closure", closed=closed))
    return BusinessCalendar(name=kind, version="1", zone=zone, week=week, holidays=holidays)


def u(instant: dt.datetime) -> dt.datetime:
    """The instant in UTC, for comparisons that must not read the wall clock."""
    return instant.astimezone(UTC)


@st.composite
def near_transition(draw: st.DrawFn, zone: str) -> dt.datetime:
    anchor = draw(st.sampled_from(transitions(zone)))
    seconds = draw(st.integers(-3 * 86_400, 3 * 86_400))
    micro = draw(st.sampled_from([0, 0, 0, 1, 999_999, 500_000]))
    return (anchor + timedelta(seconds=seconds, microseconds=micro)).astimezone(ZoneInfo(zone))


@st.composite
def case(draw: st.DrawFn) -> tuple[BusinessCalendar, dt.datetime, dt.datetime, dt.datetime]:
    zone = draw(st.sampled_from(ZONES))
    kind = draw(st.sampled_from(KINDS))
    # Same-zone datetimes compare by wall clock, ignoring fold: order them by UTC.
    points = sorted((draw(near_transition(zone)) for _ in range(3)), key=u)
    return calendar(zone, kind), points[0], points[1], points[2]


durations = st.one_of(
    st.integers(0, 4 * 24 * 60).map(lambda m: m * MINUTE),
    st.integers(0, 4 * 86_400 * 10**6).map(lambda u: u * US),
)


@SETTINGS
@given(case(), durations)
def test_between_measures_what_add_added(
    c: tuple[BusinessCalendar, dt.datetime, dt.datetime, dt.datetime], d: timedelta
) -> None:
    cal, s, _, _ = c
    end = cal.add(s, d)
    assert end >= u(s)
    assert end.tzinfo is UTC
    assert cal.between(s, end) == d
    if d:
        # Never in closed time: the instant just before the result is open.
        assert cal.is_open(end - US)
        assert cal.add(s, d - US) < end


@SETTINGS
@given(case())
def test_add_inverts_between_inside_open_time(
    c: tuple[BusinessCalendar, dt.datetime, dt.datetime, dt.datetime],
) -> None:
    cal, s, _, e = c
    back = cal.add(s, cal.between(s, e))
    assert back <= u(e)
    if cal.is_open(e) and cal.is_open(u(e) - US):
        assert back == u(e)
    else:
        assert cal.between(back, e) == timedelta(0)


@SETTINGS
@given(case(), durations, durations)
def test_add_is_monotonic_in_both_arguments(
    c: tuple[BusinessCalendar, dt.datetime, dt.datetime, dt.datetime],
    d1: timedelta,
    d2: timedelta,
) -> None:
    cal, s1, s2, _ = c
    d1, d2 = sorted((d1, d2))
    assert cal.add(s1, d1) <= cal.add(s1, d2)
    assert cal.add(s1, d1) <= cal.add(s2, d1)


@SETTINGS
@given(case())
def test_between_is_additive(
    c: tuple[BusinessCalendar, dt.datetime, dt.datetime, dt.datetime],
) -> None:
    cal, a, b, e = c
    assert cal.between(a, b) + cal.between(b, e) == cal.between(a, e)
    assert cal.between(e, a) == -cal.between(a, e)
    intervals = list(cal.open_intervals(a, e))
    assert sum((y - x for x, y in intervals), timedelta(0)) == cal.between(a, e)
    for (_, end0), (start1, _) in pairwise(intervals):
        assert end0 < start1


@SETTINGS
@given(case())
def test_next_open_is_the_first_open_instant(
    c: tuple[BusinessCalendar, dt.datetime, dt.datetime, dt.datetime],
) -> None:
    cal, x, _, _ = c
    n = cal.next_open(x)
    assert n >= u(x)
    assert cal.is_open(n)
    assert cal.between(x, n) == timedelta(0)
    assert cal.is_open(x) == (n == u(x))


def _open_by_wall_clock(cal: BusinessCalendar, instant: dt.datetime) -> bool:
    """The documented rule, evaluated on the local wall clock of one instant."""
    local = instant.astimezone(ZoneInfo(cal.zone))
    day, clock = local.date(), local.time().replace(fold=0)
    closures = {h.date: h for h in cal.holidays}
    holiday = closures.get(day)
    if holiday is not None and (
        not holiday.closed
        or any(w.start <= clock and (clock < w.end or w.end == time(0)) for w in holiday.closed)
    ):
        return False
    for w in cal.week[day.weekday()]:
        if w.start <= clock and (w.end <= w.start or clock < w.end):
            return True
    yesterday = (day.weekday() - 1) % 7
    return any(w.end <= w.start and clock < w.end for w in cal.week[yesterday])


@settings(max_examples=25, deadline=None)
@given(case(), st.integers(0, 36 * 60))
def test_between_matches_a_minute_by_minute_count(
    c: tuple[BusinessCalendar, dt.datetime, dt.datetime, dt.datetime], minutes: int
) -> None:
    cal, s, _, _ = c
    # Every window and transition here falls on a whole minute, so each minute is open or not.
    start = s.astimezone(UTC).replace(second=0, microsecond=0)
    open_minutes = sum(_open_by_wall_clock(cal, start + i * MINUTE) for i in range(minutes))
    assert cal.between(start, start + minutes * MINUTE) == open_minutes * MINUTE


# -- exact gap and fold durations --------------------------------------------------------------


def daily(zone: str, start: time, end: time) -> BusinessCalendar:
    return BusinessCalendar(
        name="daily", version="1", zone=zone, week=((Window(start=start, end=end),),) * 7
    )


def only_on(zone: str, day: date, start: time, end: time) -> BusinessCalendar:
    """One window on the weekday of ``day`` only, so a two-day span holds just that window."""
    week = tuple((Window(start=start, end=end),) if i == day.weekday() else () for i in range(7))
    return BusinessCalendar(name="one", version="1", zone=zone, week=week)


@pytest.mark.parametrize(
    ("zone", "day", "start", "end", "expected"),
    [
        # London springs forward 01:00 GMT -> 02:00 BST on 29 March 2026: 01:00-02:00 is missing.
        ("Europe/London", date(2026, 3, 29), time(1), time(2), timedelta(0)),
        ("Europe/London", date(2026, 3, 29), time(0, 30), time(3), timedelta(hours=1.5)),
        ("Europe/London", date(2026, 3, 29), time(9), time(17), 8 * H),
        ("Europe/London", date(2026, 3, 29), time(0), time(0), 23 * H),
        ("Europe/London", date(2026, 3, 28), time(22), time(6), 7 * H),
        # London falls back 02:00 BST -> 01:00 GMT on 25 October 2026: 01:00-02:00 happens twice.
        ("Europe/London", date(2026, 10, 25), time(1), time(2), 2 * H),
        ("Europe/London", date(2026, 10, 25), time(0, 30), time(3), timedelta(hours=3.5)),
        ("Europe/London", date(2026, 10, 25), time(1, 30), time(1, 45), timedelta(minutes=30)),
        ("Europe/London", date(2026, 10, 25), time(0), time(0), 25 * H),
        ("Europe/London", date(2026, 10, 24), time(22), time(6), 9 * H),
        # Lord Howe moves by half an hour: back 02:00 -> 01:30 on 5 April 2026,
        # forward 02:00 -> 02:30 on 4 October 2026.
        ("Australia/Lord_Howe", date(2026, 4, 5), time(1), time(3), timedelta(hours=2.5)),
        ("Australia/Lord_Howe", date(2026, 4, 5), time(0), time(0), timedelta(hours=24.5)),
        ("Australia/Lord_Howe", date(2026, 10, 4), time(1), time(3), timedelta(hours=1.5)),
        ("Australia/Lord_Howe", date(2026, 10, 4), time(2), time(2, 30), timedelta(0)),
        ("Australia/Lord_Howe", date(2026, 10, 4), time(0), time(0), timedelta(hours=23.5)),
    ],
)
def test_gap_shortens_and_fold_lengthens_a_window(
    zone: str, day: date, start: time, end: time, expected: timedelta
) -> None:
    cal = only_on(zone, day, start, end)
    span = cal.between(cal.start_of_day(day), cal.end_of_day(day + timedelta(days=1)))
    assert span == expected
    assert cal.is_business_day(day) == bool(expected)
    if expected:
        first = cal.next_open(cal.start_of_day(day))
        assert cal.add(first, expected) == cal.end_of_business_day(day)


def test_fold_window_is_two_separate_hours_in_utc() -> None:
    cal = daily("Europe/London", time(1, 15), time(1, 45))
    day = date(2026, 10, 25)
    found = list(cal.open_intervals(cal.start_of_day(day), cal.end_of_day(day)))
    utc = dt.datetime
    assert found == [
        (utc(2026, 10, 25, 0, 15, tzinfo=UTC), utc(2026, 10, 25, 0, 45, tzinfo=UTC)),
        (utc(2026, 10, 25, 1, 15, tzinfo=UTC), utc(2026, 10, 25, 1, 45, tzinfo=UTC)),
    ]
    assert cal.add(utc(2026, 10, 25, 0, 30, tzinfo=UTC), 30 * MINUTE) == utc(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )


def test_adding_across_the_change_keeps_local_opening_hours() -> None:
    cal = BusinessCalendar.standard(name="office", zone="Europe/London")
    friday = dt.datetime(2026, 3, 27, 16, tzinfo=ZoneInfo("Europe/London"))
    # One hour on Friday (GMT), one on Monday from 09:00 BST, which is 08:00 UTC.
    assert cal.add(friday, 2 * H) == dt.datetime(2026, 3, 30, 9, tzinfo=UTC)
    monday = date(2026, 3, 30)
    assert cal.between(cal.start_of_day(monday), cal.end_of_day(monday)) == 8 * H
