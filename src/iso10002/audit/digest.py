"""
The digest an audit report's JSON carries of its own content, the signature it may carry of
that digest, and the check of both; and the signature of an attestation.

The digest is a SHA-256 of the report's data in canonical JSON, without the digest and the
signature. :func:`verify_report` also requires the text to be exactly the rendering
:func:`~iso10002.audit.reports.report_to_json` gives of that data, so a change of any byte,
spacing included, is detected. :func:`sign_report` adds a ``signature`` of the digest, made
with a :class:`~iso10002.audit.signing.SigningKey`: the digest covers every other field, the
sign-off's who and when included, so the signature does too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import attrs

from iso10002.audit.findings import Attestation
from iso10002.audit.signing import SigningKey, signature_from_dict, signature_to_dict
from iso10002.errors import SerializationError, ValidationError
from iso10002.serialization import canonical_json, parse_json, pretty_json, unstructure

__all__ = [
    "DIGEST_FIELD",
    "SIGNATURE_FIELD",
    "ReportCheck",
    "attestation_content",
    "check_attestation",
    "check_sealed_json",
    "report_digest",
    "sealed_json",
    "sign_attestation",
    "sign_report",
    "verify_report",
]

DIGEST_FIELD = "digest"
"""The report field that holds the digest, as ``sha256:<hex>``."""

SIGNATURE_FIELD = "signature"
"""The report field that holds the signature of the digest, when the report is signed."""


def report_digest(data: Mapping[str, Any]) -> str:
    """The digest of a report's JSON data, over every field but the digest and signature."""
    content = {k: v for k, v in data.items() if k not in (DIGEST_FIELD, SIGNATURE_FIELD)}
    return "sha256:" + hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


@attrs.frozen
class ReportCheck:
    """The outcome of :func:`verify_report`: whether the report is intact, and if not why."""

    ok: bool
    reason: str


def sealed_json(data: dict[str, Any]) -> str:
    """``data`` as JSON text (indented by 2) with its ``digest`` added, last."""
    sealed = {k: v for k, v in data.items() if k != DIGEST_FIELD}
    sealed[DIGEST_FIELD] = report_digest(sealed)
    return pretty_json(sealed, indent=2) + "\n"


def check_sealed_json(text: str | bytes, what: str = "report") -> tuple[dict[str, Any] | None, str]:
    """
    The data of JSON text sealed by its ``digest`` (a report, :func:`sealed_json`) if the
    digest and the text are intact, else None and why.
    """
    try:
        raw = text.decode("utf-8") if isinstance(text, bytes) else text
        data = parse_json(raw)
    except (UnicodeDecodeError, SerializationError) as e:
        return None, f"not a JSON {what}: {e}"
    if not isinstance(data, dict) or not isinstance(data.get(DIGEST_FIELD), str):
        return None, f"no {DIGEST_FIELD!r} field"
    if data[DIGEST_FIELD] != report_digest(data):
        return None, "the content does not match its digest"
    body = raw[:-1] if raw.endswith("\n") else raw
    if body not in (pretty_json(data, indent=2), pretty_json(data, indent=None)):
        return None, "the text differs from the rendering of its content"
    return data, ""


def verify_report(text: str | bytes, *, key: SigningKey | None = None) -> ReportCheck:
    """
    Check a report written by :func:`~iso10002.audit.reports.report_to_json`: its digest is
    that of its content, and its text is exactly the rendering of that content. With ``key``,
    the report must also carry that key's signature of its digest (:func:`sign_report`).
    """
    data, why = check_sealed_json(text)
    if data is None:
        return ReportCheck(False, why)
    digest = data[DIGEST_FIELD]
    if key is None:
        return ReportCheck(True, f"intact ({digest})")
    if data.get(SIGNATURE_FIELD) is None:
        return ReportCheck(False, "the report is not signed")
    try:
        signature = signature_from_dict(data[SIGNATURE_FIELD], path="$.signature")
    except SerializationError as e:
        return ReportCheck(False, f"the signature is malformed: {e}")
    wrong = key.check(digest.encode("utf-8"), signature)
    if wrong is not None:
        return ReportCheck(False, f"the signature does not verify: {wrong}")
    return ReportCheck(True, f"intact ({digest}) and signed ({signature.algorithm})")


def sign_report(text: str | bytes, key: SigningKey) -> str:
    """
    The report's JSON text with ``key``'s signature of its digest added (one replaced).

    Raises:
        ValidationError: the report is not intact (field ``report``), or the key cannot sign.
    """
    data, why = check_sealed_json(text)
    if data is None:
        raise ValidationError("report", why)
    data[SIGNATURE_FIELD] = signature_to_dict(key.sign(data[DIGEST_FIELD].encode("utf-8")))
    # The digest stays last, as report_to_dict writes it.
    data[DIGEST_FIELD] = data.pop(DIGEST_FIELD)
    return pretty_json(data, indent=2) + "\n"


def attestation_content(attestation: Attestation) -> bytes:
    """What an attestation's signature covers: its canonical JSON, without the signature."""
    data = unstructure(attestation)
    data.pop("signature", None)
    return canonical_json(data).encode("utf-8")


def sign_attestation(attestation: Attestation, key: SigningKey) -> Attestation:
    """``attestation`` signed with ``key``: who, when, what and the evidence are covered."""
    return attrs.evolve(attestation, signature=key.sign(attestation_content(attestation)))


def check_attestation(attestation: Attestation, key: SigningKey) -> str | None:
    """Why ``attestation`` does not carry ``key``'s signature of its content; None if it does."""
    if attestation.signature is None:
        return "the attestation is not signed"
    return key.check(attestation_content(attestation), attestation.signature)
