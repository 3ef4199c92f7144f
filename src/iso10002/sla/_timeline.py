"""
The interval engine behind :class:`~iso10002.sla.calendar.BusinessCalendar`.

Everything here works on integers: instants are UTC microseconds since 1970-01-01, and "wall"
values are local wall-clock readings counted the same way (a naive local datetime read as if it
were UTC). A wall range becomes UTC intervals by cutting the UTC axis into segments of constant
offset: on a segment with offset ``o`` the instants whose wall time lies in ``[a, b)`` are exactly
``[a - o, b - o)``. That one rule gives the documented DST behaviour for free: a wall range that
falls into a spring-forward gap loses the missing wall times, and one that covers a fall-back fold
meets the repeated wall times twice.

The open time of the calendar is kept as one sorted array of disjoint intervals over a range of
whole UTC years, with prefix sums of their lengths, so that ``between`` and ``add`` are two binary
searches whatever the duration. The arrays are rebuilt (from per-date caches) when a query leaves
the covered years.
"""

from __future__ import annotations

import datetime as _dt
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

US = 1_000_000
DAY = 86_400 * US
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
# Years whose local dates stay inside datetime's range whatever the offset.
MIN_YEAR = 3
MAX_YEAR = 9997
# Offsets are sampled this often to find transitions; zones never change twice within it.
_SAMPLE_SECONDS = 3 * 3600
# Intervals owned by a date lie within its wall day and the next one, shifted by at most one
# UTC offset (under a day); a margin of three days keeps every owner of a covered instant.
_MARGIN_DAYS = 3

Interval = tuple[int, int]


class OutOfRange(Exception):
    """A computation left the supported years; the calendar turns it into a ValidationError."""


def to_us(instant: _dt.datetime) -> int:
    """UTC microseconds of an aware datetime."""
    d = instant - _EPOCH
    return (d.days * 86_400 + d.seconds) * US + d.microseconds


def from_us(us: int) -> _dt.datetime:
    """The aware UTC datetime of ``us``."""
    return _EPOCH + _dt.timedelta(microseconds=us)


def td_us(delta: _dt.timedelta) -> int:
    """Microseconds of a timedelta."""
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def wall_of_ordinal(ordinal: int) -> int:
    """Wall microseconds of local midnight starting the date with this ordinal."""
    return (ordinal - EPOCH_ORDINAL) * DAY


def _year_start_us(year: int) -> int:
    return wall_of_ordinal(_dt.date(year, 1, 1).toordinal())


def _year_of(us: int) -> int:
    try:
        return from_us(us).year
    except OverflowError:
        raise OutOfRange from None


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted, disjoint, non-touching intervals covering the same instants."""
    intervals.sort()
    out: list[Interval] = []
    for a, b in intervals:
        if a >= b:
            continue
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def subtract(ranges: list[Interval], holes: Sequence[Interval]) -> list[Interval]:
    """``ranges`` minus every interval of ``holes``."""
    for h0, h1 in holes:
        kept: list[Interval] = []
        for a, b in ranges:
            if h1 <= a or b <= h0:
                kept.append((a, b))
                continue
            if a < h0:
                kept.append((a, h0))
            if h1 < b:
                kept.append((h1, b))
        ranges = kept
    return ranges


class ZoneOffsets:
    """The UTC offsets of one zone as constant segments, found once per UTC year."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._years: dict[int, tuple[int, list[int], list[int]]] = {}

    def _offset_at_second(self, second: int) -> int:
        off = _dt.datetime.fromtimestamp(second, self.zone).utcoffset()
        assert off is not None  # a ZoneInfo always answers for an aware datetime
        return td_us(off)

    def year(self, year: int) -> tuple[int, list[int], list[int]]:
        """The offset at the year's start and its transitions (instants, offsets after)."""
        found = self._years.get(year)
        if found is not None:
            return found
        if not MIN_YEAR - 1 <= year <= MAX_YEAR + 1:
            raise OutOfRange
        first = _year_start_us(year) // US
        last = _year_start_us(year + 1) // US
        at = self._offset_at_second
        start_offset = at(first)
        instants: list[int] = []
        offsets: list[int] = []
        lo, lo_off = first, start_offset
        while lo < last:
            hi = min(lo + _SAMPLE_SECONDS, last)
            hi_off = at(hi)
            if hi_off != lo_off:
                # Transitions fall on whole seconds: bisect to the first second of the new offset.
                a, b = lo, hi
                while b - a > 1:
                    mid = (a + b) // 2
                    if at(mid) == lo_off:
                        a = mid
                    else:
                        b = mid
                if b < last:
                    instants.append(b * US)
                    offsets.append(hi_off)
            lo, lo_off = hi, hi_off
        found = (start_offset, instants, offsets)
        self._years[year] = found
        return found

    def offset_at(self, us: int) -> int:
        """The UTC offset in force at the instant ``us``."""
        start_offset, instants, offsets = self.year(_year_of(us))
        i = bisect_right(instants, us) - 1
        return offsets[i] if i >= 0 else start_offset

    def segments(self, u0: int, u1: int) -> list[tuple[int, int, int]]:
        """``[u0, u1)`` cut into ``(start, end, offset)`` pieces of constant offset."""
        out: list[tuple[int, int, int]] = []
        cur, off = u0, self.offset_at(u0)
        for year in range(_year_of(u0), _year_of(u1 - 1) + 1):
            _, instants, offsets = self.year(year)
            for t, o in zip(instants, offsets, strict=True):
                if t <= cur:
                    continue
                if t >= u1:
                    break
                out.append((cur, t, off))
                cur, off = t, o
        out.append((cur, u1, off))
        return out

    def wall_to_utc(self, a: int, b: int) -> list[Interval]:
        """The UTC intervals of the instants whose wall time lies in ``[a, b)``."""
        out: list[Interval] = []
        for s, e, off in self.segments(a - DAY, b + DAY):
            lo = max(s, a - off)
            hi = min(e, b - off)
            if lo < hi:
                if out and out[-1][1] == lo:
                    out[-1] = (out[-1][0], hi)
                else:
                    out.append((lo, hi))
        return out


_OFFSETS: dict[str, ZoneOffsets] = {}


def zone_offsets(zone: ZoneInfo) -> ZoneOffsets:
    """The shared offset table of a zone."""
    found = _OFFSETS.get(zone.key)
    if found is None:
        found = _OFFSETS[zone.key] = ZoneOffsets(zone)
    return found


class Snapshot:
    """Merged open intervals over UTC ``[lo, hi)`` (clipped there), with prefix sums."""

    __slots__ = ("cum", "ends", "hi", "lo", "starts", "year0", "year1")

    def __init__(self, year0: int, year1: int, intervals: list[Interval]) -> None:
        self.year0 = year0
        self.year1 = year1
        self.lo = _year_start_us(year0)
        self.hi = _year_start_us(year1)
        starts: list[int] = []
        ends: list[int] = []
        cum = [0]
        total = 0
        for start, end in intervals:
            a = max(start, self.lo)
            b = min(end, self.hi)
            if a < b:
                starts.append(a)
                ends.append(b)
                total += b - a
                cum.append(total)
        self.starts = starts
        self.ends = ends
        self.cum = cum

    def open_before(self, u: int) -> int:
        """Open time in ``[lo, u)``."""
        i = bisect_right(self.starts, u) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(u, self.ends[i]) - self.starts[i]


class Engine:
    """The open time of one calendar; built from the calendar's week and holiday closures."""

    def __init__(
        self,
        zone: ZoneInfo,
        week: Sequence[Sequence[Interval]],
        closures: Mapping[int, Sequence[Interval]],
    ) -> None:
        self.offsets = zone_offsets(zone)
        self.week = week
        self.closures = closures
        self._owned: dict[int, tuple[Interval, ...]] = {}
        self._snap: Snapshot | None = None
        self._day_starts: dict[int, int] = {}

    # -- per date -----------------------------------------------------------------------------

    def owned(self, ordinal: int) -> tuple[Interval, ...]:
        """The open UTC intervals of the windows that start on this local date."""
        found = self._owned.get(ordinal)
        if found is None:
            found = self._owned[ordinal] = self._compute_owned(ordinal)
        return found

    def _compute_owned(self, ordinal: int) -> tuple[Interval, ...]:
        ranges = self.week[(ordinal - 1) % 7]
        if not ranges:
            return ()
        base = wall_of_ordinal(ordinal)
        holes = [(base + a, base + b) for a, b in self.closures.get(ordinal, ())]
        holes += [(base + DAY + a, base + DAY + b) for a, b in self.closures.get(ordinal + 1, ())]
        walls = subtract([(base + a, base + b) for a, b in ranges], holes)
        out: list[Interval] = []
        for a, b in walls:
            out.extend(self.offsets.wall_to_utc(a, b))
        return tuple(merge(out))

    def day_bounds(self, ordinal: int) -> tuple[int, int]:
        """First instant of the local date and the first instant of the next one."""
        return self._first_of_day(ordinal), self._first_of_day(ordinal + 1)

    def _first_of_day(self, ordinal: int) -> int:
        cached = self._day_starts.get(ordinal)
        if cached is None:
            cached = self._day_starts[ordinal] = self._find_first_of_day(ordinal)
        return cached

    def _find_first_of_day(self, ordinal: int) -> int:
        # A date skipped entirely (Pacific/Apia, 2011-12-30) starts where the next one does.
        for _ in range(3):
            base = wall_of_ordinal(ordinal)
            found = self.offsets.wall_to_utc(base, base + DAY)
            if found:
                return found[0][0]
            ordinal += 1
        raise OutOfRange  # pragma: no cover - no zone skips three dates

    def local_ordinal(self, us: int) -> int:
        """The ordinal of the local date of the instant ``us``."""
        return (us + self.offsets.offset_at(us)) // DAY + EPOCH_ORDINAL

    # -- the merged timeline ------------------------------------------------------------------

    def cover(self, u0: int, u1: int) -> Snapshot:
        """A snapshot with ``lo <= u0`` and ``u1 < hi``."""
        snap = self._snap
        if snap is not None and snap.lo <= u0 and u1 < snap.hi:
            return snap
        year0 = _year_of(u0)
        year1 = _year_of(u1) + 1
        if snap is not None:
            year0 = min(year0, snap.year0)
            year1 = max(year1, snap.year1)
        return self._build(year0, year1)

    def _build(self, year0: int, year1: int) -> Snapshot:
        if year0 < MIN_YEAR or year1 > MAX_YEAR:
            raise OutOfRange
        first = _dt.date(year0, 1, 1).toordinal() - _MARGIN_DAYS
        last = _dt.date(year1, 1, 1).toordinal() + _MARGIN_DAYS
        intervals: list[Interval] = []
        owned = self.owned
        for ordinal in range(first, last):
            intervals.extend(owned(ordinal))
        snap = Snapshot(year0, year1, merge(intervals))
        self._snap = snap
        return snap

    def _grow(self, snap: Snapshot) -> Snapshot:
        span = snap.year1 - snap.year0
        return self._build(snap.year0, min(snap.year1 + max(span, 1), MAX_YEAR + 1))

    def is_open(self, u: int) -> bool:
        """Whether the instant ``u`` is open."""
        snap = self.cover(u, u)
        i = bisect_right(snap.starts, u) - 1
        return i >= 0 and u < snap.ends[i]

    def next_open(self, u: int) -> int:
        """``u`` if open, else the start of the next open interval."""
        snap = self.cover(u, u)
        while True:
            starts = snap.starts
            i = bisect_right(starts, u) - 1
            if i >= 0 and u < snap.ends[i]:
                return u
            if i + 1 < len(starts):
                return starts[i + 1]
            snap = self._grow(snap)

    def between(self, u: int, v: int) -> int:
        """Open microseconds in ``[u, v)`` (negative when ``v < u``)."""
        if v < u:
            return -self.between(v, u)
        snap = self.cover(u, v)
        return snap.open_before(v) - snap.open_before(u)

    def add(self, u: int, duration: int) -> int:
        """The earliest instant ``t >= u`` with ``between(u, t) == duration`` (duration > 0)."""
        # No year holds more than 366 days of open time: fail now rather than build to year 9997.
        if duration > 366 * DAY and duration > (MAX_YEAR + 1 - _year_of(u)) * 366 * DAY:
            raise OutOfRange
        snap = self.cover(u, u)
        while True:
            cum = snap.cum
            target = snap.open_before(u) + duration
            if target <= cum[-1]:
                j = bisect_left(cum, target, 1) - 1
                return snap.starts[j] + target - cum[j]
            snap = self._grow(snap)

    def intervals(self, u: int, v: int) -> list[Interval]:
        """The open intervals clipped to ``[u, v)``, in order."""
        if v <= u:
            return []
        snap = self.cover(u, v)
        starts, ends = snap.starts, snap.ends
        i = max(bisect_right(starts, u) - 1, 0)
        out: list[Interval] = []
        for k in range(i, len(starts)):
            a, b = starts[k], ends[k]
            if a >= v:
                break
            a, b = max(a, u), min(b, v)
            if a < b:
                out.append((a, b))
        return out
