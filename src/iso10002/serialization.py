"""
The one place where library objects become JSON and back.

Every record that is stored, exported or imported goes through :data:`converter`, a
``cattrs.Converter`` configured by :func:`configure_converter`:

- datetimes as ISO 8601 strings; reading one without a UTC offset is an error;
- dates as ``YYYY-MM-DD``; local times of day as ``HH:MM[:SS[.ffffff]]`` (no offset); UUIDs as
  strings; ``Decimal`` as a string, never a float; durations (``timedelta``) as ISO 8601
  durations in days, hours, minutes and seconds (``P1DT2H3M4.5S``, ``-PT30M``);
- enums by value; tuples as JSON arrays;
- unknown keys are an error, so a typo in stored or imported data never passes silently;
- an :class:`~iso10002.model.events.Event` is a flat record with ``schema_version``, ``type`` and
  its payload under ``payload``.

Errors come out as :class:`~iso10002.errors.SerializationError` whose message carries the path of
the bad value (``$.payload.complainant.contact.email``). A message repeats the bad value only when
it cannot be free text (a number, or a short code such as ``'2026-13-01'``; see
:func:`~iso10002.model._checks.shown`), and never when the path leads into a field marked as
personal data (:mod:`iso10002.model.personal`): such an error says what is wrong, not what was
there, and is not chained to the exceptions that found it, whose messages are not ours.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar, get_args, get_origin
from uuid import UUID

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from dateutil.parser import isoparse

from iso10002.errors import Iso10002Error, SerializationError, ValidationError
from iso10002.model import values as _values
from iso10002.model._checks import shown
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import (
    SCHEMA_VERSION,
    ComplaintReceived,
    Event,
    SlaPolicyApplied,
    StepRecorded,
    payload_types,
)
from iso10002.model.personal import personal_fields
from iso10002.model.values import Actor

__all__ = [
    "build_event",
    "canonical_json",
    "compact_json",
    "configure_converter",
    "converter",
    "dumps",
    "event_from_dict",
    "event_to_dict",
    "history_from_json",
    "history_to_json",
    "loads",
    "make_converter",
    "parse_json",
    "pretty_json",
    "structure",
    "unstructure",
]

T = TypeVar("T")

_PAYLOAD_TYPES = payload_types()
_MODEL_ENUMS = tuple(
    v
    for v in vars(_values).values()
    if isinstance(v, type) and issubclass(v, Enum) and v is not Enum
)


# Digits and the punctuation of dates and times, the space between date and time included:
# what a mistyped instant looks like, and never words.
_TEMPORAL = re.compile(r"^[0-9TZ:.,+/ -]{1,40}$")


def _shown_instant(value: str) -> str:
    """A bad date or time as a message repeats it: see :func:`~iso10002.model._checks.shown`."""
    return repr(value) if _TEMPORAL.match(value) else shown(value)


def _structure_datetime(value: object, _: object) -> _dt.datetime:
    if not isinstance(value, str):
        raise SerializationError(f"expected an ISO 8601 string, got {type(value).__name__}")
    try:
        # fromisoformat is C and fast; isoparse accepts the ISO forms it does not.
        parsed = _dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    try:
        parsed = parsed or isoparse(value)
    except (ValueError, OverflowError):
        raise SerializationError(f"{_shown_instant(value)} is not an ISO 8601 datetime") from None
    if parsed.tzinfo is None:
        raise SerializationError(f"{_shown_instant(value)} has no UTC offset")
    return parsed


def _structure_date(value: object, _: object) -> _dt.date:
    if not isinstance(value, str):
        raise SerializationError(f"expected a YYYY-MM-DD string, got {type(value).__name__}")
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise SerializationError(f"{_shown_instant(value)} is not a YYYY-MM-DD date") from None


_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{6})?)?$")


def _unstructure_time(value: _dt.time) -> str:
    if value.second == 0 and value.microsecond == 0:
        return value.isoformat(timespec="minutes")
    return value.isoformat()


def _structure_time(value: object, _: object) -> _dt.time:
    if not isinstance(value, str):
        raise SerializationError(
            f"expected an HH:MM[:SS[.ffffff]] string, got {type(value).__name__}"
        )
    if not _TIME.match(value):
        raise SerializationError(f"{_shown_instant(value)} is not a local time HH:MM[:SS[.ffffff]]")
    try:
        return _dt.time.fromisoformat(value)
    except ValueError:
        raise SerializationError(f"{_shown_instant(value)} is not a valid time of day") from None


_DURATION = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{1,6}))?S)?)?$")


def _unstructure_timedelta(value: _dt.timedelta) -> str:
    """An ISO 8601 duration in days, hours, minutes and seconds: ``P1DT2H3M4.5S``."""
    sign = "-" if value < _dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    fraction = f".{value.microseconds:06d}".rstrip("0") if value.microseconds else ""
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n) + (
        f"{seconds}{fraction}S" if seconds or fraction else ""
    )
    days = f"{value.days}D" if value.days else ""
    if not days and not time:
        return "PT0S"
    return f"{sign}P{days}{'T' + time if time else ''}"


def _structure_timedelta(value: object, _: object) -> _dt.timedelta:
    if not isinstance(value, str):
        raise SerializationError(
            f"expected an ISO 8601 duration string, got {type(value).__name__}"
        )
    match = _DURATION.match(value)
    if match is None or value in ("P", "PT", "-P", "-PT"):
        raise SerializationError(f"{shown(value)} is not an ISO 8601 duration such as P1DT2H3M4S")
    sign, days, hours, minutes, seconds, fraction = match.groups()
    try:
        result = _dt.timedelta(
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=int(seconds or 0),
            microseconds=int((fraction or "0").ljust(6, "0")),
        )
    except OverflowError:
        raise SerializationError(f"{shown(value)} is out of range") from None
    return -result if sign else result


def _structure_decimal(value: object, _: object) -> Decimal:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise SerializationError(f"expected a decimal string, got {type(value).__name__}")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise SerializationError(f"{shown(value)} is not a decimal number") from None


def _structure_uuid(value: object, _: object) -> UUID:
    if not isinstance(value, str):
        raise SerializationError(f"expected a UUID string, got {type(value).__name__}")
    try:
        return UUID(value)
    except ValueError:
        raise SerializationError(f"{shown(value)} is not a UUID") from None


def _structure_str(value: object, _: object) -> str:
    # cattrs would turn 12 into "12"; stored text must already be text.
    if not isinstance(value, str):
        raise SerializationError(f"expected a string, got {type(value).__name__}")
    return value


def _structure_bool(value: object, _: object) -> bool:
    if not isinstance(value, bool):
        raise SerializationError(f"expected true or false, got {shown(value)}")
    return value


def _structure_int(value: object, _: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise SerializationError(f"expected an integer, got {shown(value)}")
    return value


def _enum_value(member: Enum) -> Any:
    return member.value


def _structure_enum(value: object, cls: type[Enum]) -> Enum:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise SerializationError(
            f"{shown(value)} is not a {cls.__name__} (allowed: {allowed})"
        ) from None


def _is_homogeneous_tuple(t: Any) -> bool:
    args = get_args(t)
    return get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_hook_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    # cattrs would accept any iterable, reading "Billing" as ("B", "i", ...); JSON arrays only.
    inner = homogenous_tuple_structure_factory(t, conv)

    def hook(value: Any, cls: Any) -> Any:
        if not isinstance(value, list):
            raise SerializationError(f"expected an array, got {type(value).__name__}")
        return inner(value, cls)

    return hook


def _attrs_hook_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = make_dict_structure_fn(
        t,
        conv,
        _cattrs_forbid_extra_keys=True,
        _cattrs_detailed_validation=conv.detailed_validation,
    )

    def hook(value: Any, cls: Any) -> Any:
        if not isinstance(value, Mapping):
            raise SerializationError(f"expected an object, got {type(value).__name__}")
        return inner(value, cls)

    return hook


def configure_converter(conv: cattrs.Converter) -> None:
    """Register the library's rules (listed in the module docstring) on ``conv``."""
    conv.register_unstructure_hook(_dt.datetime, _dt.datetime.isoformat)
    conv.register_structure_hook(_dt.datetime, _structure_datetime)
    conv.register_unstructure_hook(_dt.date, _dt.date.isoformat)
    conv.register_structure_hook(_dt.date, _structure_date)
    conv.register_unstructure_hook(_dt.time, _unstructure_time)
    conv.register_structure_hook(_dt.time, _structure_time)
    conv.register_unstructure_hook(_dt.timedelta, _unstructure_timedelta)
    conv.register_structure_hook(_dt.timedelta, _structure_timedelta)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(UUID, str)
    conv.register_structure_hook(UUID, _structure_uuid)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook_factory)
    conv.register_structure_hook_factory(attrs.has, _attrs_hook_factory)
    # Exact-type hooks: cattrs routes str-based enums through its str passthrough otherwise.
    for enum in _MODEL_ENUMS:
        conv.register_structure_hook(enum, _structure_enum)
        conv.register_unstructure_hook(enum, _enum_value)
    # A field added to an event after events of its type were stored is left out while it has
    # its default, so that a stored event reads back to the bytes its hash covers (a note-only
    # step is written as before the step's data and closure reason existed).
    conv.register_unstructure_hook(
        StepRecorded,
        make_dict_unstructure_fn(
            StepRecorded,
            conv,
            data=override(omit_if_default=True),
            closure_reason=override(omit_if_default=True),
            duplicate_of=override(omit_if_default=True),
        ),
    )
    conv.register_unstructure_hook(
        ComplaintReceived,
        make_dict_unstructure_fn(
            ComplaintReceived,
            conv,
            organisation=override(omit_if_default=True),
            workflow=override(omit_if_default=True),
            programme=override(omit_if_default=True),
        ),
    )
    # An organisation (tenant) is left out where there is none, so a single-organisation
    # record, and every event recorded before organisations existed, reads as before.
    for cls in (Actor, ComplaintSummary):
        conv.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, conv, organisation=override(omit_if_default=True))
        )
    conv.register_unstructure_hook(
        SlaPolicyApplied,
        make_dict_unstructure_fn(
            SlaPolicyApplied, conv, configuration=override(omit_if_default=True)
        ),
    )


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """A new converter with the library's rules; for applications that want to add their own."""
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed_validation)
    configure_converter(conv)
    return conv


converter: cattrs.Converter = make_converter()
"""The converter every store, exporter and importer in the library uses."""

# Same rules without the bookkeeping that locates errors: about three times faster on valid
# data, which is nearly all stored data. On failure the detailed converter runs again to find
# the path, so messages are the same either way.
_fast_converter: cattrs.Converter = make_converter(detailed_validation=False)


def _first_error(exc: BaseException, path: str) -> tuple[str, str]:
    """Walk a cattrs exception group down to the first leaf and the path that leads to it."""
    while isinstance(exc, cattrs.BaseValidationError) and exc.exceptions:
        inner = exc.exceptions[0]
        for note in getattr(inner, "__notes__", ()):
            if isinstance(note, cattrs.AttributeValidationNote):
                path = f"{path}.{note.name}"
                break
            if isinstance(note, cattrs.IterableValidationNote):
                path = f"{path}[{note.index}]"
                break
        exc = inner
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return path, f"unknown keys: {sorted(exc.extra_fields)}"
    if isinstance(exc, KeyError):
        return path, "required key is missing"
    if isinstance(exc, ValidationError):
        return f"{path}.{exc.field}", exc.reason
    return path, str(exc)


_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def _steps(relative: str) -> list[str | int] | None:
    """``.name`` and ``[index]`` steps of a path below its root; ``None`` if it has others."""
    steps: list[str | int] = []
    at = 0
    while at < len(relative):
        match = _STEP.match(relative, at)
        if match is None:
            return None
        name, index = match.groups()
        steps.append(name if name is not None else int(index))
        at = match.end()
    return steps


def _holds_personal(cls: object, steps: list[str | int]) -> bool:
    """
    Whether ``steps`` lead from ``cls`` to a field marked as personal data, or into one. An
    error about a whole object (unknown or missing keys) names keys, never values.
    """
    current: object = cls
    rest = list(steps)
    while rest:
        step = rest.pop(0)
        if not (isinstance(step, str) and isinstance(current, type) and attrs.has(current)):
            return False
        try:
            fields = personal_fields(current)
        except Exception:  # annotations that cannot be resolved: nothing marked to find
            return False
        field = next((f for f in fields if f.name == step), None)
        if field is None:
            return False
        if field.personal:
            return True
        if field.many and rest and isinstance(rest[0], int):
            rest.pop(0)
        current = field.nested
    return False


def _value_at(data: object, steps: list[str | int]) -> object:
    for step in steps:
        if isinstance(data, list) and isinstance(step, int) and step < len(data):
            data = data[step]
            continue
        if not (isinstance(data, Mapping) and isinstance(step, str) and step in data):
            return None
        data = data[step]
    return data


def _texts(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _without_value(why: str, value: object) -> str:
    """``why``, unless it repeats any text of ``value``: then only that the value is bad."""
    if any(text and text in why for text in _texts(value)):
        return "is not valid (the value is personal data and is not shown)"
    return why


def structure(data: object, cls: type[T], *, path: str = "$") -> T:
    """
    Build a ``cls`` from JSON-shaped ``data``.

    Raises:
        SerializationError: naming the path of the first bad value. Inside a field marked as
            personal data the message does not repeat the value, and the error is not chained.
    """
    try:
        return _fast_converter.structure(data, cls)
    except Exception:
        pass
    try:
        return converter.structure(data, cls)
    except SerializationError as e:
        # A hook's own message has no path yet when it ran on ``data`` itself.
        if str(e).startswith("$"):
            raise
        raise SerializationError(f"{path}: {e}", path=path) from e
    except (
        cattrs.BaseValidationError,
        Iso10002Error,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
    ) as e:
        where, why = _first_error(e, path)
        steps = _steps(where[len(path) :]) if where.startswith(path) else None
        if not steps or not _holds_personal(cls, steps):
            raise SerializationError(f"{where}: {why}", path=where) from e
        # Made here, raised below: outside the handler, so nothing is chained to it.
        hidden = SerializationError(
            f"{where}: {_without_value(why, _value_at(data, steps))}", path=where
        )
    raise hidden


def unstructure(obj: object) -> Any:
    """Turn a library object into JSON-shaped data."""
    return converter.unstructure(obj)


def event_to_dict(event: Event) -> dict[str, Any]:
    """The JSON record of one event."""
    return {
        "schema_version": event.schema_version,
        "type": event.payload.type,
        "complaint_id": str(event.complaint_id),
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": converter.unstructure(event.actor),
        "state": event.state,
        "payload": converter.unstructure(event.payload),
    }


_EVENT_KEYS = frozenset(
    ("schema_version", "type", "complaint_id", "seq", "occurred_at", "actor", "state", "payload")
)


def event_from_dict(data: object, *, path: str = "$") -> Event:
    """
    Read one event record written by :func:`event_to_dict`.

    Raises:
        SerializationError: unknown type, unsupported schema version, missing or unknown keys,
            or a bad value; the message gives the path.
    """
    if not isinstance(data, Mapping):
        raise SerializationError(f"{path}: expected an object", path=path)
    extra = sorted(set(data) - _EVENT_KEYS)
    if extra:
        raise SerializationError(f"{path}: unknown keys: {extra}", path=path)
    missing = sorted(_EVENT_KEYS - set(data))
    if missing:
        raise SerializationError(f"{path}: missing keys: {missing}", path=path)
    version = data["schema_version"]
    if type(version) is not int or version != SCHEMA_VERSION:
        raise SerializationError(
            f"{path}.schema_version: unsupported schema version {version!r} "
            f"(this release reads {SCHEMA_VERSION})",
            path=f"{path}.schema_version",
        )
    return build_event(
        type_name=data["type"],
        complaint_id=data["complaint_id"],
        seq=data["seq"],
        occurred_at=data["occurred_at"],
        actor=data["actor"],
        state=data["state"],
        payload=data["payload"],
        path=path,
    )


def build_event(
    *,
    type_name: object,
    complaint_id: object,
    seq: object,
    occurred_at: object,
    actor: object,
    state: object,
    payload: object,
    path: str = "$",
) -> Event:
    """Build an event from the separately stored parts of a record (used by the stores)."""
    cls = _PAYLOAD_TYPES.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        raise SerializationError(
            f"{path}.type: unknown event type {type_name!r}", path=f"{path}.type"
        )
    try:
        return Event(
            complaint_id=structure(complaint_id, UUID, path=f"{path}.complaint_id"),
            seq=structure(seq, int, path=f"{path}.seq"),
            occurred_at=structure(occurred_at, _dt.datetime, path=f"{path}.occurred_at"),
            actor=structure(actor, Actor, path=f"{path}.actor"),
            state=structure(state, str, path=f"{path}.state"),
            payload=structure(payload, cls, path=f"{path}.payload"),
        )
    except SerializationError:
        raise
    except ValidationError as e:
        where = f"{path}.{e.field}"
        raise SerializationError(f"{where}: {e.reason}", path=where) from e
    except Iso10002Error as e:
        raise SerializationError(f"{path}: {e}", path=path) from e


# The JSON text of the library: every module that writes or reads JSON text calls one of the
# functions below, so that one place decides how it is spelt. Characters beyond ASCII are kept
# as they are (the stores, files and reports are UTF-8).
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def compact_json(data: object, *, ascii_only: bool = False) -> str:
    """
    JSON-shaped ``data`` as compact text: no spaces, keys in their given order.

    ``ascii_only`` escapes every character beyond ASCII (``\\u00e9``), for text that must
    survive any encoding, a lone surrogate included.
    """
    if ascii_only:
        return json.dumps(data, separators=(",", ":"))
    return _COMPACT(data)


def canonical_json(data: object) -> str:
    """
    JSON-shaped ``data`` as canonical text: compact, keys sorted. Equal data gives equal text,
    so this is the text that is hashed, signed or compared.
    """
    return _CANONICAL(data)


def pretty_json(data: object, *, indent: int | None = 2, finite: bool = False) -> str:
    """
    JSON-shaped ``data`` as text for people: files, reports and the command line, indented by
    ``indent`` spaces (``None``: on one line, with a space after each ``,`` and ``:``).

    Raises:
        ValueError: ``finite`` is set and a number is not finite (JSON has no NaN).
    """
    return json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=not finite)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(text: str | bytes, *, numbers_as_text: bool = False, path: str = "$") -> Any:
    """
    JSON ``text`` as data. ``numbers_as_text`` keeps every number as the text it was written
    as (an amount never passes through a float) and refuses ``NaN`` and ``Infinity``.

    Input that would exhaust the parser (arrays nested thousands deep, an integer literal
    longer than Python converts) is refused like any other text that is not JSON.

    Raises:
        SerializationError: ``{path}: not valid JSON: ...``, ``path`` naming where the text was
            read from (``$`` by default; a file's reader adds the file's name in front).
    """
    try:
        if numbers_as_text:
            return json.loads(text, parse_float=str, parse_int=str, parse_constant=_reject_constant)
        return json.loads(text)
    except (ValueError, RecursionError) as e:  # JSONDecodeError, UnicodeDecodeError, int digits
        raise SerializationError(f"{path}: not valid JSON: {e}", path=path) from e


def dumps(obj: object) -> str:
    """Compact JSON for ``obj`` (a library object, or data already unstructured)."""
    return _COMPACT(converter.unstructure(obj))


def loads(text: str | bytes, cls: type[T]) -> T:
    """Parse JSON ``text`` into a ``cls``; bad JSON or bad values raise SerializationError."""
    return structure(parse_json(text), cls)


def history_to_json(events: Iterable[Event], *, indent: int | None = 2) -> str:
    """A complaint's history as a JSON array of event records."""
    return pretty_json([event_to_dict(e) for e in events], indent=indent)


def history_from_json(text: str | bytes) -> list[Event]:
    """Read a history written by :func:`history_to_json`."""
    data = parse_json(text)
    if not isinstance(data, list):
        raise SerializationError("$: expected an array of events")
    return [event_from_dict(item, path=f"$[{i}]") for i, item in enumerate(data)]
