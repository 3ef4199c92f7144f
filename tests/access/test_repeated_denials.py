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
from iso10002.model.values import ClosureReason
from tests.privacy.test_erasure import ADMIN
from tests.privacy.test_erasure_complete import person, received_by_complainant

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


def test_erasure_forgets_what_the_desk_remembers_of_the_complainant(tmp_path: Path) -> None:
    """
    The desk's memory of repeated denials keeps only keyed hashes of actor ids, and erasing a
    complaint forgets its complaint's denials and its complainant's: a repeat after the
    erasure is recorded again, as a first denial.
    """
    clock = FixedClock(START)
    store = SQLiteEventStore(tmp_path / "erase.db")
    desk = ComplaintDesk(store, clock=clock, authorizer=RoleBasedAuthorizer())
    received_by_complainant(desk, ("CUST-4411", "Ottoline Brack", "ob@example.org"), "Late.", "C-1")
    received_by_complainant(desk, ("CUST-9000", "Other Person", "op@example.org"), "Lost.", "C-2")
    ottoline = person("CUST-4411", "Ottoline Brack", "ob@example.org")[0]
    for _ in range(3):  # the complainant of C-1 tries C-2's closing, and a stranger C-1's page
        with pytest.raises(PermissionDenied):
            desk.close("C-2", ottoline, reason=ClosureReason.RESOLVED)
        _look_up(desk, "C-1")
    remembered = desk._repeats._seen
    # C-1's and C-2's complainants on their own, C-1's on C-2, the stranger on C-1.
    assert len(remembered) == 4
    assert not any("CUST-4411" in repr(kind) or "visitor-1" in repr(kind) for kind in remembered)
    before = len(desk.access_log.denials())  # type: ignore[attr-defined]

    desk.erase_personal_data("C-1", ADMIN, reason="erasure request")
    assert len(desk._repeats) == 1  # C-2's complainant on C-2
    # The same attempts within the window are recorded again, each a first denial.
    with pytest.raises(PermissionDenied):
        desk.close("C-2", ottoline, reason=ClosureReason.RESOLVED)
    _look_up(desk, "C-1")
    after = desk.access_log.denials()  # type: ignore[attr-defined]
    assert len(after) == before + 2
    assert all("repeats" not in d.reason for d in after[before:])
    # Another complaint's memory stays: a repeat on it is still counted, not written.
    received_by_complainant(desk, ("CUST-7", "Third Person", "tp@example.org"), "Gone.", "C-3")
    _look_up(desk, "C-3")
    written = len(desk.access_log.denials())  # type: ignore[attr-defined]
    desk.erase_personal_data("C-2", ADMIN, reason="erasure request")
    _look_up(desk, "C-3")
    assert len(desk.access_log.denials()) == written  # type: ignore[attr-defined]
    store.close()
