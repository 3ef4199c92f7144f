"""The PostgreSQL store's connections, and the one place where driver errors are converted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from iso10002.errors import (
    StoreClosedError,
)

if TYPE_CHECKING:
    from psycopg import Connection

    from iso10002.storage.postgres.store import PostgresEventStore

__all__: list[str] = []


def _one_line(text: str, secret: str | None) -> str:
    line = " ".join(text.split())
    return line.replace(secret, "***") if secret else line


def _describe(params: Mapping[str, str]) -> str:
    """Where a connection goes, for messages: ``user@host:port/dbname``, never the password."""
    user = params.get("user", "")
    host = params.get("host") or params.get("hostaddr") or ""
    port = params.get("port", "")
    dbname = params.get("dbname", "")
    text = f"{user}@" if user else ""
    text += host + (f":{port}" if port else "")
    return text + (f"/{dbname}" if dbname else "") or "(libpq defaults)"


def _driver_error(exc: BaseException) -> bool:
    import psycopg

    return isinstance(exc, psycopg.Error)


class _Use:
    """
    One connection from the pool for one call, with driver errors converted: the one place where
    psycopg's exceptions become the library's. Library errors raised inside pass through.
    """

    __slots__ = ("action", "conn", "store")

    def __init__(self, store: PostgresEventStore, action: str) -> None:
        self.store = store
        self.action = action
        self.conn: Connection[Any] | None = None

    def __enter__(self) -> Connection[Any]:
        store = self.store
        pool = store._pool
        if pool is None:
            raise StoreClosedError(f"PostgreSQL store {store._where} is closed")
        try:
            self.conn = pool.getconn(timeout=store._timeout)
        except Exception as e:
            if store._pool is None:
                raise StoreClosedError(f"PostgreSQL store {store._where} is closed") from e
            if _driver_error(e):
                raise store._error(self.action, e) from e
            raise
        return self.conn

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self.conn = self.conn, None
        try:
            if exc is not None and _driver_error(exc):
                raise self.store._error(self.action, exc) from exc
        finally:
            pool = self.store._pool or self.store._closed_pool
            if conn is not None and pool is not None:
                # Rolls back whatever a failed call left open, and drops a broken connection.
                pool.putconn(conn)


def _read_committed(conn: Connection[Any]) -> None:
    """
    Begin the store's transactions at READ COMMITTED whatever the server's default: there, an
    append that waited for a concurrent writer re-reads the row and reports a conflict, where
    a stricter level would fail with a serialization error.
    """
    import psycopg

    conn.isolation_level = psycopg.IsolationLevel.READ_COMMITTED


def _defaults_to_read_committed(conn: Connection[Any]) -> bool:
    """
    Whether a statement that ``conn`` sends outside a transaction runs at READ COMMITTED: the
    session's default level, which a role or database may set otherwise. Read, not set: behind
    a transaction-pooling proxy the server's sessions are shared, and a level set on one would
    apply to other clients and not reliably to this one.
    """
    row = conn.execute(b"SHOW default_transaction_isolation").fetchone()
    return row is not None and row[0] == "read committed"


def _configure(store: PostgresEventStore) -> Callable[[Connection[Any]], None]:
    """
    What the store's own pool does with each new connection: its transactions begin at READ
    COMMITTED, and if its statements outside a transaction would not run at that level, the
    store stops sending an append's statement alone (:mod:`iso10002.storage.postgres.linked`).
    """

    def configure(conn: Connection[Any]) -> None:
        _read_committed(conn)
        if store._alone and not _defaults_to_read_committed(conn):
            store._alone = False

    return configure
