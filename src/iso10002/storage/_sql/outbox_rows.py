"""
An outbox record from a database row: one decoder for the SQL stores, which differ only in
how a driver hands back an instant.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from iso10002.errors import SerializationError, StorageError
from iso10002.model.notification import Notification
from iso10002.model.outbox import OUTBOX_SCHEMA_VERSION, OutboxRecord, OutboxState
from iso10002.serialization import loads, structure

__all__ = ["record_from_row"]

Instant = Callable[[object, str], _dt.datetime]


def record_from_row(row: Sequence[Any], instant: Instant) -> OutboxRecord:
    """
    The record stored in ``row`` (the outbox columns, in the stores' order); ``instant`` reads
    a stored instant, naming its column when it cannot.

    Raises:
        StorageError: the row cannot be read back (names the record and its key).
    """
    (
        id_,
        key,
        complaint_id,
        lane,
        channel,
        schema_version,
        notification,
        created_at,
        deliver_after,
        next_attempt_at,
        attempts,
        state,
        last_error,
        delivered_at,
        claimed_by,
        lease_until,
        digest,
        digest_id,
    ) = row

    def maybe(value: object, column: str) -> _dt.datetime | None:
        return None if value is None else instant(value, column)

    try:
        if schema_version != OUTBOX_SCHEMA_VERSION:
            raise ValueError(
                f"its notification has schema version {schema_version!r}; this release reads "
                f"{OUTBOX_SCHEMA_VERSION}"
            )
        if digest not in (0, 1):  # booleans from PostgreSQL compare equal to 0 and 1
            raise ValueError(f"digest is {digest!r}, not 0 or 1")
        message = (
            loads(notification, Notification)
            if isinstance(notification, (str, bytes))
            else structure(notification, Notification, path="notification")
        )
        return OutboxRecord(
            id=id_,
            notification=message,
            channel=channel,
            lane=lane,
            complaint_id=None if complaint_id is None else UUID(str(complaint_id)),
            created_at=instant(created_at, "created_at"),
            deliver_after=instant(deliver_after, "deliver_after"),
            next_attempt_at=maybe(next_attempt_at, "next_attempt_at"),
            attempts=attempts,
            state=OutboxState(state),
            last_error=last_error,
            delivered_at=maybe(delivered_at, "delivered_at"),
            claimed_by=claimed_by,
            lease_until=maybe(lease_until, "lease_until"),
            digest=bool(digest),
            digest_id=digest_id,
        )
    except (SerializationError, ValueError, TypeError, AttributeError) as e:
        raise StorageError(f"outbox record {id_} ({key!r}) cannot be read: {e}") from e
