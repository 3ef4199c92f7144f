"""
The public API: ``iso10002.__all__`` is sorted, complete, and changes only on purpose.

Applications import from ``iso10002`` alone. ``PUBLIC_API`` below pins the exported names, so
adding, renaming or removing one is a deliberate change to this test (and to CHANGELOG.md).
"""

from __future__ import annotations

import inspect
import re
import types

import iso10002

PUBLIC_API = [
    "DEFAULT_GRANTS",
    "DEFAULT_NO_REPLY_PERIOD",
    "DEFAULT_SCOPES",
    "ERASED",
    "SCHEMA_VERSION",
    "AccessDecision",
    "AccessLog",
    "Acknowledged",
    "Action",
    "ActionKind",
    "Actor",
    "AlertLevel",
    "Append",
    "Assessed",
    "Assessment",
    "Assigned",
    "Attachment",
    "Attestation",
    "AuditReport",
    "Authorizer",
    "AvailableCommand",
    "BatchFlushError",
    "BatchingStore",
    "BusinessCalendar",
    "Channel",
    "Classification",
    "Classified",
    "ClientKeyReused",
    "Clock",
    "Closed",
    "ClosureReason",
    "ColumnMapping",
    "CommandRejected",
    "Communication",
    "CommunicationKind",
    "CommunicationRecorded",
    "Complainant",
    "Complaint",
    "ComplaintDesk",
    "ComplaintFacts",
    "ComplaintId",
    "ComplaintKey",
    "ComplaintNotFound",
    "ComplaintQuery",
    "ComplaintReceived",
    "ComplaintSummary",
    "Complexity",
    "ConcurrencyConflict",
    "ConformanceReport",
    "ContactDetails",
    "ContactMethod",
    "CorruptRecord",
    "DeadlineExtended",
    "Decision",
    "DecisionCarriedOut",
    "DecisionCommunicated",
    "DecisionMade",
    "DefaultPriorityPolicy",
    "DefinitionError",
    "Delivery",
    "DeliveryError",
    "DenialRecord",
    "DenialStore",
    "DeskChange",
    "DigestPolicy",
    "Direction",
    "DispatchReport",
    "DueAt",
    "DuplicateKeyError",
    "EligibilityRules",
    "ErasureReport",
    "EscalationHook",
    "Event",
    "EventPayload",
    "EventStore",
    "EvidenceCheck",
    "ExtensionKind",
    "Finding",
    "FindingStatus",
    "FixedClock",
    "Guard",
    "GuardContext",
    "GuardFailed",
    "GuardOutlook",
    "HoldEnded",
    "HoldStarted",
    "Holiday",
    "Impact",
    "ImportFileError",
    "ImportReport",
    "ImportSource",
    "ImprovementAction",
    "InMemoryAccessLog",
    "InMemoryEventStore",
    "IntakeResult",
    "InternalReviewRequested",
    "InvalidTransition",
    "InvestigationStarted",
    "Iso10002Error",
    "KpiReport",
    "LegalHoldPlaced",
    "LegalHoldReleased",
    "Letter",
    "LetterKind",
    "LetterSettings",
    "LetterTemplate",
    "LetterWriter",
    "Metric",
    "MetricOutcome",
    "MetricStatus",
    "Money",
    "NaiveDatetimeError",
    "Note",
    "NoteAdded",
    "Notification",
    "NotificationPolicy",
    "Notifier",
    "On",
    "OutboxDispatcher",
    "OutboxEntry",
    "OutboxQuery",
    "OutboxRecord",
    "OutboxState",
    "OutboxStore",
    "Outcome",
    "Ownership",
    "Page",
    "PermissionDenied",
    "PersonalDataErased",
    "PersonalDataStore",
    "PolicyRule",
    "PostgresEventStore",
    "Priority",
    "PriorityPolicy",
    "ProductOrService",
    "Programme",
    "PublicDeadline",
    "PublicDecision",
    "PublicEntry",
    "PublicView",
    "Question",
    "QueueBucket",
    "QueueItem",
    "Reaction",
    "ReactionRecorded",
    "RecordingNotifier",
    "ReferenceFormat",
    "ReferredExternally",
    "Remedy",
    "RemedyKind",
    "ReopenRule",
    "Reopened",
    "Representative",
    "RetentionPolicy",
    "RetentionRule",
    "RetentionStart",
    "RetryPolicy",
    "Role",
    "RoleBasedAuthorizer",
    "RootCause",
    "RootCauseRecorded",
    "RowError",
    "SQLiteEventStore",
    "SatisfactionRecorded",
    "Scale",
    "SchemaVersionError",
    "Scope",
    "SerializationError",
    "Severity",
    "SigningKey",
    "SlaAlertRaised",
    "SlaConfig",
    "SlaPolicy",
    "SlaPolicyApplied",
    "SlaReport",
    "SlaStatus",
    "SmtpNotifier",
    "StaffRoute",
    "State",
    "StateDef",
    "StepRecorded",
    "StorageError",
    "StoreAccessLog",
    "StoreClosedError",
    "SubjectExport",
    "SubjectMatch",
    "SubjectRecord",
    "Survey",
    "SurveyAnswered",
    "SurveyResults",
    "SystemClock",
    "Target",
    "TemplateSet",
    "Transition",
    "Unit",
    "UnknownCommand",
    "ValidationError",
    "Violation",
    "Visibility",
    "WebhookEndpoint",
    "WebhookNotifier",
    "Window",
    "Withdrawn",
    "Workflow",
    "WorkflowApplied",
    "WorkflowUnavailable",
    "append_all",
    "apply",
    "build_evidence_pack",
    "builtin_templates",
    "by_customer_id",
    "check_conformance",
    "compute_kpis",
    "dump_workflow",
    "import_cfpb",
    "import_csv",
    "import_file",
    "import_json",
    "load_mapping",
    "load_programme",
    "load_survey",
    "load_templates",
    "load_workflow",
    "read_workflow_file",
    "retention_preset",
    "run_audit",
    "save_programme",
    "standard_workflow",
    "survey_results",
    "verify_evidence_pack",
    "verify_signature",
]


def _isort_style(name: str) -> tuple[int, list[int | str]]:
    """
    The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then functions,
    each group in natural order (digits compare as numbers).
    """
    if name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    natural: list[int | str] = [
        int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)
    ]
    return group, natural


def test_all_is_sorted() -> None:
    # Plain sorted() would put "Acknowledged" before "DEFAULT_NO_REPLY_PERIOD"; the linter
    # rewrites __all__ into the isort-style order, so that is the order this test requires.
    assert iso10002.__all__ == sorted(iso10002.__all__, key=_isort_style)


def test_all_has_no_duplicates() -> None:
    assert len(iso10002.__all__) == len(set(iso10002.__all__))


def test_every_name_in_all_exists() -> None:
    missing = [name for name in iso10002.__all__ if not hasattr(iso10002, name)]
    assert missing == []


def _defined_public_names() -> set[str]:
    # dir() lists the names the package binds on first use as well as those bound already.
    names = set()
    for name in dir(iso10002):
        if name.startswith("_"):
            continue
        value = getattr(iso10002, name)
        # Submodules become attributes of the package when imported; they are not exports.
        # `from __future__ import annotations` leaves a name behind; it is not an export.
        # TYPE_CHECKING is what the lazy exports are listed under; it is not an export either.
        if isinstance(value, types.ModuleType) or type(value).__module__ == "__future__":
            continue
        if name == "TYPE_CHECKING":
            continue
        names.add(name)
    return names


def test_all_lists_exactly_the_public_names() -> None:
    defined = _defined_public_names()
    assert sorted(defined - set(iso10002.__all__)) == [], "public but not in __all__"
    assert sorted(set(iso10002.__all__) - defined) == [], "in __all__ but not defined"


def test_public_api_is_pinned() -> None:
    assert iso10002.__all__ == PUBLIC_API


def test_public_classes_and_functions_have_docstrings() -> None:
    undocumented = [
        name
        for name in iso10002.__all__
        if (inspect.isclass(obj := getattr(iso10002, name)) or inspect.isfunction(obj))
        and not (obj.__doc__ or "").strip()
    ]
    assert undocumented == []
