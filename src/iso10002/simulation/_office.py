"""
Office time in the simulation: the retailer's working days and hours, Monday to Friday
09:00-17:00 UTC (bank holidays are not kept), and the random delays people take within them.
"""

from __future__ import annotations

import datetime as _dt
import random

__all__ = ["CLOSES", "OPENS", "OfficeHours", "at_minute", "next_working_day", "working_days"]

UTC = _dt.timezone.utc
OPENS = _dt.time(9, 0)
CLOSES = _dt.time(17, 0)


def working_days(start: _dt.date, days: int) -> list[_dt.date]:
    """The Mondays to Fridays among ``days`` days from ``start`` (bank holidays are not kept)."""
    every = (start + _dt.timedelta(days=i) for i in range(days))
    return [d for d in every if d.weekday() < 5]


def next_working_day(day: _dt.date) -> _dt.date:
    day += _dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += _dt.timedelta(days=1)
    return day


def at_minute(day: _dt.date, minute: int) -> _dt.datetime:
    """``minute`` minutes after midnight UTC on ``day``."""
    return _dt.datetime.combine(day, _dt.time(0), UTC) + _dt.timedelta(minutes=minute)


class OfficeHours:
    """Office hours, Monday to Friday 09:00-17:00 UTC, and the random delays within them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def office(self, t: _dt.datetime) -> _dt.datetime:
        """``t`` if the office is open then, else a little after it next opens."""
        day = t.date()
        if day.weekday() < 5 and OPENS <= t.time() < CLOSES:
            return t
        if day.weekday() >= 5 or t.time() >= CLOSES:
            day = next_working_day(day)
        return at_minute(day, 9 * 60 + self.rng.randrange(5, 90))

    def minutes(self, t: _dt.datetime, low: int, high: int) -> _dt.datetime:
        """Between ``low`` and ``high`` minutes of office time after ``t``."""
        return self.office(t + _dt.timedelta(minutes=self.rng.randrange(low, high + 1)))

    def working_days(self, t: _dt.datetime, low: int, high: int) -> _dt.datetime:
        """An office time ``low`` to ``high`` working days after ``t``; 0 means later today."""
        n = self.rng.randint(low, high)
        if n == 0:
            return self.minutes(t, 20, 180)
        day = t.date()
        for _ in range(n):
            day = next_working_day(day)
        return at_minute(day, 9 * 60 + self.rng.randrange(0, 8 * 60))

    def days(self, t: _dt.datetime, low: float, high: float) -> _dt.datetime:
        """Office time ``low`` to ``high`` calendar days after ``t`` (a complainant's pace)."""
        return self.office(t + _dt.timedelta(minutes=int(self.rng.uniform(low, high) * 1440)))
