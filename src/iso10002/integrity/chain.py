"""
The hashes that make a store's history tamper-evident: one chain per complaint, one over the log.

Each event's ``hash`` is ``H(b"E" || previous hash of its complaint || canonical bytes)`` and each
event's ``chain`` is ``H(b"G" || chain of the event before it in the log || its hash)``. The first
event of a complaint, and the first of the log, follow :data:`GENESIS`. ``H`` is SHA-256, or
HMAC-SHA256 under the store's integrity key; the one-letter prefixes keep the two kinds of link
from ever being mistaken for each other. Hashes are kept as 64 lower-case hex digits.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.model.events import Event
from iso10002.serialization import unstructure

__all__ = ["GENESIS", "Hasher", "canonical_bytes"]

GENESIS = "0" * 64
"""The "previous hash" of a complaint's first event, and the "previous chain" of the log's first."""

_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical_bytes(event: Event, payload: Mapping[str, Any] | None = None) -> bytes:
    """
    The bytes of ``event`` that its hash covers: compact JSON with sorted keys of its complaint
    id, seq, instant (UTC, microseconds), actor, state, type, schema version and payload.

    ``payload`` is the payload as sealed for storage (:mod:`iso10002.privacy.sealing`): personal
    values replaced by commitments, so that erasing them leaves the hash valid. Without it, the
    event's own payload is used, which is the same for an event that holds no personal data.

    Equal events give equal bytes however they were stored, so a store may keep the event in
    any form (text, ``jsonb``) that reads back the same.
    """
    return _ENCODE(
        {
            "complaint_id": str(event.complaint_id),
            "seq": event.seq,
            "occurred_at": event.occurred_at.astimezone(_dt.timezone.utc).isoformat(
                timespec="microseconds"
            ),
            "actor": unstructure(event.actor),
            "state": event.state,
            "type": event.payload.type,
            "schema_version": event.schema_version,
            "payload": unstructure(event.payload) if payload is None else payload,
        }
    ).encode("utf-8")


def _check_key(_inst: object, attribute: attrs.Attribute[bytes | None], value: object) -> None:
    if value is not None and (not isinstance(value, bytes) or not value):
        raise ValidationError(attribute.name, "must be non-empty bytes or None")


def _hex(value: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except ValueError:
        # A stored hash that is not hex cannot be a link anyone made: hash its text instead, so
        # that the comparison fails where the caller can name the record.
        return value.encode("utf-8", "replace")


@attrs.frozen(kw_only=True)
class Hasher:
    """
    Computes the links of both chains: SHA-256 without ``key``, HMAC-SHA256 with it.

    Without a key, anyone who can write to the database can also recompute every hash after
    changing a record; the chains then catch only accidents and careless edits. With a key kept
    away from the database, a changed record cannot be given valid hashes.
    """

    key: bytes | None = attrs.field(default=None, validator=_check_key, repr=False)

    @property
    def keyed(self) -> bool:
        """Whether links are HMACs under a key."""
        return self.key is not None

    def _digest(self, data: bytes) -> str:
        if self.key is None:
            return hashlib.sha256(data).hexdigest()
        return hmac.new(self.key, data, hashlib.sha256).hexdigest()

    def event_hash(self, previous: str, data: bytes) -> str:
        """The hash of an event with canonical bytes ``data`` after its complaint's ``previous``."""
        return self._digest(b"E" + _hex(previous) + data)

    def chain_hash(self, previous: str, event_hash: str) -> str:
        """The log's link for an event with ``event_hash``, after the log's ``previous`` link."""
        return self._digest(b"G" + _hex(previous) + _hex(event_hash))
