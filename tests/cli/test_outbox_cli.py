"""
``iso10002 tick`` and ``iso10002 outbox``: the outbox samples of ``docs/cli.md`` run on the
database the page describes (three acknowledgement letters, the first refused by the mail
server), and each error path says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
from pathlib import Path

import pytest

from iso10002 import (
    Actor,
    Channel,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    FixedClock,
    Role,
    SQLiteEventStore,
)
from iso10002.letters import LetterSettings, LetterWriter
from iso10002.notify import RecordingNotifier
from iso10002.outbox import NotificationPolicy, OutboxDispatcher, OutboxState

from .support import run
from .test_docs_samples import _SAMPLE, PAGE, comparable

UTC = dt.timezone.utc


def make_outbox_db(path: Path) -> None:
    """Three complaints acknowledged by letter on 2 March 2026; the first letter is refused."""
    clock = FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    letters = LetterWriter(
        settings=LetterSettings(organisation="Example Ltd", signature="Customer Relations")
    )
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=clock, notifications=NotificationPolicy(letters=letters))
        staff = Actor(id="fl-1", role=Role.FRONT_LINE)
        for name in ("Ann", "Bea", "Cal"):
            person = Complainant(
                name=name, contact=ContactDetails(email=f"{name.lower()}@example.org")
            )
            c = desk.receive(
                staff, complainant=person, channel=Channel.EMAIL, description="Late delivery."
            )
            clock.advance(dt.timedelta(minutes=5))
            desk.acknowledge(c.reference, staff)
        mail = RecordingNotifier(clock=clock)
        mail.fail_next(retryable=False)
        OutboxDispatcher(store, {"smtp": mail}, clock=clock).drain()


@pytest.fixture
def outbox_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make_outbox_db(tmp_path / "outbox.db")
    return tmp_path / "outbox.db"


def test_the_outbox_samples_are_what_the_commands_print(
    outbox_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = [
        m
        for m in _SAMPLE.finditer(PAGE.read_text(encoding="utf-8"))
        # The worker's sample needs a mail server: tests/cli/test_dispatch_cli.py runs it.
        if "--db outbox.db" in m["commands"] and "outbox dispatch" not in m["commands"]
    ]
    assert len(samples) == 2, "the page shows the outbox commands and a refused retry"
    for sample in samples:
        out = ""
        for line in sample["commands"].splitlines():
            result = run(capsys, *shlex.split(line)[1:])
            assert result.code == (1 if result.err else 0), (line, result.err)
            out += result.out + result.err
        assert comparable(out) == comparable(sample["output"]), sample["commands"]


def test_retry_revives_dead_letters_and_purge_keeps_them(
    outbox_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "outbox", "retry", "--all", "--db", outbox_db).out.startswith(
        "retried: 1 (id 1); "
    )
    assert run(capsys, "outbox", "retry", "--all", "--db", outbox_db).out == (
        "retried: 0 (there are no dead letters)\n"
    )
    run(capsys, "outbox", "purge", "--delivered-before", "2027-01-01", "--db", outbox_db)
    with SQLiteEventStore(outbox_db) as store:
        counts = store.outbox_counts()
    assert counts == {OutboxState.PENDING: 1, OutboxState.DELIVERED: 0, OutboxState.DEAD: 0}


def test_list_pages_and_filters(outbox_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = run(capsys, "outbox", "list", "--limit", "2", "--db", outbox_db)
    assert first.out.splitlines()[-1] == "More records follow: add --after 2."
    last = run(capsys, "outbox", "list", "--after", "2", "--db", outbox_db)
    assert [line.split()[0] for line in last.out.splitlines()[3:]] == ["3"]
    mine = run(
        capsys, "outbox", "list", "--reference", "CMP-2026-000002", "--format", "json",
        "--db", outbox_db,
    )  # fmt: skip
    page = json.loads(mine.out)
    assert [r["id"] for r in page["records"]] == [2] and page["more"] is False
    assert page["records"][0]["state"] == "delivered"
    assert "ann@example.org" not in first.out + mine.out, "no recipient is shown"
    none = run(capsys, "outbox", "list", "--state", "pending", "--db", outbox_db)
    assert none.out.splitlines()[-1] == "No record matches."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["retry"], "name the dead letters to retry by ID, or give --all (not both)"),
        (["retry", "1", "--all"], "name the dead letters to retry by ID, or give --all (not both)"),
        (["retry", "9"], "no outbox record 9"),
        (["retry", "0"], "no outbox record 0"),
        (["list", "--limit", "0"], "--limit: must be from 1 to 1000, got 0"),
        (["dead", "--after", "-1"], "--after: must be from 0 to 9223372036854775807, got -1"),
        (["retry", str(2**64)], f"no outbox record {2**64}"),
        (
            ["purge", "--delivered-before", "March"],
            (
                "--delivered-before: 'March' is not an instant (expected ISO 8601, e.g. "
                "2026-12-23T16:00+00:00, or a plain date or date and time)"
            ),
        ),
    ],
)
def test_outbox_errors(
    outbox_db: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    result = run(capsys, "outbox", *args, "--db", outbox_db)

    assert result.code in (1, 2)
    assert result.error_line == f"iso10002: error: {message}"


def test_the_outbox_of_a_missing_database_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, "outbox", "list", "--db", tmp_path / "none.db")

    assert result.code == 1
    assert result.error_line.startswith(f"iso10002: error: no database at {tmp_path / 'none.db'}")


def test_tick_raises_due_alerts_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from iso10002.sla.config import SlaConfig
    from iso10002.sla.presets import preset

    policy = preset("fca-disp-1.5").policy()
    path = tmp_path / "tick.db"
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(
            store,
            clock=FixedClock(dt.datetime(2026, 12, 23, 16, 0, tzinfo=UTC)),
            sla=SlaConfig(policies=(policy,), default=policy.name),
        )
        desk.receive(
            Actor(id="fl", role=Role.FRONT_LINE),
            complainant=Complainant(name="Ann", contact=ContactDetails(email="a@example.org")),
            channel=Channel.EMAIL,
            description="Late.",
        )

    first = run(capsys, "tick", "--as-of", "2027-01-05", "--format", "json", "--db", path)
    again = run(capsys, "tick", "--as-of", "2027-01-05", "--db", path)

    raised = json.loads(first.out)["raised"]
    assert [(r["metric"], r["level"]) for r in raised] == [("summary_resolution", "breach")]
    assert raised[0]["reference"] == "CMP-2026-000001"
    assert raised[0]["raised_at"] == "2027-01-05T00:00:00+00:00"
    assert again.out == "No alert fell due as of 2027-01-05 00:00 UTC.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "0"], "--limit: must be from 1 to 1000, got 0"),
        (
            ["--as-of", "2026-03-01"],
            (
                "--as-of: 2026-03-01 00:00 UTC is before the last event recorded (2026-03-02 "
                "09:15 UTC); the alerts are recorded at the tick's time, which must not go back"
            ),
        ),
        (
            ["--as-of", "soon"],
            (
                "--as-of: 'soon' is not an instant (expected ISO 8601, e.g. "
                "2026-12-23T16:00+00:00, or a plain date or date and time)"
            ),
        ),
    ],
)
def test_tick_errors(
    outbox_db: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    result = run(capsys, "tick", *args, "--db", outbox_db)

    assert result.code == 2
    assert result.error_line == f"iso10002: error: {message}"
