"""What an audit report says it rests on: the library's version and the verified record."""

from __future__ import annotations

import datetime as _dt
from importlib import metadata

from iso10002.audit.findings import RecordState
from iso10002.errors import ValidationError
from iso10002.integrity.verify import VerificationReport, verify
from iso10002.model.chain import GENESIS
from iso10002.ports.store import EventStore, is_record_keeping_store

__all__ = ["library_version", "record_state"]


def library_version() -> str:
    """The installed version of iso10002, ``"unknown"`` when run from a bare source tree."""
    try:
        return metadata.version("iso10002")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare source tree
        return "unknown"


def _head_as_of(store: EventStore, when: _dt.datetime) -> tuple[str, int, int]:
    """
    The log's chain value after the last event recorded by ``when``, its position, and how
    many events the log holds up to it. A row that cannot be read is counted in: its time is
    unknown, and leaving it out could pass a record that does not verify.
    """
    assert is_record_keeping_store(store)
    head, position, events, seen = GENESIS, 0, 0, 0
    for r in store.iter_chain():
        seen += 1
        if r.event is not None and r.event.occurred_at > when:
            continue
        head, position, events = r.chain or head, r.position, seen
    return head, position, events


def record_state(
    store: EventStore, as_of: _dt.datetime | None = None, *, shared: bool = False
) -> RecordState:
    """
    The store's record as :func:`~iso10002.integrity.verify` finds it now, and with ``as_of``
    as it stood at that instant: the chain head after the last event recorded by then, and
    whether the record up to it verifies. A bad record after it does not make the record as
    of the instant fail (the detail names it); one that no position places (a summary, an
    outbox record) does. ``shared``: the record holds other organisations' complaints too (an
    audit kept to one tenant), so only whether it verified is said; its head, its size and the
    record that failed are theirs too.
    """
    try:
        report = verify(store)
    except ValidationError as e:  # the store keeps no hashes
        return RecordState(verified=None, detail=e.reason)
    state = _state(store, report, as_of)
    if shared:
        detail = (
            None if state.verified else "the shared record did not verify; its operator can tell"
        )
        return RecordState(verified=state.verified, detail=detail)
    return state


def _state(
    store: EventStore, report: VerificationReport, as_of: _dt.datetime | None
) -> RecordState:
    """The record as ``report`` found it, or as it stood at ``as_of``."""
    finding = report.finding
    if as_of is None:
        return RecordState(
            verified=report.ok,
            head=report.head,
            events=report.events,
            detail=None if finding is None else str(finding),
            position=report.last_position,
        )
    head, position, events = _head_as_of(store, as_of)
    if finding is None:
        return RecordState(verified=True, head=head, events=events, position=position)
    if finding.position is not None and finding.position > position:
        return RecordState(
            verified=True,
            head=head,
            events=events,
            position=position,
            detail=f"after the instant: {finding}",
        )
    if finding.position is not None:
        # The record breaks before the instant: the last value that verified is the head.
        head, position, events = report.head, report.last_position, report.events
    return RecordState(
        verified=False,
        head=head,
        events=events,
        position=position,
        detail=str(finding),
        reference=finding.reference,
    )
