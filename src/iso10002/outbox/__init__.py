"""
The transactional outbox (ISO 10002 7.3, 7.4, 7.8): notifications written in the same
transaction as the events that caused them, then delivered at least once, in order per
complaint, with retries, dead letters, business hours and digests.

- :class:`OutboxEntry` (what to enqueue), :class:`OutboxRecord` and :class:`OutboxState` (what
  is stored), :class:`OutboxQuery`: values of the model (:mod:`iso10002.model.outbox`).
- :class:`OutboxStore`: the outbox part of the store port's level 2
  (:class:`~iso10002.ports.store.OutboxEventStore`), which the shipped stores implement.
- :mod:`~iso10002.outbox.dispatcher`: :class:`OutboxDispatcher` and :class:`DispatchReport`.
- :mod:`~iso10002.outbox.retry`: :class:`RetryPolicy`, exponential backoff with deterministic
  jitter.
- :mod:`~iso10002.outbox.digest`: :class:`DigestPolicy` and :func:`warning_digest`.
- :mod:`~iso10002.outbox.policy`: the desk's side, :class:`NotificationPolicy`,
  :class:`StaffRoute`, :class:`DeskChange` and the :data:`NotificationHook` type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iso10002.model.outbox import (
        OutboxEntry,
        OutboxQuery,
        OutboxRecord,
        OutboxState,
    )
    from iso10002.outbox.digest import DigestPolicy, DigestRenderer, warning_digest
    from iso10002.outbox.dispatcher import DispatchReport, OutboxDispatcher
    from iso10002.outbox.policy import (
        DeskChange,
        NotificationHook,
        NotificationPolicy,
        StaffRoute,
        urgent_breach,
    )
    from iso10002.outbox.retry import RetryPolicy
    from iso10002.ports.store import OutboxStore
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "DeskChange",
    "DigestPolicy",
    "DigestRenderer",
    "DispatchReport",
    "NotificationHook",
    "NotificationPolicy",
    "OutboxDispatcher",
    "OutboxEntry",
    "OutboxQuery",
    "OutboxRecord",
    "OutboxState",
    "OutboxStore",
    "RetryPolicy",
    "StaffRoute",
    "urgent_breach",
    "warning_digest",
]
