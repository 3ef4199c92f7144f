"""
The storage port: what an event store does, in three levels, and the values that cross it.

A store keeps, per complaint, an append-only stream of events numbered 1, 2, 3, … and one
:class:`~iso10002.model.complaint.ComplaintSummary` row for queries. It makes no business
decisions: the desk decides, the store records.

- Level 1, :class:`EventStore`: appends with a version check, reads, summaries, queries.
- Level 2, :class:`OutboxEventStore`: adds batch appends that write outbox entries in the
  same transaction, and the outbox itself (:class:`OutboxStore`).
- Level 3, :class:`RecordKeepingStore`: adds what the record as a whole needs, the hash
  chains (:class:`ChainedStore`), personal data kept apart and erasable
  (:class:`PersonalDataStore`) and access denials (:class:`DenialStore`).

Beside the levels, a store may declare that it claims reference numbers in the append's own
transaction (:class:`NumberClaimStore`, :attr:`Append.number`), so that an append that fails
uses up no number.

A store says which levels it implements in its ``capabilities`` attribute (a frozenset of
:class:`Capability`); the library reads that declaration (:func:`capabilities_of`) and never
guesses from the methods a store happens to have. :func:`check_store` refuses a store that
declares a level without implementing all of its members.
"""

from __future__ import annotations

import datetime as _dt
import inspect
from collections.abc import Collection, Iterator, Sequence
from typing import Protocol, TypeGuard, runtime_checkable

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.chain import ChainRecord, Hasher, TableRecord
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.configuration import ConfigurationRecord
from iso10002.model.denials import DenialRecord
from iso10002.model.events import Event
from iso10002.model.outbox import OutboxEntry, OutboxQuery, OutboxRecord, OutboxState
from iso10002.model.prepared import PreparedEvent
from iso10002.model.subject import SubjectMatch
from iso10002.model.values import Channel, ComplaintId, Priority
from iso10002.ports.capabilities import Capability, capabilities_of, protocol_members
from iso10002.ports.links import check_batch, complaint_links, link, log_links
from iso10002.ports.numbers import NumberClaim, check_claims

__all__ = [
    "Append",
    "BatchAppender",
    "BulkLoadStore",
    "ChainRecord",
    "ChainedStore",
    "ClientKeyStore",
    "ComplaintQuery",
    "ConfigurationStore",
    "DenialStore",
    "EventStore",
    "NumberClaim",
    "NumberClaimStore",
    "OutboxEventStore",
    "OutboxStore",
    "Page",
    "PersonalDataStore",
    "PreparedEvent",
    "RecordKeepingStore",
    "RollupStore",
    "SealedTablesStore",
    "append_all",
    "check_batch",
    "check_claims",
    "check_store",
    "complaint_links",
    "is_bulk_load_store",
    "is_client_key_store",
    "is_configuration_store",
    "is_number_claim_store",
    "is_outbox_store",
    "is_record_keeping_store",
    "is_sealed_tables_store",
    "iter_summaries",
    "link",
    "log_links",
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


def _organisation(_inst: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        check.organisation_id(attribute.name, value)


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
    complaints that have such an instant. ``organisation`` matches only the complaints of that
    organisation (tenant); complaints recorded without one match no ``organisation``.
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
    organisation: str | None = attrs.field(default=None, validator=_organisation)
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
            and (self.organisation is None or s.organisation == self.organisation)
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
    """
    **Protocol, level 1:** durable, append-only storage of complaint histories.

    The core every store implements: appends with a version check, reads, summaries, queries,
    the log in global order, and counters. A store at this level declares no
    :class:`Capability`.
    """

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
        """
        Allocate the next number (1, 2, …) in a named counter, e.g. for references, in a
        transaction of its own: a number allocated for an append that then fails is lost
        (a store that declares :attr:`Capability.NUMBER_CLAIMS` lets the desk avoid that).
        """
        ...

    def close(self) -> None:
        """Release resources; the store may not be used afterwards."""
        ...


def _prepared(
    inst: Append,
    attribute: attrs.Attribute[tuple[PreparedEvent, ...] | None],
    value: tuple[PreparedEvent, ...] | None,
) -> None:
    if value is None:
        return
    check.tuple_of(PreparedEvent)(inst, attribute, value)
    if len(value) != len(inst.events) or any(
        p.event is not e and p.event != e for p, e in zip(value, inst.events, strict=True)
    ):
        raise ValidationError(attribute.name, "must hold the prepared form of each event, in order")


def _claim(_inst: object, attribute: attrs.Attribute[NumberClaim | None], value: object) -> None:
    if value is not None and not isinstance(value, NumberClaim):
        raise ValidationError(attribute.name, f"expected a NumberClaim or None, got {value!r}")


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
    Notifications written in the same transaction as ``events``: only a store that declares
    :attr:`Capability.OUTBOX` takes an append that has any.
    """
    erase: bool = attrs.field(default=False, validator=check.instance(bool))
    """
    Whether, in the same transaction and before ``events`` are written, the store clears the
    personal values of every event the complaint has so far, and deletes its outbox records:
    what recording an erasure does. Only a store that declares
    :attr:`Capability.RECORD_KEEPING` takes such an append.
    """
    prepared: tuple[PreparedEvent, ...] | None = attrs.field(
        default=None, validator=_prepared, eq=False, repr=False
    )
    """
    The prepared form of each of ``events`` (sealed, encoded, the bytes its hash covers), in
    the same order; None until prepared. The desk prepares its appends; a store takes whatever
    it is given through :func:`iso10002.storage.prepare_appends`, which prepares the rest, and
    stores what :attr:`PreparedEvent.payload_json` and the others hold. Not compared: salts
    are random, so two preparations of the same events differ.
    """
    number: NumberClaim | None = attrs.field(default=None, validator=_claim)
    """
    A counter's number this append claims, in its transaction (:class:`NumberClaim`): the
    append is written and the counter set, or neither. Only a store that declares
    :attr:`Capability.NUMBER_CLAIMS` takes such an append (:func:`append_all` refuses it for
    any other, whose ``append_many`` would ignore the field and lose the claim).
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


@runtime_checkable
class OutboxStore(Protocol):
    """
    **Protocol:** the outbox part of :class:`OutboxEventStore`: notifications written in the
    same transaction as the events that caused them, and the claim-and-mark methods the
    :class:`~iso10002.outbox.dispatcher.OutboxDispatcher` uses. Every instant is passed in by
    the caller (the dispatcher's clock), never read by the store, so that a test can move time
    on and expire a lease.
    """

    def append_many(self, appends: Sequence[Append]) -> None:
        """
        Write every append of ``appends`` atomically, each one's ``outbox`` entries with its
        events: all of it or nothing. An entry whose idempotency key is already in the outbox
        (or earlier in the same call) is dropped; the first one stays.
        """
        ...

    def outbox_enqueue(self, entries: Sequence[OutboxEntry]) -> int:
        """
        Enqueue ``entries`` on their own, in one transaction, for notifications that no event
        caused (a reminder an application sends). Returns how many were new; an entry whose
        key is already stored is dropped.
        """
        ...

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
        Claim up to ``limit`` due records for ``worker`` and return them, oldest due first.

        A record is claimable when it is pending, its ``next_attempt_at`` is at or before
        ``now``, its channel is one of ``channels``, it is not waiting in a digest, and no
        pending record of its lane is older (so one record per lane at most; a record held by
        another claim, scheduled for later, or merged into an undelivered digest holds back the
        rest of its lane). With ``digest`` given, only records whose ``digest`` mark equals it.

        Claiming is atomic across threads and processes: two workers never hold the same
        record. Each claimed record's ``attempts`` goes up by one, ``claimed_by`` becomes
        ``worker``, and ``lease_until`` and ``next_attempt_at`` become ``now + lease``: if the
        worker never reports back, the record is claimable again once the lease is over.
        """
        ...

    def outbox_delivered(self, record_id: int, *, now: _dt.datetime) -> bool:
        """
        Record that the record was delivered at ``now``; for a digest, its merged records too.
        Returns ``False`` (and changes nothing) when the record is no longer pending.
        A delivery counts even when the claim was lost meanwhile: it is a fact.
        """
        ...

    def outbox_failed(
        self,
        record_id: int,
        *,
        attempt: int,
        error: str,
        retry_at: _dt.datetime | None,
    ) -> bool:
        """
        Record a failed attempt: schedule the next at ``retry_at``, or, when it is ``None``,
        move the record (and, for a digest, its merged records) to the dead letters.

        ``attempt`` is the record's ``attempts`` as claimed: when it changed (the lease ran
        out and another worker claimed the record), the call changes nothing and returns
        ``False``, so only the current claim decides.
        """
        ...

    def outbox_merge(
        self, records: Sequence[OutboxRecord], digest: OutboxEntry
    ) -> OutboxRecord | None:
        """
        Atomically enqueue ``digest`` and merge ``records`` (claimed by the caller) into it:
        they stay pending, stop being claimable on their own, and are delivered (or die) with
        the digest. Returns the digest's record, or ``None`` with nothing changed when a
        record's claim was lost (its ``attempts`` moved on) or it is no longer pending.
        """
        ...

    def outbox_records(self, query: OutboxQuery) -> list[OutboxRecord]:
        """The records matching ``query``, by ``id``, one page."""
        ...

    def outbox_record(self, key: int | str) -> OutboxRecord | None:
        """The record with this ``id`` (int) or idempotency key (str), if any."""
        ...

    def outbox_retry(self, record_ids: Sequence[int], *, now: _dt.datetime) -> int:
        """
        Give dead records another chance: pending again, due at ``now``, ``attempts`` back to
        0. A dead digest revives its merged records with it; a merged record revived on its
        own leaves its digest and is sent alone. Returns how many records were revived.
        """
        ...

    def outbox_counts(self) -> dict[OutboxState, int]:
        """How many records are in each state (every state present, 0 when none)."""
        ...

    def outbox_purge(self, *, delivered_before: _dt.datetime) -> int:
        """
        Delete the records delivered before ``delivered_before`` and return how many.

        Their idempotency keys are forgotten with them: keep records for longer than anything
        might enqueue the same notification again. Dead and pending records are kept.
        """
        ...


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


@runtime_checkable
class DenialStore(Protocol):
    """
    **Protocol:** an event store that keeps denials in its own database, beside the histories
    (the SQLite and in-memory stores do). A desk over such a store logs denials there unless
    it is given another log.
    """

    def record_denial(self, denial: DenialRecord) -> None:
        """Keep ``denial``, durably."""
        ...

    def denials(
        self, *, since: _dt.datetime | None = None, limit: int = 1000
    ) -> list[DenialRecord]:
        """The denials recorded at or after ``since`` (all if ``None``), oldest first."""
        ...


@runtime_checkable
class ConfigurationStore(Protocol):
    """
    **Protocol:** an event store that keeps the configurations that governed its complaints
    (:class:`~iso10002.model.configuration.ConfigurationRecord`), content-addressed; it
    declares :attr:`Capability.CONFIGURATIONS`. Events refer to a record by its fingerprint,
    and the desk reads an old complaint with the record, never with today's configuration.
    """

    def record_configuration(self, record: ConfigurationRecord) -> None:
        """
        Keep ``record``, durably, unless a record with its fingerprint is kept already (then
        nothing changes: the content is the same).
        """
        ...

    def configuration(self, fingerprint: str) -> ConfigurationRecord | None:
        """The record kept under ``fingerprint``, if any."""
        ...

    def find_configuration(self, kind: str, name: str, version: str) -> ConfigurationRecord | None:
        """
        The first record kept of that ``kind``, ``name`` and ``version``, if any: how events
        written before configurations were recorded, which name only these, find theirs.
        """
        ...


@runtime_checkable
class OutboxEventStore(EventStore, OutboxStore, Protocol):
    """
    **Protocol, level 2:** an event store with a transactional outbox; it declares
    :attr:`Capability.OUTBOX`.

    Its :meth:`append_many` writes many complaints' appends in one transaction, each one's
    ``outbox`` entries with its events.
    """


@runtime_checkable
class RecordKeepingStore(OutboxEventStore, ChainedStore, PersonalDataStore, DenialStore, Protocol):
    """
    **Protocol, level 3:** a store that keeps the record as a whole: the hash chains, personal
    values apart from the hashed events, and the access denials; it declares
    :attr:`Capability.RECORD_KEEPING` (and, with it, :attr:`Capability.OUTBOX`).

    It builds on level 2 because erasure travels as an :class:`Append` with ``erase`` set
    through :meth:`append_many`, and clears the complaint's outbox records in that same
    transaction: a store without an outbox transaction could not erase atomically.

    It never seals, encodes or hashes an event itself: its :meth:`append_many` has the appends
    prepared (:func:`iso10002.storage.prepare_appends`, :attr:`Append.prepared`) and their
    links computed (:func:`link`), and stores what it is given.
    """


@runtime_checkable
class SealedTablesStore(RecordKeepingStore, Protocol):
    """
    **Protocol:** a record-keeping store whose other tables are tamper-evident too; it declares
    :attr:`Capability.SEALED_TABLES`. Outbox records and access denials are sealed when they
    are written (:mod:`iso10002.integrity.records`), and the counters can be read, so that
    :func:`~iso10002.integrity.verify` covers every stored table.
    """

    def iter_table_records(self, table: str) -> Iterator[TableRecord]:
        """Every row of ``table`` (``outbox`` or ``access_denials``) in id order, as stored."""
        ...

    def counters(self) -> dict[str, int]:
        """Every named counter of :meth:`EventStore.next_number` with its value."""
        ...


@runtime_checkable
class RollupStore(Protocol):
    """
    **Protocol:** a store that keeps counts derived from its complaint summaries (the SQL
    stores' daily rollups, which KPI reports read), and can compare them with the summaries,
    so that :func:`~iso10002.integrity.verify` covers them too.
    """

    def rollup_differences(self) -> list[tuple[str, str]]:
        """
        Every stored count that differs from the count of the summaries, each as the name of
        the record (``rollup 2026-03-02 channel=email``) and what differs; none when they agree.
        """
        ...


@runtime_checkable
class NumberClaimStore(BatchAppender, Protocol):
    """
    **Protocol:** a store that claims a counter's number in the transaction of the append
    that uses it (:attr:`Append.number`); it declares :attr:`Capability.NUMBER_CLAIMS`.

    Its :meth:`append_many` applies each append's claim as a compare-and-set of the counter,
    in the append's transaction, and refuses the append when the counter is not at
    :attr:`NumberClaim.after` (:class:`~iso10002.errors.DuplicateKeyError`, key
    ``"reference"``); an append that fails for any reason leaves the counter as it was. The
    desk then numbers new complaints by reading the counter (:meth:`last_number`) and claiming
    the next number with the append, so that no number is lost to an append that fails, such
    as the loser's of two processes receiving the same form at once; a desk that claimed a
    number claims the next one without reading, and reads again when it is refused (another
    writer claimed it, or a complaint has its reference). A store without the
    capability is numbered with :meth:`EventStore.next_number`, as before.
    """

    def last_number(self, scope: str) -> int:
        """The counter's value: the last number allocated or claimed in ``scope``, 0 if none."""
        ...


@runtime_checkable
class ClientKeyStore(Protocol):
    """
    **Protocol:** a store that says of many client keys at once which it holds; it declares
    :attr:`Capability.CLIENT_KEYS`. An importer asks it once per batch of records read,
    where it would otherwise ask :meth:`EventStore.id_for_client_key` once per record: one
    round trip a batch instead of one a record on a database server.
    """

    def stored_client_keys(self, keys: Sequence[str]) -> set[str]:
        """
        Which of ``keys`` are the client keys of stored complaints: what
        :meth:`EventStore.id_for_client_key` says of each, asked for a batch at once.

        Raises:
            StorageError: the database failed.
        """
        ...


@runtime_checkable
class BulkLoadStore(Protocol):
    """
    **Protocol:** a store that loads new complaints in bulk (an import) as rows it makes
    itself; it declares :attr:`Capability.BULK_LOAD`.

    An importer turns each new complaint's append into the store's rows with
    :meth:`bulk_rows`, possibly in a worker process forked from the one that holds the store,
    and writes them a batch at a time with :meth:`append_rows` in the process that holds it.
    The rows are what the store writes (the events as encoded, each with its link in its
    complaint's chain, and the summary's columns): the process that writes neither decodes
    events nor encodes them again. What is stored is what :meth:`BatchAppender.append_many`
    stores for the same appends, but for the random salts of the personal values.
    """

    def bulk_rows(self, append: Append) -> object:
        """
        The rows ``append`` is written as: a new complaint's append (expected version 0, no
        outbox records, no erasure, no number claim), checked as ``append_many`` checks it
        (:func:`check_batch`) and prepared. Plain values that pickle small (text, numbers,
        bytes). Reads nothing from the database and writes nothing: a process forked from
        the one that holds the store may make them; only this store takes them back.

        Raises:
            ValidationError: not a new complaint's append, or the checks of ``append_many``.
            SerializationError: a value cannot be stored.
        """
        ...

    def append_rows(self, rows: Sequence[object]) -> None:
        """
        Write the complaints of ``rows`` (each from :meth:`bulk_rows`), in order, in one
        transaction: all of them or none, as ``append_many`` writes their appends (the events
        linked into the log's chain after the stored ones, the summaries, and what the store
        counts from the summaries).

        Raises:
            ConcurrencyConflict: a complaint of ``rows`` is stored already.
            DuplicateKeyError: a reference or client key is taken, by a stored complaint or
                one before it in ``rows``.
            ValidationError: a value of ``rows`` was not made by :meth:`bulk_rows` (of this
                store, or one with the same integrity key).
            StorageError: the database failed; nothing was written.
        """
        ...


LEVELS: dict[Capability, type] = {
    Capability.OUTBOX: OutboxEventStore,
    Capability.NUMBER_CLAIMS: NumberClaimStore,
    Capability.RECORD_KEEPING: RecordKeepingStore,
    Capability.SEALED_TABLES: SealedTablesStore,
    Capability.CONFIGURATIONS: ConfigurationStore,
    Capability.BULK_LOAD: BulkLoadStore,
    Capability.CLIENT_KEYS: ClientKeyStore,
}
"""The store protocol each store capability promises."""


def is_outbox_store(store: object) -> TypeGuard[OutboxEventStore]:
    """Whether ``store`` declares :attr:`Capability.OUTBOX` (level 2 or 3)."""
    return Capability.OUTBOX in capabilities_of(store)


def is_configuration_store(store: object) -> TypeGuard[ConfigurationStore]:
    """Whether ``store`` declares :attr:`Capability.CONFIGURATIONS`."""
    return Capability.CONFIGURATIONS in capabilities_of(store)


def is_number_claim_store(store: object) -> TypeGuard[NumberClaimStore]:
    """Whether ``store`` declares :attr:`Capability.NUMBER_CLAIMS`."""
    return Capability.NUMBER_CLAIMS in capabilities_of(store)


def is_bulk_load_store(store: object) -> TypeGuard[BulkLoadStore]:
    """Whether ``store`` declares :attr:`Capability.BULK_LOAD`."""
    return Capability.BULK_LOAD in capabilities_of(store)


def is_client_key_store(store: object) -> TypeGuard[ClientKeyStore]:
    """Whether ``store`` declares :attr:`Capability.CLIENT_KEYS`."""
    return Capability.CLIENT_KEYS in capabilities_of(store)


def is_record_keeping_store(store: object) -> TypeGuard[RecordKeepingStore]:
    """Whether ``store`` declares :attr:`Capability.RECORD_KEEPING` (level 3)."""
    return Capability.RECORD_KEEPING in capabilities_of(store)


def is_sealed_tables_store(store: object) -> TypeGuard[SealedTablesStore]:
    """Whether ``store`` declares :attr:`Capability.SEALED_TABLES`."""
    return Capability.SEALED_TABLES in capabilities_of(store)


def check_store(store: object, protocols: dict[Capability, type] | None = None) -> None:
    """
    Refuse a store whose declaration promises more than it implements: every member of the
    protocol of each capability it declares (``protocols`` adds others, such as the KPI
    source's) must be there. The desk calls this when it is built.

    Raises:
        ValidationError: naming the store, the capability and the first missing member.
    """
    declared = capabilities_of(store)
    for capability, protocol in {**LEVELS, **(protocols or {})}.items():
        if capability not in declared:
            continue
        for member in sorted(protocol_members(protocol)):
            method = inspect.isfunction(getattr(protocol, member, None))
            found = getattr(store, member, None)
            if found is None or (method and not callable(found)):
                raise ValidationError(
                    "store",
                    f"{type(store).__name__} declares {capability.value} "
                    f"({protocol.__name__}) but has no {member!r}",
                )


def append_all(store: EventStore, appends: Sequence[Append]) -> None:
    """
    Write ``appends`` in one transaction if the store can (level 2 and above), else one
    after another; then a failure leaves the appends before it written.

    Bulk writers (importers) use this: one transaction per batch instead of per complaint.

    Raises:
        ValidationError: an append has outbox entries and the store keeps no outbox, erases
            and the store keeps no personal data apart, or claims a number and the store does
            not declare :attr:`Capability.NUMBER_CLAIMS`; nothing was written.
    """
    if any(a.outbox for a in appends) and not is_outbox_store(store):
        raise ValidationError(
            "outbox", f"{type(store).__name__} keeps no outbox; the notifications would be lost"
        )
    if any(a.erase for a in appends) and not is_record_keeping_store(store):
        raise ValidationError(
            "erase", f"{type(store).__name__} keeps no personal data apart; it cannot erase it"
        )
    if any(a.number is not None for a in appends):
        if not is_number_claim_store(store):
            raise ValidationError(
                "number",
                f"{type(store).__name__} does not claim numbers in an append (it declares no "
                "Capability.NUMBER_CLAIMS); the claim would be lost",
            )
        store.append_many(appends)
        return
    if is_outbox_store(store):
        store.append_many(appends)
        return
    for a in appends:
        store.append(a.events, expected_version=a.expected_version, summary=a.summary)


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
