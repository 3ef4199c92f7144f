"""
What every store does to an event before it stores it, done once for all of them: sealing the
personal values apart (:mod:`iso10002.privacy.sealing`), the canonical bytes the hashes cover,
and the links of both hash chains (:mod:`iso10002.model.chain`).

A backend stores what it is given: the sealed payload (as JSON, or as the mapping), the
personal values beside it, and the links. The only inputs it supplies are the ones it alone can
read under its own lock: the stored hash a complaint continues from (:func:`complaint_hashes`)
and the log's last link (:func:`log_links`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from iso10002.integrity.chain import canonical_bytes
from iso10002.model.chain import GENESIS, Hasher
from iso10002.model.events import Event
from iso10002.model.values import ComplaintId
from iso10002.privacy.sealing import PersonalValues, Sealed, seal_event

__all__ = ["PreparedEvent", "complaint_hashes", "log_links", "prepare_event"]

_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


@attrs.frozen
class PreparedEvent:
    """One event as every store keeps it: sealed, encoded, and the bytes its hash covers."""

    event: Event
    sealed: Sealed
    """The payload with its personal values replaced by commitments, and those values."""
    payload_json: str
    """``sealed.payload`` as compact JSON: what an SQL store writes in ``payload``."""
    personal_json: str | None
    """The personal values as JSON ``{path: [salt, value]}``; None when there are none."""
    canonical: bytes
    """What the event's link in its complaint's chain covers."""
    actor_json: str | None = None
    """The actor as sealed, as JSON, when it is the complainant; None: store it as it is."""

    @property
    def payload(self) -> Mapping[str, Any]:
        """The sealed payload."""
        return self.sealed.payload

    @property
    def personal(self) -> PersonalValues:
        """The personal values held apart, by path: ``(salt, value)``."""
        return self.sealed.personal


def prepare_event(event: Event) -> PreparedEvent:
    """
    Seal ``event``'s payload (and its actor, when it is the complainant), encode it, and compute
    the bytes its hash covers.
    """
    sealed = seal_event(event)
    personal = (
        _ENCODE({path: [salt, value] for path, (salt, value) in sealed.personal.items()})
        if sealed.personal
        else None
    )
    return PreparedEvent(
        event=event,
        sealed=sealed,
        payload_json=_ENCODE(sealed.payload),
        personal_json=personal,
        canonical=canonical_bytes(event, sealed.payload, sealed.actor),
        actor_json=None if sealed.actor is None else _ENCODE(sealed.actor),
    )


def complaint_hashes(
    hasher: Hasher,
    appends: Iterable[tuple[ComplaintId, int, Sequence[PreparedEvent]]],
    stored: Callable[[ComplaintId, int], str | None],
) -> list[list[str]]:
    """
    Each append's links in its complaint's chain, for appends given as ``(complaint id,
    expected version, prepared events)``, in order.

    A complaint's first append in the batch continues from ``stored(id, expected_version)``,
    the stored hash of the event it continues (None, or a new complaint, from
    :data:`~iso10002.model.chain.GENESIS`); a later append of the same complaint continues from
    the one before it in the batch.
    """
    heads: dict[ComplaintId, str] = {}
    out: list[list[str]] = []
    for cid, expected_version, events in appends:
        previous = heads.get(cid)
        if previous is None:
            found = stored(cid, expected_version) if expected_version else None
            previous = GENESIS if found is None else found
        hashes = []
        for prepared in events:
            previous = hasher.event_hash(previous, prepared.canonical)
            hashes.append(previous)
        heads[cid] = previous
        out.append(hashes)
    return out


def log_links(hasher: Hasher, last: str | None, hashes: Iterable[str]) -> list[str]:
    """
    The log's links for events with ``hashes``, in the order they are stored, after the log's
    ``last`` link (None for an empty log), which the backend reads under its append lock.
    """
    chain = GENESIS if last is None else last
    links = []
    for digest in hashes:
        chain = hasher.chain_hash(chain, digest)
        links.append(chain)
    return links
