"""
Day-counted deadlines are kept per local day (``sla.policy._day_deadline``): every start on one
local day (on the same side of a cut-off) shares one answer. These tests hold the kept answer to
the one computed from the start itself (``Target._compute``), across DST changes, partial and
whole-day holidays, windows that cross midnight, cut-offs and day-counting rules.
"""

from __future__ import annotations

import datetime as dt
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso10002.errors import NaiveDatetimeError, ValidationError
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.policy import DueAt, Target, Unit

from .test_calendar_dst import KINDS, ZONES, calendar, near_transition

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAY_UNITS = (Unit.BUSINESS_DAYS, Unit.CALENDAR_DAYS, Unit.WEEKS, Unit.MONTHS)


@st.composite
def targets(draw: st.DrawFn) -> Target:
    unit = draw(st.sampled_from(DAY_UNITS))
    due_at = DueAt.END_OF_DAY
    if unit is Unit.BUSINESS_DAYS:
        due_at = draw(st.sampled_from(DueAt))
    cutoff = draw(
        st.one_of(
            st.none(),
            st.sampled_from([time(0, 30), time(1, 30), time(2, 15), time(16), time(23, 59)]),
        )
    )
    return Target(
        amount=draw(st.integers(1, 40)),
        unit=unit,
        count_start_day=draw(st.booleans()),
        due_at=due_at,
        cutoff=cutoff,
    )


def computed(target: Target, cal: BusinessCalendar, start: dt.datetime) -> object:
    """What the target gives from ``start`` itself, or the kind of error it raises."""
    try:
        return target._compute(cal, start)
    except ValidationError as e:
        return type(e)


def kept(target: Target, cal: BusinessCalendar, start: dt.datetime) -> object:
    """What ``deadline`` gives (through the caches), or the kind of error it raises."""
    try:
        return target.deadline(cal, start)
    except ValidationError as e:
        return type(e)


@SETTINGS
@given(
    st.sampled_from(ZONES),
    st.sampled_from(KINDS),
    targets(),
    st.data(),
)
def test_a_deadline_kept_for_a_day_is_the_one_each_start_of_that_day_gives(
    zone: str, kind: str, target: Target, data: st.DataObject
) -> None:
    cal = calendar(zone, kind)
    first = data.draw(near_transition(zone))
    # Another start of the same local day (any offset it is given in, either side of the fold),
    # asked second: it is answered from what the first one kept.
    local = first.astimezone(ZoneInfo(zone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    shift = data.draw(st.integers(0, 26 * 3600 - 1))
    second = (midnight.astimezone(dt.timezone.utc) + timedelta(seconds=shift)).astimezone(
        data.draw(
            st.sampled_from([dt.timezone.utc, ZoneInfo(zone), dt.timezone(timedelta(hours=-7))])
        )
    )
    starts = [first, second, first.astimezone(dt.timezone.utc)]
    if target.cutoff is not None:
        # Exactly at the cut-off, and just before it, on the first start's local day.
        at = local.replace(hour=target.cutoff.hour, minute=target.cutoff.minute, second=0)
        starts += [at.replace(microsecond=0), at.replace(microsecond=0) - timedelta(microseconds=1)]
    for start in starts:
        assert kept(target, cal, start) == computed(target, cal, start), start


def test_a_naive_start_is_still_refused() -> None:
    target = Target(amount=3, unit=Unit.BUSINESS_DAYS)
    cal = calendar("Europe/London", "office")
    with pytest.raises(NaiveDatetimeError):
        target.deadline(cal, dt.datetime(2026, 3, 2, 9))


def test_starts_on_either_side_of_the_cut_off_get_their_own_day() -> None:
    target = Target(amount=1, unit=Unit.BUSINESS_DAYS, cutoff=time(16))
    cal = calendar("Europe/London", "office")
    london = ZoneInfo("Europe/London")
    before = dt.datetime(2026, 3, 2, 15, 59, tzinfo=london)  # a Monday
    after = dt.datetime(2026, 3, 2, 16, 0, tzinfo=london)
    assert target.deadline(cal, before) == dt.datetime(2026, 3, 4, 0, tzinfo=london)
    assert target.deadline(cal, after) == dt.datetime(2026, 3, 5, 0, tzinfo=london)
