"""
Erasure leaves nothing of the person behind: not the complainant actor's id or name in the
events, not the customer id in the access denials, not a byte in the SQLite files while another
connection holds the database open. (Before, the actor column kept the customer id, the denials
kept it, and the write-ahead log kept every erased value.)
"""

from __future__ import annotations

import datetime as _dt
import logging
import sqlite3
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso10002 import ComplaintDesk
from iso10002.access import RoleBasedAuthorizer
from iso10002.clock import FixedClock
from iso10002.errors import PermissionDenied
from iso10002.integrity import verify
from iso10002.model.personal import ERASED
from iso10002.model.values import Actor, Channel, ClosureReason, Complainant, ContactDetails, Role
from iso10002.privacy import SubjectMatch
from iso10002.storage.base import EventStore
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import SAMPLE_START, sample_actor

from .test_erasure import ADMIN, kpis

MANAGER = sample_actor("manager-1", Role.COMPLAINTS_MANAGER)


@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EventStore]:
    made: EventStore = (
        SQLiteEventStore(tmp_path / "complaints.db")
        if request.param == "sqlite"
        else InMemoryEventStore()
    )
    yield made
    made.close()


def person(customer_id: str, name: str, email: str) -> tuple[Actor, Complainant]:
    actor = Actor(id=customer_id, role=Role.COMPLAINANT, name=name)
    complainant = Complainant(
        name=name, contact=ContactDetails(email=email), customer_id=customer_id
    )
    return actor, complainant


def received_by_complainant(
    desk: ComplaintDesk, who: tuple[str, str, str], text: str, reference: str
) -> None:
    """The complainant files the complaint, tries what they may not, and withdraws it."""
    actor, complainant = person(*who)
    desk.receive(
        actor,
        complainant=complainant,
        channel=Channel.WEB_FORM,
        description=text,
        reference=reference,
    )
    with pytest.raises(PermissionDenied):
        desk.close(reference, actor, reason=ClosureReason.RESOLVED)
    desk.withdraw(reference, actor, reason=f"{text} withdrawn")


def test_the_complainant_actor_is_erased_with_the_complaint(store: EventStore) -> None:
    desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START), authorizer=RoleBasedAuthorizer())
    plain = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
    received_by_complainant(desk, ("CUST-4411", "Ottoline Brack", "ob@example.org"), "Late.", "C-1")
    received_by_complainant(desk, ("CUST-9000", "Other Person", "op@example.org"), "Lost.", "C-2")
    # The first complainant also tried to look at somebody else's complaint.
    with pytest.raises(PermissionDenied):
        desk.close(
            "C-2",
            person("CUST-4411", "Ottoline Brack", "ob@example.org")[0],
            reason=ClosureReason.RESOLVED,
        )
    before = kpis(store)
    assert any(e.actor.id == "CUST-4411" for e in plain.history("C-1"))

    plain.erase_personal_data("C-1", ADMIN, reason="erasure request")

    history = plain.history("C-1")
    complainant_events = [e for e in history if e.actor.role is Role.COMPLAINANT]
    assert complainant_events
    for event in complainant_events:
        assert (event.actor.id, event.actor.name) == (ERASED, None)
    assert "CUST-4411" not in repr(history) and "Ottoline" not in repr(history)
    denials = store.denials()  # type: ignore[attr-defined]
    assert len(denials) == 3
    assert "CUST-4411" not in {d.actor_id for d in denials}
    # The other complainant keeps theirs: erasure reaches one person only.
    assert [d.actor_id for d in denials if d.reference == "C-2"].count("CUST-9000") == 1
    assert any(e.actor.id == "CUST-9000" for e in plain.history("C-2"))
    report = verify(store)
    assert report.ok, report.finding
    assert kpis(store) == before
    export = plain.export_subject(SubjectMatch(customer_id="CUST-4411"))
    assert export.records == ()


def warning_of(store: SQLiteEventStore) -> str | None:
    return store.erasure_warning


def files(path: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        found = Path(f"{path}{suffix}")
        if found.exists():
            data += found.read_bytes()
    return data


_WORDS = st.text(alphabet=string.ascii_letters, min_size=6, max_size=12)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    secrets=st.lists(_WORDS, min_size=4, max_size=4, unique=True),
    notes=st.lists(_WORDS, max_size=4),
    others=st.integers(min_value=0, max_value=3),
    big=st.booleans(),
)
def test_no_personal_value_is_left_in_the_database_files(
    tmp_path_factory: pytest.TempPathFactory,
    secrets: list[str],
    notes: list[str],
    others: int,
    big: bool,
) -> None:
    # Each value carries a marker no other stored text has, so that a match is a leak.
    name, email_user, customer, text = (f"Zq{s}Xj" for s in secrets)
    email = f"{email_user}@example.org"
    description = text * (400 if big else 1)  # large enough for overflow pages, or not
    notes = [f"Zq{n}Xj" for n in notes]
    path = tmp_path_factory.mktemp("erase") / "complaints.db"
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(
            store, clock=FixedClock(SAMPLE_START), authorizer=RoleBasedAuthorizer()
        )
        for i in range(others):
            received_by_complainant(desk, (f"K{i}", f"Other {i}", f"o{i}@x.org"), "Slow.", f"O-{i}")
        actor, complainant = person(customer, name, email)
        desk.receive(
            actor,
            complainant=complainant,
            channel=Channel.WEB_FORM,
            description=description,
            reference="C-1",
        )
        with pytest.raises(PermissionDenied):
            desk.close("C-1", actor, reason=ClosureReason.RESOLVED)
        for note in notes:
            desk.add_note("C-1", MANAGER, note)
        desk.withdraw("C-1", actor, reason=f"{text} no longer")
        # A running application keeps the database open in another process meanwhile.
        other = sqlite3.connect(path)
        other.execute("SELECT COUNT(*) FROM events").fetchall()
        try:
            held = files(path)
            assert customer.encode() in held and name.encode() in held
            ComplaintDesk(store, clock=desk.clock).erase_personal_data(
                "C-1", ADMIN, reason="erasure request"
            )
            data = files(path)
            for value in (name, email, customer, text, *notes):
                assert value.encode() not in data, value
            assert store.erasure_warning is None
            assert verify(store).ok
        finally:
            other.close()


def test_a_reader_that_holds_the_log_is_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        actor, complainant = person("CUST-1", "Held Reader", "hr@example.org")
        desk.receive(
            actor,
            complainant=complainant,
            channel=Channel.WEB_FORM,
            description="Hm.",
            reference="C-1",
        )
        desk.withdraw("C-1", actor, reason="done")
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM events").fetchall()
        try:
            with caplog.at_level(logging.WARNING, logger="iso10002.storage"):
                desk.erase_personal_data("C-1", ADMIN, reason="erasure request")
        finally:
            reader.execute("COMMIT")
            reader.close()
        assert store.erasure_warning is not None
        assert f"{path}-wal" in store.erasure_warning
        assert any(
            r.name == "iso10002.storage" and "write-ahead log" in r.getMessage()
            for r in caplog.records
        )
        # The next erasure, with nobody reading, truncates it.
        actor2, complainant2 = person("CUST-2", "Second One", "so@example.org")
        desk.receive(
            actor2,
            complainant=complainant2,
            channel=Channel.WEB_FORM,
            description="x",
            reference="C-2",
        )
        desk.withdraw("C-2", actor2, reason="done")
        desk.erase_personal_data("C-2", ADMIN, reason="erasure request")
        assert warning_of(store) is None
        assert Path(f"{path}-wal").stat().st_size == 0
        assert b"Held Reader" not in files(path)


def test_events_stored_before_actors_were_sealed_keep_verifying(tmp_path: Path) -> None:
    # A plain actor column (as every release before wrote it) hashes as it did.
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        desk.receive(
            sample_actor(),
            complainant=person("C-9", "Plain Actor", "pa@example.org")[1],
            channel=Channel.EMAIL,
            description="x",
            reference="C-1",
        )
        (actor,) = sqlite3.connect(path).execute("SELECT actor FROM events").fetchone()
        assert "$personal" not in actor
        assert verify(store).ok
    _ = _dt  # the module's instants come from SAMPLE_START
