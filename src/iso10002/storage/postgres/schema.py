"""
The PostgreSQL store's schema: its migrations, and the locks that guard migrating and appending.

Every table lives in one PostgreSQL schema (``iso10002`` unless configured), so that the store
can share a database with the application. Statements are written with ``{s}`` for the quoted
schema name.
"""

from __future__ import annotations

import hashlib
import re

import attrs

from iso10002.errors import ValidationError
from iso10002.storage.postgres import outbox as outbox_pg

__all__ = [
    "CHAIN_VERSION",
    "FACT_KINDS",
    "MIGRATIONS",
    "SEAL_VERSION",
    "PgMigration",
    "append_lock_key",
    "check_schema_name",
    "created_fact_columns",
    "migration_lock_key",
    "outbox_lock_key",
]

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def check_schema_name(name: object) -> str:
    """
    ``name`` if it is a plain PostgreSQL identifier: lower case letters, digits and
    underscores, at most 63 characters, not starting with a digit or ``pg_``.

    Raises:
        ValidationError: it is not.
    """
    if (
        not isinstance(name, str)
        or not _SCHEMA_NAME.fullmatch(name)
        or name.startswith("pg_")
        or name == "information_schema"
    ):
        raise ValidationError(
            "schema",
            "must be a lower-case identifier of letters, digits and underscores (at most 63, "
            f"not starting with a digit or pg_), got {name!r}",
        )
    return name


def _key(schema: str, purpose: str) -> int:
    """A signed 64-bit advisory lock key, the same in every process for the same schema."""
    digest = hashlib.blake2b(f"iso10002:{schema}:{purpose}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def migration_lock_key(schema: str) -> int:
    """The advisory lock held while the schema is migrated."""
    return _key(schema, "migrate")


def append_lock_key(schema: str) -> int:
    """
    The advisory lock held from the moment an append takes its global positions until it
    commits; see ``docs/postgres.md``, "Concurrency".
    """
    return _key(schema, "append")


def outbox_lock_key(schema: str) -> int:
    """
    The advisory lock held from the moment a transaction inserts into the outbox until it
    commits, so that record ids, which order each lane, grow in commit order.
    """
    return _key(schema, "outbox")


CHAIN_VERSION = 3
"""The migration that adds the integrity chains; the store links the stored events after it."""

SEAL_VERSION = 5
"""
The migration that keeps personal values apart; the store checks the stored events against
their hashes, then seals and relinks them, after it.
"""


@attrs.frozen(kw_only=True)
class PgMigration:
    """One step of the PostgreSQL schema's history: the statements that take it to ``version``."""

    version: int
    description: str
    statements: tuple[str, ...]


FACT_KINDS: dict[str, str] = {
    "timed": "flag",
    "withdrawn": "flag",
    "first_contact": "flag",
    "first_response_at": "instant",
}
"""How a facts column differs from the shared codec: flags are booleans, instants timestamptz."""

# The facts columns as migration 1 creates them. Frozen: a fact added later needs a migration
# of its own (ALTER TABLE ... ADD COLUMN), so this list must not follow FACT_COLUMNS.
_FACTS_V1 = (
    ("product", "text"),
    ("source", "text"),
    ("timed", "boolean NOT NULL DEFAULT true"),
    ("first_response_at", "timestamptz"),
    ("acknowledge_us", "bigint"),
    ("first_response_us", "bigint"),
    ("outcome", "text"),
    ("closure_reason", "text"),
    ("withdrawn", "boolean NOT NULL DEFAULT false"),
    # The next three keep the shared codec's text (kinds separated by spaces, "CUR:amount"
    # pairs, compact JSON), so that reports read exactly the rows that SQLite gives.
    ("remedies", "text"),
    ("redress", "text"),
    ("reopen_count", "integer NOT NULL DEFAULT 0"),
    ("internal_reviews", "integer NOT NULL DEFAULT 0"),
    ("referrals", "integer NOT NULL DEFAULT 0"),
    ("first_contact", "boolean NOT NULL DEFAULT false"),
    ("satisfaction_score", "integer"),
    ("satisfaction_scale", "integer"),
    ("root_cause", "text"),
    ("root_cause_category", "text"),
    ("sla", "text"),
)

MIGRATIONS: tuple[PgMigration, ...] = (
    PgMigration(
        version=1,
        description="events, the complaints projection with facts and query indexes, counters",
        statements=(
            # A position is given out under the append lock and the lock is held until
            # COMMIT, so positions become visible in increasing order. CACHE 1 (the default,
            # spelled out): a per-session cache would hand out positions out of order.
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
            # COLLATE "C": references sort by code point, as on SQLite and in Python, whatever
            # the database's locale. fillfactor leaves room on each page so that an append
            # that changes no indexed column updates the row in place (a HOT update).
            f"""
            CREATE TABLE {{s}}.complaints (
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
                updated_at timestamptz NOT NULL,
                sla_due_at timestamptz,
                sla_warning_at timestamptz,
                sla_alert_at timestamptz,
                {", ".join(f"{name} {sql_type}" for name, sql_type in _FACTS_V1)}
            ) WITH (fillfactor = 80)
            """,
            # Each criterion leads an index that continues with the result order, so a page is
            # read off the index (backwards for newest first) without sorting. Partial where
            # the column is mostly empty; "column = $1" implies NOT NULL, so they are used.
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
            """
            CREATE INDEX complaints_by_channel ON {s}.complaints
                (channel, received_at, reference)
            """,
            """
            CREATE INDEX complaints_by_sla_due ON {s}.complaints (sla_due_at, reference)
                WHERE sla_due_at IS NOT NULL
            """,
            """
            CREATE INDEX complaints_by_sla_warning ON {s}.complaints (sla_warning_at)
                WHERE sla_warning_at IS NOT NULL
            """,
            """
            CREATE INDEX complaints_by_sla_alert ON {s}.complaints (sla_alert_at)
                WHERE sla_alert_at IS NOT NULL
            """,
            """
            CREATE TABLE {s}.counters (
                scope text COLLATE "C" NOT NULL PRIMARY KEY,
                value bigint NOT NULL CHECK (value >= 1)
            )
            """,
        ),
    ),
    PgMigration(
        version=2,
        description="the outbox: notifications written with the events that caused them",
        statements=outbox_pg.STATEMENTS,
    ),
    PgMigration(
        version=CHAIN_VERSION,
        description="integrity: each event's hash in its complaint's chain and in the log's chain",
        # Nullable: a row that the store did not write has no hashes, and verify() names it.
        # The stored events are linked by the migration itself, with the opening store's key
        # (see the store's _migrate): hashes need the events decoded, which SQL cannot do.
        statements=("ALTER TABLE {s}.events ADD COLUMN hash text, ADD COLUMN chain text",),
    ),
    PgMigration(
        version=4,
        description="access control: every denied command and query (4.10, 4.12)",
        statements=(
            # Ids, roles, actions, references and reasons only: never personal data. Not
            # IF NOT EXISTS: a table of the same name that iso10002 did not create fails the
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
        ),
    ),
    PgMigration(
        version=SEAL_VERSION,
        description="personal data: kept beside each sealed event, so that it can be erased",
        # jsonb, as the payload: the server refuses what is not JSON, and finding a data
        # subject reads two values of the first events in SQL. The values are text, which jsonb
        # keeps as written, so their commitments recompute. The stored events are checked,
        # sealed and relinked by the migration itself, with the opening store's key (see the
        # store's _migrate). IF NOT EXISTS: a schema taken back to version 4 by hand may keep
        # the column, and its sealed events are kept as they are.
        statements=("ALTER TABLE {s}.events ADD COLUMN IF NOT EXISTS personal jsonb",),
    ),
)
"""The schema's history, oldest first; ``schema_migrations`` records the versions applied."""


def created_fact_columns() -> tuple[str, ...]:
    """The facts columns that :data:`MIGRATIONS` create, in order (a test compares them)."""
    return tuple(name for name, _ in _FACTS_V1)
