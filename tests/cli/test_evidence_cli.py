"""``iso10002 evidence`` and ``evidence verify``; signed audit reports; 4.9 on a tampered file."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from iso10002.audit.signing import ed25519_keypair

from .support import run
from .test_audit_cli import AS_OF


def _pack(capsys: pytest.CaptureFixture[str], db: Path, out: Path, *extra: str | Path) -> None:
    result = run(
        capsys, "evidence", "--db", db, "--as-of", AS_OF, "--auditor", "A. Auditor", "--out", out,
        *extra,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "evidence pack written to" in result.out


def test_evidence_writes_a_pack_that_verifies_and_names_a_changed_file(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    pack = tmp_path / "pack.zip"
    _pack(capsys, demo_db, pack)
    ok = run(capsys, "evidence", "verify", pack)
    assert ok.code == 0, ok.out
    assert ok.out.count("\n") == 1 and ": OK: " in ok.out
    with zipfile.ZipFile(pack) as z:
        members = {name: z.read(name) for name in z.namelist()}
    html = bytearray(members["audit/report.html"])
    html[100] ^= 0x20
    with zipfile.ZipFile(pack, "w") as z:
        for name, data in {**members, "audit/report.html": bytes(html)}.items():
            z.writestr(name, data)
    bad = run(capsys, "evidence", "verify", pack)
    assert bad.code == 1
    assert "FAILED: audit/report.html: its SHA-256 does not match the manifest" in bad.out


def test_a_signed_pack_checks_with_the_public_key_only(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    private, public = ed25519_keypair()
    (tmp_path / "private.pem").write_bytes(private)
    (tmp_path / "public.pem").write_bytes(public)
    (tmp_path / "other.pem").write_bytes(ed25519_keypair()[1])
    pack = tmp_path / "pack.zip"
    _pack(capsys, demo_db, pack, "--key-file", tmp_path / "private.pem")
    good = run(capsys, "evidence", "verify", pack, "--public-key", tmp_path / "public.pem")
    assert good.code == 0, good.out
    assert "signature verified" in good.out
    wrong = run(capsys, "evidence", "verify", pack, "--public-key", tmp_path / "other.pem")
    assert wrong.code == 1
    assert "manifest.sig: does not verify" in wrong.out


def test_evidence_writes_evidence_zip_without_out_and_refuses_a_folder(
    capsys: pytest.CaptureFixture[str],
    demo_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(capsys, "evidence", "--db", demo_db, "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert run(capsys, "evidence", "verify", tmp_path / "evidence.zip").code == 0
    refused = run(capsys, "evidence", "--db", demo_db, "--as-of", AS_OF, "--out", tmp_path)
    assert refused.code == 2
    assert "--out" in refused.error_line


def test_audit_signs_its_json_and_audit_verify_checks_the_key(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    key, other = tmp_path / "hmac.key", tmp_path / "other.key"
    key.write_bytes(b"0123456789abcdef0123456789abcdef\n")
    other.write_bytes(b"fedcba9876543210fedcba9876543210\n")
    out = tmp_path / "audit.json"
    result = run(
        capsys, "audit", "--db", demo_db, "--as-of", AS_OF, "--format", "json",
        "--signed-off-by", "Head of Quality", "--key-file", key, "--out", out,
    )  # fmt: skip
    assert result.code == 0, result.err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["signature"]["algorithm"] == "hmac-sha256"
    assert data["signed_off_at"] is not None
    assert run(capsys, "audit", "verify", out, "--key-file", key).code == 0
    refused = run(capsys, "audit", "verify", out, "--key-file", other)
    assert refused.code == 1
    assert "signature does not verify" in refused.out


def test_the_audit_of_a_tampered_database_fails_criterion_4_9(
    capsys: pytest.CaptureFixture[str], demo_db: Path, tmp_path: Path
) -> None:
    db = Path(shutil.copy(demo_db, tmp_path / "complaints.db"))
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE events SET payload = replace(payload, 'default policy', 'default polity') "
            "WHERE position = (SELECT min(position) FROM events WHERE type = 'sla_policy_applied')"
        )
    conn.close()
    result = run(capsys, "audit", "--db", db, "--as-of", AS_OF, "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    (finding,) = [f for f in data["findings"] if f["criterion"] == "4.9-history-integrity"]
    assert finding["status"] == "major_nonconformity"
    assert "altered" in finding["summary"]
    assert data["record"]["verified"] is False
