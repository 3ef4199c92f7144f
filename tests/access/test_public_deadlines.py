"""The public view shows a deadline at the midnight that ends a day as that day."""

from __future__ import annotations

import datetime as dt

import pytest

from iso10002 import (
    Actor,
    Channel,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    FixedClock,
    Role,
    ValidationError,
)
from iso10002.access import PublicDeadline, public_view
from iso10002.sla.config import SlaConfig
from iso10002.sla.presets import preset

UTC = dt.timezone.utc
STAFF = Actor(id="fl", role=Role.FRONT_LINE)


def _view_at(received: dt.datetime):  # type: ignore[no-untyped-def]
    policy = preset("fca-disp-1.5").policy()
    desk = ComplaintDesk(
        clock=FixedClock(received), sla=SlaConfig(policies=(policy,), default=policy.name)
    )
    ann = Complainant(name="Ann", contact=ContactDetails(email="ann@example.org"))
    c = desk.receive(STAFF, complainant=ann, channel=Channel.EMAIL, description="Late.")
    return desk.public_view(c.reference)


def test_an_end_of_day_deadline_is_its_last_day_and_close_of_business_an_instant() -> None:
    view = _view_at(dt.datetime(2026, 12, 23, 16, 0, tzinfo=UTC))

    by_metric = {d.metric: d for d in view.deadlines}
    final = by_metric["final_response"]
    assert final.due_at == dt.datetime(2027, 2, 18, 0, 0, tzinfo=UTC)
    assert final.day == dt.date(2027, 2, 17)
    assert final.text == "end of 17 Feb 2027"
    summary = by_metric["summary_resolution"]
    assert summary.day is None
    assert summary.text == "30 Dec 2026, 17:00 UTC"
    assert "by the end of 2027-02-17" in view.as_text()
    assert "2027-02-18T00:00" not in view.as_text()


def test_the_day_is_the_calendars_in_summer_time_too() -> None:
    view = _view_at(dt.datetime(2027, 6, 1, 10, 0, tzinfo=UTC))

    final = next(d for d in view.deadlines if d.metric == "final_response")
    assert final.due_at == dt.datetime(2027, 7, 27, 23, 0, tzinfo=UTC)  # midnight in London
    assert final.day == dt.date(2027, 7, 27)


def test_a_deadline_without_a_day_is_shown_as_an_instant() -> None:
    due = PublicDeadline(
        metric="m", description="d", due_at=dt.datetime(2027, 2, 1, tzinfo=UTC), day=None
    )
    assert due.text == "01 Feb 2027, 00:00 UTC"


def test_an_unknown_zone_is_refused() -> None:
    desk = ComplaintDesk(clock=FixedClock(dt.datetime(2026, 12, 23, tzinfo=UTC)))
    ann = Complainant(name="Ann", contact=ContactDetails(email="ann@example.org"))
    c = desk.receive(STAFF, complainant=ann, channel=Channel.EMAIL, description="Late.")

    with pytest.raises(ValidationError) as caught:
        public_view(c, desk.history(c.reference), zone="Mars/Olympus")
    assert caught.value.field == "zone"
    assert str(caught.value) == "zone: 'Mars/Olympus' is not an IANA time zone"
