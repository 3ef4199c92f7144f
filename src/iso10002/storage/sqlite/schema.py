"""
The SQLite store's schema: where it keeps its version (``PRAGMA user_version``), how it locks
the database to migrate it, and opening a database.

The migrations themselves, and the runner, are those of both SQL stores
(:mod:`iso10002.storage._sql.migrations`, :mod:`iso10002.storage._sql.upgrade`); this module
says how SQLite spells what they read and write.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from typing import Any

from iso10002.errors import StorageError
from iso10002.model.chain import Hasher
from iso10002.model.events import Event
from iso10002.model.facts import ComplaintFacts
from iso10002.storage._sql.columns import FACT_COLUMNS, facts_values
from iso10002.storage._sql.migrations import APPLICATION_ID, MIGRATIONS
from iso10002.storage._sql.upgrade import (
    DialectName,
    Found,
    Migration,
    UpgradeReport,
    upgrade,
)
from iso10002.storage.sqlite.connection import _Immediate
from iso10002.storage.sqlite.statements import _event_from_row, _json_column

# UPSERT (ON CONFLICT ... DO ...) arrived in 3.24.0.
_MIN_SQLITE = (3, 24, 0)

__all__ = ["MIGRATIONS", "Migration"]

_SET_FACTS = f"UPDATE complaints SET {', '.join(f'{c} = ?' for c, _ in FACT_COLUMNS)} WHERE id = ?"


def _payload_column(text: object) -> object:
    return _json_column(text, "payload")


class _SQLite:
    """How SQLite spells what the migrations read and write, and where it keeps the version."""

    name: DialectName = "sqlite"
    has_version = "the database has schema version"
    container = "database"
    mark = "?"
    json_mark = "?"
    json_type = "TEXT"
    key_marks = "(?, ?)"

    def __init__(self, conn: sqlite3.Connection, where: str) -> None:
        self.conn = conn
        self.store = f"SQLite store {where}"

    @property
    def dialect(self) -> _SQLite:
        return self

    def table(self, name: str) -> str:
        return name

    def statements(self, migration: Migration) -> tuple[str, ...]:
        return migration.sqlite

    def decode(self, row: Sequence[Any], personal: object = None) -> Event:
        return _event_from_row(row, personal)

    def payload(self, column: object) -> object:
        return _payload_column(column)

    def facts_update(self) -> str:
        return _SET_FACTS

    def facts_params(self, facts: ComplaintFacts) -> tuple[object, ...]:
        return facts_values(facts)

    def found(self) -> Found | None:
        version = int(_pragma(self.conn, "user_version"))
        return Found(version) if version else None

    def migrating(self) -> contextlib.AbstractContextManager[Any]:
        return _Immediate(self.conn)

    def create(self) -> None:
        """Nothing to prepare: migration 1 marks the file as the library's."""

    def renumber(self, found: Found, migrations: Sequence[Migration]) -> None:
        """Never asked: SQLite's numbers of release 0.1 are the shared ones."""

    def record(self, migration: Migration) -> None:
        """Nothing per step: the version is set once, at the end."""

    def finish(self, version: int) -> None:
        self.conn.execute(f"PRAGMA user_version = {int(version)}")


def _pragma(conn: sqlite3.Connection, name: str) -> Any:
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


def _migrate(
    conn: sqlite3.Connection,
    where: str,
    migrations: Sequence[Migration] = MIGRATIONS,
    hasher: Hasher | None = None,
) -> UpgradeReport | None:
    """
    Bring the schema up to the last of ``migrations``, all pending steps in one transaction;
    the integrity chains of stored events are computed with ``hasher`` (unkeyed by default).
    Returns what was done, None when nothing was.

    Raises:
        SchemaVersionError: the database is newer than ``migrations`` know.
    """
    return upgrade(_SQLite(conn, where), conn, migrations, hasher or Hasher())


def _connect(
    path: str, synchronous: str, timeout: float, hasher: Hasher
) -> tuple[sqlite3.Connection, UpgradeReport | None]:
    """
    Open, check and migrate the database; the caller converts sqlite3 errors. Returns the
    connection and what migrating did.
    """
    if sqlite3.sqlite_version_info < _MIN_SQLITE:
        raise StorageError(
            f"SQLite store {path}: SQLite {'.'.join(map(str, _MIN_SQLITE))} or later is "
            f"needed, this Python has {sqlite3.sqlite_version}"
        )
    # isolation_level=None: the store issues BEGIN/COMMIT itself. check_same_thread=False: the
    # store's lock, not the thread, guards the connection.
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        # The first read of the header: a file that is not a database fails here. A database
        # without our application id must be empty, or it belongs to somebody else and is
        # left untouched.
        application_id = _pragma(conn, "application_id")
        if application_id != APPLICATION_ID and (
            application_id != 0
            or _pragma(conn, "user_version") != 0
            or conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None
        ):
            raise StorageError(
                f"SQLite store {path}: the file is a SQLite database of another application "
                f"(application_id {application_id})"
            )
        mode = _pragma(conn, "journal_mode = WAL")
        if mode != "wal" and path != ":memory:":
            raise StorageError(
                f"SQLite store {path}: the database cannot use write-ahead logging "
                f"(journal mode stays {mode!r}); is it on a network file system?"
            )
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        # Erased personal data is overwritten with zeros, not left in free pages.
        conn.execute("PRAGMA secure_delete = ON")
        report = _migrate(conn, path, hasher=hasher)
    except BaseException:
        conn.close()
        raise
    return conn, report
