"""
Leaving nothing of an erasure behind in a SQLite database's files.

A write goes first to the write-ahead log (``FILE-wal``): the frames of the pages as they were
written, personal values included, stay there until a checkpoint copies them into the database
and the log is reused, which under a busy application takes hundreds of later writes. After an
erasure the store therefore checkpoints at once and truncates the log to nothing
(``PRAGMA wal_checkpoint(TRUNCATE)``). The database file itself keeps no erased value: the
store runs with ``PRAGMA secure_delete = ON``, which overwrites freed space with zeros.

A checkpoint cannot pass a read transaction that another connection holds open (a report that
is being read, say): then the erased values stay in the log until a later checkpoint, and
:func:`truncate_wal` says so with a warning on the ``iso10002.storage`` logger.
"""

from __future__ import annotations

import logging
import sqlite3

__all__ = ["CHECKPOINT_WAIT_MS", "truncate_wal"]

_log = logging.getLogger("iso10002.storage")

CHECKPOINT_WAIT_MS = 2000
"""How long a checkpoint after an erasure waits for other connections' reads to end."""


def truncate_wal(conn: sqlite3.Connection, path: str) -> str | None:
    """
    Checkpoint the write-ahead log into the database file and truncate it, outside any
    transaction. Returns None when the log is empty now, else why not (also logged as a
    warning): another connection reads from it.
    """
    if path == ":memory:":
        return None
    (wait,) = conn.execute("PRAGMA busy_timeout").fetchone()
    conn.execute(f"PRAGMA busy_timeout = {min(int(wait), CHECKPOINT_WAIT_MS)}")
    try:
        busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError as e:
        busy, frames, copied, why = 1, -1, -1, str(e)
    else:
        why = "another connection is reading from it"
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(wait)}")
    if not busy and frames in (0, copied):
        return None
    message = (
        f"SQLite store {path}: the write-ahead log could not be truncated after the erasure "
        f"({why}): erased values stay in {path}-wal until it is checkpointed, which the "
        "next erasure, or the last connection to close, does"
    )
    _log.warning(message)
    return message
