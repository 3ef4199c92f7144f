"""The ``iso10002 sla`` commands: presets, deadlines, status and queue, and their bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from iso10002 import Channel, ComplaintDesk, FixedClock
from iso10002.cli._sla import known_policies, parse_instant
from iso10002.errors import ValidationError
from iso10002.model.values import ExtensionKind
from iso10002.simulation import DEMO_POLICY, demo_sla_config
from iso10002.sla.config import SlaConfig
from iso10002.sla.presets import presets
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import sample_actor, sample_complainant

from .support import flat, run

UTC = dt.timezone.utc
RECEIVED = dt.datetime(2026, 12, 23, 16, tzinfo=UTC)


# -- sla presets -------------------------------------------------------------------------------


def test_presets_text_lists_every_preset(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "sla", "presets")
    assert result.code == 0, result.err
    assert result.out.startswith(f"{len(presets())} presets\n")
    for name, p in presets().items():
        assert f"\n{name}\n" in result.out
        assert p.sources[0] in result.out
    out = flat(result.out)
    assert "summary_resolution: 3 business days after the start day, due at close of business" in (
        out
    )
    assert "as of 2026-11-23" in out
    assert "unconfirmed 'By the end of eight weeks after receipt'" in out


def test_presets_json(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "sla", "presets", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [p["name"] for p in data] == list(presets())
    psd = next(p for p in data if p["name"] == "fca-disp-1.6.2a")
    metric = psd["metrics"][0]
    assert metric["target"]["amount"] == 15 and metric["target"]["unit"] == "business_days"
    assert metric["extended_target"]["amount"] == 35
    assert metric["extensions"] == ["holding_response"]
    assert all(p["sources"] and p["as_of"] for p in data)
    cbi = next(p for p in data if p["name"] == "cbi-cpc")
    assert len(cbi["unconfirmed"]) >= 3


# -- sla deadlines -----------------------------------------------------------------------------


def test_deadlines_text_over_christmas(capsys: pytest.CaptureFixture[str]) -> None:
    # DISP 1.5 received Wed 23 Dec 2026 16:00 London: 24 Dec (1), 29 (2), 30 (3) -> 17:00;
    # 8 weeks -> end of Wed 17 Feb 2027.
    result = run(
        capsys, "sla", "deadlines", "--preset", "fca-disp-1.5", "--received", "2026-12-23T16:00"
    )
    assert result.code == 0, result.err
    rows = {line.split()[0]: line.split()[1:] for line in result.out.splitlines() if line}
    assert rows["summary_resolution"] == (
        ["3", "business", "days", "Wed", "2026-12-30", "17:00", "GMT", "2026-12-30", "17:00"]
    )
    assert rows["final_response"] == [
        "8",
        "weeks",
        "Wed",
        "2027-02-17",
        "24:00",
        "GMT",
        "2027-02-18",
        "00:00",
    ]
    assert "fca-disp-1.5 GB-ENG" in result.out


def test_deadlines_json_with_subdivision_and_extension(capsys: pytest.CaptureFixture[str]) -> None:
    # PSD 15 business days from Wed 23 Dec 2026 in Scotland: Tue 19 Jan 2027 (end of day);
    # 35 after a holding response: Tue 16 Feb 2027.
    result = run(
        capsys,
        "sla",
        "deadlines",
        "--preset",
        "fca-disp-1.6.2a",
        "--received",
        "2026-12-23T16:00:00Z",
        "--subdivision",
        "SCT",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["subdivision"] == "SCT"
    assert data["start_utc"] == "2026-12-23T16:00:00+00:00"
    rows = [(d["metric"], d["extended"], d["due_utc"]) for d in data["deadlines"]]
    assert rows == [
        ("final_response", False, "2027-01-20T00:00:00+00:00"),
        ("final_response", True, "2027-02-17T00:00:00+00:00"),
    ]
    assert data["deadlines"][1]["extension"] == ["holding_response"]


def test_deadlines_cfpb_from_the_date_sent_on_a_saturday(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Sent Sat 2 Jan 2027 (a plain date: midnight New York time): + 15 = Sun 17 Jan, + 60 = Wed
    # 3 Mar; each ends at midnight Eastern time, 05:00 UTC the next day.
    result = run(
        capsys,
        "sla",
        "deadlines",
        "--preset",
        "cfpb",
        "--received",
        "2027-01-02",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["start"] == "2027-01-02T00:00:00-05:00"
    assert [d["due"] for d in data["deadlines"]] == [
        "2027-01-18T00:00:00-05:00",
        "2027-03-04T00:00:00-05:00",
    ]
    assert [d["due_utc"] for d in data["deadlines"]] == [
        "2027-01-18T05:00:00+00:00",
        "2027-03-04T05:00:00+00:00",
    ]


def test_deadlines_mention_agreed_extensions(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(
        capsys, "sla", "deadlines", "--preset", "nhs-england", "--received", "2026-12-24T11:00"
    )
    assert result.code == 0, result.err
    assert "An agreed extension moves final_response to the agreed date." in result.out
    # Acknowledgement 3 working days after Thu 24 Dec: 29, 30, 31 Dec.
    assert "Thu 2026-12-31 24:00 GMT" in result.out


def test_deadlines_of_a_recurring_metric_show_the_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run(
        capsys, "sla", "deadlines", "--preset", "cbi-cpc", "--received", "2027-03-15T09:00"
    )
    assert result.code == 0, result.err
    assert "update (first)" in result.out
    assert "Wed 2027-04-14 24:00 IST" in result.out


def test_deadlines_far_from_the_default_years_still_count_holidays(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Wed 23 Dec 2043: 24 (1); 25 Christmas (Fri), 26/27 weekend, 28 Boxing Day substitute;
    # 29 (2), 30 (3) -> 17:00 GMT 30 Dec.
    result = run(
        capsys,
        "sla",
        "deadlines",
        "--preset",
        "fca-disp-1.5",
        "--received",
        "2043-12-23T10:00Z",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["deadlines"][0]["due_utc"] == "2043-12-30T17:00:00+00:00"
    assert "2043" in data["calendar_version"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--preset", "fca", "--received", "2026-12-23"],
            "--preset: no preset named 'fca' (known presets: fca-disp-1.6, fca-disp-1.5,",
        ),
        (
            ["--preset", "fca-disp-1.5", "--received", "yesterday"],
            "--received: 'yesterday' is not an instant",
        ),
        (
            ["--preset", "fca-disp-1.5", "--received", "2026-02-30"],
            "--received: '2026-02-30' is not an instant",
        ),
        (
            ["--preset", "fca-disp-1.5", "--received", "2026-12-23", "--subdivision", "XX"],
            (
                "--subdivision: 'XX' is not a subdivision of preset 'fca-disp-1.5' "
                "(known: ENG, WLS, SCT, NIR)"
            ),
        ),
        (
            ["--preset", "cfpb", "--received", "2026-12-23", "--subdivision", "NY"],
            "--subdivision: 'NY' is not a subdivision of preset 'cfpb' (known: none)",
        ),
        (
            ["--preset", "fca-disp-1.5", "--received", "9999-12-31T10:00Z"],
            "--received: '9999-12-31T10:00Z' is out of range",
        ),
    ],
)
def test_deadlines_bad_input(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    result = run(capsys, "sla", "deadlines", *args)
    assert result.code == 2
    assert result.out == ""
    assert result.error_line.startswith(f"iso10002: error: {message}"), result.err
    assert len(result.err.splitlines()) == 1


def test_argparse_errors_of_the_group(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "sla").code == 2
    missing = run(capsys, "sla", "deadlines", "--received", "2026-12-23")
    assert missing.code == 2
    assert "--preset" in missing.err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-23T16:00+01:00", dt.datetime(2026, 12, 23, 15, tzinfo=UTC)),
        ("2026-12-23T16:00:30+0100", dt.datetime(2026, 12, 23, 15, 0, 30, tzinfo=UTC)),
        ("2026-12-23 16:00Z", dt.datetime(2026, 12, 23, 16, tzinfo=UTC)),
        ("2026-07-01T09:00", dt.datetime(2026, 7, 1, 8, tzinfo=UTC)),
        ("2026-07-01", dt.datetime(2026, 6, 30, 23, tzinfo=UTC)),
    ],
)
def test_instants_on_the_command_line(text: str, expected: dt.datetime) -> None:
    assert parse_instant("--received", text, "Europe/London") == expected


# -- sla status and queue ----------------------------------------------------------------------


@pytest.fixture
def sla_db(tmp_path: Path) -> Path:
    """A database with one DISP 1.5 complaint received Wed 23 Dec 2026 16:00 UTC."""
    path = tmp_path / "sla.db"
    config = SlaConfig(policies=known_policies().policies, default="fca-disp-1.5")
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, sla=config, clock=FixedClock(RECEIVED))
        complaint = desk.receive(
            sample_actor(),
            complainant=sample_complainant(),
            channel=Channel.EMAIL,
            description="My card was charged twice.",
        )
        # A second desk reads the complaint back from the store, as another process would.
        again = ComplaintDesk(store, sla=config, clock=FixedClock(RECEIVED))
        again.acknowledge(complaint.reference, sample_actor())
        plain = ComplaintDesk(store, clock=FixedClock(RECEIVED))
        plain.receive(
            sample_actor(),
            complainant=sample_complainant(),
            channel=Channel.EMAIL,
            description="No policy applies to this one.",
        )
    return path


def test_status_text(capsys: pytest.CaptureFixture[str], sla_db: Path) -> None:
    result = run(
        capsys, "sla", "status", "CMP-2026-000001", "--db", sla_db, "--as-of", "2027-01-05"
    )
    assert result.code == 0, result.err
    assert "fca-disp-1.5" in result.out
    lines = {line.split()[0]: line for line in result.out.splitlines() if line}
    assert lines["summary_resolution"].split()[1] == "breached"
    assert "2026-12-30 17:00" in lines["summary_resolution"]
    assert lines["final_response"].split()[1] == "running"
    assert "2027-02-18 00:00" in lines["final_response"]


def test_status_json_as_it_was(capsys: pytest.CaptureFixture[str], sla_db: Path) -> None:
    result = run(
        capsys,
        "sla",
        "status",
        "CMP-2026-000001",
        "--db",
        sla_db,
        "--as-of",
        "2026-12-28T12:00Z",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["as_of"] == "2026-12-28T12:00:00+00:00"
    summary = data["metrics"][0]
    assert summary["metric"] == "summary_resolution"
    assert summary["status"] == "running"
    assert summary["due_at"] == "2026-12-30T17:00:00+00:00"
    assert summary["explanation"][0]["counted"] is True


def test_status_of_a_complaint_without_a_policy(
    capsys: pytest.CaptureFixture[str], sla_db: Path
) -> None:
    result = run(capsys, "sla", "status", "CMP-2026-000002", "--db", sla_db)
    assert result.code == 1
    assert (
        result.error_line == "iso10002: error: complaint CMP-2026-000002 has no timeliness policy"
    )


def test_status_bad_input(capsys: pytest.CaptureFixture[str], sla_db: Path, tmp_path: Path) -> None:
    bad = run(capsys, "sla", "status", "CMP-2026-000001", "--db", sla_db, "--as-of", "soon")
    assert bad.code == 2
    assert bad.error_line.startswith("iso10002: error: --as-of: 'soon' is not an instant")
    missing = run(capsys, "sla", "status", "CMP-2026-000001", "--db", tmp_path / "none.db")
    assert missing.code == 1
    assert missing.error_line.startswith("iso10002: error: no database at")
    unknown = run(capsys, "sla", "status", "CMP-2026-999999", "--db", sla_db)
    assert unknown.code == 1
    assert "CMP-2026-999999" in unknown.error_line


def test_queue_lists_breached_complaints(capsys: pytest.CaptureFixture[str], sla_db: Path) -> None:
    result = run(
        capsys, "sla", "queue", "--db", sla_db, "--as-of", "2027-01-05T12:00Z", "--format", "json"
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["as_of"] == "2027-01-05T12:00:00+00:00"
    assert [(i["reference"], i["bucket"]) for i in data["items"]] == [
        ("CMP-2026-000001", "breached")
    ]
    text = run(capsys, "sla", "queue", "--db", sla_db, "--as-of", "2027-01-05T12:00Z")
    assert text.out.startswith("1 complaint needs attention as of 2027-01-05 12:00 UTC")
    assert "CMP-2026-000001" in text.out


def test_queue_before_anything_is_due(capsys: pytest.CaptureFixture[str], sla_db: Path) -> None:
    result = run(capsys, "sla", "queue", "--db", sla_db, "--as-of", "2026-12-24T09:00Z")
    assert result.code == 0, result.err
    assert result.out == "No complaint needs attention as of 2026-12-24 09:00 UTC.\n"
    due = run(
        capsys, "sla", "queue", "--db", sla_db, "--as-of", "2026-12-24T09:00Z", "--within", "7"
    )
    assert "due" in due.out and "CMP-2026-000001" in due.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "0"], "--limit: must be at least 1, got 0"),
        (["--within", "-1"], "--within: must not be negative, got -1"),
        (["--as-of", "2026-13-01"], "--as-of: '2026-13-01' is not an instant"),
    ],
)
def test_queue_bad_input(
    capsys: pytest.CaptureFixture[str], sla_db: Path, args: list[str], message: str
) -> None:
    result = run(capsys, "sla", "queue", "--db", sla_db, *args)
    assert result.code == 2
    assert result.error_line.startswith(f"iso10002: error: {message}")


# -- the demo's policy ---------------------------------------------------------------------------


def test_demo_policy() -> None:
    config = demo_sla_config()
    assert config.default == DEMO_POLICY
    policy = config.latest(DEMO_POLICY)
    assert [m.name for m in policy.metrics] == [
        "acknowledgement",
        "first_response",
        "update",
        "final_response",
    ]
    assert policy.metric("update").recurring
    final = policy.metric("final_response")
    assert final.extensions == (ExtensionKind.AGREED,)
    assert final.pause and final.resume
    assert not policy.metric("acknowledgement").pause
    calendar = policy.calendar
    assert calendar.zone == "Europe/London"
    assert calendar.week[0][0].end == dt.time(17, 30)
    assert {h.date.year for h in calendar.holidays} == {2025, 2026, 2027, 2028}
    # Received Wed 23 Dec 2026 16:00: first response within 2 business days = 24 Dec (1),
    # 29 Dec (2, after Christmas and the Boxing Day substitute) -> end of 29 Dec.
    start = dt.datetime(2026, 12, 23, 16, tzinfo=UTC)
    due = policy.metric("first_response").target.deadline(calendar, start)
    assert due == dt.datetime(2026, 12, 30, tzinfo=UTC)


def test_known_policies_hold_every_preset_and_the_demo() -> None:
    names = [p.name for p in known_policies().policies]
    assert names == [*presets(), DEMO_POLICY]


def test_demo_policy_has_no_resolution_metric() -> None:
    config = demo_sla_config()
    with pytest.raises(ValidationError) as e:
        config.latest(DEMO_POLICY).metric("resolution")
    assert e.value.field == "metric"
