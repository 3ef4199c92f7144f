"""
The field checks of a workflow definition's parts: a malformed part (an empty name, a string
where a list of states belongs, a payload type that is no attrs class) raises
:class:`~iso10002.errors.DefinitionError` naming the part and the field, when it is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from iso10002.errors import DefinitionError

__all__ = [
    "flag",
    "instances",
    "name",
    "name_tuple",
    "names",
    "optional_name",
    "payload_type",
    "text",
    "what",
]


_KINDS = {"StateDef": "state", "Transition": "transition", "Guard": "guard", "Workflow": "workflow"}


def what(inst: object) -> str:
    """The part being checked, as a message names it: ``transition 'review'``, ``state``."""
    kind = _KINDS.get(type(inst).__name__, type(inst).__name__)
    label = getattr(inst, "command", None) or getattr(inst, "name", None)
    if isinstance(label, str) and label.strip():
        return f"{kind} {label!r}"
    return kind


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else type(value).__name__


def name(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A name: text with no blank ends and no line breaks, not empty."""
    _name(inst, attribute.name, value)


def _name(inst: object, field: str, value: object) -> None:
    if not isinstance(value, str):
        raise DefinitionError(f"{what(inst)}: {field} must be a name (text), got {_shown(value)}")
    if not value.strip():
        raise DefinitionError(f"{what(inst)}: {field} must not be empty")
    if value != value.strip() or "\n" in value:
        raise DefinitionError(
            f"{what(inst)}: {field} {value!r} has blanks around it or a line break"
        )


def optional_name(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None`` or a name."""
    if value is not None:
        name(inst, attribute, value)


def text(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Any text, empty included (a description)."""
    if not isinstance(value, str):
        raise DefinitionError(f"{what(inst)}: {attribute.name} must be text, got {_shown(value)}")


def flag(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``True`` or ``False``."""
    if not isinstance(value, bool):
        raise DefinitionError(
            f"{what(inst)}: {attribute.name} must be true or false, got {_shown(value)}"
        )


def names(value: object) -> object:
    """
    A converter: a list or tuple of state names becomes a tuple. A single string is left as it
    is, for :func:`name_tuple` to refuse: iterating it would read ``"new"`` as three states.
    """
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value


def name_tuple(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A tuple of names."""
    if not isinstance(value, tuple):
        raise DefinitionError(
            f"{what(inst)}: {attribute.name} must be a list of state names, got {_shown(value)}"
        )
    for i, item in enumerate(value):
        _name(inst, f"{attribute.name}[{i}]", item)


def instances(kind: type, label: str) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """A tuple of ``kind`` instances; ``label`` names one in a message."""

    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise DefinitionError(
                f"{what(inst)}: {attribute.name} must be a list of {label}s, got {_shown(value)}"
            )
        for i, item in enumerate(value):
            if not isinstance(item, kind):
                raise DefinitionError(
                    f"{what(inst)}: {attribute.name}[{i}] must be a {label}, got "
                    f"{type(item).__name__}"
                )

    return check


def payload_type(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None`` or an attrs class: the typed payload of a custom step."""
    if value is None:
        return
    if not (isinstance(value, type) and attrs.has(value)):
        raise DefinitionError(
            f"{what(inst)}: {attribute.name} must be an attrs class, got {_shown(value)}"
        )
