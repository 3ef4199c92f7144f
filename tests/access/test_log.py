"""Denials are recorded: in the SQLite file (surviving a reopening), in memory, and in the logs."""

from __future__ import annotations

import datetime as _dt
import logging
import sqlite3
import uuid
from pathlib import Path

import pytest

from iso10002 import (
    ComplaintDesk,
    ComplaintQuery,
    Decision,
    FixedClock,
    InMemoryEventStore,
    NaiveDatetimeError,
    Outcome,
    Page,
    Role,
    SQLiteEventStore,
    StorageError,
    ValidationError,
)
from iso10002.access import (
    Action,
    DenialRecord,
    InMemoryAccessLog,
    RoleBasedAuthorizer,
    StoreAccessLog,
)
from iso10002.errors import PermissionDenied
from iso10002.storage.sqlite import MIGRATIONS
from iso10002.storage.sqlite.schema import _migrate
from tests.access.support import ACTORS, OWNER, START, desks, prepare

COMPLAINANT = ACTORS[Role.COMPLAINANT]
NOT_UPHELD = Decision(outcome=Outcome.NOT_UPHELD, reasons="No fault found.")
FRONT_LINE = ACTORS[Role.FRONT_LINE]


def denial(**overrides: object) -> DenialRecord:
    fields: dict[str, object] = {
        "at": START,
        "actor_id": "fl-1",
        "role": Role.FRONT_LINE,
        "action": Action.DECIDE,
        "complaint_id": uuid.UUID("00000000-0000-4000-8000-000000000001"),
        "reference": "CMP-2026-000001",
        "reason": "the front_line role is not granted decide",
    }
    fields.update(overrides)
    return DenialRecord(**fields)  # type: ignore[arg-type]


def test_denials_survive_reopening_the_database(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    clock = FixedClock(START)
    desk, setup = desks(path, clock)
    c = prepare(setup, "investigating")
    with pytest.raises(PermissionDenied):
        desk.decide(c.reference, FRONT_LINE, NOT_UPHELD)
    clock.advance(_dt.timedelta(minutes=5))
    with pytest.raises(PermissionDenied):
        desk.query(actor=COMPLAINANT)
    expected = [
        DenialRecord(
            at=START,
            actor_id="fl-1",
            role=Role.FRONT_LINE,
            action=Action.DECIDE,
            complaint_id=c.id,
            reference=c.reference,
            reason="the front_line role is not granted decide",
        ),
        DenialRecord(
            at=START + _dt.timedelta(minutes=5),
            actor_id=COMPLAINANT.id,
            role=Role.COMPLAINANT,
            action=Action.QUERY,
            reason="the complainant role is not granted query",
        ),
    ]
    assert isinstance(desk.access_log, StoreAccessLog)
    assert desk.access_log.denials() == expected
    desk.store.close()

    with SQLiteEventStore(path) as reopened:
        assert reopened.denials() == expected
        assert reopened.denials(since=START + _dt.timedelta(minutes=1)) == expected[1:]
        assert reopened.denials(limit=1) == expected[:1]
        # The table holds no personal data: not the complainant's, not the staff's names.
        rows = str(list(reopened.select("SELECT * FROM access_denials")))
        for personal in (OWNER.name, "olive.owner@example.org", "Fran Frontline", "Olive"):
            assert personal not in rows


def test_a_database_of_an_earlier_schema_gains_the_table(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)
    _migrate(raw, str(path), [m for m in MIGRATIONS if m.version <= 5])
    assert raw.execute("PRAGMA user_version").fetchone() == (5,)
    raw.close()
    with SQLiteEventStore(path) as store:
        assert store.denials() == []
        store.record_denial(denial())
        assert store.denials() == [denial()]
    assert 6 in [m.version for m in MIGRATIONS]


def test_the_in_memory_store_and_log_keep_denials_in_order() -> None:
    store = InMemoryEventStore()
    log = InMemoryAccessLog()
    later = denial(at=START + _dt.timedelta(hours=1), action=Action.CLOSE)
    for record in (denial(), later):
        store.record_denial(record)
        log.record(record)
    assert len(log) == 2
    for keeper in (store, log):
        assert keeper.denials() == [denial(), later]
        assert keeper.denials(since=later.at) == [later]
        assert keeper.denials(limit=1) == [denial()]
    store.close()
    with pytest.raises(StorageError):
        store.denials()


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"since": START.replace(tzinfo=None)}, NaiveDatetimeError, "since"),
        ({"since": "2026-03-02"}, ValidationError, "since"),
        ({"limit": 0}, ValidationError, "limit"),
        ({"limit": True}, ValidationError, "limit"),
    ],
)
def test_listing_denials_checks_its_arguments(
    tmp_path: Path, kwargs: dict[str, object], error: type[ValidationError], field: str
) -> None:
    with SQLiteEventStore(tmp_path / "c.db") as store:
        for keeper in (store, InMemoryEventStore(), InMemoryAccessLog()):
            with pytest.raises(error) as info:
                keeper.denials(**kwargs)  # type: ignore[arg-type]
            assert info.value.field == field


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"at": START.replace(tzinfo=None)}, "at"),
        ({"actor_id": ""}, "actor_id"),
        ({"role": "front_line"}, "role"),
        ({"action": "decide"}, "action"),
        ({"complaint_id": "00000000-0000-4000-8000-000000000001"}, "complaint_id"),
        ({"reason": " "}, "reason"),
    ],
)
def test_a_bad_denial_record_names_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        denial(**overrides)
    assert info.value.field == field


def test_only_denial_records_are_kept(tmp_path: Path) -> None:
    with SQLiteEventStore(tmp_path / "c.db") as store:
        with pytest.raises(ValidationError) as info:
            store.record_denial("denied")  # type: ignore[arg-type]
        assert info.value.field == "denial"
    with pytest.raises(ValidationError):
        InMemoryAccessLog().record("denied")  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as bad:
        StoreAccessLog(object())  # type: ignore[arg-type]
    assert bad.value.field == "store"


def test_an_unreadable_denial_row_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with SQLiteEventStore(path) as store:
        store.record_denial(denial())
    raw = sqlite3.connect(path)
    raw.execute("UPDATE access_denials SET action = 'fly'")
    raw.commit()
    raw.close()
    with SQLiteEventStore(path) as store, pytest.raises(StorageError, match="access denial 1"):
        store.denials()


def test_each_denial_is_logged_without_personal_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    desk, setup = desks(tmp_path / "c.db", FixedClock(START))
    c = prepare(setup)
    with (
        caplog.at_level(logging.WARNING, logger="iso10002.access"),
        pytest.raises(PermissionDenied),
    ):
        desk.get(c.reference, actor=COMPLAINANT)
    desk.store.close()
    [record] = [r for r in caplog.records if r.name == "iso10002.access"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert message == (
        f"actor 'cust-42' (complainant) may not get on complaint {c.reference}: "
        "the complainant role is not granted get"
    )
    for personal in (OWNER.name, "olive.owner@example.org", "+44 20 7946 0000"):
        assert personal not in message


class BrokenLog:
    """An access log whose storage has failed."""

    def record(self, denial: DenialRecord) -> None:
        raise StorageError("the audit database is read-only")


def test_a_denial_that_cannot_be_recorded_is_still_a_denial(
    caplog: pytest.LogCaptureFixture,
) -> None:
    desk = ComplaintDesk(
        InMemoryEventStore(), authorizer=RoleBasedAuthorizer(), access_log=BrokenLog()
    )
    with (
        caplog.at_level(logging.WARNING, logger="iso10002.access"),
        pytest.raises(PermissionDenied) as info,
    ):
        desk.query(actor=COMPLAINANT)
    assert isinstance(info.value.__cause__, StorageError)
    levels = [r.levelno for r in caplog.records if r.name == "iso10002.access"]
    assert levels == [logging.WARNING, logging.ERROR]


class StoreWithoutDenials:
    """An event store that keeps no denials: only what a listing needs, from a real store."""

    def __init__(self) -> None:
        self.inner = InMemoryEventStore()

    def query(self, query: ComplaintQuery) -> Page:
        return self.inner.query(query)


def test_a_store_without_denials_leaves_them_in_memory_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="iso10002.access"):
        desk = ComplaintDesk(StoreWithoutDenials(), authorizer=RoleBasedAuthorizer())  # type: ignore[arg-type]
    warning = (
        "StoreWithoutDenials keeps no access denials; they are kept in memory only "
        "(pass access_log=)"
    )
    assert [r.getMessage() for r in caplog.records] == [warning]
    assert isinstance(desk.access_log, InMemoryAccessLog)
    with pytest.raises(PermissionDenied):
        desk.query(actor=COMPLAINANT)
    assert [d.action for d in desk.access_log.denials()] == [Action.QUERY]
    assert desk.query(actor=FRONT_LINE).total == 0
