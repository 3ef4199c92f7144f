"""
Where the library gets the time from.

Nothing in the library calls :func:`datetime.datetime.now` except :class:`SystemClock`; every
other component receives a :class:`Clock`, so that tests and simulations can control time.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

from iso10002.errors import NaiveDatetimeError, ValidationError

__all__ = ["Clock", "FixedClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """**Protocol:** a source of the current instant."""

    def now(self) -> datetime:
        """Return the current instant as an aware datetime in UTC."""
        ...


class SystemClock:
    """The real clock: the operating system's time, in UTC."""

    def now(self) -> datetime:
        """Return the current instant in UTC."""
        return datetime.now(timezone.utc)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """
    A clock that only moves when told to; for tests, simulations and imports.

    Args:
        start: the first instant; must be timezone-aware.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise NaiveDatetimeError("start")
        self._now = start.astimezone(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return the clock's current instant."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta`` (never backwards) and return the new instant."""
        if delta < timedelta(0):
            raise ValidationError("delta", "a clock cannot move backwards")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, instant: datetime) -> None:
        """Jump to ``instant``, which must not be earlier than the current instant."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise NaiveDatetimeError("instant")
        instant = instant.astimezone(timezone.utc)
        with self._lock:
            if instant < self._now:
                raise ValidationError("instant", "a clock cannot move backwards")
            self._now = instant

    def __repr__(self) -> str:
        return f"FixedClock({self._now.isoformat()})"
