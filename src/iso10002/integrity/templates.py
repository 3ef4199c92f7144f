"""
Preparing events (sealed, encoded, the bytes their hashes cover) as
:func:`iso10002.storage.prepare_appends` does, without unstructuring and encoding the same
payload again and again: for the importer's repeated steps and for the desk's
``sla_policy_applied`` events (one payload object per policy and reason).

The import's history builder hands out one payload object for the steps that repeat from record to
record (a decision, its communication, a closing note, a classification): the CFPB sample
has some 800 distinct ones among its 14,850 events after the receipts. The second time a
payload object comes, its prepared form (from the reference path,
:func:`prepare_event`) becomes a template, kept by the object's
identity (with the object itself, so that an identity is never reused):

- the JSON of the sealed payload, cut around each commitment, and the JSON of the personal
  values, cut around each salt;
- the canonical bytes of each personal value, which its commitment covers.

Each later event with that payload draws fresh salts (one per personal value, as sealing
does), computes the commitments (:func:`~iso10002.privacy.sealing.commitment`: SHA-256 of
``"P"``, the salt and the value's canonical JSON) and puts them and the salts into the cut
texts. Commitments and salts are fixed-width hexadecimal text, which JSON writes as it is, so
the result is the text the reference path gives with those salts; the sealed payload mapping
is the template's, copied along the paths of the commitments. The receipt (one of its own
per complaint) and any event whose actor is sealed (the complainant) take the reference
path. ``tests/importing`` compares every prepared event with the reference path's under the
same salts.
"""

from __future__ import annotations

import hashlib
from typing import Any

from iso10002.integrity.chain import canonical_from_json
from iso10002.integrity.prepared import prepared_event
from iso10002.model.events import ComplaintReceived, Event, EventPayload
from iso10002.model.prepared import PreparedEvent
from iso10002.model.values import Actor
from iso10002.privacy.sealing import MARKER, _random_salt, seal_event
from iso10002.serialization import canonical_json

__all__ = ["EventPreparer"]

_KEPT = 4096
"""Payload objects (met once, or with a template) kept at most; then the cache starts again."""


def prepare_event(event: Event, actor_json: str | None = None) -> PreparedEvent:
    """
    ``event`` sealed and encoded as :func:`iso10002.storage._prepare.prepare_event` does it
    (which this layer cannot call): the reference path. ``actor_json`` is the JSON of the
    actor, if known, used when the actor is not sealed.
    """
    return prepared_event(event, seal_event(event), actor_json)


def _cut(text: str, pieces: list[str]) -> tuple[list[str], list[int]] | None:
    """
    ``text`` cut around each of ``pieces`` (each found exactly once): the texts between them,
    and which piece comes at each cut, in the order of the text. None if a piece is not found
    exactly once.
    """
    found = []
    for i, piece in enumerate(pieces):
        at = text.find(piece)
        if at < 0 or text.find(piece, at + 1) >= 0:
            return None
        found.append((at, i))
    found.sort()
    parts = []
    start = 0
    for at, i in found:
        parts.append(text[start:at])
        start = at + len(pieces[i])
    parts.append(text[start:])
    return parts, [i for _, i in found]


class _Cut:
    """A text cut around pieces (:func:`_cut`), put back together with others in their place."""

    __slots__ = ("form", "order")

    def __init__(self, parts: list[str], order: list[int]) -> None:
        # A %-format of the parts (their own % doubled) with %s at each cut: one C call puts
        # the new pieces in. ``order`` is None when the pieces come in the text's order.
        self.form = "%s".join(part.replace("%", "%%") for part in parts)
        self.order = None if order == sorted(order) else order

    def join(self, pieces: list[str]) -> str:
        """The text with ``pieces[i]`` in place of the ``i``-th piece it was cut around."""
        order = self.order
        return self.form % (tuple(pieces) if order is None else tuple(pieces[i] for i in order))


def _at(data: Any, parts: list[str]) -> Any:
    for part in parts:
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _put(root: dict[str, Any], parts: list[str], value: object) -> None:
    """Set ``value`` at ``parts`` under ``root`` (a fresh copy), copying the containers met."""
    node: Any = root
    for part in parts[:-1]:
        key: Any = int(part) if isinstance(node, list) else part
        child = node[key]
        child = dict(child) if isinstance(child, dict) else list(child)
        node[key] = child
        node = child
    last = parts[-1]
    node[int(last) if isinstance(node, list) else last] = value


class _Template:
    """One payload's prepared form, with the salts and commitments left open."""

    __slots__ = ("data", "paths", "payload_cut", "personal_cut")

    def __init__(
        self,
        data: dict[str, Any],
        paths: list[tuple[str, list[str], Any, bytes]],
        payload_cut: _Cut,
        personal_cut: _Cut | None,
    ) -> None:
        self.data = data
        self.paths = paths
        self.payload_cut = payload_cut
        self.personal_cut = personal_cut

    @classmethod
    def of(cls, prepared: PreparedEvent) -> _Template | None:
        """The template of ``prepared`` (its actor stored as it is), or None if it has none."""
        paths = []
        commitments = []
        salts = []
        for path, (salt, value) in prepared.personal.items():
            parts = path.split(".")
            marker = _at(prepared.payload, parts)
            if not isinstance(marker, dict) or not isinstance(marker.get(MARKER), str):
                return None
            commitments.append(marker[MARKER])
            salts.append(salt)
            paths.append((path, parts, value, canonical_json(value).encode("utf-8")))
        payload_parts = _cut(prepared.payload_json, commitments)
        if payload_parts is None:
            return None
        personal_parts = None
        if prepared.personal_json is not None:
            personal_parts = _cut(prepared.personal_json, salts)
            if personal_parts is None:
                return None
        return cls(
            prepared.payload,
            paths,
            _Cut(*payload_parts),
            None if personal_parts is None else _Cut(*personal_parts),
        )

    def prepare(self, event: Event, actor_json: str, complaint_id: str) -> PreparedEvent:
        """``event``'s prepared form, its personal values sealed under fresh salts;
        ``complaint_id`` is the text of its complaint's id."""
        personal: dict[str, tuple[str, Any]] = {}
        salts = []
        commitments = []
        data = self.data
        if self.paths:
            data = dict(data)
            for path, parts, value, encoded in self.paths:
                salt = _random_salt()
                digest = hashlib.sha256(b"P" + bytes.fromhex(salt) + encoded).hexdigest()
                _put(data, parts, {MARKER: digest})
                personal[path] = (salt, value)
                salts.append(salt)
                commitments.append(digest)
        payload_json = self.payload_cut.join(commitments)
        personal_cut = self.personal_cut
        return PreparedEvent(
            event=event,
            payload=data,
            personal=personal,
            payload_json=payload_json,
            actor_json=actor_json,
            personal_json=None if personal_cut is None else personal_cut.join(salts),
            canonical=canonical_from_json(event, payload_json, actor_json, complaint_id),
            sealed_actor=None,
        )


class EventPreparer:
    """Prepares the events of one import run; not shared between threads."""

    def __init__(self) -> None:
        self._payloads: dict[int, tuple[EventPayload, _Template | None]] = {}
        self._actors: dict[int, tuple[Actor, str]] = {}
        self._complaint: tuple[object, str] = (None, "")
        """The last complaint id met and its text: a history's events come together."""

    def prepare(self, event: Event) -> PreparedEvent:
        """What :func:`~iso10002.storage.prepare_appends` makes of ``event``."""
        payload = event.payload
        actor = event.actor
        known = self._actors.get(id(actor))  # only actors stored as they are
        if known is not None and known[0] is not actor:
            known = None
        if isinstance(payload, ComplaintReceived):  # one of its own per complaint
            return prepare_event(event, None if known is None else known[1])
        kept = self._payloads.get(id(payload))
        if kept is None or kept[0] is not payload:
            prepared = prepare_event(event)
            self._keep(payload, None)
        elif known is None:
            prepared = prepare_event(event)
        elif kept[1] is not None:
            cid = event.complaint_id
            if self._complaint[0] is not cid:
                self._complaint = (cid, str(cid))
            return kept[1].prepare(event, known[1], self._complaint[1])
        else:  # met the second time: worth a template
            prepared = prepare_event(event)
            if prepared.sealed_actor is None:
                self._keep(payload, _Template.of(prepared))
        if prepared.sealed_actor is None and known is None:
            if len(self._actors) >= _KEPT:
                self._actors.clear()
            self._actors[id(actor)] = (actor, prepared.actor_json)
        return prepared

    def _keep(self, payload: EventPayload, template: _Template | None) -> None:
        payloads = self._payloads
        if len(payloads) >= _KEPT and id(payload) not in payloads:
            payloads.clear()
        payloads[id(payload)] = (payload, template)
