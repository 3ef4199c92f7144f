"""
The SQLite store: :class:`SQLiteEventStore`, one durable file shared safely by threads and
processes.

- :mod:`~iso10002.storage.sqlite.store`: the store.
- :mod:`~iso10002.storage.sqlite.schema`: where the schema version is kept, opening a file.
  :data:`MIGRATIONS` are those of both SQL stores (:mod:`iso10002.storage._sql.migrations`).
- :mod:`~iso10002.storage.sqlite.statements`: the statements, and rows to events and back.
- :mod:`~iso10002.storage.sqlite.connection`: transactions and driver errors.
- :mod:`~iso10002.storage.sqlite.outbox`: the outbox's statements.
- :mod:`~iso10002.storage.sqlite.kpis`: KPI aggregation in SQL.
- :mod:`~iso10002.storage.sqlite.repair`: summaries rewritten from their events, recorded.
- :mod:`~iso10002.storage.sqlite.vacuum`: the file rewritten, its write-ahead log truncated.
"""

from iso10002.storage.sqlite.schema import MIGRATIONS, Migration
from iso10002.storage.sqlite.store import SQLiteEventStore, Synchronous

__all__ = ["MIGRATIONS", "Migration", "SQLiteEventStore", "Synchronous"]
