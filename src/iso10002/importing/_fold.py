"""
The state an imported history ends in, folded with one copy of the state.

:meth:`Complaint.replay <iso10002.model.complaint.Complaint.replay>` copies the whole state
(some fifty fields) once per event; an import only needs the last state, to summarise it. Here
the receipt gives the first state as the fold does, the changes of every later event are
gathered (each event reads the state as the events before it left it), and the state is
copied once. The result equals the replay's: the same steps of the fold
(:mod:`iso10002.model.complaint`), in the same order; ``tests/importing`` compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import attrs

from iso10002.errors import ValidationError
from iso10002.model.complaint import Complaint, _changes, _replace, apply
from iso10002.model.events import ComplaintReceived, Event

__all__ = ["final_state"]

_FIELDS = frozenset(a.name for a in attrs.fields(Complaint))


class _Folding:
    """The state as the events so far leave it: the changes gathered, over the first state."""

    __slots__ = ("_base", "_changes")

    def __init__(self, base: Complaint, changes: dict[str, Any]) -> None:
        self._base = base
        self._changes = changes

    def __getattr__(self, name: str) -> Any:
        if name not in _FIELDS:  # a property: computed on the state itself
            return getattr(_replace(self._base, self._changes), name)
        try:
            return self._changes[name]
        except KeyError:
            return getattr(self._base, name)


def final_state(events: Sequence[Event]) -> Complaint:
    """
    ``Complaint.replay(events)``, for a whole history of one complaint built by an importer.

    Raises:
        ValidationError: as the replay, on an empty history, one that does not start with a
            receipt, mixes complaints or breaks the sequence.
    """
    if not events:
        raise ValidationError("events", "a history needs at least the receipt event")
    first = apply(None, events[0])
    if len(events) == 1:
        return first
    changes: dict[str, Any] = {}
    folding = cast(Complaint, _Folding(first, changes))
    version = first.version
    for event in events[1:]:
        payload = event.payload
        if (
            event.complaint_id != first.id
            or event.seq != version + 1
            or isinstance(payload, ComplaintReceived)
        ):
            return Complaint.replay(events)  # which raises the fold's own error
        changes.update(_changes(folding, event, payload))
        version = event.seq
    last = events[-1]
    changes["version"] = last.seq
    changes["state"] = last.state
    changes["last_event_at"] = last.occurred_at
    return _replace(first, changes)
