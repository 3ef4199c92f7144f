"""
The handling commands of the desk, one method each: the method builds the command's payload and
runs it with :meth:`~iso10002.desk._path.CommandPath._run` under its :class:`Action`, whose
value is the workflow command's name unless the method says otherwise (``assess`` runs
``reassess`` once assessed; ``record_reaction`` runs ``accept_decision`` or
``reject_decision``; ``run_step`` runs the custom command it is given): :func:`desk_method`
maps a workflow command back to its method. A command that checks
its payload against the complaint (a deadline extension's regime) passes that check along.

The complainant's satisfaction and survey answers are in :mod:`~iso10002.desk._feedback`,
receiving a complaint in :mod:`~iso10002.desk._intake`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from iso10002.desk._in_force import workflow_in_force
from iso10002.desk._loading import ComplaintKey
from iso10002.desk._path import CommandPath, refused
from iso10002.errors import ValidationError
from iso10002.model.actions import Action
from iso10002.model.complaint import Complaint
from iso10002.model.events import (
    Acknowledged,
    Assessed,
    Assigned,
    Classified,
    Closed,
    CommunicationRecorded,
    DeadlineExtended,
    DecisionCarriedOut,
    DecisionCommunicated,
    DecisionMade,
    EventPayload,
    HoldEnded,
    HoldStarted,
    InternalReviewRequested,
    InvestigationStarted,
    NoteAdded,
    ReactionRecorded,
    ReferredExternally,
    Reopened,
    RootCauseRecorded,
    StepRecorded,
    Withdrawn,
)
from iso10002.model.values import (
    Actor,
    Assessment,
    Channel,
    Classification,
    ClosureReason,
    Communication,
    Decision,
    ExtensionKind,
    Reaction,
    RootCause,
)
from iso10002.process.standard import standard_workflow
from iso10002.process.steps import closes, encode_step_data

__all__ = ["NO_POLICIES", "Commands", "assess_command", "desk_method"]

NO_POLICIES = "this desk has no timeliness policies to extend"
"""Why ``extend_deadline`` is refused on a desk without timeliness policies."""


class Commands(CommandPath):
    """One method per command of the handling process."""

    def acknowledge(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        channel: Channel | None = None,
        message: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Acknowledge receipt (7.4); ``channel`` defaults to the channel it came in by."""
        payload: EventPayload | Callable[[Complaint], EventPayload] = (
            Acknowledged(channel=channel, message=message)
            if channel is not None
            else lambda current: Acknowledged(channel=current.channel, message=message)
        )
        return self._run(Action.ACKNOWLEDGE, key, actor, payload, expected_version)

    def assess(
        self,
        key: ComplaintKey,
        actor: Actor,
        assessment: Assessment,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record the initial assessment (7.5), or revise it; the priority policy sets priority."""
        payload = Assessed(
            assessment=assessment,
            priority=self.priority_policy(assessment),
            priority_policy=self.priority_policy.name,
        )

        return self._run(
            Action.ASSESS, key, actor, payload, expected_version, command=assess_command
        )

    def classify(
        self,
        key: ComplaintKey,
        actor: Actor,
        classification: Classification,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Place the complaint in the category tree (8.2)."""
        payload = Classified(classification=classification)
        return self._run(Action.CLASSIFY, key, actor, payload, expected_version)

    def assign(
        self,
        key: ComplaintKey,
        actor: Actor,
        assignee: Actor,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Make ``assignee`` responsible for the complaint (4.12)."""
        payload = Assigned(assignee=assignee)
        return self._run(Action.ASSIGN, key, actor, payload, expected_version)

    def start_investigation(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        plan: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Begin the investigation (7.6)."""
        payload = InvestigationStarted(plan=plan)
        return self._run(Action.START_INVESTIGATION, key, actor, payload, expected_version)

    def add_note(
        self,
        key: ComplaintKey,
        actor: Actor,
        text: str,
        *,
        internal: bool = True,
        expected_version: int | None = None,
    ) -> Complaint:
        """Add an investigation note; internal unless ``internal=False``."""
        payload = NoteAdded(text=text, internal=internal)
        return self._run(Action.ADD_NOTE, key, actor, payload, expected_version)

    def record_root_cause(
        self,
        key: ComplaintKey,
        actor: Actor,
        root_cause: RootCause,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record the root cause and corrective or preventive action (8.2)."""
        payload = RootCauseRecorded(root_cause=root_cause)
        return self._run(Action.RECORD_ROOT_CAUSE, key, actor, payload, expected_version)

    def decide(
        self,
        key: ComplaintKey,
        actor: Actor,
        decision: Decision,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Take (or revise, before it is communicated) the decision (7.7)."""
        payload = DecisionMade(decision=decision)
        return self._run(Action.DECIDE, key, actor, payload, expected_version)

    def communicate_decision(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        channel: Channel,
        summary: str,
        recourse_explained: bool = True,
        expected_version: int | None = None,
    ) -> Complaint:
        """Tell the complainant the decision (7.8) and, unless fully upheld, their recourse."""
        payload = DecisionCommunicated(
            channel=channel, summary=summary, recourse_explained=recourse_explained
        )
        return self._run(Action.COMMUNICATE_DECISION, key, actor, payload, expected_version)

    def record_communication(
        self,
        key: ComplaintKey,
        actor: Actor,
        communication: Communication,
        *,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record any other exchange with the complainant, or an internal message."""
        payload = CommunicationRecorded(communication=communication)
        return self._run(Action.RECORD_COMMUNICATION, key, actor, payload, expected_version)

    def record_reaction(
        self,
        key: ComplaintKey,
        actor: Actor,
        reaction: Reaction,
        *,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record that the complainant accepts or rejects the decision (7.9)."""
        payload = ReactionRecorded(reaction=reaction, comment=comment)
        command = "accept_decision" if reaction is Reaction.ACCEPTS else "reject_decision"
        return self._run(
            Action.RECORD_REACTION, key, actor, payload, expected_version, command=command
        )

    def carry_out_decision(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        summary: str,
        expected_version: int | None = None,
    ) -> Complaint:
        """
        Record that the accepted decision was carried out (7.9): ``summary`` says what was done
        (the refund paid, the repair made). Only a decision that promises an action
        (``Decision.promises_action``) is carried out, once; a workflow built with
        ``standard_workflow(require_carried_out=True)`` closes such a complaint as resolved
        only after this.
        """
        payload = DecisionCarriedOut(summary=summary)
        return self._run(Action.CARRY_OUT_DECISION, key, actor, payload, expected_version)

    def request_internal_review(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Complaint:
        """Escalate a rejected decision for internal review."""
        payload = InternalReviewRequested(reason=reason)
        return self._run(Action.REQUEST_INTERNAL_REVIEW, key, actor, payload, expected_version)

    def refer_externally(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        body: str,
        external_reference: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record referral to an external dispute-resolution body (ISO 10003)."""
        payload = ReferredExternally(body=body, external_reference=external_reference)
        return self._run(Action.REFER_EXTERNALLY, key, actor, payload, expected_version)

    def close(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: ClosureReason,
        note: str | None = None,
        duplicate_of: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Close the complaint with a documented reason (guard ``closure_justified``)."""
        payload = Closed(reason=reason, note=note, duplicate_of=duplicate_of)
        if duplicate_of is not None and self.store.id_for_reference(duplicate_of) is None:
            raise ValidationError(
                "duplicate_of", f"no complaint has the reference {duplicate_of!r}"
            )
        return self._run(Action.CLOSE, key, actor, payload, expected_version)

    def withdraw(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record that the complainant withdrew the complaint."""
        payload = Withdrawn(reason=reason)
        return self._run(Action.WITHDRAW, key, actor, payload, expected_version)

    def reopen(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Complaint:
        """Reopen a closed or withdrawn complaint."""
        payload = Reopened(reason=reason)
        return self._run(Action.REOPEN, key, actor, payload, expected_version)

    def put_on_hold(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Complaint:
        """Put the complaint on hold (e.g. waiting for the complainant); SLA metrics may pause."""
        payload = HoldStarted(reason=reason)
        return self._run(Action.PUT_ON_HOLD, key, actor, payload, expected_version)

    def release_hold(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """End the hold; paused SLA metrics run again."""
        payload = HoldEnded(note=note)
        return self._run(Action.RELEASE_HOLD, key, actor, payload, expected_version)

    def extend_deadline(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        metric: str,
        kind: ExtensionKind,
        reason: str,
        until: _dt.datetime | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """
        Extend one timeliness metric's deadline as its regime allows: a holding response or
        delay notice moves it to the metric's extended target; an agreed extension to ``until``.

        Raises:
            ValidationError: the desk has no timeliness policies, the complaint's policy has no
                such metric, or the metric does not allow this kind of extension.
        """
        payload = DeadlineExtended(metric=metric, kind=kind, reason=reason, until=until)
        return self._run(
            Action.EXTEND_DEADLINE,
            key,
            actor,
            payload,
            expected_version,
            check=self._check_extension,
        )

    def _check_extension(self, complaint: Complaint, payload: EventPayload) -> None:
        sla = self._sla_in_force
        if sla is None:
            raise ValidationError("metric", NO_POLICIES)
        assert isinstance(payload, DeadlineExtended)
        if payload.until is not None and payload.until <= self.clock.now():
            raise ValidationError("until", "an agreed deadline must lie in the future")
        sla.check_extension(complaint, payload)

    def run_step(
        self,
        key: ComplaintKey,
        actor: Actor,
        command: str,
        *,
        note: str | None = None,
        data: object = None,
        reason: ClosureReason | None = None,
        duplicate_of: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """
        Run a step of a custom workflow, asking the authorizer about the step by name
        (:meth:`Action.step <iso10002.Action.step>`).

        ``data`` is the step's typed payload when its transition declares one (an instance of
        the declared attrs class, or a mapping of its fields), validated now and stored in the
        event. A step that closes the complaint (from an open state into a closed one) needs
        the ``reason`` it closes for, judged like ``close``'s by the workflow's guards, and
        ``duplicate_of`` for a duplicate; a step that does not close takes neither.

        Raises:
            CommandRejected: ``command`` is one of the standard workflow's, which record their
                own data (a decision, a classification, ...) through their own methods.
            ValidationError: ``data`` is missing, not of the declared class or bad in a field
                (``data.<field>``); a closing step has no ``reason``, or a step that does not
                close has one; ``duplicate_of`` names no complaint.
        """
        if command in _STANDARD_COMMANDS:
            # A note-only step would move the complaint without the data the state stands for
            # (``decide`` to "decided" with no decision).
            method = desk_method(command)
            current = self._load(self._resolve(key))
            raise refused(command, current, f"it records its own data: call ComplaintDesk.{method}")
        action = Action.step(command)
        if duplicate_of is not None and self.store.id_for_reference(duplicate_of) is None:
            raise ValidationError(
                "duplicate_of", f"no complaint has the reference {duplicate_of!r}"
            )

        def payload(current: Complaint) -> EventPayload:
            # The step is the one of the workflow in force for this complaint.
            workflow = workflow_in_force(self, current, command)
            encoded = encode_step_data(workflow, command, data)
            closing = closes(workflow, current.state, command)
            if closing and reason is None:
                raise ValidationError(
                    "reason",
                    f"step {command!r} closes complaint {current.reference}: give the "
                    "ClosureReason it closes for",
                )
            if not closing and reason is not None:
                raise ValidationError(
                    "reason",
                    f"step {command!r} does not close complaint {current.reference} from "
                    f"state {current.state!r}: it takes no closure reason",
                )
            return StepRecorded(
                command=command,
                note=note,
                data=encoded,
                closure_reason=reason,
                duplicate_of=duplicate_of,
            )

        return self._run(action, key, actor, payload, expected_version, command=command)


_STANDARD_COMMANDS = frozenset(t.command for t in standard_workflow().transitions)
"""The standard workflow's commands: each has its own method and payload."""
_METHODS = {
    "reassess": "assess",
    "accept_decision": "record_reaction",
    "reject_decision": "record_reaction",
}
"""The methods of the standard commands not named after them."""


def desk_method(command: str) -> str:
    """
    The desk method that runs the workflow command ``command``: its own for a command of
    the standard workflow, ``run_step`` for a custom step.
    """
    if command not in _STANDARD_COMMANDS:
        return "run_step"
    return _METHODS.get(command, command)


def assess_command(complaint: Complaint) -> str:
    """The workflow command ``assess`` runs: ``assess`` the first time, then ``reassess``."""
    return "assess" if complaint.assessment is None else "reassess"
