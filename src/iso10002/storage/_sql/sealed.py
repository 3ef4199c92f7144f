"""
The stored form of an event's payload, shared by the SQL stores: sealed JSON (what the hashes
cover) and the personal values beside it (what erasure clears); see
:mod:`iso10002.privacy.sealing`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from iso10002.errors import SerializationError
from iso10002.integrity.chain import canonical_bytes
from iso10002.model.chain import ChainRecord
from iso10002.model.events import Event
from iso10002.privacy.sealing import PersonalValues, actor_markers, markers, unseal
from iso10002.serialization import parse_json

__all__ = [
    "DECODE_ERRORS",
    "chain_record",
    "decode_personal",
    "open_payload",
    "stored_bytes",
]


DECODE_ERRORS = (SerializationError, ValueError, TypeError, AttributeError, KeyError)
"""
What decoding a stored row may raise: SerializationError by design, the builtin types as a
safety net, so that no shape of stored value escapes as anything but the store's own error.
"""


def decode_personal(data: object) -> dict[str, tuple[str, Any]] | None:
    """
    The personal values of a stored event from their JSON (text or already parsed).

    Raises:
        SerializationError: the stored value is not a map of path to ``[salt, value]``.
    """
    if data is None:
        return None
    if isinstance(data, (str, bytes)):
        data = parse_json(data, path="$.personal")
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


def stored_bytes(event: Event, payload: object, actor: object = None) -> bytes:
    """
    The bytes the hash of a stored event covers, ``payload`` (and ``actor``) as read back: its
    sealed payload if it was sealed, else its payload as decoded (an event stored before
    sealing, or one that holds no personal data); its sealed actor likewise.
    """
    sealed_actor = actor if isinstance(actor, dict) and actor_markers(actor) else None
    if isinstance(payload, dict) and markers(event.payload.type, payload):
        return canonical_bytes(event, payload, sealed_actor)
    return canonical_bytes(event, None, sealed_actor)


def chain_record(
    row: Sequence[Any],
    decode: Callable[[Sequence[Any], object], Event],
    read_payload: Callable[[object], object],
) -> ChainRecord:
    """
    A stored row ``(position, stream_id, seq, type, schema_version, occurred_at, actor, state,
    payload, personal, hash, chain)`` as :func:`~iso10002.integrity.verify` takes it: the event
    if ``decode`` can read it, else None and the reason, so that the verifier can name the row;
    the payload as sealed and stored (``read_payload`` parses the column), and the personal
    values beside it.
    """
    event: Event | None = None
    error: str | None = None
    payload: object = None
    actor: object = None
    personal: PersonalValues | None = None
    try:
        actor = read_payload(row[6])
        payload = read_payload(row[8])
        personal = decode_personal(row[9])
        event = decode(row[1:9], row[9])
    except DECODE_ERRORS as e:
        error = str(e)
    return ChainRecord(
        position=int(row[0]),
        complaint_id=str(row[1]),
        seq=row[2] if isinstance(row[2], int) else 0,
        event=event,
        error=error,
        hash=row[10],
        chain=row[11],
        payload=payload if isinstance(payload, dict) else None,
        personal=personal,
        actor=actor if isinstance(actor, dict) and actor_markers(actor) else None,
    )
