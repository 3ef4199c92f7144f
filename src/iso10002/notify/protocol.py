"""
The :class:`Notifier` seam: deliver one notification, report the outcome.

A notifier makes **one attempt** and reports it: a :class:`Delivery` when the next hop (the mail
server, the webhook receiver) accepted the notification, a
:class:`~iso10002.errors.DeliveryError` when it did not. Retrying, backing off and giving up are
the caller's business (an outbox dispatcher), guided by ``DeliveryError.retryable``.

Delivery is *at least once*: when a connection breaks after the receiver took the message but
before it said so, the attempt counts as failed and the notification is sent again later. The
resend carries the same idempotency key, so the receiver can drop the duplicate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from iso10002.errors import DeliveryError
from iso10002.model import _checks as check
from iso10002.notify.message import Notification, _utc

__all__ = ["Delivery", "DeliveryError", "Notifier"]


@attrs.frozen(kw_only=True)
class Delivery:
    """A notification was accepted by the next hop: what answered, and when."""

    idempotency_key: str = attrs.field(validator=check.text)
    """The delivered notification's key."""
    channel: str = attrs.field(validator=check.text)
    """The notifier that delivered it: ``"smtp"``, ``"webhook"``, ``"recording"`` or another."""
    delivered_at: datetime = attrs.field(converter=_utc, validator=check.aware)
    """When the next hop accepted it, from the notifier's clock, in UTC."""
    status: str = attrs.field(validator=check.text)
    """The receiver's answer, e.g. ``"SMTP 250 2.0.0 Ok: queued as 4F3A"`` or ``"HTTP 202"``."""
    message_id: str | None = attrs.field(default=None, validator=check.optional_text)
    """The id the message travels under: the e-mail's ``Message-ID``, a webhook receiver's
    ``X-Request-Id``; ``None`` when there is none."""


@runtime_checkable
class Notifier(Protocol):
    """**Protocol:** something that delivers notifications, one attempt per call."""

    def send(self, notification: Notification) -> Delivery:
        """
        Try once to deliver ``notification``.

        Returns:
            the :class:`Delivery` when the receiver accepted it.

        Raises:
            DeliveryError: when it was not delivered; ``retryable`` says whether a later attempt
                may succeed. The message names the notification's idempotency key and complaint
                reference, never its recipient or content.
        """
        ...


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
