"""
Digests: many due notifications for one recipient merged into one message.

A timeliness warning is worth one line, not one e-mail: when a tick raises 5,000 warnings, the
staff should get one message listing the references, not 5,000 (a notification storm). Entries
enqueued with ``digest=True`` (the :class:`~iso10002.outbox.policy.NotificationPolicy` marks
SLA warnings so) are merged by the dispatcher, per channel and recipient, into one
``warning_digest`` notification; the merged records are delivered with it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.notification import Notification, NotificationKind
from iso10002.model.outbox import OutboxRecord

__all__ = ["DigestPolicy", "DigestRenderer", "digest_key", "warning_digest"]

DigestRenderer = Callable[[Sequence[OutboxRecord], _dt.datetime], Notification]
"""Builds the digest of the given records (one channel, one recipient), made at the instant."""


def digest_key(records: Sequence[OutboxRecord]) -> str:
    """
    The digest's idempotency key: derived from the merged keys alone, so the same records
    always make the same key.
    """
    joined = "\n".join(sorted(r.idempotency_key for r in records))
    return f"warning_digest:{hashlib.sha256(joined.encode('ascii')).hexdigest()[:40]}"


def _line(record: OutboxRecord) -> str:
    data = record.notification.data
    parts = [record.complaint_reference or record.idempotency_key]
    metric = data.get("metric")
    if isinstance(metric, str):
        parts.append(metric)
    percent = data.get("percent")
    if isinstance(percent, int):
        parts.append(f"{percent} %")
    due = data.get("due_at")
    if isinstance(due, str):
        parts.append(f"due {due}")
    return "  ".join(parts)


def warning_digest(records: Sequence[OutboxRecord], now: _dt.datetime) -> Notification:
    """
    The default digest: one line per merged notification, with the complaint reference and,
    when the notification's ``data`` has them, the metric, the share of time used and the
    deadline. ``data`` holds ``count``, ``references`` and ``items`` (the merged keys and the
    same facts) for a webhook. It carries no personal data as long as the merged
    notifications' ``data`` carries none.
    """
    if not records:
        raise ValidationError("records", "a digest needs at least one record")
    first = records[0].notification
    references = sorted({r.complaint_reference for r in records if r.complaint_reference})
    count = len(records)
    noun = "notification" if count == 1 else "notifications"
    lines = [f"{count} timeliness {noun}, oldest first:", ""]
    lines.extend(_line(r) for r in records)
    items: list[dict[str, Any]] = []
    for r in records:
        data = r.notification.data
        items.append(
            {
                "idempotency_key": r.idempotency_key,
                "complaint_reference": r.complaint_reference,
                "kind": r.kind,
                **{k: data[k] for k in ("metric", "level", "percent", "due_at") if k in data},
            }
        )
    return Notification(
        idempotency_key=digest_key(records),
        complaint_reference=None,
        kind=NotificationKind.WARNING_DIGEST,
        recipient=first.recipient,
        subject=f"Timeliness warnings: {len(references)} complaints",
        text="\n".join(lines) + "\n",
        language=first.language,
        created_at=now,
        data={"count": count, "references": references, "items": items},
    )


def _renderer(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise ValidationError(attribute.name, f"expected a callable, got {type(value).__name__}")


@attrs.frozen(kw_only=True)
class DigestPolicy:
    """
    How a dispatcher merges digestible notifications.

    Args:
        min_size: merge only when at least this many are due for one channel and recipient;
            fewer are sent one by one.
        max_size: the most notifications one digest lists; more make several digests.
        render: builds the digest notification; :func:`warning_digest` by default.
    """

    min_size: int = attrs.field(default=2, validator=check.int_range(1, 1_000_000))
    max_size: int = attrs.field(default=10_000, validator=check.int_range(1, 1_000_000))
    render: DigestRenderer = attrs.field(default=warning_digest, validator=_renderer)

    def __attrs_post_init__(self) -> None:
        if self.max_size < self.min_size:
            raise ValidationError("max_size", "must not be smaller than min_size")
