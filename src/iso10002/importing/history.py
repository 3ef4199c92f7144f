"""
The events an imported record becomes: one vocabulary for every importer.

An importer reads a row into an :class:`ImportedRecord` (what the source says happened);
:class:`HistoryBuilder` turns it into the complaint's events with the source's past instants,
folds them, and returns the append that writes the complaint. Every imported history uses the
states of the standard workflow; after the receipt, events follow the source's instants (on
one instant, in the order of the handling):

=========================================  ================================  ===================
event                                      when                              state after it
=========================================  ================================  ===================
``complaint_received`` (with ``source``)   received                          ``received``
``classified``                             received                          ``received``
``communication_recorded`` (internal)      forwarded (sent to a company)     unchanged
``acknowledged``                           acknowledged                      ``acknowledged`` if
                                                                             still ``received``
``root_cause_recorded``                    with the decision, else the end   unchanged
``decision_made``                          responded, else closed            ``decided``
``decision_communicated``                  responded, else closed            ``awaiting_reaction``
``closed`` (resolved) / ``withdrawn``      closed                            ``closed`` /
                                                                             ``withdrawn``
``satisfaction_recorded``                  closed                            ``closed``
=========================================  ================================  ===================

Only the events the source gives grounds for are written: no assessment, investigation or
reaction that the source does not record.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from collections.abc import Callable, Hashable, Mapping
from typing import TypeVar

import attrs

from iso10002.errors import ValidationError
from iso10002.importing._fold import final_state
from iso10002.integrity.templates import EventPreparer
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import (
    Acknowledged,
    Classified,
    Closed,
    CommunicationRecorded,
    ComplaintReceived,
    DecisionCommunicated,
    DecisionMade,
    Event,
    EventPayload,
    RootCauseRecorded,
    SatisfactionRecorded,
    Withdrawn,
)
from iso10002.model.values import (
    Actor,
    Channel,
    Classification,
    ClosureReason,
    Communication,
    CommunicationKind,
    Complainant,
    Decision,
    Direction,
    ImportSource,
    Role,
    RootCause,
    Visibility,
)
from iso10002.ports.store import Append
from iso10002.process.standard import State

__all__ = ["HistoryBuilder", "ImportedRecord", "check_system", "client_key", "reference"]

OPEN = "open"
CLOSED = "closed"
WITHDRAWN = "withdrawn"

_P = TypeVar("_P", bound=EventPayload)

_SHARED_KEPT = 4096
"""Payload objects a builder hands out again at most; then it starts again."""

_SYSTEM = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def check_system(value: object, field: str = "system") -> str:
    """A source system's name: lower-case letters, digits and ``_``, starting with a letter."""
    if not isinstance(value, str) or not _SYSTEM.match(value):
        raise ValidationError(
            field,
            f"{value!r} must be 1-32 lower-case letters, digits or '_', starting with a letter",
        )
    return value


def client_key(system: str, record_id: str) -> str:
    """The client key of an imported record: ``"{system}:{record_id}"``."""
    return f"{system}:{record_id}"


def reference(system: str, record_id: str) -> str:
    """The reference of an imported complaint: ``"{SYSTEM}-{record_id}"``, e.g. ``CFPB-3571115``."""
    return f"{system.upper()}-{record_id}"


@attrs.frozen(kw_only=True)
class ImportedRecord:
    """
    What one source record says: the receipt, and how far the handling got.

    Built by the importers from values they have already checked, so it checks nothing itself.
    ``ending`` is ``"open"``, ``"closed"`` or ``"withdrawn"``; ``ended_at`` goes with a closed
    or withdrawn record, ``decision`` (communicated at ``responded_at``, else ``ended_at``)
    and ``satisfaction`` with a closed one.
    """

    record_id: str
    received_at: _dt.datetime
    channel: Channel
    description: str
    attributes: Mapping[str, str]
    classification: Classification | None = None
    forwarded_at: _dt.datetime | None = None
    forwarded_note: str | None = None
    """Written as an internal communication at ``forwarded_at``: e.g. sent to the company."""
    acknowledged_at: _dt.datetime | None = None
    ending: str = OPEN
    ended_at: _dt.datetime | None = None
    decision: Decision | None = None
    responded_at: _dt.datetime | None = None
    response_channel: Channel | None = None
    """How the decision reached the complainant; the complaint's channel if ``None``."""
    response_summary: str | None = None
    closing_note: str | None = None
    root_cause: RootCause | None = None
    satisfaction: SatisfactionRecorded | None = None


# The order of steps that fall on the same instant; a step keeps the state it finds unless it
# is one of the standard workflow's moves below.
_FORWARDED, _ACKNOWLEDGED, _ROOT_CAUSE, _DECIDED, _COMMUNICATED, _ENDED, _SATISFACTION = range(7)
_MOVES = {
    _DECIDED: State.DECIDED.value,
    _COMMUNICATED: State.AWAITING_REACTION.value,
}


@attrs.define
class HistoryBuilder:
    """Builds the append of each record of one import run (same system, instant and actor)."""

    system: str
    imported_at: _dt.datetime
    timed: bool
    complainant: Complainant
    actor: Actor = attrs.field(init=False)
    _shared: dict[Hashable, tuple[object, EventPayload]] = attrs.field(init=False, factory=dict)
    _preparer: EventPreparer = attrs.field(init=False, factory=EventPreparer)

    def __attrs_post_init__(self) -> None:
        self.actor = Actor(id=f"import:{self.system}", role=Role.SYSTEM)

    def _payload(self, key: Hashable, source: object, make: Callable[[], _P]) -> _P:
        """
        The payload ``make`` gives, the same object each time for the same ``key`` (built
        from the exact texts and enumerations it holds) and the same ``source`` object (a
        decision, a classification: ``None`` if the key says it all), so that its sealed
        form is computed once (:class:`~iso10002.integrity.templates.EventPreparer`).
        """
        shared = self._shared
        found = shared.get(key)
        if found is not None and found[0] is source:
            return found[1]  # type: ignore[return-value]
        if len(shared) >= _SHARED_KEPT:
            shared.clear()
        payload = make()
        shared[key] = (source, payload)
        return payload

    def _steps(self, record: ImportedRecord) -> list[tuple[_dt.datetime, int, EventPayload]]:
        """What happened after the receipt, in time order (same instant: in handling order)."""
        steps: list[tuple[_dt.datetime, int, EventPayload]] = []
        if record.forwarded_at is not None:
            note = record.forwarded_note or "Forwarded for a response"
            forwarded = self._payload(("forwarded", note), None, lambda: _forwarded(note))
            steps.append((record.forwarded_at, _FORWARDED, forwarded))
        if record.acknowledged_at is not None:
            channel = record.response_channel or record.channel
            acknowledged = self._payload(
                ("acknowledged", channel), None, lambda: Acknowledged(channel=channel)
            )
            steps.append((record.acknowledged_at, _ACKNOWLEDGED, acknowledged))
        ended_at = record.ended_at
        if record.ending != OPEN and ended_at is None:
            raise ValidationError("ended_at", f"record {record.record_id} ended at no date")
        responded_at = record.responded_at or ended_at
        if record.root_cause is not None:
            at = responded_at if record.decision is not None else ended_at
            steps.append(
                (
                    at or record.received_at,
                    _ROOT_CAUSE,
                    RootCauseRecorded(root_cause=record.root_cause),
                )
            )
        if ended_at is None:
            return steps
        decision = record.decision
        if decision is not None and responded_at is not None:
            decided = self._payload(
                ("decided", id(decision)), decision, lambda: DecisionMade(decision=decision)
            )
            steps.append((responded_at, _DECIDED, decided))
            channel = record.response_channel or record.channel
            summary = record.response_summary or f"Decision communicated in {self.system}"
            communicated = self._payload(
                ("communicated", channel, summary),
                None,
                lambda: DecisionCommunicated(
                    channel=channel,
                    summary=summary,
                    # The sources do not say; a false claim would hide a gap from audits.
                    recourse_explained=False,
                ),
            )
            steps.append((responded_at, _COMMUNICATED, communicated))
        closing = record.closing_note
        if record.ending == WITHDRAWN:
            withdrawn = self._payload(
                ("withdrawn", closing), None, lambda: Withdrawn(reason=closing)
            )
            steps.append((ended_at, _ENDED, withdrawn))
        else:
            closed = self._payload(
                ("closed", closing),
                None,
                lambda: Closed(reason=ClosureReason.RESOLVED, note=closing),
            )
            steps.append((ended_at, _ENDED, closed))
            if record.satisfaction is not None:
                steps.append((ended_at, _SATISFACTION, record.satisfaction))
        steps.sort(key=lambda step: (step[0], step[1]))
        return steps

    def build(self, record: ImportedRecord, *, prepare: bool = False) -> Append:
        """
        The append that writes ``record``'s complaint; with ``prepare``, carrying its events'
        prepared forms (:attr:`Append.prepared <iso10002.ports.store.Append.prepared>`), as
        :func:`iso10002.storage.prepare_appends` would give them.

        Raises:
            ValidationError: a value does not make a valid event (an importer's parser
                normally catches it first).
        """
        system = self.system
        key = client_key(system, record.record_id)
        cid = uuid.uuid4()
        actor = self.actor
        received_at = record.received_at
        state = State.RECEIVED.value
        events = [
            Event(
                complaint_id=cid,
                seq=1,
                occurred_at=received_at,
                actor=actor,
                state=state,
                payload=ComplaintReceived(
                    reference=reference(system, record.record_id),
                    complainant=self.complainant,
                    channel=record.channel,
                    description=record.description,
                    received_at=received_at,
                    client_key=key,
                    attributes=record.attributes,
                    source=ImportSource(
                        system=system,
                        record_id=record.record_id,
                        imported_at=self.imported_at,
                        timed=self.timed,
                    ),
                ),
            )
        ]
        classification = record.classification
        if classification is not None:
            # Compared by value: a classification holds texts only, so equal ones encode alike.
            classified = self._payload(
                ("classified", classification),
                None,
                lambda: Classified(classification=classification),
            )
            events.append(
                Event(
                    complaint_id=cid,
                    seq=2,
                    occurred_at=received_at,
                    actor=actor,
                    state=state,
                    payload=classified,
                )
            )
        for at, step, payload in self._steps(record):
            if step == _ACKNOWLEDGED and state == State.RECEIVED.value:
                state = State.ACKNOWLEDGED.value
            elif step == _ENDED:
                state = State.WITHDRAWN.value if record.ending == WITHDRAWN else State.CLOSED.value
            else:
                state = _MOVES.get(step, state)
            events.append(
                Event(
                    complaint_id=cid,
                    seq=len(events) + 1,
                    occurred_at=at,
                    actor=actor,
                    state=state,
                    payload=payload,
                )
            )
        summary = ComplaintSummary.of(final_state(events))
        prepared = tuple(map(self._preparer.prepare, events)) if prepare else None
        return Append(events=tuple(events), expected_version=0, summary=summary, prepared=prepared)


def _forwarded(note: str) -> CommunicationRecorded:
    return CommunicationRecorded(
        communication=Communication(
            direction=Direction.OUTBOUND,
            channel=Channel.REFERRAL,
            kind=CommunicationKind.OTHER,
            visibility=Visibility.INTERNAL,
            summary=note,
        )
    )
