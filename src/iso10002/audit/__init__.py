"""
Audit (ISO 10002 8.5, 8.6): principles, criteria evaluated against configuration and history,
findings, reports, management review.

Nothing else in the library imports this package: it reads the others (the store, the
programme configuration, the timeliness policies) and judges them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# These names are also the names of submodules, which importing the submodule would bind
# in their place; so they are bound now, after their submodule, rather than on first use.
from iso10002.audit.criteria import ConfigOutcome, Criterion, criteria, criterion
from iso10002.audit.principles import Principle, principle, principles

if TYPE_CHECKING:
    from iso10002.audit.actions import (
        ActionStatus,
        ImprovementAction,
        actions_from_json,
        actions_to_json,
    )
    from iso10002.audit.digest import (
        ReportCheck,
        check_attestation,
        sign_attestation,
        sign_report,
        verify_report,
    )
    from iso10002.audit.evidence import (
        EVIDENCE_FORMAT,
        EvidenceCheck,
        EvidencePack,
        build_evidence_pack,
        masked_event,
        verify_evidence_pack,
    )
    from iso10002.audit.findings import (
        REPORT_FORMAT,
        Attestation,
        AuditReport,
        Evidence,
        EvidenceKind,
        Finding,
        FindingStatus,
        RecordState,
        Weight,
    )
    from iso10002.audit.reports import (
        report_to_dict,
        report_to_html,
        report_to_json,
        report_to_markdown,
    )
    from iso10002.audit.review import (
        ReviewInput,
        ReviewPack,
        build_review_pack,
        review_to_dict,
        review_to_html,
        review_to_json,
        review_to_markdown,
    )
    from iso10002.audit.run import KNOWN_MEASURES, AuditContext, run_audit, sample_references
    from iso10002.audit.signing import Signature, SigningKey, ed25519_keypair, read_key
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "EVIDENCE_FORMAT",
    "KNOWN_MEASURES",
    "REPORT_FORMAT",
    "ActionStatus",
    "Attestation",
    "AuditContext",
    "AuditReport",
    "ConfigOutcome",
    "Criterion",
    "Evidence",
    "EvidenceCheck",
    "EvidenceKind",
    "EvidencePack",
    "Finding",
    "FindingStatus",
    "ImprovementAction",
    "Principle",
    "RecordState",
    "ReportCheck",
    "ReviewInput",
    "ReviewPack",
    "Signature",
    "SigningKey",
    "Weight",
    "actions_from_json",
    "actions_to_json",
    "build_evidence_pack",
    "build_review_pack",
    "check_attestation",
    "criteria",
    "criterion",
    "ed25519_keypair",
    "masked_event",
    "principle",
    "principles",
    "read_key",
    "report_to_dict",
    "report_to_html",
    "report_to_json",
    "report_to_markdown",
    "review_to_dict",
    "review_to_html",
    "review_to_json",
    "review_to_markdown",
    "run_audit",
    "sample_references",
    "sign_attestation",
    "sign_report",
    "verify_evidence_pack",
    "verify_report",
]
