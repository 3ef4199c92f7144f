"""
The PostgreSQL store's schema: its name, and the locks that guard migrating and appending.

Every table lives in one PostgreSQL schema (``iso10002`` unless configured), so that the store
can share a database with the application. The migrations are those of both SQL stores
(:data:`MIGRATIONS`, from :mod:`iso10002.storage._sql.migrations`), where statements for
PostgreSQL are written with ``{s}`` for the quoted schema name.
"""

from __future__ import annotations

import hashlib
import re

from iso10002.errors import ValidationError
from iso10002.storage._sql.migrations import MIGRATIONS, created_fact_columns
from iso10002.storage._sql.upgrade import Migration

__all__ = [
    "FACT_KINDS",
    "MIGRATIONS",
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


FACT_KINDS: dict[str, str] = {
    "timed": "flag",
    "withdrawn": "flag",
    "first_contact": "flag",
    "first_response_at": "instant",
}
"""How a facts column differs from the shared codec: flags are booleans, instants timestamptz."""

PgMigration = Migration
"""The name release 0.1 gave a PostgreSQL migration; the migrations of both stores are one list."""
