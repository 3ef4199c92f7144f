"""
What an audit produces: criteria, findings with their evidence, attestations, and the report.

These are plain values; :mod:`iso10002.audit.run` fills them, :mod:`iso10002.audit.reports`
renders them. The JSON form of :class:`AuditReport` (``report_to_dict``) is stable: fields are
added, never renamed or removed, within a major version.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from enum import Enum

import attrs

from iso10002.audit.signing import Signature
from iso10002.model import _checks as check

__all__ = [
    "REPORT_FORMAT",
    "Attestation",
    "AuditReport",
    "Evidence",
    "EvidenceKind",
    "Finding",
    "FindingStatus",
    "RecordState",
    "Weight",
]

REPORT_FORMAT = "iso10002-audit/1"
"""Identifies the JSON layout of an audit report; bumped only by an incompatible change."""


class EvidenceKind(str, Enum):
    """Where a criterion's evidence comes from."""

    HISTORY = "history"
    """Computed from the complaints' event histories."""
    CONFIGURATION = "configuration"
    """Computed from the programme configuration."""
    ATTESTATION = "attestation"
    """Stated by a named person, with evidence, and recorded."""


class Weight(str, Enum):
    """How serious a failure of the criterion is."""

    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"


class FindingStatus(str, Enum):
    """The outcome of one criterion."""

    CONFORMING = "conforming"
    MINOR_NONCONFORMITY = "minor_nonconformity"
    MAJOR_NONCONFORMITY = "major_nonconformity"
    OBSERVATION = "observation"
    NOT_APPLICABLE = "not_applicable"
    """Nothing in the period or configuration that the criterion applies to."""
    AWAITING_ATTESTATION = "awaiting_attestation"
    """An attested criterion nobody has attested yet."""

    @classmethod
    def failing(cls, weight: Weight) -> FindingStatus:
        """The status of a failed criterion of ``weight``."""
        return {
            Weight.MAJOR: cls.MAJOR_NONCONFORMITY,
            Weight.MINOR: cls.MINOR_NONCONFORMITY,
            Weight.OBSERVATION: cls.OBSERVATION,
        }[weight]


@attrs.frozen(kw_only=True)
class Evidence:
    """
    What a finding rests on: how many complaints were checked, which did not conform (by
    reference, so an auditor can open each), and the configuration values used.
    """

    checked: int = 0
    failed: tuple[str, ...] = attrs.field(default=(), converter=check.to_tuple)
    """What did not conform, in order: complaint references, or for a configuration criterion
    the items its unit names (people, objectives, criteria of nonconformities)."""
    configuration: Mapping[str, str] = attrs.field(
        factory=dict, converter=check.to_str_mapping, hash=False
    )
    """The configuration values the criterion read, by dotted path."""
    notes: tuple[str, ...] = attrs.field(default=(), converter=check.to_tuple)
    unit: str = "complaints"
    """What ``checked`` and ``failed`` count, in the plural: complaints, people, ..."""
    unmet: tuple[str, ...] = attrs.field(default=(), converter=check.to_tuple)
    """For a criterion a sample meets (satisfaction measured): the complaints without it,
    which are not nonconformities."""

    @property
    def rate(self) -> float | None:
        """The share of what was checked that conformed (or had it), None if nothing was."""
        if not self.checked:
            return None
        return (self.checked - len(self.failed) - len(self.unmet)) / self.checked


@attrs.frozen(kw_only=True)
class Attestation:
    """
    A named person's statement that an attested criterion is met (or not), with the evidence
    they rely on; recorded in the report with who and when.
    """

    criterion: str = attrs.field(validator=check.text)
    by: str = attrs.field(validator=check.text)
    at: _dt.datetime = attrs.field(validator=check.aware)
    conforms: bool = attrs.field(validator=check.instance(bool))
    statement: str = attrs.field(validator=check.text)
    evidence: str = attrs.field(validator=check.text)
    """Where the evidence is: a document, a minute, a link."""
    signature: Signature | None = attrs.field(
        default=None, validator=check.optional_instance(Signature)
    )
    """The attester's signature of the rest, if signed
    (:func:`~iso10002.audit.digest.sign_attestation`)."""


@attrs.frozen(kw_only=True)
class Finding:
    """The outcome of one criterion in one audit, with its evidence."""

    criterion: str
    clause: str
    question: str
    evidence_kind: EvidenceKind
    weight: Weight
    status: FindingStatus
    summary: str
    """One sentence an auditor can read: what was found."""
    evidence: Evidence
    attestation: Attestation | None = None


@attrs.frozen(kw_only=True)
class RecordState:
    """
    The stored record the audit judged, as :func:`iso10002.integrity.verify` found it when the
    audit was taken: whether its hashes verified, its chain head and how many events it holds.
    """

    verified: bool | None
    """Whether every hash checked; None if the store keeps no hashes to check."""
    head: str | None = None
    """The log's last chain value: record it to detect a later truncation."""
    events: int | None = None
    """Events checked (up to the first bad one, if any)."""
    detail: str | None = None
    """Why it did not verify (the first bad record), or why it could not be checked; for a
    record that verifies as of the audit's instant, the bad record found after it, if any."""
    position: int | None = None
    """The log position of the last event covered (the last recorded by the audit's instant)."""
    reference: str | None = None
    """The complaint the first bad record belongs to, when it did not verify."""


@attrs.frozen(kw_only=True)
class AuditReport:
    """An audit of one store over one period: every criterion's finding, and the sample."""

    organisation: str | None
    programme_version: str | None
    period_from: _dt.date
    period_to: _dt.date
    """Exclusive: complaints received from ``period_from`` up to, not including, this day."""
    generated_at: _dt.datetime
    complaints: int
    """Complaints received in the period."""
    findings: tuple[Finding, ...]
    sample_seed: int
    sample: tuple[str, ...]
    """References drawn for manual review; the same seed and store give the same sample."""
    workflow: str | None = None
    """The name of the workflow the audit judged the histories against."""
    library_version: str = "unknown"
    """The version of iso10002 that made the audit."""
    record: RecordState | None = None
    """The stored record judged: verify result, chain head and event count."""
    configurations: tuple[str, ...] = ()
    """Fingerprints of the recorded configurations (timeliness policies and their calendars)
    the audited complaints ran under, sorted."""
    auditor: str | None = None
    """Who took the audit."""
    signed_off_by: str | None = None
    """Who signed the report off."""
    signed_off_at: _dt.datetime | None = None
    """When the report was signed off (the instant the sign-off was given, not the audit's)."""
    tenant: str | None = None
    """The organisation id (tenant) whose complaints the audit was kept to; None: every
    complaint in the store. (``organisation`` is the name the programme gives itself.)"""

    def finding(self, criterion: str) -> Finding:
        """The finding of ``criterion`` (KeyError if the audit has none)."""
        for f in self.findings:
            if f.criterion == criterion:
                return f
        raise KeyError(criterion)

    def counts(self) -> dict[FindingStatus, int]:
        """How many findings have each status (every status present, zero included)."""
        counted = dict.fromkeys(FindingStatus, 0)
        for f in self.findings:
            counted[f.status] += 1
        return counted
