"""
What an erasure clears beyond the events' personal values, written once for both SQL stores:
the complainant's ids wherever the access denials name them.

A denial names its actor by id. When the actor is the complainant, that id is the customer id
(under the default ownership rule) or another id that points to the person: erasing the
complaint forgets it in every denial of the complainant's, on this complaint or any other, so
that nothing left links the person to the complaint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from iso10002.errors import SerializationError
from iso10002.privacy.sealing import ACTOR
from iso10002.serialization import parse_json

__all__ = ["ErasureStatements", "complainant_ids", "erase_denials"]

_CUSTOMER_ID = "complainant.customer_id"
_COMPLAINANT = "complainant"


@attrs.frozen
class ErasureStatements:
    """The statements behind :func:`erase_denials` for one database."""

    held: str
    """The stored actor and personal values of a complaint's events."""
    forget_denials: str
    """Forget the actor id of the complainant's denials: on the complaint, or naming an id."""

    @classmethod
    def build(cls, *, prefix: str = "", mark: str = "?", uuid: str = "?") -> ErasureStatements:
        """The statements for tables named ``{prefix}table``, with these parameter marks."""
        return cls(
            held=f"SELECT actor, personal FROM {prefix}events WHERE stream_id = {uuid}",
            forget_denials=(
                f"UPDATE {prefix}access_denials SET actor_id = NULL, actor_salt = NULL "
                f"WHERE role = '{_COMPLAINANT}' AND actor_id IS NOT NULL "
                f"AND (complaint_id = {uuid} OR actor_id = {mark})"
            ),
        )


def _parsed(value: object) -> object:
    if isinstance(value, (str, bytes)):
        try:
            return parse_json(value)
        except SerializationError:
            return None  # unreadable: verify() names the row; nothing to learn from it here
    return value


def complainant_ids(rows: Iterable[Sequence[Any]]) -> set[str]:
    """
    The ids that point to the complainant in a complaint's stored ``(actor, personal)`` rows:
    its customer id, and the id of every event whose actor is the complainant, sealed or (in
    an event stored before actors were sealed) plain.
    """
    found: set[str] = set()
    for actor, personal in rows:
        held = _parsed(personal)
        if isinstance(held, Mapping):
            for path in (_CUSTOMER_ID, f"{ACTOR}id"):
                item = held.get(path)
                if isinstance(item, list) and len(item) == 2 and isinstance(item[1], str):
                    found.add(item[1])
        plain = _parsed(actor)
        if (
            isinstance(plain, Mapping)
            and plain.get("role") == _COMPLAINANT
            and isinstance(plain.get("id"), str)
        ):
            found.add(plain["id"])
    return found


def erase_denials(conn: Any, sql: ErasureStatements, complaint_id: object) -> int:
    """
    Forget the complainant's id in the denials, in the caller's transaction, before the
    personal values it is read from are cleared. Returns how many denials changed.
    """
    ids = complainant_ids(conn.execute(sql.held, (complaint_id,)).fetchall())
    changed = conn.execute(sql.forget_denials, (complaint_id, None)).rowcount or 0
    for actor_id in sorted(ids):
        changed += conn.execute(sql.forget_denials, (complaint_id, actor_id)).rowcount or 0
    return int(changed)
