"""Signatures: HMAC-SHA256 and Ed25519 keys, signed reports and signed attestations."""

from __future__ import annotations

import builtins
import datetime as _dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from iso10002 import ComplaintDesk, FixedClock, serialization
from iso10002.audit.digest import check_attestation, sign_attestation, sign_report, verify_report
from iso10002.audit.findings import Attestation
from iso10002.audit.reports import report_to_json
from iso10002.audit.run import run_audit
from iso10002.audit.signing import ED25519, HMAC_SHA256, SigningKey, ed25519_keypair, read_key
from iso10002.errors import ValidationError
from iso10002.testing import SAMPLE_START

from .support import decided_not_communicated
from .test_point_in_time import DAY, PERIOD

SECRET = b"a secret of thirty-two bytes!!!!"


def _report(**people: Any) -> str:
    desk = ComplaintDesk(clock=FixedClock(SAMPLE_START))
    decided_not_communicated(desk)
    report = run_audit(
        desk.store,
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        now=SAMPLE_START + 5 * DAY,
        **people,
    )
    return report_to_json(report)


def test_hmac_signs_and_checks_and_rejects_altered_content_and_other_keys() -> None:
    key = SigningKey.hmac_secret(SECRET)
    signature = key.sign(b"content")
    assert signature.algorithm == HMAC_SHA256
    assert key.check(b"content", signature) is None
    assert key.check(b"Content", signature) == "the signature does not match"
    other = SigningKey.hmac_secret(SECRET[::-1])
    assert "another key" in str(other.check(b"content", signature))
    with pytest.raises(ValidationError, match="at least 16 bytes"):
        SigningKey.hmac_secret(b"short")


def test_ed25519_private_key_signs_its_public_key_checks() -> None:
    private, public = ed25519_keypair()
    signature = SigningKey.ed25519_private(private).sign(b"content")
    checker = SigningKey.ed25519_public(public)
    assert signature.algorithm == ED25519
    assert checker.check(b"content", signature) is None
    assert checker.check(b"content!", signature) == "the signature does not match"
    _, other = ed25519_keypair()
    assert SigningKey.ed25519_public(other).check(b"content", signature) is not None
    assert not checker.can_sign
    with pytest.raises(ValidationError, match="cannot sign"):
        checker.sign(b"content")


def test_read_key_tells_the_kinds_of_key_file_apart(tmp_path: Path) -> None:
    private, public = ed25519_keypair()
    (tmp_path / "private.pem").write_bytes(private)
    (tmp_path / "public.pem").write_bytes(public)
    (tmp_path / "secret.key").write_bytes(SECRET + b"\n")
    (tmp_path / "empty.key").write_bytes(b"\n")
    assert read_key(tmp_path / "private.pem").algorithm == ED25519
    assert read_key(tmp_path / "public.pem", public=True).algorithm == ED25519
    assert read_key(tmp_path / "secret.key").key_id == SigningKey.hmac_secret(SECRET).key_id
    with pytest.raises(ValidationError, match="public key, which cannot sign"):
        read_key(tmp_path / "public.pem")
    with pytest.raises(ValidationError, match="is empty"):
        read_key(tmp_path / "empty.key")
    with pytest.raises(ValidationError, match="cannot read"):
        read_key(tmp_path / "absent.key")


def test_ed25519_without_the_extra_is_a_library_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def without_cryptography(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("cryptography"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_cryptography)
    with pytest.raises(ValidationError, match=r"iso10002\[signing\]"):
        ed25519_keypair()
    # HMAC needs nothing beyond the standard library.
    assert SigningKey.hmac_secret(SECRET).sign(b"x").value


def test_a_signed_report_verifies_with_its_key_only() -> None:
    text = _report(auditor="A. Auditor", signed_off_by="Head of Quality")
    key = SigningKey.hmac_secret(SECRET)
    signed = sign_report(text, key)
    assert json.loads(signed)["signature"]["key_id"] == key.key_id
    assert verify_report(signed).ok
    assert verify_report(signed, key=key).ok
    assert not verify_report(text, key=key).ok  # not signed
    wrong = verify_report(signed, key=SigningKey.hmac_secret(SECRET[::-1]))
    assert not wrong.ok and "another key" in wrong.reason
    altered = signed.replace("Head of Quality", "Head of Qualitx")
    assert not verify_report(altered, key=key).ok
    private, public = ed25519_keypair()
    by_ed25519 = sign_report(text, SigningKey.ed25519_private(private))
    assert verify_report(by_ed25519, key=SigningKey.ed25519_public(public)).ok
    with pytest.raises(ValidationError, match="not match its digest"):
        sign_report(altered, key)


def test_the_sign_off_carries_who_and_when() -> None:
    at = _dt.datetime(2026, 5, 1, 9, 30, tzinfo=_dt.timezone.utc)
    text = _report(signed_off_by="Head of Quality", signed_off_at=at)
    assert json.loads(text)["signed_off_at"] == at.isoformat()
    with pytest.raises(ValidationError) as e:
        _report(signed_off_by="Head of Quality", signed_off_at=at.replace(tzinfo=None))
    assert e.value.field == "signed_off_at"


def test_a_signed_attestation_is_recorded_and_checked() -> None:
    attestation = Attestation(
        criterion="8.6-management-review-held",
        by="Dana Chief",
        at=SAMPLE_START + DAY,
        conforms=True,
        statement="Reviewed in the March board meeting.",
        evidence="Board minutes 2026-03",
    )
    private, public = ed25519_keypair()
    signed = sign_attestation(attestation, SigningKey.ed25519_private(private))
    checker = SigningKey.ed25519_public(public)
    assert check_attestation(signed, checker) is None
    assert check_attestation(attestation, checker) == "the attestation is not signed"
    altered = attrs.evolve(signed, conforms=False)
    assert check_attestation(altered, checker) == "the signature does not match"
    # Through the JSON an audit reads its attestations from, and into the report.
    again = serialization.structure(serialization.unstructure(signed), Attestation)
    assert check_attestation(again, checker) is None
    data = json.loads(_report(attestations=[again]))
    (finding,) = [f for f in data["findings"] if f["criterion"] == attestation.criterion]
    assert finding["attestation"]["signature"]["algorithm"] == ED25519
