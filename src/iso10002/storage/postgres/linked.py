"""
One append of a PostgreSQL store in one round trip, when the server may compute the links
itself: the store has no integrity key (the unkeyed :class:`~iso10002.model.chain.Hasher`,
which is plain SHA-256) and the append writes no outbox record (whose seals are computed on the
client, like every keyed link). Otherwise :func:`append_one` takes the two-round-trip path of
:func:`~iso10002.storage.postgres.append.pipelined_append`; an integrity key is never sent to
the server.

The pipeline holds BEGIN, the version-checked summary write, the number claim if any, one call
of the schema's ``append_linked`` function (migration 12, :mod:`iso10002.storage._sql.linking`),
which takes the append lock, reads the log's last link, links and inserts the events, and
COMMIT, all before one Sync. A version check or a number claim that matches no row raises an
error on the server (SQLSTATE :data:`~iso10002.storage._sql.linking.REFUSED`), so that nothing
after it runs and the transaction is rolled back; the append lock is held from the call to the
commit, with no client round trip in between.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from iso10002.errors import ConcurrencyConflict, DuplicateKeyError, StorageError
from iso10002.model.chain import Hasher
from iso10002.ports.store import Append
from iso10002.storage._sql.linking import REFUSED
from iso10002.storage._sql.numbers import NumberStatements
from iso10002.storage._sql.sealed_rows import TableStatements
from iso10002.storage.postgres.append import BEGIN, COMMIT, Prepared, pipelined_append, roll_back
from iso10002.storage.postgres.rows import Statements
from iso10002.storage.postgres.schema import append_lock_key

if TYPE_CHECKING:
    from psycopg import Connection

    from iso10002.storage.postgres.outbox import OutboxSql, Row

__all__ = ["LinkedStatements", "append_one", "linked_append", "linked_statements"]


class LinkedStatements:
    """The statements of the one-round-trip append, for one schema's :class:`Statements`."""

    def __init__(self, sql: Statements, lock_key: int) -> None:
        s = sql.schema
        self.update_checked = (
            f"WITH updated AS ({sql.update_versioned} RETURNING 1) "
            f"SELECT {s}.expect_row(count(*), 'version') FROM updated"
        )
        self.numbers: NumberStatements = sql.numbers
        self._claim_first = self._checked(s, sql.numbers.first)
        self._claim_next = self._checked(s, sql.numbers.next)
        self.append = (
            f"SELECT {s}.append_linked({int(lock_key)}, %s::uuid, %s::integer, %s::integer[], "
            "%s::text[], %s::integer[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::text[], %s::bytea[])"
        )
        # One event, the common case: the server makes the arrays, and the client sends plain
        # values, which psycopg adapts for a fraction of a list's cost.
        self.append_one = (
            f"SELECT {s}.append_linked({int(lock_key)}, %s::uuid, %s::integer, "
            "ARRAY[%s::integer], ARRAY[%s::text], ARRAY[%s::integer], ARRAY[%s::text], "
            "ARRAY[%s::text], ARRAY[%s::text], ARRAY[%s::text], ARRAY[%s::text], "
            "ARRAY[%s::bytea])"
        )

    @staticmethod
    def _checked(s: str, claim: str) -> str:
        return f"WITH claimed AS ({claim}) SELECT {s}.expect_row(count(*), 'number') FROM claimed"

    def claim(self, a: Append) -> tuple[str, tuple[object, ...]] | None:
        """The checked statement and parameters of ``a``'s number claim, if it has one."""
        c = a.number
        if c is None:
            return None
        if c.after == 0:
            return self._claim_first, (c.scope, c.number)
        return self._claim_next, (c.number, c.scope, c.after)


@functools.cache
def linked_statements(sql: Statements) -> LinkedStatements:
    """The statements for ``sql``'s schema, built once."""
    return LinkedStatements(sql, append_lock_key(sql.schema.strip('"')))


def append_one(
    conn: Connection[Any],
    prepared: Prepared,
    *,
    sql: Statements,
    hasher: Hasher,
    outbox: Sequence[Row],
    outbox_sql: OutboxSql,
    outbox_key: int,
    tables_sql: TableStatements,
) -> None:
    """
    One append (not an erasure): in one round trip (:func:`linked_append`) when the store has
    no key and the append writes no outbox record, else in two (:func:`pipelined_append`).

    Raises:
        ConcurrencyConflict, DuplicateKeyError: as :func:`linked_append`.
        psycopg.errors.UniqueViolation: a reference, client key or event is taken; the
            transaction is rolled back, for the caller to say which (``append.taken``).
    """
    if hasher.keyed or outbox:
        pipelined_append(
            conn,
            prepared,
            sql=sql,
            hasher=hasher,
            outbox=outbox,
            outbox_sql=outbox_sql,
            outbox_key=outbox_key,
            tables_sql=tables_sql,
        )
    else:
        linked_append(conn, prepared, sql=sql, linked=linked_statements(sql))


def linked_append(
    conn: Connection[Any], prepared: Prepared, *, sql: Statements, linked: LinkedStatements
) -> None:
    """
    One append of an unkeyed store with no outbox record, in one transaction and one round
    trip; see the module's docstring.

    Raises:
        ConcurrencyConflict: the stored version is not the expected one.
        DuplicateKeyError: the number claimed is not the counter's next (key "reference").
        psycopg.errors.UniqueViolation: as :func:`append_one`.
    """
    import psycopg

    a, rows, values = prepared
    s = a.summary
    v = a.expected_version
    # The events' parameters after the stream id, with the bytes their hashes cover (the
    # links are computed by the server): one event's values, or one array a column.
    events = a.prepared or ()
    if len(rows) == 1:
        append, params = linked.append_one, (s.id, v, *rows[0][1:], events[0].canonical)
    else:
        columns = [list(column) for column in zip(*rows, strict=True)]
        append = linked.append
        params = (s.id, v, *columns[1:], [p.canonical for p in events])
    try:
        with conn.pipeline(), conn.cursor() as cursor:
            # Prepared from their first run, never after a count: psycopg names a statement
            # prepared when it sends the Parse of its count's last run, and forgets the name
            # only if the Parse is a statement's first, so a Parse skipped when an earlier
            # statement of the pipeline failed left a name the server never knew. BEGIN and
            # COMMIT, which cost no planning, are not prepared at all.
            cursor.execute(BEGIN, prepare=False)
            if v == 0:
                summary = (sql.insert_summary, (s.id, s.reference, s.client_key, *values))
            else:
                summary = (linked.update_checked, (*values, s.id, v))
            cursor.execute(*summary, prepare=True)
            number = linked.claim(a)
            if number is not None:
                cursor.execute(*number, prepare=True)
            cursor.execute(append, params, prepare=True)
            cursor.execute(COMMIT, prepare=False)
    except psycopg.Error as e:
        roll_back(conn)
        if e.sqlstate == REFUSED:
            raise refusal(conn, sql, a, e) from e
        raise
    except BaseException:
        roll_back(conn)
        raise


def refusal(conn: Connection[Any], sql: Statements, a: Append, e: Exception) -> StorageError:
    """What the server's refusal of ``a`` means, its transaction rolled back."""
    s = a.summary
    if getattr(getattr(e, "diag", None), "message_detail", None) == "number":
        return DuplicateKeyError("reference", s.reference)
    found = conn.execute(sql.version, (s.id,)).fetchone()
    return ConcurrencyConflict(
        complaint=s.reference,
        expected_version=a.expected_version,
        actual_version=0 if found is None else int(found[0]),
    )
