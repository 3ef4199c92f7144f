"""
Sealing: how stores keep personal data apart from the hashed history, so that it can be erased
without breaking the integrity chain.

Before an event is stored, each personal value in its payload (see
:mod:`iso10002.model.personal`) is replaced by a marker ``{"$personal": C}``, where ``C`` is a
*commitment* ``SHA-256("P" || salt || canonical JSON of the value)`` under a fresh random 16-byte
salt. The event's hash covers the sealed payload, commitments included. The values travel
beside it, each with its salt, in a place the store can clear (a column, a map entry).

- While a value is held, :func:`~iso10002.integrity.verify` recomputes its commitment, so
  personal data is as tamper-evident as the rest of the history.
- Once erased, the value and its salt are gone; the commitment left in the sealed payload says
  nothing about the value (the salt makes it unguessable, even for a short postcode), and the
  chain still verifies.

The actor of an event is sealed the same way when it is the complainant (:func:`seal_event`):
its id (a customer id, under the default ownership rule) and its name point to a person. They
are held under the paths ``$actor.id`` and ``$actor.name``, which no payload field can take.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from iso10002.model.events import Event, EventPayload, payload_types
from iso10002.model.personal import ERASED, personal_fields
from iso10002.serialization import canonical_json, unstructure

__all__ = [
    "ACTOR",
    "MARKER",
    "PersonalValues",
    "Sealed",
    "actor_markers",
    "commitment",
    "markers",
    "seal",
    "seal_event",
    "unseal",
    "unseal_actor",
]

MARKER = "$personal"
"""The key of the object that stands for a personal value in a sealed payload."""

_TYPES = payload_types()

ACTOR = "$actor."
"""The prefix of the paths under which a sealed actor's values are held."""

_PERSONAL_ROLES = frozenset({"complainant"})
"""The roles whose actors are persons to be erased with the complaint, not staff or systems."""

PersonalValues = Mapping[str, tuple[str, Any]]
"""A sealed event's personal values: dotted path to ``(salt, value)``."""


def commitment(salt: str, value: object) -> str:
    """The commitment to ``value`` under ``salt`` (hex): 64 lower-case hex digits."""
    try:
        raw = bytes.fromhex(salt)
    except (TypeError, ValueError):
        raw = str(salt).encode("utf-8", "replace")
    return hashlib.sha256(b"P" + raw + canonical_json(value).encode("utf-8")).hexdigest()


@attrs.frozen(kw_only=True)
class Sealed:
    """A payload ready to store: the JSON the hash covers, and the personal values apart."""

    payload: dict[str, Any]
    """The payload's JSON with each personal value replaced by its marker."""
    personal: dict[str, tuple[str, Any]]
    """Dotted path (``complainant.contact.email``, ``attachments.0.uri``) to ``(salt, value)``."""
    actor: dict[str, Any] | None = None
    """The event's actor with its id and name replaced by markers, when it is the complainant
    (:func:`seal_event`); None when the actor is stored as it is."""


def seal(payload: EventPayload, *, salt: Callable[[], str] | None = None) -> Sealed:
    """
    Seal ``payload``: its JSON with personal values replaced by commitments, and the values.

    ``salt`` gives each value's salt as hex (16 random bytes by default); tests may fix it.
    """
    make_salt = salt or _random_salt
    data = unstructure(payload)
    values: dict[str, tuple[str, Any]] = {}
    _seal(type(payload), data, "", values, make_salt)
    return Sealed(payload=data, personal=values)


def seal_event(event: Event, *, salt: Callable[[], str] | None = None) -> Sealed:
    """
    Seal ``event``'s payload (:func:`seal`) and, when its actor is the complainant, the actor's
    id and name too: the sealed actor is :attr:`Sealed.actor`, its values held in
    :attr:`Sealed.personal` under ``$actor.id`` and ``$actor.name``.
    """
    make_salt = salt or _random_salt
    sealed = seal(event.payload, salt=make_salt)
    if event.actor.role.value not in _PERSONAL_ROLES:
        return sealed
    actor = unstructure(event.actor)
    personal = dict(sealed.personal)
    for name in ("id", "name"):
        value = actor.get(name)
        if value is not None:
            kept = make_salt()
            actor[name] = {MARKER: commitment(kept, value)}
            personal[f"{ACTOR}{name}"] = (kept, value)
    return Sealed(payload=sealed.payload, personal=personal, actor=actor)


def actor_markers(data: object) -> dict[str, str]:
    """The commitments in a stored actor, by path (``$actor.id``); none in a plain one."""
    found: dict[str, str] = {}
    if isinstance(data, Mapping):
        for name in ("id", "name"):
            value = data.get(name)
            if isinstance(value, Mapping) and isinstance(value.get(MARKER), str):
                found[f"{ACTOR}{name}"] = value[MARKER]
    return found


def unseal_actor(data: Any, personal: PersonalValues | None) -> Any:
    """
    A stored actor with its held values put back: an erased id reads as :data:`ERASED`, an
    erased name as None. A plain actor (not the complainant's, or stored before actors were
    sealed) is returned as it is.
    """
    if not isinstance(data, Mapping) or not actor_markers(data):
        return data
    held = personal or {}
    out = dict(data)
    for name, erased in (("id", ERASED), ("name", None)):
        value = data.get(name)
        if isinstance(value, Mapping) and MARKER in value:
            kept = held.get(f"{ACTOR}{name}")
            out[name] = kept[1] if kept is not None else erased
    return out


_SALT_BYTES = 16
_SALTS_AT_ONCE = 256
_SALTS: deque[str] = deque()
"""Fresh salts drawn ahead: one call of the system's random source gives 256 of them, where
asking for each apart was a tenth of an import's time. ``popleft`` and ``extend`` are atomic,
so threads share the pool without a lock; each salt is handed out once."""
# A forked child must not hand out the salts its parent will: it draws its own.
if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_SALTS.clear)


def _random_salt() -> str:
    try:
        return _SALTS.popleft()
    except IndexError:
        drawn = os.urandom(_SALT_BYTES * _SALTS_AT_ONCE).hex()
        width = 2 * _SALT_BYTES
        _SALTS.extend(drawn[i : i + width] for i in range(width, len(drawn), width))
        return drawn[:width]


def _seal(
    cls: type[Any],
    data: dict[str, Any],
    prefix: str,
    out: dict[str, tuple[str, Any]],
    make_salt: Callable[[], str],
) -> None:
    for field in personal_fields(cls):
        value = data.get(field.name)
        if value is None or value == []:
            continue  # nothing is held: there is nothing to keep apart
        path = f"{prefix}{field.name}"
        if field.personal:
            salt = make_salt()
            data[field.name] = {MARKER: commitment(salt, value)}
            out[path] = (salt, value)
        elif field.many:
            for i, item in enumerate(value):
                _seal(field.nested, item, f"{path}.{i}.", out, make_salt)  # type: ignore[arg-type]
        else:
            _seal(field.nested, value, f"{path}.", out, make_salt)  # type: ignore[arg-type]


def markers(type_name: str, data: Mapping[str, Any]) -> dict[str, str]:
    """
    The commitments in a sealed payload, by dotted path. A payload of an unknown type, or a
    malformed one, has none that can be found; decoding it reports what is wrong.
    """
    cls = _TYPES.get(type_name)
    found: dict[str, str] = {}
    if cls is not None and isinstance(data, Mapping):
        _markers(cls, data, "", found)
    return found


def _markers(cls: type[Any], data: Mapping[str, Any], prefix: str, out: dict[str, str]) -> None:
    for field in personal_fields(cls):
        value = data.get(field.name)
        path = f"{prefix}{field.name}"
        if field.personal:
            if isinstance(value, Mapping) and isinstance(value.get(MARKER), str):
                out[path] = value[MARKER]
        elif field.many and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    _markers(field.nested, item, f"{path}.{i}.", out)  # type: ignore[arg-type]
        elif isinstance(value, Mapping):
            _markers(field.nested, value, f"{path}.", out)  # type: ignore[arg-type]


def unseal(type_name: str, data: Mapping[str, Any], personal: PersonalValues | None) -> Any:
    """
    The payload JSON of a sealed payload with its personal values put back: ``data`` is left as
    it is. A marker whose value is not in ``personal`` (erased) reads as :data:`ERASED`, or an
    empty list for a tuple of text.
    """
    cls = _TYPES.get(type_name)
    if cls is None or not isinstance(data, Mapping):
        return data  # decoding reports the unknown type or the malformed payload
    # A held value with no marker to fill is left out: the payload was edited, and decoding
    # reports what is wrong with it while verify() names the value that fits nowhere.
    return _unseal(cls, data, "", dict(personal or {}))


def _unseal(
    cls: type[Any], data: Mapping[str, Any], prefix: str, held: dict[str, tuple[str, Any]]
) -> dict[str, Any]:
    out = dict(data)
    for field in personal_fields(cls):
        value = data.get(field.name)
        path = f"{prefix}{field.name}"
        if field.personal:
            if isinstance(value, Mapping) and MARKER in value:
                kept = held.pop(path, None)
                out[field.name] = kept[1] if kept is not None else ([] if field.many else ERASED)
        elif field.many and isinstance(value, list):
            out[field.name] = [
                _unseal(field.nested, item, f"{path}.{i}.", held)  # type: ignore[arg-type]
                if isinstance(item, Mapping)
                else item
                for i, item in enumerate(value)
            ]
        elif isinstance(value, Mapping):
            out[field.name] = _unseal(field.nested, value, f"{path}.", held)  # type: ignore[arg-type]
    return out
