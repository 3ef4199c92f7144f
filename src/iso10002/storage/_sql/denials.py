"""
How an access denial (:class:`~iso10002.model.denials.DenialRecord`) becomes a row of the
``access_denials`` table and back; shared by the SQL stores.

The row holds ids, a role, an action, a reference and the policy's reason: never personal
data. The instant is fixed-width UTC text, like every instant the stores keep.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from iso10002.errors import ValidationError
from iso10002.model.actions import Action
from iso10002.model.denials import DenialRecord
from iso10002.model.values import Role
from iso10002.storage._sql.columns import Instant, instant, utc

__all__ = ["DENIAL_COLUMNS", "denial_from_values", "denial_values"]

DENIAL_COLUMNS = "at, actor_id, role, action, complaint_id, reference, reason"
"""The columns of ``access_denials`` that :func:`denial_values` fills, in order."""


def denial_values(denial: DenialRecord) -> tuple[object, ...]:
    """The column values of ``denial``, in the order of :data:`DENIAL_COLUMNS`."""
    if not isinstance(denial, DenialRecord):
        raise ValidationError("denial", f"expected a DenialRecord, got {denial!r}")
    return (
        utc(denial.at, "at"),
        denial.actor_id,
        None if denial.role is None else denial.role.value,
        denial.action.value,
        None if denial.complaint_id is None else str(denial.complaint_id),
        denial.reference,
        denial.reason,
    )


def denial_from_values(row: Sequence[object], read: Instant = instant) -> DenialRecord:
    """
    The denial stored as ``row`` (the columns of :data:`DENIAL_COLUMNS`).

    Raises:
        ValueError: a value is not what the column holds (ValidationError is one).
    """
    at, actor_id, role, action, complaint_id, reference, reason = row
    return DenialRecord(
        at=read(at, "at"),
        actor_id=actor_id,  # type: ignore[arg-type]
        role=None if role is None else Role(role),
        action=Action(action),
        complaint_id=None if complaint_id is None else uuid.UUID(str(complaint_id)),
        reference=reference,  # type: ignore[arg-type]
        reason=reason,  # type: ignore[arg-type]
    )
