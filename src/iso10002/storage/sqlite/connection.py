"""The SQLite store's transactions and the one place where sqlite3's errors are converted."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from iso10002.errors import StorageError, StoreClosedError
from iso10002.storage.sqlite.statements import _EVENT_KEY_TAKEN

if TYPE_CHECKING:
    from iso10002.storage.sqlite.store import SQLiteEventStore

__all__: list[str] = []


class _SQLiteErrors:
    """
    The one place where sqlite3's exceptions become the library's: a context manager.

    Args:
        where: the database, for the message.
        action: what the store was doing, for the message.
        seq_taken: builds the error for an event whose ``(stream_id, seq)`` is already stored.

    Library errors raised inside pass through untouched. (A class rather than a generator:
    it is entered on every call to the store.)
    """

    __slots__ = ("action", "seq_taken", "where")

    def __init__(
        self, where: str, action: str, seq_taken: Callable[[], StorageError] | None = None
    ) -> None:
        self.where = where
        self.action = action
        self.seq_taken = seq_taken

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not isinstance(exc, sqlite3.Error):
            return
        message = str(exc)
        if (
            self.seq_taken is not None
            and isinstance(exc, sqlite3.IntegrityError)
            and _EVENT_KEY_TAKEN in message
        ):
            raise self.seq_taken() from exc
        if isinstance(exc, sqlite3.OperationalError) and "locked" in message:
            message += " (another connection held the write lock longer than the timeout)"
        raise StorageError(f"SQLite store {self.where}: {self.action}: {message}") from exc


class _Immediate:
    """
    One write transaction: committed if the block succeeds, rolled back on any exception.

    ``BEGIN IMMEDIATE`` takes the write lock at once (waiting up to the busy timeout), so
    writers in other connections and processes queue up instead of failing at commit.
    """

    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self.conn
        try:
            if exc is None:
                conn.execute("COMMIT")
        finally:
            # After an error, or a COMMIT that failed: leave nothing half-written behind.
            if conn.in_transaction:
                conn.execute("ROLLBACK")


class _Access:
    """The store's lock and open connection for one call, with driver errors converted."""

    __slots__ = ("errors", "store")

    def __init__(self, store: SQLiteEventStore, errors: _SQLiteErrors) -> None:
        self.store = store
        self.errors = errors

    def __enter__(self) -> sqlite3.Connection:
        store = self.store
        store._lock.acquire()
        conn = store._conn
        if conn is None:
            store._lock.release()
            raise StoreClosedError(f"SQLite store {store._path} is closed")
        return conn

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.errors.__exit__(exc_type, exc, tb)
        finally:
            self.store._lock.release()
