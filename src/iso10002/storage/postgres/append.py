"""The steps of a PostgreSQL append that need no store state: summaries and event hashes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from iso10002.errors import ConcurrencyConflict
from iso10002.model.chain import GENESIS, Hasher
from iso10002.ports.store import Append
from iso10002.storage.postgres.rows import Statements

if TYPE_CHECKING:
    from psycopg import Connection

__all__ = ["event_hashes", "write_summary"]


def write_summary(
    conn: Connection[Any],
    sql: Statements,
    a: Append,
    values: tuple[object, ...],
    stored: dict[UUID, str],
) -> None:
    """
    Insert the summary of a new complaint, or check the version of a complaint continued and
    update its summary, noting in ``stored`` the hash of the event it continues; for an
    erasure, delete the complaint's outbox records. In the caller's transaction.

    Raises:
        ConcurrencyConflict: the stored version is not the expected one.
    """
    s = a.summary
    if a.expected_version == 0:
        conn.execute(sql.insert_summary, (s.id, s.reference, s.client_key, *values))
        return
    v = a.expected_version
    returned = conn.execute(sql.update_summary, (*values, s.id, v, s.id, v)).fetchone()
    if returned is None:
        found = conn.execute(sql.version, (s.id,)).fetchone()
        raise ConcurrencyConflict(
            complaint=s.reference,
            expected_version=a.expected_version,
            actual_version=0 if found is None else int(found[0]),
        )
    if returned[0] is not None:
        stored.setdefault(s.id, str(returned[0]))
    if a.erase:
        # Before the append lock, which would be held while the delete waits for a
        # dispatcher that is claiming one of the records.
        conn.execute(sql.erase_outbox, (s.id,))


def event_hashes(
    hasher: Hasher,
    prepared: Sequence[tuple[Append, object, Sequence[bytes], object]],
    stored: Mapping[UUID, str],
) -> list[list[str]]:
    """
    The hashes of each append's events in its complaint's chain, over the bytes of their
    sealed payloads: continuing from the ``stored`` hash for a complaint's first append in
    the batch, from the append before for the next ones.
    """
    heads: dict[UUID, str] = {}
    digests = []
    for a, _, data, _ in prepared:
        cid = a.summary.id
        previous = heads[cid] if cid in heads else stored.get(cid, GENESIS)
        hashes = []
        for canonical in data:
            previous = hasher.event_hash(previous, canonical)
            hashes.append(previous)
        heads[cid] = previous
        digests.append(hashes)
    return digests
