"""The :class:`~iso10002.errors.DeliveryError` every notifier raises, built one way."""

from __future__ import annotations

from iso10002.errors import DeliveryError
from iso10002.model.notification import Notification

__all__: list[str] = []


def _failure(
    notification: Notification,
    channel: str,
    reason: str,
    *,
    retryable: bool,
    status: str | None = None,
) -> DeliveryError:
    return DeliveryError(
        reason,
        idempotency_key=notification.idempotency_key,
        complaint_reference=notification.complaint_reference,
        channel=channel,
        retryable=retryable,
        status=status,
    )
