"""
The PostgreSQL store: :class:`PostgresEventStore`, one database shared by many processes on
many machines (``iso10002[postgres]``). It can be imported without psycopg; building a store
then raises :class:`~iso10002.errors.StorageError`.

- :mod:`~iso10002.storage.postgres.store`: the store.
- :mod:`~iso10002.storage.postgres.schema`: schema names and lock keys; :data:`MIGRATIONS` are
  those of both SQL stores (:mod:`iso10002.storage._sql.migrations`).
- :mod:`~iso10002.storage.postgres.migrate`: the schema version, the migration lock, and how
  PostgreSQL spells what the shared migrations read and write.
- :mod:`~iso10002.storage.postgres.rows`: the statements, and rows to events and back.
- :mod:`~iso10002.storage.postgres.connection`: connections and driver errors.
- :mod:`~iso10002.storage.postgres.outbox`: the outbox's statements.
- :mod:`~iso10002.storage.postgres.repair`: summaries rewritten from their events, recorded.
- :mod:`~iso10002.storage.postgres.vacuum`: ``VACUUM`` of the tables an erasure changed.
"""

from iso10002.storage.postgres.schema import MIGRATIONS, PgMigration
from iso10002.storage.postgres.store import PostgresEventStore

__all__ = ["MIGRATIONS", "PgMigration", "PostgresEventStore"]
