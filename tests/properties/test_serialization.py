"""
Properties of the one converter: every valid event round-trips through JSON unchanged, every
mutated record is refused with a SerializationError whose path points at the bad place, and no
JSON whatsoever makes the readers raise anything else.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from iso10002 import (
    SCHEMA_VERSION,
    Actor,
    Decision,
    DecisionMade,
    Event,
    Money,
    Outcome,
    Remedy,
    RemedyKind,
    Role,
    SerializationError,
    Withdrawn,
)
from iso10002.model._checks import shown
from iso10002.model.events import payload_types
from iso10002.serialization import (
    dumps,
    event_from_dict,
    event_to_dict,
    history_from_json,
    history_to_json,
    loads,
    structure,
    unstructure,
)

from . import strategies as s
from .test_values import CLASSES, VALUES

Path = tuple[str | int, ...]
T = TypeVar("T")
R = TypeVar("R")


@attrs.frozen
class Spot:
    """A place in an event record, with the model value that was written there."""

    path: Path
    value: object
    required: bool
    """Whether the key may not be left out (the field has no default)."""

    @property
    def text(self) -> str:
        """The path as the library writes it: ``$.payload.remedies[0].amount``."""
        return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path)


def _name(cls: type[Any]) -> str:
    return cls.__name__


def _walk(value: object, path: Path, required: bool) -> Iterator[Spot]:
    yield Spot(path, value, required)
    cls: Any = type(value)
    if attrs.has(cls):
        for f in attrs.fields(cls):
            yield from _walk(getattr(value, f.name), (*path, f.name), f.default is attrs.NOTHING)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index), True)


def spots(event: Event) -> list[Spot]:
    """Every place in the record of ``event``, the record itself first."""
    return list(_walk(event, (), True))


def record(event: Event) -> dict[str, Any]:
    """The record of ``event`` as it comes back from JSON text."""
    loaded: dict[str, Any] = json.loads(json.dumps(event_to_dict(event)))
    return loaded


def _get(data: Any, path: Path) -> Any:
    for key in path:
        data = data[key]
    return data


def _set(data: Any, path: Path, value: object) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _refused(data: object) -> SerializationError:
    with pytest.raises(SerializationError) as info:
        event_from_dict(data)
    return info.value


def _assert_points_at(error: SerializationError, path: str) -> None:
    assert error.path == path, str(error)
    assert str(error).startswith(f"{path}: "), str(error)


# -- round trips -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(event=s.events())
def test_any_event_round_trips_through_json_text(event: Event) -> None:
    text = json.dumps(event_to_dict(event))

    back = event_from_dict(json.loads(text))

    assert back == event
    assert back.type == event.type
    assert event_to_dict(back) == event_to_dict(event)


@pytest.mark.parametrize("type_name", sorted(s.PAYLOADS))
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_payload_type_round_trips(type_name: str, data: st.DataObject) -> None:
    event = data.draw(s.events(s.PAYLOADS[type_name]))

    back = event_from_dict(record(event))

    assert back == event
    assert type(back.payload) is payload_types()[type_name]


@settings(max_examples=25, deadline=None)
@given(history=st.lists(s.events(), max_size=4), indent=st.sampled_from([None, 0, 2]))
def test_a_history_round_trips(history: list[Event], indent: int | None) -> None:
    assert history_from_json(history_to_json(history, indent=indent)) == history


@pytest.mark.parametrize("cls", [c for c in CLASSES if c is not Event], ids=_name)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_every_value_class_round_trips_through_dumps_and_loads(
    cls: type[Any], data: st.DataObject
) -> None:
    value = data.draw(VALUES[cls])

    assert loads(dumps(value), cls) == value


@given(amount=s.amounts())
def test_money_is_written_as_a_decimal_string_never_a_float(amount: Decimal) -> None:
    text = dumps(Money(amount=amount, currency="EUR"))

    assert json.loads(text) == {"amount": str(amount), "currency": "EUR"}


# -- mutated records ---------------------------------------------------------------------------


@settings(report_multiple_bugs=False)
@given(event=s.events(), data=st.data(), key=st.text(min_size=1, max_size=8))
def test_an_unknown_key_anywhere_is_refused_where_it_is(
    event: Event, data: st.DataObject, key: str
) -> None:
    objects = [p for p in spots(event) if attrs.has(type(p.value))]
    spot = data.draw(st.sampled_from(objects))
    rec = record(event)
    target = _get(rec, spot.path)
    assume(key not in target and key != "type")
    target[key] = data.draw(s.json_values(max_leaves=3))

    error = _refused(rec)

    _assert_points_at(error, spot.text)
    assert repr(key) in str(error)
    assert "unknown keys" in str(error)


@settings(report_multiple_bugs=False)
@given(event=s.events(), data=st.data())
def test_a_missing_required_key_is_refused_where_it_is(event: Event, data: st.DataObject) -> None:
    required = [
        p for p in spots(event) if len(p.path) > 1 and p.required and isinstance(p.path[-1], str)
    ]
    top = [Spot((key,), None, True) for key in (*event_to_dict(event), "type")]
    spot = data.draw(st.sampled_from(required + top))
    rec = record(event)
    del _get(rec, spot.path[:-1])[spot.path[-1]]

    error = _refused(rec)

    if len(spot.path) == 1:
        _assert_points_at(error, "$")
        assert str(error) == f"$: missing keys: [{spot.path[0]!r}]"
    else:
        _assert_points_at(error, spot.text)
        assert str(error) == f"{spot.text}: required key is missing"


def _wrong_json_for(value: object) -> st.SearchStrategy[Any]:
    """JSON that no reading of a field holding ``value`` may accept."""
    text = st.text(max_size=4)
    number = st.integers(min_value=-3, max_value=3)
    fraction = st.sampled_from([0.5, -1.25])
    flag = st.booleans()
    if isinstance(value, bool):
        return st.one_of(number, fraction, text, st.just([]), st.just({}))
    if isinstance(value, int):
        return st.one_of(flag, fraction, text, st.just([]), st.just({}))
    if isinstance(value, Decimal):  # an integer is a fine decimal
        return st.one_of(flag, fraction, st.just([]), st.just({}))
    if isinstance(value, (str, Enum, _dt.datetime, _dt.date, UUID)):
        return st.one_of(flag, number, fraction, st.just([]), st.just({}))
    if isinstance(value, tuple):
        return st.one_of(flag, number, text.filter(bool), st.just({"k": "v"}))
    if value is None:
        return st.one_of(fraction, st.just([1]))
    return st.one_of(flag, number, text, st.just([]))  # an object


# Payloads that surely hold a value of the rarer kinds, so that few examples are wasted.
_PAYLOADS_WITH: dict[str, st.SearchStrategy[Any]] = {
    "bool": s.PAYLOADS["assessed"],
    "array": s.PAYLOADS["classified"],
    "date": s.complaints_received().map(
        lambda p: attrs.evolve(p, incident_date=p.received_at.date())
    ),
    "decimal": st.builds(
        DecisionMade,
        decision=st.builds(
            Decision,
            outcome=st.just(Outcome.UPHELD),
            reasons=s.texts(),
            remedies=st.tuples(
                st.builds(Remedy, kind=st.just(RemedyKind.REFUND), amount=s.money())
            ),
        ),
    ),
}


@pytest.mark.parametrize(
    "kind",
    ["bool", "int", "decimal", "text", "enum", "datetime", "date", "uuid", "array", "null", "obj"],
)
@settings(max_examples=40, deadline=None, report_multiple_bugs=False)
@given(data=st.data())
def test_a_value_of_the_wrong_json_type_is_refused_where_it_is(
    kind: str, data: st.DataObject
) -> None:
    event = data.draw(s.events(_PAYLOADS_WITH.get(kind)))
    kinds: dict[str, Any] = {
        "bool": lambda v: isinstance(v, bool),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "decimal": lambda v: isinstance(v, Decimal),
        "text": lambda v: isinstance(v, str) and not isinstance(v, Enum),
        "enum": lambda v: isinstance(v, Enum),
        "datetime": lambda v: isinstance(v, _dt.datetime),
        "date": lambda v: isinstance(v, _dt.date) and not isinstance(v, _dt.datetime),
        "uuid": lambda v: isinstance(v, UUID),
        "array": lambda v: isinstance(v, tuple),
        "null": lambda v: v is None,
        "obj": lambda v: attrs.has(type(v)),
    }
    candidates = [p for p in spots(event) if p.path and kinds[kind](p.value)]
    assume(candidates)  # rare: a kind only some payloads hold
    spot = data.draw(st.sampled_from(candidates))
    wrong = data.draw(_wrong_json_for(spot.value))
    rec = record(event)
    _set(rec, spot.path, wrong)

    error = _refused(rec)

    _assert_points_at(error, spot.text)


@settings(report_multiple_bugs=False)
@given(event=s.events(), data=st.data())
def test_an_unknown_enum_value_is_refused_where_it_is(event: Event, data: st.DataObject) -> None:
    members = [p for p in spots(event) if isinstance(p.value, Enum)]
    spot = data.draw(st.sampled_from(members))
    assert isinstance(spot.value, Enum)
    enum = type(spot.value)
    bad = data.draw(s.unknown_values(enum))
    rec = record(event)
    _set(rec, spot.path, bad)

    error = _refused(rec)

    allowed = ", ".join(str(m.value) for m in enum)
    _assert_points_at(error, spot.text)
    # Free text is described, not repeated: it may be personal data in the wrong place.
    assert str(error) == f"{spot.text}: {shown(bad)} is not a {enum.__name__} (allowed: {allowed})"


@settings(report_multiple_bugs=False)
@given(event=s.events(), data=st.data())
def test_a_naive_datetime_string_is_refused_where_it_is(event: Event, data: st.DataObject) -> None:
    instants = [p for p in spots(event) if isinstance(p.value, _dt.datetime)]
    spot = data.draw(st.sampled_from(instants))
    assert isinstance(spot.value, _dt.datetime)
    naive = spot.value.replace(tzinfo=None).isoformat(sep=data.draw(st.sampled_from("T ")))
    rec = record(event)
    _set(rec, spot.path, naive)

    error = _refused(rec)

    _assert_points_at(error, spot.text)
    assert str(error) == f"{spot.text}: {naive!r} has no UTC offset"


@settings(report_multiple_bugs=False)
@given(event=s.events(), name=st.text(max_size=20))
def test_an_unknown_event_type_is_refused_at_type(event: Event, name: str) -> None:
    assume(name not in payload_types())
    rec = record(event)
    rec["type"] = name

    error = _refused(rec)

    _assert_points_at(error, "$.type")
    assert str(error) == f"$.type: unknown event type {name!r}"


@settings(report_multiple_bugs=False)
@given(event=s.events(), version=st.integers().filter(lambda v: v != SCHEMA_VERSION))
def test_an_unsupported_schema_version_is_refused(event: Event, version: int) -> None:
    rec = record(event)
    rec["schema_version"] = version

    error = _refused(rec)

    _assert_points_at(error, "$.schema_version")
    assert str(error) == (
        f"$.schema_version: unsupported schema version {version!r} "
        f"(this release reads {SCHEMA_VERSION})"
    )


def _plain_event() -> Event:
    return Event(
        complaint_id=UUID("6f1c5d3e-8a4b-4c2d-9e1f-0a2b3c4d5e6f"),
        seq=1,
        occurred_at=_dt.datetime(2026, 3, 1, 9, 30, tzinfo=_dt.timezone.utc),
        actor=Actor(id="ana", role=Role.FRONT_LINE),
        state="received",
        payload=Withdrawn(reason="sorted out elsewhere"),
    )


def test_schema_version_99_is_refused() -> None:
    rec = record(_plain_event())
    rec["schema_version"] = 99

    error = _refused(rec)

    _assert_points_at(error, "$.schema_version")
    assert str(error) == "$.schema_version: unsupported schema version 99 (this release reads 1)"


# -- minimal cases of the bugs the properties above found (see the report) --------------------


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("seq", "1", "$.seq: expected an integer, got '1'"),
        ("seq", True, "$.seq: expected an integer, got True"),
        ("state", 5, "$.state: expected a string, got int"),
        ("complaint_id", 5, "$.complaint_id: expected a UUID string, got int"),
        (
            "occurred_at",
            "2026-03-01T09:30:00",
            "$.occurred_at: '2026-03-01T09:30:00' has no UTC offset",
        ),
        (
            "schema_version",
            True,
            "$.schema_version: unsupported schema version True (this release reads 1)",
        ),
    ],
)
def test_envelope_values_of_the_wrong_type_are_refused_at_their_key(
    key: str, value: object, message: str
) -> None:
    rec = record(_plain_event())
    rec[key] = value

    error = _refused(rec)

    assert (error.path, str(error)) == (f"$.{key}", message)


@pytest.mark.parametrize("value", [[], "ana", 7, None])
def test_a_non_object_where_the_actor_belongs_is_refused_at_actor(value: object) -> None:
    rec = record(_plain_event())
    rec["actor"] = value

    error = _refused(rec)  # not AttributeError: 'list' object has no attribute 'keys'

    _assert_points_at(error, "$.actor")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"text": "seen", "internal": "false"},
            "$.payload.internal: expected true or false, got 'false'",
        ),
        ({"text": 12, "internal": True}, "$.payload.text: expected a string, got int"),
        (
            {"score": 3.7, "scale": 5, "comment": None},
            "$.payload.score: expected an integer, got 3.7",
        ),
        (
            {"score": "3", "scale": 5, "comment": None},
            "$.payload.score: expected an integer, got '3'",
        ),
    ],
)
def test_payload_scalars_are_not_coerced(payload: dict[str, object], message: str) -> None:
    rec = record(_plain_event())
    rec["type"] = "note_added" if "text" in payload else "satisfaction_recorded"
    rec["payload"] = payload

    error = _refused(rec)

    assert (error.path, str(error)) == (message.partition(": ")[0], message)


def test_a_string_is_not_an_array_of_its_characters() -> None:
    rec = record(_plain_event())
    rec["type"] = "classified"
    rec["payload"] = {"classification": {"category": "Billing", "product": None}}

    error = _refused(rec)  # not Classification(category=("B", "i", "l", "l", ...))

    _assert_points_at(error, "$.payload.classification.category")


# -- fuzz ----------------------------------------------------------------------------------------


def _outcome(read: Callable[[T], R], data: T) -> R | SerializationError:
    """What ``read`` makes of ``data``: its result, or the SerializationError it raised."""
    try:
        return read(data)
    except SerializationError as e:
        return e


def _read_or_refuse(data: object) -> None:
    outcome = _outcome(event_from_dict, data)
    if isinstance(outcome, SerializationError):
        assert outcome.path.startswith("$")
        assert str(outcome).startswith("$")
    else:
        assert isinstance(outcome, Event)


@settings(max_examples=300, deadline=None)
@given(data=s.json_values())
def test_arbitrary_json_is_read_or_refused_with_a_serialization_error(data: object) -> None:
    _read_or_refuse(data)
    history = _outcome(history_from_json, json.dumps(data))
    assert isinstance(history, SerializationError) or all(isinstance(e, Event) for e in history)


@settings(max_examples=300, deadline=None, report_multiple_bugs=False)
@given(event=s.events(), data=st.data())
def test_a_record_with_arbitrary_json_anywhere_is_read_or_refused(
    event: Event, data: st.DataObject
) -> None:
    rec = record(event)
    spot = data.draw(st.sampled_from([p for p in spots(event) if p.path]))
    _set(rec, spot.path, data.draw(s.json_values(max_leaves=6)))

    _read_or_refuse(rec)


@given(text=st.text(max_size=30) | st.binary(max_size=30))
def test_text_that_is_not_a_history_is_refused(text: str | bytes) -> None:
    history = _outcome(history_from_json, text)

    if isinstance(history, SerializationError):
        assert str(history).startswith("$: ")
    else:
        assert history == []


@given(st.timedeltas())
def test_durations_round_trip_as_iso_8601(value: _dt.timedelta) -> None:
    text = unstructure(value)
    assert isinstance(text, str) and text.lstrip("-").startswith("P")
    assert structure(text, _dt.timedelta) == value


@pytest.mark.parametrize("text", ["", "P", "PT", "1H", "PT1.5H", "P1Y", "PT-1S", 3600])
def test_a_malformed_duration_is_refused(text: object) -> None:
    with pytest.raises(SerializationError):
        structure(text, _dt.timedelta)
