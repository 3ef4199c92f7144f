"""
:class:`WebhookNotifier`: notifications as signed JSON posted to an HTTP endpoint.

The request, for the endpoint named by ``notification.recipient``::

    POST <endpoint url>
    Content-Type: application/json
    Idempotency-Key: <notification.idempotency_key>
    X-Iso10002-Timestamp: <Unix time in seconds>
    X-Iso10002-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>." + body, keyed by the secret>
    X-Iso10002-Signature-V2: sha256=<hex HMAC-SHA256 of
        "v2.<timestamp>.<length of the key in bytes>.<idempotency key>." + body>

    {"complaint_reference": ..., "created_at": ..., "data": {...}, "endpoint": ...,
     "idempotency_key": ..., "kind": ..., "language": ..., "schema_version": 1}

The body is :func:`webhook_payload` as compact UTF-8 JSON with sorted keys; the same notification
gives the same body on every attempt. It holds no personal data unless the endpoint is configured
with ``include_personal_data=True``: only then are the subject, the bodies and the notification's
``personal`` facts sent. A receiver checks the request with :func:`verify_signature` over the
raw body bytes and the ``Idempotency-Key`` header (``idempotency_key=``, against the
``X-Iso10002-Signature-V2`` header), and drops a repeated key. The version 2 signature covers the
header a receiver deduplicates on: with the first signature alone, which covers the body, a
captured request replayed with another ``Idempotency-Key`` header verified and was processed
again. The first signature is still sent, unchanged, for receivers written against it; they
must deduplicate on the body's ``idempotency_key``, which it covers.

Answers: 2xx is delivered; 408, 429, 5xx, timeouts and broken connections are temporary
failures; every other answer is a permanent failure. Redirects are **not followed**: the signed
notification would go to a URL nobody configured (an open redirect on the receiver's side would
hand complaint data to a third party), and clients customarily turn a redirected POST into a
GET without the body. A redirect is reported as a permanent failure so that the endpoint's URL
gets corrected.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import math
import re
import ssl
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import attrs

from iso10002.clock import Clock, SystemClock
from iso10002.errors import DeliveryError, NaiveDatetimeError, ValidationError
from iso10002.model import _checks as check
from iso10002.model._checks import shown
from iso10002.model.notification import Delivery, Notification
from iso10002.notify._failure import _failure
from iso10002.serialization import canonical_json

__all__ = [
    "SIGNATURE_HEADER",
    "SIGNATURE_V2_HEADER",
    "TIMESTAMP_HEADER",
    "WEBHOOK_SCHEMA_VERSION",
    "WebhookEndpoint",
    "WebhookNotifier",
    "sign_webhook",
    "verify_signature",
    "webhook_payload",
]

WEBHOOK_SCHEMA_VERSION = 1
"""Version of the webhook body's schema; it changes only when a field changes meaning or goes."""
TIMESTAMP_HEADER = "X-Iso10002-Timestamp"
"""The request header with the signing time, in whole seconds since the Unix epoch."""
SIGNATURE_HEADER = "X-Iso10002-Signature"
"""The request header with the signature of the timestamp and the body, ``sha256=<hex>``."""
SIGNATURE_V2_HEADER = "X-Iso10002-Signature-V2"
"""The request header with the signature of the timestamp, the ``Idempotency-Key`` header and
the body, ``sha256=<hex>``."""

CHANNEL = "webhook"
_RESERVED_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "host",
        "idempotency-key",
        "user-agent",
        TIMESTAMP_HEADER.lower(),
        SIGNATURE_HEADER.lower(),
    }
)
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MIN_SECRET_BYTES = 16
# Enough of an answer to read it to its end on a kept-alive connection; nothing in it is used.
_MAX_RESPONSE_BYTES = 64 * 1024
_log = logging.getLogger("iso10002.notify")


def _secret_bytes(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _url(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.text(_inst, attribute, value)
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(attribute.name, "must be an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            attribute.name, "must not hold credentials; pass them in the endpoint's headers"
        )
    if parts.fragment or _CONTROL.search(str(value)) or " " in str(value):
        raise ValidationError(
            attribute.name, "must not have a fragment, spaces or control characters"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as e:
        raise ValidationError(attribute.name, f"has a bad port: {e}") from None


def _secret(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, (str, bytes)):
        raise ValidationError(attribute.name, f"expected text or bytes, got {type(value).__name__}")
    if len(_secret_bytes(value)) < _MIN_SECRET_BYTES:
        raise ValidationError(
            attribute.name,
            f"must be at least {_MIN_SECRET_BYTES} bytes; make one with secrets.token_hex(32)",
        )


def _headers(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError(attribute.name, f"expected a mapping, got {type(value).__name__}")
    for name, item in value.items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ValidationError(attribute.name, f"{shown(name)} is not a header name")
        if name.lower() in _RESERVED_HEADERS:
            raise ValidationError(attribute.name, f"{shown(name)} is set by the notifier itself")
        if not isinstance(item, str) or _CONTROL.search(item):
            raise ValidationError(f"{attribute.name}.{name}", "must be one line of text")
        if not _latin_1(item):
            # http.client would fail on it at every send, quoting the value (a token, often).
            raise ValidationError(
                f"{attribute.name}.{name}", "must be ISO-8859-1 text, as HTTP headers are"
            )


def _latin_1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _seconds(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValidationError(
            attribute.name, f"must be a positive number of seconds, got {value!r}"
        )


def _endpoints(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dict) or not value:
        raise ValidationError(attribute.name, "expected a non-empty mapping of names to endpoints")
    for name, endpoint in value.items():
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(attribute.name, f"names must be non-blank text, got {name!r}")
        if not isinstance(endpoint, WebhookEndpoint):
            raise ValidationError(
                f"{attribute.name}.{name}",
                f"expected WebhookEndpoint, got {type(endpoint).__name__}",
            )


@attrs.frozen(kw_only=True)
class WebhookEndpoint:
    """
    Where a webhook goes and how it is signed.

    Args:
        url: an ``http://`` or ``https://`` URL, without credentials in it.
        secret: the shared HMAC key, at least 16 bytes; never shown in ``repr``.
        include_personal_data: also send the personal data: the subject and the bodies (under
            ``"message"``) and the notification's ``personal`` facts (under ``"personal"``).
            Off by default, so that a receiver gets references, kinds, states, instants and
            other facts that are not personal data; turn it on only for a receiver that is
            meant to hold the complainant's data (a case-management system of your own).
        headers: extra request headers, e.g. ``{"Authorization": "Bearer ..."}``; never shown
            in ``repr``.
    """

    url: str = attrs.field(validator=_url)
    secret: str | bytes = attrs.field(validator=_secret, repr=False)
    include_personal_data: bool = attrs.field(default=False, validator=check.instance(bool))
    headers: dict[str, str] = attrs.field(
        factory=dict, converter=check.mapping_copy, validator=_headers, repr=False, hash=False
    )


def webhook_payload(
    notification: Notification, *, include_personal_data: bool = False
) -> dict[str, Any]:
    """
    The JSON document posted for ``notification`` (schema version :data:`WEBHOOK_SCHEMA_VERSION`).

    Keys: ``schema_version``, ``idempotency_key``, ``kind``, ``complaint_reference`` (or
    ``null``), ``endpoint`` (the endpoint's name), ``language``, ``created_at`` (ISO 8601, UTC)
    and ``data`` (the facts that are not personal data). With ``include_personal_data``, also
    ``message`` (``subject``, ``text`` and ``html`` or ``null``) and ``personal`` (the
    notification's personal facts).
    """
    payload: dict[str, Any] = {
        "schema_version": WEBHOOK_SCHEMA_VERSION,
        "idempotency_key": notification.idempotency_key,
        "kind": notification.kind,
        "complaint_reference": notification.complaint_reference,
        "endpoint": notification.recipient,
        "language": notification.language,
        "created_at": notification.created_at.isoformat(),
        "data": notification.data,
    }
    if include_personal_data:
        payload["message"] = {
            "subject": notification.subject,
            "text": notification.text,
            "html": notification.html,
        }
        payload["personal"] = notification.personal
    return payload


def _body(payload: Mapping[str, Any]) -> bytes:
    return canonical_json(payload).encode("utf-8")


def sign_webhook(
    secret: str | bytes, timestamp: str, body: bytes, *, idempotency_key: str | None = None
) -> str:
    """
    A signature header's value, ``sha256=<hex>``, for ``body`` sent at ``timestamp``: that of
    :data:`SIGNATURE_HEADER`, or with ``idempotency_key`` that of :data:`SIGNATURE_V2_HEADER`.
    """
    signed = timestamp.encode("ascii") + b"." + body
    if idempotency_key is not None:
        # The key's length keeps the parts apart: a key may hold the separator.
        key = idempotency_key.encode("utf-8", "surrogateescape")
        signed = b"v2." + timestamp.encode("ascii") + b".%d." % len(key) + key + b"." + body
    mac = hmac.new(_secret_bytes(secret), signed, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str | bytes,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance: timedelta = timedelta(minutes=5),
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> bool:
    """
    For receivers: is this request signed with ``secret``, and recent?

    Args:
        secret: the endpoint's shared secret.
        timestamp: the ``X-Iso10002-Timestamp`` header, as received.
        body: the request body, as received (the raw bytes, not re-encoded JSON).
        signature: the ``X-Iso10002-Signature-V2`` header as received when
            ``idempotency_key`` is given, else the ``X-Iso10002-Signature`` header.
        tolerance: how far the timestamp may be from ``now``, either way; older requests are
            refused so that a recorded request cannot be replayed later.
        now: the current instant (aware); by default the system clock's.
        idempotency_key: the ``Idempotency-Key`` header, as received: checked with the
            version 2 signature, so that a receiver may deduplicate on it.

    Returns:
        ``True`` only when the signature matches (compared in constant time) and the timestamp
        is within ``tolerance`` of ``now``.
    """
    if now is None:
        now = SystemClock().now()
    elif now.tzinfo is None or now.utcoffset() is None:
        raise NaiveDatetimeError("now")
    # Twelve digits reach the year 33658; anything longer is not a time this code signed.
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    try:
        signed_at = datetime.fromtimestamp(int(timestamp), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return False
    if abs(now - signed_at) > tolerance:
        return False
    expected = sign_webhook(secret, timestamp, body, idempotency_key=idempotency_key)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace"))


@attrs.frozen(kw_only=True, eq=False)
class WebhookNotifier:
    """
    Posts each notification to the endpoint named by ``notification.recipient``.

    Args:
        endpoints: the endpoints by name; a notification whose recipient names none fails
            permanently.
        connect_timeout: seconds to connect (and finish the TLS handshake).
        read_timeout: seconds to wait for each read of the answer.
        ssl_context: TLS settings for ``https`` endpoints; by default the system's trusted
            certificates and hostname checking.
        user_agent: the ``User-Agent`` header.
        clock: where the signing time and the delivery time come from.
    """

    endpoints: dict[str, WebhookEndpoint] = attrs.field(
        converter=check.mapping_copy, validator=_endpoints, repr=False
    )
    connect_timeout: float = attrs.field(default=5.0, validator=_seconds)
    read_timeout: float = attrs.field(default=10.0, validator=_seconds)
    ssl_context: ssl.SSLContext | None = attrs.field(
        default=None,
        repr=False,
        validator=attrs.validators.optional(check.instance(ssl.SSLContext)),
    )
    user_agent: str = attrs.field(default="iso10002-webhook/1", validator=check.text)
    clock: Clock = attrs.field(factory=SystemClock, repr=False, validator=check.instance(Clock))

    def request(self, notification: Notification) -> tuple[str, dict[str, str], bytes]:
        """
        The URL, headers and body :meth:`send` would post for ``notification`` now.

        Raises:
            DeliveryError: (permanent) when ``notification.recipient`` names no endpoint.
        """
        endpoint = self.endpoints.get(notification.recipient)
        if endpoint is None:
            raise _failure(
                notification,
                CHANNEL,
                "no webhook endpoint has that name "
                f"(configured: {', '.join(sorted(self.endpoints))})",
                retryable=False,
            )
        body = _body(
            webhook_payload(notification, include_personal_data=endpoint.include_personal_data)
        )
        timestamp = str(int(self.clock.now().timestamp()))
        headers = {
            **endpoint.headers,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": self.user_agent,
            "Idempotency-Key": notification.idempotency_key,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign_webhook(endpoint.secret, timestamp, body),
            SIGNATURE_V2_HEADER: sign_webhook(
                endpoint.secret, timestamp, body, idempotency_key=notification.idempotency_key
            ),
        }
        return endpoint.url, headers, body

    def send(self, notification: Notification) -> Delivery:
        """
        Post ``notification`` once; see :class:`~iso10002.ports.notify.Notifier`.

        Raises:
            DeliveryError: ``retryable`` for 408, 429, 5xx, a timeout or a broken connection;
                permanent for any other answer (redirects included) or an unknown endpoint.
        """
        try:
            url, headers, body = self.request(notification)
        except DeliveryError as e:
            _log.debug("%s", e)
            raise
        outcome = self._post(notification, url, headers, body)
        if isinstance(outcome, DeliveryError):
            _log.debug("%s", outcome)
            raise outcome
        _log.debug(
            "notification %r (complaint %s) delivered by webhook: %s",
            notification.idempotency_key,
            notification.complaint_reference,
            outcome.status,
        )
        return outcome

    def _connection(self, url: str) -> tuple[http.client.HTTPConnection, str]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, parts.port, timeout=self.connect_timeout, context=self.ssl_context
            )
        else:
            connection = http.client.HTTPConnection(host, parts.port, timeout=self.connect_timeout)
        return connection, target

    def _post(
        self, notification: Notification, url: str, headers: dict[str, str], body: bytes
    ) -> Delivery | DeliveryError:
        connection, target = self._connection(url)
        step = "connect"
        try:
            connection.connect()
            if connection.sock is not None:
                connection.sock.settimeout(self.read_timeout)
            step = "request"
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            response.read(_MAX_RESPONSE_BYTES)
            status = response.status
            request_id = response.getheader("X-Request-Id")
        except TimeoutError as e:
            limit = self.connect_timeout if step == "connect" else self.read_timeout
            raise _failure(
                notification,
                CHANNEL,
                f"the endpoint did not answer within {limit:g} s ({step})",
                retryable=True,
            ) from e
        except (http.client.HTTPException, OSError) as e:
            raise _failure(
                notification,
                CHANNEL,
                f"could not talk to the endpoint ({step}: {type(e).__name__})",
                retryable=True,
            ) from e
        finally:
            connection.close()
        code = f"HTTP {status}"
        if 200 <= status <= 299:
            return Delivery(
                idempotency_key=notification.idempotency_key,
                channel=CHANNEL,
                delivered_at=self.clock.now(),
                status=code,
                message_id=request_id.strip()[:200] if request_id and request_id.strip() else None,
            )
        if 300 <= status <= 399:
            return _failure(
                notification,
                CHANNEL,
                "the endpoint answered with a redirect, which is not followed: "
                "configure the final URL",
                retryable=False,
                status=code,
            )
        retryable = status in (408, 429) or 500 <= status <= 599
        reason = (
            "the endpoint is unavailable" if retryable else "the endpoint refused the notification"
        )
        return _failure(notification, CHANNEL, reason, retryable=retryable, status=code)
