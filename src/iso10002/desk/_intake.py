"""
Intake (ISO 10002 7.2): receiving a complaint. It takes the command path's steps (see
:mod:`~iso10002.desk._path`) for a complaint that does not exist yet: the payload is validated
and authorized before a reference number is used up.

A client key makes intake idempotent: receiving again with the key of a complaint already
recorded, and the same content, is a replay that returns that complaint and writes nothing, even
when two writers race. Submissions of one key through one desk take turns, so threads replay
without using up a reference number; a writer in another process that loses the race finds the
key again right before it numbers the complaint, or, when it lost at the append, replays without
numbering it again; the same key with different content is refused
(:class:`~iso10002.errors.ClientKeyReused`). "The same content" compares what the caller gave
with what was stored for the key, leaving out what the desk fills itself: the reference and the
time of receipt, unless the caller gave them.

Over a store that declares :attr:`~iso10002.ports.capabilities.Capability.NUMBER_CLAIMS` (the
shipped stores do), the number is claimed in the append's own transaction
(:attr:`~iso10002.ports.store.Append.number`): the desk reads the counter, numbers the complaint
with the next number, and the store sets the counter only if the append is written, so an
append that fails for any reason (the race above, a conflict) uses up no number and the
references of a year are contiguous. Over any other store the number is allocated with
``next_number`` before the append, and an append that then fails loses it.

Automatic numbering skips a reference that a caller's ``reference=`` already took, and tries
the next number when another writer takes the one claimed or allocated before the append.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterable, Mapping

import attrs

from iso10002.desk._access import check_actor
from iso10002.desk._configurations import programme_fingerprint, workflow_fingerprint
from iso10002.desk._deadlines import reselect
from iso10002.desk._path import CommandPath
from iso10002.errors import ClientKeyReused, DuplicateKeyError, ValidationError
from iso10002.model.actions import Action
from iso10002.model.complaint import Complaint, apply
from iso10002.model.events import ComplaintReceived, Event
from iso10002.model.values import (
    Actor,
    Attachment,
    Channel,
    Complainant,
    ComplaintId,
    ProductOrService,
)
from iso10002.ports.store import (
    NumberClaim,
    is_number_claim_store,
)

__all__ = ["MAX_TAKEN_REFERENCES", "Intake", "IntakeResult"]

MAX_TAKEN_REFERENCES = 1000
"""How many taken references in a row automatic numbering skips before it gives up."""

_CLIENT_KEYS = uuid.UUID("6f1d3c52-9a43-4c1e-8a0e-3a2f5e7b9c10")
"""The namespace of the writer locks that make one desk's submissions of a key take turns."""


@attrs.frozen(kw_only=True)
class IntakeResult:
    """
    What :meth:`~iso10002.desk.ComplaintDesk.receive_or_replay` did: the complaint, and
    whether this call ``created`` it (``False``: a replay of a complaint already received with
    the same client key, which wrote nothing).
    """

    complaint: Complaint
    created: bool

    @property
    def replayed(self) -> bool:
        """Whether the complaint was already recorded under the client key."""
        return not self.created


class Intake(CommandPath):
    """Receiving complaints."""

    def receive(
        self,
        actor: Actor,
        *,
        complainant: Complainant,
        channel: Channel,
        description: str,
        received_at: _dt.datetime | None = None,
        remedy_requested: str | None = None,
        product: ProductOrService | None = None,
        incident_date: _dt.date | None = None,
        incident_place: str | None = None,
        people_involved: Iterable[str] = (),
        attachments: Iterable[Attachment] = (),
        client_key: str | None = None,
        reference: str | None = None,
        attributes: Mapping[str, str] | None = None,
        organisation: str | None = None,
    ) -> Complaint:
        """
        Record a new complaint (7.2) and give it a unique reference.

        Receiving again with the same ``client_key`` and the same content returns the complaint
        already recorded and writes nothing; :meth:`receive_or_replay` also says which happened.

        Args:
            received_at: when the organization received it; now if omitted. It may be earlier
                than now (a letter opened today), never later.
            people_involved: ids of staff the complaint is about (objectivity guard).
            client_key: the caller's idempotency key, e.g. one per rendered complaint form.
            reference: a reference chosen by the caller instead of the generated one.
            attributes: free-form facts for routing and reporting, such as ``regulation``
                and ``segment``, which timeliness policy rules can match.
            organisation: the organisation (tenant) the complaint belongs to, in a product
                that serves many; the receiving actor's own organisation if omitted. It never
                changes afterwards; with access control, an actor of another organisation may
                not record it.

        Raises:
            ValidationError: a field is missing or malformed (the message names it).
            ClientKeyReused: ``client_key`` was used for a complaint with different content.
            DuplicateKeyError: ``reference`` is already taken.
        """
        return self.receive_or_replay(
            actor,
            complainant=complainant,
            channel=channel,
            description=description,
            received_at=received_at,
            remedy_requested=remedy_requested,
            product=product,
            incident_date=incident_date,
            incident_place=incident_place,
            people_involved=people_involved,
            attachments=attachments,
            client_key=client_key,
            reference=reference,
            attributes=attributes,
            organisation=organisation,
        ).complaint

    def receive_or_replay(
        self,
        actor: Actor,
        *,
        complainant: Complainant,
        channel: Channel,
        description: str,
        received_at: _dt.datetime | None = None,
        remedy_requested: str | None = None,
        product: ProductOrService | None = None,
        incident_date: _dt.date | None = None,
        incident_place: str | None = None,
        people_involved: Iterable[str] = (),
        attachments: Iterable[Attachment] = (),
        client_key: str | None = None,
        reference: str | None = None,
        attributes: Mapping[str, str] | None = None,
        organisation: str | None = None,
    ) -> IntakeResult:
        """
        Like :meth:`receive`, and say whether the complaint was created now or replayed: a
        web form that is submitted twice (a double click, a retry after a time-out) shows
        "received" the first time and "already received" the second.

        A replay compares the content given with the content stored for ``client_key``,
        leaving out ``received_at`` and ``reference`` when they are omitted (the desk filled
        them the first time). A complaint whose personal data was erased cannot be compared:
        its key replays it.

        Raises:
            ValidationError: a field is missing or malformed (the message names it).
            ClientKeyReused: ``client_key`` was used for a complaint with different content;
                nothing was written.
            DuplicateKeyError: ``reference`` is already taken.
            PermissionDenied: the authorizer refused, for a replay as for a new complaint.
        """
        check_actor(actor)
        now = self.clock.now()
        if received_at is not None and received_at.tzinfo is not None and received_at > now:
            raise ValidationError("received_at", f"{received_at.isoformat()} is in the future")
        # Build the payload before allocating a reference, so bad input uses up no number.
        payload = ComplaintReceived(
            reference=reference or "pending",
            complainant=complainant,
            channel=channel,
            description=description,
            received_at=now if received_at is None else received_at,
            remedy_requested=remedy_requested,
            product=product,
            incident_date=incident_date,
            incident_place=incident_place,
            people_involved=tuple(people_involved),
            attachments=tuple(attachments),
            client_key=client_key,
            attributes=attributes or {},
            organisation=actor.organisation if organisation is None else organisation,
        )
        # What the desk filled itself is no part of the content a replay must match.
        filled = (
            *(("received_at",) if received_at is None else ()),
            *(("reference",) if reference is None else ()),
        )
        if client_key is None:
            return self._create(actor, payload, now, auto=reference is None)
        # Submissions of one key through this desk take turns, so that threads sharing the
        # desk replay the first one's complaint instead of racing it for a reference number.
        with self._writing(_client_key_lock(client_key)):
            replay = self._replay(actor, client_key, payload, filled)
            if replay is not None:
                return replay
            try:
                return self._create(actor, payload, now, auto=reference is None, key=client_key)
            except DuplicateKeyError as e:
                if e.key != "client key":
                    raise
                # Another process received the same complaint between our check and append:
                # replay it, without allocating a number again.
                replay = self._replay(actor, client_key, payload, filled)
                if replay is None:  # pragma: no cover - the store just said the key is taken
                    raise
                return replay

    def _create(
        self,
        actor: Actor,
        payload: ComplaintReceived,
        now: _dt.datetime,
        *,
        auto: bool,
        key: str | None = None,
    ) -> IntakeResult:
        """
        Record a new complaint with ``payload``; ``auto``: number it, skipping references
        already taken (by a caller's ``reference=``) and retrying with the next number when
        another writer takes the one claimed or allocated before the append.
        """
        if self.authorizer is not None:
            # Asked about the complaint as it would be recorded, before a reference is used up.
            self._authorize(actor, Action.RECEIVE, self._provisional(payload, actor, now), new=True)
        if key is not None and self.store.id_for_client_key(key) is not None:
            # Received by another process since the first look: no number is used up for it.
            raise DuplicateKeyError("client key", key)
        # The configuration that governs the complaint, recorded once and named by it (with
        # the reference, when the desk numbers it: one evolve, one validation of the payload).
        workflow, programme = workflow_fingerprint(self), programme_fingerprint(self)
        if not auto:
            payload = attrs.evolve(payload, workflow=workflow, programme=programme)
        for _ in range(MAX_TAKEN_REFERENCES):
            claim = None
            if auto:
                reference, claim = self._free_reference(payload)
                payload = attrs.evolve(
                    payload, reference=reference, workflow=workflow, programme=programme
                )
            event = self._first_event(payload, actor, now)
            complaint = apply(None, event)
            new = [event]
            complaint = reselect(self._sla_in_force, complaint, new, actor, now)
            history = tuple(new)
            try:
                derived = self._append(complaint, new, 0, history, now, number=claim)
            except DuplicateKeyError as e:
                if claim is not None:
                    self._claimed.pop(claim.scope, None)  # the numbers are read again
                if auto and e.key == "reference":
                    if key is not None and self.store.id_for_client_key(key) is not None:
                        # The writer that took the number received this very complaint.
                        raise DuplicateKeyError("client key", key) from e
                    continue  # taken between our look and our append: the next number
                raise
            if claim is not None:
                self._claimed[claim.scope] = claim.number
            # With what was derived for its summary, so that the next command carries it on.
            self._remember(complaint, history, derived)
            return IntakeResult(complaint=complaint, created=True)
        raise _no_free_reference(payload.reference)

    def _free_reference(self, payload: ComplaintReceived) -> tuple[str, NumberClaim | None]:
        """
        The next number of the year of receipt whose reference no complaint has, and the
        claim of it for the append, over a store that claims numbers in the append; over any
        other store the number is allocated now (and no claim is made).
        """
        year = payload.received_at.astimezone(_dt.timezone.utc).year
        scope = self.references.scope(year)
        store = self.store
        if is_number_claim_store(store):
            claimed = self._claimed.get(scope)
            if claimed is not None:
                # The number after the one this desk claimed last, without a look: the append
                # refuses it if another writer claimed it since or a caller's reference took
                # it, and then the counter and the references are read again.
                number = claimed + 1
                return self.references.format(year, number), NumberClaim(scope, number, claimed)
            last = store.last_number(scope)
            for number in range(last + 1, last + 1 + MAX_TAKEN_REFERENCES):
                candidate = self.references.format(year, number)
                if self.store.id_for_reference(candidate) is None:
                    # The numbers skipped are used by references callers chose: none is lost.
                    return candidate, NumberClaim(scope, number, after=last)
            raise _no_free_reference(candidate)
        for _ in range(MAX_TAKEN_REFERENCES):
            candidate = self.references.format(year, store.next_number(scope))
            if store.id_for_reference(candidate) is None:
                return candidate, None
        raise _no_free_reference(candidate)

    def _replay(
        self,
        actor: Actor,
        client_key: str,
        payload: ComplaintReceived,
        filled: tuple[str, ...],
    ) -> IntakeResult | None:
        """
        The replay of the complaint already received with ``client_key``, if there is one:
        authorized like a new complaint, and refused if its content is not ``payload``'s.
        """
        cid = self.store.id_for_client_key(client_key)
        if cid is None:
            return None
        existing = self._load(cid)
        # Authorized first, so that nobody learns anything of a complaint that is not theirs.
        self._authorize(actor, Action.RECEIVE, existing)
        if existing.erased_at is None:
            differ = _differences(self._stored_intake(cid), payload, filled)
            if differ:
                raise ClientKeyReused(
                    client_key=client_key, reference=existing.reference, fields=differ
                )
        return IntakeResult(complaint=existing, created=False)

    def _stored_intake(self, cid: ComplaintId) -> ComplaintReceived:
        """What was received for ``cid``: the payload of its first event."""
        first = self._history(cid)[0].payload
        assert isinstance(first, ComplaintReceived)
        return first

    def _provisional(
        self, payload: ComplaintReceived, actor: Actor, now: _dt.datetime
    ) -> Complaint:
        """The complaint ``payload`` would create, for the authorizer; never stored."""
        return apply(None, self._first_event(payload, actor, now))

    def _first_event(self, payload: ComplaintReceived, actor: Actor, now: _dt.datetime) -> Event:
        """A new complaint's first event, with a new id."""
        return Event(
            complaint_id=uuid.uuid4(),
            seq=1,
            occurred_at=now,
            actor=actor,
            state=self.workflow.initial,
            payload=payload,
        )


def _differences(
    stored: ComplaintReceived, given: ComplaintReceived, filled: tuple[str, ...]
) -> tuple[str, ...]:
    """The names of the fields in which ``given`` differs from ``stored``, but ``filled``."""
    return tuple(
        field.name
        for field in attrs.fields(ComplaintReceived)
        if field.name not in filled
        and field.name not in _DESK_FILLED
        and getattr(stored, field.name) != getattr(given, field.name)
    )


_DESK_FILLED = frozenset({"workflow", "programme"})
"""Fields the desk fills with its configuration: no part of what a replay must match."""


def _client_key_lock(client_key: str) -> uuid.UUID:
    """The writer lock of a client key: a name-based id no complaint id will ever be."""
    return uuid.uuid5(_CLIENT_KEYS, client_key)


def _no_free_reference(last: str) -> DuplicateKeyError:
    error = DuplicateKeyError("reference", last)
    message = (
        f"no free reference: {MAX_TAKEN_REFERENCES} numbers in a row, up to {last!r}, are "
        "already used by other complaints; check the store's reference counter"
    )
    error.args = (message,)
    return error
