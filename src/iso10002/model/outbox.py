"""
The values of the outbox: what is enqueued (:class:`OutboxEntry`), what is stored
(:class:`OutboxRecord`, in an :class:`OutboxState`), and how records are listed
(:class:`OutboxQuery`).

A record is written in the same transaction as the events that caused it, so a notification
exists exactly when its cause was committed. Records of one **lane** are delivered in the order
they were written: by default the lane is the complaint's reference, so a complaint's later
notification never overtakes an earlier one.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from enum import Enum
from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.notification import Notification, _utc
from iso10002.model.values import ComplaintId

__all__ = [
    "OUTBOX_SCHEMA_VERSION",
    "OutboxEntry",
    "OutboxQuery",
    "OutboxRecord",
    "OutboxState",
    "check_channel",
    "check_worker",
]

OUTBOX_SCHEMA_VERSION = 1
"""Version of the stored notification's JSON (the library's converter); kept with every record."""

MAX_QUERY_LIMIT = 1000

# Notifier names travel in configuration files and log lines: keep them plain.
_CHANNEL = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
# Lanes and workers show up in log lines and SQL indexes: printable ASCII without spaces.
_LANE = re.compile(r"^[!-~]{1,200}$")
_WORKER = re.compile(r"^[!-~]{1,200}$")
ERROR_LIMIT = 500
"""Longest ``last_error`` kept; a longer message is cut."""


class OutboxState(str, Enum):
    """Where a record stands."""

    PENDING = "pending"
    """Not delivered yet: due, scheduled for a later attempt, claimed, or merged into a digest
    that is not delivered yet."""
    DELIVERED = "delivered"
    """Accepted by the next hop, alone or as part of a digest (then ``digest_id`` is set)."""
    DEAD = "dead"
    """Given up: a permanent failure, or too many temporary ones. Waits for a person to look at
    it and retry it."""


def check_channel(value: object, field: str) -> str:
    """A notifier name: lower-case letters, digits, ``_``, ``.``, ``-``; 1-64 characters."""
    if not isinstance(value, str) or not _CHANNEL.match(value):
        raise ValidationError(
            field,
            f"{value!r} is not a notifier name (lower-case letters, digits, '_', '.', '-', "
            "starting with a letter, e.g. 'smtp')",
        )
    return value


def check_worker(value: object, field: str) -> str:
    """A dispatcher's name: 1-200 printable ASCII characters without spaces."""
    if not isinstance(value, str) or not _WORKER.match(value):
        raise ValidationError(field, "must be 1-200 printable ASCII characters without spaces")
    return value


def _channel(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_channel(value, attribute.name)


def _optional_lane(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _LANE.match(value)):
        raise ValidationError(
            attribute.name, "must be None or 1-200 printable ASCII characters without spaces"
        )


def _lane(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        raise ValidationError(attribute.name, "must be given")
    _optional_lane(inst, attribute, value)


def _optional_utc(value: object) -> object:
    return None if value is None else _utc(value)


def _attempts(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(attribute.name, f"must be a non-negative integer, got {value!r}")


def _record_id(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(attribute.name, f"must be a positive integer, got {value!r}")


def _optional_record_id(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _record_id(inst, attribute, value)


def _error_text(value: object) -> object:
    if isinstance(value, str) and len(value) > ERROR_LIMIT:
        return value[: ERROR_LIMIT - 1] + "…"
    return value


def default_lane(notification: Notification) -> str:
    """The lane of a notification enqueued without one: its complaint, else its own key."""
    if notification.complaint_reference is not None:
        return notification.complaint_reference
    return f"key:{notification.idempotency_key}"


@attrs.frozen(kw_only=True)
class OutboxEntry:
    """
    A notification to enqueue, and how to deliver it.

    Args:
        notification: what to send; its idempotency key is the record's unique key, so
            enqueueing the same key again keeps the first record and drops the repeat.
        channel: the name of the notifier that delivers it, as the dispatcher's ``notifiers``
            mapping knows it (``"smtp"``, ``"webhook"``).
        deliver_after: not before this instant (business hours, a digest window); at once when
            ``None``.
        lane: records of one lane are delivered in the order they were enqueued; by default
            the complaint reference (or, without one, a lane of its own). Give internal
            notifications a lane of their own so that one waiting for business hours does not
            hold back the complainant's letters. Keep personal data out of it.
        digest: may be merged with others of the same channel and recipient into one digest
            (see :class:`~iso10002.outbox.digest.DigestPolicy`).
    """

    notification: Notification = attrs.field(validator=check.instance(Notification))
    channel: str = attrs.field(validator=_channel)
    deliver_after: _dt.datetime | None = attrs.field(
        default=None, converter=_optional_utc, validator=check.optional_aware
    )
    lane: str | None = attrs.field(default=None, validator=_optional_lane)
    digest: bool = attrs.field(default=False, validator=check.instance(bool))

    @property
    def idempotency_key(self) -> str:
        """The notification's key."""
        return self.notification.idempotency_key

    @property
    def effective_lane(self) -> str:
        """``lane``, or the default: the complaint reference, else a lane of its own."""
        return self.lane if self.lane is not None else default_lane(self.notification)

    @property
    def due_at(self) -> _dt.datetime:
        """When the first attempt may be made: ``deliver_after``, else the notification's time."""
        return (
            self.deliver_after if self.deliver_after is not None else self.notification.created_at
        )


@attrs.frozen(kw_only=True)
class OutboxRecord:
    """
    One stored notification and its delivery so far.

    Only the key, the reference, the kind and the bookkeeping appear in ``repr``; the
    notification's recipient and content do not.
    """

    id: int = attrs.field(validator=_record_id)
    """The store's number for it; grows in the order records were written."""
    notification: Notification = attrs.field(validator=check.instance(Notification))
    channel: str = attrs.field(validator=_channel)
    """The notifier that delivers it."""
    lane: str = attrs.field(validator=_lane)
    """Records of one lane are delivered in ``id`` order."""
    complaint_id: ComplaintId | None = attrs.field(
        default=None, validator=check.optional_instance(uuid.UUID)
    )
    """The complaint whose events it was written with; ``None`` when enqueued on its own."""
    created_at: _dt.datetime = attrs.field(converter=_utc, validator=check.aware)
    """When it was enqueued: the notification's ``created_at``."""
    deliver_after: _dt.datetime = attrs.field(converter=_utc, validator=check.aware)
    """Not delivered before this instant."""
    next_attempt_at: _dt.datetime | None = attrs.field(
        default=None, converter=_optional_utc, validator=check.optional_aware
    )
    """When it may be claimed next: the first attempt, a retry, or the end of a claim's lease.
    ``None`` once it left the pending state, and while it waits in a digest."""
    attempts: int = attrs.field(default=0, validator=_attempts)
    """How many times a dispatcher claimed it to send it (a claim counts as an attempt)."""
    state: OutboxState = attrs.field(
        default=OutboxState.PENDING, validator=check.member_of(OutboxState)
    )
    last_error: str | None = attrs.field(
        default=None, converter=_error_text, validator=check.optional_text
    )
    """Why the last attempt failed: the :class:`~iso10002.errors.DeliveryError` message, which
    names the key and the reference, never the recipient or the content."""
    delivered_at: _dt.datetime | None = attrs.field(
        default=None, converter=_optional_utc, validator=check.optional_aware
    )
    claimed_by: str | None = attrs.field(default=None, validator=check.optional_text)
    """The dispatcher that holds the current claim."""
    lease_until: _dt.datetime | None = attrs.field(
        default=None, converter=_optional_utc, validator=check.optional_aware
    )
    """The claim's end: after it, another dispatcher may claim the record again."""
    digest: bool = attrs.field(default=False, validator=check.instance(bool))
    """Whether it may be merged into a digest."""
    digest_id: int | None = attrs.field(default=None, validator=_optional_record_id)
    """The digest record it was merged into, if any."""

    @property
    def idempotency_key(self) -> str:
        """The notification's key, unique in the outbox."""
        return self.notification.idempotency_key

    @property
    def complaint_reference(self) -> str | None:
        """The notification's complaint reference."""
        return self.notification.complaint_reference

    @property
    def kind(self) -> str:
        """The notification's kind."""
        return self.notification.kind

    def __repr__(self) -> str:
        return (
            f"OutboxRecord(id={self.id}, key={self.idempotency_key!r}, "
            f"reference={self.complaint_reference!r}, kind={self.kind!r}, "
            f"channel={self.channel!r}, state={self.state.value!r}, attempts={self.attempts})"
        )


def _limit(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_QUERY_LIMIT:
        raise ValidationError(
            attribute.name, f"must be an integer from 1 to {MAX_QUERY_LIMIT}, got {value!r}"
        )


def _optional_channel(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_channel(value, attribute.name)


@attrs.frozen(kw_only=True)
class OutboxQuery:
    """
    A filter over outbox records, oldest first (by ``id``), one page at a time: pass the last
    ``id`` seen as ``after_id`` for the next page. Every criterion given must hold.
    """

    state: OutboxState | None = attrs.field(
        default=None, validator=check.optional_member_of(OutboxState)
    )
    complaint_reference: str | None = attrs.field(default=None, validator=check.optional_text)
    channel: str | None = attrs.field(default=None, validator=_optional_channel)
    kind: str | None = attrs.field(default=None, validator=check.optional_text)
    lane: str | None = attrs.field(default=None, validator=_optional_lane)
    after_id: int = attrs.field(default=0, validator=_attempts)
    limit: int = attrs.field(default=100, validator=_limit)

    def matches(self, record: OutboxRecord) -> bool:
        """Whether ``record`` passes every criterion (paging aside); the reference semantics."""
        return (
            record.id > self.after_id
            and (self.state is None or record.state is self.state)
            and (
                self.complaint_reference is None
                or record.complaint_reference == self.complaint_reference
            )
            and (self.channel is None or record.channel == self.channel)
            and (self.kind is None or record.kind == self.kind)
            and (self.lane is None or record.lane == self.lane)
        )
