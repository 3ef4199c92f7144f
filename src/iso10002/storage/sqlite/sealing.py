"""
The SQLite store's deletions from its sealed outbox: the rows after those deleted are resealed
in the same write transaction (:mod:`iso10002.storage._sql.sealed_rows`).
"""

from __future__ import annotations

import datetime as _dt
import sqlite3

from iso10002.model.chain import Hasher
from iso10002.storage._sql.columns import utc
from iso10002.storage._sql.sealed_rows import TableStatements, reseal_successors
from iso10002.storage.sqlite import outbox as outbox_sql

__all__ = ["erase_outbox", "purge_outbox"]

_OF_COMPLAINT = "SELECT id FROM outbox WHERE complaint_id = ?"
_ERASE = "DELETE FROM outbox WHERE complaint_id = ?"
_PURGED = "SELECT id FROM outbox WHERE state = 'delivered' AND delivered_at < ?"


def erase_outbox(conn: sqlite3.Connection, sql: TableStatements, hasher: Hasher, cid: str) -> None:
    """Delete the complaint's outbox records, in the caller's write transaction."""
    gone = [int(r[0]) for r in conn.execute(_OF_COMPLAINT, (cid,)).fetchall()]
    if gone:
        conn.execute(_ERASE, (cid,))
        reseal_successors(conn, sql, hasher, "outbox", gone)


def purge_outbox(
    conn: sqlite3.Connection, sql: TableStatements, hasher: Hasher, before: _dt.datetime
) -> int:
    """Delete the records delivered before ``before``, in the caller's write transaction."""
    gone = [int(r[0]) for r in conn.execute(_PURGED, (utc(before, "delivered_before"),)).fetchall()]
    purged = outbox_sql.purge(conn, before)
    reseal_successors(conn, sql, hasher, "outbox", gone)
    return purged
