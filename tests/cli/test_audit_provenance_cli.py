"""``iso10002 audit``: who took and signed off the audit, and ``audit verify`` of its JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .support import run
from .test_audit_cli import AS_OF


def _write_report(capsys: pytest.CaptureFixture[str], db: Path, out: Path) -> None:
    result = run(
        capsys,
        "audit",
        "--db",
        db,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--auditor",
        "A. Auditor",
        "--signed-off-by",
        "Head of Quality",
        "--out",
        out,
    )
    assert result.code == 0, result.err


def test_the_report_names_auditor_sign_off_and_record(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "audit.json"
    _write_report(capsys, demo_db, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["auditor"] == "A. Auditor"
    assert data["signed_off_by"] == "Head of Quality"
    assert data["record"]["verified"] is True
    assert data["record"]["head"]
    assert data["scope"]["workflow"] == "iso10002-standard"


def test_audit_verify_accepts_the_report_and_refuses_it_with_one_byte_changed(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "audit.json"
    _write_report(capsys, demo_db, out)
    intact = run(capsys, "audit", "verify", out)
    assert intact.code == 0, intact.err
    assert "intact" in intact.out
    raw = bytearray(out.read_bytes())
    at = raw.index(b'"auditor": "A') + len('"auditor": "')
    raw[at] = ord("B")
    out.write_bytes(bytes(raw))
    changed = run(capsys, "audit", "verify", out)
    assert changed.code == 1
    assert "NOT intact" in changed.out


def test_the_audit_judges_the_workflow_it_is_given(
    capsys: pytest.CaptureFixture[str], demo_db: Path
) -> None:
    workflow = Path(__file__).resolve().parents[2] / "examples" / "workflows" / "small-shop.toml"
    result = run(
        capsys,
        "audit",
        "--db",
        demo_db,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--workflow",
        workflow,
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    finding = next(f for f in data["findings"] if f["criterion"] == "7-workflow-conforms")
    assert finding["evidence"]["configuration"]["workflow"] == data["scope"]["workflow"]
    assert data["scope"]["workflow"] != "iso10002-standard"
    missing = run(capsys, "audit", "--db", demo_db, "--workflow", "no-such.toml")
    assert missing.code == 2
    assert "--workflow" in missing.err
