"""
The stored form of an event's payload, shared by the SQL stores: sealed JSON (what the hashes
cover) and the personal values beside it (what erasure clears); see
:mod:`iso10002.privacy.sealing`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from iso10002.errors import SerializationError
from iso10002.integrity.chain import canonical_bytes
from iso10002.model.events import Event
from iso10002.privacy.sealing import PersonalValues, seal, unseal

__all__ = ["StoredPayload", "decode_personal", "open_payload", "store_payload"]

_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

StoredPayload = tuple[str, "str | None", bytes]
"""The sealed payload's JSON, the personal values' JSON (None if none), the canonical bytes."""


def store_payload(event: Event) -> tuple[str, str | None, bytes]:
    """What a store writes for ``event``'s payload, and the bytes its hash covers."""
    sealed = seal(event.payload)
    personal = (
        _ENCODE({path: [salt, value] for path, (salt, value) in sealed.personal.items()})
        if sealed.personal
        else None
    )
    return _ENCODE(sealed.payload), personal, canonical_bytes(event, sealed.payload)


def decode_personal(data: object) -> dict[str, tuple[str, Any]] | None:
    """
    The personal values of a stored event from their JSON (text or already parsed).

    Raises:
        SerializationError: the stored value is not a map of path to ``[salt, value]``.
    """
    if data is None:
        return None
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as e:
            raise SerializationError(f"$.personal: not valid JSON: {e}", path="$.personal") from e
    if not isinstance(data, Mapping):
        raise SerializationError("$.personal: expected an object", path="$.personal")
    out: dict[str, tuple[str, Any]] = {}
    for path, item in data.items():
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            raise SerializationError(
                f"$.personal.{path}: expected [salt, value]", path=f"$.personal.{path}"
            )
        out[str(path)] = (item[0], item[1])
    return out


def open_payload(type_name: object, payload: Any, personal: PersonalValues | None) -> Any:
    """The payload JSON with the held personal values put back (erased ones as placeholders)."""
    if not isinstance(type_name, str):
        return payload
    return unseal(type_name, payload, personal)
