"""
:class:`DenialRecord`: one refused command or query of the desk, as an access log keeps it
(ISO 10002 4.12).

A denial names the actor by id and role, the action, the complaint by id and reference, and
the policy's reason: never a name, contact details or anything the complaint says.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

import attrs

from iso10002.errors import NaiveDatetimeError, ValidationError
from iso10002.model import _checks as check
from iso10002.model.actions import Action
from iso10002.model.values import ComplaintId, Role

__all__ = ["DenialRecord", "check_denials_query"]


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


def check_denials_query(since: _dt.datetime | None, limit: int) -> None:
    """
    The checks every :meth:`~iso10002.ports.store.DenialStore.denials` makes on its arguments.

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
