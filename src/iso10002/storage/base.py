"""
The storage seam: what every event store does, and the values that cross it.

A store keeps, per complaint, an append-only stream of events numbered 1, 2, 3, … and one
:class:`~iso10002.model.complaint.ComplaintSummary` row for queries. It makes no business
decisions: the desk decides, the store records. Implementations: ``InMemoryEventStore``,
``SQLiteEventStore``; a third party proves theirs with ``iso10002.testing.EventStoreContract``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import Event
from iso10002.model.values import Channel, ComplaintId, Priority
from iso10002.outbox.record import OutboxEntry
from iso10002.outbox.store import OutboxStore
from iso10002.privacy.subject import SubjectMatch

if TYPE_CHECKING:
    from iso10002.integrity.chain import Hasher

__all__ = [
    "Append",
    "BatchAppender",
    "ChainRecord",
    "ChainedStore",
    "ComplaintQuery",
    "EventStore",
    "Page",
    "PersonalDataStore",
    "append_all",
    "iter_summaries",
]

MAX_PAGE_SIZE = 1000


def _limit(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PAGE_SIZE:
        raise ValidationError(
            attribute.name, f"must be an integer from 1 to {MAX_PAGE_SIZE}, got {value!r}"
        )


ORDERS = ("received", "sla_due")
"""The orders a :class:`ComplaintQuery` may ask for."""


def _order(_inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ORDERS:
        raise ValidationError(attribute.name, f"must be one of {', '.join(ORDERS)}, got {value!r}")


def _offset(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(attribute.name, f"must be a non-negative integer, got {value!r}")


@attrs.frozen(kw_only=True)
class ComplaintQuery:
    """
    A filter over complaint summaries; every criterion given must hold.

    Results are ordered by ``received_at`` then reference, newest first; or, with
    ``order="sla_due"``, only complaints that have a deadline, earliest deadline first (then
    reference). They are paged with ``limit`` and ``offset``. ``received_from`` is inclusive,
    ``received_to`` exclusive; the ``sla_*_by`` criteria are inclusive and match only
    complaints that have such an instant.
    """

    state: str | None = attrs.field(default=None, validator=check.optional_text)
    is_open: bool | None = None
    assignee: str | None = attrs.field(default=None, validator=check.optional_text)
    priority: Priority | None = attrs.field(
        default=None, validator=check.optional_member_of(Priority)
    )
    channel: Channel | None = attrs.field(default=None, validator=check.optional_member_of(Channel))
    received_from: _dt.datetime | None = attrs.field(default=None, validator=check.optional_aware)
    received_to: _dt.datetime | None = attrs.field(default=None, validator=check.optional_aware)
    sla_due_by: _dt.datetime | None = attrs.field(default=None, validator=check.optional_aware)
    sla_warning_by: _dt.datetime | None = attrs.field(default=None, validator=check.optional_aware)
    sla_alert_by: _dt.datetime | None = attrs.field(default=None, validator=check.optional_aware)
    order: str = attrs.field(default="received", validator=_order)
    limit: int = attrs.field(default=50, validator=_limit)
    offset: int = attrs.field(default=0, validator=_offset)

    def matches(self, s: ComplaintSummary) -> bool:
        """Whether ``s`` passes every criterion (paging aside); the reference semantics."""
        return (
            (self.state is None or s.state == self.state)
            and (self.is_open is None or s.is_open == self.is_open)
            and (self.assignee is None or s.assignee == self.assignee)
            and (self.priority is None or s.priority == self.priority)
            and (self.channel is None or s.channel == self.channel)
            and (self.received_from is None or s.received_at >= self.received_from)
            and (self.received_to is None or s.received_at < self.received_to)
            and _by(s.sla_due_at, self.sla_due_by)
            and _by(s.sla_warning_at, self.sla_warning_by)
            and _by(s.sla_alert_at, self.sla_alert_by)
            and (self.order != "sla_due" or s.sla_due_at is not None)
        )


def _by(instant: _dt.datetime | None, bound: _dt.datetime | None) -> bool:
    return bound is None or (instant is not None and instant <= bound)


@attrs.frozen(kw_only=True)
class Page:
    """One page of query results, with the total number of matches."""

    items: tuple[ComplaintSummary, ...]
    total: int
    limit: int
    offset: int

    @property
    def has_more(self) -> bool:
        """Whether another page follows."""
        return self.offset + len(self.items) < self.total


@runtime_checkable
class EventStore(Protocol):
    """**Protocol:** durable, append-only storage of complaint histories."""

    def append(
        self, events: Sequence[Event], *, expected_version: int, summary: ComplaintSummary
    ) -> None:
        """
        Append ``events`` (all of one complaint, seq continuing from ``expected_version``) and
        replace its summary, atomically: all of it is written or none.

        ``expected_version`` is 0 for a new complaint.

        Raises:
            ConcurrencyConflict: the stream's version is not ``expected_version``.
            DuplicateKeyError: a new complaint reuses a reference or client key.
            ValidationError: the events are empty, mix complaints, or do not continue the
                sequence.
        """
        ...

    def read(self, complaint_id: ComplaintId, *, after: int = 0) -> list[Event]:
        """The complaint's events with ``seq > after``, oldest first; empty if none."""
        ...

    def version(self, complaint_id: ComplaintId) -> int:
        """The complaint's last sequence number, 0 if it does not exist."""
        ...

    def id_for_reference(self, reference: str) -> ComplaintId | None:
        """The id of the complaint with this reference, if any."""
        ...

    def id_for_client_key(self, client_key: str) -> ComplaintId | None:
        """The id of the complaint received with this client key, if any."""
        ...

    def summary(self, complaint_id: ComplaintId) -> ComplaintSummary | None:
        """The complaint's summary row, if it exists."""
        ...

    def query(self, query: ComplaintQuery) -> Page:
        """The summaries matching ``query``, newest received first, one page."""
        ...

    def iter_events(self, *, after_position: int = 0) -> Iterator[tuple[int, Event]]:
        """Every event of every complaint in the order appended, with its global position."""
        ...

    def next_number(self, scope: str) -> int:
        """Allocate the next number (1, 2, …) in a named counter, e.g. for references."""
        ...

    def close(self) -> None:
        """Release resources; the store may not be used afterwards."""
        ...


@attrs.frozen(kw_only=True)
class Append:
    """
    One complaint's part of a batch write: the arguments of :meth:`EventStore.append`, and the
    notifications to enqueue with its events.
    """

    events: tuple[Event, ...]
    expected_version: int
    summary: ComplaintSummary
    outbox: tuple[OutboxEntry, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of(OutboxEntry)
    )
    """
    Notifications written in the same transaction as ``events``: only an outbox-capable store
    (:class:`~iso10002.outbox.store.OutboxStore`) takes an append that has any.
    """
    erase: bool = attrs.field(default=False, validator=check.instance(bool))
    """
    Whether, in the same transaction and before ``events`` are written, the store clears the
    personal values of every event the complaint has so far, and deletes its outbox records:
    what recording an erasure does. Only a :class:`PersonalDataStore` takes such an append.
    """


@runtime_checkable
class BatchAppender(Protocol):
    """**Protocol:** a store that can write many complaints' appends in one transaction."""

    def append_many(self, appends: Sequence[Append]) -> None:
        """
        Make every append of ``appends``, in order, atomically: all of them or none.

        Raises the errors of :meth:`EventStore.append`, for the first append that fails.
        """
        ...


@attrs.frozen(kw_only=True)
class ChainRecord:
    """
    One stored event with its integrity hashes, as the store holds them: what
    :func:`iso10002.integrity.verify` checks. Fields are read back, not validated: a tampered
    row must still reach the verifier.
    """

    position: int
    complaint_id: str
    """The stored stream id, as text."""
    seq: int
    event: Event | None
    """The decoded event; None when the row cannot be decoded (see ``error``)."""
    error: str | None
    hash: str | None
    """The event's link in its complaint's chain; None on a row the store did not write."""
    chain: str | None
    """The event's link in the log's chain; None on a row the store did not write."""
    payload: Mapping[str, Any] | None = None
    """The payload as sealed and stored, which the hash covers; None if unreadable."""
    personal: Mapping[str, tuple[str, Any]] | None = None
    """The personal values held beside it, by path: ``(salt, value)``; None if none (erased)."""


@runtime_checkable
class ChainedStore(Protocol):
    """**Protocol:** a store that keeps tamper-evident hashes with its events."""

    @property
    def hasher(self) -> Hasher:
        """How the store computes its hashes (with its integrity key, if it has one)."""
        ...

    def iter_chain(self, *, after_position: int = 0) -> Iterator[ChainRecord]:
        """Every stored event in position order, with its stored hashes."""
        ...


@runtime_checkable
class PersonalDataStore(Protocol):
    """
    **Protocol:** a store that keeps personal values apart from its sealed events
    (:mod:`iso10002.privacy.sealing`), so that it can erase them: it honours
    :attr:`Append.erase`, and finds a data subject's complaints.
    """

    def find_subject(self, match: SubjectMatch) -> list[ComplaintId]:
        """The ids of the complaints whose complainant is ``match``, in no particular order."""
        ...

    def append_many(self, appends: Sequence[Append]) -> None:
        """As :meth:`BatchAppender.append_many`, honouring :attr:`Append.erase`."""
        ...


def append_all(store: EventStore, appends: Sequence[Append]) -> None:
    """
    Write ``appends`` in one transaction if the store can (:class:`BatchAppender`), else one
    after another; then a failure leaves the appends before it written.

    Bulk writers (importers) use this: one transaction per batch instead of per complaint.

    Raises:
        ValidationError: an append has outbox entries and the store keeps no outbox; nothing
            was written.
    """
    if any(a.outbox for a in appends) and not isinstance(store, OutboxStore):
        raise ValidationError(
            "outbox", f"{type(store).__name__} keeps no outbox; the notifications would be lost"
        )
    if any(a.erase for a in appends) and not isinstance(store, PersonalDataStore):
        raise ValidationError(
            "erase", f"{type(store).__name__} keeps no personal data apart; it cannot erase it"
        )
    if isinstance(store, BatchAppender):
        store.append_many(appends)
        return
    for a in appends:
        store.append(a.events, expected_version=a.expected_version, summary=a.summary)


def check_batch(events: Sequence[Event], expected_version: int, summary: ComplaintSummary) -> None:
    """
    The checks every store makes on an append before touching storage.

    Raises:
        ValidationError: on an empty batch, mixed complaints, a broken sequence, or a summary that
            does not describe the batch's last event.
    """
    if not events:
        raise ValidationError("events", "an append needs at least one event")
    first = events[0]
    for offset, event in enumerate(events, start=1):
        if event.complaint_id != first.complaint_id:
            raise ValidationError("events", "an append holds events of one complaint only")
        if event.seq != expected_version + offset:
            raise ValidationError(
                "events",
                f"complaint {summary.reference}: event seq {event.seq} does not continue "
                f"version {expected_version}",
            )
    if summary.id != first.complaint_id or summary.version != events[-1].seq:
        raise ValidationError("summary", "the summary does not describe the appended events")


def iter_summaries(store: EventStore, query: ComplaintQuery) -> Iterator[ComplaintSummary]:
    """
    Every summary matching ``query`` (its ``limit`` and ``offset`` aside), page by page, so
    memory holds one page at a time. Pages are read by offset: a summary whose place in the
    order changes while iterating may be seen twice or not at all.
    """
    offset = 0
    while True:
        page = store.query(attrs.evolve(query, limit=MAX_PAGE_SIZE, offset=offset))
        yield from page.items
        if not page.has_more:
            return
        offset += len(page.items)
