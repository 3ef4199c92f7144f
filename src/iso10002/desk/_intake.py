"""
Intake (ISO 10002 7.2): receiving a complaint. It takes the command path's steps (see
:mod:`~iso10002.desk._path`) for a complaint that does not exist yet: the payload is validated
and authorized before a reference number is used up, and receiving again with the same client
key returns the complaint already recorded, even when two writers race.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterable, Mapping

import attrs

from iso10002.desk._access import check_actor
from iso10002.desk._deadlines import reselect
from iso10002.desk._path import CommandPath
from iso10002.errors import DuplicateKeyError, ValidationError
from iso10002.model.actions import Action
from iso10002.model.complaint import Complaint, apply
from iso10002.model.events import ComplaintReceived, Event
from iso10002.model.values import (
    Actor,
    Attachment,
    Channel,
    Complainant,
    ProductOrService,
)

__all__ = ["Intake"]


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
    ) -> Complaint:
        """
        Record a new complaint (7.2) and give it a unique reference.

        Receiving again with the same ``client_key`` returns the complaint already recorded
        and writes nothing.

        Args:
            received_at: when the organization received it; now if omitted. It may be earlier
                than now (a letter opened today), never later.
            people_involved: ids of staff the complaint is about (objectivity guard).
            reference: a reference chosen by the caller instead of the generated one.
            attributes: free-form facts for routing and reporting, such as ``regulation``
                and ``segment``, which timeliness policy rules can match.

        Raises:
            ValidationError: a field is missing or malformed (the message names it).
            DuplicateKeyError: ``reference`` is already taken.
        """
        check_actor(actor)
        if client_key is not None:
            existing = self._find_by_client_key(client_key)
            if existing is not None:
                self._authorize(actor, Action.RECEIVE, existing)
                return existing
        now = self.clock.now()
        if received_at is None:
            received_at = now
        elif received_at.tzinfo is not None and received_at > now:
            raise ValidationError("received_at", f"{received_at.isoformat()} is in the future")
        # Build the payload before allocating a reference, so bad input uses up no number.
        payload = ComplaintReceived(
            reference=reference or "pending",
            complainant=complainant,
            channel=channel,
            description=description,
            received_at=received_at,
            remedy_requested=remedy_requested,
            product=product,
            incident_date=incident_date,
            incident_place=incident_place,
            people_involved=tuple(people_involved),
            attachments=tuple(attachments),
            client_key=client_key,
            attributes=attributes or {},
        )
        if self.authorizer is not None:
            # Asked about the complaint as it would be recorded, before a reference is used up.
            self._authorize(actor, Action.RECEIVE, self._provisional(payload, actor, now), new=True)
        if reference is None:
            year = received_at.astimezone(_dt.timezone.utc).year
            number = self.store.next_number(self.references.scope(year))
            payload = attrs.evolve(payload, reference=self.references.format(year, number))
        event = self._first_event(payload, actor, now)
        complaint = apply(None, event)
        new = [event]
        complaint = reselect(self.sla, complaint, new, actor, now)
        history = tuple(new)
        try:
            self._append(complaint, new, 0, history, now)
        except DuplicateKeyError as e:
            if e.key == "client key" and client_key is not None:
                # Another writer received the same complaint between our check and append.
                winner = self._find_by_client_key(client_key)
                if winner is not None:
                    self._authorize(actor, Action.RECEIVE, winner)
                    return winner
            raise
        self._remember(complaint, history)
        return complaint

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
