"""
Which workflow decides a command on a complaint: the one in force for it, as recorded
(:attr:`~iso10002.model.complaint.Complaint.workflow_fingerprint`), never simply today's.

- the desk's own workflow when the complaint names it, or names none (received before
  workflows were recorded): the common case, decided by comparing two strings;
- else one of the earlier workflows the desk was given (``ComplaintDesk(workflows=...)``);
- else the workflow rebuilt from its record in the store, when the record holds all of it: no
  guards and no step data classes written in Python, which a record names but cannot hold;
- else the command is refused with :class:`~iso10002.errors.WorkflowUnavailable`, before
  anything is written.

Rebuilt workflows are kept per fingerprint: a record never changes, so neither does what it
rebuilds.
"""

from __future__ import annotations

from collections.abc import Iterable

from iso10002.desk._loading import DeskBase
from iso10002.errors import Iso10002Error, ValidationError, WorkflowUnavailable
from iso10002.model.complaint import Complaint
from iso10002.model.configuration import ConfigurationRecord
from iso10002.ports.store import is_configuration_store
from iso10002.process.recorded import not_runnable, workflow_from_record, workflow_record
from iso10002.process.workflow import Workflow

__all__ = ["given_workflows", "own_record", "workflow_in_force"]


def given_workflows(workflows: Iterable[Workflow]) -> dict[str, Workflow]:
    """
    The earlier workflows a desk is given, by fingerprint.

    Raises:
        ValidationError: ``workflows`` is not an iterable of workflows (``workflows[i]`` names
            the first one that is not).
    """
    if isinstance(workflows, (str, bytes, Workflow)) or not isinstance(workflows, Iterable):
        raise ValidationError(
            "workflows", f"expected a sequence of Workflow, got {type(workflows).__name__}"
        )
    found: dict[str, Workflow] = {}
    for i, workflow in enumerate(workflows):
        if not isinstance(workflow, Workflow):
            raise ValidationError(
                f"workflows[{i}]", f"expected a Workflow, got {type(workflow).__name__}"
            )
        found.setdefault(workflow_record(workflow).fingerprint, workflow)
    return found


def own_record(desk: DeskBase) -> ConfigurationRecord:
    """The record of the desk's workflow, made again only when ``desk.workflow`` is replaced."""
    workflow = desk.workflow
    own = desk._own_workflow
    if own is None or own[0] is not workflow:
        own = desk._own_workflow = (workflow, workflow_record(workflow))
    return own[1]


def workflow_in_force(desk: DeskBase, complaint: Complaint, command: str) -> Workflow:
    """
    The workflow that decides ``command`` on ``complaint`` (see the module's docstring).

    Raises:
        WorkflowUnavailable: the desk cannot run the complaint's workflow; ``command`` names
            the command refused.
    """
    recorded = complaint.workflow_fingerprint
    workflow = desk.workflow
    own = desk._own_workflow
    if recorded is None or (
        own is not None and own[0] is workflow and recorded == own[1].fingerprint
    ):
        return workflow
    return _other(desk, complaint, recorded, command)


def runnable(desk: DeskBase, complaint: Complaint) -> Workflow | None:
    """The workflow in force for ``complaint``, or None when the desk cannot run it."""
    try:
        return workflow_in_force(desk, complaint, "available_commands")
    except WorkflowUnavailable:
        return None


def _other(desk: DeskBase, complaint: Complaint, recorded: str, command: str) -> Workflow:
    """The slow path of :func:`workflow_in_force`: a workflow other than the desk's own."""
    if recorded == own_record(desk).fingerprint:
        return desk.workflow
    found = desk._given_workflows.get(recorded) or desk._rebuilt_workflows.get(recorded)
    if found is not None:
        return found
    record: ConfigurationRecord | None = None
    store = desk.store
    if is_configuration_store(store):
        record = store.configuration(recorded)
    if record is None:
        why = "the store keeps no record of it"
    else:
        try:
            why = not_runnable(record)
            rebuilt = None if why else workflow_from_record(record)
        except Iso10002Error as e:
            why, rebuilt = f"its record cannot be read: {e}", None
        if rebuilt is not None:
            desk._rebuilt_workflows[recorded] = rebuilt
            return rebuilt
        why = why or "its record cannot rebuild it"
    raise WorkflowUnavailable(
        command=command,
        reference=complaint.reference,
        state=complaint.state,
        fingerprint=recorded,
        workflow=None if record is None else record.name,
        version=None if record is None else record.version,
        why=why,
    )
