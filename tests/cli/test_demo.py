"""
``iso10002 demo``: the simulated month goes through the workflow without a refusal, tells the
same story for the same seed, replays, and reruns safely.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from iso10002 import (
    DEFAULT_NO_REPLY_PERIOD,
    Channel,
    ClosureReason,
    Complaint,
    ComplaintQuery,
    Outcome,
    Priority,
    State,
)

from .conftest import DEMO_COMPLAINTS
from .support import CliResult, open_desk, run

START = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)
END = START + dt.timedelta(days=30)
PROGRESS_LINE = re.compile(r"^demo: +\d+% simulated \(day \d+ of \d+\), \d+ received$")


def all_complaints(path: Path) -> list[Complaint]:
    with open_desk(path) as desk:
        page = desk.query(ComplaintQuery(limit=1000))
        assert not page.has_more
        return [desk.get(s.id) for s in page.items]


def working_days_between(first: dt.date, last: dt.date) -> int:
    days = (first + dt.timedelta(days=i) for i in range(1, (last - first).days + 1))
    return sum(d.weekday() < 5 for d in days)


def stable_summary(result: CliResult) -> list[str]:
    """The summary without the lines that depend on the machine (wall time, file path)."""
    return [
        line for line in result.out.splitlines() if not line.startswith(("Elapsed", "Database"))
    ]


def test_the_module_runs_as_a_program_and_prints_the_summary(tmp_path: Path) -> None:
    db = tmp_path / "month.db"

    done = subprocess.run(
        [sys.executable, "-m", "iso10002.cli", "demo", "--db", str(db), "--complaints", "30"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("Simulated 30 days, 2026-03-02 to 2026-03-31, seed 2026.\n")
    assert "Received          30  (CMP-2026-000001 to CMP-2026-000030)\n" in out
    for heading in ("By state", "By channel", "By priority"):
        assert f"\n{heading}\n" in out
    for label in ("Events", "Still open", "Upheld rate", "Days to close", "Elapsed"):
        assert re.search(rf"^{label} +\S", out, re.MULTILINE), label
    assert re.search(r"^Elapsed +\d+\.\d\d s \([\d,]+ events/s\)$", out, re.MULTILINE)
    assert f"Database          {db.resolve()}\n" in out
    # Not a terminal: progress comes as whole lines, the last one at 100%.
    progress = done.stderr.splitlines()
    assert progress, "no progress shown"
    assert all(PROGRESS_LINE.match(line) for line in progress), progress
    assert progress[-1] == "demo: 100% simulated (day 30 of 30), 30 received"
    assert "\r" not in done.stderr
    assert len(all_complaints(db)) == 30


def test_the_same_seed_tells_the_same_story_on_fresh_databases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run(capsys, "demo", "--db", tmp_path / "a.db", "--complaints", "40", "--quiet")
    second = run(capsys, "demo", "--db", tmp_path / "b.db", "--complaints", "40", "--quiet")
    other = run(capsys, "demo", "--db", tmp_path / "c.db", "--complaints", "40", "--seed", "7")

    assert first.code == second.code == other.code == 0
    assert stable_summary(first) == stable_summary(second)
    assert stable_summary(first) != stable_summary(other)
    with open_desk(tmp_path / "a.db") as a, open_desk(tmp_path / "b.db") as b:
        for n in range(1, 41):
            ref = f"CMP-2026-{n:06d}"
            ours = [(e.seq, e.occurred_at, e.actor, e.state, e.payload) for e in a.history(ref)]
            theirs = [(e.seq, e.occurred_at, e.actor, e.state, e.payload) for e in b.history(ref)]
            assert ours == theirs, ref


def test_every_complaint_replays_and_ends_for_a_documented_reason(demo_db: Path) -> None:
    complaints = all_complaints(demo_db)
    by_reference = {c.reference: c for c in complaints}

    assert len(complaints) == DEMO_COMPLAINTS
    with open_desk(demo_db) as desk:
        for c in complaints:
            history = desk.history(c.reference)
            assert Complaint.replay(history) == c
            times = [e.occurred_at for e in history]
            assert times == sorted(times), c.reference
            assert times[0] >= START, c.reference
            assert times[-1] < END, c.reference
            assert c.received_at <= c.recorded_at
    for c in complaints:
        if c.is_open:
            continue
        assert c.closure_reason is not None or c.state == State.WITHDRAWN, c.reference
        if c.closure_reason is ClosureReason.DUPLICATE:
            assert c.duplicate_of in by_reference
            assert c.duplicate_of != c.reference
        if c.closure_reason is ClosureReason.RESOLVED:
            assert c.decision is not None and c.decision_communicated_at is not None
        if c.decision is not None and c.decision.outcome is not Outcome.UPHELD:
            assert c.decision_communicated_at is None or c.recourse_explained
    # Objectivity (4.7): nobody a complaint is about handles or decides it.
    for c in complaints:
        for person in c.people_involved:
            assert c.assignee is None or c.assignee.id != person
            assert c.decided_by is None or c.decided_by.id != person


def test_the_month_shows_every_path_of_the_process(demo_db: Path) -> None:
    complaints = all_complaints(demo_db)
    states = Counter(c.state for c in complaints)
    reasons = Counter(c.closure_reason for c in complaints)
    outcomes = Counter(c.decision.outcome for c in complaints if c.decision)

    assert {c.channel for c in complaints} == set(Channel)
    assert {c.priority for c in complaints} == {*Priority, None}
    assert all(
        c.priority is Priority.URGENT
        for c in complaints
        if c.assessment and c.assessment.safety_implication
    )
    assert any(c.assessment and c.assessment.safety_implication for c in complaints)
    assert set(outcomes) == set(Outcome)
    assert reasons[ClosureReason.RESOLVED] > reasons[ClosureReason.DUPLICATE] > 0
    assert reasons[ClosureReason.REFERRED_EXTERNALLY] > 0
    assert states[State.WITHDRAWN] > 0
    assert any(c.internal_reviews for c in complaints)
    assert any(c.reopen_count for c in complaints)
    assert any(c.satisfaction for c in complaints)
    assert any(c.referred_to == "Financial Ombudsman Service" for c in complaints)
    assert all(
        r.amount.currency == "GBP"
        for c in complaints
        if c.decision
        for r in c.decision.remedies
        if r.amount is not None
    )
    # A month is too short for every complaint to finish: a realistic share is still open.
    still_open = sum(c.is_open for c in complaints)
    assert 0.25 * len(complaints) < still_open < 0.75 * len(complaints)
    # Acknowledgements go out mostly the same or the next working day.
    delays = [
        working_days_between(c.recorded_at.date(), c.acknowledged_at.date())
        for c in complaints
        if c.acknowledged_at is not None
    ]
    assert max(delays) <= 3
    assert sum(d <= 1 for d in delays) > 0.85 * len(delays)


def test_a_longer_period_closes_complaints_that_got_no_reply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "two-months.db"

    result = run(capsys, "demo", "--db", db, "--complaints", "120", "--days", "61", "--quiet")

    assert result.code == 0
    no_reply = [c for c in all_complaints(db) if c.closure_reason is ClosureReason.NO_REPLY]
    assert no_reply
    for c in no_reply:
        assert c.closed_at and c.decision_communicated_at
        assert c.closed_at - c.decision_communicated_at >= DEFAULT_NO_REPLY_PERIOD


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_other_seeds_and_periods_run_without_a_refused_command(
    seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "seed.db"

    result = run(
        capsys, "demo", "--db", db, "--seed", str(seed), "--complaints", "40",
        "--start", "2026-12-17", "--days", "45", "--quiet",
    )  # fmt: skip

    # A refused command would exit 1 with the guard's message.
    assert (result.code, result.err) == (0, "")
    complaints = all_complaints(db)
    assert len(complaints) == 40
    # The period crosses the new year: references follow the year of receipt.
    years = {c.reference[4:8] for c in complaints}
    assert years <= {"2026", "2027"}
    assert all(c.reference[4:8] == str(c.received_at.year) for c in complaints)


def test_rerunning_a_seed_adds_nothing_and_a_new_seed_continues_the_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "rerun.db"

    def events_stored() -> int:
        with open_desk(db) as desk:
            return sum(1 for _ in desk.store.iter_events())

    assert run(capsys, "demo", "--db", db, "--complaints", "20", "--quiet").code == 0
    events_first = events_stored()
    again = run(capsys, "demo", "--db", db, "--complaints", "20", "--quiet")
    events_again = events_stored()
    more = run(capsys, "demo", "--db", db, "--complaints", "24", "--quiet")
    other = run(capsys, "demo", "--db", db, "--complaints", "5", "--seed", "9", "--quiet")

    assert again.code == more.code == other.code == 0
    assert events_again == events_first
    assert "Received          0\n" in again.out
    assert (
        "Skipped           20 already in the database, left as they were (another --seed adds "
        "more)\n" in again.out
    )
    assert "Events            0\n" in again.out
    assert "Received          4  (CMP-2026-000021 to CMP-2026-000024)\n" in more.out
    assert "Received          5  (CMP-2026-000025 to CMP-2026-000029)\n" in other.out
    assert "Skipped" not in other.out
    assert events_stored() > events_again
    with open_desk(db) as desk:
        assert desk.query().total == 29
        assert {desk.get(f"CMP-2026-{n:06d}").client_key for n in range(1, 25)} == {
            f"demo-2026-{i}" for i in range(24)
        }


def test_quiet_shows_no_progress_and_otherwise_progress_goes_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quiet = run(capsys, "demo", "--db", tmp_path / "q.db", "--complaints", "10", "--quiet")
    loud = run(capsys, "demo", "--db", tmp_path / "l.db", "--complaints", "10", "--days", "10")

    assert quiet.code == loud.code == 0
    assert quiet.err == ""
    lines = loud.err.splitlines()
    assert all(PROGRESS_LINE.match(line) for line in lines), lines
    # Not a terminal: a line at each tenth reached, never twice, ending at 100%.
    percents = [int(line.split("%")[0].split()[-1]) for line in lines]
    assert percents == sorted(set(percents))
    assert all(p % 10 == 0 for p in percents)
    assert lines[-1] == "demo: 100% simulated (day 10 of 10), 10 received"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_on_a_terminal_progress_is_one_line_redrawn_in_place(tmp_path: Path) -> None:
    leader, follower = os.openpty()
    args = ["demo", "--db", str(tmp_path / "tty.db"), "--complaints", "10", "--days", "5"]
    with subprocess.Popen(
        [sys.executable, "-m", "iso10002.cli", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is gone once the program has exited
                break
            if not chunk:
                break
            chunks.append(chunk)
        out, _ = process.communicate(timeout=60)
    os.close(leader)
    shown = b"".join(chunks).decode()

    assert process.returncode == 0
    assert shown.count("\r") > 2
    assert shown.rstrip().endswith("demo: 100% simulated (day 5 of 5), 10 received")
    assert shown.endswith("\n")
    assert out.startswith("Simulated 5 days")
