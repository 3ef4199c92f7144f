"""
The digest an audit report's JSON carries of its own content, and the check of it.

The digest is a SHA-256 of the report's data in canonical JSON, without the digest itself.
:func:`verify_report` also requires the text to be exactly the rendering
:func:`~iso10002.audit.reports.report_to_json` gives of that data, so a change of any byte,
spacing included, is detected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import attrs

from iso10002.errors import SerializationError
from iso10002.serialization import canonical_json, parse_json, pretty_json

__all__ = ["DIGEST_FIELD", "ReportCheck", "report_digest", "verify_report"]

DIGEST_FIELD = "digest"
"""The report field that holds the digest, as ``sha256:<hex>``."""


def report_digest(data: Mapping[str, Any]) -> str:
    """The digest of a report's JSON data, over every field but the digest itself."""
    content = {k: v for k, v in data.items() if k != DIGEST_FIELD}
    return "sha256:" + hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


@attrs.frozen
class ReportCheck:
    """The outcome of :func:`verify_report`: whether the report is intact, and if not why."""

    ok: bool
    reason: str


def verify_report(text: str | bytes) -> ReportCheck:
    """
    Check a report written by :func:`~iso10002.audit.reports.report_to_json`: its digest is
    that of its content, and its text is exactly the rendering of that content.
    """
    try:
        raw = text.decode("utf-8") if isinstance(text, bytes) else text
        data = parse_json(raw)
    except (UnicodeDecodeError, SerializationError) as e:
        return ReportCheck(False, f"not a JSON report: {e}")
    if not isinstance(data, dict) or not isinstance(data.get(DIGEST_FIELD), str):
        return ReportCheck(False, f"no {DIGEST_FIELD!r} field")
    if data[DIGEST_FIELD] != report_digest(data):
        return ReportCheck(False, "the content does not match its digest")
    body = raw[:-1] if raw.endswith("\n") else raw
    if body not in (pretty_json(data, indent=2), pretty_json(data, indent=None)):
        return ReportCheck(False, "the text differs from the rendering of its content")
    return ReportCheck(True, f"intact ({data[DIGEST_FIELD]})")
