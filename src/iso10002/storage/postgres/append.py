"""The summary write of a PostgreSQL append, in the caller's transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from iso10002.errors import ConcurrencyConflict
from iso10002.ports.store import Append
from iso10002.storage._sql.erasure import erase_denials
from iso10002.storage.postgres.rows import Statements

if TYPE_CHECKING:
    from psycopg import Connection

__all__ = ["write_summary"]


def write_summary(
    conn: Connection[Any],
    sql: Statements,
    a: Append,
    values: tuple[object, ...],
    stored: dict[UUID, str],
) -> list[int]:
    """
    Insert the summary of a new complaint, or check the version of a complaint continued and
    update its summary, noting in ``stored`` the hash of the event it continues; for an
    erasure, delete the complaint's outbox records (returning their ids, whose successors the
    caller reseals under the outbox lock) and forget the complainant in the denials. In the
    caller's transaction.

    Raises:
        ConcurrencyConflict: the stored version is not the expected one.
    """
    s = a.summary
    if a.expected_version == 0:
        conn.execute(sql.insert_summary, (s.id, s.reference, s.client_key, *values))
        return []
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
        gone = [int(r[0]) for r in conn.execute(sql.erase_outbox, (s.id,)).fetchall()]
        erase_denials(conn, sql.erasure, s.id)
        return gone
    return []
