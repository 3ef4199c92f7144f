"""
Traceability: each clause of ISO 10002:2018 (4.1 to 8.7 and the annexes), the library features
that serve it, and how well its number and title are confirmed.

The audit criteria of a clause are not listed here: they are read from the catalogue
(:func:`~iso10002.audit.criteria.criteria`) and, for a principle of clause 4, from the
controls of :func:`~iso10002.audit.principles.principles`. ``docs/traceability.md`` is
generated from this table, the catalogue and the tests that exercise each clause; the test
suite fails when a clause loses its row or a feature named here disappears.

A feature is named either by a dotted Python path from ``iso10002``
(``iso10002.ComplaintDesk.acknowledge``), by ``command:<name>`` for a command of the standard
workflow, or by ``event:<type>`` for an event type.

The full text of the 2018 edition is not public: clause titles come from the 2004/2014
tables of contents, a sister standard's and the brief (see ``Clause.numbering``).
"""

from __future__ import annotations

import attrs

__all__ = [
    "CONFIRMED_2004",
    "CONFIRMED_2018",
    "UNCONFIRMED",
    "Clause",
    "clauses",
]

CONFIRMED_2018 = "confirmed (2018)"
"""The 2018 number and title are shown by a public source."""
CONFIRMED_2004 = "confirmed for 2004/2014; 2018 unconfirmed"
"""The title is in the 2004/2014 table of contents; the 2018 edition is not public."""
UNCONFIRMED = "unconfirmed"
"""Number and title are the best available reading, not a quotation."""


@attrs.frozen(kw_only=True)
class Clause:
    """One clause or annex, the features that serve it, and what is not modelled."""

    number: str
    """``"7.4"``, or ``"Annex B"``."""
    title: str
    numbering: str
    """:data:`CONFIRMED_2018`, :data:`CONFIRMED_2004` or :data:`UNCONFIRMED`."""
    features: tuple[str, ...]
    note: str = ""
    """What the library does not model of the clause, if anything."""
    also_checked_by: tuple[str, ...] = ()
    """Audit criteria of other clauses that check this one too (an annex's, say)."""


def _c(
    number: str,
    title: str,
    numbering: str,
    *features: str,
    note: str = "",
    also: tuple[str, ...] = (),
) -> Clause:
    return Clause(
        number=number,
        title=title,
        numbering=numbering,
        features=features,
        note=note,
        also_checked_by=also,
    )


_U, _V4, _V18 = UNCONFIRMED, CONFIRMED_2004, CONFIRMED_2018
_DESK = "iso10002.ComplaintDesk"
_PROGRAMME = "iso10002.programme"
_GUARDS = "iso10002.process.guards"

_CLAUSES: tuple[Clause, ...] = (
    _c("4.1", "General (guiding principles)", _U, "iso10002.audit.principles"),
    _c("4.2", "Commitment", _U, f"{_PROGRAMME}.PolicyStatement", f"{_PROGRAMME}.Responsibility"),
    _c("4.3", "Capability", _U, f"{_PROGRAMME}.Resource", f"{_PROGRAMME}.TrainingRecord"),
    _c("4.4", "Transparency", _U, f"{_PROGRAMME}.Access", f"{_PROGRAMME}.PolicyStatement"),
    _c(
        "4.5",
        "Accessibility",
        _U,
        f"{_PROGRAMME}.Access",
        "iso10002.Channel",
        note="Help for complainants who need it is not recorded.",
    ),
    _c(
        "4.6",
        "Responsiveness",
        _U,
        f"{_DESK}.acknowledge",
        "iso10002.sla.evaluate",
        f"{_GUARDS}.assessment_recorded",
    ),
    _c("4.7", "Objectivity", _U, f"{_GUARDS}.objectivity"),
    _c("4.8", "Charges", _U, f"{_PROGRAMME}.Charges"),
    _c(
        "4.9", "Information integrity", _U, "iso10002.integrity.verify", "iso10002.Complaint.replay"
    ),
    _c(
        "4.10",
        "Confidentiality",
        _U,
        "iso10002.RoleBasedAuthorizer",
        f"{_DESK}.erase_personal_data",
        f"{_PROGRAMME}.Confidentiality",
        "iso10002.RetentionPolicy",
    ),
    _c(
        "4.11",
        "Customer-focused approach",
        _U,
        "iso10002.access.public_view",
        f"{_DESK}.answer_survey",
    ),
    _c("4.12", "Accountability", _U, "iso10002.Actor", "iso10002.Event", "iso10002.DenialRecord"),
    _c("4.13", "Improvement", _U, "iso10002.ImprovementAction", "iso10002.monitoring.RootCauses"),
    _c("4.14", "Competence", _U, f"{_PROGRAMME}.TrainingRecord", f"{_PROGRAMME}.Programme.trained"),
    _c("4.15", "Timeliness", _U, "iso10002.SlaPolicy", "iso10002.sla.presets"),
    _c(
        "5.1",
        "Context of the organization",
        _U,
        f"{_PROGRAMME}.Programme",
        note="Interested parties and internal and external issues are not recorded; the "
        "programme names the organisation and its configuration only.",
    ),
    _c("5.2", "Leadership and commitment", _U, f"{_PROGRAMME}.Responsibility"),
    _c("5.3", "Policy", _U, f"{_PROGRAMME}.PolicyStatement"),
    _c(
        "5.4",
        "Responsibility and authority",
        _U,
        f"{_PROGRAMME}.Responsibility",
        "iso10002.Role",
        "iso10002.DEFAULT_GRANTS",
    ),
    _c(
        "6.1",
        "General (planning, design and development)",
        _U,
        "iso10002.Workflow",
        note="The planning itself is not recorded; what it produces is configuration (the "
        "workflow, the programme, the timeliness policies).",
        also=("7-workflow-conforms",),
    ),
    _c("6.2", "Objectives", _U, f"{_PROGRAMME}.Objective", also=("8.4-objectives-monitored",)),
    _c(
        "6.3",
        "Activities",
        _U,
        "iso10002.Workflow",
        "iso10002.check_conformance",
        note="The activities are modelled as the workflow's commands; their design is not "
        "recorded.",
        also=("7-workflow-conforms",),
    ),
    _c("6.4", "Resources", _U, f"{_PROGRAMME}.Resource", f"{_PROGRAMME}.TrainingRecord"),
    _c(
        "7.1",
        "Communication",
        _V4,
        f"{_PROGRAMME}.Access",
        "iso10002.access.public_view",
    ),
    _c(
        "7.2",
        "Receipt of complaint",
        _V4,
        f"{_DESK}.receive",
        "event:complaint_received",
        "iso10002.ReferenceFormat",
    ),
    _c(
        "7.3",
        "Tracking of complaint",
        _V4,
        "iso10002.access.public_view",
        f"{_DESK}.record_communication",
        f"{_DESK}.sla_status",
        "event:communication_recorded",
    ),
    _c("7.4", "Acknowledgement of complaint", _V4, f"{_DESK}.acknowledge", "event:acknowledged"),
    _c(
        "7.5",
        "Initial assessment of complaint",
        _V4,
        f"{_DESK}.assess",
        "iso10002.Assessment",
        "iso10002.DefaultPriorityPolicy",
        f"{_GUARDS}.assessment_recorded",
    ),
    _c(
        "7.6",
        "Investigation of complaints",
        _V4,
        f"{_DESK}.start_investigation",
        f"{_DESK}.add_note",
        "event:investigation_started",
    ),
    _c(
        "7.7",
        "Response to complaint",
        _V4,
        f"{_DESK}.decide",
        "iso10002.Decision",
        "iso10002.Remedy",
        "event:decision_made",
    ),
    _c(
        "7.8",
        "Communicating the decision",
        _V4,
        f"{_DESK}.communicate_decision",
        "event:decision_communicated",
        "iso10002.LetterKind",
    ),
    _c(
        "7.9",
        "Closing the complaint",
        _V4,
        f"{_DESK}.record_reaction",
        f"{_DESK}.carry_out_decision",
        f"{_DESK}.close",
        f"{_DESK}.request_internal_review",
        f"{_DESK}.refer_externally",
        "command:carry_out_decision",
        "event:decision_carried_out",
        "iso10002.Decision.promises_action",
        f"{_GUARDS}.recourse_explained",
        f"{_GUARDS}.closure_justified",
        f"{_GUARDS}.action_promised",
        f"{_GUARDS}.decision_carried_out",
    ),
    _c(
        "8.1",
        "Collection of information",
        _V4,
        "iso10002.Event",
        "iso10002.RetentionPolicy",
        f"{_DESK}.export_subject",
        f"{_PROGRAMME}.TrainingRecord",
    ),
    _c(
        "8.2",
        "Analysis and evaluation of complaints",
        _V4,
        f"{_DESK}.classify",
        f"{_DESK}.record_root_cause",
        "iso10002.monitoring.RootCauses",
    ),
    _c(
        "8.3",
        "Satisfaction with the complaints-handling process",
        _V4,
        f"{_DESK}.record_satisfaction",
        f"{_DESK}.answer_survey",
        "iso10002.Survey",
    ),
    _c(
        "8.4",
        "Monitoring of the complaints-handling process",
        _V4,
        "iso10002.compute_kpis",
        "iso10002.KpiReport",
    ),
    _c(
        "8.5",
        "Auditing of the complaints-handling process",
        _V4,
        "iso10002.run_audit",
        "iso10002.audit.report_to_html",
        note="Whether audits are held at planned intervals is attested, not recorded.",
    ),
    _c(
        "8.6",
        "Management review of the complaints-handling process",
        _V4,
        "iso10002.audit.build_review_pack",
    ),
    _c(
        "8.7",
        "Continual improvement",
        _V4,
        "iso10002.ImprovementAction",
        "iso10002.audit.actions_from_json",
    ),
    _c(
        "Annex A",
        "Interrelationship of ISO 10001, ISO 10002, ISO 10003 and ISO 10004",
        _U,
        f"{_DESK}.refer_externally",
        "iso10002.Survey",
        note="Informative; the library touches ISO 10003 by external referral and ISO 10004 "
        "by surveys, and models no codes of conduct (ISO 10001).",
        also=("7.9-external-body-named",),
    ),
    _c(
        "Annex B",
        "Guidance for small businesses",
        _V18,
        "iso10002.read_workflow_file",
        "iso10002.Workflow.extend",
        note="No separate small-business process: a small organisation writes a shorter "
        "workflow (examples/workflows/small-shop.toml) that the conformance check accepts.",
        also=("7-workflow-conforms",),
    ),
    _c(
        "Annex C",
        "Form for complaints",
        _U,
        "iso10002.ComplaintReceived",
        "iso10002.Complainant",
        "iso10002.ProductOrService",
        also=("7.2-record-complete",),
    ),
    _c(
        "Annex D",
        "Objectivity",
        _U,
        f"{_GUARDS}.objectivity",
        also=("4.7-objectivity", "7.6-investigated-when-serious"),
    ),
    _c(
        "Annex E",
        "Follow-up form for complaints",
        _U,
        "iso10002.Complaint",
        also=(
            "7.5-assessed-before-investigation",
            "7.8-decision-communicated",
            "7.9-closure-reason",
        ),
    ),
    _c("Annex F", "Response", _U, "iso10002.RemedyKind", also=("7.9-decision-carried-out",)),
    _c(
        "Annex G",
        "Flowchart for complaints handling",
        _U,
        "iso10002.Workflow.to_mermaid",
        also=("7-workflow-conforms",),
    ),
    _c("Annex H", "Monitoring", _U, "iso10002.compute_kpis", also=("8.4-objectives-monitored",)),
    _c("Annex I", "Audit", _U, "iso10002.audit.criteria", also=("8.5-audited-at-intervals",)),
)


def clauses() -> tuple[Clause, ...]:
    """Every clause from 4.1 to 8.7, then the annexes, in order."""
    return _CLAUSES
