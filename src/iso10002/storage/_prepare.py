"""
What every store does to an event before it stores it, done once for all of them, above the
stores: checking each append (:func:`~iso10002.ports.store.check_batch`), sealing the personal
values apart (:mod:`iso10002.privacy.sealing`) and the canonical bytes the hashes cover
(:class:`~iso10002.model.prepared.PreparedEvent`).

A backend stores what it is given: the sealed payload (as JSON, or as the mapping), the
personal values beside it, and the links that :func:`iso10002.ports.store.link` computes under
the store's own lock from the only inputs the store alone can read there: the stored hash a
complaint continues from and the log's last link.
"""

from __future__ import annotations

from collections.abc import Sequence

from iso10002.integrity.prepared import prepared_event
from iso10002.model.events import Event
from iso10002.model.prepared import PreparedEvent
from iso10002.model.values import Actor
from iso10002.ports.store import Append, check_batch
from iso10002.privacy.sealing import seal_event
from iso10002.serialization import canonical_json, unstructure

__all__ = ["prepare_appends", "prepare_event"]

_ACTOR_CACHE_SIZE = 1024
"""Actors whose JSON is kept at hand; staff members act again and again."""
_ACTORS: dict[Actor, str] = {}


def prepare_event(event: Event) -> PreparedEvent:
    """
    Seal ``event``'s payload (and its actor, when it is the complainant), encode it, and compute
    the bytes its hash covers.

    The payload is unstructured and sealed in one walk, and encoded once: the stored JSON is
    spliced into the hashed bytes as it is (:func:`~iso10002.integrity.chain.canonical_from_json`).
    """
    sealed = seal_event(event)
    # A sealed actor is the complainant's, whose commitments differ event by event: not cached.
    return prepared_event(
        event, sealed, None if sealed.actor is not None else _actor_json(event.actor)
    )


def _actor_json(actor: Actor) -> str:
    found = _ACTORS.get(actor)
    if found is None:
        if len(_ACTORS) >= _ACTOR_CACHE_SIZE:
            _ACTORS.clear()
        found = _ACTORS[actor] = canonical_json(unstructure(actor))
    return found


def prepare_appends(appends: Sequence[Append]) -> list[Append]:
    """
    ``appends``, each checked and carrying its events' prepared forms (:attr:`Append.prepared
    <iso10002.ports.store.Append.prepared>`), in order.

    A store calls this first in its ``append_many``, before it takes its lock: an append
    prepared already (the desk prepares its own) is only checked, any other is sealed and
    encoded here, once. Then :func:`iso10002.ports.store.link` gives the links.

    Raises:
        ValidationError: an append is empty, mixes complaints, breaks the sequence, or its
            summary does not describe its last event (:func:`~iso10002.ports.store.check_batch`).
    """
    out = []
    for a in appends:
        check_batch(a.events, a.expected_version, a.summary)
        out.append(a if a.prepared is not None else prepared_append(a))
    return out


def prepared_append(a: Append) -> Append:
    """``a`` with its events prepared (:func:`prepare_event`); ``a`` is checked already."""
    # Built directly rather than with ``attrs.evolve``, which costs twice as much.
    return Append(
        events=a.events,
        expected_version=a.expected_version,
        summary=a.summary,
        outbox=a.outbox,
        erase=a.erase,
        prepared=tuple(prepare_event(e) for e in a.events),
        number=a.number,
    )
