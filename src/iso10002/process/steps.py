"""
Custom workflow steps: the typed data a step records, and whether a step closes a complaint.

A transition may declare the attrs class of its step's data (:attr:`Transition.payload
<iso10002.process.workflow.Transition.payload>`). When the step runs, :func:`encode_step_data`
checks the data given against that class, through the library's one converter (so a product
registers hooks for its own field types on :data:`iso10002.serialization.converter`), and
turns it into the JSON text that :class:`~iso10002.model.events.StepRecorded` stores;
:func:`read_step_data` turns it back into the class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from iso10002.errors import SerializationError, ValidationError
from iso10002.model.events import StepRecorded
from iso10002.process.workflow import Workflow
from iso10002.serialization import dumps, structure, unstructure

__all__ = ["closes", "encode_step_data", "read_step_data"]

T = TypeVar("T")


def _data_error(command: str, error: SerializationError) -> ValidationError:
    """A converter error about the data, as the field ``data.…`` that it names."""
    where = "data" + (error.path or "$")[1:]
    reason = str(error)
    prefix = f"{error.path}: "
    if error.path and reason.startswith(prefix):
        reason = reason[len(prefix) :]
    return ValidationError(where, f"step {command!r}: {reason}")


def encode_step_data(workflow: Workflow, command: str, data: object) -> str | None:
    """
    The data of step ``command`` as the JSON text its event stores: ``data`` is an instance of
    the class the step declares, or a JSON-shaped mapping of its fields; ``None`` for a step
    that declares none.

    Raises:
        ValidationError: the step declares a payload class and ``data`` is missing, of another
            type or has a bad field (the field is named, e.g. ``data.opinion``); or the step
            declares none and ``data`` was given.
    """
    cls = workflow.step_payload(command)
    if cls is None:
        if data is not None:
            raise ValidationError(
                "data", f"step {command!r} declares no payload type: it records a note only"
            )
        return None
    if data is None:
        raise ValidationError("data", f"step {command!r} needs its {cls.__name__} data")
    try:
        if isinstance(data, Mapping):
            data = structure(dict(data), cls)
        elif not isinstance(data, cls):
            raise ValidationError(
                "data",
                f"step {command!r} takes a {cls.__name__}, got {type(data).__name__}",
            )
        encoded = unstructure(data)
        # What cannot be read back is refused now, not when the history is read years later.
        structure(encoded, cls)
    except SerializationError as e:
        raise _data_error(command, e) from e
    if not isinstance(encoded, dict):
        raise ValidationError("data", f"step {command!r}: {cls.__name__} is not written as fields")
    return dumps(encoded)


def read_step_data(step: StepRecorded, cls: type[T]) -> T | None:
    """
    The data ``step`` recorded, as ``cls``; ``None`` if it recorded none or it was erased.

    Raises:
        ValidationError: the stored data does not read as ``cls`` (the field is named).
    """
    fields = step.data_fields
    if fields is None:
        return None
    try:
        return structure(fields, cls)
    except SerializationError as e:
        raise _data_error(step.command, e) from e


def closes(workflow: Workflow, state: str, command: str) -> bool:
    """
    Whether ``command`` closes a complaint in ``state``: it leads from a state that is not
    closed into one that is.

    Raises:
        UnknownCommand, InvalidTransition: ``command`` cannot run in ``state``.
    """
    t = workflow.transition(state, command)
    if t.target is None or workflow.state(state).closed:
        return False
    return workflow.state(t.target).closed
