"""
The programme an audit judges when it is not given one: the one recorded as in force by the
latest complaint received by the audit's instant within the period
(:mod:`iso10002.programme.recorded`), so that an audit of an old period reads the programme
that governed it, not today's file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from iso10002.errors import CorruptRecord, Iso10002Error
from iso10002.model.events import ComplaintReceived
from iso10002.ports.store import ComplaintQuery, EventStore, is_configuration_store
from iso10002.programme.recorded import programme_from_record

if TYPE_CHECKING:
    from iso10002.programme import Programme

__all__ = ["recorded_programme"]

_LOOK_BACK = 64
"""How many of the latest complaints are read for a recorded programme before giving up."""


def recorded_programme(store: EventStore, query: ComplaintQuery) -> tuple[Programme, str] | None:
    """
    The programme the latest complaint that ``query`` finds (and that names one) was received
    under, with its fingerprint; None if none of the latest names one the store keeps.

    Raises:
        SerializationError: the recorded content is not a programme this release reads.
    """
    keeper = store
    if not is_configuration_store(keeper):
        return None
    # The "received" order is the latest first.
    latest = store.query(attrs.evolve(query, order="received", limit=_LOOK_BACK, offset=0))
    for summary in latest.items:
        try:
            events = store.read(summary.id)
        except CorruptRecord:  # criterion 4.9 names it; the programme is read from another
            continue
        first = events[0].payload if events else None
        if not isinstance(first, ComplaintReceived) or first.programme is None:
            continue
        try:
            record = keeper.configuration(first.programme)
        except Iso10002Error:
            record = None
        if record is not None:
            return programme_from_record(record), record.fingerprint
    return None
