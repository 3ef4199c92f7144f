"""
The transactional outbox (ISO 10002 7.3, 7.4, 7.8): notifications written in the same
transaction as the events that caused them, then delivered at least once, in order per
complaint, with retries, dead letters, business hours and digests.

- :mod:`~iso10002.outbox.record`: :class:`OutboxEntry` (what to enqueue), :class:`OutboxRecord`
  and :class:`OutboxState` (what is stored), :class:`OutboxQuery`.
- :mod:`~iso10002.outbox.store`: the :class:`OutboxStore` protocol that outbox-capable event
  stores implement (in memory, SQLite, PostgreSQL).
- :mod:`~iso10002.outbox.dispatcher`: :class:`OutboxDispatcher` and :class:`DispatchReport`.
- :mod:`~iso10002.outbox.retry`: :class:`RetryPolicy`, exponential backoff with deterministic
  jitter.
- :mod:`~iso10002.outbox.digest`: :class:`DigestPolicy` and :func:`warning_digest`.
- :mod:`~iso10002.outbox.policy`: the desk's side, :class:`NotificationPolicy`,
  :class:`StaffRoute`, :class:`DeskChange` and the :data:`NotificationHook` type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from iso10002.outbox.digest import DigestPolicy, DigestRenderer, warning_digest
from iso10002.outbox.dispatcher import DispatchReport, OutboxDispatcher
from iso10002.outbox.record import (
    OutboxEntry,
    OutboxQuery,
    OutboxRecord,
    OutboxState,
)
from iso10002.outbox.retry import RetryPolicy
from iso10002.outbox.store import OutboxStore

if TYPE_CHECKING:
    from iso10002.outbox.policy import (
        DeskChange,
        NotificationHook,
        NotificationPolicy,
        StaffRoute,
        urgent_breach,
    )

# The stores import this package for the records they keep; the desk-side policy needs letters
# and timeliness, which sit above the stores, so it is loaded only when one of its names is used.
_POLICY_NAMES = frozenset(
    {"DeskChange", "NotificationHook", "NotificationPolicy", "StaffRoute", "urgent_breach"}
)


def __getattr__(name: str) -> Any:
    if name in _POLICY_NAMES:
        from iso10002.outbox import policy

        return getattr(policy, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
