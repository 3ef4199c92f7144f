"""
Continual-improvement actions (8.7): a typed record of one thing the organisation will do, with
an owner, a due date and a status, linked to the audit criterion whose finding it answers.

Actions are kept as a JSON array of records (see :func:`actions_to_json`) read and written
through the library's one converter; a bad record is reported with its path (``$[2].due``).
The audit checks that every nonconformity has an action (criterion
``8.7-nonconformity-has-action``); the management review lists them.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from enum import Enum
from typing import Any

import attrs

from iso10002 import serialization
from iso10002.errors import SerializationError, ValidationError
from iso10002.model import _checks as check

__all__ = [
    "ActionStatus",
    "ImprovementAction",
    "actions_from_json",
    "actions_to_json",
]


class ActionStatus(str, Enum):
    """Where an improvement action stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Whether the action still has work to do (open or in progress)."""
        return self in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


def _action_status(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, ActionStatus):
        for member in ActionStatus:
            if member.value == value:
                return member
    return value


def _date(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise ValidationError(attribute.name, f"expected a date, got {value!r}")


@attrs.frozen(kw_only=True)
class ImprovementAction:
    """
    One continual-improvement action (8.7): what, who, by when, where it stands, and the audit
    criterion whose finding it answers.

    ``closed_on`` is given exactly when the action is done or cancelled, and neither it nor
    ``due`` may fall before ``opened_on``.
    """

    id: str = attrs.field(validator=check.text)
    title: str = attrs.field(validator=check.text)
    owner: str = attrs.field(validator=check.text)
    """The named person accountable for the action."""
    due: _dt.date = attrs.field(validator=_date)
    status: ActionStatus = attrs.field(
        converter=_action_status, validator=check.member_of(ActionStatus)
    )
    opened_on: _dt.date = attrs.field(validator=_date)
    finding: str | None = attrs.field(default=None, validator=check.optional_text)
    """The id of the audit criterion whose finding the action answers, if any."""
    closed_on: _dt.date | None = attrs.field(default=None, validator=check.optional_date)
    notes: str | None = attrs.field(default=None, validator=check.optional_text)

    def __attrs_post_init__(self) -> None:
        if self.due < self.opened_on:
            raise ValidationError("due", f"{self.due} is before opened_on {self.opened_on}")
        if self.status.is_open and self.closed_on is not None:
            raise ValidationError(
                "closed_on", f"an action that is {self.status.value} has no closing date"
            )
        if not self.status.is_open and self.closed_on is None:
            raise ValidationError(
                "closed_on", f"an action that is {self.status.value} needs its closing date"
            )
        if self.closed_on is not None and self.closed_on < self.opened_on:
            raise ValidationError(
                "closed_on", f"{self.closed_on} is before opened_on {self.opened_on}"
            )

    def overdue(self, on: _dt.date) -> bool:
        """Whether the action is still open after its due date, as of ``on``."""
        return self.status.is_open and self.due < on


def actions_to_json(actions: Iterable[ImprovementAction], *, indent: int | None = 2) -> str:
    """Improvement actions as a JSON array of records (dates as ``YYYY-MM-DD``)."""
    data = [serialization.unstructure(a) for a in actions]
    return serialization.pretty_json(data, indent=indent)


def actions_from_json(text: str | bytes) -> tuple[ImprovementAction, ...]:
    """
    Read improvement actions written by :func:`actions_to_json`.

    Raises:
        SerializationError: the text is not JSON, not an array, has unknown keys, or a value is
            bad; the message starts with the path of the bad value, e.g. ``$[1].closed_on``.
        ValidationError: two actions share an id (``field`` is ``id``).
    """
    data = serialization.parse_json(text)
    if not isinstance(data, list):
        raise SerializationError("$: expected a JSON array of improvement actions")
    actions = tuple(
        serialization.structure(item, ImprovementAction, path=f"$[{i}]")
        for i, item in enumerate(data)
    )
    seen: set[str] = set()
    for a in actions:
        if a.id in seen:
            raise ValidationError("id", f"two improvement actions have the id {a.id!r}")
        seen.add(a.id)
    return actions
