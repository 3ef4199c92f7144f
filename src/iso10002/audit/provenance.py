"""What an audit report says it rests on: the library's version and the verified record."""

from __future__ import annotations

from importlib import metadata

from iso10002.audit.findings import RecordState
from iso10002.errors import ValidationError
from iso10002.integrity.verify import verify
from iso10002.ports.store import EventStore

__all__ = ["library_version", "record_state"]


def library_version() -> str:
    """The installed version of iso10002, ``"unknown"`` when run from a bare source tree."""
    try:
        return metadata.version("iso10002")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare source tree
        return "unknown"


def record_state(store: EventStore, *, shared: bool = False) -> RecordState:
    """
    The store's record as :func:`~iso10002.integrity.verify` finds it now. ``shared``: the
    record holds other organisations' complaints too (an audit kept to one tenant), so only
    whether it verified is said; its head, its size and the record that failed are theirs too.
    """
    try:
        report = verify(store)
    except ValidationError as e:  # the store keeps no hashes
        return RecordState(verified=None, detail=e.reason)
    if shared:
        detail = None if report.ok else "the shared record did not verify; its operator can tell"
        return RecordState(verified=report.ok, detail=detail)
    detail = None if report.finding is None else str(report.finding)
    return RecordState(verified=report.ok, head=report.head, events=report.events, detail=detail)
