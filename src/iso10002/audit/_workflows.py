"""
The workflow criterion (clause 7) over what was recorded: each complaint is judged by the
workflow it ran under, as the store recorded it (:mod:`iso10002.process.recorded`), and each
recorded workflow the audited complaints ran under is checked for conformance and named in the
finding with its name, version and fingerprint.

Complaints that name no recorded workflow (received before workflows were recorded) are judged
against the workflow the audit was given, or the standard one, as before: a state or step their
histories use that it lacks is the sign that they ran under another one. The finding says how
many complaints were judged so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from iso10002.audit._config_checks import ConfigOutcome, plural
from iso10002.errors import Iso10002Error
from iso10002.model.events import ComplaintReceived, Event, StepRecorded, WorkflowApplied
from iso10002.ports.store import is_configuration_store
from iso10002.process.recorded import RecordedWorkflow, workflow_record

if TYPE_CHECKING:
    from iso10002.audit.run import AuditContext
    from iso10002.process.workflow import Workflow

__all__ = ["audited_workflows", "note_workflows", "recorded_workflow_of", "workflows_conform"]


def recorded_workflow_of(ctx: AuditContext, fingerprint: str) -> RecordedWorkflow | None:
    """The workflow recorded under ``fingerprint``, read once; None if the store lacks it."""
    if fingerprint in ctx.workflow_records:
        return ctx.workflow_records[fingerprint]
    store = ctx.store
    found: RecordedWorkflow | None = None
    if is_configuration_store(store):
        try:
            record = store.configuration(fingerprint)
        except Iso10002Error:
            record = None
        if record is not None:
            found = RecordedWorkflow(record, ctx.workflow if ctx.workflow_given else None)
    ctx.workflow_records[fingerprint] = found
    return found


def note_workflows(ctx: AuditContext, reference: str, history: Sequence[Event]) -> None:
    """
    Note the workflows ``reference`` ran under, and each state or custom step of its history
    that the workflow in force at that event does not define.
    """
    in_force: RecordedWorkflow | None = None
    fallback = False
    for event in history:
        payload = event.payload
        if isinstance(payload, (ComplaintReceived, WorkflowApplied)):
            fingerprint = (
                payload.workflow
                if isinstance(payload, ComplaintReceived)
                else payload.configuration
            )
            in_force = None if fingerprint is None else recorded_workflow_of(ctx, fingerprint)
            if in_force is None:
                fallback = True
                if fingerprint is not None:
                    ctx.unkept_workflows.setdefault(fingerprint, set()).add(reference)
            else:
                ctx.configurations.add(in_force.record.fingerprint)
                ctx.workflows.setdefault(in_force.record.fingerprint, set()).add(reference)
        if in_force is None:
            states = {s.name for s in ctx.workflow.states}
            commands = set(ctx.workflow.commands)
            unknown = ctx.unknown_to_workflow
        else:
            states, commands = set(in_force.states), set(in_force.commands)
            unknown = ctx.unknown_to_recorded.setdefault(in_force.record.fingerprint, {})
        if event.state not in states:
            unknown.setdefault(f"state {event.state!r}", set()).add(reference)
        if isinstance(payload, StepRecorded) and payload.command not in commands:
            unknown.setdefault(f"step {payload.command!r}", set()).add(reference)
    if fallback:
        ctx.unrecorded_workflow.add(reference)


def _unknown_notes(label: str, unknown: dict[str, set[str]]) -> tuple[str, ...]:
    return tuple(
        f"{label}: {what} is not defined, in {', '.join(sorted(unknown[what]))}"
        for what in sorted(unknown)
    )


@attrs.define
class _Judged:
    """What the workflow finding gathers: what failed, its notes and its summary's parts."""

    failed: list[str] = attrs.field(factory=list)
    notes: list[str] = attrs.field(factory=list)
    parts: list[str] = attrs.field(factory=list)
    unchecked: list[str] = attrs.field(factory=list)
    names: list[str] = attrs.field(factory=list)


def _judge_recorded(ctx: AuditContext, fingerprint: str, judged: _Judged) -> None:
    """Check one recorded workflow, and what the histories run under it used that it lacks."""
    recorded = ctx.workflow_records[fingerprint]
    assert recorded is not None
    name = recorded.record.name
    judged.names.append(name)
    count = plural(len(ctx.workflows[fingerprint]), "complaint", "complaints")
    label = f"the recorded workflow {recorded.label}"
    unknown = ctx.unknown_to_recorded.get(fingerprint, {})
    if unknown:
        judged.failed.append(name)
        judged.notes.extend(_unknown_notes(label, unknown))
    workflow = recorded.workflow
    if workflow is None:
        why = (
            f"its guards {', '.join(recorded.code_guards)} are code the record names but "
            "does not hold; audit with that workflow to check them"
            if recorded.code_guards
            else f"its content cannot be read: {recorded.error}"
        )
        judged.unchecked.append(name)
        judged.notes.append(f"{label} ({count}) was not checked for conformance: {why}.")
        return
    _judge_conformance(judged, workflow, f"{label} ({count})")


def _judge_unrecorded(ctx: AuditContext, judged: _Judged) -> None:
    """The complaints that name no kept workflow, judged as before against the one given."""
    fallback = ctx.workflow.name
    judged.names.append(fallback)
    given = "given to the audit" if ctx.workflow_given else "the standard one, none was given"
    count = plural(len(ctx.unrecorded_workflow), "complaint", "complaints")
    judged.parts.append(
        f"{count} name no recorded workflow (received before workflows were recorded, or "
        f"their record is not kept) and were judged against the workflow {fallback!r} "
        f"({given})"
    )
    for fingerprint, refs in sorted(ctx.unkept_workflows.items()):
        judged.notes.append(
            f"The store does not keep the workflow {fingerprint} that "
            f"{', '.join(sorted(refs))} name."
        )
    outcome = _fallback_only(ctx)
    if outcome.conforms is False:
        judged.failed.append(fallback)
        judged.parts.append(outcome.summary[:1].lower() + outcome.summary[1:].rstrip("."))
        judged.notes.extend(outcome.notes)


def _judge_given(ctx: AuditContext, judged: _Judged) -> None:
    """The workflow given to the audit, which none of the audited complaints ran under."""
    name = ctx.workflow.name
    judged.names.append(name)
    label = f"the workflow {name!r} given to the audit (none of these complaints ran under it)"
    _judge_conformance(judged, ctx.workflow, label)


def _judge_conformance(judged: _Judged, workflow: Workflow, label: str) -> None:
    """Check ``workflow`` against the handling-process rules; say so under ``label``."""
    from iso10002.process.conformance import check_conformance

    report = check_conformance(workflow)
    if report.ok:
        judged.parts.append(f"{label} passes all {len(report.rules_checked)} rules")
        return
    name = workflow.name
    judged.failed.append(name)
    judged.parts.append(f"{label} breaks {len(report.violations)} handling-process rule(s)")
    judged.notes.extend(
        f"{name}: {v.rule}: {v.message} (for example: {v.path_text})" for v in report.violations
    )


def workflows_conform(ctx: AuditContext) -> ConfigOutcome:
    """
    Clause 7: each workflow the audited complaints ran under passes the conformance rules, and
    their histories use no state or step it lacks.
    """
    if not ctx.workflows and not ctx.unrecorded_workflow:
        return _fallback_only(ctx)
    judged = _Judged()
    for fingerprint in sorted(ctx.workflows):
        _judge_recorded(ctx, fingerprint, judged)
    if ctx.unrecorded_workflow:
        _judge_unrecorded(ctx, judged)
    elif ctx.workflow_given and workflow_record(ctx.workflow).fingerprint not in ctx.workflows:
        _judge_given(ctx, judged)
    values = {"workflow": ", ".join(dict.fromkeys(judged.names))}
    for fingerprint in sorted(ctx.workflows):
        recorded = ctx.workflow_records[fingerprint]
        assert recorded is not None
        values[f"workflow {recorded.record.name} {recorded.record.version}"] = fingerprint
    summary = "; ".join(judged.parts) + "." if judged.parts else ""
    conforms: bool | None = True
    if judged.failed:
        conforms = False
    elif judged.unchecked and not judged.parts:
        conforms = None
        summary = (
            f"The complaints ran under {', '.join(judged.unchecked)}, recorded with guards "
            "that are code, so its conformance could not be checked from the record."
        )
    return ConfigOutcome(
        conforms=conforms,
        summary=summary[:1].upper() + summary[1:],
        values=values,
        failed=tuple(dict.fromkeys(judged.failed)),
        checked=len(ctx.workflows) + (1 if ctx.unrecorded_workflow else 0),
        unit="workflows",
        notes=tuple(judged.notes),
    )


def _fallback_only(ctx: AuditContext) -> ConfigOutcome:
    """The workflow given (or the standard one) checked, and the histories judged against it."""
    from iso10002.process.conformance import check_conformance

    report = check_conformance(ctx.workflow)
    name = ctx.workflow.name
    values = {"workflow": name}
    violations = tuple(
        f"{v.rule}: {v.message} (for example: {v.path_text})" for v in report.violations
    )
    unknown = sorted(ctx.unknown_to_workflow)
    if unknown:
        return ConfigOutcome(
            conforms=False,
            summary=(
                f"The histories use {len(unknown)} state(s) or step(s) that the workflow "
                f"{name!r} does not define: the complaints ran under another workflow, so "
                "this one says nothing about them (audit with that workflow)."
            ),
            values=values,
            failed=tuple(unknown),
            checked=len(unknown),
            unit="states and steps",
            notes=tuple(
                f"{what}: in {', '.join(sorted(ctx.unknown_to_workflow[what]))}" for what in unknown
            )
            + violations,
        )
    if report.ok:
        return ConfigOutcome(
            conforms=True,
            summary=(
                f"The workflow {name!r} passes all {len(report.rules_checked)} "
                "handling-process rules."
            ),
            values=values,
        )
    return ConfigOutcome(
        conforms=False,
        summary=f"The workflow {name!r} breaks {len(report.violations)} handling-process rule(s).",
        values=values,
        notes=violations,
    )


def audited_workflows(ctx: AuditContext) -> str:
    """The names of the workflows the audit judged complaints by, for the report."""
    names = [
        r.record.name
        for f in sorted(ctx.workflows)
        if (r := ctx.workflow_records.get(f)) is not None
    ]
    if ctx.unrecorded_workflow or ctx.workflow_given or not names:
        names.append(ctx.workflow.name)
    return ", ".join(dict.fromkeys(names))
