"""
What closed a complaint: ``close`` records a :class:`~iso10002.model.events.Closed`, and a
custom workflow step that leads into a closed state records its reason on its
:class:`~iso10002.model.events.StepRecorded`. Everything that asks "was it closed here, and
why" (guards, audit criteria, the public view) reads both through :func:`closure_of`, so a
custom closing step counts exactly as ``close`` does.
"""

from __future__ import annotations

from iso10002.model.events import Closed, StepRecorded

__all__ = ["closure_of"]


def closure_of(payload: object) -> Closed | None:
    """
    The closure an event's payload records: a ``Closed`` as it is, a custom step that closes
    (``StepRecorded`` with a ``closure_reason``) as the ``Closed`` it stands for, else ``None``.
    """
    if isinstance(payload, Closed):
        return payload
    if isinstance(payload, StepRecorded) and payload.closure_reason is not None:
        return Closed(reason=payload.closure_reason, duplicate_of=payload.duplicate_of)
    return None
