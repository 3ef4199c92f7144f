"""
The record of refused access (4.12): a log in memory, and one kept by an event store in its
own database. The record itself is :class:`~iso10002.model.denials.DenialRecord`; the seam is
:class:`~iso10002.ports.access.AccessLog`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Collection

import attrs

from iso10002.errors import ValidationError
from iso10002.model.denials import DenialRecord, check_denials_query
from iso10002.model.values import ComplaintId, Role
from iso10002.ports.store import DenialStore, is_record_keeping_store

__all__ = ["InMemoryAccessLog", "RepeatedDenials", "StoreAccessLog"]


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


_Kind = tuple[object, ...]


class RepeatedDenials:
    """
    Which denials to write: the first of its kind in each ``window``, not every repeat.

    A denial's kind is its actor (id and role), action, complaint and reason. A repeat within
    ``window`` of the denial written is not written; it is counted, and the next denial of its
    kind written after the window says how many were left out, in its reason. So a public page
    whose visitor retries a refused look-up in a loop writes one row a minute, not one per
    attempt, while the record still shows who was refused what, when it began and how often.

    Only ``capacity`` kinds are remembered (the least recently refused are forgotten first);
    a forgotten kind's next denial is written again, so memory bounds the saving, never the
    record. Decided by each denial's own time (the desk's clock), in each process on its own.

    What it remembers holds no actor id or reason as given: only keyed hashes of them, under a
    key drawn for this object and never kept. Erasing a complaint (or a person's complaints)
    forgets the kinds of that complaint and of its complainant's ids (:meth:`forget`).
    """

    def __init__(self, window: _dt.timedelta, *, capacity: int = 10_000) -> None:
        if not isinstance(window, _dt.timedelta) or window < _dt.timedelta(0):
            raise ValidationError(
                "denial_window", f"expected a timedelta of 0 or more, got {window!r}"
            )
        self.window = window
        self._capacity = capacity
        self._lock = threading.Lock()
        self._key = secrets.token_bytes(32)
        # kind -> (when the last one written was, repeats left out since)
        self._seen: OrderedDict[_Kind, tuple[_dt.datetime, int]] = OrderedDict()

    def admit(self, denial: DenialRecord) -> DenialRecord | None:
        """The record to write for ``denial``, or ``None`` when it repeats one just written."""
        if not self.window:
            return denial
        kind = (
            self._hash(denial.actor_id),
            denial.role,
            denial.action,
            denial.complaint_id,
            self._hash(denial.reason),
        )
        with self._lock:
            held = self._seen.get(kind)
            if held is not None and held[0] <= denial.at < held[0] + self.window:
                self._seen[kind] = (held[0], held[1] + 1)
                return None
            self._seen[kind] = (denial.at, 0)
            self._seen.move_to_end(kind)
            if len(self._seen) > self._capacity:
                self._seen.popitem(last=False)
        if held is None or not held[1]:
            return denial
        since = held[0].astimezone(_dt.timezone.utc)
        left_out = "1 repeat" if held[1] == 1 else f"{held[1]} repeats"
        return attrs.evolve(
            denial,
            reason=f"{denial.reason} (and {left_out} from {since:%Y-%m-%d %H:%M:%S} UTC, "
            "not recorded one by one)",
        )

    def _hash(self, text: str | None) -> bytes | None:
        if text is None:
            return None
        return hmac.new(self._key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def forget(self, complaint_id: ComplaintId, actor_ids: Collection[str] = ()) -> int:
        """
        Forget the denials of ``complaint_id`` and of the actors ``actor_ids`` (its
        complainant's ids): what erasing the complaint does. Their repeats not yet written
        are not counted in a later record. Returns how many kinds were forgotten.
        """
        hashed = {self._hash(a) for a in actor_ids}
        with self._lock:
            gone = [k for k in self._seen if k[3] == complaint_id or k[0] in hashed]
            for kind in gone:
                del self._seen[kind]
        return len(gone)

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

    def __repr__(self) -> str:
        return f"RepeatedDenials(window={self.window!r})"
