"""
Which commands an actor may run on a complaint now: the buttons a user interface shows.

The answer is built from the same pieces a command runs through (see :mod:`~iso10002.desk._path`):
the workflow's transitions out of the complaint's state, named by the desk methods that run them
(:func:`~iso10002.desk._commands.desk_method`); the authorizer, asked in advance for each
method, whose refusals drop the method from the list; and the guards, judged in advance where
they can be (:meth:`~iso10002.process.workflow.Workflow.outlook`). What only the command's own
input can settle (a guard that reads the payload, the complainant's reaction, a deadline's
regime, a survey's eligibility) is flagged ``needs_input`` rather than promised.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from iso10002.access import Action
from iso10002.desk._access import check_actor
from iso10002.desk._commands import NO_POLICIES, assess_command, desk_method
from iso10002.desk._in_force import runnable
from iso10002.desk._loading import ComplaintKey
from iso10002.desk._path import CommandPath
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
    HoldEnded,
    HoldStarted,
    InternalReviewRequested,
    InvestigationStarted,
    NoteAdded,
    ReactionRecorded,
    ReferredExternally,
    Reopened,
    RootCauseRecorded,
    SatisfactionRecorded,
    StepRecorded,
    Withdrawn,
)
from iso10002.model.values import Actor
from iso10002.process.workflow import Workflow

__all__ = ["Availability", "AvailableCommand"]


@attrs.frozen(kw_only=True)
class AvailableCommand:
    """
    A command an actor may run on a complaint now, as
    :meth:`~iso10002.desk.ComplaintDesk.available_commands` lists it.

    Attributes:
        method: the desk method that runs it (``"decide"``, ``"record_reaction"``,
            ``"run_step"``), which is also its :class:`~iso10002.Action`.
        step: for ``run_step``, the custom workflow step to name; ``None`` otherwise.
        passes: ``False`` when the command is refused already, whatever its input: a guard
            refuses it (``guard`` names it) or the desk cannot run it; ``reason`` says why.
        needs_input: whether the outcome still depends on the command's input (a guard that
            reads the payload, such as ``closure_justified`` on ``close``; which reaction is
            recorded; a deadline's regime; a survey's eligibility): ``passes`` then means only
            that nothing refuses it yet.
        guard: the guard that refuses it, if a guard does.
        reason: why it is refused, if it is.
    """

    method: str
    step: str | None = None
    passes: bool = True
    needs_input: bool = False
    guard: str | None = None
    reason: str | None = None


_PAYLOADS: Mapping[str, type] = {
    "acknowledge": Acknowledged,
    "assess": Assessed,
    "classify": Classified,
    "assign": Assigned,
    "start_investigation": InvestigationStarted,
    "add_note": NoteAdded,
    "record_root_cause": RootCauseRecorded,
    "decide": DecisionMade,
    "communicate_decision": DecisionCommunicated,
    "carry_out_decision": DecisionCarriedOut,
    "record_communication": CommunicationRecorded,
    "record_reaction": ReactionRecorded,
    "request_internal_review": InternalReviewRequested,
    "refer_externally": ReferredExternally,
    "close": Closed,
    "withdraw": Withdrawn,
    "reopen": Reopened,
    "put_on_hold": HoldStarted,
    "release_hold": HoldEnded,
    "extend_deadline": DeadlineExtended,
    "record_satisfaction": SatisfactionRecorded,
    "answer_survey": SatisfactionRecorded,
    "run_step": StepRecorded,
}
"""The payload class each command method records: guards that read no such payload are judged."""

_INPUT_CHECKED = frozenset({"extend_deadline", "answer_survey"})
"""Methods whose own check of the input (a regime, a survey's rules) may still refuse them."""

_CHOICES: Mapping[str, int] = {"record_reaction": 2}
"""Methods whose input picks one of several workflow commands, and how many there are."""


class Availability(CommandPath):
    """What an actor may do with a complaint now."""

    def available_commands(self, key: ComplaintKey, *, actor: Actor) -> list[AvailableCommand]:
        """
        The commands ``actor`` may run on the complaint now, one per desk method (and one per
        custom step for ``run_step``), sorted by method and step.

        A method is listed when the workflow allows one of its commands in the complaint's
        state and the authorizer, if the desk has one, allows the actor the method's action on
        this complaint; the authorizer is asked in advance, so its refusals are not recorded
        as denials. Each entry says whether the guards let it pass (judged now, for the
        actor, on the complaint as stored) and whether the outcome still depends on the
        command's input (see :class:`AvailableCommand`). The workflow is the one in force for
        the complaint, as commands run it (the one recorded for it). A complaint whose personal
        data was erased lists nothing, and so does one whose recorded workflow the desk cannot
        run (:class:`~iso10002.errors.WorkflowUnavailable`): every command is refused on it.

        ``actor`` is required even without an authorizer: guards such as ``objectivity``
        judge who acts.

        Raises:
            ValidationError: ``actor`` is not an :class:`~iso10002.Actor`.
            ComplaintNotFound: ``key`` names no complaint.
        """
        check_actor(actor)
        complaint = self._load(self._resolve(key))
        if complaint.erased_at is not None:
            return []
        workflow = runnable(self, complaint)
        if workflow is None:
            return []
        by_method: dict[tuple[str, str | None], list[str]] = {}
        for command in workflow.allowed(complaint.state):
            method = desk_method(command)
            if method == "assess" and command != assess_command(complaint):
                continue  # the desk runs the other one of assess and reassess
            step = command if method == "run_step" else None
            by_method.setdefault((method, step), []).append(command)
        listed = []
        for (method, step), commands in sorted(by_method.items(), key=_order):
            action = Action(method) if step is None else Action.step(step)
            if self._permits(actor, action, complaint):
                listed.append(
                    self._judge(complaint, actor, method, step, commands, workflow=workflow)
                )
        return listed

    def _judge(
        self,
        complaint: Complaint,
        actor: Actor,
        method: str,
        step: str | None,
        commands: list[str],
        *,
        workflow: Workflow,
    ) -> AvailableCommand:
        """
        The entry of ``method``, which runs one of ``commands`` of ``workflow`` on
        ``complaint``.
        """
        if method == "extend_deadline" and self.sla is None:
            return AvailableCommand(method=method, passes=False, reason=NO_POLICIES)
        now = self.clock.now()
        payload_type = _PAYLOADS[method]
        outlooks = [
            workflow.outlook(complaint, c, actor, now, payload_type=payload_type) for c in commands
        ]
        open_ = [o for o in outlooks if not o.refused]
        if not open_:
            first = outlooks[0]
            return AvailableCommand(
                method=method, step=step, passes=False, guard=first.guard, reason=first.reason
            )
        needs_input = (
            method in _INPUT_CHECKED
            or len(open_) < _CHOICES.get(method, 1)
            or any(o.pending for o in open_)
        )
        return AvailableCommand(method=method, step=step, needs_input=needs_input)


def _order(item: tuple[tuple[str, str | None], list[str]]) -> tuple[str, str]:
    (method, step), _ = item
    return method, step or ""
