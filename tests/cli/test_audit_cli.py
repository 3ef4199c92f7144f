"""``iso10002 audit`` and ``iso10002 review`` on the demo database, and their errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from iso10002.audit.criteria import criteria
from iso10002.storage.base import ComplaintQuery
from iso10002.storage.sqlite import SQLiteEventStore

from .support import run

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME = ROOT / "examples" / "programme.toml"
AS_OF = "2026-05-01T00:00Z"
"""After the demo month, so that every deadline of it has passed and the findings are fixed."""


def audit_json(
    capsys: pytest.CaptureFixture[str], db: Path, *args: str | Path
) -> dict[str, object]:
    result = run(capsys, "audit", "--db", db, "--as-of", AS_OF, "--format", "json", *args)
    assert result.code == 0, result.err
    data: dict[str, object] = json.loads(result.out)
    return data


def statuses(data: dict[str, object]) -> dict[str, str]:
    findings = data["findings"]
    assert isinstance(findings, list)
    return {f["criterion"]: f["status"] for f in findings}


# -- audit ------------------------------------------------------------------------------------


def test_audit_of_the_demo_finds_conformities_and_nonconformities(
    capsys: pytest.CaptureFixture[str], demo_db: Path
) -> None:
    data = audit_json(capsys, demo_db)
    with SQLiteEventStore(demo_db) as store:
        total = store.query(ComplaintQuery(limit=1)).total
    assert data["format"] == "iso10002-audit/1"
    assert data["complaints"] == total  # the default period holds every complaint
    assert data["period"] == {"from": "2026-03-02", "to": "2026-04-01"}
    assert data["generated_at"] == "2026-05-01T00:00:00+00:00"
    found = statuses(data)
    assert list(found) == [c.id for c in criteria()]
    values = set(found.values())
    assert "conforming" in values
    assert values & {"major_nonconformity", "minor_nonconformity"}
    # Without --config the configuration criteria are not applicable; nobody attested.
    assert found["4.8-no-charges"] == "not_applicable"
    assert found["8.6-management-review-held"] == "awaiting_attestation"
    sample = data["sample"]
    assert isinstance(sample, dict)
    assert sample["seed"] == 0
    assert len(sample["references"]) == 10


def test_the_sample_is_reproducible_by_seed(
    capsys: pytest.CaptureFixture[str], demo_db: Path
) -> None:
    def sample(*args: str) -> list[str]:
        drawn = audit_json(capsys, demo_db, *args)["sample"]
        assert isinstance(drawn, dict)
        references: list[str] = drawn["references"]
        return references

    assert sample("--seed", "5") == sample("--seed", "5")
    assert sample("--seed", "5") != sample("--seed", "6")
    assert len(sample("--sample", "3")) == 3
    assert sample("--sample", "0") == []


def test_the_period_runs_from_the_first_to_the_last_day_given(
    capsys: pytest.CaptureFixture[str], demo_db: Path
) -> None:
    data = audit_json(capsys, demo_db, "--from", "2026-03-09", "--to", "2026-03-13")
    assert data["period"] == {"from": "2026-03-09", "to": "2026-03-14"}
    everything = audit_json(capsys, demo_db)
    assert isinstance(data["complaints"], int) and isinstance(everything["complaints"], int)
    assert 0 < data["complaints"] < everything["complaints"]


def test_a_programme_configuration_is_audited(
    capsys: pytest.CaptureFixture[str], demo_db: Path
) -> None:
    data = audit_json(capsys, demo_db, "--config", PROGRAMME)
    assert data["organisation"] == "Brightwater Energy Ltd"
    assert data["programme_version"] == "2025.1"
    found = statuses(data)
    assert found["4.8-no-charges"] == "conforming"
    charges = next(f for f in data["findings"] if f["criterion"] == "4.8-no-charges")  # type: ignore[attr-defined]
    assert charges["evidence"]["configuration"] == {"charges.charged": "false"}


def test_attestations_are_recorded_with_who_and_when(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    file = tmp_path / "attestations.json"
    file.write_text(
        json.dumps(
            [
                {
                    "criterion": "8.6-management-review-held",
                    "by": "Priya Raman, Chief Executive",
                    "at": "2026-04-02T10:00:00+00:00",
                    "conforms": False,
                    "statement": "No review was held in March.",
                    "evidence": "Board calendar, March 2026",
                }
            ]
        ),
        encoding="utf-8",
    )
    data = audit_json(capsys, demo_db, "--attestations", file)
    review = next(f for f in data["findings"] if f["criterion"] == "8.6-management-review-held")  # type: ignore[attr-defined]
    assert review["status"] == "minor_nonconformity"
    assert review["attestation"]["by"] == "Priya Raman, Chief Executive"
    assert review["attestation"]["at"] == "2026-04-02T10:00:00+00:00"


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("md", "# Complaints-handling audit"), ("html", "<!DOCTYPE html>"), ("json", '"format"')],
)
def test_audit_writes_each_format_to_a_file(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path, fmt: str, marker: str
) -> None:
    out = tmp_path / f"audit.{fmt}"
    result = run(capsys, "audit", "--db", demo_db, "--as-of", AS_OF, "--format", fmt, "--out", out)
    assert result.code == 0, result.err
    assert result.out.strip() == f"audit report written to {out}"
    text = out.read_text(encoding="utf-8")
    assert marker in text
    for c in criteria():
        assert c.id in text


def test_the_html_report_with_a_programme_stays_self_contained(
    capsys: pytest.CaptureFixture[str], demo_db: Path
) -> None:
    result = run(
        capsys, "audit", "--db", demo_db, "--as-of", AS_OF, "--config", PROGRAMME,
        "--format", "html",
    )  # fmt: skip
    assert result.code == 0, result.err
    page = result.out
    assert "<script" not in page
    assert "@media print" in page
    # The programme's web addresses appear as text, never as something the page loads.
    assert "https://www.brightwater.example/complaints" in page
    assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page) is None
    assert "url(" not in page


# -- review -----------------------------------------------------------------------------------


def test_review_builds_the_pack_with_the_actions(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    actions = tmp_path / "actions.json"
    actions.write_text(
        json.dumps(
            [
                {
                    "id": "IA-7",
                    "title": "Tell every complainant the decision",
                    "owner": "Head of complaints",
                    "due": "2026-04-15",
                    "status": "in_progress",
                    "opened_on": "2026-04-01",
                    "finding": "7.8-decision-communicated",
                }
            ]
        ),
        encoding="utf-8",
    )
    result = run(capsys, "review", "--db", demo_db, "--actions", actions, "--as-of", AS_OF)
    assert result.code == 0, result.err
    md = result.out
    assert md.startswith("# Management review")
    assert "## Review inputs (8.6)" in md
    assert "| IA-7 | Tell every complainant the decision | Head of complaints " in md
    assert "in progress (overdue)" in md  # due 15 April, reviewed 1 May
    assert "Prepared on: 2026-05-01" in md

    page = tmp_path / "review.html"
    result = run(
        capsys, "review", "--db", demo_db, "--actions", actions, "--as-of", AS_OF,
        "--format", "html", "--out", page,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.strip() == f"management review pack written to {page}"
    html = page.read_text(encoding="utf-8")
    assert "IA-7" in html and "@media print" in html and "<script" not in html

    result = run(
        capsys, "review", "--db", demo_db, "--actions", actions, "--as-of", AS_OF,
        "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["format"] == "iso10002-review/1"
    assert [a["id"] for a in data["actions"]] == ["IA-7"]
    assert {f["key"] for f in data["figures"]} >= {"received", "closed", "upheld"}
    # Given the actions, the audit checks that every nonconformity has one (8.7).
    found = {f["criterion"]: f for f in data["audit"]["findings"]}
    has_action = found["8.7-nonconformity-has-action"]
    assert has_action["status"] == "minor_nonconformity"
    assert "7.8-decision-communicated" not in has_action["evidence"]["failed"]
    assert has_action["evidence"]["unit"] == "nonconformities"


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-3-1"), "--from: '2026-3-1' is not a date (expected YYYY-MM-DD)"),
        (("--to", "2026-02-30"), "--to: '2026-02-30' is not a date (expected YYYY-MM-DD)"),
        (("--from", "2026-03-10", "--to", "2026-03-01"), "--from 2026-03-10 is after --to"),
        (("--to", "2026-02-01"), "the period from 2026-03-02 to 2026-02-01 is empty"),
        (("--sample", "-1"), "--sample: must not be negative, got -1"),
        (("--as-of", "soon"), "--as-of: 'soon' is not an instant"),
        (("--config", "missing.toml"), "--config: no file at missing.toml"),
        (("--attestations", "missing.json"), "--attestations: no file at missing.json"),
    ],
)
def test_bad_audit_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], demo_db: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(capsys, "audit", "--db", demo_db, *args)
    assert result.code == 2
    assert result.error_line.startswith(f"iso10002: error: {message}")
    assert len(result.err.splitlines()) == 1
    assert result.out == ""


def test_a_missing_database_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "nowhere.db"
    for command in (("audit",), ("review", "--actions", "actions.json")):
        result = run(capsys, *command, "--db", db)
        assert result.code == 1
        assert result.error_line.startswith(f"iso10002: error: no database at {db}")
        assert not db.exists()  # reading never creates one


def test_an_empty_database_needs_a_period(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "empty.db"
    SQLiteEventStore(db).close()
    result = run(capsys, "audit", "--db", db)
    assert result.code == 2
    assert "holds no complaint; give the period with --from and --to" in result.error_line
    data = audit_json(capsys, db, "--from", "2026-03-01", "--to", "2026-03-31")
    assert data["complaints"] == 0
    assert "not_applicable" in statuses(data).values()


def test_a_bad_config_file_names_the_file_and_field(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    config = tmp_path / "programme.toml"
    text = PROGRAMME.read_text(encoding="utf-8")
    config.write_text(text.replace('version = "2025.1"', "version = 2025"), encoding="utf-8")
    result = run(capsys, "audit", "--db", demo_db, "--config", config)
    assert result.code == 2
    assert result.error_line.startswith(f"iso10002: error: --config: {config}: $.version")


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("[", "$: not valid JSON"),
        ("{}", "$: expected a JSON array"),
        ('[{"criterion": "8.6-management-review-held"}]', "$[0]"),
        (
            (
                '[{"criterion": "7.2-record-complete", "by": "A", "at": "2026-04-02T10:00:00Z", '
                '"conforms": true, "statement": "S", "evidence": "E"}]'
            ),
            "attestations[0].criterion: '7.2-record-complete' is evidenced by the history",
        ),
    ],
)
def test_a_bad_attestations_file_names_the_file_and_path(
    capsys: pytest.CaptureFixture[str],
    demo_db: Path,
    tmp_path: Path,
    content: str,
    where: str,
) -> None:
    file = tmp_path / "attestations.json"
    file.write_text(content, encoding="utf-8")
    result = run(capsys, "audit", "--db", demo_db, "--attestations", file)
    assert result.code == 2
    assert result.error_line.startswith(f"iso10002: error: --attestations: {file}: {where}")


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("[", "$: not valid JSON"),
        (
            (
                '[{"id": "IA-1", "title": "T", "owner": "O", "due": "2026-04-31", '
                '"status": "open", "opened_on": "2026-04-01"}]'
            ),
            "$[0].due: '2026-04-31' is not a YYYY-MM-DD date",
        ),
        (
            (
                '[{"id": "IA-1", "title": "T", "owner": "O", "due": "2026-04-30", '
                '"status": "done", "opened_on": "2026-04-01"}]'
            ),
            "$[0].closed_on: an action that is done needs its closing date",
        ),
    ],
)
def test_a_bad_actions_file_names_the_file_and_path(
    capsys: pytest.CaptureFixture[str],
    demo_db: Path,
    tmp_path: Path,
    content: str,
    where: str,
) -> None:
    file = tmp_path / "actions.json"
    file.write_text(content, encoding="utf-8")
    result = run(capsys, "review", "--db", demo_db, "--actions", file)
    assert result.code == 2
    assert result.error_line.startswith(f"iso10002: error: --actions: {file}: {where}")


def test_review_needs_an_actions_file(capsys: pytest.CaptureFixture[str], demo_db: Path) -> None:
    result = run(capsys, "review", "--db", demo_db)
    assert result.code == 2
    assert "--actions" in result.err
    result = run(capsys, "review", "--db", demo_db, "--actions", "none.json")
    assert result.code == 2
    assert result.error_line == "iso10002: error: --actions: no file at none.json"
