"""
:class:`RetryPolicy`: when to try a notification again after a temporary failure, and when to
give up.

The delay grows exponentially with the attempt number up to a cap, and is then shortened by a
**jitter** derived from the idempotency key and the attempt number: deterministic (a test can
predict it, and a rerun behaves the same), yet different for each notification, so that the
notifications of an outage are not all retried in the same second when the server comes back.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check

__all__ = ["RetryPolicy"]


def _positive_delta(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, _dt.timedelta) or value <= _dt.timedelta(0):
        raise ValidationError(attribute.name, f"must be a positive timedelta, got {value!r}")


def _factor(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < 1
    ):
        raise ValidationError(attribute.name, f"must be a number >= 1, got {value!r}")


def _jitter(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not 0 <= value < 1
    ):
        raise ValidationError(attribute.name, f"must be a number from 0 up to 1, got {value!r}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """
    How a dispatcher retries temporary failures.

    Args:
        base: the delay after the first failed attempt.
        factor: each further failure multiplies the delay by this.
        cap: the longest delay.
        jitter: the share of the delay that may be taken off, from 0 (none) up to 1; the
            share is derived from the key and the attempt number.
        max_attempts: attempts before a notification that keeps failing temporarily goes to
            the dead letters. A permanent failure goes there at once.

    With the defaults the delays are about 30 s, 1, 2, 4, 8, 16, 32 min, then 1 h, and a
    notification is given up at its 12th attempt, four to five hours after the first.
    """

    base: _dt.timedelta = attrs.field(default=_dt.timedelta(seconds=30), validator=_positive_delta)
    factor: float = attrs.field(default=2.0, validator=_factor)
    cap: _dt.timedelta = attrs.field(default=_dt.timedelta(hours=1), validator=_positive_delta)
    jitter: float = attrs.field(default=0.2, validator=_jitter)
    max_attempts: int = attrs.field(default=12, validator=check.int_range(1, 1000))

    def __attrs_post_init__(self) -> None:
        if self.cap < self.base:
            raise ValidationError("cap", "must not be shorter than base")

    def delay(self, attempt: int, key: str) -> _dt.timedelta:
        """
        How long to wait after failed attempt number ``attempt`` (1 for the first) of the
        notification with idempotency key ``key``.
        """
        if not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 1:
            raise ValidationError("attempt", f"must be a positive integer, got {attempt!r}")
        cap = self.cap.total_seconds()
        # Past the cap the power only grows; stop before the float overflows.
        exponent = min(attempt - 1, 1000)
        try:
            raw = self.base.total_seconds() * self.factor**exponent
        except OverflowError:
            raw = cap
        seconds = min(raw, cap) * (1 - self.jitter * _unit(f"{key}\n{attempt}"))
        return _dt.timedelta(seconds=round(seconds, 6))

    def gives_up_after(self, attempts: int) -> bool:
        """Whether a temporary failure of attempt number ``attempts`` is the last one."""
        return attempts >= self.max_attempts


def _unit(text: str) -> float:
    """A number in [0, 1) that depends only on ``text``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
