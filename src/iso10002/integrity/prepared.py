"""
An event prepared for storage from its sealed form: the one place that says what a
:class:`~iso10002.model.prepared.PreparedEvent` holds, for the stores' preparation
(:mod:`iso10002.storage._prepare`) and the templates of repeated payloads
(:mod:`iso10002.integrity.templates`).
"""

from __future__ import annotations

from iso10002.integrity.chain import canonical_from_json
from iso10002.model.events import Event
from iso10002.model.prepared import PreparedEvent
from iso10002.privacy.sealing import Sealed
from iso10002.serialization import canonical_json, compact_json, unstructure

__all__ = ["prepared_event"]


def prepared_event(event: Event, sealed: Sealed, actor_json: str | None = None) -> PreparedEvent:
    """
    ``event`` prepared from ``sealed`` (:func:`~iso10002.privacy.sealing.seal_event` of it):
    the sealed payload encoded once in the canonical form, the personal values' JSON, and the
    bytes the hashes cover, which splice that JSON as it is. ``actor_json`` is the canonical
    JSON of the actor when the caller has it at hand; it is not used for a sealed actor (the
    complainant), whose commitments differ event by event.
    """
    personal = (
        compact_json({path: [salt, value] for path, (salt, value) in sealed.personal.items()})
        if sealed.personal
        else None
    )
    payload_json = canonical_json(sealed.payload)
    if sealed.actor is not None:
        actor_json = canonical_json(sealed.actor)
    elif actor_json is None:
        actor_json = canonical_json(unstructure(event.actor))
    return PreparedEvent(
        event=event,
        payload=sealed.payload,
        personal=sealed.personal,
        payload_json=payload_json,
        actor_json=actor_json,
        personal_json=personal,
        canonical=canonical_from_json(event, payload_json, actor_json),
        sealed_actor=sealed.actor,
    )
