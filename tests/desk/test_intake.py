"""
Idempotent intake: receiving again with a client key replays the complaint when the content is
the same, and refuses it, writing nothing, when the content differs.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from iso10002 import (
    Channel,
    Complainant,
    Complaint,
    ComplaintDesk,
    ContactDetails,
    DuplicateKeyError,
    FixedClock,
    InMemoryEventStore,
    SQLiteEventStore,
)
from iso10002.desk import IntakeResult
from iso10002.errors import ClientKeyReused
from iso10002.outbox.policy import DeskChange
from tests.access.support import SETUP, START

ANN = Complainant(name="Ann Example", contact=ContactDetails(email="ann@example.org"))
FORM = {
    "complainant": ANN,
    "channel": Channel.WEB_FORM,
    "description": "I was charged twice for one order.",
    "remedy_requested": "Refund the second charge",
    "client_key": "form-7f3a",
}


@pytest.fixture(name="clock")
def _clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(name="store", params=["memory", "sqlite"])
def _store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    if request.param == "memory":
        yield InMemoryEventStore()
        return
    with SQLiteEventStore(tmp_path / "complaints.db", synchronous="OFF") as store:
        yield store


@pytest.fixture(name="desk")
def _desk(store: InMemoryEventStore, clock: FixedClock) -> ComplaintDesk:
    return ComplaintDesk(store, clock=clock)


def everything(desk: ComplaintDesk) -> list[object]:
    """Every event the store holds."""
    return [e for _, e in desk.store.iter_events()]


def test_the_same_form_twice_is_created_then_replayed(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    first = desk.receive_or_replay(SETUP, **FORM)  # type: ignore[arg-type]
    clock.advance(_dt.timedelta(minutes=5))  # a retry after a time-out: received_at is the desk's
    before = everything(desk)

    again = desk.receive_or_replay(SETUP, **FORM)  # type: ignore[arg-type]

    assert first == IntakeResult(complaint=first.complaint, created=True)
    assert again == IntakeResult(complaint=first.complaint, created=False)
    assert again.replayed and not first.replayed
    assert everything(desk) == before
    assert desk.receive(SETUP, **FORM) == first.complaint  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"description": "Something else entirely."}, ("description",)),
        ({"remedy_requested": None}, ("remedy_requested",)),
        ({"channel": Channel.EMAIL, "people_involved": ["sam"]}, ("channel", "people_involved")),
        ({"received_at": START - _dt.timedelta(days=1)}, ("received_at",)),
        ({"reference": "MY-REF-1"}, ("reference",)),
        ({"attributes": {"segment": "retail"}}, ("attributes",)),
    ],
)
def test_the_same_key_with_other_content_is_refused_and_writes_nothing(
    desk: ComplaintDesk, change: dict[str, object], fields: tuple[str, ...]
) -> None:
    first = desk.receive(SETUP, **FORM)  # type: ignore[arg-type]
    before = everything(desk)

    with pytest.raises(ClientKeyReused) as info:
        desk.receive(SETUP, **{**FORM, **change})  # type: ignore[arg-type]

    assert isinstance(info.value, DuplicateKeyError)
    assert (info.value.client_key, info.value.reference) == ("form-7f3a", first.reference)
    assert info.value.fields == fields
    assert str(info.value) == (
        f"client key 'form-7f3a' was used for complaint {first.reference} with different "
        f"content ({', '.join(fields)}); a retry sends the same complaint again, a new "
        "complaint needs a new key"
    )
    assert "charged" not in str(info.value) and "Ann" not in str(info.value)
    assert everything(desk) == before
    # The content is compared before a reference number is taken: none was used up.
    next_one = desk.receive(SETUP, **{**FORM, "client_key": "form-8b4c"})  # type: ignore[arg-type]
    assert next_one.reference == first.reference.replace("000001", "000002")


def test_given_reference_and_time_must_match_only_when_given(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    when = START - _dt.timedelta(hours=3)
    first = desk.receive(SETUP, **FORM, reference="WEB-1", received_at=when)  # type: ignore[arg-type]
    clock.advance(_dt.timedelta(hours=1))

    again = desk.receive_or_replay(SETUP, **FORM)  # type: ignore[arg-type]
    exact = desk.receive_or_replay(
        SETUP,
        **FORM,  # type: ignore[arg-type]
        reference="WEB-1",
        received_at=when.astimezone(_dt.timezone(_dt.timedelta(hours=2))),
    )

    assert again.complaint == exact.complaint == first
    assert not again.created and not exact.created


def test_a_second_desk_on_the_same_file_replays_too(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "shared.db"
    with SQLiteEventStore(path) as one, SQLiteEventStore(path) as two:
        first = ComplaintDesk(one, clock=clock).receive(SETUP, **FORM)  # type: ignore[arg-type]
        other = ComplaintDesk(two, clock=clock)

        assert other.receive_or_replay(SETUP, **FORM).complaint == first  # type: ignore[arg-type]
        with pytest.raises(ClientKeyReused):
            other.receive(SETUP, **{**FORM, "description": "Another thing."})  # type: ignore[arg-type]


class Racer:
    """A notification hook through which another desk receives with the same key first."""

    def __init__(self, other: ComplaintDesk, form: dict[str, object]) -> None:
        self.other = other
        self.form = form
        self.winner: Complaint | None = None

    def __call__(self, change: DeskChange) -> tuple[()]:
        if self.winner is None:
            self.winner = self.other.receive(SETUP, **self.form)  # type: ignore[arg-type]
        return ()


@pytest.mark.parametrize("same", [True, False])
def test_a_racing_writer_that_wins_is_replayed_or_refused(
    tmp_path: Path, clock: FixedClock, same: bool
) -> None:
    path = tmp_path / "race.db"
    with SQLiteEventStore(path) as one, SQLiteEventStore(path) as two:
        theirs = FORM if same else {**FORM, "description": "Their complaint."}
        racer = Racer(ComplaintDesk(two, clock=clock), theirs)
        desk = ComplaintDesk(one, clock=clock, notifications=racer)

        if same:
            result = desk.receive_or_replay(SETUP, **FORM)  # type: ignore[arg-type]
            assert racer.winner is not None
            assert result == IntakeResult(complaint=racer.winner, created=False)
        else:
            with pytest.raises(ClientKeyReused) as info:
                desk.receive_or_replay(SETUP, **FORM)  # type: ignore[arg-type]
            assert racer.winner is not None
            assert info.value.reference == racer.winner.reference
            assert info.value.fields == ("description",)
        assert desk.query().total == 1


def test_an_erased_complaint_cannot_be_compared_and_is_replayed(desk: ComplaintDesk) -> None:
    from iso10002 import ClosureReason, Role
    from tests.access.support import ACTORS

    manager = ACTORS[Role.COMPLAINTS_MANAGER]
    first = desk.receive(SETUP, **FORM)  # type: ignore[arg-type]
    desk.withdraw(first.reference, manager)
    erased = desk.erase_personal_data(first.reference, manager, reason="Asked to.")
    del ClosureReason

    again = desk.receive_or_replay(SETUP, **FORM)  # type: ignore[arg-type]

    assert again == IntakeResult(complaint=erased, created=False)
