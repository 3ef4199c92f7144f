"""
What the SQL stores keep beside the histories, written once for both: access denials
(:class:`~iso10002.ports.store.DenialStore`) and the configurations that governed complaints
(:class:`~iso10002.ports.store.ConfigurationStore`).

A store mixes :class:`SqlRecords` in and supplies its statements (:class:`RecordStatements`, in
its own parameter marks) and :meth:`SqlRecords._records`, a connection for one call, in a
write transaction when asked.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import secrets
from typing import Any

import attrs

from iso10002.errors import StorageError, ValidationError
from iso10002.model.chain import Hasher
from iso10002.model.configuration import ConfigurationRecord
from iso10002.model.denials import DenialRecord, check_denials_query
from iso10002.privacy.sealing import commitment
from iso10002.storage._sql.columns import instant, utc
from iso10002.storage._sql.denials import DENIAL_COLUMNS, denial_from_values, denial_values
from iso10002.storage._sql.sealed_rows import TableStatements, sealing

__all__ = ["CONFIGURATION_COLUMNS", "RecordStatements", "SqlRecords"]

CONFIGURATION_COLUMNS = "fingerprint, kind, name, version, content"
"""The columns of ``configurations`` that a record fills, in order."""


@attrs.frozen
class RecordStatements:
    """The statements behind :class:`SqlRecords` for one database."""

    insert_denial: str
    lock_denials: str | None
    denials: str
    denials_since: str
    insert_configuration: str
    configuration: str
    find_configuration: str

    @classmethod
    def build(
        cls,
        *,
        prefix: str = "",
        mark: str = "?",
        instant: str = "?",
        uuid: str = "?",
        lock_denials: bool = False,
    ) -> RecordStatements:
        """
        The statements for tables named ``{prefix}table``, with these parameter marks;
        ``lock_denials`` where no write transaction keeps other writers of denials out.
        """
        denials = f"SELECT id, {DENIAL_COLUMNS} FROM {prefix}access_denials"
        configurations = f"SELECT {CONFIGURATION_COLUMNS} FROM {prefix}configurations"
        m = mark
        return cls(
            insert_denial=(
                f"INSERT INTO {prefix}access_denials ({DENIAL_COLUMNS}, actor_salt, actor_seal) "
                f"VALUES ({instant}, {m}, {m}, {m}, {uuid}, {m}, {m}, {m}, {m})"
            ),
            # Denials are sealed after the one before them: writers take turns. (SQLite's write
            # transaction already makes them.)
            lock_denials=(
                f"LOCK TABLE {prefix}access_denials IN SHARE ROW EXCLUSIVE MODE"
                if lock_denials
                else None
            ),
            denials=f"{denials} ORDER BY at, id LIMIT {m}",
            denials_since=f"{denials} WHERE at >= {instant} ORDER BY at, id LIMIT {m}",
            # The first recording of a content stays: a later one of the same content is the
            # same record, and its id keeps the order in which names were first met.
            insert_configuration=(
                f"INSERT INTO {prefix}configurations ({CONFIGURATION_COLUMNS}) "
                f"VALUES ({m}, {m}, {m}, {m}, {m}) ON CONFLICT (fingerprint) DO NOTHING"
            ),
            configuration=f"{configurations} WHERE fingerprint = {m}",
            find_configuration=(
                f"{configurations} WHERE kind = {m} AND name = {m} AND version = {m} "
                "ORDER BY id LIMIT 1"
            ),
        )


class SqlRecords:
    """The denial and configuration methods of the SQL stores."""

    _records_sql: RecordStatements
    _tables_sql: TableStatements
    _hasher: Hasher

    def _records_instant(self, value: object, column: str) -> _dt.datetime:
        """An instant as the driver returns it."""
        return instant(value, column)

    def _records(self, action: str, *, write: bool) -> contextlib.AbstractContextManager[Any]:
        """A connection for one call, in a durable write transaction if ``write``."""
        raise NotImplementedError

    def _records_store(self) -> str:
        """How messages name the store."""
        raise NotImplementedError

    def record_denial(self, denial: DenialRecord) -> None:
        """
        Keep an access denial in the ``access_denials`` table, in one durable transaction,
        sealed after the denial before it; its actor id is committed to, so that erasing the
        complainant can clear it.
        """
        values = denial_values(denial)
        salt = seal = None
        if denial.actor_id is not None:
            salt = secrets.token_hex(16)
            seal = commitment(salt, denial.actor_id)
        with self._records("record an access denial", write=True) as conn:
            if self._records_sql.lock_denials is not None:
                conn.execute(self._records_sql.lock_denials)
            with sealing(conn, self._tables_sql, self._hasher, "access_denials"):
                conn.execute(self._records_sql.insert_denial, (*values, salt, seal))

    def denials(
        self, *, since: _dt.datetime | None = None, limit: int = 1000
    ) -> list[DenialRecord]:
        """
        The access denials recorded at or after ``since`` (all if ``None``), oldest first, at
        most ``limit``.

        Raises:
            StorageError: a stored denial cannot be read back (the message names its id).
        """
        check_denials_query(since, limit)
        with self._records("list access denials", write=False) as conn:
            if since is None:
                rows = conn.execute(self._records_sql.denials, (limit,)).fetchall()
            else:
                rows = conn.execute(
                    self._records_sql.denials_since, (utc(since, "since"), limit)
                ).fetchall()
        found = []
        for row in rows:
            try:
                found.append(denial_from_values(row[1:], read=self._records_instant))
            except (ValueError, TypeError) as e:
                raise StorageError(
                    f"{self._records_store()}: access denial {row[0]} cannot be read: {e}"
                ) from e
        return found

    def record_configuration(self, record: ConfigurationRecord) -> None:
        """
        Keep ``record`` in the ``configurations`` table, in one durable transaction, unless its
        fingerprint is kept already.
        """
        if not isinstance(record, ConfigurationRecord):
            raise ValidationError("record", f"expected a ConfigurationRecord, got {record!r}")
        with self._records("record a configuration", write=True) as conn:
            conn.execute(
                self._records_sql.insert_configuration,
                (record.fingerprint, record.kind, record.name, record.version, record.content),
            )

    def configuration(self, fingerprint: str) -> ConfigurationRecord | None:
        """
        The configuration kept under ``fingerprint``, if any.

        Raises:
            StorageError: the stored record does not match its fingerprint.
        """
        with self._records("read a configuration", write=False) as conn:
            row = conn.execute(self._records_sql.configuration, (fingerprint,)).fetchone()
        return None if row is None else self._configuration_of(row)

    def find_configuration(self, kind: str, name: str, version: str) -> ConfigurationRecord | None:
        """
        The first configuration kept of that ``kind``, ``name`` and ``version``, if any.

        Raises:
            StorageError: the stored record does not match its fingerprint.
        """
        with self._records("find a configuration", write=False) as conn:
            row = conn.execute(
                self._records_sql.find_configuration, (kind, name, version)
            ).fetchone()
        return None if row is None else self._configuration_of(row)

    def _configuration_of(self, row: Any) -> ConfigurationRecord:
        fingerprint, kind, name, version, content = row
        try:
            return ConfigurationRecord(
                kind=kind, name=name, version=version, content=content, fingerprint=fingerprint
            )
        except ValidationError as e:
            raise StorageError(
                f"{self._records_store()}: configuration {fingerprint} cannot be read: {e}"
            ) from e
