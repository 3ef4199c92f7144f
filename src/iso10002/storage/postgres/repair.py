"""
``iso10002 repair`` on a PostgreSQL store: the rewrites and their record in one transaction.
What is rewritten, the record and the refusal are shared with SQLite
(:mod:`iso10002.storage._sql.repair`, which tells the whole story).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from iso10002.errors import StorageError
from iso10002.model.configuration import ConfigurationRecord
from iso10002.storage._sql.repair import REPAIR_KIND, REPAIR_NAME, Repair, Rewrite
from iso10002.storage._sql.repair import repair_summaries as _repair
from iso10002.storage._sql.rollups import POSTGRES_REBUILD
from iso10002.storage.postgres.rows import summary_params
from iso10002.storage.postgres.store import PostgresEventStore

__all__ = ["REPAIR_KIND", "REPAIR_NAME", "Repair", "repair_summaries"]


def repair_summaries(store: PostgresEventStore, *, now: _dt.datetime) -> Repair:
    """
    Rewrite every summary of ``store`` that does not match its events, count the daily
    rollups again if they differ from the rows, and record the repair.

    Raises:
        ValidationError: verify reports tampering of the events (or of anything but the
            summaries); the message names the record. Nothing was written.
        StorageError: the store could not be read or written, or a summary changed while
            the repair ran (nothing was written; run it again).
    """
    # Every column, at the version it was read with: a summary an append changed meanwhile
    # is not overwritten.
    rewrite = store._sql.update_every.sql

    def write(rewrites: Sequence[Rewrite], record: ConfigurationRecord, rollups: bool) -> None:
        with store._use("repair summaries") as conn, conn.transaction():
            for r in rewrites:
                # Rewritten at the version the store may remember: it sets every column next.
                store._written.pop(r.fresh.id, None)
                params = (*summary_params(r.fresh), r.fresh.id, r.stored.version)
                if conn.execute(rewrite, params).rowcount != 1:
                    raise StorageError(
                        f"PostgreSQL store {store._where}: repair summaries: the summary of "
                        f"{r.stored.reference} changed while the repair ran; nothing was "
                        "written: run the repair again"
                    )
            for statement in POSTGRES_REBUILD if rollups else ():
                conn.execute(statement.format(s=f'"{store.schema}"'))
            conn.execute(
                store._records_sql.insert_configuration,
                (record.fingerprint, record.kind, record.name, record.version, record.content),
            )

    return _repair(store, now=now, write=write)
