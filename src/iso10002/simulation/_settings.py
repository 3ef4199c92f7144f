"""What a run of the simulation is asked to do, and what it reports back."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

import attrs

from iso10002 import Complaint

__all__ = ["DemoResult", "DemoSettings", "ProgressCallback"]

UTC = _dt.timezone.utc


@attrs.frozen(kw_only=True)
class DemoSettings:
    """What to simulate: how many complaints, from which seed, over which days."""

    complaints: int = 200
    seed: int = 2026
    start: _dt.date = _dt.date(2026, 3, 2)
    days: int = 30

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
