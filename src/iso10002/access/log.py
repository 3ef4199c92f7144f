"""
The record of refused access (4.12): :class:`DenialRecord`, the :class:`AccessLog` seam, a log
in memory and one kept by an event store in its own database.

A denial names the actor by id and role, the action, the complaint by id and reference, and
the policy's reason: never a name, contact details or anything the complaint says.
"""

from __future__ import annotations

import datetime as _dt
import threading
import uuid
from typing import Any, Protocol, runtime_checkable

import attrs

from iso10002.access.actions import Action
from iso10002.errors import NaiveDatetimeError, ValidationError
from iso10002.model import _checks as check
from iso10002.model.values import ComplaintId, Role

__all__ = [
    "AccessLog",
    "DenialRecord",
    "DenialStore",
    "InMemoryAccessLog",
    "StoreAccessLog",
]


def _optional_uuid(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, uuid.UUID):
        raise ValidationError(attribute.name, f"expected a UUID, got {value!r}")


@attrs.frozen(kw_only=True)
class DenialRecord:
    """One refused command or query: when, who (id and role), what, on which complaint, why."""

    at: _dt.datetime = attrs.field(validator=check.aware)
    actor_id: str | None = attrs.field(validator=check.optional_text)
    """The actor's id; ``None`` when a query named no actor."""
    role: Role | None = attrs.field(validator=check.optional_member_of(Role))
    action: Action = attrs.field(validator=check.member_of(Action))
    complaint_id: ComplaintId | None = attrs.field(default=None, validator=_optional_uuid)
    """``None`` for an action on no single complaint, or a complaint not yet received."""
    reference: str | None = attrs.field(default=None, validator=check.optional_text)
    reason: str = attrs.field(validator=check.text)


@runtime_checkable
class AccessLog(Protocol):
    """**Protocol:** where the desk records each denial, before it raises ``PermissionDenied``."""

    def record(self, denial: DenialRecord) -> None:
        """Keep ``denial``."""
        ...


@runtime_checkable
class DenialStore(Protocol):
    """
    **Protocol:** an event store that keeps denials in its own database, beside the histories
    (the SQLite and in-memory stores do). A desk over such a store logs denials there unless
    it is given another log.
    """

    def record_denial(self, denial: DenialRecord) -> None:
        """Keep ``denial``, durably."""
        ...

    def denials(
        self, *, since: _dt.datetime | None = None, limit: int = 1000
    ) -> list[DenialRecord]:
        """The denials recorded at or after ``since`` (all if ``None``), oldest first."""
        ...


def check_denials_query(since: _dt.datetime | None, limit: int) -> None:
    """
    The checks every :meth:`DenialStore.denials` makes on its arguments.

    Raises:
        ValidationError: ``since`` is naive or not a datetime, or ``limit`` is not positive.
    """
    if since is not None:
        if not isinstance(since, _dt.datetime):
            raise ValidationError("since", f"expected a datetime, got {type(since).__name__}")
        if since.tzinfo is None or since.utcoffset() is None:
            raise NaiveDatetimeError("since")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValidationError("limit", f"must be a positive integer, got {limit!r}")


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

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __repr__(self) -> str:
        return f"InMemoryAccessLog(denials={len(self)})"


class StoreAccessLog:
    """An :class:`AccessLog` that keeps denials in a :class:`DenialStore`'s database."""

    def __init__(self, store: DenialStore) -> None:
        if not isinstance(store, DenialStore):
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
