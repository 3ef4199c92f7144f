"""
Personal data stays out of reprs and error messages: every payload's repr, every enum check
given free text, every damaged personal value read back through the converter.
"""

from __future__ import annotations

import typing
from enum import Enum
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso10002 import ComplaintDesk, FixedClock, InMemoryEventStore, SQLiteEventStore
from iso10002.errors import ImportFileError, SerializationError, ValidationError
from iso10002.importing import (
    ChannelColumn,
    ColumnMapping,
    TimeColumn,
    import_cfpb,
    import_csv,
)
from iso10002.importing.report import RowError
from iso10002.model._checks import shown
from iso10002.model.events import ComplaintReceived, payload_types
from iso10002.model.personal import PERSONAL, masked, personal_paths
from iso10002.model.values import Channel
from iso10002.serialization import structure, unstructure
from iso10002.testing import sample_actor
from iso10002.testing.samples import SAMPLE_START, received_event
from tests.properties import strategies as s

from .markers import MARKER, assert_all_marked, assert_no_marker_in, caught, fill

PERSONAL_TYPES = sorted(n for n, cls in payload_types().items() if any(personal_paths(cls)))
"""The payload types that hold personal data."""

free_text = st.builds(
    lambda before, after: f"{before} {MARKER} {after}",
    st.text(max_size=20),
    st.text(max_size=20),
)
"""Text as a person writes it, holding the marker: never repeated in a message."""


def test_every_payload_type_with_personal_data_is_checked() -> None:
    assert "complaint_received" in PERSONAL_TYPES
    assert "note_added" in PERSONAL_TYPES
    assert set(PERSONAL_TYPES) <= set(s.PAYLOADS)


# -- reprs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", PERSONAL_TYPES)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_the_repr_of_a_payload_and_its_event_shows_no_personal_value(
    type_name: str, data: st.DataObject
) -> None:
    payload = fill(data.draw(s.PAYLOADS[type_name]))
    assert_all_marked(payload)
    event = data.draw(s.events(st.just(payload)))
    for text in (repr(payload), str(payload), repr(event), repr([event])):
        assert MARKER not in text
    assert "'…'" in repr(payload)


def test_the_repr_of_a_complaint_shows_no_personal_value() -> None:
    desk = ComplaintDesk(InMemoryEventStore(), clock=FixedClock(SAMPLE_START))
    staff = sample_actor()
    received = fill(received_event().payload)
    assert isinstance(received, ComplaintReceived)
    c = desk.receive(
        staff,
        complainant=received.complainant,
        channel=Channel.EMAIL,
        description=received.description,
        remedy_requested=received.remedy_requested,
        incident_place=received.incident_place,
        attachments=received.attachments,
    )
    c = desk.add_note(c.reference, staff, f"{MARKER} called back")
    assert MARKER not in repr(c)


def test_a_refused_import_record_keeps_its_value_out_of_the_repr() -> None:
    error = RowError(row=3, column="Date received", value=f"{MARKER} wrote", message="bad")
    assert MARKER not in repr(error)
    assert error.value == f"{MARKER} wrote"


# -- values given in the wrong place --------------------------------------------------------------


@given(text=free_text | st.emails().map(lambda e: f"{MARKER}{e}"))
def test_free_text_and_addresses_are_described_not_repeated(text: str) -> None:
    assert MARKER not in shown(text)
    assert shown(text) == f"a text of {len(text)} characters"


@given(code=st.from_regex(r"[A-Za-z0-9_.:+/-]{1,32}", fullmatch=True))
def test_codes_and_numbers_are_repeated(code: str) -> None:
    assert shown(code) == repr(code)
    assert shown(12) == "12"
    assert shown(None) == "None"


def _enum_fields(cls: type[Any]) -> list[str]:
    hints = typing.get_type_hints(cls)
    found = []
    for field in attrs.fields(cls):
        options = typing.get_args(hints[field.name]) or (hints[field.name],)
        if any(isinstance(o, type) and issubclass(o, Enum) for o in options):
            found.append(field.name)
    return found


@settings(max_examples=60, deadline=None)
@given(payload=s.payloads(), text=free_text, data=st.data())
def test_free_text_given_for_a_code_is_not_repeated(
    payload: Any, text: str, data: st.DataObject
) -> None:
    # A comment passed where a reason code belongs: Closed(reason="Jane said ...").
    fields = _enum_fields(type(payload))
    if not fields:
        return
    name = data.draw(st.sampled_from(fields))
    error = caught(lambda: attrs.evolve(payload, **{name: text}))
    assert isinstance(error, ValidationError)
    assert error.field == name
    assert_no_marker_in(error)


# -- reading damaged personal values --------------------------------------------------------------


def _set(data: Any, steps: list[str], value: Any) -> None:
    for step in steps[:-1]:
        data = data[int(step)] if isinstance(data, list) else data[step]
    if isinstance(data, list):
        data[int(steps[-1])] = value
    else:
        data[steps[-1]] = value


def _concrete(paths: list[str], payload: Any) -> list[list[str]]:
    """Each personal path with ``*`` replaced by the indices the payload's JSON has."""
    data = unstructure(payload)
    found: list[list[str]] = []
    for path in paths:
        stack: list[tuple[Any, list[str], list[str]]] = [(data, [], path.split("."))]
        while stack:
            node, done, rest = stack.pop()
            if not rest:
                found.append(done)
                continue
            step, *more = rest
            if step == "*":
                if isinstance(node, list):
                    stack.extend((item, [*done, str(i)], more) for i, item in enumerate(node))
            elif isinstance(node, dict) and node.get(step) is not None:
                stack.append((node[step], [*done, step], more))
    return found


damage = st.sampled_from(["object", "array", "number", "not an address", "blank"])


@settings(max_examples=80, deadline=None)
@given(type_name=st.sampled_from(PERSONAL_TYPES), how=damage, text=free_text, data=st.data())
def test_a_damaged_personal_value_is_named_by_its_path_never_shown(
    type_name: str, how: str, text: str, data: st.DataObject
) -> None:
    payload = fill(data.draw(s.PAYLOADS[type_name]))
    spots = _concrete(list(personal_paths(type(payload))), payload)
    steps = data.draw(st.sampled_from(spots))
    record = unstructure(payload)
    bad: Any = {
        "object": {"text": text},
        "array": [text, {"text": text}],
        "number": 7,
        "not an address": f"{text} @ @",
        "blank": "  ",
    }[how]
    _set(record, steps, bad)
    error: SerializationError | None = None
    try:
        structure(record, type(payload), path="$.payload")
    except SerializationError as e:
        error = e
    if error is None:
        # Only a string that the field's own check accepts reads back.
        assert how == "not an address"
        return
    assert_no_marker_in(error)
    # The path leads to the field (or into it), and nothing is chained to the error.
    assert error.path.startswith("$.payload." + steps[0])
    assert error.__cause__ is None
    assert error.__context__ is None


def _echo(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, str) and "bad" in value:
        raise ValidationError(attribute.name, f"{value!r} is bad")


@attrs.frozen(kw_only=True)
class _Card:
    holder: str = attrs.field(validator=_echo, metadata=PERSONAL, repr=masked)
    label: str = attrs.field(validator=_echo)


def test_a_check_that_repeats_a_personal_value_is_overruled_by_the_path() -> None:
    good = {"holder": "ok", "label": "ok"}
    error = caught(lambda: structure({**good, "holder": f"{MARKER} bad"}, _Card))
    assert str(error) == "$.holder: is not valid (the value is personal data and is not shown)"
    assert_no_marker_in(error)
    # The same check on a field not marked as personal keeps its message: the path decides.
    error = caught(lambda: structure({**good, "label": f"{MARKER} bad"}, _Card))
    assert str(error) == f"$.label: '{MARKER} bad' is bad"


def test_a_receipt_read_back_names_the_bad_address_by_its_path() -> None:
    payload = fill(received_event().payload)
    record = unstructure(payload)
    record["complainant"]["contact"]["email"] = f"{MARKER} at example dot org"
    error = caught(lambda: structure(record, type(payload), path="$[0].payload"))
    assert str(error) == "$[0].payload.complainant.contact.email: is not a valid e-mail address"


def test_outside_personal_fields_a_bad_code_is_still_repeated() -> None:
    record = unstructure(fill(received_event().payload))
    record["channel"] = "pigeon"
    error = caught(lambda: structure(record, ComplaintReceived))
    assert str(error).startswith("$.channel: 'pigeon' is not a Channel (allowed: ")
    record["channel"] = f"{MARKER} by pigeon"
    error = caught(lambda: structure(record, ComplaintReceived))
    assert str(error).startswith("$.channel: a text of 21 characters is not a Channel")


# -- files to import without their header ---------------------------------------------------------


def _record_line() -> str:
    """A CSV line that is a record, as a file without its header starts."""
    return (
        f'2026-03-02,Mortgage,"{MARKER} wrote: I was charged twice",{MARKER} Doe,'
        f"{MARKER}@example.org,{MARKER}-90210,Web,{MARKER}-1\n"
    )


def test_a_cfpb_file_without_its_header_is_refused_without_its_first_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "no-header.csv"
    path.write_text(_record_line() * 2, encoding="utf-8")
    with SQLiteEventStore(tmp_path / "c.db") as store:
        error = caught(lambda: import_cfpb(store, path, clock=FixedClock(SAMPLE_START)))
    assert isinstance(error, ImportFileError)
    assert 'no column "Complaint ID"' in error.reason
    assert "none of its 8 cells is a column the import reads" in error.reason
    assert_no_marker_in(error)


def test_a_mapped_file_without_its_header_is_refused_without_its_first_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "no-header.csv"
    path.write_text(_record_line() * 2, encoding="utf-8")
    mapping = ColumnMapping(
        system="crm",
        record_id="Ticket",
        received_at=TimeColumn(column="Opened"),
        channel=ChannelColumn(default=Channel.WEB_FORM),
    )
    with SQLiteEventStore(tmp_path / "c.db") as store:
        error = caught(lambda: import_csv(store, path, mapping, clock=FixedClock(SAMPLE_START)))
    assert isinstance(error, ImportFileError)
    assert error.reason.startswith('the header has no column "Ticket"')
    assert_no_marker_in(error)


def test_a_repeated_cell_of_a_first_record_is_not_quoted(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(f"{MARKER} Doe,{MARKER} Doe\n", encoding="utf-8")
    with SQLiteEventStore(tmp_path / "c.db") as store:
        error = caught(lambda: import_cfpb(store, path, clock=FixedClock(SAMPLE_START)))
    assert isinstance(error, ImportFileError)
    assert "names column a text of" in error.reason
    assert_no_marker_in(error)
