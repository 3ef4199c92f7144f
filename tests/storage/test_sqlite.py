"""The SQLite store: the event store contract, then what only a file on disk can show."""

from __future__ import annotations

import datetime as _dt
import multiprocessing
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import (
    ConcurrencyConflict,
    CorruptRecord,
    DuplicateKeyError,
    SchemaVersionError,
    SerializationError,
    StorageError,
    StoreClosedError,
    ValidationError,
)
from iso10002.model.complaint import Complaint, ComplaintSummary
from iso10002.model.events import Event
from iso10002.model.values import Channel, Priority, Role
from iso10002.storage._sql.columns import FACT_COLUMNS
from iso10002.storage.base import ComplaintQuery
from iso10002.storage.sqlite import (
    MIGRATIONS,
    Migration,
    SQLiteEventStore,
    Synchronous,
)
from iso10002.storage.sqlite.schema import _migrate
from iso10002.testing import (
    EventStoreContract,
    PersonalDataStoreContract,
    full_lifecycle,
    note_event,
    received_event,
    sample_actor,
    sample_complainant,
    summary_after,
)
from tests.processes import run_processes

NOW = _dt.datetime(2026, 3, 10, 9, 0, tzinfo=_dt.timezone.utc)


class TestSQLiteEventStore(EventStoreContract):
    def make_store(self, tmp_path: Path) -> SQLiteEventStore:
        return SQLiteEventStore(tmp_path / "complaints.db")


class TestSQLiteStoreErases(PersonalDataStoreContract):
    def make_store(self, tmp_path: Path) -> SQLiteEventStore:
        return SQLiteEventStore(tmp_path / "complaints.db")


class TestSQLiteEventStoreWithoutSync(EventStoreContract):
    """The contract holds whatever the durability setting."""

    def make_store(self, tmp_path: Path) -> SQLiteEventStore:
        return SQLiteEventStore(tmp_path / "complaints.db", synchronous="OFF")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "complaints.db"


@pytest.fixture
def store(path: Path) -> Iterator[SQLiteEventStore]:
    with SQLiteEventStore(path) as store:
        yield store


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection, as another tool would open the file."""
    return sqlite3.connect(path, isolation_level=None)


def append_new(store: SQLiteEventStore, *events: Event) -> None:
    store.append(events, expected_version=0, summary=summary_after(events))


# -- the file --------------------------------------------------------------------------------------


def test_everything_survives_closing_and_reopening(path: Path) -> None:
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(NOW))
        complaint = full_lifecycle(desk, client_key="form-1")
        other = desk.receive(
            sample_actor(),
            complainant=sample_complainant(),
            channel=Channel.PHONE,
            description="Nobody answers the phone.",
        )
        before = (
            store.read(complaint.id),
            store.summary(complaint.id),
            store.query(ComplaintQuery()),
            list(store.iter_events()),
        )
    with SQLiteEventStore(path) as reopened:
        after = (
            reopened.read(complaint.id),
            reopened.summary(complaint.id),
            reopened.query(ComplaintQuery()),
            list(reopened.iter_events()),
        )
        assert after == before
        fresh = ComplaintDesk(reopened, clock=FixedClock(NOW))
        assert fresh.get(complaint.reference) == complaint
        assert fresh.find_by_client_key("form-1") == complaint
        assert reopened.id_for_reference(other.reference) == other.id
        # The reference counter carries on where it stopped.
        assert reopened.next_number("reference:CMP-2026") == 3


def test_the_file_uses_write_ahead_logging(store: SQLiteEventStore, path: Path) -> None:
    connection = raw(path)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        connection.close()


def test_a_store_is_a_context_manager_and_says_what_it_is(path: Path) -> None:
    with SQLiteEventStore(path, synchronous="NORMAL") as store:
        assert repr(store) == f"SQLiteEventStore({str(path)!r}, synchronous='NORMAL')"
        assert store.path == str(path)
    assert repr(store) == f"SQLiteEventStore({str(path)!r}, closed)"


def synchronous_of(store: SQLiteEventStore) -> int:
    """The connection's PRAGMA synchronous (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA)."""
    # Only the store's own connection can tell; the setting is per connection.
    assert store._conn is not None
    return int(store._conn.execute("PRAGMA synchronous").fetchone()[0])


@pytest.mark.parametrize(
    ("synchronous", "level"), [("OFF", 0), ("NORMAL", 1), ("FULL", 2), ("EXTRA", 3)]
)
def test_the_durability_setting_holds_around_counters(
    path: Path, synchronous: Synchronous, level: int
) -> None:
    with SQLiteEventStore(path, synchronous=synchronous) as store:
        assert synchronous_of(store) == level
        assert store.next_number("reference:CMP-2026") == 1
        # The counter's own transaction may be relaxed; the appends after it are not.
        assert synchronous_of(store) == level
        append_new(store, received_event())
        assert synchronous_of(store) == level


def test_a_private_in_memory_database_works() -> None:
    with SQLiteEventStore(":memory:") as store:
        append_new(store, first := received_event())
        assert store.read(first.complaint_id) == [first]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"synchronous": "SOMETIMES"}, "synchronous: must be one of OFF, NORMAL, FULL, EXTRA"),
        ({"timeout": -1}, "timeout: must be a number of seconds >= 0, got -1"),
        ({"timeout": True}, "timeout: must be a number of seconds >= 0, got True"),
    ],
)
def test_bad_options_are_refused(path: Path, options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SQLiteEventStore(path, **options)  # type: ignore[arg-type]
    assert not path.exists()


# -- opening what is not ours ----------------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_a_storage_error(path: Path) -> None:
    path.write_text("complaint,reference\nlate delivery,CMP-1\n" * 100)
    with pytest.raises(StorageError) as caught:
        SQLiteEventStore(path)
    assert type(caught.value) is StorageError
    assert str(caught.value) == (f"SQLite store {path}: open the database: file is not a database")
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_a_missing_directory_is_a_storage_error(tmp_path: Path) -> None:
    where = tmp_path / "no" / "such" / "dir.db"
    with pytest.raises(StorageError, match="open the database: unable to open database file"):
        SQLiteEventStore(where)


@pytest.mark.parametrize(
    ("setup", "application_id"),
    [
        ("PRAGMA user_version = 3", 0),
        ("PRAGMA application_id = 1179603968", 1179603968),
        ("CREATE INDEX events_by_what ON events (what)", 0),
    ],
)
def test_another_applications_database_is_refused(
    path: Path, setup: str, application_id: int
) -> None:
    connection = raw(path)
    connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT)")
    connection.execute(setup)
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StorageError) as caught:
        SQLiteEventStore(path)
    assert str(caught.value) == (
        f"SQLite store {path}: the file is a SQLite database of another application "
        f"(application_id {application_id})"
    )
    assert path.read_bytes() == before


def test_a_newer_schema_is_refused(path: Path) -> None:
    SQLiteEventStore(path).close()
    connection = raw(path)
    connection.execute(f"PRAGMA user_version = {SQLiteEventStore.SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(SchemaVersionError) as caught:
        SQLiteEventStore(path)
    assert str(caught.value) == (
        f"SQLite store {path}: the database has schema version "
        f"{SQLiteEventStore.SCHEMA_VERSION + 1}, but this release of "
        f"iso10002 knows versions up to {SQLiteEventStore.SCHEMA_VERSION}; upgrade iso10002"
    )


# -- migrations ------------------------------------------------------------------------------------


def schema(path: Path) -> list[tuple[str, str]]:
    connection = raw(path)
    try:
        rows = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()
    finally:
        connection.close()
    return [(str(name), str(sql)) for name, sql in rows]


def pragma(path: Path, name: str) -> int:
    connection = raw(path)
    try:
        return int(connection.execute(f"PRAGMA {name}").fetchone()[0])
    finally:
        connection.close()


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert MIGRATIONS[-1].version == SQLiteEventStore.SCHEMA_VERSION


def test_migrations_run_once_and_reopening_changes_nothing(path: Path) -> None:
    with SQLiteEventStore(path) as store:
        append_new(store, first := received_event())
    created = schema(path)
    assert pragma(path, "user_version") == SQLiteEventStore.SCHEMA_VERSION
    assert pragma(path, "application_id") == 0x49534F43
    assert {name for name, _ in created} >= {
        "events",
        "complaints",
        "counters",
        "complaints_by_state",
        "complaints_by_received",
    }
    for _ in range(2):
        with SQLiteEventStore(path) as store:
            assert store.read(first.complaint_id) == [first]
        assert schema(path) == created
        assert pragma(path, "user_version") == SQLiteEventStore.SCHEMA_VERSION


def test_a_failing_migration_leaves_the_database_as_it_was(path: Path) -> None:
    steps = (
        Migration(version=1, description="a table", sqlite=("CREATE TABLE a (x INTEGER)",)),
        Migration(
            version=2,
            description="broken",
            sqlite=("CREATE TABLE b (y INTEGER)", "CREATE TABLE a (x INTEGER)"),
        ),
    )
    connection = raw(path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="table a already exists"):
            _migrate(connection, str(path), steps)
        assert connection.execute("PRAGMA user_version").fetchone() == (0,)
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == []
        assert not connection.in_transaction
        _migrate(connection, str(path), steps[:1])
        assert connection.execute("PRAGMA user_version").fetchone() == (1,)
    finally:
        connection.close()


# -- several writers -------------------------------------------------------------------------------


def test_two_store_objects_on_one_file_see_each_other_and_conflict(path: Path) -> None:
    with SQLiteEventStore(path) as one, SQLiteEventStore(path) as two:
        desk_one = ComplaintDesk(one, clock=FixedClock(NOW))
        desk_two = ComplaintDesk(two, clock=FixedClock(NOW))
        complaint = desk_one.receive(
            sample_actor(),
            complainant=sample_complainant(),
            channel=Channel.EMAIL,
            description="The refund never arrived.",
            client_key="mail-9",
        )
        # The second desk finds the complaint and works on it; the first catches up.
        assert desk_two.find_by_client_key("mail-9") == complaint
        desk_two.acknowledge(complaint.reference, sample_actor())
        assert desk_one.get(complaint.id).state == "acknowledged"
        # Both read version 2; the first append wins, the second conflicts.
        history = one.read(complaint.id)
        mine, theirs = note_event(history[-1], "mine"), note_event(history[-1], "theirs")
        one.append([mine], expected_version=2, summary=summary_after([*history, mine]))
        with pytest.raises(ConcurrencyConflict) as caught:
            two.append([theirs], expected_version=2, summary=summary_after([*history, theirs]))
        assert (caught.value.expected_version, caught.value.actual_version) == (2, 3)
        with pytest.raises(ConcurrencyConflict):
            desk_two.add_note(complaint.id, sample_actor(), "late", expected_version=2)
        assert two.read(complaint.id) == [*history, mine]
        # Unique keys hold across connections too.
        with pytest.raises(DuplicateKeyError, match="reference 'CMP-2026-000001'"):
            append_new(two, received_event(reference="CMP-2026-000001"))
        assert [one.next_number("s"), two.next_number("s"), one.next_number("s")] == [1, 2, 3]


def test_threads_share_one_store_without_losing_an_update(store: SQLiteEventStore) -> None:
    shared = received_event(reference="SHARED-1")
    append_new(store, shared)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            own = received_event(reference=f"OWN-{name}")
            append_new(store, own)
            history = [own]
            for i in range(15):
                history.append(note_event(history[-1], f"{name} {i}"))
                store.append(history[-1:], expected_version=i + 1, summary=summary_after(history))
                while True:
                    current = store.read(shared.complaint_id)
                    note = note_event(current[-1], f"{name} shared {i}")
                    try:
                        store.append(
                            [note],
                            expected_version=len(current),
                            summary=summary_after([*current, note]),
                        )
                        break
                    except ConcurrencyConflict:
                        continue
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(str(n),)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    history = store.read(shared.complaint_id)
    assert [e.seq for e in history] == list(range(1, 62))
    assert store.version(shared.complaint_id) == 61
    for name in map(str, range(4)):
        own = store.id_for_reference(f"OWN-{name}")
        assert own is not None
        assert store.version(own) == 16


def _worker(
    *,
    path: str,
    name: str,
    shared_id: str,
    own_id: str,
    barrier: Barrier,
    results: Queue[tuple[str, list[int], str]],
) -> None:
    """One writing process; see test_processes_writing_at_once_lose_nothing."""
    store = SQLiteEventStore(path)
    try:
        shared = uuid.UUID(shared_id)
        numbers = [store.next_number("reference:MP") for _ in range(5)]
        # Everyone holds the same version when the barrier opens: exactly one append wins.
        history = store.read(shared)
        barrier.wait(timeout=60)
        race = note_event(history[-1], f"{name} race")
        try:
            store.append(
                [race], expected_version=len(history), summary=summary_after([*history, race])
            )
            outcome = "won"
        except ConcurrencyConflict as e:
            found = "more than 1" if e.actual_version > 1 else str(e.actual_version)
            outcome = f"conflict: expected {e.expected_version}, found {found}"
        desk = ComplaintDesk(store, clock=FixedClock(NOW))
        for i in range(8):
            desk.add_note(uuid.UUID(own_id), sample_actor(f"agent-{name}"), f"{name} own {i}")
        for i in range(8):
            while True:
                history = store.read(shared)
                note = note_event(history[-1], f"{name} shared {i}")
                try:
                    store.append(
                        [note],
                        expected_version=len(history),
                        summary=summary_after([*history, note]),
                    )
                    break
                except ConcurrencyConflict:
                    continue
        results.put((name, numbers, outcome))
    finally:
        store.close()


@pytest.fixture
def importable_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let spawned processes import this module by the name pytest gave it."""
    root = Path(__file__).resolve().parents[_worker.__module__.count(".")]
    monkeypatch.syspath_prepend(str(root))


@pytest.mark.usefixtures("importable_tests")
def test_processes_writing_at_once_lose_nothing(path: Path) -> None:
    workers = 3
    with SQLiteEventStore(path) as store:
        shared = received_event(reference="SHARED-1")
        append_new(store, shared)
        own = [received_event(reference=f"OWN-{n}") for n in range(workers)]
        for event in own:
            append_new(store, event)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    results: Queue[tuple[str, list[int], str]] = context.Queue()
    jobs = [
        {
            "path": str(path),
            "name": str(n),
            "shared_id": str(shared.complaint_id),
            "own_id": str(own[n].complaint_id),
            "barrier": barrier,
            "results": results,
        }
        for n in range(workers)
    ]
    reports = sorted(run_processes(_worker, jobs, results, timeout=120))

    outcomes = sorted(outcome for _, _, outcome in reports)
    assert outcomes == ["conflict: expected 1, found more than 1"] * (workers - 1) + ["won"]
    numbers = sorted(n for _, drawn, _ in reports for n in drawn)
    assert numbers == list(range(1, 5 * workers + 1))
    with SQLiteEventStore(path) as store:
        history = store.read(shared.complaint_id)
        assert [e.seq for e in history] == list(range(1, 2 + 8 * workers + 1))
        texts = sorted(e.payload.text for e in history[2:] if hasattr(e.payload, "text"))
        assert texts == sorted(f"{n} shared {i}" for n in range(workers) for i in range(8))
        assert store.version(shared.complaint_id) == len(history)
        for n, first in enumerate(own):
            mine = store.read(first.complaint_id)
            assert [e.seq for e in mine] == list(range(1, 10))
            assert Complaint.replay(mine).notes[-1].text == f"{n} own 7"
        positions = [p for p, _ in store.iter_events()]
        assert positions == sorted(set(positions))
        assert len(positions) == 1 + workers + 1 + 16 * workers


def test_a_writer_held_up_too_long_gets_a_storage_error(path: Path) -> None:
    with SQLiteEventStore(path, timeout=0.05) as store:
        blocker = raw(path)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StorageError) as caught:
                append_new(store, received_event())
            with pytest.raises(StorageError, match="database is locked"):
                store.next_number("reference:CMP-2026")
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert str(caught.value) == (
            f"SQLite store {path}: append to complaint CMP-2026-000001: database is locked "
            "(another connection held the write lock longer than the timeout)"
        )
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        assert list(store.iter_events()) == []
        assert synchronous_of(store) == 2
        append_new(store, received_event())
        assert store.next_number("reference:CMP-2026") == 1


# -- nothing half-written --------------------------------------------------------------------------


def everything(path: Path) -> tuple[list[tuple[object, ...]], ...]:
    connection = raw(path)
    try:
        return tuple(
            connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("events", "complaints", "counters")
        )
    finally:
        connection.close()


def test_a_failure_after_the_first_row_writes_nothing(store: SQLiteEventStore, path: Path) -> None:
    append_new(store, existing := received_event(reference="CMP-2026-000001"))
    # A trigger stands in for a disk that fails in the middle of a transaction.
    connection = raw(path)
    connection.execute(
        "CREATE TRIGGER fail_second BEFORE INSERT ON events WHEN NEW.seq = 2 "
        "BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END"
    )
    connection.close()
    before = everything(path)
    first = received_event(reference="CMP-2026-000002", client_key="k-2")
    batch = [first, note_event(first)]
    with pytest.raises(StorageError) as caught:
        store.append(batch, expected_version=0, summary=summary_after(batch))
    assert str(caught.value) == (
        f"SQLite store {path}: append to complaint CMP-2026-000002: simulated write failure"
    )
    assert everything(path) == before
    assert store.id_for_reference("CMP-2026-000002") is None
    assert store.id_for_client_key("k-2") is None
    # The same goes for an existing complaint: its summary is not moved on.
    more = [note_event(existing), note_event(note_event(existing))]
    with pytest.raises(StorageError, match="simulated write failure"):
        store.append(more, expected_version=1, summary=summary_after([existing, *more]))
    assert everything(path) == before
    assert store.summary(existing.complaint_id) == summary_after([existing])


def test_events_written_behind_the_stores_back_are_a_conflict(
    store: SQLiteEventStore, path: Path
) -> None:
    first = received_event()
    append_new(store, first)
    stray = note_event(first, "written by another tool")
    connection = raw(path)
    connection.execute(
        "INSERT INTO events (stream_id, seq, type, schema_version, occurred_at, actor, state, "
        "payload) SELECT stream_id, 2, type, schema_version, occurred_at, actor, state, payload "
        "FROM events WHERE seq = 1"
    )
    connection.close()
    before = everything(path)
    with pytest.raises(ConcurrencyConflict) as caught:
        store.append([stray], expected_version=1, summary=summary_after([first, stray]))
    assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
    assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)
    assert everything(path) == before
    assert store.version(first.complaint_id) == 1


# -- corrupt rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("payload", '{"text": "half', "$.payload: not valid JSON: Unterminated string"),
        ("payload", '{"text": "x", "colour": "red"}', "$.payload: unknown keys: ['colour']"),
        ("payload", '{"text": "  "}', "$.payload.text: must not be empty"),
        ("actor", '{"id": "agent-1", "role": "boss"}', "$.actor.role: 'boss' is not a Role"),
        ("actor", "null", "$.actor"),
        ("type", "note_deleted", "$.type: unknown event type 'note_deleted'"),
        ("occurred_at", "2026-03-02T09:00:00", "'2026-03-02T09:00:00' has no UTC offset"),
        ("occurred_at", "last Tuesday", "a text of 12 characters is not an ISO 8601 datetime"),
        ("state", "", "state: must not be empty"),
        ("schema_version", 9, "$.schema_version: unsupported schema version 9"),
    ],
)
def test_a_corrupt_event_names_the_complaint_and_seq(
    store: SQLiteEventStore, path: Path, column: str, value: object, reason: str
) -> None:
    first = received_event(reference="CMP-2026-000123")
    second = note_event(first)
    append_new(store, first, second)
    connection = raw(path)
    connection.execute(f"UPDATE events SET {column} = ? WHERE seq = 2", (value,))
    connection.close()
    prefix = "complaint CMP-2026-000123, event seq 2 is corrupt: "
    readers: list[Callable[[], object]] = [
        lambda: store.read(first.complaint_id),
        lambda: list(store.iter_events()),
        lambda: ComplaintDesk(store, clock=FixedClock(NOW)).get("CMP-2026-000123"),
    ]
    for reader in readers:
        with pytest.raises(CorruptRecord) as caught:
            reader()
        assert str(caught.value).startswith(prefix)
        assert reason in caught.value.reason
        assert (caught.value.complaint, caught.value.seq) == ("CMP-2026-000123", 2)
        assert isinstance(caught.value.__cause__, SerializationError)
    # The rows before the bad one are still readable.
    assert store.read(first.complaint_id, after=2) == []
    assert next(iter(store.iter_events()))[1] == first


@pytest.mark.parametrize(
    "payload", ['{"text": 42}', '{"text": "x", "internal": "yes"}'], ids=["int", "bool"]
)
def test_a_payload_value_of_the_wrong_json_type_is_corrupt(
    store: SQLiteEventStore, path: Path, payload: str
) -> None:
    first = received_event()
    append_new(store, first, note_event(first))
    connection = raw(path)
    connection.execute("UPDATE events SET payload = ? WHERE seq = 2", (payload,))
    connection.close()
    with pytest.raises(CorruptRecord, match="event seq 2 is corrupt"):
        store.read(first.complaint_id)


def test_a_corrupt_event_of_a_complaint_without_summary_names_its_id(
    store: SQLiteEventStore, path: Path
) -> None:
    first = received_event()
    append_new(store, first)
    connection = raw(path)
    connection.execute("UPDATE events SET payload = '[]'")
    connection.execute("DELETE FROM complaints")
    connection.close()
    with pytest.raises(CorruptRecord) as caught:
        store.read(first.complaint_id)
    assert caught.value.complaint == str(first.complaint_id)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("channel", "carrier pigeon", "'carrier pigeon' is not a valid Channel"),
        ("priority", "whenever", "'whenever' is not a valid Priority"),
        ("received_at", "2026-03-02", "received_at '2026-03-02' has no UTC offset"),
        ("updated_at", b"2026", "updated_at is b'2026', not an ISO 8601 text"),
        ("is_open", 7, "is_open is 7, not 0 or 1"),
    ],
)
def test_a_corrupt_summary_names_the_complaint(
    store: SQLiteEventStore, path: Path, column: str, value: object, reason: str
) -> None:
    first = received_event()
    append_new(store, first)
    connection = raw(path)
    # CHECK constraints guard is_open; another tool could drop them, so bypass them here.
    connection.execute("PRAGMA ignore_check_constraints = ON")
    connection.execute(f"UPDATE complaints SET {column} = ?", (value,))
    connection.close()
    readers: list[Callable[[], object]] = [
        lambda: store.summary(first.complaint_id),
        lambda: store.query(ComplaintQuery()),
    ]
    for reader in readers:
        with pytest.raises(CorruptRecord) as caught:
            reader()
        assert str(caught.value) == (
            "complaint CMP-2026-000001, event seq 1 is corrupt: "
            f"its summary row cannot be read: {reason}"
        )


def test_a_corrupt_id_is_a_corrupt_record(store: SQLiteEventStore, path: Path) -> None:
    append_new(store, received_event(client_key="k"))
    connection = raw(path)
    connection.execute("UPDATE complaints SET id = 'not-a-uuid'")
    connection.close()
    lookups: list[Callable[[], object]] = [
        lambda: store.id_for_reference("CMP-2026-000001"),
        lambda: store.id_for_client_key("k"),
    ]
    for lookup in lookups:
        with pytest.raises(CorruptRecord, match="its id 'not-a-uuid' is not a UUID"):
            lookup()


# -- the global log --------------------------------------------------------------------------------


def test_iter_events_reads_in_batches_and_stops_where_it_started(
    store: SQLiteEventStore,
) -> None:
    history = [received_event()]
    while len(history) < 1200:
        history.append(note_event(history[-1], f"note {len(history)}"))
    for start in range(0, len(history), 400):
        store.append(
            history[start : start + 400],
            expected_version=start,
            summary=summary_after(history[: start + 400]),
        )
    iterator = store.iter_events()
    first_position, first_event = next(iterator)
    assert first_event == history[0]
    late = note_event(history[-1], "appended while reading")
    store.append([late], expected_version=1200, summary=summary_after([*history, late]))
    rest = list(iterator)
    assert [e for _, e in rest] == history[1:]
    last_position = rest[-1][0]
    assert [e for _, e in store.iter_events(after_position=last_position)] == [late]
    assert [p for p, _ in rest] == list(range(first_position + 1, first_position + 1200))


# -- query plans -----------------------------------------------------------------------------------

_INDEXED_QUERIES = [
    ComplaintQuery(state="investigating"),
    ComplaintQuery(is_open=True),
    ComplaintQuery(assignee="alice"),
    ComplaintQuery(priority=Priority.URGENT),
    ComplaintQuery(channel=Channel.PHONE),
    ComplaintQuery(received_from=NOW - _dt.timedelta(days=7)),
    ComplaintQuery(received_to=NOW),
    ComplaintQuery(received_from=NOW - _dt.timedelta(days=7), received_to=NOW),
    ComplaintQuery(state="assessed", received_from=NOW - _dt.timedelta(days=7)),
    ComplaintQuery(assignee="alice", is_open=True, limit=10, offset=20),
]


@pytest.mark.parametrize("query", _INDEXED_QUERIES, ids=repr)
def test_every_criterion_is_served_by_an_index(
    store: SQLiteEventStore, query: ComplaintQuery
) -> None:
    desk = ComplaintDesk(store, clock=FixedClock(NOW))
    summaries = [
        ComplaintSummary.of(
            desk.receive(
                sample_actor(),
                complainant=sample_complainant(),
                channel=Channel.PHONE if n % 2 else Channel.EMAIL,
                description="The meter reading is wrong.",
                received_at=NOW - _dt.timedelta(days=n),
            )
        )
        for n in range(20)
    ]
    plan = store.explain_query(query)
    assert plan[0].startswith("SEARCH complaints USING INDEX complaints_by_"), plan
    assert not any("SCAN" in step for step in plan), plan
    # Read off the index in result order: no sorting step.
    assert not any("TEMP B-TREE" in step for step in plan), plan
    assert store.query(query).total == sum(map(query.matches, summaries))


def test_listing_everything_reads_the_received_index_in_order(store: SQLiteEventStore) -> None:
    plan = store.explain_query(ComplaintQuery())
    assert plan == ["SCAN complaints USING INDEX complaints_by_received"]


def test_a_summary_is_stored_as_columns(store: SQLiteEventStore, path: Path) -> None:
    desk = ComplaintDesk(store, clock=FixedClock(NOW))
    received_at = _dt.datetime(2026, 3, 9, 23, 30, tzinfo=_dt.timezone(_dt.timedelta(hours=-5)))
    complaint = desk.receive(
        sample_actor(),
        complainant=sample_complainant(),
        channel=Channel.LETTER,
        description="The letter was never answered.",
        received_at=received_at,
    )
    desk.acknowledge(complaint.id, sample_actor())
    desk.assign(
        complaint.id,
        sample_actor("manager-1", Role.COMPLAINTS_MANAGER),
        sample_actor("alice", Role.INVESTIGATOR),
    )
    connection = raw(path)
    row = connection.execute(
        "SELECT reference, version, state, is_open, channel, priority, assignee, received_at, "
        "acknowledged_at, closed_at, updated_at FROM complaints"
    ).fetchone()
    connection.close()
    assert row == (
        complaint.reference,
        3,
        "acknowledged",
        1,
        "letter",
        None,
        "alice",
        "2026-03-10T04:30:00.000000+00:00",
        "2026-03-10T09:00:00.000000+00:00",
        None,
        "2026-03-10T09:00:00.000000+00:00",
    )
    summary = store.summary(complaint.id)
    assert summary == ComplaintSummary.of(desk.get(complaint.id))


# -- reporting queries and monitoring facts ---------------------------------------------------


@pytest.mark.parametrize("db", ["file", ":memory:"])
def test_reporting_queries_may_only_read(tmp_path: Path, db: str) -> None:
    store = SQLiteEventStore(tmp_path / "r.db" if db == "file" else ":memory:")
    first = received_event()
    store.append([first], expected_version=0, summary=summary_after([first]))
    assert list(store.select("SELECT COUNT(*) FROM complaints")) == [(1,)]
    counted = store.select("SELECT COUNT(*) FROM complaints WHERE channel = :c", {"c": "fax"})
    assert list(counted) == [(0,)]
    with pytest.raises(ValidationError) as refused:
        store.select("DELETE FROM complaints")
    assert refused.value.field == "sql"
    with pytest.raises(StorageError, match=r"readonly"):
        list(store.select("WITH gone AS (SELECT 1) DELETE FROM complaints"))
    assert list(store.select("SELECT COUNT(*) FROM complaints")) == [(1,)]
    # Commands still write afterwards: only the reporting connection is read-only.
    second = note_event(first)
    store.append([second], expected_version=1, summary=summary_after([first, second]))
    assert store.version(first.complaint_id) == 2
    store.close()
    with pytest.raises(StoreClosedError):
        list(store.select("SELECT 1"))


def test_a_version_2_database_gains_the_monitoring_facts_from_its_histories(path: Path) -> None:
    store = SQLiteEventStore(path)
    desk = ComplaintDesk(store, clock=FixedClock(NOW))
    done = full_lifecycle(desk)
    history = store.read(done.id)
    store.close()
    raw = sqlite3.connect(path)
    # Back to schema 2: a database of the previous release has no facts columns (and no
    # rollups, whose triggers read them).
    triggers = raw.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'complaints_rollups%'"
    ).fetchall()
    for (trigger,) in triggers:
        raw.execute(f"DROP TRIGGER {trigger}")
    raw.execute("DROP TABLE complaint_rollups")
    for name, _ in reversed(FACT_COLUMNS):
        raw.execute(f"ALTER TABLE complaints DROP COLUMN {name}")
    raw.execute("PRAGMA user_version = 2")
    raw.commit()
    raw.close()

    with SQLiteEventStore(path) as reopened:
        (summary,) = reopened.query(ComplaintQuery()).items
        assert summary.facts == summary_after(history).facts
        assert summary.facts.first_response_at is not None
        assert summary.facts.outcome is not None
