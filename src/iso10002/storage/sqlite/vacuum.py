"""
``VACUUM`` of a SQLite store (``iso10002 vacuum``, ``iso10002 erase --vacuum``): the file
rewritten without free pages, then the write-ahead log checkpointed and truncated.

An erasure leaves no erased value in the database file already (the store runs with
``secure_delete``, and truncates the log after each erasure: :mod:`iso10002.storage.sqlite.wal`);
a vacuum also gives the freed space back to the file system and truncates a log that a reader
kept the erasure from truncating.
"""

from __future__ import annotations

from iso10002.storage._sql.vacuum import Vacuum
from iso10002.storage.sqlite.store import SQLiteEventStore
from iso10002.storage.sqlite.wal import truncate_wal

__all__ = ["Vacuum", "vacuum"]


def vacuum(store: SQLiteEventStore) -> Vacuum:
    """
    Rewrite the database file of ``store`` (``VACUUM``), then truncate its write-ahead log.

    Raises:
        StorageError: the file could not be rewritten (another connection is writing, say).
    """
    where = str(store.path)
    with store._use("vacuum the database") as conn:
        conn.execute("VACUUM")
        wal = truncate_wal(conn, where)
    return Vacuum(where=where, tables=("the whole file",), full=True, wal=wal)
