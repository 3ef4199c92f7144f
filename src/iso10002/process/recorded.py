"""
The workflows that governed complaints, as recorded: :func:`workflow_record` and
:func:`workflow_from_record`.

When a desk receives a complaint, the workflow it runs is recorded once in the store, keyed by
the hash of its canonical JSON, and the ``complaint_received`` event names that fingerprint; a
``workflow_applied`` event names the workflow an explicit re-application moved it to. An audit
then judges each complaint against the workflow it actually ran under, whatever workflow is
configured today.

The content is the workflow file's form (:func:`~iso10002.process.workflow_file.dump_workflow`)
whenever the workflow can be written as a file, so that it is read back to a workflow that
behaves the same. A guard written in Python cannot be recorded as code: it is recorded by its
name and description under ``code_guards`` (so is a ``closure_justified`` guard of such a
workflow, whose period the file form then cannot hold), and such a record describes the
workflow without rebuilding it (:func:`workflow_from_record` returns None). The payload class
of a custom step is recorded by its qualified name under ``payloads``, for the reader; the
rebuilt workflow's steps record notes only, which changes nothing an audit reads.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any

from iso10002.errors import Iso10002Error, SerializationError
from iso10002.model.configuration import WORKFLOW, ConfigurationRecord, fingerprint_of
from iso10002.model.events import ComplaintReceived, Event, WorkflowApplied
from iso10002.process import workflow_file as _file
from iso10002.process.workflow import Workflow
from iso10002.process.workflow_file import is_file_guard
from iso10002.serialization import canonical_json, parse_json

__all__ = [
    "RecordedWorkflow",
    "not_runnable",
    "recorded_workflow",
    "workflow_content",
    "workflow_from_record",
    "workflow_record",
]


def workflow_content(workflow: Workflow) -> dict[str, Any]:
    """
    The JSON-shaped content a workflow is recorded with: its file form, with the guards that
    are code (``code_guards``: name to description) and the custom steps' payload classes
    (``payloads``: command to qualified class name) named.
    """
    code: dict[str, str] = {}
    try:
        data = _file.dump_workflow(workflow)
    except SerializationError:
        data = _described(workflow, code)
    payloads = {
        t.command: f"{t.payload.__module__}.{t.payload.__qualname__}"
        for t in workflow.transitions
        if t.payload is not None
    }
    if payloads:
        data["payloads"] = payloads
    if code:
        data["code_guards"] = code
    return data


def _described(workflow: Workflow, code: dict[str, str]) -> dict[str, Any]:
    """The file form with every guard by name; those no file can name go into ``code``."""
    states: list[dict[str, Any]] = []
    for s in workflow.states:
        state: dict[str, Any] = {"name": s.name, "description": s.description}
        if s.closed:
            state["closed"] = True
        if s.final:
            state["final"] = True
        states.append(state)
    transitions: list[dict[str, Any]] = []
    for t in workflow.transitions:
        item: dict[str, Any] = {"command": t.command, "sources": list(t.sources)}
        if t.target is not None:
            item["target"] = t.target
        if t.guards:
            item["guards"] = [g.name for g in t.guards]
        if t.description:
            item["description"] = t.description
        transitions.append(item)
        for g in t.guards:
            # The file form could not be written: a closure_justified guard's period then
            # cannot be held by it either, so that one too is described, not rebuilt.
            if not is_file_guard(g, any_period=False) or g.name == "closure_justified":
                code[g.name] = g.description
    return {
        "name": workflow.name,
        "initial": workflow.initial,
        "states": states,
        "transitions": transitions,
    }


def workflow_record(workflow: Workflow) -> ConfigurationRecord:
    """
    ``workflow`` as a store keeps it: its canonical JSON, keyed by the hash of it. A workflow
    has no version of its own: the record's version is the first 12 hex digits of the hash.
    """
    content = canonical_json(workflow_content(workflow))
    fingerprint = fingerprint_of(content)
    return ConfigurationRecord(
        kind=WORKFLOW,
        name=workflow.name,
        version=fingerprint.partition(":")[2][:12],
        content=content,
        fingerprint=fingerprint,
    )


def workflow_from_record(record: ConfigurationRecord) -> Workflow | None:
    """
    The workflow a record holds, built as a workflow file is; None when its guards include
    code, which a record names but cannot hold.

    Raises:
        SerializationError, DefinitionError: the content is not a workflow this release reads.
    """
    data = parse_json(record.content)
    if not isinstance(data, dict):
        raise SerializationError("$.configuration: a workflow record holds an object")
    if data.get("code_guards"):
        return None
    data = {k: v for k, v in data.items() if k != "payloads"}
    return _file.load_workflow(data, path="$.configuration")


def not_runnable(record: ConfigurationRecord) -> str:
    """
    Why a desk cannot run the workflow rebuilt from ``record``: its guards, or the data classes
    of its steps, are Python code, which the record names (see :func:`workflow_content`) but
    cannot hold. Empty when it can. (:func:`workflow_from_record` still rebuilds a workflow
    whose steps have data classes, without them, for an audit to check.)
    """
    data = parse_json(record.content)
    if not isinstance(data, dict):
        return "its record holds no workflow"
    guards = data.get("code_guards")
    if guards:
        names = ", ".join(sorted(guards)) if isinstance(guards, dict) else str(guards)
        return f"its guards {names} are Python code, which a record names but cannot hold"
    payloads = data.get("payloads")
    if payloads:
        names = ", ".join(sorted(payloads)) if isinstance(payloads, dict) else str(payloads)
        return (
            f"the data of its steps {names} is of Python classes, which a record names but "
            "cannot hold"
        )
    return ""


def recorded_workflow(history: Iterable[Event], when: _dt.datetime | None = None) -> str | None:
    """
    The fingerprint of the workflow ``history`` was handled under at ``when`` (None: at its
    end): the one it was received into, or the last one re-applied; None if none is recorded.
    """
    found: str | None = None
    for event in history:
        if when is not None and event.occurred_at > when:
            break
        payload = event.payload
        if isinstance(payload, ComplaintReceived):
            found = payload.workflow
        elif isinstance(payload, WorkflowApplied):
            found = payload.configuration
    return found


class RecordedWorkflow:
    """
    One recorded workflow as an audit reads it: the record, the names of its states and
    commands, and the workflow rebuilt from it (None when its guards are code, unless
    ``given``, a workflow with the same fingerprint, supplies them; ``error`` says why when the
    content cannot be read).
    """

    def __init__(self, record: ConfigurationRecord, given: Workflow | None = None) -> None:
        self.record = record
        self.error: str | None = None
        self.workflow: Workflow | None = None
        try:
            data = parse_json(record.content)
        except Iso10002Error as e:
            data, self.error = {}, str(e)
        content = data if isinstance(data, dict) else {}
        states, transitions = content.get("states"), content.get("transitions")
        self.states: frozenset[str] = frozenset(
            s["name"] for s in (states or ()) if isinstance(s, dict) and "name" in s
        )
        self.commands: frozenset[str] = frozenset(
            t["command"] for t in (transitions or ()) if isinstance(t, dict) and "command" in t
        )
        guards = content.get("code_guards")
        self.code_guards: tuple[str, ...] = (
            tuple(sorted(guards)) if isinstance(guards, dict) else ()
        )
        if given is not None and workflow_record(given).fingerprint == record.fingerprint:
            self.workflow = given
            return
        if self.error is None:
            try:
                self.workflow = workflow_from_record(record)
            except Iso10002Error as e:
                self.error = str(e)

    @property
    def label(self) -> str:
        """The workflow's name, version and fingerprint, as a report names it."""
        r = self.record
        return f"{r.name!r} (version {r.version}, {r.fingerprint})"
