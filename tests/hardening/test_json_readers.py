"""
The JSON readers of stored records — histories, single events, typed values and KPI reports —
on mutated valid records, random JSON, random text and random bytes: they return a value or
raise a library error, nothing else, and what they accept reads back the same after writing.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso10002.errors import SerializationError
from iso10002.model.events import Event, payload_types
from iso10002.model.values import Actor, Money
from iso10002.monitoring.render_json import report_from_json, report_to_json
from iso10002.monitoring.report import KpiReport
from iso10002.serialization import (
    event_from_dict,
    event_to_dict,
    history_from_json,
    history_to_json,
    loads,
    structure,
)
from iso10002.testing.samples import sample_history
from tests.monitoring.sample_report import kpi_report

from .support import JSON_VALUES, mutated, mutated_text, refused_or, to_json

FAST = settings(max_examples=80, deadline=_dt.timedelta(seconds=2))

HISTORY: list[Any] = json.loads(history_to_json(sample_history()))
REPORT_TEXT = report_to_json(kpi_report())
REPORT: Any = json.loads(REPORT_TEXT)
TYPES: list[type[Any]] = [
    Event,
    Actor,
    Money,
    KpiReport,
    *sorted(payload_types().values(), key=str),
]


@FAST
@given(data=mutated(HISTORY, most=4))
def test_a_mutated_history_is_read_or_refused(data: Any) -> None:
    result = refused_or(lambda: history_from_json(to_json(data)))
    if not isinstance(result, Exception):
        assert all(isinstance(e, Event) for e in result)
        assert history_from_json(history_to_json(result)) == result


@FAST
@given(data=st.sampled_from(HISTORY).flatmap(lambda record: mutated(record)))
def test_a_mutated_event_record_is_read_or_refused(data: Any) -> None:
    result = refused_or(lambda: event_from_dict(data))
    if not isinstance(result, Exception):
        assert event_from_dict(json.loads(json.dumps(event_to_dict(result)))) == result


@FAST
@given(data=JSON_VALUES)
def test_random_json_is_not_a_history(data: Any) -> None:
    result = refused_or(lambda: history_from_json(to_json(data)))
    assert isinstance(result, SerializationError) or result == []


@FAST
@given(text=st.one_of(st.text(max_size=60), st.binary(max_size=60)))
def test_random_text_and_bytes_are_refused(text: str | bytes) -> None:
    for read in (history_from_json, report_from_json, lambda t: loads(t, Event)):
        refused_or(functools.partial(read, text))


@FAST
@given(cls=st.sampled_from(TYPES), data=JSON_VALUES)
def test_structure_builds_or_refuses_any_json(cls: type[Any], data: Any) -> None:
    result = refused_or(lambda: structure(data, cls))
    if not isinstance(result, Exception):
        assert isinstance(result, cls)


@FAST
@given(data=mutated(REPORT, most=4))
def test_a_mutated_kpi_report_is_read_or_refused(data: Any) -> None:
    result = refused_or(lambda: report_from_json(to_json(data)))
    if not isinstance(result, Exception):
        assert report_from_json(report_to_json(result)) == result


@FAST
@given(text=mutated_text(REPORT_TEXT, most=3))
def test_a_damaged_kpi_report_file_is_read_or_refused(text: str) -> None:
    refused_or(lambda: report_from_json(text))


def test_the_mutations_reach_both_outcomes() -> None:
    # Guards the properties above: a valid record is read, a damaged one refused.
    assert history_from_json(to_json(HISTORY))
    assert report_from_json(REPORT_TEXT) == kpi_report()
    refused = refused_or(lambda: history_from_json(to_json([{**HISTORY[0], "seq": "1"}])))
    assert isinstance(refused, SerializationError)
    assert "$[0].seq" in str(refused)


# Inputs found by fuzzing: the JSON reader itself raises ValueError (an integer literal longer
# than Python converts) or RecursionError (deep nesting), which must come out as the library's
# error like any other text that is not JSON.
HUGE_INTEGER = "1" * 5000
DEEP_NESTING = "[" * 100_000


def test_regression_a_huge_integer_literal_is_refused_as_bad_json() -> None:
    for read in (history_from_json, report_from_json, lambda t: loads(t, Event)):
        with pytest.raises(SerializationError, match="not valid JSON"):
            read(HUGE_INTEGER)


def test_regression_deeply_nested_json_is_refused_as_bad_json() -> None:
    for read in (history_from_json, report_from_json, lambda t: loads(t, Event)):
        with pytest.raises(SerializationError, match="not valid JSON"):
            read(DEEP_NESTING)
