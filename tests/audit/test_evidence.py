"""The evidence pack: built from a real SQLite database, checked, and refused when changed."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from iso10002.audit.evidence import (
    MANIFEST,
    MANIFEST_SIGNATURE,
    MASKED,
    build_evidence_pack,
    verify_evidence_pack,
)
from iso10002.audit.signing import SigningKey, ed25519_keypair
from iso10002.errors import ValidationError
from iso10002.storage.sqlite import SQLiteEventStore

from .evidence_support import audit, complaint, demo_database


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory.mktemp("evidence") / "complaints.db")


def _build(database: Path, out: Path, **options: object) -> tuple[Path, list[str]]:
    with SQLiteEventStore(database) as store:
        report = audit(store)
        build_evidence_pack(store, report, out, **options)  # type: ignore[arg-type]
    return out, list(report.sample)


def _members(pack: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(pack) as z:
        return {name: z.read(name) for name in z.namelist()}


def _rewrite(pack: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(pack, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def test_a_pack_from_a_sqlite_database_holds_every_part_and_verifies(
    database: Path, tmp_path: Path
) -> None:
    pack, sample = _build(database, tmp_path / "pack.zip")
    members = _members(pack)
    assert {"audit/report.json", "audit/report.html", "review/review.json"} <= set(members)
    assert {"review/review.html", "integrity/verify.json", "configurations/index.json"} <= set(
        members
    )
    assert sample and all(f"histories/{ref}.json" in members for ref in sample)
    manifest = json.loads(members[MANIFEST])
    listed = {f["name"] for f in manifest["files"]}
    assert listed == set(members) - {MANIFEST}
    assert manifest["auditor"] == "A. Auditor"
    assert manifest["as_of"] == "2026-04-20T00:00:00+00:00"
    assert manifest["scope"]["sample"] == sample
    report = json.loads(members["audit/report.json"])
    assert manifest["chain_head"] == report["record"]["head"]
    verified = json.loads(members["integrity/verify.json"])
    assert verified["verified_now"]["finding"] is None
    assert verified["record_as_of"]["head"] == manifest["chain_head"]
    index = json.loads(members["configurations/index.json"])
    kept = [entry["file"] for entry in index if entry["file"]]
    assert kept and all(name in members for name in kept)
    assert json.loads(members[kept[0]])["kind"] == "sla_policy"
    check = verify_evidence_pack(pack)
    assert check.ok, check.problems
    assert check.files == len(listed)
    assert check.chain_head == manifest["chain_head"]


def test_one_byte_changed_in_any_member_fails_naming_it(database: Path, tmp_path: Path) -> None:
    pack, _ = _build(database, tmp_path / "pack.zip")
    original = _members(pack)
    for name, data in original.items():
        changed = bytearray(data)
        at = len(changed) // 2
        changed[at] = changed[at] ^ 0x01
        _rewrite(pack, {**original, name: bytes(changed)})
        check = verify_evidence_pack(pack)
        assert not check.ok, name
        assert check.failed == (name,), (name, check.problems)
        assert check.problems[0].startswith(f"{name}: ")


def test_a_removed_member_an_added_member_and_a_corrupt_manifest_fail(
    database: Path, tmp_path: Path
) -> None:
    pack, sample = _build(database, tmp_path / "pack.zip")
    original = _members(pack)
    gone = f"histories/{sample[0]}.json"
    _rewrite(pack, {k: v for k, v in original.items() if k != gone})
    assert verify_evidence_pack(pack).problems == (f"{gone}: missing",)

    _rewrite(pack, {**original, "notes.txt": b"added later"})
    assert verify_evidence_pack(pack).problems == ("notes.txt: not listed in the manifest",)

    _rewrite(pack, {**original, MANIFEST: b"{not json"})
    (problem,) = verify_evidence_pack(pack).problems
    assert problem.startswith("manifest.json: not intact: not a JSON manifest")

    _rewrite(pack, {k: v for k, v in original.items() if k != MANIFEST})
    assert verify_evidence_pack(pack).problems == ("manifest.json: missing",)

    (tmp_path / "not.zip").write_bytes(b"plain text")
    assert not verify_evidence_pack(tmp_path / "not.zip").ok


def _personal_values(database: Path, sample: list[str]) -> list[str]:
    values: list[str] = []
    with SQLiteEventStore(database) as store:
        for reference in sample:
            c = complaint(store, reference)
            values.append(c.complainant.name)
            if c.complainant.contact.email is not None:
                values.append(c.complainant.contact.email)
    assert values
    return values


def test_histories_are_masked_unless_personal_data_is_asked_for(
    database: Path, tmp_path: Path
) -> None:
    pack, sample = _build(database, tmp_path / "masked.zip")
    members = _members(pack)
    values = _personal_values(database, sample)
    for name, data in members.items():
        text = data.decode("utf-8")
        for value in values:
            assert value not in text, (name, value)
    history = json.loads(members[f"histories/{sample[0]}.json"])
    assert history[0]["payload"]["complainant"]["name"] == MASKED
    assert json.loads(members[MANIFEST])["personal_data"] == "masked"

    full, _ = _build(database, tmp_path / "full.zip", with_personal_data=True)
    histories = b"".join(v for k, v in _members(full).items() if k.startswith("histories/"))
    assert all(value in histories.decode("utf-8") for value in values)
    assert verify_evidence_pack(full).ok


def test_a_signed_pack_verifies_with_its_key_and_not_with_another(
    database: Path, tmp_path: Path
) -> None:
    private, public = ed25519_keypair()
    pack, _ = _build(database, tmp_path / "signed.zip", key=SigningKey.ed25519_private(private))
    assert MANIFEST_SIGNATURE in _members(pack)
    check = verify_evidence_pack(pack, key=SigningKey.ed25519_public(public))
    assert check.ok and check.signed is True
    _, other = ed25519_keypair()
    wrong = verify_evidence_pack(pack, key=SigningKey.ed25519_public(other))
    assert wrong.failed == (MANIFEST_SIGNATURE,)
    assert "another key" in wrong.problems[0]
    hmac_key = SigningKey.hmac_secret(b"k" * 32)
    assert not verify_evidence_pack(pack, key=hmac_key).ok

    unsigned, _ = _build(database, tmp_path / "unsigned.zip")
    refused = verify_evidence_pack(unsigned, key=SigningKey.ed25519_public(public))
    assert refused.problems == ("manifest.sig: missing: the pack is not signed",)


def test_the_signed_pack_report_carries_the_signature(database: Path, tmp_path: Path) -> None:
    key = SigningKey.hmac_secret(b"s" * 32)
    pack, _ = _build(database, tmp_path / "signed.zip", key=key)
    report = json.loads(_members(pack)["audit/report.json"])
    assert report["signature"]["algorithm"] == "hmac-sha256"
    assert report["signed_off_at"] == "2026-04-20T00:00:00+00:00"


def test_a_public_key_cannot_sign_a_pack_and_nothing_is_written(
    database: Path, tmp_path: Path
) -> None:
    _, public = ed25519_keypair()
    out = tmp_path / "pack.zip"
    with pytest.raises(ValidationError, match="cannot sign"):
        _build(database, out, key=SigningKey.ed25519_public(public))
    assert not out.exists()
    with pytest.raises(ValidationError) as e:
        _build(database, tmp_path / "missing" / "pack.zip")
    assert e.value.field == "out"
    assert list(tmp_path.iterdir()) == []
