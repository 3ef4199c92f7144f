"""
``show``, ``history``, ``list`` and ``workflow`` print what the library holds, as text and as
JSON, checked against the public API on the same database.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
from importlib import metadata
from pathlib import Path

import pytest

from iso10002 import (
    Channel,
    ClosureReason,
    Complaint,
    ComplaintQuery,
    ComplaintSummary,
    Outcome,
    Priority,
    serialization,
    standard_workflow,
)

from .conftest import DEMO_COMPLAINTS
from .support import flat, open_desk, run

UTC = dt.timezone.utc


def find(demo_db: Path, wanted: str) -> Complaint:
    """The first complaint of the demo database that fits ``wanted``."""
    with open_desk(demo_db) as desk:
        for summary in desk.query(ComplaintQuery(limit=1000)).items:
            c = desk.get(summary.id)
            if wanted == "resolved" and (
                c.closure_reason is ClosureReason.RESOLVED
                and c.decision is not None
                and c.decision.outcome is Outcome.UPHELD
                and c.satisfaction is not None
                and c.product is not None
            ):
                return c
            if wanted == "duplicate" and c.closure_reason is ClosureReason.DUPLICATE:
                return c
    raise AssertionError(f"no {wanted} complaint in the demo database")


def minute(at: dt.datetime | None) -> str:
    assert at is not None
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


# -- show -------------------------------------------------------------------------------------


def test_show_prints_the_complaint_as_it_stands(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = find(demo_db, "resolved")
    assert c.classification and c.assignee and c.decision and c.satisfaction and c.product

    result = run(capsys, "show", c.reference, "--db", demo_db)

    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == f"Reference         {c.reference}"
    assert lines[1] == "State             closed (resolved)" + (
        f", reopened {c.reopen_count} time" if c.reopen_count == 1 else ""
    )
    assert lines[2] == f"Channel           {c.channel.value.replace('_', ' ')}"
    assert lines[3].startswith(f"Priority          {c.priority.value if c.priority else '-'} (")
    assert f"Category          {c.classification.path}" in lines
    assert f"Assignee          {c.assignee.name} ({c.assignee.id}, " in result.out
    assert f"Complainant       {c.complainant.name}" in result.out
    assert f"Product           {c.product.name} ({c.product.reference})" in lines
    text = flat(result.out)
    assert f"Description {flat(c.description)}" in text
    assert f"Decision upheld: {flat(c.decision.reasons)}" in text
    assert "Remedies apology" in text
    assert f"Satisfaction      {c.satisfaction.score} / 5" in lines
    assert f"Events            {c.version}" in lines
    assert "Dates (UTC)" in lines
    assert f"  received        {minute(c.received_at)}" in lines
    assert f"  closed          {minute(c.closed_at)}" in lines
    assert "withdrawn" not in result.out
    # Contact details stay out of the overview.
    assert c.complainant.contact.email is None or c.complainant.contact.email not in result.out


def test_show_names_the_original_of_a_duplicate(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = find(demo_db, "duplicate")

    result = run(capsys, "show", c.reference, "--db", demo_db)

    assert result.code == 0
    assert f"State             closed (duplicate of {c.duplicate_of})\n" in result.out
    assert "Decision          -\n" in result.out


def test_show_as_json_is_the_complaint_through_the_library_converter(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = find(demo_db, "resolved")

    result = run(capsys, "show", c.reference, "--db", demo_db, "--format", "json")

    assert result.code == 0
    data = json.loads(result.out)
    assert data == serialization.unstructure(c)
    assert data["reference"] == c.reference
    assert data["state"] == "closed"
    assert serialization.structure(data, Complaint) == c


# -- history ----------------------------------------------------------------------------------


def test_history_prints_one_line_per_event(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = find(demo_db, "resolved")
    with open_desk(demo_db) as desk:
        events = desk.history(c.reference)

    result = run(capsys, "history", c.reference, "--db", demo_db)

    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == f"{c.reference}: {len(events)} events"
    assert lines[1] == ""
    assert lines[2].split() == ["SEQ", "TIME", "(UTC)", "ACTOR", "EVENT", "STATE", "DETAIL"]
    rows = lines[3:]
    assert len(rows) == len(events)
    for row, event in zip(rows, events, strict=True):
        words = row.split()
        assert words[0] == str(event.seq)
        assert " ".join(words[1:3]) == minute(event.occurred_at)
        assert words[3:7] == [
            event.actor.id,
            f"({event.actor.role.value})",
            event.type,
            event.state,
        ]
    assert flat(c.description)[:40] in rows[0]
    assert c.satisfaction is not None
    score = str(c.satisfaction.score)
    assert rows[-1].split()[4:] == ["(system)", "satisfaction_recorded", "closed", score, "/", "5"]
    assert "closed             resolved" in result.out


def test_history_as_json_reads_back_as_the_stored_events(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = find(demo_db, "resolved")
    with open_desk(demo_db) as desk:
        events = desk.history(c.reference)

    result = run(capsys, "history", c.reference, "--db", demo_db, "--format", "json")

    assert result.code == 0
    assert serialization.history_from_json(result.out) == events
    assert Complaint.replay(serialization.history_from_json(result.out)) == c


# -- list -------------------------------------------------------------------------------------


def table_references(out: str) -> list[str]:
    """The references in the first column of a list table."""
    return [line.split()[0] for line in out.splitlines() if line.startswith("CMP-")]


def test_list_shows_the_newest_page_with_the_total_and_the_next_page(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_desk(demo_db) as desk:
        expected = desk.query(ComplaintQuery(limit=20)).items

    result = run(capsys, "list", "--db", demo_db)

    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0].split() == [
        "REFERENCE", "RECEIVED", "(UTC)", "STATE", "PRIORITY", "CHANNEL", "CATEGORY", "ASSIGNEE",
    ]  # fmt: skip
    assert table_references(result.out) == [s.reference for s in expected]
    first = lines[1].split()
    assert first[:4] == [
        expected[0].reference,
        *minute(expected[0].received_at).split(),
        expected[0].state,
    ]
    assert lines[-2] == f"1-20 of {DEMO_COMPLAINTS} complaints, newest first."
    assert lines[-1] == f"Next page: iso10002 list --db {shlex.quote(str(demo_db))} --offset 20"


def test_the_next_page_hint_keeps_the_filters_and_the_last_page_has_none(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_desk(demo_db) as desk:
        total = desk.query(ComplaintQuery(is_open=True)).total
    last_offset = (total - 1) // 7 * 7

    first = run(capsys, "list", "--db", demo_db, "--open", "--channel", "EMAIL", "--limit", "3")
    last = run(
        capsys, "list", "--db", demo_db, "--open", "--limit", "7", "--offset", str(last_offset)
    )

    assert first.out.splitlines()[-1] == (
        f"Next page: iso10002 list --db {shlex.quote(str(demo_db))} --open --channel email "
        "--limit 3 --offset 3"
    )
    assert (
        last.out.splitlines()[-1]
        == f"{last_offset + 1}-{total} of {total} complaints, newest first."
    )
    assert "Next page" not in last.out


@pytest.mark.parametrize(
    ("options", "query"),
    [
        (["--state", "investigating"], ComplaintQuery(state="investigating", limit=1000)),
        (["--open"], ComplaintQuery(is_open=True, limit=1000)),
        (["--closed"], ComplaintQuery(is_open=False, limit=1000)),
        (["--assignee", "inv-01"], ComplaintQuery(assignee="inv-01", limit=1000)),
        (["--priority", "URGENT"], ComplaintQuery(priority=Priority.URGENT, limit=1000)),
        (["--channel", "web-form"], ComplaintQuery(channel=Channel.WEB_FORM, limit=1000)),
        (
            # --to names the last day wanted, so the bound is the next midnight.
            ["--from", "2026-03-09", "--to", "2026-03-13"],
            ComplaintQuery(
                received_from=dt.datetime(2026, 3, 9, tzinfo=UTC),
                received_to=dt.datetime(2026, 3, 14, tzinfo=UTC),
                limit=1000,
            ),
        ),
        (
            ["--closed", "--priority", "normal", "--channel", "email"],
            ComplaintQuery(
                is_open=False, priority=Priority.NORMAL, channel=Channel.EMAIL, limit=1000
            ),
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_list_filters_like_the_query_it_stands_for(
    options: list[str],
    query: ComplaintQuery,
    demo_db: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with open_desk(demo_db) as desk:
        expected = desk.query(query)
    assert 0 < expected.total < DEMO_COMPLAINTS, "the filter should select some, not all"

    result = run(capsys, "list", "--db", demo_db, *options, "--limit", "1000")

    assert result.code == 0
    assert table_references(result.out) == [s.reference for s in expected.items]
    assert result.out.splitlines()[-1] == (
        f"1-{expected.total} of {expected.total} "
        f"complaint{'s' if expected.total > 1 else ''}, newest first."
    )


def test_list_says_when_nothing_matches_or_the_page_is_past_the_end(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nothing = run(capsys, "list", "--db", demo_db, "--from", "2030-01-01")
    past = run(capsys, "list", "--db", demo_db, "--offset", "5000")

    assert (nothing.code, nothing.out) == (0, "No complaints match.\n")
    assert (past.code, past.out) == (
        0,
        f"No complaints on this page: offset 5000, {DEMO_COMPLAINTS} match.\n",
    )


def test_list_as_json_carries_the_page_and_the_summaries(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_desk(demo_db) as desk:
        expected = desk.query(ComplaintQuery(state="closed", limit=5, offset=5))

    result = run(
        capsys, "list", "--db", demo_db, "--state", "closed", "--limit", "5", "--offset", "5",
        "--format", "json",
    )  # fmt: skip

    assert result.code == 0
    data = json.loads(result.out)
    assert data["total"] == expected.total
    assert (data["limit"], data["offset"], data["next_offset"]) == (5, 5, 10)
    items = [serialization.structure(item, ComplaintSummary) for item in data["items"]]
    assert tuple(items) == expected.items


# -- workflow and version ---------------------------------------------------------------------


def test_workflow_prints_the_standard_workflow_as_mermaid_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run(capsys, "workflow")

    assert result.code == 0
    assert result.out == standard_workflow().to_mermaid()


def test_workflow_as_text_lists_states_and_commands(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "workflow", "--format", "text")

    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "Workflow iso10002-standard: a complaint starts in state 'received'."
    for state in standard_workflow().states:
        assert any(line.split()[:1] == [state.name] for line in lines), state.name
    assert "  closed             Closed with a documented reason. [closed]" in lines
    assert "  acknowledge              received -> acknowledged" in lines
    assert "  close                    any open state -> closed  [closure_justified]" in lines
    assert "  classify                 any state (state unchanged)" in lines


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    version = run(capsys, "--version")
    helped = run(capsys, "--help")

    assert (version.code, version.out) == (0, f"iso10002 {metadata.version('iso10002')}\n")
    assert helped.code == 0
    for command in ("demo", "show", "history", "list", "workflow"):
        assert command in helped.out


def test_list_takes_a_custom_workflows_state(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from iso10002 import (
        Actor,
        Channel,
        Complainant,
        ComplaintDesk,
        ContactDetails,
        FixedClock,
        Role,
        SQLiteEventStore,
        StateDef,
        Transition,
        standard_workflow,
    )

    workflow = standard_workflow().extend(
        name="with-legal-review",
        states=[StateDef(name="legal_review", description="With the legal team.")],
        transitions=[
            Transition(command="refer_to_legal", sources=("received",), target="legal_review"),
            Transition(command="legal_done", sources=("legal_review",), target="investigating"),
        ],
    )
    db = tmp_path / "custom.db"
    store = SQLiteEventStore(db)
    desk = ComplaintDesk(
        store=store, clock=FixedClock(dt.datetime(2026, 3, 2, 9, tzinfo=UTC)), workflow=workflow
    )
    staff = Actor(id="ana", role=Role.COMPLAINTS_MANAGER)
    c = desk.receive(
        staff,
        complainant=Complainant(name="A. Person", contact=ContactDetails(email="a@example.org")),
        channel=Channel.EMAIL,
        description="Wrong amount.",
    )
    desk.run_step(c.reference, staff, "refer_to_legal")
    store.close()

    result = run(capsys, "list", "--db", db, "--state", "legal-review")

    assert result.code == 0
    assert c.reference in result.out
