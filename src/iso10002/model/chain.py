"""
The hashes that make a store's history tamper-evident: one chain per complaint, one over the log.

Each event's ``hash`` is ``H(b"E" || previous hash of its complaint || canonical bytes)`` and each
event's ``chain`` is ``H(b"G" || chain of the event before it in the log || its hash)``. The first
event of a complaint, and the first of the log, follow :data:`GENESIS`. ``H`` is SHA-256, or
HMAC-SHA256 under the store's integrity key; the one-letter prefixes keep the two kinds of link
from ever being mistaken for each other. Hashes are kept as 64 lower-case hex digits.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.model.events import Event

__all__ = ["GENESIS", "ChainRecord", "Hasher", "TableRecord"]

GENESIS = "0" * 64
"""The "previous hash" of a complaint's first event, and the "previous chain" of the log's first."""


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

    @property
    def fingerprint(self) -> str:
        """
        A digest of a fixed text under this hasher: the same for hashers with the same key (or
        none), so that links made by one can be told apart from another's without the key.
        """
        return self._digest(b"F")

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


@attrs.frozen(kw_only=True)
class ChainRecord:
    """
    One stored event with its integrity hashes, as the store holds them: what
    :func:`iso10002.integrity.verify` checks. Fields are read back, not validated: a tampered
    row must still reach the verifier.
    """

    position: int
    complaint_id: str
    """The stored stream id, as text."""
    seq: int
    event: Event | None
    """The decoded event; None when the row cannot be decoded (see ``error``)."""
    error: str | None
    hash: str | None
    """The event's link in its complaint's chain; None on a row the store did not write."""
    chain: str | None
    """The event's link in the log's chain; None on a row the store did not write."""
    payload: Mapping[str, Any] | None = None
    """The payload as sealed and stored, which the hash covers; None if unreadable."""
    personal: Mapping[str, tuple[str, Any]] | None = None
    """The personal values held beside it, by path: ``(salt, value)``; None if none (erased)."""
    actor: Mapping[str, Any] | None = None
    """The actor as sealed and stored, when it was sealed (the complainant's); else None."""


@attrs.frozen(kw_only=True)
class TableRecord:
    """
    One sealed row of a table beside the events (an outbox record, an access denial), as the
    store holds it: what :func:`iso10002.integrity.verify` checks. Read back, not validated.

    A row's seal covers the id of the row stored before it (``previous``) and its ``content``,
    the columns no later write changes; deleting a row leaves the next one naming an id that
    is gone.
    """

    table: str
    """``outbox`` or ``access_denials``."""
    id: int
    previous: int | None
    """The id of the row stored before it when it was sealed; None on a row never sealed."""
    seal: str | None
    """The row's seal; None on a row the store did not seal (or one written before sealing)."""
    content: Mapping[str, Any]
    """The sealed columns, as text and numbers the seal covers."""
    held: tuple[str, str] | None = None
    """For a denial, ``(salt, actor id)`` while the actor id is held; its commitment is in
    ``content`` (erasure clears the id and the salt, never the commitment)."""
