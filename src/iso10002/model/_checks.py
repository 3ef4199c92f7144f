"""Validators shared by the model's attrs classes; each raises ValidationError naming the field."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs

from iso10002.errors import NaiveDatetimeError, ValidationError
from iso10002.model.personal import ERASED

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

# Deliberately permissive: one "@", no spaces, a dot in the domain. Full RFC 5322 parsing would
# reject addresses that mail servers accept, and deliverability can only be proven by sending.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# What a code, a name of a member or a number looks like; free text (spaces, an "@") does not.
_TOKEN = re.compile(r"^[A-Za-z0-9_.:+/-]{1,32}$")


def shown(value: object) -> str:
    """
    ``value`` as an error message may repeat it: a bad value is repeated only when it cannot be
    free text — a number, a date, or a short code without spaces or ``@`` such as ``emial`` or
    ``2026-13-01``. Anything else is described by its type and length, because text given in
    the wrong place (a comment passed as a reason code, a name in a date) is often personal data.
    """
    if value is None or isinstance(value, (bool, int, float, Decimal, date, Enum)):
        return repr(value)
    if isinstance(value, str):
        if _TOKEN.match(value):
            return repr(value)
        return f"a text of {len(value)} characters"
    return f"a {type(value).__name__}"


def aware(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An aware datetime."""
    if not isinstance(value, datetime):
        raise ValidationError(attribute.name, f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(attribute.name)


def optional_aware(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """None or an aware datetime."""
    if value is not None:
        aware(inst, attribute, value)


def text(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A string with at least one non-blank character, that UTF-8 can encode."""
    if not isinstance(value, str):
        raise ValidationError(attribute.name, f"expected text, got {type(value).__name__}")
    if not value or value.isspace():  # blank: as ``not value.strip()``, without a copy
        raise ValidationError(attribute.name, "must not be empty")
    encodable(attribute.name, value)


def encodable(field: str, value: str) -> None:
    """
    Refuse a string with a lone surrogate: JSON escapes (``"\\ud800"``) and bytes that are
    not UTF-8 read with ``surrogateescape`` give one, and no store can encode it.
    """
    if value.isascii():  # the common case, without encoding anything
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValidationError(
            field, f"holds a lone surrogate at position {e.start}, which is not text"
        ) from None


def optional_text(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """None or a non-blank string."""
    if value is not None:
        text(inst, attribute, value)


ORGANISATION_LENGTH = 64
"""The longest organisation (tenant) id."""

# Characters that separate values in the places an organisation id travels (paths, lists,
# keys, headers): an id holding one would read as two.
_SEPARATORS = frozenset(",;:/\\|")


def organisation_id(field: str, value: object) -> str:
    """
    ``value`` checked as an organisation (tenant) id: text of 1 to
    :data:`ORGANISATION_LENGTH` printable characters, with no spaces and no separators
    (``, ; : / \\ |``).

    Raises:
        ValidationError: naming ``field``.
    """
    if not isinstance(value, str):
        raise ValidationError(field, f"expected text, got {type(value).__name__}")
    if not value.strip():
        raise ValidationError(field, "must not be empty")
    if len(value) > ORGANISATION_LENGTH:
        raise ValidationError(
            field, f"must be at most {ORGANISATION_LENGTH} characters, got {len(value)}"
        )
    encodable(field, value)
    bad = next((c for c in value if not c.isprintable() or c.isspace() or c in _SEPARATORS), None)
    if bad is not None:
        raise ValidationError(
            field,
            f"holds {bad!r} at position {value.index(bad)}: an organisation id is printable, "
            "without spaces or separators (, ; : / \\ |)",
        )
    return value


def optional_organisation(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """None or an organisation id (:func:`organisation_id`)."""
    if value is not None:
        organisation_id(attribute.name, value)


def email(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """None or a plausible e-mail address."""
    if value is None or value == ERASED:
        return
    if not isinstance(value, str) or not _EMAIL.match(value):
        # The value is not repeated: an e-mail address is personal data, even a mistyped one.
        raise ValidationError(attribute.name, "is not a valid e-mail address")


def currency(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An ISO 4217 alphabetic code such as GBP."""
    if not isinstance(value, str) or not _CURRENCY.match(value):
        raise ValidationError(
            attribute.name,
            f"{shown(value)} is not an ISO 4217 currency code (three capital letters)",
        )


def non_negative_decimal(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A finite Decimal that is zero or more."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError(attribute.name, f"expected a finite Decimal, got {shown(value)}")
    if value < 0:
        raise ValidationError(attribute.name, f"must not be negative (got {value})")


MONEY_DIGITS = 64
"""The most digits an amount of money has before, and after, its decimal point."""


def money_amount(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """
    A non-negative finite Decimal with at most :data:`MONEY_DIGITS` digits on each side of
    the point: amounts are summed exactly, and the sum of 1E+999999 and 1E-999999 would be
    two million digits long.
    """
    non_negative_decimal(inst, attribute, value)
    assert isinstance(value, Decimal)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if value.adjusted() >= MONEY_DIGITS or exponent < -MONEY_DIGITS:
        raise ValidationError(
            attribute.name,
            f"must have at most {MONEY_DIGITS} digits before and after the decimal point",
        )


def member_of(enum: type[Enum]) -> Validator:
    """A member of ``enum``; the message lists the allowed values."""

    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, enum):
            allowed = ", ".join(str(m.value) for m in enum)
            hint = ""
            if any(value == m.value for m in enum):
                hint = f"; pass {enum.__name__}({value!r}), not the plain value"
            raise ValidationError(
                attribute.name,
                f"{shown(value)} is not a {enum.__name__} (allowed: {allowed}){hint}",
            )

    return check


def optional_member_of(enum: type[Enum]) -> Validator:
    """None or a member of ``enum``."""
    inner = member_of(enum)

    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(inst, attribute, value)

    return check


def instance(cls: type[Any] | tuple[type[Any], ...]) -> Validator:
    """An instance of ``cls``."""

    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            name = cls.__name__ if isinstance(cls, type) else " or ".join(c.__name__ for c in cls)
            raise ValidationError(attribute.name, f"expected {name}, got {type(value).__name__}")

    return check


def optional_instance(cls: type[Any]) -> Validator:
    """None or an instance of ``cls``."""
    inner = instance(cls)

    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(inst, attribute, value)

    return check


def tuple_of(cls: type[Any]) -> Validator:
    """A tuple whose items are all instances of ``cls``."""

    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise ValidationError(attribute.name, f"expected a tuple, got {type(value).__name__}")
        for index, item in enumerate(value):
            if not isinstance(item, cls):
                raise ValidationError(
                    f"{attribute.name}[{index}]",
                    f"expected {cls.__name__}, got {type(item).__name__}",
                )

    return check


def tuple_of_text(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A tuple of non-blank strings."""
    if not isinstance(value, tuple):
        raise ValidationError(attribute.name, f"expected a tuple, got {type(value).__name__}")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(f"{attribute.name}[{index}]", "must be non-empty text")
        encodable(f"{attribute.name}[{index}]", item)


def int_range(low: int, high: int) -> Validator:
    """An int in ``[low, high]`` (bool is refused)."""

    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValidationError(attribute.name, f"expected an integer, got {shown(value)}")
        if not low <= value <= high:
            raise ValidationError(attribute.name, f"must be between {low} and {high}, got {value}")

    return check


def optional_date(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """None or a calendar date (not a datetime)."""
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise ValidationError(attribute.name, f"expected a date, got {shown(value)}")


def text_mapping(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A mapping of non-blank strings to strings."""
    if not isinstance(value, dict):
        raise ValidationError(attribute.name, f"expected a mapping, got {shown(value)}")
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip():
            raise ValidationError(attribute.name, f"keys must be non-blank text, got {shown(key)}")
        if not isinstance(item, str):
            raise ValidationError(f"{attribute.name}.{key}", f"expected text, got {shown(item)}")
        encodable(attribute.name, key)
        encodable(f"{attribute.name}.{key}", item)


def mapping_copy(value: object) -> object:
    """Copy a mapping into a plain dict (so the value cannot change under a frozen object)."""
    return dict(value) if isinstance(value, Mapping) else value


def to_tuple(value: object) -> object:
    """
    Converter: any iterable but text or a mapping becomes a tuple, so a frozen record holds
    no list that could change under it; anything else passes through for the validator.
    """
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping)):
        return tuple(value)
    return value


def to_str_mapping(value: object) -> object:
    """
    Converter: a mapping becomes a plain dict of strings (an enum member by its value, as it
    is stored); anything else passes through.
    """
    if isinstance(value, Mapping):
        return {str(k): str(v.value if isinstance(v, Enum) else v) for k, v in value.items()}
    return value
