"""
An event store in PostgreSQL: for several application servers, or many worker processes, on one
database. Needs the ``postgres`` extra (``pip install "iso10002[postgres]"``: psycopg 3 and
psycopg_pool); this module imports without it, and the store says what is missing when built.

Layout (see ``docs/postgres.md``), in one PostgreSQL schema, ``iso10002`` unless configured:

- ``events``: one row per event. ``position`` is a ``bigint`` identity: the global order that
  :meth:`PostgresEventStore.iter_events` follows; ``(stream_id, seq)`` is unique. Instants are
  ``timestamptz``, the actor and the payload ``jsonb`` written by :mod:`iso10002.serialization`;
  the payload is sealed, its personal values kept beside it in ``personal`` (``jsonb``,
  migration 7; :mod:`iso10002.privacy.sealing`), which erasure clears. ``hash`` and ``chain``
  are the event's links in its complaint's chain and in the log's (:mod:`iso10002.integrity`,
  migration 5), over the sealed payload.
- ``complaints``: the :class:`~iso10002.model.complaint.ComplaintSummary` of each complaint and
  its monitoring facts, one column per field, written in the same transaction as the events,
  with an index for every :class:`~iso10002.ports.store.ComplaintQuery` criterion.
- ``counters``: named counters for :meth:`PostgresEventStore.next_number`.
- ``outbox``: notifications written in the same transaction as the events that caused them
  (:mod:`iso10002.outbox`), with partial indexes over the pending ones for the dispatchers,
  which claim with ``SELECT ... FOR UPDATE SKIP LOCKED``.
- ``access_denials``: every command or query the desk's access policy refused
  (:mod:`iso10002.access`, migration 6): ids, role, action, reference and reason, no personal
  data.
- ``schema_migrations``: the versions of the shared
  :data:`~iso10002.storage._sql.migrations.MIGRATIONS` applied.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from typing_extensions import Self

from iso10002.errors import (
    CorruptRecord,
    StorageError,
    ValidationError,
)
from iso10002.model.chain import Hasher
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import Event, SurveyAnswered
from iso10002.model.fact_row import FactRow
from iso10002.model.outbox import OutboxEntry, OutboxQuery, OutboxRecord, OutboxState
from iso10002.model.subject import SubjectMatch
from iso10002.model.values import ComplaintId
from iso10002.ports.capabilities import Capability
from iso10002.ports.kpi import CohortScan, SummaryKpiSource
from iso10002.ports.store import Append, ChainRecord, ComplaintQuery, Page
from iso10002.storage._sql.columns import utc
from iso10002.storage._sql.records import RecordStatements, SqlRecords
from iso10002.storage._sql.sealed import DECODE_ERRORS, chain_record
from iso10002.storage._sql.sealed_rows import (
    SealedTables,
    TableStatements,
    reseal_successors,
    sealing,
)
from iso10002.storage._sql.upgrade import UpgradeReport
from iso10002.storage._sql.written import Known, remember
from iso10002.storage.postgres import kpis, linked
from iso10002.storage.postgres import outbox as outbox_pg
from iso10002.storage.postgres.rows import (
    ORDERS,
    event_from_row,
    read_instant,
    statements,
    summary_from_row,
    where,
)
from iso10002.storage.postgres.schema import (
    MIGRATIONS,
    check_schema_name,
    outbox_lock_key,
)

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg_pool import ConnectionPool

from iso10002.storage import prepare_appends
from iso10002.storage.postgres.append import append_in_one_transaction, prepare, taken
from iso10002.storage.postgres.connection import _configure, _describe, _one_line, _Use
from iso10002.storage.postgres.migrate import _migrate

__all__ = ["PostgresEventStore"]

_READ_BATCH = 500
"""Events fetched per round trip by iter_events and iter_chain, the connection returned between."""

_FACT_BATCH = 5000
_SUBJECT_BATCH = 2000
_NO_ID = UUID(int=0)


class PostgresEventStore(SqlRecords, SealedTables):
    """
    A complete :class:`~iso10002.ports.store.EventStore` (and
    :class:`~iso10002.ports.store.BatchAppender`, :class:`~iso10002.ports.store.ChainedStore`,
    :class:`~iso10002.ports.store.PersonalDataStore`,
    :class:`~iso10002.ports.store.OutboxStore` and :class:`~iso10002.ports.store.DenialStore`)
    in a PostgreSQL database.

    Args:
        conninfo: a libpq connection string or URI (``"host=db dbname=complaints user=app"``,
            ``"postgresql://app@db/complaints"``); the store opens its own connection pool and
            closes it in :meth:`close`. Or an open ``psycopg_pool.ConnectionPool``, shared with
            the application: the store borrows connections and leaves the pool open; their
            isolation level must be READ COMMITTED (PostgreSQL's default).
        schema: the PostgreSQL schema that holds the store's tables; created, with the tables,
            on first use. Several stores may share a database under different schemas.
        min_size, max_size: the size of the store's own pool (default 1 and 4); ``max_size``
            is the number of threads that can use the store at the same moment. Not allowed
            with a pool of the application's.
        timeout: seconds to wait for a connection, from the server or from the pool.
        integrity_key: the secret under which event hashes are HMACs (``docs/integrity.md``);
            without it they are plain SHA-256. Open a schema always with the same key.
        create: whether to create the schema and its tables when they are missing. False for a
            tool that must not leave a store behind where there was none (``iso10002 verify``):
            the store then refuses such a schema with :class:`~iso10002.errors.StorageError`.
            A store of an older release is migrated either way.

    **Concurrency.** An append is one transaction. It updates the complaint's summary row with
    ``UPDATE ... WHERE id = … AND version = <expected>``: a concurrent writer of the same
    complaint holds the row lock until it commits, after which the version no longer matches,
    so the loser gets :class:`~iso10002.errors.ConcurrencyConflict`, never a lost update; the
    unique ``(stream_id, seq)`` constraint is the backstop. Writers of different complaints do
    not wait for each other, except for one moment: the events are inserted under a
    transaction-scoped advisory lock held until commit, so that global positions become
    visible in increasing order and a reader of :meth:`iter_events` that resumes after the
    position it saw last never misses an event committed late with a smaller position. The
    log's last chain value is read under the same lock, so that the log's chain follows the
    order of positions (without a key, the server links the events: one round trip).

    One store object is safe to share between threads. Open one per process (never carry one
    across ``fork``); any number of processes on any number of machines may use one database.

    Raises:
        StorageError: the server cannot be reached or refused the connection (the message
            names the server, never the password), the schema holds tables of another
            application, or psycopg is not installed.
        SchemaVersionError: the schema was written by a newer release of the library.
        ValidationError: an argument is not acceptable (the message names it).
    """

    SCHEMA_VERSION: ClassVar[int] = MIGRATIONS[-1].version
    """The schema version this release writes (the largest in ``schema_migrations``)."""

    upgrade_report: UpgradeReport | None = None
    """What opening the store did to an older schema; None if it found the schema current."""

    sql_dialect: ClassVar[str] = "postgresql"
    """The SQL that :meth:`select` runs: PostgreSQL's, with psycopg's placeholders."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability) - {Capability.BULK_LOAD}
    """Every level of the store port, the KPI source (rollups, or fact rows); no bulk load."""

    def __init__(
        self,
        conninfo: str | ConnectionPool[Any],
        *,
        schema: str = "iso10002",
        min_size: int | None = None,
        max_size: int | None = None,
        timeout: float = 30.0,
        integrity_key: bytes | None = None,
        create: bool = True,
    ) -> None:
        self._schema = check_schema_name(schema)
        self._hasher = Hasher(key=integrity_key)
        if not isinstance(create, bool):
            raise ValidationError("create", f"must be True or False, got {create!r}")
        if (
            not isinstance(timeout, (int, float))
            or isinstance(timeout, bool)
            or not 0 < timeout < float("inf")
        ):
            raise ValidationError("timeout", f"must be a number of seconds > 0, got {timeout!r}")
        self._timeout = float(timeout)
        self._sql = statements(self._schema)
        self._written: dict[UUID, Known] = {}  # see _sql/written.py
        self._records_sql, self._tables_sql = (
            RecordStatements.build(
                prefix=f'"{self._schema}".',
                mark="%s",
                instant="%s::timestamptz",
                uuid="%s::uuid",
                lock_denials=True,
            ),
            TableStatements.build(prefix=f'"{self._schema}".', mark="%s"),
        )
        self._outbox = outbox_pg.outbox_sql(self._schema)
        self._outbox_key = outbox_lock_key(self._schema)
        self._pool: ConnectionPool[Any] | None = None
        self._closed_pool: ConnectionPool[Any] | None = None
        self._secret: str | None = None
        self._where = "(not connected)"
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError as e:
            raise StorageError(
                "PostgreSQL store: psycopg 3 and psycopg_pool are needed; "
                'install them with pip install "iso10002[postgres]"'
            ) from e
        if isinstance(conninfo, ConnectionPool):
            if min_size is not None or max_size is not None:
                field = "min_size" if min_size is not None else "max_size"
                raise ValidationError(field, "applies only to a pool that the store opens itself")
            self._owned = self._alone = False
            # A pool may compute its connection string on each connect; then it is not read.
            info = conninfo.conninfo
            self._describe(info if isinstance(info, str) else "", f"pool {conninfo.name}")
            self._pool = conninfo
            with self._use("open the store") as conn:
                self.upgrade_report = _migrate(
                    conn, self._schema, self._where, hasher=self._hasher, create=create
                )
            return
        if not isinstance(conninfo, str):
            raise ValidationError(
                "conninfo",
                "must be a connection string or a psycopg_pool.ConnectionPool, "
                f"got {type(conninfo).__name__}",
            )
        low = 1 if min_size is None else min_size
        high = max(4, low) if max_size is None else max_size
        for field, value, least in (("min_size", low, 0), ("max_size", high, max(1, low))):
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise ValidationError(field, f"must be an integer >= {least}, got {value!r}")
        # Until a connection of its pool says otherwise (:func:`_configure`).
        self._owned = self._alone = True
        self._describe(conninfo)
        # Connect once outside the pool: a refused connection fails here with the server's
        # reason (a pool would only report a timeout), and the schema is migrated.
        kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in self._params:
            kwargs["connect_timeout"] = max(2, round(self._timeout))
        try:
            with psycopg.connect(conninfo, **kwargs) as conn:
                self.upgrade_report = _migrate(
                    conn, self._schema, self._where, hasher=self._hasher, create=create
                )
        except psycopg.Error as e:
            raise self._error("connect", e) from e
        pool: ConnectionPool[Any] = ConnectionPool(
            conninfo,
            min_size=low,
            max_size=high,
            kwargs=kwargs,
            configure=_configure(self),
            timeout=self._timeout,
            name=f"iso10002:{self._schema}",
            open=False,
        )
        pool.open(wait=False)
        self._pool = pool

    # -- plumbing -------------------------------------------------------------------------------

    def _describe(self, conninfo: str, label: str = "") -> None:
        from psycopg.conninfo import conninfo_to_dict

        try:
            params = conninfo_to_dict(conninfo)
        except Exception as e:
            # libpq's message may quote the string, password included: not repeated here.
            raise ValidationError(
                "conninfo", "is not a valid libpq connection string or URI"
            ) from e
        self._params = {k: str(v) for k, v in params.items() if v is not None}
        self._secret = self._params.get("password") or None
        target = _describe(self._params) if self._params or not label else label
        self._where = f"{target} (schema {self._schema})"

    def _error(self, action: str, exc: BaseException) -> StorageError:
        """The library's error for a driver error during ``action``."""
        diag = getattr(exc, "diag", None)
        primary = getattr(diag, "message_primary", None)
        message = _one_line(primary or str(exc) or type(exc).__name__, self._secret)
        return StorageError(f"PostgreSQL store {self._where}: {action}: {message}")

    def _use(self, action: str) -> _Use:
        """A connection for one call; driver errors become StorageError naming ``action``."""
        return _Use(self, action)

    @property
    def schema(self) -> str:
        """The PostgreSQL schema that holds the store's tables."""
        return self._schema

    def _reference_of(self, stream_id: object) -> str:
        """The reference of a complaint, or its id; for messages about unreadable rows."""
        try:
            with self._use("look up a reference") as conn:
                row = conn.execute(self._sql.reference_of, (stream_id,)).fetchone()
        except StorageError:
            return str(stream_id)
        return row[0] if row and isinstance(row[0], str) else str(stream_id)

    def _decode(self, row: Sequence[Any]) -> Event:
        """An event from its row (stream_id first, personal last); call with no connection held."""
        try:
            return event_from_row(row[:8], row[8])
        except DECODE_ERRORS as e:
            raise CorruptRecord(
                complaint=self._reference_of(row[0]),
                seq=row[1] if isinstance(row[1], int) else 0,
                reason=str(e),
            ) from e

    # -- EventStore -----------------------------------------------------------------------------

    def append(
        self, events: Sequence[Event], *, expected_version: int, summary: ComplaintSummary
    ) -> None:
        """
        Append ``events`` and replace the summary in one transaction; see
        :meth:`EventStore.append <iso10002.ports.store.EventStore.append>`.

        The reference and client key are fixed by the complaint's first append.

        Raises:
            ConcurrencyConflict: the stored version is not ``expected_version``.
            DuplicateKeyError: a new complaint reuses a reference or client key.
            ValidationError: the batch is empty, mixes complaints or breaks the sequence.
            StorageError: the database failed; nothing was written.
        """
        self.append_many(
            [Append(events=tuple(events), expected_version=expected_version, summary=summary)]
        )

    def append_many(self, appends: Sequence[Append]) -> None:
        """
        Make every append of ``appends`` in one transaction: all of them or none; see
        :meth:`BatchAppender.append_many <iso10002.ports.store.BatchAppender.append_many>`.

        Their events take consecutive global positions, in the order given. Each event's
        payload is stored sealed, its personal values beside it; an append with ``erase``
        first clears the personal values of its complaint's events so far and deletes its
        outbox records (:attr:`Append.erase <iso10002.ports.store.Append.erase>`).
        PostgreSQL keeps the old row versions, values included, until ``VACUUM`` removes them:
        see the PostgreSQL guide, "Personal data".

        Raises:
            ConcurrencyConflict, DuplicateKeyError, ValidationError, StorageError: as
                :meth:`append`, for the first append that fails; nothing was written.
        """
        import psycopg

        # Check, seal and encode before borrowing a connection: a value that cannot be stored
        # fails here, and no connection is held during JSON encoding.
        written, sql = self._written, self._sql
        prepared = [prepare(sql, a, written.get(a.summary.id)) for a in prepare_appends(appends)]
        outbox = [outbox_pg.entry_row(e, p[0].summary.id) for p in prepared for e in p[0].outbox]
        if not prepared:
            return
        first = appends[0].summary.reference
        action = (
            f"append to complaint {first}"
            if len(prepared) == 1
            else f"append to {len(prepared)} complaints from {first} on"
        )
        with self._use(action) as conn:
            current = prepared[0][0]
            if len(prepared) == 1 and not current.erase:
                try:
                    linked.append_one(
                        conn,
                        prepared[0],
                        sql=sql,
                        hasher=self._hasher,
                        outbox=outbox,
                        outbox_sql=self._outbox,
                        outbox_key=self._outbox_key,
                        tables_sql=self._tables_sql,
                        alone=self._alone,
                    )
                except psycopg.errors.UniqueViolation as e:
                    raise self._taken(conn, current, e) from e
                remember(written, [(current.summary.id, current, prepared[0][2])])
                return
            append_in_one_transaction(self, conn, prepared, outbox)
        remember(written, [(a.summary.id, a, values) for a, _, values, _ in prepared])

    def find_subject(self, match: SubjectMatch) -> list[ComplaintId]:
        """
        The ids of the complaints whose complainant is ``match``; see
        :class:`~iso10002.ports.store.PersonalDataStore`. Reads the customer id and e-mail of
        every complaint's first event that still holds personal data, through a server-side
        cursor, so memory holds one batch: a rare request, not an indexed one.
        """
        if not isinstance(match, SubjectMatch):
            raise ValidationError("match", f"expected a SubjectMatch, got {match!r}")
        found: list[ComplaintId] = []
        with (
            self._use("find a data subject") as conn,
            conn.transaction(),
            conn.cursor(name="iso10002_find_subject") as rows,
        ):
            rows.execute(self._sql.subject_details)
            while batch := rows.fetchmany(_SUBJECT_BATCH):
                found.extend(
                    UUID(str(stream_id))
                    for stream_id, customer_id, email in batch
                    if match.matches(customer_id, email)
                )
        return found

    def _lock_and_read_chain(self, conn: Connection[Any]) -> str | None:
        """Take the append lock, then read the log's last chain value (None if the log is
        empty); one round trip."""
        cursor = conn.execute(self._sql.lock_and_read_chain, prepare=False)
        cursor.nextset()
        found = cursor.fetchone()
        return None if found is None or found[0] is None else str(found[0])

    def _taken(self, conn: Connection[Any], a: Append, e: Exception) -> StorageError:
        """Why ``a`` broke a unique constraint; its transaction has been rolled back."""
        found = taken(conn, self._sql, a, e)
        return (
            self._error(f"append to complaint {a.summary.reference}", e) if found is None else found
        )

    def read(self, complaint_id: ComplaintId, *, after: int = 0) -> list[Event]:
        """
        The complaint's events with ``seq > after``, oldest first.

        Raises:
            CorruptRecord: a stored event cannot be decoded (names the reference and seq).
        """
        with self._use("read a complaint's events") as conn:
            rows = conn.execute(self._sql.read, (complaint_id, after)).fetchall()
        return [self._decode(row) for row in rows]

    def version(self, complaint_id: ComplaintId) -> int:
        """The complaint's last sequence number, 0 if it does not exist."""
        with self._use("read a complaint's version") as conn:
            row = conn.execute(self._sql.version, (complaint_id,)).fetchone()
        return 0 if row is None else int(row[0])

    def id_for_reference(self, reference: str) -> ComplaintId | None:
        """The id of the complaint with this reference, if any."""
        with self._use("look up a reference") as conn:
            row = conn.execute(self._sql.id_for_reference, (reference,)).fetchone()
        return None if row is None else UUID(str(row[0]))

    def id_for_client_key(self, client_key: str) -> ComplaintId | None:
        """The id of the complaint received with this client key, if any."""
        with self._use("look up a client key") as conn:
            row = conn.execute(self._sql.id_for_client_key, (client_key,)).fetchone()
        return None if row is None else UUID(str(row[0]))

    def stored_client_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are stored, in one statement; see
        :class:`~iso10002.ports.store.ClientKeyStore`."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return set()
        with self._use("look up client keys") as conn:
            rows = conn.execute(self._sql.stored_client_keys, (wanted,)).fetchall()
        return {str(key) for (key,) in rows}

    def summary(self, complaint_id: ComplaintId) -> ComplaintSummary | None:
        """
        The complaint's summary row, if it exists; its instants are in UTC.

        Raises:
            CorruptRecord: the row cannot be read back.
        """
        with self._use("read a summary") as conn:
            row = conn.execute(self._sql.summary, (complaint_id,)).fetchone()
        return None if row is None else summary_from_row(row)

    def query(self, query: ComplaintQuery) -> Page:
        """The summaries matching ``query``, newest received first, one page."""
        clause, params = where(query)
        sql = self._sql.page(clause, ORDERS[query.order])
        with self._use("query complaints") as conn:
            rows = conn.execute(sql, (*params, *params, query.limit, query.offset)).fetchall()
        total = int(rows[0][0]) if rows else 0
        items = tuple(summary_from_row(row[1:]) for row in rows if row[1] is not None)
        return Page(items=items, total=total, limit=query.limit, offset=query.offset)

    def iter_events(self, *, after_position: int = 0) -> Iterator[tuple[int, Event]]:
        """
        Every event committed before the iteration started, in position order, with positions.

        Positions become visible in increasing order (see the class docstring), so a reader
        that stops at position ``p`` and later resumes with ``after_position=p`` misses
        nothing; positions may have gaps (an append that failed used some). Rows are fetched
        in batches; no connection is held while the caller works on an event.

        Raises:
            CorruptRecord: a stored event cannot be decoded.
        """
        with self._use("read the event log") as conn:
            last = int(conn.execute(self._sql.last_position).fetchone()[0])  # type: ignore[index]
        position = after_position
        while position < last:
            with self._use("read the event log") as conn:
                rows = conn.execute(self._sql.read_log, (position, last, _READ_BATCH)).fetchall()
            if not rows:
                return
            for row in rows:
                yield int(row[0]), self._decode(row[1:])
            position = int(rows[-1][0])

    @property
    def hasher(self) -> Hasher:
        """How this store computes the integrity hashes of what it appends."""
        return self._hasher

    def iter_chain(self, *, after_position: int = 0) -> Iterator[ChainRecord]:
        """
        Every event committed before the iteration started, in position order, with its stored
        hashes; see :class:`~iso10002.ports.store.ChainedStore`. Read in batches, as
        :meth:`iter_events`; a row that cannot be decoded comes with ``event=None`` and the
        reason, so that a verifier can name it.
        """
        with self._use("read the event chain") as conn:
            last = int(conn.execute(self._sql.last_position).fetchone()[0])  # type: ignore[index]
        position = after_position
        while position < last:
            with self._use("read the event chain") as conn:
                rows = conn.execute(self._sql.read_chain, (position, last, _READ_BATCH)).fetchall()
            if not rows:
                return
            for row in rows:
                # jsonb comes back parsed: the payload is read as it is.
                yield chain_record(row, event_from_row, lambda payload: payload)
            position = int(rows[-1][0])

    def iter_fact_rows(
        self, *, received_before: _dt.datetime, closed_since: _dt.datetime
    ) -> Iterator[FactRow]:
        """
        The monitoring rows of the complaints a report needs, computed in SQL; see
        :class:`~iso10002.ports.kpi.KpiSource`.

        Rows are read in batches by id, so a report holds no transaction open; complaints
        written meanwhile may or may not be seen.
        """
        params = (utc(received_before, "received_before"), utc(closed_since, "closed_since"))
        after: object = _NO_ID
        while True:
            with self._use("read the monitoring facts") as conn:
                rows = conn.execute(self._sql.fact_rows, (*params, after, _FACT_BATCH)).fetchall()
            for row in rows:
                yield tuple(row[1:])
            if len(rows) < _FACT_BATCH:
                return
            after = rows[-1][0]

    def iter_survey_answers(
        self, *, start: _dt.datetime, end: _dt.datetime
    ) -> Iterator[Event | SurveyAnswered]:
        """The survey answers recorded in ``[start, end)``; see :class:`KpiSource`."""
        return SummaryKpiSource(self).iter_survey_answers(start=start, end=end)

    def scan_cohort(self, cohort: CohortScan, *, detail: bool) -> bool:
        """A report's cohort from the rollups, or ``False``; see :mod:`.postgres.kpis`."""
        return kpis.scan_cohort(self, cohort, detail=detail)

    def rollup_differences(self) -> list[tuple[str, str]]:
        """The daily rollups that differ from the rows; see :class:`RollupStore`."""
        return kpis.rollup_differences(self)

    def select(
        self, sql: str, params: Sequence[object] | Mapping[str, object] = ()
    ) -> list[tuple[Any, ...]]:
        """
        The rows of one read-only ``SELECT`` over the store's tables, for reporting.

        The statement is PostgreSQL's SQL with psycopg's placeholders (``%s``, or
        ``%(name)s`` with a mapping; a literal ``%`` is written ``%%`` when parameters are
        given). It runs in a ``READ ONLY`` transaction whose ``search_path`` is the store's
        schema, so the tables are named without it: ``SELECT count(*) FROM complaints``. The
        tables are described in the PostgreSQL guide; they may gain columns in later
        releases, never lose them.

        Raises:
            ValidationError: ``sql`` is not a single ``SELECT`` (or ``WITH ... SELECT``).
            StorageError: the database refused it, e.g. a write in a ``WITH`` clause.
        """
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            raise ValidationError("sql", "only a SELECT statement may be run")
        with self._use("run a reporting query") as conn, conn.transaction():
            conn.execute("SET TRANSACTION READ ONLY")
            conn.execute(f"SET LOCAL search_path TO {self._sql.schema}")
            # A prepared statement holds exactly one statement: "SELECT 1; COMMIT; ..." fails.
            cursor = conn.execute(sql, params or None, prepare=True)
            return [tuple(row) for row in cursor.fetchall()]

    def next_number(self, scope: str) -> int:
        """Allocate the next number (1, 2, …) in ``scope``; unique across all connections."""
        with self._use(f"allocate a number in {scope!r}") as conn, conn.transaction():
            row = conn.execute(self._sql.bump_counter, (scope,)).fetchone()
        return int(row[0])  # type: ignore[index]

    def last_number(self, scope: str) -> int:
        """The last number allocated or claimed in ``scope``, 0 if none (NumberClaimStore)."""
        with self._use(f"read the counter {scope!r}") as conn:
            row = conn.execute(self._sql.numbers.last, (scope,)).fetchone()
        return 0 if row is None else int(row[0])

    # -- access denials (see iso10002.ports.store.DenialStore) ---------------------------------

    @contextlib.contextmanager
    def _records(self, action: str, *, write: bool) -> Iterator[Connection[Any]]:
        with self._use(action) as conn, conn.transaction() if write else contextlib.nullcontext():
            yield conn

    def _records_store(self) -> str:
        return f"PostgreSQL store {self._where}"

    def _records_instant(self, value: object, column: str) -> _dt.datetime:
        return read_instant(value, column)

    # -- outbox (see iso10002.ports.store.OutboxStore) ----------------------------------------

    @contextlib.contextmanager
    def _bookkeeping(self, action: str) -> Iterator[Connection[Any]]:
        """
        A connection and one transaction committed without waiting for the disk
        (``synchronous_commit = off``), for the outbox's claims and outcomes. A crash of the
        server may lose the last of them, never the database's consistency: a lost claim is
        claimed again, a lost outcome means the notification is sent again, which
        at-least-once delivery allows. Enqueueing stays as durable as the events it comes
        with.
        """
        with self._use(action) as conn, conn.transaction():
            conn.execute("SET LOCAL synchronous_commit TO off")
            yield conn

    def outbox_enqueue(self, entries: Sequence[OutboxEntry]) -> int:
        """
        Enqueue ``entries`` that no event caused, in one transaction; returns how many were
        new. See :meth:`OutboxStore.outbox_enqueue
        <iso10002.ports.store.OutboxStore.outbox_enqueue>`.
        """
        rows = [outbox_pg.entry_row(e, None) for e in entries]
        if not rows:
            return 0
        with self._use("enqueue notifications") as conn, conn.transaction():
            conn.execute(self._sql.append_lock, (self._outbox_key,))
            with sealing(conn, self._tables_sql, self._hasher, "outbox"):
                return self._outbox.insert_rows(conn, rows)

    def outbox_claim(
        self,
        *,
        worker: str,
        now: _dt.datetime,
        lease: _dt.timedelta,
        limit: int,
        channels: Collection[str],
        digest: bool | None = None,
    ) -> list[OutboxRecord]:
        """
        Claim due records with ``SELECT ... FOR UPDATE SKIP LOCKED``, so that dispatchers on
        any number of connections and machines take disjoint records without waiting for each
        other; see :meth:`OutboxStore.outbox_claim
        <iso10002.ports.store.OutboxStore.outbox_claim>`.
        """
        with self._bookkeeping("claim notifications") as conn:
            rows = self._outbox.claim(
                conn,
                worker=worker,
                now=now,
                lease=lease,
                limit=limit,
                channels=channels,
                digest=digest,
            )
        return [] if rows is None else [outbox_pg.record(row) for row in rows]

    def outbox_delivered(self, record_id: int, *, now: _dt.datetime) -> bool:
        """Record a delivery; see :meth:`OutboxStore.outbox_delivered`."""
        with self._bookkeeping(f"record the delivery of outbox record {record_id}") as conn:
            return self._outbox.mark_delivered(conn, record_id, now)

    def outbox_failed(
        self,
        record_id: int,
        *,
        attempt: int,
        error: str,
        retry_at: _dt.datetime | None,
    ) -> bool:
        """Record a failed attempt; see :meth:`OutboxStore.outbox_failed`."""
        with self._bookkeeping(f"record a failure of outbox record {record_id}") as conn:
            return self._outbox.mark_failed(conn, record_id, attempt, error, retry_at)

    def outbox_merge(
        self, records: Sequence[OutboxRecord], digest: OutboxEntry
    ) -> OutboxRecord | None:
        """Merge claimed records into a digest; see :meth:`OutboxStore.outbox_merge`."""
        row = outbox_pg.entry_row(digest, None)
        try:
            with self._bookkeeping("merge notifications into a digest") as conn:
                conn.execute(self._sql.append_lock, (self._outbox_key,))
                with sealing(conn, self._tables_sql, self._hasher, "outbox"):
                    made = self._outbox.merge(conn, records, row)
        except outbox_pg.MergeLost:
            return None
        return None if made is None else outbox_pg.record(made)

    def outbox_records(self, query: OutboxQuery) -> list[OutboxRecord]:
        """The records matching ``query``, by id, one page."""
        with self._use("list outbox records") as conn:
            rows = self._outbox.query(conn, query)
        return [outbox_pg.record(row) for row in rows]

    def outbox_record(self, key: int | str) -> OutboxRecord | None:
        """The record with this id (int) or idempotency key (str), if any."""
        with self._use("read an outbox record") as conn:
            row = self._outbox.get(conn, key)
        return None if row is None else outbox_pg.record(row)

    def outbox_retry(self, record_ids: Sequence[int], *, now: _dt.datetime) -> int:
        """Revive dead records; see :meth:`OutboxStore.outbox_retry`."""
        if not record_ids:
            return 0
        with self._use("retry dead notifications") as conn, conn.transaction():
            return self._outbox.revive(conn, record_ids, now)

    def outbox_counts(self) -> dict[OutboxState, int]:
        """How many records are in each state."""
        with self._use("count outbox records") as conn:
            return self._outbox.count(conn)

    def outbox_purge(self, *, delivered_before: _dt.datetime) -> int:
        """Delete the records delivered before the instant; returns how many."""
        with self._use("purge delivered notifications") as conn, conn.transaction():
            conn.execute(self._sql.append_lock, (self._outbox_key,))
            gone = self._outbox.delete_delivered(conn, delivered_before)
            reseal_successors(conn, self._tables_sql, self._hasher, "outbox", gone)
            return len(gone)

    def close(self) -> None:
        """
        Close the store's own pool (a pool of the application's stays open); later calls
        raise StoreClosedError. Closing twice is fine.
        """
        pool, self._pool = self._pool, None
        if pool is None:
            return
        self._closed_pool = pool
        if self._owned:
            pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._pool is None else "open"
        return f"PostgresEventStore({self._where}, {state})"
