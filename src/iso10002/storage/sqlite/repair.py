"""
``iso10002 repair`` on a SQLite store: the rewrites and their record in one write transaction.
What is rewritten, the record and the refusal are shared with PostgreSQL
(:mod:`iso10002.storage._sql.repair`, which tells the whole story).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from iso10002.errors import StorageError
from iso10002.model.configuration import ConfigurationRecord
from iso10002.storage._sql.repair import REPAIR_KIND, REPAIR_NAME, Repair, Rewrite
from iso10002.storage._sql.repair import repair_summaries as _repair
from iso10002.storage._sql.rollups import SQLITE_REBUILD
from iso10002.storage.sqlite.connection import _Immediate
from iso10002.storage.sqlite.statements import _INSERT_SUMMARY, _summary_values
from iso10002.storage.sqlite.store import SQLiteEventStore

__all__ = ["REPAIR_KIND", "REPAIR_NAME", "Repair", "repair_summaries"]

_DELETE_SUMMARY = "DELETE FROM complaints WHERE id = ? AND version = ?"


def repair_summaries(store: SQLiteEventStore, *, now: _dt.datetime) -> Repair:
    """
    Rewrite every summary of ``store`` that does not match its events, count the daily
    rollups again if they differ from the rows, and record the repair.

    Raises:
        ValidationError: verify reports tampering of the events (or of anything but the
            summaries); the message names the record. Nothing was written.
        StorageError: the store could not be read or written, or a summary changed while
            the repair ran (nothing was written; run it again).
    """

    def write(rewrites: Sequence[Rewrite], record: ConfigurationRecord, rollups: bool) -> None:
        with store._use("repair summaries") as conn, _Immediate(conn):
            for r in rewrites:
                s, cid = r.fresh, str(r.fresh.id)
                gone = conn.execute(_DELETE_SUMMARY, (cid, r.stored.version)).rowcount
                if gone != 1:
                    store._indexed.pop(cid, None)
                    raise _changed(r.stored.reference)
                conn.execute(_INSERT_SUMMARY, (cid, s.reference, s.client_key, *_summary_values(s)))
                store._indexed.pop(cid, None)
            for statement in SQLITE_REBUILD if rollups else ():
                conn.execute(statement)
            conn.execute(
                store._records_sql.insert_configuration,
                (record.fingerprint, record.kind, record.name, record.version, record.content),
            )

    return _repair(store, now=now, write=write)


def _changed(reference: str) -> StorageError:
    return StorageError(
        f"repair summaries: the summary of {reference} changed while the repair ran; "
        "nothing was written: run the repair again"
    )
