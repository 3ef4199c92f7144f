"""
One append of a PostgreSQL store in one round trip, when the server may compute the links
itself: the store has no integrity key (the unkeyed :class:`~iso10002.model.chain.Hasher`,
which is plain SHA-256) and the append writes no outbox record (whose seals are computed on the
client, like every keyed link). Otherwise :func:`append_one` takes the two-round-trip path of
:func:`~iso10002.storage.postgres.append.pipelined_append`; an integrity key is never sent to
the server.

On the store's own pool, whose connections autocommit, the append is one statement sent alone,
a transaction of its own, as long as the server's default level for the store's sessions is
READ COMMITTED (PostgreSQL's own default; the pool checks each new connection); otherwise, and
on an application's pool, a pipeline holds BEGIN, the statement and COMMIT, before one Sync.
The statement writes the summary (the insert, or the version-checked update) and claims the
number, if the append has one, in data-modifying WITH clauses; checks that each matched its
row, raising an error on the server (SQLSTATE :data:`~iso10002.storage._sql.linking.REFUSED`)
if not, so that nothing is written and the transaction rolls back; then calls the schema's
``append_linked`` function (migration 12, :mod:`iso10002.storage._sql.linking`), which takes
the append lock, reads the log's last link, links and inserts the events. One statement, so
that the row locks of the summary, the counter and the rollups, and the append lock, are taken
by the server in one go and released when it commits, with no client work in between. The
statement's placeholders are the server's own (``$1``...), sent as they are by a
:class:`psycopg.RawCursor`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from iso10002.errors import ConcurrencyConflict, DuplicateKeyError, StorageError
from iso10002.model.chain import Hasher
from iso10002.ports.store import Append
from iso10002.storage._sql.linking import REFUSED
from iso10002.storage._sql.sealed_rows import TableStatements
from iso10002.storage.postgres.append import BEGIN, COMMIT, Prepared, pipelined_append, roll_back
from iso10002.storage.postgres.rows import Statements, SummaryUpdate
from iso10002.storage.postgres.schema import append_lock_key

if TYPE_CHECKING:
    from psycopg import Connection

    from iso10002.storage.postgres.outbox import OutboxSql, Row

__all__ = ["LinkedStatements", "append_one", "linked_append", "linked_statements"]


class LinkedStatements:
    """
    The statements of the one-round-trip append, for one schema's :class:`Statements`: one
    statement an append, whose data-modifying WITH clauses write the summary and claim the
    number, checked before ``append_linked`` runs (the checks are a subquery fenced by
    ``OFFSET 0``, evaluated first), so that the server holds every lock of the append from
    that statement to the COMMIT sent right after it.
    """

    def __init__(self, sql: Statements, lock_key: int) -> None:
        self._sql = sql
        self._key = int(lock_key)
        self._made: dict[tuple[SummaryUpdate | None, int, bool], str] = {}

    def statement(self, a: Append, update: SummaryUpdate | None, events: int) -> str:
        """
        The statement of ``a``, whose summary ``update`` writes (None: the insert of a new
        complaint), with ``events`` events (one: plain values, else arrays). As many as the
        updates of the schema's :class:`Statements` (which bounds them) times six.
        """
        shape = (update, 0 if a.number is None else 1 + (a.number.after > 0), events == 1)
        made = self._made.get(shape)
        if made is None:
            made = self._made[shape] = self._make(*shape)
        return made

    def _make(self, update: SummaryUpdate | None, claim: int, one: bool) -> str:
        sql = self._sql
        s = sql.schema
        summary = sql.insert_summary if update is None else update.sql
        ctes = [f"summary AS ({summary} RETURNING 1)"]
        checks = [f"{s}.expect_row((SELECT count(*) FROM summary), 'version')"]
        if claim:
            ctes.append(f"claimed AS ({sql.numbers.next if claim == 2 else sql.numbers.first})")
            checks.append(f"{s}.expect_row((SELECT count(*) FROM claimed), 'number')")
        if one:
            # One event, the common case: the server makes the arrays, and the client sends
            # plain values, which psycopg adapts for a fraction of a list's cost.
            values = (
                "ARRAY[%s::integer], ARRAY[%s::text], ARRAY[%s::integer], ARRAY[%s::text], "
                "ARRAY[%s::text], ARRAY[%s::text], ARRAY[%s::text], ARRAY[%s::text], "
                "ARRAY[%s::bytea]"
            )
        else:
            values = (
                "%s::integer[], %s::text[], %s::integer[], %s::text[], %s::text[], %s::text[], "
                "%s::text[], %s::text[], %s::bytea[]"
            )
        statement = (
            f"WITH {', '.join(ctes)} "
            f"SELECT {s}.append_linked({self._key}, %s::uuid, %s::integer, {values}) "
            f"FROM (SELECT {', '.join(checks)} OFFSET 0) AS checked"
        )
        return _numbered(statement)

    @staticmethod
    def params(
        a: Append, values: tuple[object, ...], update: SummaryUpdate | None
    ) -> tuple[object, ...]:
        """The parameters of the summary write and of the claim, in the statement's order."""
        s = a.summary
        if update is None:
            written: tuple[object, ...] = (s.id, s.reference, s.client_key, *values)
        else:
            written = (*update.pick(values), s.id, a.expected_version)
        c = a.number
        if c is None:
            return written
        if c.after == 0:
            return (*written, c.scope, c.number)
        return (*written, c.number, c.scope, c.after)


def _numbered(statement: str) -> str:
    """
    ``statement`` with its ``%s`` placeholders as the server's own ``$1``, ``$2``... for a
    :class:`psycopg.RawCursor`, which sends the text as it is. psycopg parses a statement
    with ``%s`` placeholders at every run when it has more than 50 parameters, as a new
    complaint's has: a tenth of the client's time for an append.
    """
    if "%%" in statement or "%(" in statement:
        raise ValueError("only %s placeholders can be numbered")  # a statement of this module
    parts = statement.split("%s")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


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
    alone: bool,
) -> None:
    """
    One append (not an erasure): in one round trip (:func:`linked_append`) when the store has
    no key and the append writes no outbox record, else in two (:func:`pipelined_append`).
    ``alone``: ``conn`` autocommits, and a statement outside a transaction runs at READ
    COMMITTED (the store's own pool checks each connection).

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
        linked_append(conn, prepared, sql=sql, linked=linked_statements(sql), alone=alone)


def linked_append(
    conn: Connection[Any],
    prepared: Prepared,
    *,
    sql: Statements,
    linked: LinkedStatements,
    alone: bool = False,
) -> None:
    """
    One append of an unkeyed store with no outbox record, in one transaction and one round
    trip; see the module's docstring. With ``alone`` (see :func:`append_one`) the statement is
    sent alone, a transaction of its own; otherwise between BEGIN and COMMIT in a pipeline.

    Raises:
        ConcurrencyConflict: the stored version is not the expected one.
        DuplicateKeyError: the number claimed is not the counter's next (key "reference").
        psycopg.errors.UniqueViolation: as :func:`append_one`.
    """
    import psycopg

    a, rows, values, update = prepared
    s = a.summary
    v = a.expected_version
    # The events' parameters after the stream id, with the bytes their hashes cover (the
    # links are computed by the server): one event's values, or one array a column.
    events = a.prepared or ()
    if len(rows) == 1:
        appended: tuple[object, ...] = (*rows[0][1:], events[0].canonical)
    else:
        columns = [list(column) for column in zip(*rows, strict=True)]
        appended = (*columns[1:], [p.canonical for p in events])
    statement = linked.statement(a, update, len(rows))
    params = (*linked.params(a, values, update), s.id, v, *appended)
    try:
        if alone and conn.autocommit:
            # One statement on an autocommitting connection is a transaction of its own: no
            # BEGIN, no COMMIT and no pipeline, whose bookkeeping cost the client more than
            # the statement's own sending and reading did. At a stricter default level a
            # conflict would be a serialization failure: such connections, and an
            # application's, take the pipeline.
            with psycopg.RawCursor(conn) as cursor:
                cursor.execute(statement, params, prepare=True)
        else:
            # An application's pool. BEGIN and COMMIT
            # cost no planning, and are not prepared; the append's statement is, from its
            # first run (psycopg names a statement prepared when it sends the Parse of its
            # count's last run, and would keep the name if that Parse were skipped).
            with conn.pipeline(), psycopg.RawCursor(conn) as cursor:
                cursor.execute(BEGIN, prepare=False)
                cursor.execute(statement, params, prepare=True)
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
