"""
The fold through ``attrs.evolve``: the reference the fold's fast copy (``_replace``) is held
to, a state built by the validated, public path from the same changes.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from iso10002.model.complaint import Complaint, _changes, apply
from iso10002.model.events import Event


def evolved_replay(events: Iterable[Event]) -> Complaint:
    """``Complaint.replay(events)``, each step after the first made with ``attrs.evolve``."""
    state: Complaint | None = None
    for event in events:
        if state is None:
            state = apply(None, event)
            continue
        changes = _changes(state, event, event.payload)
        state = attrs.evolve(
            state, **changes, version=event.seq, state=event.state, last_event_at=event.occurred_at
        )
    assert state is not None
    return state


def assert_same_state(fast: Complaint, reference: Complaint) -> None:
    """``fast`` is ``reference``: equal, holding exactly the fields, in order, and frozen."""
    assert type(fast) is Complaint
    assert fast == reference
    assert list(vars(fast)) == [a.name for a in attrs.fields(Complaint)]
    try:
        fast.version = 0  # type: ignore[misc]
    except attrs.exceptions.FrozenInstanceError:
        pass
    else:  # pragma: no cover - the fold made a mutable state
        raise AssertionError("a folded state can be changed")
