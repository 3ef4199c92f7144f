"""
Notifications (ISO 10002 7.3, 7.8): one message for one recipient, and the notifiers that deliver
it, behind the one-method :class:`~iso10002.ports.notify.Notifier` protocol.

- :mod:`~iso10002.model.notification`: the values :class:`Notification`,
  :class:`NotificationKind` and :class:`Delivery`.
- :mod:`~iso10002.ports.notify`: the :class:`Notifier` seam; failures raise
  :class:`~iso10002.errors.DeliveryError` with ``retryable``.
- :mod:`~iso10002.notify.smtp`: :class:`SmtpNotifier`, e-mail with the standard library.
- :mod:`~iso10002.notify.webhook`: :class:`WebhookNotifier`, signed JSON over HTTP, and
  :func:`verify_signature` for receivers.
- :mod:`~iso10002.notify.recording`: :class:`RecordingNotifier`, for tests.

Notifiers make one attempt per call and never decide anything about a complaint; retrying is the
caller's job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iso10002.errors import DeliveryError
    from iso10002.model.notification import Delivery, Notification, NotificationKind
    from iso10002.notify.recording import RecordingNotifier
    from iso10002.notify.smtp import (
        COMPLAINT_REFERENCE_HEADER,
        IDEMPOTENCY_KEY_HEADER,
        KIND_HEADER,
        SmtpNotifier,
        SmtpSecurity,
    )
    from iso10002.notify.webhook import (
        SIGNATURE_HEADER,
        SIGNATURE_V2_HEADER,
        TIMESTAMP_HEADER,
        WEBHOOK_SCHEMA_VERSION,
        WebhookEndpoint,
        WebhookNotifier,
        sign_webhook,
        verify_signature,
        webhook_payload,
    )
    from iso10002.ports.notify import Notifier
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "COMPLAINT_REFERENCE_HEADER",
    "IDEMPOTENCY_KEY_HEADER",
    "KIND_HEADER",
    "SIGNATURE_HEADER",
    "SIGNATURE_V2_HEADER",
    "TIMESTAMP_HEADER",
    "WEBHOOK_SCHEMA_VERSION",
    "Delivery",
    "DeliveryError",
    "Notification",
    "NotificationKind",
    "Notifier",
    "RecordingNotifier",
    "SmtpNotifier",
    "SmtpSecurity",
    "WebhookEndpoint",
    "WebhookNotifier",
    "sign_webhook",
    "verify_signature",
    "webhook_payload",
]
