"""
Databases written by a past release open, upgrade and read back the same with today's code.

``tests/data/releases`` holds, per release and backend, a database the release wrote (a SQLite
file, a ``pg_dump`` of a PostgreSQL schema) and what the release itself read back from it; its
``make_*.py`` script says how they were made. Each test opens a copy with the current store,
which migrates it to the newest schema, then checks that every complaint, summary, report
figure, outbox record and access denial reads back as the release read it, that the integrity
chain is intact (with the same head), and that the store goes on working: a new command on an
old complaint, a new complaint, the old notifications delivered, and still intact.

The PostgreSQL cases restore the dump into a fresh database of the throwaway test server, and
are skipped with it when the server binaries are missing.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest

from iso10002 import (
    Actor,
    Channel,
    CommandRejected,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    FixedClock,
    LetterSettings,
    LetterWriter,
    NotificationPolicy,
    OutboxDispatcher,
    OutboxState,
    PersonalDataErased,
    PostgresEventStore,
    RecordingNotifier,
    Role,
    SchemaVersionError,
    SQLiteEventStore,
)
from iso10002.cli import main
from iso10002.integrity import verify

from .pg_cluster import SUPERUSER, Cluster, find_bindir
from .release_readback import (
    INTEGRITY_KEY,
    REPORT_FROM,
    REPORT_TO,
    read_back,
    release_figures,
    without_wording,
)

RELEASES = Path(__file__).resolve().parents[1] / "data" / "releases"
RELEASED = ("0.1.0",)
"""The releases whose databases are kept; add each release's files here as it ships."""

AFTER = _dt.datetime(2026, 4, 6, 10, 0, tzinfo=_dt.timezone.utc)
"""A moment after everything the release files hold."""
MANAGER = Actor(id="upgraded-manager", role=Role.COMPLAINTS_MANAGER)
ADMIN = Actor(id="upgraded-admin", role=Role.ADMINISTRATOR)

Store = Any  # SQLiteEventStore | PostgresEventStore: each test uses what both have.


@attrs.frozen(kw_only=True)
class Release:
    """One release database, copied for one test, and the ways to reach it."""

    release: str
    backend: str
    expected: dict[str, Any]
    open: Callable[[], Store]
    """A store of today's code on the copy, with the integrity key; opening it migrates."""
    schema_version: Callable[[], int]
    """The schema version the copy is at, read without the store."""
    mark_schema: Callable[[int], None]
    """Make the copy look written by schema version N, as a newer release would."""
    newest: int
    """The newest schema version today's store knows."""

    def shown_in_full(self) -> frozenset[str]:
        """The complaints whose events the expected read-backs hold in full."""
        return frozenset(c["reference"] for c in self.expected["complaints"] if "events" in c)

    def notable(self, name: str) -> str:
        """A reference the release's script singled out, e.g. ``"erased"``."""
        value: str = self.expected["notable"][name]
        return value

    def complaint(self, reference: str) -> dict[str, Any]:
        """The expected read-back of one complaint."""
        return next(c for c in self.expected["complaints"] if c["reference"] == reference)


def _expected(release: str, backend: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (RELEASES / f"{backend}-{release}.expected.json").read_text()
    )
    return loaded


def _sqlite_release(release: str, tmp_path: Path) -> Release:
    path = tmp_path / f"sqlite-{release}.sqlite3"
    shutil.copyfile(RELEASES / path.name, path)

    def user_version() -> int:
        connection = sqlite3.connect(path)
        try:
            version: int = connection.execute("PRAGMA user_version").fetchone()[0]
        finally:
            connection.close()
        return version

    def mark(version: int) -> None:
        connection = sqlite3.connect(path)
        try:
            connection.execute(f"PRAGMA user_version = {int(version)}")
        finally:
            connection.close()

    return Release(
        release=release,
        backend="sqlite",
        expected=_expected(release, "sqlite"),
        open=lambda: SQLiteEventStore(path, integrity_key=INTEGRITY_KEY),
        schema_version=user_version,
        mark_schema=mark,
        newest=SQLiteEventStore.SCHEMA_VERSION,
    )


_DATABASES = itertools.count(1)


def _restore(cluster: Cluster, dump: Path) -> Cluster:
    """A fresh database, owned by the application's role, holding what ``dump`` holds."""
    bindir = find_bindir()
    psql = shutil.which("psql") or (str(bindir / "psql") if bindir else None)
    if psql is None:
        pytest.skip("psql, to restore the release's dump, was not found")
    restored = attrs.evolve(cluster, dbname=f"release_{os.getpid()}_{next(_DATABASES)}")
    admin = f"host={cluster.socket_dir} port={cluster.port} dbname=postgres user={SUPERUSER}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{restored.dbname}" OWNER "{cluster.user}"'.encode())
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    subprocess.run(
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", restored.conninfo, "-f", str(dump)],
        env=environment,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return restored


def _postgres_release(release: str, cluster: Cluster) -> Release:
    database = _restore(cluster, RELEASES / f"postgres-{release}.sql")
    schema = "iso10002"

    def applied() -> int:
        with psycopg.connect(database.conninfo) as conn:
            row = conn.execute(
                f'SELECT max(version) FROM "{schema}".schema_migrations'.encode()
            ).fetchone()
        assert row is not None
        return int(row[0])

    def mark(version: int) -> None:
        with psycopg.connect(database.conninfo, autocommit=True) as conn:
            conn.execute(
                f'INSERT INTO "{schema}".schema_migrations VALUES (%s, %s, now())'.encode(),
                (version, "from a newer release"),
            )

    return Release(
        release=release,
        backend="postgres",
        expected=_expected(release, "postgres"),
        open=lambda: PostgresEventStore(
            database.conninfo, schema=schema, integrity_key=INTEGRITY_KEY
        ),
        schema_version=applied,
        mark_schema=mark,
        newest=PostgresEventStore.SCHEMA_VERSION,
    )


@pytest.fixture(
    params=[(r, b) for r in RELEASED for b in ("sqlite", "postgres")],
    ids=lambda p: f"{p[1]}-{p[0]}",
)
def release(request: pytest.FixtureRequest, tmp_path: Path) -> Release:
    """A copy of one release database; PostgreSQL ones need the throwaway server."""
    version, backend = request.param
    if backend == "sqlite":
        return _sqlite_release(version, tmp_path)
    cluster: Cluster = request.getfixturevalue("postgres_cluster")
    return _postgres_release(version, cluster)


@pytest.fixture
def upgraded(release: Release) -> Iterator[Store]:
    """The release database, opened (and so migrated) by today's store."""
    with release.open() as store:
        yield store


# -- what the release wrote ----------------------------------------------------------------------


def test_the_release_database_holds_every_kind_of_record(release: Release) -> None:
    # The files, not the code: what the other tests rely on being there.
    expected = release.expected
    assert expected["release"] == release.release
    assert expected["verify"]["ok"] and expected["verify"]["keyed"]
    assert {c["state"] for c in expected["complaints"]} >= {"closed", "investigating"}
    erased = release.complaint(release.notable("erased"))
    assert erased["event_types"][-1] == PersonalDataErased.type
    held = release.complaint(release.notable("held"))
    assert held["event_types"][-1] == "legal_hold_placed"
    released = release.complaint(release.notable("hold_released"))
    assert released["event_types"][-2:] == ["legal_hold_placed", "legal_hold_released"]
    assert all(expected["outbox"]["counts"][s.value] > 0 for s in OutboxState)
    assert len(expected["denials"]) == 3


# -- opening and reading back --------------------------------------------------------------------


def test_opening_upgrades_to_the_newest_schema(release: Release, upgraded: Store) -> None:
    assert release.expected["schema_version"] <= release.newest
    assert release.schema_version() == release.newest
    assert release.newest == upgraded.SCHEMA_VERSION


def test_the_upgrade_report_says_what_opening_did(release: Release, upgraded: Store) -> None:
    report = upgraded.upgrade_report
    old = release.expected["schema_version"]
    assert report is not None
    assert report.to_version == release.newest
    assert [v for v, _ in report.applied] == list(
        range(report.from_version + 1, release.newest + 1)
    )
    notes = " ".join(report.notes)
    if release.backend == "postgres":
        # Release 0.1 numbered PostgreSQL's migrations on their own; it is recorded again on
        # the numbers both stores share (docs/storage.md, "Migrations").
        assert f"schema version {old} of release 0.1 is version" in notes
    # The release recorded policies by name and version only (migration 8 counts them).
    assert "timeliness policies before configurations were recorded" in notes


def test_the_release_policies_are_recorded_as_found(release: Release, upgraded: Store) -> None:
    from iso10002.simulation import demo_sla_config

    desk = ComplaintDesk(upgraded, clock=FixedClock(AFTER), sla=demo_sla_config())
    governed = [
        c["reference"]
        for c in release.expected["complaints"]
        if "sla_policy_applied" in c["event_types"]
    ]
    assert governed
    for reference in governed:
        assert desk.sla_status(reference) is not None
    assert upgraded.find_configuration("sla_policy", "online-retailer", "1") is not None


def test_every_complaint_reads_back_as_the_release_read_it(
    release: Release, upgraded: Store
) -> None:
    found = read_back(upgraded, shown_in_full=release.shown_in_full())
    expected = release.expected
    assert [c["reference"] for c in found["complaints"]] == [
        c["reference"] for c in expected["complaints"]
    ]
    for got, want in zip(found["complaints"], expected["complaints"], strict=True):
        assert got == want, want["reference"]


def test_the_report_outbox_denials_and_chain_read_back_the_same(
    release: Release, upgraded: Store
) -> None:
    found = read_back(upgraded, shown_in_full=release.shown_in_full())
    expected = release.expected
    assert release_figures(found["report"], expected["report"]) == without_wording(
        expected["report"]
    )
    assert found["outbox"] == expected["outbox"]
    assert found["denials"] == expected["denials"]
    # The same head: upgrading kept every event's hashes under the key.
    assert found["verify"] == expected["verify"]


def test_reopening_the_upgraded_database_changes_nothing(release: Release, upgraded: Store) -> None:
    before = read_back(upgraded, shown_in_full=release.shown_in_full())
    upgraded.close()
    with release.open() as again:
        assert read_back(again, shown_in_full=release.shown_in_full()) == before


# -- going on with today's code ------------------------------------------------------------------


def _desk(store: Store, clock: FixedClock) -> ComplaintDesk:
    letters = LetterWriter(
        settings=LetterSettings(organisation="Example Retail Ltd", signature="Customer Care")
    )
    return ComplaintDesk(store, clock=clock, notifications=NotificationPolicy(letters=letters))


def test_old_complaints_take_new_commands_and_the_chain_stays_intact(
    release: Release, upgraded: Store
) -> None:
    clock = FixedClock(AFTER)
    desk = _desk(upgraded, clock)
    expected = release.expected
    open_one = next(c for c in expected["complaints"] if c["state"] == "investigating")

    noted = desk.add_note(open_one["reference"], MANAGER, "Looked at again after the upgrade.")

    assert noted.version == open_one["version"] + 1
    assert noted.state == open_one["state"]
    # The legal hold and the erasure written by the release still hold.
    with pytest.raises(CommandRejected):
        desk.erase_personal_data(release.notable("held"), ADMIN, reason="erasure request")
    with pytest.raises(CommandRejected):
        desk.add_note(release.notable("erased"), MANAGER, "An erased complaint takes no more.")
    # The reference counter carried on from the release's last number.
    last = max(c["reference"] for c in expected["complaints"])
    jo = Complainant(name="Jo Newcomer", contact=ContactDetails(email="jo@example.org"))
    new = desk.receive(MANAGER, complainant=jo, channel=Channel.EMAIL, description="Late again.")
    assert new.reference == f"{last[:-6]}{int(last[-6:]) + 1:06d}"
    desk.acknowledge(new.reference, MANAGER)

    report = verify(upgraded)
    assert report.ok, report.finding
    assert report.keyed
    assert report.events == expected["verify"]["events"] + 3


def test_the_release_notifications_are_delivered_by_todays_dispatcher(
    release: Release, upgraded: Store
) -> None:
    clock = FixedClock(AFTER)
    mail = RecordingNotifier(clock=clock)
    pending = release.expected["outbox"]["counts"][OutboxState.PENDING.value]

    report = OutboxDispatcher(upgraded, {"smtp": mail}, clock=clock).dispatch()

    assert report.delivered == pending
    assert len(mail.sent) == pending
    counts = upgraded.outbox_counts()
    assert counts[OutboxState.PENDING] == 0
    assert counts[OutboxState.DEAD] == release.expected["outbox"]["counts"]["dead"]


def test_a_database_of_a_newer_schema_is_refused(release: Release) -> None:
    release.mark_schema(release.newest + 1)
    with pytest.raises(SchemaVersionError) as caught:
        release.open()
    assert f"knows versions up to {release.newest}; upgrade iso10002" in str(caught.value)


# -- the command line on a SQLite file of the release --------------------------------------------


@pytest.fixture
def sqlite_file(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The newest release's SQLite file, upgraded with its key before the commands open it."""
    release = _sqlite_release(RELEASED[-1], tmp_path)
    release.open().close()
    return tmp_path / f"sqlite-{release.release}.sqlite3", release.expected


def test_report_prints_the_release_figures(
    sqlite_file: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, expected = sqlite_file
    args = ["--from", str(REPORT_FROM), "--to", str(REPORT_TO), "--bucket", "week"]
    assert main(["report", "--db", str(path), "--format", "json", *args]) == 0
    printed = json.loads(capsys.readouterr().out)
    wanted = expected["report"]
    assert release_figures(printed, wanted) == without_wording(wanted)


def test_verify_prints_the_release_head(
    sqlite_file: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, expected = sqlite_file
    key_file = tmp_path / "integrity.key"
    key_file.write_bytes(INTEGRITY_KEY + b"\n")
    assert main(["verify", "--db", str(path), "--key-file", str(key_file)]) == 0
    chain = expected["verify"]
    assert capsys.readouterr().out == (
        f"intact: {chain['events']} events (HMAC-SHA256); "
        f"head {chain['last_position']} {chain['head']}\n"
    )
