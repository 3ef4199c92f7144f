"""
Subject-access export: everything the store holds about one person, as one JSON document
(GDPR art. 15). Build it with :meth:`iso10002.ComplaintDesk.export_subject`.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from iso10002._datafile import write_file
from iso10002.model.complaint import Complaint
from iso10002.model.events import Event
from iso10002.model.subject import SubjectMatch
from iso10002.serialization import event_to_dict, unstructure

if TYPE_CHECKING:
    # Only named in annotations: privacy sits below the outbox and does not import it.
    from iso10002.model.outbox import OutboxRecord

__all__ = ["EXPORT_FORMAT", "SubjectExport", "SubjectRecord"]

EXPORT_FORMAT = "iso10002.subject-export/1"
"""The ``format`` of a subject-access export; a later layout gets a new number."""


@attrs.frozen(kw_only=True)
class SubjectRecord:
    """One complaint of the subject: its current state, its whole history, its notifications."""

    complaint: Complaint
    history: tuple[Event, ...]
    notifications: tuple[OutboxRecord, ...] = ()


@attrs.frozen(kw_only=True)
class SubjectExport:
    """Everything held about one data subject, at ``exported_at``."""

    subject: SubjectMatch
    exported_at: _dt.datetime
    records: tuple[SubjectRecord, ...]

    def to_dict(self) -> dict[str, Any]:
        """
        The export as JSON-shaped data: ``format``, ``exported_at``, ``subject``, and per
        complaint its reference, state, instants, legal hold and erasure, every event of its
        history (payloads with their personal data) and every notification kept for it.
        """
        return {
            "format": EXPORT_FORMAT,
            "exported_at": self.exported_at.isoformat(),
            "subject": unstructure(self.subject),
            "complaints": [_record(r) for r in self.records],
        }

    def write(self, path: str | os.PathLike[str]) -> None:
        """
        Write the export as a ``.json`` file, replacing it; a reader never sees half a file.

        Raises:
            ValidationError: the file name does not end in ``.json`` or ``.toml``.
            OSError: the file cannot be written.
        """
        write_file(self.to_dict(), path, "subject export")


def _record(r: SubjectRecord) -> dict[str, Any]:
    c = r.complaint
    return {
        "reference": c.reference,
        "id": str(c.id),
        "state": c.state,
        "received_at": c.received_at.isoformat(),
        "closed_at": None if c.closed_at is None else c.closed_at.isoformat(),
        "legal_hold": c.legal_hold,
        "erased_at": None if c.erased_at is None else c.erased_at.isoformat(),
        "history": [event_to_dict(e) for e in r.history],
        "notifications": [_notification(n) for n in r.notifications],
    }


def _notification(n: OutboxRecord) -> dict[str, Any]:
    data: dict[str, Any] = unstructure(n)
    return data


def export_of(
    subject: SubjectMatch,
    now: _dt.datetime,
    found: Sequence[tuple[Complaint, Sequence[Event], Sequence[OutboxRecord]]],
) -> SubjectExport:
    """The export of ``found`` (complaint, history, notifications), oldest complaint first."""
    records = sorted(
        (SubjectRecord(complaint=c, history=tuple(h), notifications=tuple(n)) for c, h, n in found),
        key=lambda r: (r.complaint.received_at, r.complaint.reference),
    )
    return SubjectExport(subject=subject, exported_at=now, records=tuple(records))
