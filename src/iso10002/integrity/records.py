"""
The seals of the rows kept beside the events: outbox records and access denials
(:class:`~iso10002.model.chain.TableRecord`). A row's seal is a hash (an HMAC with the store's
integrity key) of the id of the row before it and of the columns no later write changes, so
that an edited row no longer matches its seal, and a deleted one leaves the next row naming an
id that is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iso10002.model.chain import GENESIS, Hasher
from iso10002.serialization import canonical_json

__all__ = ["record_bytes", "record_seal"]


def record_bytes(table: str, previous: int, content: Mapping[str, Any]) -> bytes:
    """What the seal of a row of ``table`` covers: compact JSON with sorted keys."""
    text = canonical_json({"table": table, "previous": previous, "row": dict(content)})
    return b"R" + text.encode("utf-8", "surrogatepass")


def record_seal(hasher: Hasher, table: str, previous: int, content: Mapping[str, Any]) -> str:
    """The seal of a row of ``table`` stored after the row with id ``previous`` (0: none)."""
    return hasher.event_hash(GENESIS, record_bytes(table, previous, content))
