"""
How the PostgreSQL store migrates: where it keeps the schema version (``schema_migrations``),
the advisory lock that lets one process migrate while the others wait, and how PostgreSQL spells
what the shared migrations (:mod:`iso10002.storage._sql.migrations`) read and write. The runner
is the one of both SQL stores (:func:`iso10002.storage._sql.upgrade.upgrade`).

A schema written by release 0.1 recorded PostgreSQL's own numbers; it is recorded again on the
shared numbers (:data:`~iso10002.storage._sql.migrations.RENUMBERED`) the first time this
release opens it, and the upgrade report says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from iso10002.errors import StorageError
from iso10002.model.chain import Hasher
from iso10002.model.events import Event
from iso10002.model.facts import ComplaintFacts
from iso10002.storage._sql.columns import FACT_COLUMNS, facts_values
from iso10002.storage._sql.migrations import MIGRATIONS, POSTGRES_0_1_FIRST, RENUMBERED
from iso10002.storage._sql.upgrade import DialectName, Found, Migration, UpgradeReport, upgrade
from iso10002.storage.postgres.rows import event_from_row
from iso10002.storage.postgres.schema import FACT_KINDS, migration_lock_key

if TYPE_CHECKING:
    from psycopg import Connection


__all__: list[str] = []

_OUR_TABLES = ["access_denials", "complaints", "configurations", "counters", "events", "outbox"]

_FLAGS = tuple(i for i, (name, _) in enumerate(FACT_COLUMNS) if FACT_KINDS.get(name) == "flag")
_SET_FACTS = (
    "UPDATE {s}.complaints SET "
    + ", ".join(
        f"{name} = %s::timestamptz" if FACT_KINDS.get(name) == "instant" else f"{name} = %s"
        for name, _ in FACT_COLUMNS
    )
    + " WHERE id = %s"
)


class _Postgres:
    """How PostgreSQL spells what the migrations read and write, and where it keeps versions."""

    name: DialectName = "postgres"
    container = "schema"
    mark = "%s"
    json_mark = "%s::jsonb"
    json_type = "jsonb"
    key_marks = "(%s::uuid, %s::integer)"

    def __init__(self, conn: Connection[Any], schema: str, where: str, *, create: bool) -> None:
        self.conn = conn
        self.schema = schema
        self.s = f'"{schema}"'
        self.store = f"PostgreSQL store {where}"
        self.has_version = f"schema {schema} has version"
        self.create_store = create

    @property
    def dialect(self) -> _Postgres:
        return self

    def table(self, name: str) -> str:
        return f"{self.s}.{name}"

    def statements(self, migration: Migration) -> tuple[str, ...]:
        return tuple(statement.format(s=self.s) for statement in migration.postgres)

    def decode(self, row: Sequence[Any], personal: object = None) -> Event:
        return event_from_row(row, personal)

    def payload(self, column: object) -> object:
        return column  # jsonb: the driver hands it back parsed

    def facts_update(self) -> str:
        return _SET_FACTS.format(s=self.s)

    def facts_params(self, facts: ComplaintFacts) -> tuple[object, ...]:
        values = list(facts_values(facts))
        for i in _FLAGS:
            values[i] = bool(values[i])
        return tuple(values)

    def found(self) -> Found | None:
        # In a transaction of its own, whether or not the connection autocommits.
        with self.conn.transaction():
            exists = self.conn.execute(
                "SELECT to_regclass(%s)", (f"{self.s}.schema_migrations",)
            ).fetchone()
            if exists is None or exists[0] is None:
                if not self.create_store:
                    raise StorageError(
                        f"{self.store}: schema {self.schema} holds no iso10002 store "
                        "(no schema_migrations table)"
                    )
                return None
            row = self.conn.execute(
                f"SELECT COALESCE(max(version), 0), "
                f"(SELECT description FROM {self.s}.schema_migrations WHERE version = 1) "
                f"FROM {self.s}.schema_migrations"
            ).fetchone()
        assert row is not None
        version = int(row[0])
        if row[1] != POSTGRES_0_1_FIRST:
            return Found(version)
        # A later release of the old numbering would have gone on from its last step.
        renumbered = RENUMBERED["postgres"].get(version, version + 2)
        return Found(renumbered, renumbered_from=version)

    @contextlib.contextmanager
    def migrating(self) -> Iterator[None]:
        import psycopg

        key = migration_lock_key(self.schema)
        # A session lock, taken before the migrating transaction begins: a transaction that
        # waited for a lock inside could look the new tables up in a catalog cache from before.
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            # PostgreSQL's DDL is transactional: a failing step leaves nothing behind.
            with self.conn.transaction():
                yield
        finally:
            # A broken connection has lost its session, and the lock with it.
            with contextlib.suppress(psycopg.Error), self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def create(self) -> None:
        """Create the schema if missing and the migrations table, refusing others' tables."""
        conn, s = self.conn, self.s
        taken = conn.execute(
            "SELECT string_agg(c.relname::text, ', ' ORDER BY c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = ANY(%s)",
            (self.schema, _OUR_TABLES),
        ).fetchone()
        if taken is not None and taken[0]:
            raise StorageError(
                f"{self.store}: schema {self.schema} holds tables ({taken[0]}) that "
                "iso10002 did not create; choose another schema"
            )
        # Only when missing: CREATE SCHEMA needs the CREATE privilege on the database even
        # with IF NOT EXISTS, and a schema created beforehand by an administrator is fine.
        exists = conn.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,)
        ).fetchone()
        if exists is None:
            conn.execute(f"CREATE SCHEMA {s}")
        conn.execute(
            f"CREATE TABLE {s}.schema_migrations (version integer PRIMARY KEY, "
            "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )

    def renumber(self, found: Found, migrations: Sequence[Migration]) -> None:
        """
        Record the versions of release 0.1 again on the shared numbers: each shared step up to
        ``found.version``, applied when the old step that included it was.
        """
        old = dict(
            self.conn.execute(
                f"SELECT version, applied_at FROM {self.s}.schema_migrations"
            ).fetchall()
        )
        mapping = RENUMBERED["postgres"]
        self.conn.execute(f"DELETE FROM {self.s}.schema_migrations")
        for migration in migrations:
            if migration.version > found.version:
                break
            covering = min(
                (k for k, v in mapping.items() if v >= migration.version and k in old),
                default=None,
            )
            self.conn.execute(
                f"INSERT INTO {self.s}.schema_migrations (version, description, applied_at) "
                "VALUES (%s, %s, COALESCE(%s, now()))",
                (migration.version, migration.description, old.get(covering)),
            )

    def record(self, migration: Migration) -> None:
        self.conn.execute(
            f"INSERT INTO {self.s}.schema_migrations (version, description) VALUES (%s, %s)",
            (migration.version, migration.description),
        )

    def finish(self, version: int) -> None:
        """Nothing more: each step recorded its row."""


def _migrate(
    conn: Connection[Any],
    schema: str,
    where_: str,
    migrations: Sequence[Migration] = MIGRATIONS,
    hasher: Hasher | None = None,
    *,
    create: bool = True,
) -> UpgradeReport | None:
    """
    Bring ``schema`` up to the last of ``migrations``: all pending steps in one transaction,
    under an advisory lock, so that processes starting at once migrate once and the others wait
    and find the work done. The integrity chains of stored events are computed, and checked
    before they are sealed, with ``hasher`` (unkeyed by default). Returns what was done, None
    when nothing was.

    Raises:
        SchemaVersionError: the schema is newer than ``migrations`` know.
        StorageError: the schema holds tables of the same names that iso10002 did not create,
            or, without ``create``, holds no store at all; or a stored event does not match its
            hashes, so it is not sealed and re-hashed (the message names its position).
        CorruptRecord: a stored event cannot be decoded, so it cannot be linked or sealed.
    """
    host = _Postgres(conn, schema, where_, create=create)
    return upgrade(host, conn, migrations, hasher or Hasher())
