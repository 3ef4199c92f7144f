"""
Workflow definitions as JSON or TOML: read one from a file, or turn one into data to save.

A file holds ``name``, ``initial``, ``states`` and ``transitions``, and optionally
``no_reply_days``: the period of the ``closure_justified`` guard (28 by default). Guards are
named, from the standard guards of :mod:`iso10002.process.guards`::

    name = "acme-complaints"
    initial = "received"

    [[states]]
    name = "received"
    description = "Recorded with a unique reference."

    [[transitions]]
    command = "acknowledge"
    sources = ["received"]
    target = "acknowledged"          # absent (or null in JSON): the command keeps the state
    guards = []                      # optional
    description = "Acknowledge receipt."   # optional

The workflow is built by :class:`~iso10002.process.workflow.Workflow`, so every check made on a
definition applies; its :class:`~iso10002.errors.DefinitionError` comes through unchanged.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from iso10002 import _toml
from iso10002.errors import SerializationError, ValidationError
from iso10002.process import guards as _guards
from iso10002.process.standard import DEFAULT_NO_REPLY_PERIOD
from iso10002.process.workflow import Guard, StateDef, Transition, Workflow
from iso10002.serialization import parse_json, structure

__all__ = [
    "GUARD_NAMES",
    "dump_workflow",
    "is_file_guard",
    "load_workflow",
    "read_workflow_file",
]

_DEFAULT_NO_REPLY_DAYS = DEFAULT_NO_REPLY_PERIOD.days

_FIXED_GUARDS: Mapping[str, Guard] = {
    g.name: g
    for g in (
        _guards.action_promised,
        _guards.assessment_recorded,
        _guards.decision_carried_out,
        _guards.objectivity,
        _guards.recourse_explained,
        _guards.not_on_hold,
        _guards.on_hold,
    )
}
_CLOSURE_JUSTIFIED = "closure_justified"

GUARD_NAMES: tuple[str, ...] = tuple(sorted((*_FIXED_GUARDS, _CLOSURE_JUSTIFIED)))
"""The guards a workflow file may name."""


def _at_least_one_day(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValidationError(attribute.name, f"must be at least 1 day, got {value}")


@attrs.frozen(kw_only=True)
class _StateRecord:
    name: str
    description: str = ""
    closed: bool = False
    final: bool = False


@attrs.frozen(kw_only=True)
class _TransitionRecord:
    command: str
    sources: tuple[str, ...]
    target: str | None = None
    guards: tuple[str, ...] = ()
    description: str = ""


@attrs.frozen(kw_only=True)
class _WorkflowRecord:
    name: str
    initial: str
    states: tuple[_StateRecord, ...]
    transitions: tuple[_TransitionRecord, ...]
    no_reply_days: int = attrs.field(default=_DEFAULT_NO_REPLY_DAYS, validator=_at_least_one_day)


def _guard_lookup(no_reply_days: int) -> Callable[[str], Guard | None]:
    closure = _guards.closure_justified(_dt.timedelta(days=no_reply_days))

    def lookup(name: str) -> Guard | None:
        return closure if name == _CLOSURE_JUSTIFIED else _FIXED_GUARDS.get(name)

    return lookup


def load_workflow(data: object, *, path: str = "$") -> Workflow:
    """
    Build a workflow from JSON-shaped ``data`` (the shape described in this module).

    Raises:
        SerializationError: a missing, unknown or bad field, or an unknown guard; the message
            gives its path, such as ``$.transitions[3].guards[0]``.
        DefinitionError: the definition is inconsistent (see :class:`Workflow`).
    """
    record = structure(data, _WorkflowRecord, path=path)
    guard = _guard_lookup(record.no_reply_days)
    transitions = []
    for i, t in enumerate(record.transitions):
        found = []
        for j, name in enumerate(t.guards):
            g = guard(name)
            if g is None:
                where = f"{path}.transitions[{i}].guards[{j}]"
                raise SerializationError(
                    f"{where}: unknown guard {name!r} (known: {', '.join(GUARD_NAMES)})",
                    path=where,
                )
            found.append(g)
        transitions.append(
            Transition(
                command=t.command,
                sources=t.sources,
                target=t.target,
                guards=tuple(found),
                description=t.description,
            )
        )
    return Workflow(
        name=record.name,
        initial=record.initial,
        states=[
            StateDef(name=s.name, description=s.description, closed=s.closed, final=s.final)
            for s in record.states
        ],
        transitions=transitions,
    )


def _no_reply_days(workflow: Workflow) -> int | None:
    """The period of the workflow's closure_justified guards, if any, in whole days."""
    found: set[int] = set()
    for i, t in enumerate(workflow.transitions):
        for j, g in enumerate(t.guards):
            if g.name != _CLOSURE_JUSTIFIED:
                continue
            # Guards compare by name and description, and the description states the days.
            days = next(
                (d for d in _days_in(g.description) if g == _guard_lookup(d)(_CLOSURE_JUSTIFIED)),
                None,
            )
            if days is None:
                where = f"$.transitions[{i}].guards[{j}]"
                raise SerializationError(
                    f"{where}: this {_CLOSURE_JUSTIFIED} guard is not the library's",
                    path=where,
                )
            found.add(days)
    if len(found) > 1:
        raise SerializationError(
            f"$.no_reply_days: the workflow's {_CLOSURE_JUSTIFIED} guards have different "
            f"periods {sorted(found)}; a file holds one",
            path="$.no_reply_days",
        )
    return found.pop() if found else None


def is_file_guard(guard: Guard, *, any_period: bool = True) -> bool:
    """
    Whether a workflow file can name ``guard``: it is one of the library's guards of
    :data:`GUARD_NAMES` (``closure_justified`` of any period, unless ``any_period`` is off,
    then only of the default 28 days), not a guard written in Python under such a name.
    """
    if _FIXED_GUARDS.get(guard.name) == guard:
        return True
    if guard.name != _CLOSURE_JUSTIFIED:
        return False
    days = _days_in(guard.description) if any_period else [_DEFAULT_NO_REPLY_DAYS]
    return any(guard == _guard_lookup(d)(_CLOSURE_JUSTIFIED) for d in days)


def _days_in(text: str) -> list[int]:
    words = text.replace(",", " ").split()
    return [int(w) for w in words if w.isdigit() and int(w) >= 1]


def dump_workflow(workflow: Workflow) -> dict[str, Any]:
    """
    The workflow as JSON-shaped data that :func:`load_workflow` reads back to an equal
    workflow. Fields at their defaults are left out, so the data is also valid TOML content.

    Raises:
        SerializationError: a guard is not one of :data:`GUARD_NAMES` (a guard written in
            Python cannot be saved by name), naming its path.
    """
    days = _no_reply_days(workflow)
    lookup = _guard_lookup(days or _DEFAULT_NO_REPLY_DAYS)
    transitions: list[dict[str, Any]] = []
    for i, t in enumerate(workflow.transitions):
        for j, g in enumerate(t.guards):
            if lookup(g.name) != g:
                where = f"$.transitions[{i}].guards[{j}]"
                raise SerializationError(
                    f"{where}: guard {g.name!r} is not a standard guard; a workflow file can "
                    f"only name {', '.join(GUARD_NAMES)}",
                    path=where,
                )
        item: dict[str, Any] = {"command": t.command, "sources": list(t.sources)}
        if t.target is not None:
            item["target"] = t.target
        if t.guards:
            item["guards"] = [g.name for g in t.guards]
        if t.description:
            item["description"] = t.description
        transitions.append(item)
    states: list[dict[str, Any]] = []
    for s in workflow.states:
        state: dict[str, Any] = {"name": s.name, "description": s.description}
        if s.closed:
            state["closed"] = True
        if s.final:
            state["final"] = True
        states.append(state)
    data: dict[str, Any] = {"name": workflow.name, "initial": workflow.initial}
    if days is not None and days != _DEFAULT_NO_REPLY_DAYS:
        data["no_reply_days"] = days
    data["states"] = states
    data["transitions"] = transitions
    return data


def read_workflow_file(file: str | os.PathLike[str]) -> Workflow:
    """
    Read a workflow from a ``.json`` or ``.toml`` file (UTF-8, a byte-order mark allowed).

    Raises:
        SerializationError: the file is not valid JSON or TOML, has another suffix, or does
            not describe a workflow (the message gives the path of the bad field).
        DefinitionError: the definition is inconsistent.
        OSError: the file cannot be read.
    """
    path = Path(file)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise SerializationError(
            f"$: cannot tell the format of {path.name!r}; name the file .json or .toml"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not content
    except UnicodeDecodeError as e:
        raise SerializationError(f"$: not UTF-8 text: {e}") from e
    data = parse_json(text) if suffix == ".json" else _toml.loads(text)
    return load_workflow(data)
