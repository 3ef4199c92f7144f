"""What a chart draws: bars and series, checked when they are made."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check

__all__ = ["Bar", "Series"]


def _label(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError(attribute.name, f"expected text, got {type(value).__name__}")


def _amount(value: object, field: str) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValidationError(field, f"expected a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValidationError(field, f"must be a finite number, got {value!r}")
    if value < 0:
        raise ValidationError(field, f"must not be negative, got {value!r}")


def _value(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _amount(value, attribute.name)


def _values(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise ValidationError(attribute.name, f"expected a tuple, got {type(value).__name__}")
    for index, item in enumerate(value):
        if item is not None:
            _amount(item, f"{attribute.name}[{index}]")


def _to_indices(value: Iterable[int]) -> frozenset[int]:
    if not isinstance(value, Iterable) or isinstance(value, (str, bytes)):
        raise ValidationError("flagged", f"expected indices, got {type(value).__name__}")
    return frozenset(value)


def _indices(_inst: object, attribute: attrs.Attribute[Any], value: frozenset[object]) -> None:
    for item in value:
        if not isinstance(item, int) or isinstance(item, bool) or item < 0:
            raise ValidationError(attribute.name, f"expected indices (int >= 0), got {item!r}")


@attrs.frozen(kw_only=True)
class Bar:
    """One bar: its label, its value (a finite number, never negative) and whether to mark it."""

    label: str = attrs.field(validator=_label)
    value: float = attrs.field(validator=_value)
    highlight: bool = attrs.field(default=False, validator=check.instance(bool))
    """Drawn in red with a triangle above it (an unusual value, a recurring cause)."""


@attrs.frozen(kw_only=True)
class Series:
    """One line of a :func:`line_chart`: a value (or ``None`` for a gap) per bucket."""

    name: str = attrs.field(validator=_label)
    values: tuple[float | None, ...] = attrs.field(converter=check.to_tuple, validator=_values)
    flagged: frozenset[int] = attrs.field(
        default=frozenset(), converter=_to_indices, validator=_indices
    )
    """Indices of the buckets where the value looks unusual; marked with a diamond."""
