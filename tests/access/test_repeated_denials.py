"""
A refused look-up in a loop writes one denial a minute, not one per attempt: a public status
page must not turn a stream of reads into a stream of writes.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from iso10002 import (
    Action,
    Actor,
    Channel,
    Complainant,
    ComplaintDesk,
    ComplaintNotFound,
    ContactDetails,
    FixedClock,
    Role,
    RoleBasedAuthorizer,
    SQLiteEventStore,
    ValidationError,
)
from iso10002.access import DenialRecord
from iso10002.access.log import RepeatedDenials
from iso10002.errors import PermissionDenied

START = dt.datetime(2027, 1, 11, 9, 0, tzinfo=dt.timezone.utc)
INTAKE = Actor(id="web-intake", role=Role.SYSTEM)
GUESSER = Actor(id="visitor-1", role=Role.COMPLAINANT)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def _desk(tmp_path: Path, clock: FixedClock, **options: object) -> tuple[ComplaintDesk, str]:
    store = SQLiteEventStore(tmp_path / "denials.db")
    desk = ComplaintDesk(store, clock=clock, authorizer=RoleBasedAuthorizer(), **options)  # type: ignore[arg-type]
    ann = Complainant(name="Ann", contact=ContactDetails(email="ann@example.org"))
    c = desk.receive(INTAKE, complainant=ann, channel=Channel.WEB_FORM, description="x")
    return desk, c.reference


def _look_up(desk: ComplaintDesk, reference: str, actor: Actor = GUESSER) -> None:
    with pytest.raises(PermissionDenied):
        desk.public_view(reference, actor=actor)


def test_a_reader_loop_writes_one_denial_a_minute(
    tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    desk, ref = _desk(tmp_path, clock)

    with caplog.at_level(logging.WARNING, logger="iso10002.access"):
        for _ in range(89):  # 89 look-ups in 6 s
            _look_up(desk, ref)
            clock.advance(dt.timedelta(milliseconds=67))

    (only,) = desk.access_log.denials()  # type: ignore[attr-defined]
    assert (only.actor_id, only.action, only.reference) == ("visitor-1", Action.PUBLIC_VIEW, ref)
    assert only.reason == "the complaint is not the actor's own"
    assert len(caplog.records) == 89, "every attempt is still logged"

    clock.set(START + dt.timedelta(minutes=1))
    _look_up(desk, ref)
    first, second = desk.access_log.denials()  # type: ignore[attr-defined]
    assert first == only
    assert second.reason == (
        "the complaint is not the actor's own (and 88 repeats from 2027-01-11 09:00:00 UTC, "
        "not recorded one by one)"
    )


def test_another_actor_action_or_complaint_is_recorded_at_once(
    tmp_path: Path, clock: FixedClock
) -> None:
    desk, ref = _desk(tmp_path, clock)
    ann = Complainant(name="Bo", contact=ContactDetails(email="bo@example.org"))
    other = desk.receive(INTAKE, complainant=ann, channel=Channel.WEB_FORM, description="y")

    _look_up(desk, ref)
    _look_up(desk, ref, Actor(id="visitor-2", role=Role.COMPLAINANT))
    _look_up(desk, other.reference)
    with pytest.raises(PermissionDenied):
        desk.history(ref, actor=GUESSER)

    denials = desk.access_log.denials()  # type: ignore[attr-defined]
    assert [(d.actor_id, d.action.value, d.reference) for d in denials] == [
        ("visitor-1", "public_view", ref),
        ("visitor-2", "public_view", ref),
        ("visitor-1", "public_view", other.reference),
        ("visitor-1", "history", ref),
    ]


def test_an_unknown_reference_is_no_denial(tmp_path: Path, clock: FixedClock) -> None:
    desk, _ = _desk(tmp_path, clock)

    for _ in range(5):
        with pytest.raises(ComplaintNotFound):
            desk.public_view("CMP-2027-999999", actor=GUESSER)

    assert desk.access_log.denials() == []  # type: ignore[attr-defined]


def test_a_window_of_zero_records_every_denial(tmp_path: Path, clock: FixedClock) -> None:
    desk, ref = _desk(tmp_path, clock, denial_window=dt.timedelta(0))

    for _ in range(3):
        _look_up(desk, ref)

    assert len(desk.access_log.denials()) == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize("window", [dt.timedelta(seconds=-1), 60, None])
def test_a_bad_window_is_refused(window: object) -> None:
    with pytest.raises(ValidationError) as caught:
        ComplaintDesk(denial_window=window)  # type: ignore[arg-type]
    assert caught.value.field == "denial_window"
    assert str(caught.value) == (
        f"denial_window: expected a timedelta of 0 or more, got {window!r}"
    )


def _denial(actor: str, at: dt.datetime) -> DenialRecord:
    return DenialRecord(
        at=at, actor_id=actor, role=Role.COMPLAINANT, action=Action.PUBLIC_VIEW, reason="no"
    )


def test_a_forgotten_kind_is_written_again() -> None:
    repeats = RepeatedDenials(dt.timedelta(minutes=1), capacity=2)

    assert repeats.admit(_denial("a", START)) is not None
    assert repeats.admit(_denial("a", START)) is None
    assert repeats.admit(_denial("b", START)) is not None
    assert repeats.admit(_denial("c", START)) is not None  # "a" is forgotten
    again = repeats.admit(_denial("a", START))
    assert again is not None and again.reason == "no"


def test_a_clock_that_goes_back_writes_the_denial() -> None:
    repeats = RepeatedDenials(dt.timedelta(minutes=1))
    repeats.admit(_denial("a", START))

    earlier = repeats.admit(_denial("a", START - dt.timedelta(seconds=1)))

    assert earlier is not None and earlier.reason == "no"
    one_more = repeats.admit(_denial("a", START))
    assert one_more is None
    later = repeats.admit(_denial("a", START + dt.timedelta(minutes=2)))
    assert later is not None
    assert later.reason.startswith("no (and 1 repeat from 2027-01-11 08:59:59 UTC")
