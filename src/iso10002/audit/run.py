"""
Running an audit: every criterion of :mod:`iso10002.audit.criteria` over the complaints received
in a period, the programme configuration and the attestations given, with the evidence kept.

The store is read in one pass, a page of summaries and then each complaint's history at a time,
so memory does not grow with the number of complaints.
"""

from __future__ import annotations

import datetime as _dt
import random
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from iso10002.audit._programmes import recorded_programme
from iso10002.audit._workflows import audited_workflows, note_workflows
from iso10002.audit.actions import ImprovementAction
from iso10002.audit.criteria import Criterion, criteria
from iso10002.audit.findings import (
    Attestation,
    AuditReport,
    Evidence,
    EvidenceKind,
    Finding,
    FindingStatus,
    RecordState,
)
from iso10002.audit.provenance import library_version, record_state
from iso10002.clock import SystemClock
from iso10002.errors import CorruptRecord, Iso10002Error, ValidationError
from iso10002.model.complaint import Complaint
from iso10002.model.events import Event, SlaPolicyApplied
from iso10002.model.values import ComplaintId, Role
from iso10002.ports.store import ComplaintQuery, EventStore, iter_summaries
from iso10002.process.recorded import RecordedWorkflow
from iso10002.process.standard import DEFAULT_NO_REPLY_PERIOD, standard_workflow
from iso10002.process.workflow import Workflow
from iso10002.sla.config import SlaConfig
from iso10002.sla.policy import SlaPolicy
from iso10002.sla.recorded import RecordedSla

if TYPE_CHECKING:
    from iso10002.programme import Programme

__all__ = ["KNOWN_MEASURES", "AuditContext", "midnight_utc", "run_audit", "sample_references"]

KNOWN_MEASURES = frozenset(
    {
        "received",
        "closed",
        "open",
        "acknowledged_in_time",
        "time_to_acknowledge",
        "time_to_final_response",
        "upheld_rate",
        "reopen_rate",
        "satisfaction",
    }
)
"""KPI ids an objective may measure besides the SLA metrics of the configured policies."""

_STAFF_ROLES = frozenset(Role) - {Role.COMPLAINANT, Role.SYSTEM}


@attrs.define
class AuditContext:
    """What criteria may look at: the store, the configuration, the period and the clock."""

    store: EventStore
    programme: Programme | None
    sla: SlaConfig | None
    now: _dt.datetime
    period_from: _dt.date
    period_to: _dt.date
    acknowledge_within: _dt.timedelta
    communicate_within: _dt.timedelta
    no_reply_period: _dt.timedelta
    workflow: Workflow = attrs.field(factory=standard_workflow)
    update_within: _dt.timedelta = _dt.timedelta(days=28)
    """The longest a complainant may wait for word of their complaint before its decision."""
    respond_within: _dt.timedelta = _dt.timedelta(weeks=8)
    """The response target when the complaint's timeliness policy sets none."""
    actions: tuple[ImprovementAction, ...] | None = None
    """The improvement actions, when given: criterion 8.7 checks that they answer findings."""
    organisation: str | None = None
    """The organisation (tenant) whose complaints the audit keeps to; None for all."""
    findings: list[Finding] = attrs.field(factory=list)
    """The findings made so far, for the criteria that run after the others."""
    staff: set[str] = attrs.field(factory=set)
    """Ids of the staff who acted on the period's complaints."""
    untrained: dict[str, set[str]] = attrs.field(factory=dict)
    """Staff without a current training record when they acted, and the complaints."""
    unknown_to_workflow: dict[str, set[str]] = attrs.field(factory=dict)
    """States and custom steps in the histories that ``workflow`` does not define, each with
    the complaints where they appear, for complaints that name no recorded workflow."""
    workflow_given: bool = False
    """Whether ``workflow`` was given to the audit (else it is the standard one)."""
    workflows: dict[str, set[str]] = attrs.field(factory=dict)
    """The recorded workflows the complaints ran under (by fingerprint), with the complaints."""
    workflow_records: dict[str, RecordedWorkflow | None] = attrs.field(factory=dict)
    """Each recorded workflow read, by fingerprint; None when the store does not keep it."""
    unknown_to_recorded: dict[str, dict[str, set[str]]] = attrs.field(factory=dict)
    """Per recorded workflow, the states and steps the histories use that it does not define."""
    unrecorded_workflow: set[str] = attrs.field(factory=set)
    """Complaints judged against ``workflow``: they name no workflow the store keeps."""
    unkept_workflows: dict[str, set[str]] = attrs.field(factory=dict)
    """Fingerprints of workflows complaints name that the store does not keep."""
    configurations: set[str] = attrs.field(factory=set)
    """Fingerprints of the recorded configurations the audited histories name."""
    _trained: dict[tuple[str, str | None, _dt.date], bool] = attrs.field(factory=dict)
    _recorded: RecordedSla | None = None

    def require_programme(self) -> Programme:
        """The programme; criteria that need one are only run when there is one."""
        assert self.programme is not None
        return self.programme

    def policy_for(self, complaint: Complaint) -> SlaPolicy | None:
        """
        The timeliness policy recorded on ``complaint``, as the store recorded it when it was
        applied (else the configuration's version of that name), if either knows it.
        """
        if self.sla is None or complaint.sla_policy is None:
            return None
        if self._recorded is None or self._recorded.config is not self.sla:
            self._recorded = RecordedSla(self.sla, self.store, record_found=False)
        try:
            return self._recorded.for_complaint(complaint)
        except ValidationError:
            return None

    def known_measures(self) -> set[str]:
        """The SLA metric names of every configured policy, and the library's KPI ids."""
        metrics = (
            {m.name for p in self.sla.policies for m in p.metrics}
            if self.sla is not None
            else set()
        )
        return metrics | set(KNOWN_MEASURES)

    def held_beyond_retention(self, years: int) -> tuple[tuple[str, ...], int]:
        """
        References of complaints closed more than ``years`` years before now, and how many
        closed complaints were looked at.
        """
        try:
            limit = self.now.replace(year=self.now.year - years)
        except ValueError:  # 29 February
            limit = self.now.replace(year=self.now.year - years, day=28)
        closed = [
            s
            for s in iter_summaries(
                self.store, ComplaintQuery(is_open=False, organisation=self.organisation)
            )
            if s.closed_at is not None
        ]
        found = [s.reference for s in closed if s.closed_at is not None and s.closed_at < limit]
        return tuple(sorted(found)), len(closed)

    def note_staff_action(
        self, reference: str, person: str, name: str | None, day: _dt.date
    ) -> None:
        """Record that ``person`` acted on ``reference`` on ``day``, and whether trained."""
        self.staff.add(person)
        if self.programme is None:
            return
        key = (person, name, day)
        trained = self._trained.get(key)
        if trained is None:
            # Training records may name people by staff id or by name.
            trained = self.programme.trained(person, day) or (
                name is not None and self.programme.trained(name, day)
            )
            self._trained[key] = trained
        if not trained:
            self.untrained.setdefault(person, set()).add(reference)


def sample_references(references: Iterable[str], size: int, seed: int) -> tuple[str, ...]:
    """
    ``size`` references drawn at random for manual review, reproducibly: the same references,
    size and seed always give the same sample, in reference order.
    """
    if size < 0:
        raise ValidationError("sample_size", f"must not be negative, got {size}")
    pool = sorted(set(references))
    return tuple(sorted(random.Random(seed).sample(pool, min(size, len(pool)))))


def midnight_utc(day: _dt.date) -> _dt.datetime:
    """The first instant of ``day`` in UTC: audit periods are UTC days."""
    return _dt.datetime(day.year, day.month, day.day, tzinfo=_dt.timezone.utc)


def run_audit(
    store: EventStore,
    *,
    period_from: _dt.date,
    period_to: _dt.date,
    programme: Programme | None = None,
    sla: SlaConfig | None = None,
    attestations: Iterable[Attestation] = (),
    sample_size: int = 10,
    seed: int = 0,
    now: _dt.datetime | None = None,
    acknowledge_within: _dt.timedelta = _dt.timedelta(days=2),
    communicate_within: _dt.timedelta = _dt.timedelta(days=14),
    no_reply_period: _dt.timedelta = DEFAULT_NO_REPLY_PERIOD,
    workflow: Workflow | None = None,
    catalogue: Sequence[Criterion] | None = None,
    update_within: _dt.timedelta = _dt.timedelta(days=28),
    respond_within: _dt.timedelta = _dt.timedelta(weeks=8),
    actions: Iterable[ImprovementAction] | None = None,
    auditor: str | None = None,
    signed_off_by: str | None = None,
    signed_off_at: _dt.datetime | None = None,
    organisation: str | None = None,
) -> AuditReport:
    """
    Audit the complaints received from ``period_from`` (inclusive) to ``period_to``
    (exclusive, days in UTC) in ``store``.

    Args:
        programme: the programme configuration. Without it, the programme recorded by the
            latest complaint of the period received by ``now`` (a desk given a programme
            records it), if any; without either, configuration criteria are *not applicable*
            (the report says so).
        sla: the timeliness policies; the acknowledgement criterion uses each complaint's
            recorded policy when given, else ``acknowledge_within``.
        attestations: statements for the attested criteria; the latest per criterion counts.
        sample_size, seed: the reproducible sample of complaints for manual review.
        now: the instant the audit is taken at: only complaints received, events recorded
            and attestations dated by then count, and deadlines not yet passed are not
            failures.
        communicate_within: how long after a decision it may go uncommunicated.
        workflow: the handling process for complaints that name no recorded workflow
            (received before workflows were recorded), checked for conformance (the standard
            workflow if omitted); states or steps in their histories that it does not define
            make the workflow criterion fail, since they ran under another one. A complaint
            that names a recorded workflow is judged by that one, which the finding names;
            a recorded workflow whose guards are code is checked only when it is this one.
        catalogue: the criteria to apply; :func:`~iso10002.audit.criteria.criteria` if
            omitted. An organisation may add its own (an observation-weighted check of its
            house rules, say) or leave some out.
        update_within: the longest a complainant may wait for word of their complaint before
            its decision (7.3).
        respond_within: the response target (7.7) of complaints whose timeliness policy
            sets no ``final_response`` metric.
        actions: the improvement actions; with them, criterion 8.7 checks that every
            nonconformity found has one (not applicable without them).
        auditor, signed_off_by, signed_off_at: who took the audit, and who signed it off
            and when, for the report.
        organisation: audit only this organisation's (tenant's) complaints; the report then
            says of the shared record only whether it verified.

    Raises:
        ValidationError: the period is empty or reversed, an attestation names an unknown or
            non-attested criterion, or ``now`` or ``signed_off_at`` is naive.
    """
    if period_to <= period_from:
        raise ValidationError("period_to", "must be after period_from")
    when = now if now is not None else SystemClock().now()
    if when.tzinfo is None:
        raise ValidationError("now", "must be timezone-aware")
    if signed_off_at is not None and signed_off_at.tzinfo is None:
        raise ValidationError("signed_off_at", "must be timezone-aware")
    catalogue = tuple(catalogue) if catalogue is not None else criteria()
    ids = [c.id for c in catalogue]
    if len(ids) != len(set(ids)):
        raise ValidationError("catalogue", "criterion ids repeat")
    attested = _latest_attestations(attestations, catalogue, when)
    # Point in time: complaints received after the audit's instant are not yet there to count.
    query = ComplaintQuery(
        received_from=midnight_utc(period_from),
        received_to=min(midnight_utc(period_to), when + _dt.timedelta(microseconds=1)),
        organisation=organisation,
    )
    programme_fingerprint = None
    if programme is None:
        found = recorded_programme(store, query)
        if found is not None:
            programme, programme_fingerprint = found
    ctx = AuditContext(
        store=store,
        programme=programme,
        sla=sla,
        now=when,
        period_from=period_from,
        period_to=period_to,
        acknowledge_within=acknowledge_within,
        communicate_within=communicate_within,
        no_reply_period=no_reply_period,
        workflow=workflow if workflow is not None else standard_workflow(),
        workflow_given=workflow is not None,
        update_within=update_within,
        respond_within=respond_within,
        actions=None if actions is None else tuple(actions),
        organisation=ComplaintQuery(organisation=organisation).organisation,
    )
    if programme_fingerprint is not None:
        ctx.configurations.add(programme_fingerprint)
    history_criteria = [c for c in catalogue if c.history_check is not None]
    references, checked, failed = _check_histories(ctx, query, history_criteria)
    record = record_state(store, as_of=when, shared=organisation is not None)
    made: dict[str, Finding] = {}
    # Criteria that judge the other findings (8.7) run once those are made.
    for c in sorted(catalogue, key=lambda c: c.after_findings):
        if c.history_check is not None:
            finding = _history_finding(c, checked[c.id], sorted(failed[c.id]))
            if c.checks_record:
                finding = _with_record(c, finding, record)
        elif c.config_check is not None:
            finding = _config_finding(c, ctx)
        else:
            finding = _attested_finding(c, attested.get(c.id))
        made[c.id] = finding
        ctx.findings.append(finding)
    findings = [made[c.id] for c in catalogue]
    return AuditReport(
        organisation=programme.organisation if programme is not None else None,
        programme_version=programme.version if programme is not None else None,
        period_from=period_from,
        period_to=period_to,
        generated_at=when,
        complaints=len(references),
        findings=tuple(findings),
        sample_seed=seed,
        sample=sample_references(references, sample_size, seed),
        workflow=audited_workflows(ctx),
        library_version=library_version(),
        record=record,
        configurations=tuple(sorted(ctx.configurations)),
        auditor=auditor,
        signed_off_by=signed_off_by,
        tenant=organisation,
        signed_off_at=signed_off_at,
    )


def _with_record(c: Criterion, finding: Finding, record: RecordState) -> Finding:
    """
    ``finding`` of a criterion that also judges the stored record: it fails when the record
    as of the audit's instant does not verify, naming the first bad record.
    """
    evidence = finding.evidence
    if record.verified is None:
        note = f"The stored record was not verified: {record.detail or 'no hashes kept'}."
        return attrs.evolve(finding, evidence=attrs.evolve(evidence, notes=(*evidence.notes, note)))
    if record.verified:
        note = (
            f"The stored record verifies: {record.events} events up to position "
            f"{record.position}, chain head {record.head}."
        )
        if record.detail:
            note += f" Recorded later: {record.detail}."
        return attrs.evolve(finding, evidence=attrs.evolve(evidence, notes=(*evidence.notes, note)))
    failed = evidence.failed
    if record.reference is not None and record.reference not in failed:
        failed = tuple(sorted((*failed, record.reference)))
    summary = f"The stored record does not verify: {record.detail}."
    if finding.status is not FindingStatus.NOT_APPLICABLE:
        summary += f" {finding.summary}"
    return attrs.evolve(
        finding,
        status=FindingStatus.failing(c.weight),
        summary=summary,
        evidence=attrs.evolve(
            evidence,
            failed=failed,
            notes=(*evidence.notes, f"verify: {record.detail}"),
        ),
    )


def _check_histories(
    ctx: AuditContext, query: ComplaintQuery, history_criteria: Sequence[Criterion]
) -> tuple[list[str], dict[str, int], dict[str, list[str]]]:
    """One pass over the period's complaints: how many each criterion checked, which failed."""
    checked = {c.id: 0 for c in history_criteria}
    failed: dict[str, list[str]] = {c.id: [] for c in history_criteria}
    references: list[str] = []
    integrity = "4.9-history-integrity"
    for summary in iter_summaries(ctx.store, query):
        try:
            history = _as_of(ctx.store.read(summary.id), ctx.now)
        except CorruptRecord:
            # A row that cannot be read back: the history is not intact (4.9).
            references.append(summary.reference)
            if integrity in checked:
                checked[integrity] += 1
                failed[integrity].append(summary.reference)
            continue
        if not history:
            continue
        references.append(summary.reference)
        complaint = _replay(summary.id, history)
        if complaint is None:
            if integrity in checked:
                checked[integrity] += 1
                failed[integrity].append(summary.reference)
            continue
        _note_staff(ctx, complaint, history)
        note_workflows(ctx, complaint.reference, history)
        for event in history:
            if isinstance(event.payload, SlaPolicyApplied):
                ctx.configurations.add(event.payload.calendar_fingerprint)
                if event.payload.configuration is not None:
                    ctx.configurations.add(event.payload.configuration)
        for c in history_criteria:
            assert c.history_check is not None
            verdict = c.history_check(ctx, complaint, history)
            if verdict is None:
                continue
            checked[c.id] += 1
            if not verdict:
                failed[c.id].append(complaint.reference)
    return references, checked, failed


def _as_of(history: Sequence[Event], when: _dt.datetime) -> list[Event]:
    """The events recorded up to ``when``: an audit as of a date does not see later ones."""
    return [e for e in history if e.occurred_at <= when]


def _replay(cid: ComplaintId, history: Sequence[Event]) -> Complaint | None:
    try:
        return Complaint.replay(history)
    except Iso10002Error:
        return None


def _note_staff(ctx: AuditContext, complaint: Complaint, history: Sequence[Event]) -> None:
    for event in history:
        actor = event.actor
        if actor.role in _STAFF_ROLES:
            day = event.occurred_at.astimezone(_dt.timezone.utc).date()
            ctx.note_staff_action(complaint.reference, actor.id, actor.name, day)


def _latest_attestations(
    attestations: Iterable[Attestation], catalogue: Sequence[Criterion], when: _dt.datetime
) -> dict[str, Attestation]:
    """The latest attestation of each criterion given by ``when``; later ones are not yet made."""
    kinds = {c.id: c.evidence_kind for c in catalogue}
    latest: dict[str, Attestation] = {}
    for i, a in enumerate(attestations):
        kind = kinds.get(a.criterion)
        if kind is None:
            raise ValidationError(f"attestations[{i}].criterion", f"no criterion {a.criterion!r}")
        if kind is not EvidenceKind.ATTESTATION:
            raise ValidationError(
                f"attestations[{i}].criterion",
                f"{a.criterion!r} is evidenced by the {kind.value}, not by attestation",
            )
        if a.at > when:
            continue
        held = latest.get(a.criterion)
        if held is None or a.at >= held.at:
            latest[a.criterion] = a
    return latest


def _history_finding(c: Criterion, checked: int, failed: list[str]) -> Finding:
    evidence = Evidence(checked=checked, failed=tuple(failed))
    if checked == 0:
        status = FindingStatus.NOT_APPLICABLE
        summary = "No complaint in the period to which this applies."
    elif c.any_suffices:
        met = checked - len(failed)
        if met:
            # A sample suffices: the complaints without it are not nonconformities.
            evidence = Evidence(checked=checked, unmet=tuple(failed))
            status = FindingStatus.CONFORMING
        else:
            status = FindingStatus.failing(c.weight)
        summary = (
            f"{met} of {checked} complaints to which this applies have it ({met / checked:.0%}); "
            "a sample suffices."
        )
    elif failed:
        status = FindingStatus.failing(c.weight)
        summary = f"{len(failed)} of {checked} complaints do not conform."
    else:
        status = FindingStatus.CONFORMING
        summary = f"All {checked} complaints to which this applies conform."
    return _finding(c, status, summary, evidence)


def _config_finding(c: Criterion, ctx: AuditContext) -> Finding:
    if c.needs_programme and ctx.programme is None:
        return _finding(
            c,
            FindingStatus.NOT_APPLICABLE,
            "No programme configuration was given, so this was not checked.",
            Evidence(),
        )
    assert c.config_check is not None
    outcome = c.config_check(ctx)
    evidence = Evidence(
        checked=outcome.checked if outcome.checked is not None else len(outcome.failed),
        failed=outcome.failed,
        configuration=outcome.values,
        notes=outcome.notes,
        unit=outcome.unit,
    )
    if outcome.conforms is None:
        status = FindingStatus.NOT_APPLICABLE
    elif outcome.conforms:
        status = FindingStatus.CONFORMING
    else:
        status = FindingStatus.failing(c.weight)
    return _finding(c, status, outcome.summary, evidence)


def _attested_finding(c: Criterion, attestation: Attestation | None) -> Finding:
    if attestation is None:
        return _finding(
            c,
            FindingStatus.AWAITING_ATTESTATION,
            "Nobody has attested this yet.",
            Evidence(),
        )
    status = FindingStatus.CONFORMING if attestation.conforms else FindingStatus.failing(c.weight)
    summary = f"Attested by {attestation.by}: {attestation.statement}"
    return _finding(c, status, summary, Evidence(), attestation)


def _finding(
    c: Criterion,
    status: FindingStatus,
    summary: str,
    evidence: Evidence,
    attestation: Attestation | None = None,
) -> Finding:
    return Finding(
        criterion=c.id,
        clause=c.clause,
        question=c.question,
        evidence_kind=c.evidence_kind,
        weight=c.weight,
        status=status,
        summary=summary,
        evidence=evidence,
        attestation=attestation,
    )
