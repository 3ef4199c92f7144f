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

from typing import Protocol, runtime_checkable

from iso10002.model.notification import Delivery, Notification

__all__ = ["Notifier"]


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
