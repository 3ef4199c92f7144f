"""
Sealing the rows the SQL stores keep beside the events, written once for both: outbox records
and access denials (:mod:`iso10002.integrity.records`), and reading them back, with the
counters, for :func:`~iso10002.integrity.verify` (:class:`SealedTables`).

A row is sealed in the transaction that writes it, under the lock that serialises writers of
its table (SQLite's write lock; on PostgreSQL the outbox's advisory lock, and a table lock for
denials): its seal covers the id of the row before it, so no two writers may interleave. Rows
deleted on purpose (delivered notifications purged, an erased complaint's notifications) leave
their successors resealed after the row now before them (:func:`reseal_successors`); a row
deleted by anyone else leaves its successor naming an id that is gone.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from iso10002.errors import SerializationError
from iso10002.integrity.records import record_seal
from iso10002.model.chain import Hasher, TableRecord
from iso10002.serialization import parse_json
from iso10002.storage._sql.columns import utc

__all__ = [
    "SEALED_COLUMNS",
    "SealedTables",
    "TableStatements",
    "reseal_successors",
    "sealing",
]

SEALED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "outbox": (
        "idempotency_key",
        "complaint_id",
        "complaint_reference",
        "lane",
        "channel",
        "kind",
        "schema_version",
        "notification",
        "created_at",
        "deliver_after",
        "digest",
    ),
    "access_denials": (
        "at",
        "role",
        "action",
        "complaint_id",
        "reference",
        "reason",
        "actor_seal",
    ),
}
"""The columns each table's seal covers: those no later write changes."""

_HELD: Mapping[str, str] = {"access_denials": ", actor_salt, actor_id"}
"""The values a row holds apart from its seal, which erasure may clear."""

_READ_BATCH = 500


def _plain(column: str, value: object) -> object:
    """A column's value as the seal covers it, whichever driver read it."""
    if isinstance(value, _dt.datetime):
        return utc(value, column)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    if column == "notification" and isinstance(value, (str, bytes)):
        try:
            return parse_json(value)
        except SerializationError:
            return value  # as stored: the seal then fails, and verify() names the row
    return value


def content_of(table: str, values: Sequence[object]) -> dict[str, object]:
    """The sealed content of a row from the values of :data:`SEALED_COLUMNS`, in order."""
    return {c: _plain(c, v) for c, v in zip(SEALED_COLUMNS[table], values, strict=True)}


@attrs.frozen
class TableStatements:
    """The statements behind sealing and reading the sealed tables, for one database."""

    last_id: Mapping[str, str]
    rows_after: Mapping[str, str]
    before: Mapping[str, str]
    set_seal: Mapping[str, str]
    successors: Mapping[str, str]
    row: Mapping[str, str]
    records: Mapping[str, str]
    counters: str

    @classmethod
    def build(cls, *, prefix: str = "", mark: str = "?") -> TableStatements:
        """The statements for tables named ``{prefix}table``, with this parameter mark."""
        m = mark
        tables = {t: f"{prefix}{t}" for t in SEALED_COLUMNS}
        cols = {t: ", ".join(SEALED_COLUMNS[t]) for t in SEALED_COLUMNS}
        return cls(
            last_id={t: f"SELECT COALESCE(MAX(id), 0) FROM {n}" for t, n in tables.items()},
            rows_after={
                t: f"SELECT id, {cols[t]} FROM {n} WHERE id > {m} ORDER BY id"
                for t, n in tables.items()
            },
            before={
                t: f"SELECT COALESCE(MAX(id), 0) FROM {n} WHERE id < {m}" for t, n in tables.items()
            },
            set_seal={
                t: f"UPDATE {n} SET previous = {m}, seal = {m} WHERE id = {m}"
                for t, n in tables.items()
            },
            successors={
                t: f"SELECT id, {cols[t]} FROM {n} WHERE previous = {m} ORDER BY id"
                for t, n in tables.items()
            },
            row={t: f"SELECT id, {cols[t]} FROM {n} WHERE id = {m}" for t, n in tables.items()},
            records={
                t: f"SELECT id, previous, seal, {cols[t]}{_HELD.get(t, '')} FROM {n} "
                f"WHERE id > {m} ORDER BY id LIMIT {m}"
                for t, n in tables.items()
            },
            counters=f"SELECT scope, value FROM {prefix}counters ORDER BY scope",
        )


def _seal_row(
    conn: Any, sql: TableStatements, hasher: Hasher, table: str, row: Sequence[Any]
) -> int:
    """Seal one row ``(id, sealed columns…)`` after the row now before it; returns its id."""
    previous = int(conn.execute(sql.before[table], (row[0],)).fetchone()[0])
    seal = record_seal(hasher, table, previous, content_of(table, row[1:]))
    conn.execute(sql.set_seal[table], (previous, seal, row[0]))
    return int(row[0])


@contextlib.contextmanager
def sealing(conn: Any, sql: TableStatements, hasher: Hasher, table: str) -> Iterator[None]:
    """Seal the rows of ``table`` that the block inserts, in the caller's transaction."""
    last = int(conn.execute(sql.last_id[table]).fetchone()[0])
    yield
    rows = conn.execute(sql.rows_after[table], (last,)).fetchall()
    previous = None
    for row in rows:
        if previous is None:
            previous = _seal_row(conn, sql, hasher, table, row)
            continue
        seal = record_seal(hasher, table, previous, content_of(table, row[1:]))
        conn.execute(sql.set_seal[table], (previous, seal, row[0]))
        previous = int(row[0])


def reseal_successors(
    conn: Any, sql: TableStatements, hasher: Hasher, table: str, deleted: Iterable[int]
) -> int:
    """
    Reseal the rows that followed the rows ``deleted`` on purpose, after the row now before
    each, in the caller's transaction and under the table's writer lock; returns how many.
    Rows that followed a row deleted by anyone else keep naming it, for verify() to report.
    """
    done = 0
    for gone in sorted(set(deleted)):
        for row in conn.execute(sql.successors[table], (gone,)).fetchall():
            _seal_row(conn, sql, hasher, table, row)
            done += 1
    return done


class SealedTables:
    """
    The :class:`~iso10002.ports.store.SealedTablesStore` methods of the SQL stores. A store
    mixes this in with :class:`~iso10002.storage._sql.records.SqlRecords`, whose ``_records``
    gives the connection.
    """

    _tables_sql: TableStatements
    _records: Callable[..., contextlib.AbstractContextManager[Any]]

    def iter_table_records(self, table: str) -> Iterator[TableRecord]:
        """Every row of ``table`` in id order, as stored, read in batches."""
        if table not in SEALED_COLUMNS:
            raise ValueError(f"{table!r} is not a sealed table")
        width = len(SEALED_COLUMNS[table])
        after = 0
        while True:
            with self._records(f"read the {table} table", write=False) as conn:
                rows = conn.execute(
                    self._tables_sql.records[table], (after, _READ_BATCH)
                ).fetchall()
            if not rows:
                return
            for row in rows:
                held = row[3 + width :]
                yield TableRecord(
                    table=table,
                    id=int(row[0]),
                    previous=None if row[1] is None else int(row[1]),
                    seal=row[2],
                    content=content_of(table, row[3 : 3 + width]),
                    held=(str(held[0] or ""), str(held[1]))
                    if len(held) == 2 and held[1] is not None
                    else None,
                )
            after = int(rows[-1][0])

    def counters(self) -> dict[str, int]:
        """Every named counter with its value."""
        with self._records("read the counters", write=False) as conn:
            rows = conn.execute(self._tables_sql.counters).fetchall()
        return {str(scope): int(value) for scope, value in rows}
