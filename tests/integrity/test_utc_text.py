"""The UTC text of instants, kept for the instants met lately: the same text as converting
each time, fold included."""

from __future__ import annotations

import datetime as _dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from iso10002.errors import ValidationError
from iso10002.integrity.chain import canonical_bytes, canonical_from_json
from iso10002.model import fact_row
from iso10002.model.events import Event, NoteAdded
from iso10002.model.fact_row import utc, utc_text
from iso10002.model.values import Actor, Role
from iso10002.serialization import canonical_json, unstructure

NEW_YORK = ZoneInfo("America/New_York")


def _converted(value: _dt.datetime) -> str:
    return value.astimezone(_dt.timezone.utc).isoformat(timespec="microseconds")


def test_the_two_instants_of_a_repeated_hour_keep_their_own_text() -> None:
    first = _dt.datetime(2020, 11, 1, 1, 30, tzinfo=NEW_YORK)
    second = first.replace(fold=1)
    assert first == second  # equal in their zone, an hour apart in UTC
    for _ in range(2):  # met again: from the kept texts
        assert utc_text(first) == "2020-11-01T05:30:00.000000+00:00" == _converted(first)
        assert utc_text(second) == "2020-11-01T06:30:00.000000+00:00" == _converted(second)


def test_equal_instants_of_other_zones_give_the_same_text() -> None:
    here = _dt.datetime(2019, 3, 4, tzinfo=NEW_YORK)
    there = here.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (
        utc_text(here) == utc_text(there) == _converted(here) == "2019-03-04T05:00:00.000000+00:00"
    )


def test_the_kept_texts_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fact_row, "_UTC_TEXTS_KEPT", 3)
    fact_row._UTC_TEXTS.clear()
    start = _dt.datetime(2021, 1, 1, tzinfo=NEW_YORK)
    days = [start + _dt.timedelta(days=i) for i in range(10)]
    assert [utc_text(d) for d in days] == [_converted(d) for d in days]
    assert len(fact_row._UTC_TEXTS) <= 3


def test_naive_and_out_of_range_instants_are_not_kept() -> None:
    fact_row._UTC_TEXTS.clear()
    naive = _dt.datetime(2021, 5, 6, 7, 8)
    assert utc_text(naive) == _converted(naive)
    assert fact_row._UTC_TEXTS == {}
    early = _dt.datetime(1, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(hours=5)))
    with pytest.raises(ValidationError, match="received_at"):
        utc(early, "received_at")


def test_the_hashed_bytes_use_the_instants_text() -> None:
    at = _dt.datetime(2020, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)
    event = Event(
        complaint_id=uuid.UUID(int=7),
        seq=1,
        occurred_at=at,
        actor=Actor(id="u1", role=Role.SYSTEM),
        state="received",
        payload=NoteAdded(text="A note"),
    )
    payload = {"text": "sealed", "internal": True}
    fast = canonical_from_json(
        event, canonical_json(payload), canonical_json(unstructure(event.actor))
    )
    assert fast == canonical_bytes(event, payload)
    assert b'"occurred_at":"2020-11-01T06:30:00.000000+00:00"' in fast
