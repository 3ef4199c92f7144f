"""
The one upgrade runner of the SQL stores: it brings a database up to the last of
:data:`~iso10002.storage._sql.migrations.MIGRATIONS`, whichever backend holds it.

What differs per backend stays with the backend, behind two small protocols:

- a :class:`Dialect` says how statements and rows are written on that database (parameter
  marks, table names, how a stored event is decoded), for the data steps that rewrite stored
  rows once (:mod:`iso10002.storage._sql.rewrite`);
- a :class:`SchemaHost` says where the schema version is kept (``PRAGMA user_version``, a
  ``schema_migrations`` table) and how the database is locked while it is migrated.

The runner does the rest the same way on both: it refuses a schema newer than it knows with
:class:`~iso10002.errors.SchemaVersionError`, applies every pending step in one transaction
(the DDL of the dialect, then the data step), and gives an :class:`UpgradeReport`, which it
also logs on the ``iso10002.storage`` logger.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol

import attrs

from iso10002.errors import SchemaVersionError
from iso10002.model.chain import Hasher
from iso10002.model.events import Event
from iso10002.model.facts import ComplaintFacts

__all__ = [
    "Cursor",
    "DataStep",
    "Dialect",
    "DialectName",
    "Found",
    "Migration",
    "SchemaHost",
    "Upgrade",
    "UpgradeReport",
    "upgrade",
]

_log = logging.getLogger("iso10002.storage")

DialectName = Literal["sqlite", "postgres"]


class Cursor(Protocol):
    """The part of a DB-API 2.0 cursor that migrations use (sqlite3's and psycopg's alike)."""

    @property
    def description(self) -> Sequence[Sequence[Any]] | None:
        """The columns of the last query's result."""

    def execute(self, query: Any, params: Any = ..., /) -> Any:
        """Run one statement."""

    def executemany(self, query: Any, params_seq: Any, /) -> Any:
        """Run one statement once per parameter row."""

    def fetchone(self) -> Any:
        """The next row of the result, or None."""

    def fetchall(self) -> list[Any]:
        """The remaining rows of the result."""


class Dialect(Protocol):
    """How one SQL database spells what the data steps read and write."""

    @property
    def name(self) -> DialectName:
        """Which statements of a :class:`Migration` this database runs."""

    @property
    def store(self) -> str:
        """How messages name the store, e.g. ``SQLite store /srv/complaints.db``."""

    @property
    def has_version(self) -> str:
        """
        How a refusal says where the version is kept, up to the number: ``the database has
        schema version``, ``schema iso10002 has version``.
        """

    @property
    def container(self) -> str:
        """What the store calls the place it keeps its tables: ``database``, ``schema``."""

    @property
    def mark(self) -> str:
        """The parameter mark: ``?`` or ``%s``."""

    @property
    def json_mark(self) -> str:
        """The parameter mark of a JSON value."""

    @property
    def json_type(self) -> str:
        """The column type of JSON values."""

    @property
    def key_marks(self) -> str:
        """The parameter marks of an event's key ``(stream_id, seq)`` as a row of VALUES."""

    def table(self, name: str) -> str:
        """A table's name as statements write it (qualified by its schema where there is one)."""

    def statements(self, migration: Migration) -> tuple[str, ...]:
        """The DDL of ``migration`` on this database, ready to run."""

    def decode(self, row: Sequence[Any], personal: object = None) -> Event:
        """
        The event in a row of ``stream_id, seq, type, schema_version, occurred_at, actor, state,
        payload``, with its personal values (as stored) put back.

        Raises:
            SerializationError: the row does not hold a valid event.
        """

    def payload(self, column: object) -> object:
        """A stored ``payload`` column as a mapping (parsed, where the driver hands back text)."""

    def facts_update(self) -> str:
        """The UPDATE that sets a complaint's facts columns, by ``id`` (the last parameter)."""

    def facts_params(self, facts: ComplaintFacts) -> tuple[object, ...]:
        """The facts columns' values, in the order of ``FACT_COLUMNS``."""


class Connection(Protocol):
    """A DB-API connection: it gives cursors."""

    def cursor(self) -> Any:
        """A new cursor."""


@attrs.define
class Upgrade:
    """What a data step works with: the migrating transaction's connection and what it found."""

    conn: Connection
    dialect: Dialect
    hasher: Hasher
    linked: bool = False
    """Whether this upgrade linked the stored events already (so their links need no check)."""

    def cursor(self) -> Cursor:
        """A cursor in the migrating transaction."""
        cursor: Cursor = self.conn.cursor()
        return cursor


DataStep = Callable[[Upgrade], "str | None"]
"""Rewrites or fills stored rows once, after the step's DDL; returns a note for the report."""


@attrs.frozen(kw_only=True)
class Migration:
    """
    One feature of the schema's history, with the same ``version`` on every database: the DDL
    that adds it on SQLite and on PostgreSQL (statements for PostgreSQL name tables as
    ``{s}.table``, ``{s}`` being the quoted schema), then, if given, a ``data`` step written
    once for both over DB-API cursors (linking, sealing, backfilling from the histories).
    """

    version: int
    description: str
    sqlite: tuple[str, ...] = ()
    postgres: tuple[str, ...] = ()
    data: DataStep | None = None


@attrs.frozen(kw_only=True)
class UpgradeReport:
    """What opening a store did to its schema."""

    store: str
    """The store, as messages name it."""
    from_version: int
    """The version found (0: a new database)."""
    to_version: int
    applied: tuple[tuple[int, str], ...]
    """The migrations applied, as ``(version, description)``."""
    notes: tuple[str, ...] = ()
    """What the data steps and the runner want the operator to know, e.g. a renumbering."""

    def __str__(self) -> str:
        lines = [
            f"{self.store}: schema upgraded from version {self.from_version} to {self.to_version}"
        ]
        lines += [f"  {version}: {description}" for version, description in self.applied]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


@attrs.frozen
class Found:
    """The schema version a host found, on the shared numbering."""

    version: int
    renumbered_from: int | None = None
    """The version as the store recorded it under its backend's own numbering of release 0.1,
    when it did (the host then records it again on the shared numbering)."""


class SchemaHost(Protocol):
    """Where one backend keeps its schema version, and how it locks it to migrate."""

    @property
    def dialect(self) -> Dialect:
        """How the database spells statements and rows."""

    def found(self) -> Found | None:
        """The schema version applied, None if the database holds no store yet."""

    def migrating(self) -> contextlib.AbstractContextManager[Any]:
        """The lock and the one transaction that every pending step runs in."""

    def create(self) -> None:
        """Make room for a new store (inside :meth:`migrating`)."""

    def renumber(self, found: Found, migrations: Sequence[Migration]) -> None:
        """Record ``found`` again on the shared numbering (inside :meth:`migrating`)."""

    def record(self, migration: Migration) -> None:
        """Record that ``migration`` is applied (inside :meth:`migrating`)."""

    def finish(self, version: int) -> None:
        """Record that the schema is at ``version`` (inside :meth:`migrating`)."""


def _check(host: SchemaHost, latest: int) -> Found | None:
    found = host.found()
    if found is not None and found.version > latest:
        d = host.dialect
        raise SchemaVersionError(
            f"{d.store}: {d.has_version} {found.version}, but this release of iso10002 knows "
            f"versions up to {latest}; upgrade iso10002"
        )
    return found


def _done(found: Found | None, latest: int) -> bool:
    return found is not None and found.version == latest and found.renumbered_from is None


def upgrade(
    host: SchemaHost,
    conn: Connection,
    migrations: Sequence[Migration],
    hasher: Hasher,
) -> UpgradeReport | None:
    """
    Bring the schema that ``host`` keeps up to the last of ``migrations``: every pending step in
    one transaction, the DDL first, then the data step, which computes hashes and seals with
    ``hasher``. Processes that start at once migrate once: the others wait for the lock, then
    find the work done. Returns what was done, None when nothing was.

    Raises:
        SchemaVersionError: the schema is newer than ``migrations`` know.
    """
    latest = migrations[-1].version
    if _done(_check(host, latest), latest):
        return None
    with host.migrating():
        # Another process may have migrated while this one waited for the lock.
        found = _check(host, latest)
        if _done(found, latest):
            return None
        notes: list[str] = []
        if found is None:
            host.create()
            current = 0
        else:
            current = found.version
            if found.renumbered_from is not None:
                host.renumber(found, migrations)
                notes.append(
                    f"schema version {found.renumbered_from} of release 0.1 is version "
                    f"{found.version} on the shared numbering of both SQL stores"
                )
        up = Upgrade(conn=conn, dialect=host.dialect, hasher=hasher)
        applied = []
        for migration in migrations:
            if migration.version > current:
                cursor = up.cursor()
                for statement in host.dialect.statements(migration):
                    cursor.execute(statement)
                if migration.data is not None:
                    note = migration.data(up)
                    if note:
                        notes.append(note)
                host.record(migration)
                applied.append((migration.version, migration.description))
        host.finish(latest)
    report = UpgradeReport(
        store=host.dialect.store,
        from_version=current,
        to_version=latest,
        applied=tuple(applied),
        notes=tuple(notes),
    )
    _log.info("%s", report)
    return report
