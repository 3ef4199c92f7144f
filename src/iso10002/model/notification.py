"""
The :class:`Notification` value: one message to one recipient, ready for any notifier.

A notification is built once (by the desk, or by an application) and may then be stored in an
outbox and handed to a notifier several times until it is delivered. Its ``idempotency_key``
stays the same across those attempts, so that the receiving side can recognise a resend: it
becomes the e-mail's ``Message-ID`` and the webhook's ``Idempotency-Key`` header.

The recipient, the subject, the bodies and ``personal`` may hold personal data; ``data`` must not.
They are left out of the notification's ``repr`` and out of every log line and error message of the
notifiers, which name a notification by its idempotency key and complaint reference instead. A
webhook sends ``data`` to every endpoint, and the personal parts only to an endpoint configured
with ``include_personal_data=True``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from enum import Enum
from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model._checks import shown
from iso10002.model.personal import PERSONAL

__all__ = ["Delivery", "Notification", "NotificationKind"]


class NotificationKind(str, Enum):
    """
    The kinds of notification the library itself produces.

    ``Notification.kind`` is a plain string so that an application can add kinds of its own
    (``"csat_reminder"``); these members are the names the library uses, and they compare equal
    to their values.
    """

    ACKNOWLEDGEMENT = "acknowledgement"
    """The complaint was received and is acknowledged (ISO 10002 7.4)."""
    PROGRESS_UPDATE = "progress_update"
    """The complainant is told where the complaint stands (7.3)."""
    HOLDING_RESPONSE = "holding_response"
    """The deadline cannot be met; the complainant is told why and until when."""
    REQUEST_FOR_INFORMATION = "request_for_information"
    """More information is needed from the complainant."""
    DECISION = "decision"
    """The decision and the options left to the complainant (7.8)."""
    SUMMARY_RESOLUTION = "summary_resolution"
    """A complaint resolved by the close of the third business day (FCA DISP 1.5)."""
    ESCALATION = "escalation"
    """Staff: a complaint was escalated or referred."""
    SLA_WARNING = "sla_warning"
    """Staff: a timeliness metric reached its warning point."""
    SLA_BREACH = "sla_breach"
    """Staff: a timeliness metric breached its deadline."""
    WARNING_DIGEST = "warning_digest"
    """Staff: one message listing many warnings, instead of one message each."""
    SATISFACTION_SURVEY = "satisfaction_survey"
    """The complainant is asked about the handling of the complaint (8.3)."""


# Printable ASCII without spaces: the key travels in mail and HTTP headers as it is.
_KEY = re.compile(r"^[!-~]{1,200}$")
_KIND = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
# A BCP 47 tag in its common shapes (en, cy, fr-CA, zh-Hant-TW); registry checks are overkill.
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _key(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _KEY.match(value):
        raise ValidationError(
            attribute.name,
            f"must be 1-200 printable ASCII characters without spaces (got {shown(value)})",
        )


def _reference(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _KEY.match(value)):
        raise ValidationError(
            attribute.name,
            f"must be None or printable ASCII without spaces, such as CMP-2026-000123 "
            f"(got {shown(value)})",
        )


def _kind_value(value: object) -> object:
    return value.value if isinstance(value, NotificationKind) else value


def _kind(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _KIND.match(value):
        allowed = ", ".join(k.value for k in NotificationKind)
        raise ValidationError(
            attribute.name,
            f"{shown(value)} is not a kind name (lower-case letters, digits, '_', '.', '-'; "
            f"the library's kinds: {allowed})",
        )


def _single_line(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # A line break in a header value would let text inject headers of its own.
    check.text(_inst, attribute, value)
    if _CONTROL.search(str(value)):
        raise ValidationError(attribute.name, "must be one line without control characters")


def _language(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _LANGUAGE.match(value):
        raise ValidationError(
            attribute.name, f"{shown(value)} is not a language tag such as en, cy or fr-CA"
        )


def _utc(value: object) -> object:
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value.astimezone(timezone.utc)
    return value


def _json_copy(value: object, path: str) -> Any:
    """A copy of ``value`` made of dicts, lists, text, numbers, booleans and None only."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(path, f"{shown(value)} has no JSON form")
        return value
    if isinstance(value, Mapping):
        copy: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError(path, f"keys must be text, got {type(key).__name__}")
            copy[key] = _json_copy(item, f"{path}.{key}")
        return copy
    if isinstance(value, (list, tuple)):
        return [_json_copy(item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise ValidationError(path, f"{type(value).__name__} has no JSON form")


def _json_object(value: object, name: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(name, f"expected a mapping, got {type(value).__name__}")
    copied: dict[str, Any] = _json_copy(value, name)
    return copied


def _json_data(value: object) -> dict[str, Any]:
    return _json_object(value, "data")


def _json_personal(value: object) -> dict[str, Any]:
    return _json_object(value, "personal")


@attrs.frozen(kw_only=True)
class Notification:
    """
    One message for one recipient, independent of how it is sent.

    Only ``idempotency_key``, ``complaint_reference``, ``kind``, ``language`` and ``created_at``
    appear in its ``repr``: the other fields may be personal data, or reveal some. The recipient,
    the subject and the bodies are marked as personal data (:mod:`iso10002.model.personal`), so
    that an error reading a stored notification names them without repeating them.
    """

    idempotency_key: str = attrs.field(validator=_key)
    """
    Stable id of this notification: the same on every attempt to send it, different for every
    other notification. Up to 200 printable ASCII characters without spaces, for example
    ``"CMP-2026-000123:decision:1"``.
    """
    complaint_reference: str | None = attrs.field(validator=_reference)
    """The complaint it is about; ``None`` for one that is about many, such as a digest."""
    kind: str = attrs.field(converter=_kind_value, validator=_kind)
    """What it is for: a :class:`NotificationKind` or an application's own kind name."""
    recipient: str = attrs.field(validator=_single_line, repr=False, metadata=PERSONAL)
    """An e-mail address for :class:`~iso10002.notify.smtp.SmtpNotifier`, an endpoint name for
    :class:`~iso10002.notify.webhook.WebhookNotifier`."""
    subject: str = attrs.field(validator=_single_line, repr=False, metadata=PERSONAL)
    """One line: the e-mail's subject."""
    text: str = attrs.field(validator=check.text, repr=False, metadata=PERSONAL)
    """The plain-text body; always present, so every reader can show the message."""
    html: str | None = attrs.field(
        default=None, validator=check.optional_text, repr=False, metadata=PERSONAL
    )
    """An HTML version of the body; the e-mail is then multipart/alternative."""
    language: str = attrs.field(default="en", validator=_language)
    """BCP 47 tag of the language the message is written in, e.g. ``en``, ``cy``, ``fr-CA``."""
    created_at: datetime = attrs.field(converter=_utc, validator=check.aware)
    """When the notification was made (the instant of the command that caused it), in UTC."""
    data: dict[str, Any] = attrs.field(factory=dict, converter=_json_data, repr=False, hash=False)
    """
    Machine-readable facts that are **not** personal data, for webhooks (JSON values only, copied
    on construction): references, ids, kinds, states, instants, outcomes, amounts. Every webhook
    endpoint receives them.
    """
    personal: dict[str, Any] = attrs.field(
        factory=dict, converter=_json_personal, repr=False, hash=False
    )
    """
    Machine-readable facts that are personal data (a name, an address, a customer id), JSON values
    only. A webhook sends them, with the subject and the bodies, only to an endpoint configured
    with ``include_personal_data=True``.
    """


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
