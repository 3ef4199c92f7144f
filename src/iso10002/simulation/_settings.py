"""What a run of the simulation is asked to do, and what it reports back."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

import attrs

from iso10002 import Complaint, ValidationError

__all__ = ["DemoResult", "DemoSettings", "ProgressCallback"]

UTC = _dt.timezone.utc

MAX_COMPLAINTS = 100_000
"""The most complaints one run draws: the run plans them all before receiving the first, so
its memory grows with the count."""
MAX_DAYS = 3_660
"""The longest period one run simulates, ten years."""


def _between(low: int, high: int) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
        # A huge value is not repeated: an integer of thousands of digits cannot be printed.
        if value < low:
            got = f", got {value}" if value > -(10**9) else ""
            raise ValidationError(attribute.name, f"must be at least {low:,}{got}")
        if value > high:
            raise ValidationError(attribute.name, f"must be at most {high:,}")

    return check


@attrs.frozen(kw_only=True)
class DemoSettings:
    """What to simulate: how many complaints, from which seed, over which days."""

    complaints: int = attrs.field(default=200, validator=_between(1, MAX_COMPLAINTS))
    seed: int = 2026
    start: _dt.date = _dt.date(2026, 3, 2)
    days: int = attrs.field(default=30, validator=_between(1, MAX_DAYS))

    @property
    def start_at(self) -> _dt.datetime:
        """Midnight UTC at the start of the simulated period."""
        return _dt.datetime.combine(self.start, _dt.time(0), UTC)

    @property
    def end_at(self) -> _dt.datetime:
        """Midnight UTC after the last simulated day; nothing happens from then on."""
        return self.start_at + _dt.timedelta(days=self.days)


@attrs.frozen(kw_only=True)
class DemoResult:
    """What a run did: the complaints it received, as they stand at the end, and its cost."""

    settings: DemoSettings
    complaints: tuple[Complaint, ...]
    """The complaints this run received, in reference order, as they are at the end."""
    skipped: int
    """Complaints of this seed already in the database, left as they were."""
    elapsed: float
    """Wall-clock seconds the simulation took."""

    @property
    def events(self) -> int:
        """Events this run wrote: each complaint's history is new, so its version counts them."""
        return sum(c.version for c in self.complaints)


ProgressCallback = Callable[[float, int], None]
"""Called as the simulation moves on, with the share of simulated time done and the number of
complaints received so far."""
