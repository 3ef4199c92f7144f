"""``--organisation``: list, report, audit and subject-export keep to one organisation."""

from __future__ import annotations

import datetime as dt
import json
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

from .support import run

UTC = dt.timezone.utc


@pytest.fixture
def two_tenants(tmp_path: Path) -> tuple[Path, dict[str, list[str]]]:
    db = tmp_path / "tenants.db"
    refs: dict[str, list[str]] = {"acme": [], "globex": []}
    with SQLiteEventStore(db) as store:
        desk = ComplaintDesk(store, clock=FixedClock(dt.datetime(2026, 3, 2, 9, tzinfo=UTC)))
        for organisation, count in (("acme", 2), ("globex", 1)):
            staff = Actor(id=f"{organisation}-1", role=Role.FRONT_LINE, organisation=organisation)
            for _ in range(count):
                refs[organisation].append(
                    desk.receive(
                        staff,
                        complainant=Complainant(
                            name="Ann", customer_id="c-1", contact=ContactDetails(email="a@b.org")
                        ),
                        channel=Channel.EMAIL,
                        description="Late.",
                    ).reference
                )
    return db, refs


def test_list_keeps_to_one_organisation(
    capsys: pytest.CaptureFixture[str], two_tenants: tuple[Path, dict[str, list[str]]]
) -> None:
    db, refs = two_tenants
    result = run(capsys, "list", "--db", db, "--organisation", "acme", "--format", "json")
    assert result.code == 0
    listed = json.loads(result.out)
    assert sorted(i["reference"] for i in listed["items"]) == sorted(refs["acme"])
    assert {i["organisation"] for i in listed["items"]} == {"acme"}


def test_report_audit_and_export_keep_to_one_organisation(
    capsys: pytest.CaptureFixture[str],
    two_tenants: tuple[Path, dict[str, list[str]]],
    tmp_path: Path,
) -> None:
    db, refs = two_tenants
    period = ("--from", "2026-03-01", "--to", "2026-03-31")
    report = run(
        capsys, "report", "--db", db, *period, "--organisation", "globex", "--format", "json"
    )
    assert report.code == 0, report.err
    assert json.loads(report.out)["volume"]["received"] == 1
    audit = run(capsys, "audit", "--db", db, *period, "--organisation", "acme", "--format", "json")
    assert audit.code == 0, audit.err
    assert json.loads(audit.out)["complaints"] == 2
    out = tmp_path / "export.json"
    export = run(
        capsys,
        "subject-export",
        "--db",
        db,
        "--customer-id",
        "c-1",
        "--out",
        out,
        "--organisation",
        "globex",
    )
    assert export.code == 0, export.err
    exported = json.loads(out.read_text())
    assert [c["reference"] for c in exported["complaints"]] == refs["globex"]


@pytest.mark.parametrize("command", ["list", "report", "audit"])
def test_a_malformed_organisation_is_a_usage_error_naming_the_option(
    capsys: pytest.CaptureFixture[str],
    two_tenants: tuple[Path, dict[str, list[str]]],
    command: str,
) -> None:
    db, _ = two_tenants
    result = run(capsys, command, "--db", db, "--organisation", "acme/eu")
    assert result.code == 2
    assert "--organisation" in result.error_line
