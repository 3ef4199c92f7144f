"""
Which fields hold personal data, and what an erased value reads as.

A field is marked with ``metadata=PERSONAL`` (and ``repr=masked``, so that a value printed in a
log or a traceback never shows it). Marked fields are text, or tuples of text: the name and
contact details of the complainant and any representative, their customer id and accessibility
needs, and every free-text field written about or by them (the description, notes, reasons,
comments, communication summaries). What monitoring counts — channel, category, product,
outcome, remedies and amounts, instants, root causes — is not personal, so statistics survive
erasure. Root causes are meant for learning (8.2) and must not name people.

Stores keep marked values apart from the events (see :mod:`iso10002.privacy`); once erased, a
text field reads as :data:`ERASED` and a tuple of text as an empty tuple.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any, Union

import attrs

__all__ = [
    "ERASED",
    "PERSONAL",
    "PersonalField",
    "is_personal",
    "masked",
    "personal_fields",
    "personal_paths",
]

PERSONAL: Mapping[str, object] = types.MappingProxyType({"iso10002.personal": True})
"""Field metadata marking a field as personal data: ``attrs.field(..., metadata=PERSONAL)``."""

ERASED = "[erased]"
"""What an erased text field reads as; it passes every text validator, the e-mail one included."""


def masked(value: object) -> str:
    """The ``repr`` of a personal field: whether a value is there, never the value."""
    if value is None or value in (ERASED, ()):
        return repr(value)
    return "'…'"


def is_personal(field: attrs.Attribute[Any]) -> bool:
    """Whether ``field`` is marked as personal data."""
    return bool(field.metadata.get("iso10002.personal", False))


@attrs.frozen
class PersonalField:
    """One field of a class that holds personal data, or leads to a class that does."""

    name: str
    """The field's name, and its key in the class's JSON."""
    personal: bool
    """Whether the field's own value is personal data (text or a tuple of text)."""
    nested: type[Any] | None = None
    """The attrs class the field holds (or holds a tuple of, see ``many``), to look inside."""
    many: bool = False
    """Whether the field holds a tuple (of text if ``personal``, else of ``nested``)."""


def _unwrap(tp: Any) -> tuple[type[Any] | None, bool]:
    """The attrs class ``tp`` holds (through ``Optional`` and tuples), and whether many."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        return _unwrap(members[0]) if len(members) == 1 else (None, False)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            inner, _ = _unwrap(args[0])
            return inner, inner is not None
        return None, False
    if isinstance(tp, type) and attrs.has(tp):
        return tp, False
    return None, False


_FIELDS: dict[type[Any], tuple[PersonalField, ...]] = {}


def personal_fields(cls: type[Any]) -> tuple[PersonalField, ...]:
    """
    The fields of attrs class ``cls`` that hold personal data or lead to a class that does, in
    declaration order; computed once per class.
    """
    known = _FIELDS.get(cls)
    if known is None:
        known = _FIELDS[cls] = _find(cls)
    return known


def _find(cls: type[Any]) -> tuple[PersonalField, ...]:
    attrs.resolve_types(cls)
    found: list[PersonalField] = []
    for field in attrs.fields(cls):
        if is_personal(field):
            many = typing.get_origin(field.type) is tuple
            found.append(PersonalField(name=field.name, personal=True, many=many))
            continue
        nested, many = _unwrap(field.type)
        if nested is not None and _leads_to_personal(nested):
            found.append(PersonalField(name=field.name, personal=False, nested=nested, many=many))
    return tuple(found)


def _leads_to_personal(cls: type[Any]) -> bool:
    return bool(personal_fields(cls))


def personal_paths(cls: type[Any], prefix: str = "") -> Iterator[str]:
    """
    Every path to personal data in ``cls``, dotted, with ``*`` for the items of a tuple; e.g.
    ``complainant.contact.email`` or ``attachments.*.uri``. For documentation and tests.
    """
    for f in personal_fields(cls):
        path = f"{prefix}{f.name}"
        if f.personal:
            yield path
        elif f.nested is not None:
            yield from personal_paths(f.nested, f"{path}.*." if f.many else f"{path}.")
