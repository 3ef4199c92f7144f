# mypy: ignore-errors
# It runs on the 0.1.0 release's code (see the docstring), not on this one.
"""
How the release databases of iso10002 0.1.0 in this folder were made. The tests do not run this:
they read the files it wrote, with today's code (``tests/storage/test_release_upgrade.py``).

It must run on the code of release 0.1.0 (commit 4d0767c), from the root of a checkout that
holds this file, with the release's ``src`` first on the path::

    git worktree add /tmp/iso10002-0.1.0 4d0767c
    PYTHONPATH=/tmp/iso10002-0.1.0/src python tests/data/releases/make_0_1_0.py sqlite
    PYTHONPATH=/tmp/iso10002-0.1.0/src python tests/data/releases/make_0_1_0.py postgres

``sqlite`` writes ``sqlite-0.1.0.sqlite3``; ``postgres`` starts a throwaway server (that of
``tests/storage/pg_cluster.py``), writes the same history into schema ``iso10002`` and dumps it
with ``pg_dump --no-owner --no-privileges`` into ``postgres-0.1.0.sql``, leaving out the
``\\restrict`` lines of newer pg_dump versions, which older ``psql`` cannot read. Each also writes
its ``.expected.json``: what the release itself reads back from the database, with the notable
references and the schema version the release wrote. The read-back is the function the tests
call (``tests/storage/release_readback.py``), so it keeps to names every release exports.

The history, the same in both: the demo's month of complaints (24, seed 2026), with event
hashes under an integrity key; then, on the morning after the month, a desk with the standard
notifications and the role-based access policy receives three complaints by e-mail and
acknowledges them (acknowledgement letters in the outbox), takes one to a communicated decision
(a decision letter), raises the SLA alerts due (staff alerts); one letter is delivered and one
given up (dead), the rest stay pending. Three requests are refused (access denials). A closed
complaint goes under legal hold, another is put under one and released, and a third, closed,
has its personal data erased.
"""

from __future__ import annotations

import datetime as _dt
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # the checkout's root, for tests.storage

from tests.storage.release_readback import INTEGRITY_KEY, read_back  # noqa: E402

from iso10002 import (  # noqa: E402
    Actor,
    Assessment,
    Channel,
    Complainant,
    ComplaintDesk,
    ComplaintQuery,
    ContactDetails,
    Decision,
    FixedClock,
    LetterSettings,
    LetterWriter,
    NotificationPolicy,
    Outcome,
    PermissionDenied,
    PostgresEventStore,
    Remedy,
    RemedyKind,
    Role,
    RoleBasedAuthorizer,
    Severity,
    SQLiteEventStore,
    StaffRoute,
)
from iso10002.cli._demo import DemoSettings, run_demo  # noqa: E402
from iso10002.cli._sla import demo_sla_config  # noqa: E402

RELEASE = "0.1.0"
DEMO = DemoSettings(complaints=24, seed=2026, start=_dt.date(2026, 3, 2), days=30)
MORNING_AFTER = _dt.datetime(2026, 4, 1, 9, 30, tzinfo=_dt.timezone.utc)

MANAGER = Actor(id="upgrade-manager", role=Role.COMPLAINTS_MANAGER, name="Morgan Reyes")
ADMIN = Actor(id="upgrade-admin", role=Role.ADMINISTRATOR)
AUDITOR = Actor(id="upgrade-auditor", role=Role.AUDITOR)
INVESTIGATOR = Actor(id="upgrade-investigator", role=Role.INVESTIGATOR)
FRONT_LINE = Actor(id="upgrade-front", role=Role.FRONT_LINE)

NEW_COMPLAINANTS = (
    ("Alex Upgrade", "alex.upgrade@example.org", "My parcel never arrived."),
    ("Bea Migrate", "bea.migrate@example.org", "I was charged twice for one order."),
    ("Cy Schema", "cy.schema@example.org", "The refund I was promised has not come."),
)


def _policy() -> NotificationPolicy:
    letters = LetterWriter(
        settings=LetterSettings(organisation="Example Retail Ltd", signature="Customer Care")
    )
    return NotificationPolicy(
        letters=letters, staff=[StaffRoute(channel="smtp", recipient="complaints@example.org")]
    )


def _closed(store: Any) -> list[str]:
    page = store.query(ComplaintQuery(is_open=False, limit=100))
    return sorted(s.reference for s in page.items)


def write_history(store: Any) -> dict[str, Any]:
    """Write the history described above into ``store``; the references it singled out."""
    run_demo(store, DEMO)
    clock = FixedClock(MORNING_AFTER)
    desk = ComplaintDesk(
        store,
        clock=clock,
        sla=demo_sla_config(),
        notifications=_policy(),
        authorizer=RoleBasedAuthorizer(),
    )
    received = []
    for name, email, description in NEW_COMPLAINANTS:
        who = Complainant(name=name, contact=ContactDetails(email=email))
        c = desk.receive(MANAGER, complainant=who, channel=Channel.EMAIL, description=description)
        desk.acknowledge(c.reference, MANAGER)
        received.append(c.reference)
        clock.advance(_dt.timedelta(minutes=7))
    decided = received[0]
    desk.assess(decided, MANAGER, Assessment(severity=Severity.LOW))
    desk.decide(
        decided,
        MANAGER,
        Decision(
            outcome=Outcome.UPHELD,
            reasons="The carrier lost the parcel.",
            remedies=(Remedy(kind=RemedyKind.REPAIR_OR_REPLACEMENT, description="A new parcel"),),
        ),
    )
    desk.communicate_decision(
        decided, MANAGER, channel=Channel.EMAIL, summary="Upheld; a new parcel is on its way."
    )
    clock.advance(_dt.timedelta(minutes=5))
    desk.tick(actor=Actor(id="upgrade-scheduler", role=Role.SYSTEM))

    # One letter delivered, one given up; the others stay pending.
    claimed = store.outbox_claim(
        worker="upgrade",
        now=clock.now(),
        lease=_dt.timedelta(minutes=5),
        limit=2,
        channels=["smtp"],
    )
    store.outbox_delivered(claimed[0].id, now=clock.now())
    store.outbox_failed(claimed[1].id, attempt=1, error="550 mailbox unavailable", retry_at=None)

    closed = _closed(store)
    held, released, erased = closed[0], closed[1], closed[2]
    refusals: tuple[Callable[[], object], ...] = (
        lambda: desk.add_note(held, AUDITOR, "An auditor may not write."),
        lambda: desk.get(decided, actor=INVESTIGATOR),
        lambda: desk.erase_personal_data(erased, FRONT_LINE, reason="asked at the counter"),
    )
    for refused in refusals:
        try:
            refused()
        except PermissionDenied:
            clock.advance(_dt.timedelta(minutes=1))
        else:
            raise AssertionError("the access policy allowed a request it must refuse")
    desk.place_legal_hold(held, ADMIN, reason="Case 2026-CV-0042")
    desk.place_legal_hold(released, ADMIN, reason="Case 2026-CV-0043")
    clock.advance(_dt.timedelta(hours=2))
    desk.release_legal_hold(released, ADMIN, reason="Case 2026-CV-0043 settled")
    desk.erase_personal_data(erased, ADMIN, reason="erasure request", request="DSAR-0001")
    return {
        "received": received,
        "decided": decided,
        "held": held,
        "hold_released": released,
        "erased": erased,
    }


def _expected(store: Any, notable: dict[str, Any], schema_version: int) -> dict[str, Any]:
    shown = frozenset({notable["erased"], notable["held"], notable["decided"]})
    return {
        "release": RELEASE,
        "schema_version": schema_version,
        "notable": notable,
        **read_back(store, shown_in_full=shown),
    }


def _write_json(path: Path, value: dict[str, Any]) -> None:
    path.write_text(json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def make_sqlite() -> None:
    """Write ``sqlite-0.1.0.sqlite3`` and its expected read-backs."""
    path = HERE / f"sqlite-{RELEASE}.sqlite3"
    for old in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        old.unlink(missing_ok=True)
    with SQLiteEventStore(path, integrity_key=INTEGRITY_KEY) as store:
        notable = write_history(store)
    # One file without free pages; closing the last connection folds the write-ahead log in.
    connection = sqlite3.connect(path)
    connection.execute("VACUUM")
    connection.close()
    with SQLiteEventStore(path, integrity_key=INTEGRITY_KEY) as store:
        expected = _expected(store, notable, SQLiteEventStore.SCHEMA_VERSION)
    _write_json(HERE / f"sqlite-{RELEASE}.expected.json", expected)


def make_postgres() -> None:
    """Write ``postgres-0.1.0.sql`` and its expected read-backs, on a throwaway server."""
    from tests.storage.pg_cluster import find_bindir, throwaway_cluster

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries on this machine")
    pg_dump = shutil.which("pg_dump") or str(bindir / "pg_dump")
    with throwaway_cluster(bindir) as cluster:
        with PostgresEventStore(
            cluster.conninfo, schema="iso10002", integrity_key=INTEGRITY_KEY
        ) as store:
            notable = write_history(store)
            expected = _expected(store, notable, PostgresEventStore.SCHEMA_VERSION)
        dump = subprocess.run(
            [pg_dump, "--no-owner", "--no-privileges", "--schema=iso10002", cluster.conninfo],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    # pg_dump 15.14 and later fence the script with \restrict; older psql cannot read that, and
    # this dump is the project's own.
    kept = [
        line for line in dump.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))
    ]
    (HERE / f"postgres-{RELEASE}.sql").write_text("\n".join(kept) + "\n")
    _write_json(HERE / f"postgres-{RELEASE}.expected.json", expected)


if __name__ == "__main__":
    which = sys.argv[1:] or ["sqlite", "postgres"]
    for name in which:
        {"sqlite": make_sqlite, "postgres": make_postgres}[name]()
