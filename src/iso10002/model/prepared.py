"""
:class:`PreparedEvent`: an event as every store keeps it, sealed and encoded once above the
stores (:func:`iso10002.storage.prepare_appends`), so that a store stores what it is given.
"""

from __future__ import annotations

from typing import Any

import attrs

from iso10002.model.events import Event

__all__ = ["PreparedEvent"]


@attrs.frozen
class PreparedEvent:
    """
    One event as every store keeps it: sealed, encoded, and the bytes its hash covers.

    A store writes ``payload_json``, ``actor_json`` and ``personal_json`` (or keeps
    ``payload`` and ``personal``), and the links :func:`iso10002.ports.store.link` computes
    from ``canonical``; it never seals, encodes or hashes an event itself.
    """

    event: Event
    payload: dict[str, Any]
    """The payload's JSON with each personal value replaced by its commitment marker."""
    personal: dict[str, tuple[str, Any]]
    """The personal values held apart, by dotted path: ``(salt, value)``; empty when none."""
    payload_json: str
    """``payload`` in the canonical encoding: what an SQL store writes in ``payload``, and
    the very text the hashed bytes hold."""
    actor_json: str
    """The actor in the canonical encoding, sealed when it is the complainant
    (``sealed_actor``): what an SQL store writes in ``actor``."""
    personal_json: str | None
    """The personal values as JSON ``{path: [salt, value]}``; None when there are none."""
    canonical: bytes
    """What the event's link in its complaint's chain covers."""
    sealed_actor: dict[str, Any] | None = None
    """The actor with its id and name replaced by commitment markers, its values held in
    ``personal`` under ``$actor.id`` and ``$actor.name``, when it is the complainant; None
    when the actor is stored as it is."""
