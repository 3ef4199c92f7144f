"""
Business calendars: when an organization is open, in its own time zone, as a versioned value.

A :class:`BusinessCalendar` has a time zone (an IANA name), a week of opening :class:`Window`\\ s
(several per day, and windows that cross midnight), and :class:`Holiday`\\ s that close a whole
local date or some hours of it. It answers the questions an SLA needs: is this instant open, how
much open time lies between two instants, which instant is a given amount of open time after
another, and how business days count.

Instants go in as aware datetimes with any offset and come out as aware UTC datetimes; a naive
datetime raises :class:`~iso10002.errors.NaiveDatetimeError` naming the argument.

**Daylight saving time.** A window covers exactly the instants whose local wall-clock time falls
within ``[start, end)`` on its date. When clocks spring forward, the skipped wall times do not
exist, so a window that spans the gap is shorter (09:00-17:00 on a day that skips 02:00-03:00
still lasts 8 hours, but 01:00-03:00 lasts one); when clocks fall back, the repeated wall times
occur twice, so a window that spans the fold is longer. Holidays close wall-clock time the same
way.

A calendar is a value: changing its holidays makes a new calendar with a new ``version``, and
:meth:`BusinessCalendar.fingerprint` hashes its whole content so that a recorded deadline can
show which calendar produced it.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from iso10002.errors import NaiveDatetimeError, ValidationError
from iso10002.model import _checks as check
from iso10002.sla import _timeline as tl

__all__ = ["BusinessCalendar", "Holiday", "Window"]

_MIDNIGHT = _dt.time(0)
_ZERO = _dt.timedelta(0)


def _time_us(t: _dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * tl.US + t.microsecond


def _naive_time(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, _dt.time):
        raise ValidationError("window", f"{attribute.name}: expected a time, got {value!r}")
    if value.tzinfo is not None:
        raise ValidationError(
            "window", f"{attribute.name}: must be a local wall-clock time without tzinfo"
        )


@attrs.frozen(kw_only=True)
class Window:
    """
    A local wall-clock range ``[start, end)`` within a day.

    ``end <= start`` means the window crosses midnight into the next day (22:00-06:00), and
    ``end == time(0)`` means "until midnight"; ``start == end`` is refused except for
    00:00-00:00, the whole day.
    """

    start: _dt.time = attrs.field(validator=_naive_time)
    end: _dt.time = attrs.field(validator=_naive_time)

    def __attrs_post_init__(self) -> None:
        if self.start == self.end and self.start != _MIDNIGHT:
            raise ValidationError(
                "window", f"start and end are both {self.start}; use 00:00-00:00 for a whole day"
            )

    @property
    def crosses_midnight(self) -> bool:
        """Whether the window ends on the next date (an end at exactly midnight counts)."""
        return self.end <= self.start

    def offsets(self) -> tuple[int, int]:
        """Start and end in microseconds after the local midnight of the day the window starts."""
        start = _time_us(self.start)
        end = _time_us(self.end)
        return start, (end + tl.DAY if self.end <= self.start else end)


def _tuple_of_windows(value: Any) -> Any:
    # Anything else is left for the validator to reject with a message naming the field.
    if isinstance(value, Iterable) and not isinstance(value, (str, Window)):
        return tuple(value)
    return value


def _check_closed(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.tuple_of(Window)(_inst, attribute, value)
    assert isinstance(value, tuple)
    for index, window in enumerate(value):
        if window.end <= window.start and window.end != _MIDNIGHT:
            raise ValidationError(
                f"closed[{index}]",
                f"{window.start}-{window.end} crosses midnight; a holiday closes its own date only",
            )


def _plain_date(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise ValidationError(attribute.name, f"expected a date, got {value!r}")


@attrs.frozen(kw_only=True)
class Holiday:
    """
    A local date on which the calendar is closed, entirely or in part.

    ``closed=()`` closes the whole date; otherwise only the given wall-clock ranges of that date
    are closed, e.g. ``(Window(start=time(12), end=time(0)),)`` closes from noon (a half day).
    Closing a date also closes the part of a window from the day before that runs past midnight.
    """

    date: _dt.date = attrs.field(validator=_plain_date)
    name: str = attrs.field(validator=check.text)
    closed: tuple[Window, ...] = attrs.field(
        default=(), converter=_tuple_of_windows, validator=_check_closed
    )

    def offsets(self) -> tuple[tuple[int, int], ...]:
        """The closed ranges in microseconds after the date's local midnight."""
        if not self.closed:
            return ((0, tl.DAY),)
        return tuple(w.offsets() for w in self.closed)


def _week_converter(value: Any) -> Any:
    if isinstance(value, Iterable) and not isinstance(value, str):
        return tuple(_tuple_of_windows(day) for day in value)
    return value


def _check_week(_inst: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    if not isinstance(value, tuple) or len(value) != 7:
        raise ValidationError("week", "expected 7 entries of windows, Monday to Sunday")
    for index, day in enumerate(value):
        if not isinstance(day, tuple) or not all(isinstance(w, Window) for w in day):
            raise ValidationError("week", f"{days[index]}: expected a tuple of Window")
    if not any(value):
        raise ValidationError("week", "has no window: the calendar would never be open")
    for index, day in enumerate(value):
        ranges = sorted(w.offsets() for w in day)
        # The tail of yesterday's window that crosses midnight takes part in today's check.
        ranges += [
            (a - tl.DAY, b - tl.DAY)
            for a, b in (w.offsets() for w in value[index - 1])
            if b > tl.DAY
        ]
        ranges.sort()
        for (a0, b0), (a1, _) in pairwise(ranges):
            if a1 < b0:
                raise ValidationError(
                    "week", f"{days[index]}: windows overlap ({_fmt(a0, b0)} and {_fmt(a1, _)})"
                )


def _fmt(a: int, b: int) -> str:
    def one(us: int) -> str:
        minutes = (us % tl.DAY) // (60 * tl.US)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return f"{one(a)}-{one(b)}"


def _holidays_converter(value: Any) -> Any:
    if not isinstance(value, Iterable) or isinstance(value, str):
        return value
    items = tuple(value)
    if all(isinstance(h, Holiday) for h in items):
        return tuple(sorted(items, key=lambda h: h.date))
    return items


def _check_holidays(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.tuple_of(Holiday)(_inst, attribute, value)
    assert isinstance(value, tuple)
    for before, after in pairwise(value):
        if before.date == after.date:
            raise ValidationError(
                "holidays",
                f"two holidays on {after.date.isoformat()} ({before.name!r} and {after.name!r})",
            )


def _check_zone(_inst: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("zone", f"expected an IANA time zone name, got {value!r}")
    try:
        ZoneInfo(value)
    except Exception as e:  # ZoneInfoNotFoundError, or ValueError for a malformed key
        raise ValidationError("zone", f"{value!r} is not a known IANA time zone") from e


def _instant(value: object, name: str) -> int:
    if not isinstance(value, _dt.datetime):
        raise ValidationError(name, f"expected an aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(name)
    return tl.to_us(value)


_FIRST_ORDINAL = _dt.date(tl.MIN_YEAR, 1, 1).toordinal()
_LAST_ORDINAL = _dt.date(tl.MAX_YEAR, 12, 31).toordinal()


def _day(value: object, name: str) -> int:
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise ValidationError(name, f"expected a date, got {value!r}")
    return value.toordinal()


def _count(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(name, f"expected an integer, got {value!r}")
    return value


_OUT_OF_RANGE = f"outside the supported years {tl.MIN_YEAR}-{tl.MAX_YEAR}"


@attrs.frozen(kw_only=True, cache_hash=True)
class BusinessCalendar:
    """
    When an organization is open: a time zone, a week of windows and holidays, as a value.

    ``week`` has seven entries, Monday to Sunday, each a tuple of non-overlapping
    :class:`Window`\\ s; a window that crosses midnight belongs to the day it starts on.
    ``holidays`` are stored sorted by date, one per date. ``version`` names this content: a
    changed holiday list is a new version (see :meth:`with_holidays`).

    Open time follows the local wall clock, including across DST changes (see the module
    documentation): a window covers the instants whose local time lies in ``[start, end)`` on
    its date, so it is shorter across a spring-forward gap and longer across a fall-back fold.

    Raises:
        ValidationError: on ``name``, ``version``, ``zone`` (unknown IANA name), ``week`` (not
            seven days, overlapping windows, no window at all) or ``holidays`` (two on one date).
    """

    name: str = attrs.field(validator=check.text)
    version: str = attrs.field(validator=check.text)
    zone: str = attrs.field(validator=_check_zone)
    week: tuple[tuple[Window, ...], ...] = attrs.field(
        converter=_week_converter, validator=_check_week
    )
    holidays: tuple[Holiday, ...] = attrs.field(
        default=(), converter=_holidays_converter, validator=_check_holidays
    )
    _engine: tl.Engine = attrs.field(init=False, eq=False, hash=False, repr=False)
    _tz: ZoneInfo = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        zone = ZoneInfo(self.zone)
        closures = {h.date.toordinal(): h.offsets() for h in self.holidays}
        week = tuple(tuple(sorted(w.offsets() for w in day)) for day in self.week)
        object.__setattr__(self, "_tz", zone)
        object.__setattr__(self, "_engine", tl.Engine(zone, week, closures))

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def standard(
        cls,
        *,
        name: str,
        zone: str,
        version: str = "1",
        hours: Iterable[tuple[_dt.time, _dt.time]] = ((_dt.time(9), _dt.time(17)),),
        days: Iterable[int] = range(5),
        holidays: Iterable[Holiday] = (),
    ) -> BusinessCalendar:
        """
        The same ``hours`` on each of ``days`` (0 = Monday … 6 = Sunday), closed on ``holidays``.

        ``hours`` may hold several ranges, e.g. ``((time(9), time(12, 30)), (time(13, 30),
        time(17, 30)))`` for a lunch break.

        Raises:
            ValidationError: ``days`` outside 0-6, or any error of the calendar itself.
        """
        chosen = set()
        for day in days:
            if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6:
                raise ValidationError("days", f"expected weekdays 0 (Monday) to 6, got {day!r}")
            chosen.add(day)
        windows = tuple(Window(start=start, end=end) for start, end in hours)
        return cls(
            name=name,
            version=version,
            zone=zone,
            week=tuple(windows if i in chosen else () for i in range(7)),
            holidays=holidays,
        )

    @classmethod
    def always_open(cls, *, name: str = "calendar-time", zone: str = "UTC") -> BusinessCalendar:
        """Open around the clock every day: business time equals elapsed time."""
        whole_day = (Window(start=_MIDNIGHT, end=_MIDNIGHT),)
        return cls(name=name, version="1", zone=zone, week=(whole_day,) * 7)

    def with_holidays(self, holidays: Iterable[Holiday], *, version: str) -> BusinessCalendar:
        """
        This calendar with ``holidays`` added, as the new ``version``.

        A holiday equal to one already present is ignored.

        Raises:
            ValidationError: ``version`` unchanged, or a new holiday on a date that already has a
                different one (``holidays``).
        """
        if version == self.version:
            raise ValidationError(
                "version", f"adding holidays makes a new calendar; {version!r} is the current one"
            )
        known = {h.date: h for h in self.holidays}
        merged = dict(known)
        for holiday in holidays:
            if not isinstance(holiday, Holiday):
                raise ValidationError("holidays", f"expected Holiday, got {type(holiday).__name__}")
            present = merged.get(holiday.date)
            if present is not None and present != holiday:
                raise ValidationError(
                    "holidays",
                    f"{holiday.date.isoformat()} already has {present.name!r}; "
                    f"cannot also add {holiday.name!r}",
                )
            merged[holiday.date] = holiday
        return BusinessCalendar(
            name=self.name,
            version=version,
            zone=self.zone,
            week=self.week,
            holidays=merged.values(),
        )

    def fingerprint(self) -> str:
        """
        SHA-256 (hex) of the calendar's canonical JSON: name, version, zone, week, holidays.

        Two calendars with the same content have the same fingerprint on any machine, so a
        recorded deadline can prove which calendar produced it.
        """
        return _fingerprint(self)

    # -- instants -----------------------------------------------------------------------------

    def is_open(self, instant: _dt.datetime) -> bool:
        """Whether ``instant`` lies in open time."""
        u = _instant(instant, "instant")
        try:
            return self._engine.is_open(u)
        except tl.OutOfRange:
            raise ValidationError("instant", _OUT_OF_RANGE) from None

    def next_open(self, instant: _dt.datetime) -> _dt.datetime:
        """``instant`` itself (in UTC) if it is open, else the start of the next open interval."""
        u = _instant(instant, "instant")
        try:
            return tl.from_us(self._engine.next_open(u))
        except tl.OutOfRange:
            raise ValidationError("instant", _OUT_OF_RANGE) from None

    def add(self, instant: _dt.datetime, duration: _dt.timedelta) -> _dt.datetime:
        """
        The instant ``duration`` of open time after ``instant``, in UTC.

        It is the earliest ``t >= instant`` with ``between(instant, t) == duration``, so a
        duration that fills the day exactly ends at the closing time (8 hours from Monday 09:00
        on a 09:00-17:00 calendar is Monday 17:00, not Tuesday 09:00), and ``add(x, 0) == x``.

        Raises:
            NaiveDatetimeError: ``instant`` is naive.
            ValidationError: ``duration`` is negative or the result is past the supported years.
        """
        u = _instant(instant, "instant")
        if not isinstance(duration, _dt.timedelta):
            raise ValidationError("duration", f"expected a timedelta, got {duration!r}")
        if duration < _ZERO:
            raise ValidationError("duration", f"must not be negative, got {duration}")
        try:
            if not duration:
                self._engine.cover(u, u)
                return tl.from_us(u)
            return tl.from_us(self._engine.add(u, tl.td_us(duration)))
        except tl.OutOfRange:
            raise ValidationError("duration", f"the result is {_OUT_OF_RANGE}") from None

    def between(self, start: _dt.datetime, end: _dt.datetime) -> _dt.timedelta:
        """Open time in ``[start, end)``; ``-between(end, start)`` when ``end < start``."""
        u = _instant(start, "start")
        v = _instant(end, "end")
        try:
            return _dt.timedelta(microseconds=self._engine.between(u, v))
        except tl.OutOfRange:
            raise ValidationError("start", _OUT_OF_RANGE) from None

    def between_micros(self, start: int, end: int) -> int:
        """
        :meth:`between` for instants given as microseconds since the Unix epoch, in
        microseconds: for bulk work such as KPIs over many complaints, without building
        datetimes.
        """
        try:
            return self._engine.between(start, end)
        except tl.OutOfRange:
            raise ValidationError("start", _OUT_OF_RANGE) from None

    def open_intervals(
        self, start: _dt.datetime, end: _dt.datetime
    ) -> Iterator[tuple[_dt.datetime, _dt.datetime]]:
        """
        The open intervals within ``[start, end)``, clipped to it, in order, as UTC pairs.

        Intervals that touch (a window ending at midnight and one starting then) come out as one.
        """
        u = _instant(start, "start")
        v = _instant(end, "end")
        try:
            found = self._engine.intervals(u, v)
        except tl.OutOfRange:
            raise ValidationError("start", _OUT_OF_RANGE) from None
        return iter([(tl.from_us(a), tl.from_us(b)) for a, b in found])

    def local_date(self, instant: _dt.datetime) -> _dt.date:
        """The date on the calendar's local wall clock at ``instant``."""
        _instant(instant, "instant")
        return instant.astimezone(self._tz).date()

    # -- dates --------------------------------------------------------------------------------

    def _owned(self, ordinal: int, name: str) -> tuple[tuple[int, int], ...]:
        if not _FIRST_ORDINAL <= ordinal <= _LAST_ORDINAL:
            raise ValidationError(name, _OUT_OF_RANGE)
        return self._engine.owned(ordinal)

    def is_business_day(self, day: _dt.date) -> bool:
        """
        Whether ``day`` has open time in the windows that start on it.

        A window that crosses midnight counts for the day it starts on, so with Monday-Friday
        22:00-06:00 windows Saturday is not a business day even though it is open until 06:00.
        """
        return bool(self._owned(_day(day, "day"), "day"))

    def add_business_days(self, day: _dt.date, n: int) -> _dt.date:
        """
        The ``n``-th business day after ``day`` (``day`` itself not counted).

        ``n == 0`` gives ``day`` if it is a business day, else the next business day.

        Raises:
            ValidationError: ``n`` is negative.
        """
        ordinal = _day(day, "day")
        n = _count(n, "n")
        if n < 0:
            raise ValidationError("n", f"must not be negative, got {n}")
        if n == 0:
            while not self._owned(ordinal, "day"):
                ordinal += 1
            return _dt.date.fromordinal(ordinal)
        while n:
            ordinal += 1
            if self._owned(ordinal, "n"):
                n -= 1
        return _dt.date.fromordinal(ordinal)

    def business_days_between(self, start: _dt.date, end: _dt.date) -> int:
        """
        The number of business days ``d`` with ``start < d <= end``.

        Negative (``-business_days_between(end, start)``) when ``end`` is before ``start``.
        """
        a = _day(start, "start")
        b = _day(end, "end")
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        return sign * sum(1 for o in range(a + 1, b + 1) if self._owned(o, "end"))

    def end_of_business_day(self, day: _dt.date) -> _dt.datetime:
        """
        The end (UTC) of the last open interval of the windows that start on ``day``.

        For a window that crosses midnight this is on the next date.

        Raises:
            ValidationError: ``day`` is not a business day.
        """
        owned = self._owned(_day(day, "day"), "day")
        if not owned:
            raise ValidationError("day", f"{day.isoformat()} is not a business day")
        return tl.from_us(owned[-1][1])

    def start_of_day(self, day: _dt.date) -> _dt.datetime:
        """The first instant (UTC) of the local date ``day``."""
        ordinal = _day(day, "day")
        self._owned(ordinal, "day")
        return tl.from_us(self._engine.day_bounds(ordinal)[0])

    def end_of_day(self, day: _dt.date) -> _dt.datetime:
        """The first instant (UTC) of the local date after ``day``: the midnight that ends it."""
        ordinal = _day(day, "day")
        self._owned(ordinal, "day")
        return tl.from_us(self._engine.day_bounds(ordinal)[1])

    def add_calendar_days(self, day: _dt.date, n: int) -> _dt.date:
        """``day`` plus ``n`` calendar days (``n`` may be negative)."""
        _day(day, "day")
        try:
            return day + _dt.timedelta(days=_count(n, "n"))
        except OverflowError as e:
            raise ValidationError("n", f"{day} plus {n} days is not a date: {e}") from e

    def receipt_day(self, instant: _dt.datetime, *, cutoff: _dt.time | None = None) -> _dt.date:
        """
        The date a complaint received at ``instant`` counts as received, for day counting.

        It is the local date of ``instant``, rolled to the next business day when that date is
        not a business day, or when ``cutoff`` is given and the local time is at or after it
        (a complaint received after the cut-off counts as received on the next business day).

        Raises:
            ValidationError: ``cutoff`` is not a naive time.
        """
        _instant(instant, "instant")
        if cutoff is not None and (not isinstance(cutoff, _dt.time) or cutoff.tzinfo is not None):
            raise ValidationError("cutoff", f"expected a local time without tzinfo, got {cutoff!r}")
        day = self.local_date(instant)
        local = instant.astimezone(self._tz)
        late = cutoff is not None and local.time() >= cutoff
        if late or not self.is_business_day(day):
            return self.add_business_days(day, 1)
        return day


@functools.lru_cache(maxsize=256)
def _fingerprint(calendar: BusinessCalendar) -> str:
    # Every complaint a policy applies to records the fingerprint; a calendar is an immutable
    # value, so hashing its JSON once is enough.
    # Imported here: the serialization module may come to know SLA records, which import us.
    from iso10002.serialization import canonical_json, unstructure

    text = canonical_json(unstructure(calendar))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
