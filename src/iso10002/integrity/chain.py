"""
The canonical bytes of an event: what its link in the hash chains covers. The links themselves
are computed by :class:`~iso10002.model.chain.Hasher`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iso10002.model.events import Event
from iso10002.model.fact_row import utc_text
from iso10002.serialization import canonical_json, unstructure

__all__ = ["canonical_bytes", "canonical_from_json"]


def canonical_bytes(
    event: Event,
    payload: Mapping[str, Any] | None = None,
    actor: Mapping[str, Any] | None = None,
) -> bytes:
    """
    The bytes of ``event`` that its hash covers: compact JSON with sorted keys of its complaint
    id, seq, instant (UTC, microseconds), actor, state, type, schema version and payload.

    ``payload`` is the payload as sealed for storage (:mod:`iso10002.privacy.sealing`): personal
    values replaced by commitments, so that erasing them leaves the hash valid. Without it, the
    event's own payload is used, which is the same for an event that holds no personal data.
    ``actor`` is the actor as sealed, likewise, when it is the complainant; without it, the
    event's own actor (an event stored before actors were sealed keeps its hash).

    Equal events give equal bytes however they were stored, so a store may keep the event in
    any form (text, ``jsonb``) that reads back the same.
    """
    return canonical_json(
        {
            "complaint_id": str(event.complaint_id),
            "seq": event.seq,
            "occurred_at": utc_text(event.occurred_at),
            "actor": unstructure(event.actor) if actor is None else actor,
            "state": event.state,
            "type": event.payload.type,
            "schema_version": event.schema_version,
            "payload": unstructure(event.payload) if payload is None else payload,
        }
    ).encode("utf-8")


def canonical_from_json(
    event: Event, payload_json: str, actor_json: str, complaint_id: str | None = None
) -> bytes:
    """
    :func:`canonical_bytes` of ``event``, built around JSON already encoded canonically
    (:func:`~iso10002.serialization.canonical_json`): ``payload_json`` of its sealed payload
    and ``actor_json`` of its actor. A store that keeps those very strings hashes the bytes it
    stores, and no event's payload is encoded twice. ``complaint_id`` is the text of the
    event's complaint id, if the caller has it at hand.
    """
    if complaint_id is None:
        complaint_id = str(event.complaint_id)
    # The envelope's keys in sorted order, as canonical_bytes writes them.
    return (
        f'{{"actor":{actor_json},"complaint_id":"{complaint_id}",'
        f'"occurred_at":"{utc_text(event.occurred_at)}","payload":{payload_json},'
        f'"schema_version":{event.schema_version},"seq":{event.seq},'
        f'"state":{_name_json(event.state)},"type":{_name_json(event.payload.type)}}}'
    ).encode()


_NAMES: dict[str, str] = {}
"""The JSON of the state and type names met so far: a workflow has a few dozen of them."""
_NAMES_KEPT = 4096


def _name_json(name: str) -> str:
    found = _NAMES.get(name)
    if found is None:
        if len(_NAMES) >= _NAMES_KEPT:
            _NAMES.clear()
        found = _NAMES[name] = canonical_json(name)
    return found
