"""
``VACUUM`` of the tables an erasure changed, on a PostgreSQL store (``iso10002 vacuum``).

PostgreSQL keeps the old version of an updated or deleted row, erased values with it, in the
table's pages until it is vacuumed (``docs/postgres.md``). The store runs no ``VACUUM`` itself
after an erasure (it cannot run inside the erasing transaction, and needs the tables' owner);
:func:`vacuum` runs it when asked: of the events, the outbox and the access denials, outside any
transaction, and ``VACUUM FULL`` with ``full``, which rewrites them into new files but locks
each against every read and write while it runs.
"""

from __future__ import annotations

from typing import Any

from iso10002.storage._sql.vacuum import ERASED_TABLES, Vacuum
from iso10002.storage.postgres.store import PostgresEventStore

__all__ = ["Vacuum", "vacuum"]


def vacuum(store: PostgresEventStore, *, full: bool = False) -> Vacuum:
    """
    ``VACUUM`` (``VACUUM FULL`` with ``full``) the tables of ``store`` that held erased values.

    A table the connection's role does not own is skipped by the server, which says so: the
    report lists it in :attr:`~iso10002.storage._sql.vacuum.Vacuum.skipped`.

    Raises:
        StorageError: the server could not be reached, or refused the statement.
    """
    schema = store.schema
    tables = ", ".join(f'"{schema}".{t}' for t in ERASED_TABLES)
    statement = f"VACUUM {'(FULL) ' if full else ''}{tables}"
    warnings: list[str] = []

    def note(diag: Any) -> None:
        if diag.severity_nonlocalized == "WARNING" and diag.message_primary:
            warnings.append(str(diag.message_primary))

    with store._use("vacuum the tables an erasure changed") as conn:
        # VACUUM cannot run in a transaction block: the store's own pool connects in
        # autocommit; a pool of the application's may not.
        autocommit = conn.autocommit
        conn.add_notice_handler(note)
        try:
            if not autocommit:
                conn.rollback()
                conn.autocommit = True
            conn.execute(statement.encode())
        finally:
            conn.remove_notice_handler(note)
            if not autocommit:
                conn.autocommit = False
    skipped = tuple(w for w in warnings if "vacuum" in w.lower() or "skipping" in w.lower())
    return Vacuum(
        where=store._where,
        tables=tuple(f"{schema}.{t}" for t in ERASED_TABLES),
        full=full,
        skipped=skipped,
    )
