"""
Business-time arithmetic of BusinessCalendar against pandas, businesstimedelta and businesstime,
on the same random inputs in the same run.

The calendar is Monday to Friday 09:00-17:00 in Europe/London with the bank holidays of England
and Wales for 2025-2027, given to every library as the same list of dates. Two operations:

- **add**: N business hours (N from 1 to 80) after a random instant of 2026. Ours:
  ``BusinessCalendar.add``; pandas: ``Timestamp + CustomBusinessHour(n=N)`` with the offsets built
  beforehand (its fastest correct form); businesstimedelta: ``datetime + BusinessTimeDelta``.
  businesstime cannot add.
- **between**: business time from a random instant to one up to 30 days later. Ours:
  ``BusinessCalendar.between``; businesstime: ``BusinessTime.businesstimedelta`` (whose days count
  whole business days; converted to hours here); businesstimedelta: ``Rules.difference``. pandas
  has no business-time difference for a pair of instants.

Every library's answers are compared with ours. Results that differ only by the closing-time
convention (ours "Monday 17:00", theirs "Tuesday 09:00": the same amount of business time) are
counted separately; the other disagreements are grouped by what the inputs have in common (a DST
change, a holiday) and one example of each is printed.

Needs the ``bench`` extra. Run: ``python benchmarks/bench_calendar.py [--calls N] [--seed S]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import businesstime
import businesstimedelta
import pandas as pd
import pytz
from pandas.tseries.offsets import CustomBusinessHour

from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.holiday_sources import holidays_from_package

ZONE = "Europe/London"
LONDON = ZoneInfo(ZONE)
UTC = dt.timezone.utc
OPEN, CLOSE = dt.time(9), dt.time(17)
DAY_HOURS = dt.timedelta(hours=8)
HOLIDAYS = holidays_from_package("GB", subdiv="ENG", years=range(2025, 2028))
HOLIDAY_DATES = [h.date for h in HOLIDAYS]
CALENDAR = BusinessCalendar.standard(name="london", zone=ZONE, holidays=HOLIDAYS)


def random_instants(rng: random.Random, n: int) -> list[dt.datetime]:
    """Aware UTC instants on whole minutes, spread over 2026."""
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    return [start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60)) for _ in range(n)]


REPEAT = 2


def timed(label: str, calls: Callable[[], list[Any]], n: int) -> tuple[float, list[Any]]:
    """Best of ``REPEAT`` runs of ``calls``; print and return calls per second and the results."""
    best = float("inf")
    results: list[Any] = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        results = calls()
        best = min(best, time.perf_counter() - t0)
    rate = n / best
    print(f"  {label:<48} {rate:12,.0f} calls/s {1e6 / rate:9.1f} µs/call")
    return rate, results


def naive_local(instant: dt.datetime) -> dt.datetime:
    """The wall-clock reading in London, without a zone: what businesstime works on."""
    return instant.astimezone(LONDON).replace(tzinfo=None)


def crosses_dst(a: dt.datetime, b: dt.datetime) -> bool:
    """Whether London's UTC offset differs between the two instants, or in the days between."""
    lo, hi = min(a, b), max(a, b)
    return lo.astimezone(LONDON).utcoffset() != hi.astimezone(LONDON).utcoffset() or any(
        (lo + dt.timedelta(days=k)).astimezone(LONDON).utcoffset()
        != lo.astimezone(LONDON).utcoffset()
        for k in range((hi - lo).days + 1)
    )


def touches_holiday(a: dt.datetime, b: dt.datetime) -> bool:
    """Whether a holiday lies on a local date from ``a`` to ``b``."""
    lo = min(a, b).astimezone(LONDON).date()
    hi = max(a, b).astimezone(LONDON).date()
    return any(lo <= d <= hi for d in HOLIDAY_DATES)


def in_night_tail(calendar: BusinessCalendar, instant: dt.datetime) -> bool:
    """Whether ``instant`` is open in the part of a window that began the day before."""
    if not calendar.is_open(instant):
        return False
    local = instant.astimezone(ZoneInfo(calendar.zone))
    return all(local.time() < w.start for w in calendar.week[local.weekday()])


def classify(a: dt.datetime, b: dt.datetime, calendar: BusinessCalendar | None = None) -> str:
    """A name for what the inputs of a disagreement have in common."""
    cal = calendar or CALENDAR
    kinds = []
    if crosses_dst(a, b):
        kinds.append("DST change in the span")
    if touches_holiday(a, b) and cal.holidays:
        kinds.append("holiday in the span")
    if in_night_tail(cal, a):
        kinds.append("starts after midnight in a night window")
    if not kinds and not cal.is_open(a) and not cal.is_open(b):
        kinds.append("both ends in closed time")
    return " + ".join(kinds) or "other"


def compare_add(
    name: str,
    starts: Sequence[dt.datetime],
    hours: Sequence[int],
    ours: Sequence[dt.datetime],
    theirs: Sequence[dt.datetime | str],
    *,
    calendar: BusinessCalendar = CALENDAR,
) -> None:
    """Count and show where ``theirs`` (a result, or the error it raised) differs from ours."""
    convention = 0
    kinds: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for s, n, mine, other in zip(starts, hours, ours, theirs, strict=True):
        if isinstance(other, str):
            kinds["raised an error"] += 1
            examples.setdefault("raised an error", f"{_show_add(s, n, mine, mine)}: {other}")
            continue
        other_utc = other.astimezone(UTC)
        if other_utc == mine:
            continue
        if not calendar.is_open(mine) and calendar.next_open(mine) == other_utc:
            convention += 1
            examples.setdefault("closing-time convention", _show_add(s, n, mine, other_utc))
            continue
        kind = classify(s, max(mine, other_utc), calendar)
        kinds[kind] += 1
        examples.setdefault(kind, _show_add(s, n, mine, other_utc))
    _summary(name, len(starts), convention, kinds, examples)


def _show_add(s: dt.datetime, n: int, mine: dt.datetime, other: dt.datetime) -> str:
    def local(x: dt.datetime) -> str:
        return x.astimezone(LONDON).strftime("%a %Y-%m-%d %H:%M %Z")

    return f"{local(s)} + {n}h: ours {local(mine)}, theirs {local(other)}"


def compare_between(
    name: str,
    pairs: Sequence[tuple[dt.datetime, dt.datetime]],
    ours: Sequence[dt.timedelta],
    theirs: Sequence[dt.timedelta],
    *,
    calendar: BusinessCalendar = CALENDAR,
) -> None:
    """Count and show where ``theirs`` differs from ours for between."""
    kinds: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for (a, b), mine, other in zip(pairs, ours, theirs, strict=True):
        if mine == other:
            continue
        kind = classify(a, b, calendar)
        kinds[kind] += 1
        fmt = "%a %Y-%m-%d %H:%M %Z"
        examples.setdefault(
            kind,
            f"{a.astimezone(LONDON).strftime(fmt)} -> {b.astimezone(LONDON).strftime(fmt)}: "
            f"ours {mine}, theirs {other}",
        )
    _summary(name, len(pairs), 0, kinds, examples)


def _summary(
    name: str, total: int, convention: int, kinds: Counter[str], examples: dict[str, str]
) -> None:
    other = sum(kinds.values())
    print(
        f"  {name}: {total - convention - other} agree, {convention} differ only by the "
        f"closing-time convention, {other} disagree"
    )
    for kind, example in examples.items():
        count = convention if kind == "closing-time convention" else kinds[kind]
        print(f"    {kind} ({count}): {example}")


def bench_add(starts: list[dt.datetime], hours: list[int]) -> None:
    """Add N business hours with each library that can."""
    n = len(starts)
    print(f"add N business hours (N in 1..80), {n} calls each")
    durations = [dt.timedelta(hours=h) for h in hours]
    CALENDAR.add(starts[0], durations[0])  # build the year's timeline outside the timing
    ours_rate, ours = timed(
        "iso10002 BusinessCalendar.add",
        lambda: [CALENDAR.add(s, d) for s, d in zip(starts, durations, strict=True)],
        n,
    )

    offsets = {
        h: CustomBusinessHour(n=h, start="09:00", end="17:00", holidays=HOLIDAY_DATES)
        for h in set(hours)
    }
    stamps = [pd.Timestamp(s).tz_convert(ZONE) for s in starts]
    pandas_rate, pandas_results = timed(
        "pandas Timestamp + CustomBusinessHour(n)",
        lambda: [ts + offsets[h] for ts, h in zip(stamps, hours, strict=True)],
        n,
    )

    tz = pytz.timezone(ZONE)
    rules = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=OPEN, end_time=CLOSE, working_days=[0, 1, 2, 3, 4], tz=tz
            ),
            businesstimedelta.HolidayRule(HOLIDAY_DATES, tz=tz),
        ]
    )
    deltas = {h: businesstimedelta.BusinessTimeDelta(rules, hours=h) for h in set(hours)}
    btd_rate, btd_results = timed(
        "businesstimedelta datetime + BusinessTimeDelta",
        lambda: [s + deltas[h] for s, h in zip(starts, hours, strict=True)],
        n,
    )
    print(
        f"  ratio ours / pandas: {ours_rate / pandas_rate:.1f}, "
        f"ours / businesstimedelta: {ours_rate / btd_rate:.1f}"
    )
    compare_add("pandas", starts, hours, ours, [t.to_pydatetime() for t in pandas_results])
    compare_add("businesstimedelta", starts, hours, ours, btd_results)


def bench_between(pairs: list[tuple[dt.datetime, dt.datetime]]) -> None:
    """Business time between two instants with each library that can."""
    n = len(pairs)
    print(f"business time between two instants up to 30 days apart, {n} calls each")
    ours_rate, ours = timed(
        "iso10002 BusinessCalendar.between", lambda: [CALENDAR.between(a, b) for a, b in pairs], n
    )

    bt = businesstime.BusinessTime(business_hours=(OPEN, CLOSE), holidays=HOLIDAY_DATES)
    local_pairs = [(naive_local(a), naive_local(b)) for a, b in pairs]
    bt_rate, bt_raw = timed(
        "businesstime BusinessTime.businesstimedelta",
        lambda: [bt.businesstimedelta(a, b) for a, b in local_pairs],
        n,
    )
    # Its days are whole business days, not 24 hours.
    bt_results = [
        td.days * DAY_HOURS + dt.timedelta(seconds=td.seconds, microseconds=td.microseconds)
        for td in bt_raw
    ]

    tz = pytz.timezone(ZONE)
    rules = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=OPEN, end_time=CLOSE, working_days=[0, 1, 2, 3, 4], tz=tz
            ),
            businesstimedelta.HolidayRule(HOLIDAY_DATES, tz=tz),
        ]
    )
    btd_rate, btd_raw = timed(
        "businesstimedelta Rules.difference",
        lambda: [rules.difference(a, b) for a, b in pairs],
        n,
    )
    btd_results = [r.timedelta for r in btd_raw]
    print(
        f"  ratio ours / businesstime: {ours_rate / bt_rate:.1f}, "
        f"ours / businesstimedelta: {ours_rate / btd_rate:.1f}"
    )
    compare_between("businesstime", pairs, ours, bt_results)
    compare_between("businesstimedelta", pairs, ours, btd_results)


def try_add(
    add: Callable[[dt.datetime, int], dt.datetime], start: dt.datetime, hours: int
) -> dt.datetime | str:
    """The result of ``add(start, hours)``, or the error it raised as text."""
    try:
        return add(start, hours)
    except Exception as e:
        return f"{type(e).__name__}: {str(e).splitlines()[0]}"


def check_night_shift(rng: random.Random, n: int) -> None:
    """Correctness only: a 22:00-06:00 window every night, instants near the 2026 DST changes."""
    print(f"night shift 22:00-06:00 daily, within days of the 2026 DST changes, {n} inputs")
    night = BusinessCalendar.standard(
        name="night", zone=ZONE, hours=((dt.time(22), dt.time(6)),), days=range(7)
    )
    changes = [dt.datetime(2026, 3, 29, 1, tzinfo=UTC), dt.datetime(2026, 10, 25, 1, tzinfo=UTC)]
    starts = [
        rng.choice(changes) + dt.timedelta(minutes=rng.randrange(-3 * 1440, 1440)) for _ in range(n)
    ]
    hours = [rng.randint(1, 20) for _ in starts]
    ours = [night.add(s, dt.timedelta(hours=h)) for s, h in zip(starts, hours, strict=True)]
    offsets = {
        h: CustomBusinessHour(
            n=h, start="22:00", end="06:00", weekmask="Mon Tue Wed Thu Fri Sat Sun"
        )
        for h in set(hours)
    }

    def pandas_add(s: dt.datetime, h: int) -> dt.datetime:
        result: dt.datetime = (pd.Timestamp(s).tz_convert(ZONE) + offsets[h]).to_pydatetime()
        return result

    pandas_results = [try_add(pandas_add, s, h) for s, h in zip(starts, hours, strict=True)]
    tz = pytz.timezone(ZONE)
    rules = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=dt.time(22), end_time=dt.time(6), working_days=list(range(7)), tz=tz
            )
        ]
    )
    deltas = {h: businesstimedelta.BusinessTimeDelta(rules, hours=h) for h in set(hours)}

    def btd_add(s: dt.datetime, h: int) -> dt.datetime:
        result: dt.datetime = s + deltas[h]
        return result

    btd_results = [try_add(btd_add, s, h) for s, h in zip(starts, hours, strict=True)]
    compare_add("pandas add", starts, hours, ours, pandas_results, calendar=night)
    compare_add("businesstimedelta add", starts, hours, ours, btd_results, calendar=night)
    pairs = [(s, s + dt.timedelta(minutes=rng.randrange(3 * 1440))) for s in starts[:500]]
    mine = [night.between(a, b) for a, b in pairs]
    theirs = [rules.difference(a, b).timedelta for a, b in pairs]
    compare_between("businesstimedelta between", pairs, mine, theirs, calendar=night)


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print the figures, ratios and disagreements."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=5000, help="random inputs per operation")
    parser.add_argument("--seed", type=int, default=10002)
    parser.add_argument("--night", type=int, default=2000, help="inputs of the night-shift check")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    print(
        f"python {sys.version.split()[0]}, pandas {pd.__version__}, "
        f"businesstimedelta {getattr(businesstimedelta, '__version__', '1.0.1')}, "
        f"businesstime {businesstime.__version__}"
    )
    fresh = BusinessCalendar.standard(name="london", zone=ZONE, holidays=HOLIDAYS)
    t0 = time.perf_counter()
    fresh.between(dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 12, 31, tzinfo=UTC))
    print(f"one-off timeline build for 2026-2027: {(time.perf_counter() - t0) * 1e3:.1f} ms")
    starts = random_instants(rng, args.calls)
    hours = [rng.randint(1, 80) for _ in starts]
    bench_add(starts, hours)
    firsts = random_instants(rng, args.calls)
    pairs = [(a, a + dt.timedelta(minutes=rng.randrange(30 * 24 * 60))) for a in firsts]
    bench_between(pairs)
    check_night_shift(rng, args.night)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
