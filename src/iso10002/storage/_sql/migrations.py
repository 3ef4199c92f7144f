"""
The schema's history, one list for both SQL stores: :data:`MIGRATIONS`.

Each :class:`~iso10002.storage._sql.upgrade.Migration` adds one feature, with the same version
number on SQLite (``PRAGMA user_version``) and PostgreSQL (``schema_migrations``): its DDL on
each database, side by side, and the data step that fills it from the stored events, written
once (:mod:`iso10002.storage._sql.rewrite`). :data:`RENUMBERED` maps the numbers each backend
used on its own in release 0.1 onto this list; the PostgreSQL store records an old schema again
on the shared numbers when it opens it.

PostgreSQL statements write ``{s}`` for the quoted schema name.
"""

from __future__ import annotations

from collections.abc import Mapping

from iso10002.storage._sql.linking import POSTGRES_LINK_BYTES, POSTGRES_LINKING
from iso10002.storage._sql.rewrite import (
    add_organisation_column,
    add_seal_columns,
    backfill_facts,
    link_chains,
    note_policies_found,
    seal_personal,
)
from iso10002.storage._sql.rollups import (
    POSTGRES_ROLLUPS,
    POSTGRES_TRIGGERS,
    SQLITE_DEFERRABLE,
    SQLITE_ROLLUPS,
    SQLITE_TRIGGERS,
)
from iso10002.storage._sql.upgrade import Migration

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "POSTGRES_0_1_FIRST",
    "RENUMBERED",
    "created_fact_columns",
]

APPLICATION_ID = 0x49534F43
"""``PRAGMA application_id`` of the library's SQLite databases ("ISOC")."""

# The facts columns as migration 3 creates them: (name, SQLite type, PostgreSQL type). Frozen:
# a fact added later needs a migration of its own (ALTER TABLE ... ADD COLUMN), so this list
# must not follow FACT_COLUMNS. On PostgreSQL flags are booleans and instants timestamptz; the
# remedies, redress and sla columns keep the shared codec's text (kinds separated by spaces,
# "CUR:amount" pairs, compact JSON), so that reports read exactly the rows that SQLite gives.
_FACTS = (
    ("product", "TEXT", "text"),
    ("source", "TEXT", "text"),
    ("timed", "INTEGER NOT NULL DEFAULT 1", "boolean NOT NULL DEFAULT true"),
    ("first_response_at", "TEXT", "timestamptz"),
    ("acknowledge_us", "INTEGER", "bigint"),
    ("first_response_us", "INTEGER", "bigint"),
    ("outcome", "TEXT", "text"),
    ("closure_reason", "TEXT", "text"),
    ("withdrawn", "INTEGER NOT NULL DEFAULT 0", "boolean NOT NULL DEFAULT false"),
    ("remedies", "TEXT", "text"),
    ("redress", "TEXT", "text"),
    ("reopen_count", "INTEGER NOT NULL DEFAULT 0", "integer NOT NULL DEFAULT 0"),
    ("internal_reviews", "INTEGER NOT NULL DEFAULT 0", "integer NOT NULL DEFAULT 0"),
    ("referrals", "INTEGER NOT NULL DEFAULT 0", "integer NOT NULL DEFAULT 0"),
    ("first_contact", "INTEGER NOT NULL DEFAULT 0", "boolean NOT NULL DEFAULT false"),
    ("satisfaction_score", "INTEGER", "integer"),
    ("satisfaction_scale", "INTEGER", "integer"),
    ("root_cause", "TEXT", "text"),
    ("root_cause_category", "TEXT", "text"),
    ("sla", "TEXT", "text"),
)


def created_fact_columns() -> tuple[str, ...]:
    """The facts columns that :data:`MIGRATIONS` create, in order (a test compares them)."""
    return tuple(name for name, _, _ in _FACTS)


# IF NOT EXISTS: a database taken back to an older user_version by hand (a restore, a test)
# still has the table, and migrating it again must not fail.
_SQLITE_OUTBOX: tuple[str, ...] = (
    # id is the row id: the largest so far plus one, given out under the write lock, so it grows
    # in commit order and orders each lane. next_attempt_at is NULL for a record that is not
    # claimable on its own: delivered, dead, or waiting in a digest.
    """
    CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        complaint_id TEXT,
        complaint_reference TEXT,
        lane TEXT NOT NULL,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        notification TEXT NOT NULL,
        created_at TEXT NOT NULL,
        deliver_after TEXT NOT NULL,
        next_attempt_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
        last_error TEXT,
        delivered_at TEXT,
        claimed_by TEXT,
        lease_until TEXT,
        digest INTEGER NOT NULL DEFAULT 0 CHECK (digest IN (0, 1)),
        digest_id INTEGER REFERENCES outbox (id)
    )
    """,
    # Partial on the pending records: a claim reads the due ones in due order, and checks each
    # one's lane for an older pending record, without touching the delivered history.
    """
    CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at, id)
    WHERE state = 'pending' AND next_attempt_at IS NOT NULL
    """,
    # state at the end, although it is always 'pending' here: SQLite then answers the lane
    # check from the index alone.
    "CREATE INDEX IF NOT EXISTS outbox_lanes ON outbox (lane, id, state) WHERE state = 'pending'",
    "CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox (state, id)",
    """
    CREATE INDEX IF NOT EXISTS outbox_by_complaint ON outbox (complaint_reference, id)
    WHERE complaint_reference IS NOT NULL
    """,
    "CREATE INDEX IF NOT EXISTS outbox_by_digest ON outbox (digest_id) WHERE digest_id IS NOT NULL",
)

_POSTGRES_OUTBOX: tuple[str, ...] = (
    # CACHE 1: a per-session cache would hand out ids out of commit order (see
    # iso10002.storage.postgres.outbox).
    # next_attempt_at is NULL for a record that is not claimable on its own: delivered, dead,
    # or waiting in a digest.
    """
    CREATE TABLE {s}.outbox (
        id bigint GENERATED ALWAYS AS IDENTITY (CACHE 1) PRIMARY KEY,
        idempotency_key text COLLATE "C" NOT NULL CONSTRAINT outbox_idempotency_key_key UNIQUE,
        complaint_id uuid,
        complaint_reference text COLLATE "C",
        lane text COLLATE "C" NOT NULL,
        channel text COLLATE "C" NOT NULL,
        kind text COLLATE "C" NOT NULL,
        schema_version integer NOT NULL,
        notification jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        deliver_after timestamptz NOT NULL,
        next_attempt_at timestamptz,
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        state text COLLATE "C" NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
        last_error text,
        delivered_at timestamptz,
        claimed_by text,
        lease_until timestamptz,
        digest boolean NOT NULL DEFAULT false,
        digest_id bigint REFERENCES {s}.outbox (id)
    ) WITH (fillfactor = 80)
    """,
    # Partial on the pending records: a claim reads the due ones in due order and checks each
    # one's lane for an older pending record, without touching the delivered history.
    """
    CREATE INDEX outbox_due ON {s}.outbox (next_attempt_at, id)
        WHERE state = 'pending' AND next_attempt_at IS NOT NULL
    """,
    "CREATE INDEX outbox_lanes ON {s}.outbox (lane, id) WHERE state = 'pending'",
    "CREATE INDEX outbox_by_state ON {s}.outbox (state, id)",
    """
    CREATE INDEX outbox_by_complaint ON {s}.outbox (complaint_reference, id)
        WHERE complaint_reference IS NOT NULL
    """,
    "CREATE INDEX outbox_by_digest ON {s}.outbox (digest_id) WHERE digest_id IS NOT NULL",
)


_SQLITE_EVENTS = (
    f"PRAGMA application_id = {APPLICATION_ID}",
    # position is the row id: the largest so far plus one, given out under the write lock, so
    # positions grow in commit order. Events are never deleted, so a position is never reused
    # and readers may keep one as a checkpoint. (AUTOINCREMENT would add a write to
    # sqlite_sequence to every append and guarantee nothing more here.)
    """
    CREATE TABLE events (
        position INTEGER PRIMARY KEY,
        stream_id TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        type TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        occurred_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        state TEXT NOT NULL,
        payload TEXT NOT NULL,
        UNIQUE (stream_id, seq)
    )
    """,
    """
    CREATE TABLE complaints (
        id TEXT PRIMARY KEY NOT NULL,
        reference TEXT NOT NULL UNIQUE,
        client_key TEXT,
        version INTEGER NOT NULL CHECK (version >= 1),
        state TEXT NOT NULL,
        is_open INTEGER NOT NULL CHECK (is_open IN (0, 1)),
        channel TEXT NOT NULL,
        priority TEXT,
        category TEXT,
        assignee TEXT,
        received_at TEXT NOT NULL,
        acknowledged_at TEXT,
        closed_at TEXT,
        updated_at TEXT NOT NULL
    )
    """,
    # Partial where the column is mostly empty: a complaint without a client key, priority or
    # assignee costs no index write. "column = ?" implies NOT NULL, so lookups and queries
    # still use these indexes.
    """
    CREATE UNIQUE INDEX complaints_by_client_key ON complaints (client_key)
    WHERE client_key IS NOT NULL
    """,
    # Each criterion leads an index that continues with the result order, so a filtered page
    # is read straight off the index, newest first, without sorting.
    "CREATE INDEX complaints_by_received ON complaints (received_at, reference)",
    "CREATE INDEX complaints_by_state ON complaints (state, received_at, reference)",
    "CREATE INDEX complaints_by_open ON complaints (is_open, received_at, reference)",
    """
    CREATE INDEX complaints_by_assignee ON complaints (assignee, received_at, reference)
    WHERE assignee IS NOT NULL
    """,
    """
    CREATE INDEX complaints_by_priority ON complaints (priority, received_at, reference)
    WHERE priority IS NOT NULL
    """,
    "CREATE INDEX complaints_by_channel ON complaints (channel, received_at, reference)",
    """
    CREATE TABLE counters (
        scope TEXT PRIMARY KEY NOT NULL,
        value INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
)

_POSTGRES_EVENTS = (
    # A position is given out under the append lock and the lock is held until COMMIT, so
    # positions become visible in increasing order. CACHE 1 (the default, spelled out): a
    # per-session cache would hand out positions out of order.
    """
    CREATE TABLE {s}.events (
        position bigint GENERATED ALWAYS AS IDENTITY (CACHE 1) PRIMARY KEY,
        stream_id uuid NOT NULL,
        seq integer NOT NULL CHECK (seq >= 1),
        type text NOT NULL,
        schema_version integer NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor jsonb NOT NULL,
        state text NOT NULL,
        payload jsonb NOT NULL,
        CONSTRAINT events_stream_seq_key UNIQUE (stream_id, seq)
    )
    """,
    # COLLATE "C": references sort by code point, as on SQLite and in Python, whatever the
    # database's locale. fillfactor leaves room on each page so that an append that changes no
    # indexed column updates the row in place (a HOT update).
    """
    CREATE TABLE {s}.complaints (
        id uuid NOT NULL CONSTRAINT complaints_pkey PRIMARY KEY,
        reference text COLLATE "C" NOT NULL CONSTRAINT complaints_reference_key UNIQUE,
        client_key text COLLATE "C" CONSTRAINT complaints_client_key_key UNIQUE,
        version integer NOT NULL CHECK (version >= 1),
        state text COLLATE "C" NOT NULL,
        is_open boolean NOT NULL,
        channel text COLLATE "C" NOT NULL,
        priority text COLLATE "C",
        category text COLLATE "C",
        assignee text COLLATE "C",
        received_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        closed_at timestamptz,
        updated_at timestamptz NOT NULL
    ) WITH (fillfactor = 80)
    """,
    # Each criterion leads an index that continues with the result order, so a page is read off
    # the index (backwards for newest first) without sorting. Partial where the column is
    # mostly empty; "column = $1" implies NOT NULL, so they are used.
    "CREATE INDEX complaints_by_received ON {s}.complaints (received_at, reference)",
    "CREATE INDEX complaints_by_state ON {s}.complaints (state, received_at, reference)",
    "CREATE INDEX complaints_by_open ON {s}.complaints (is_open, received_at, reference)",
    """
    CREATE INDEX complaints_by_assignee ON {s}.complaints
        (assignee, received_at, reference) WHERE assignee IS NOT NULL
    """,
    """
    CREATE INDEX complaints_by_priority ON {s}.complaints
        (priority, received_at, reference) WHERE priority IS NOT NULL
    """,
    "CREATE INDEX complaints_by_channel ON {s}.complaints (channel, received_at, reference)",
    """
    CREATE TABLE {s}.counters (
        scope text COLLATE "C" NOT NULL PRIMARY KEY,
        value bigint NOT NULL CHECK (value >= 1)
    )
    """,
)

# Partial: closed complaints and those without a policy have no instants, so the breach queue
# and the tick read only the rows that can be due.
_DEADLINE_INDEXES = (
    """
    CREATE INDEX complaints_by_sla_due ON {t} (sla_due_at, reference)
    WHERE sla_due_at IS NOT NULL
    """,
    """
    CREATE INDEX complaints_by_sla_warning ON {t} (sla_warning_at)
    WHERE sla_warning_at IS NOT NULL
    """,
    """
    CREATE INDEX complaints_by_sla_alert ON {t} (sla_alert_at)
    WHERE sla_alert_at IS NOT NULL
    """,
)
_DEADLINES = ("sla_due_at", "sla_warning_at", "sla_alert_at")

# Ids, roles, actions, references and reasons only: never personal data.
_SQLITE_DENIALS = (
    # IF NOT EXISTS: a database taken back to an older version by hand keeps the table.
    """
    CREATE TABLE IF NOT EXISTS access_denials (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_id TEXT,
        role TEXT,
        action TEXT NOT NULL,
        complaint_id TEXT,
        reference TEXT,
        reason TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS access_denials_by_at ON access_denials (at, id)",
)
_POSTGRES_DENIALS = (
    # Not IF NOT EXISTS: a table of the same name that iso10002 did not create fails the
    # migration, which leaves the schema as it was, rather than being written into.
    """
    CREATE TABLE {s}.access_denials (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        actor_id text,
        role text,
        action text NOT NULL,
        complaint_id uuid,
        reference text,
        reason text NOT NULL
    )
    """,
    "CREATE INDEX access_denials_by_at ON {s}.access_denials (at, id)",
)

# The exact content of each configuration that governed a complaint, once, under its hash:
# text, not jsonb, on PostgreSQL, so that the stored bytes are the hashed bytes. id keeps the
# order in which contents were first recorded.
_SQLITE_CONFIGURATIONS = (
    """
    CREATE TABLE IF NOT EXISTS configurations (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        content TEXT NOT NULL
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS configurations_by_name
    ON configurations (kind, name, version, id)
    """,
)
_POSTGRES_CONFIGURATIONS = (
    """
    CREATE TABLE {s}.configurations (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        fingerprint text COLLATE "C" NOT NULL CONSTRAINT configurations_fingerprint_key UNIQUE,
        kind text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        version text COLLATE "C" NOT NULL,
        content text NOT NULL
    )
    """,
    "CREATE INDEX configurations_by_name ON {s}.configurations (kind, name, version, id)",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        description="events, the complaints projection with its query indexes, counters",
        sqlite=_SQLITE_EVENTS,
        postgres=_POSTGRES_EVENTS,
    ),
    Migration(
        version=2,
        description="timeliness: each complaint's next deadline, warning and alert, indexed",
        sqlite=(
            *(f"ALTER TABLE complaints ADD COLUMN {c} TEXT" for c in _DEADLINES),
            *(i.format(t="complaints") for i in _DEADLINE_INDEXES),
        ),
        postgres=(
            "ALTER TABLE {s}.complaints "
            + ", ".join(f"ADD COLUMN {c} timestamptz" for c in _DEADLINES),
            *(i.format(t="{s}.complaints") for i in _DEADLINE_INDEXES),
        ),
    ),
    Migration(
        version=3,
        description="monitoring: each complaint's facts (outcome, first response, redress, ...)",
        sqlite=tuple(f"ALTER TABLE complaints ADD COLUMN {n} {t}" for n, t, _ in _FACTS),
        postgres=(
            "ALTER TABLE {s}.complaints " + ", ".join(f"ADD COLUMN {n} {t}" for n, _, t in _FACTS),
        ),
        data=backfill_facts,
    ),
    Migration(
        version=4,
        description="the outbox: notifications written with the events that caused them",
        sqlite=_SQLITE_OUTBOX,
        postgres=_POSTGRES_OUTBOX,
    ),
    Migration(
        version=5,
        description="integrity: each event's hash in its complaint's chain and in the log's chain",
        # Nullable: a row that the store did not write has no hashes, and verify() names it.
        # The columns are added where missing and the stored events linked by the data step,
        # with the opening store's key: hashes need the events decoded, which SQL cannot do.
        data=link_chains,
    ),
    Migration(
        version=6,
        description="access control: every denied command and query (4.10, 4.12)",
        sqlite=_SQLITE_DENIALS,
        postgres=_POSTGRES_DENIALS,
    ),
    Migration(
        version=7,
        description="personal data: kept beside each sealed event, so that it can be erased",
        # The column (jsonb on PostgreSQL: the server refuses what is not JSON, and finding a
        # data subject reads two values of the first events in SQL) is added where missing, and
        # the stored events are checked, sealed and relinked by the data step.
        data=seal_personal,
    ),
    Migration(
        version=8,
        description="configurations: what governed each complaint, kept once under its hash",
        sqlite=_SQLITE_CONFIGURATIONS,
        postgres=_POSTGRES_CONFIGURATIONS,
        # Nothing to fill: the policies of stored histories are recorded as the desk finds them
        # (the data step says how many complaints wait for that).
        data=note_policies_found,
    ),
    Migration(
        version=9,
        description="sealed tables: outbox records and access denials sealed like the events",
        # Each outbox record and access denial sealed like the events (the id of the row
        # before it and the columns no later write changes), and a denial's actor id committed
        # to, so that erasure can clear it. Nullable, and added where missing by the data step:
        # rows written before have no seal, and verify() counts them apart.
        data=add_seal_columns,
    ),
    Migration(
        version=10,
        description="tenants: the organisation each complaint belongs to, indexed",
        # The column and its index are added where missing by the data step (a database
        # taken back to an older version by hand keeps them); events recorded before name no
        # organisation, so their complaints belong to none (NULL), as their histories say.
        data=add_organisation_column,
    ),
    Migration(
        version=11,
        description="reports: the complaints counted per day and value, kept by triggers",
        # Both stores' reports read these for a period that begins at UTC midnight, and deep
        # verify counts them again from the rows.
        sqlite=SQLITE_ROLLUPS,
        postgres=POSTGRES_ROLLUPS,
    ),
    Migration(
        version=12,
        description="appends in one round trip: the server links the events of unkeyed stores",
        # PostgreSQL only: functions that compute both chains' links with the bytes of the
        # unkeyed Hasher, and refuse a failed version check or number claim with an error.
        postgres=POSTGRES_LINKING,
    ),
    Migration(
        version=13,
        description="reports: the rollups' triggers on SQLite write only the rows a change moves",
        # SQLite only: the same counts as migration 11's triggers, in one statement per
        # trigger; nothing to count again. PostgreSQL keeps migration 11's trigger function.
        sqlite=SQLITE_TRIGGERS,
    ),
    Migration(
        version=14,
        description="imports: a bulk load on SQLite counts its complaints' rollups once a batch",
        # SQLite only: a one-row marker table, and the insert triggers skipped while a bulk
        # load's transaction holds a row in it (it counts its rows itself, by the same rules).
        sqlite=SQLITE_DEFERRABLE,
    ),
    Migration(
        version=15,
        description="reports: the rollups' trigger on PostgreSQL counts again only what moves",
        # PostgreSQL only: migration 11's trigger function, an update counting again only the
        # sides of a complaint it can move, as SQLite's triggers of migration 13 do.
        postgres=POSTGRES_TRIGGERS,
    ),
    Migration(
        version=16,
        description="appends: the server's reading of a stored link keeps its plan",
        # PostgreSQL only: link_bytes of migration 12 in PL/pgSQL, the same expression.
        postgres=POSTGRES_LINK_BYTES,
    ),
)
"""The schema's history, oldest first, on both SQL stores."""

RENUMBERED: Mapping[str, Mapping[int, int]] = {
    # SQLite numbered each feature on its own from the start: its numbers are the shared ones.
    "sqlite": {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7},
    # PostgreSQL's first migration created what 1, 2 and 3 create here.
    "postgres": {1: 3, 2: 4, 3: 5, 4: 6, 5: 7},
}
"""Release 0.1's schema version of each backend, and the same schema's version on this list."""

POSTGRES_0_1_FIRST = "events, the complaints projection with facts and query indexes, counters"
"""How release 0.1's PostgreSQL store described its migration 1: the mark of its numbering."""
