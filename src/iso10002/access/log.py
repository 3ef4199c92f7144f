"""
The record of refused access (4.12): a log in memory, and one kept by an event store in its
own database. The record itself is :class:`~iso10002.model.denials.DenialRecord`; the seam is
:class:`~iso10002.ports.access.AccessLog`.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Collection

import attrs

from iso10002.errors import ValidationError
from iso10002.model.denials import DenialRecord, check_denials_query
from iso10002.model.values import ComplaintId, Role
from iso10002.ports.store import DenialStore, is_record_keeping_store

__all__ = ["InMemoryAccessLog", "StoreAccessLog"]


class InMemoryAccessLog:
    """An :class:`AccessLog` in the process's memory: for tests and short-lived tools."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[DenialRecord] = []

    def record(self, denial: DenialRecord) -> None:
        """Keep ``denial``."""
        if not isinstance(denial, DenialRecord):
            raise ValidationError("denial", f"expected a DenialRecord, got {denial!r}")
        with self._lock:
            self._records.append(denial)

    def denials(
        self, *, since: _dt.datetime | None = None, limit: int = 1000
    ) -> list[DenialRecord]:
        """The denials at or after ``since``, oldest first, at most ``limit``."""
        check_denials_query(since, limit)
        with self._lock:
            found = [d for d in self._records if since is None or d.at >= since]
        # Oldest first even when a clock gave an earlier instant later, as the SQL stores
        # order them; the sort is stable, so denials at one instant stay in recording order.
        found.sort(key=lambda d: d.at)
        return found[:limit]

    def forget_complainant(self, complaint_id: ComplaintId, actor_ids: Collection[str]) -> int:
        """
        Forget the actor id of the complainant's denials, on ``complaint_id`` or naming one of
        ``actor_ids``: what erasing the complaint does. Returns how many denials changed.
        """
        changed = 0
        with self._lock:
            for i, d in enumerate(self._records):
                if (
                    d.role is Role.COMPLAINANT
                    and d.actor_id is not None
                    and (d.complaint_id == complaint_id or d.actor_id in actor_ids)
                ):
                    self._records[i] = attrs.evolve(d, actor_id=None)
                    changed += 1
        return changed

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __repr__(self) -> str:
        return f"InMemoryAccessLog(denials={len(self)})"


class StoreAccessLog:
    """An :class:`AccessLog` that keeps denials in a record-keeping store's database."""

    def __init__(self, store: DenialStore) -> None:
        if not is_record_keeping_store(store):
            raise ValidationError(
                "store", f"{type(store).__name__} keeps no denials (see DenialStore)"
            )
        self.store = store

    def record(self, denial: DenialRecord) -> None:
        """Keep ``denial`` in the store."""
        self.store.record_denial(denial)

    def denials(
        self, *, since: _dt.datetime | None = None, limit: int = 1000
    ) -> list[DenialRecord]:
        """The store's denials at or after ``since``, oldest first, at most ``limit``."""
        return self.store.denials(since=since, limit=limit)

    def __repr__(self) -> str:
        return f"StoreAccessLog({self.store!r})"
