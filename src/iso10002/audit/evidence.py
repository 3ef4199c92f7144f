"""
The evidence pack: one zip file an auditor can take away and check, holding what an audit
rests on.

:func:`build_evidence_pack` writes, for an audit already run:

- ``audit/report.json`` and ``audit/report.html``: the audit report (its JSON sealed by its
  digest, and signed when a key is given);
- ``review/review.json`` and ``review/review.html``: the management review pack;
- ``configurations/index.json`` and one ``configurations/<hex>.json`` per recorded
  configuration that governed the complaints in scope (the store's configuration records);
- ``integrity/verify.json``: :func:`~iso10002.integrity.verify` run as the pack is built, and
  the record as of the audit's instant (the chain head the audit names);
- ``histories/<reference>.json``: the history, as of the audit's instant, of each complaint of
  the audit's sample, with every personal value replaced by ``[masked]`` unless the pack is
  built ``with_personal_data``;
- ``manifest.json``: every other file with its SHA-256 and size, the library version, the
  scope, the instant, the auditor and the chain head, sealed by its own digest;
- ``manifest.sig``, when a key is given: the signature of ``manifest.json``'s bytes.

:func:`verify_evidence_pack` checks a pack: the manifest intact and well formed, every file it
lists present with its hash and size, no file it does not list, and with a key the signature.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from iso10002 import serialization
from iso10002.audit.actions import ImprovementAction
from iso10002.audit.digest import check_sealed_json, sealed_json, sign_report
from iso10002.audit.findings import AuditReport
from iso10002.audit.provenance import library_version
from iso10002.audit.reports import report_to_dict, report_to_html, report_to_json
from iso10002.audit.review import build_review_pack, review_to_html, review_to_json
from iso10002.audit.signing import SigningKey, signature_from_dict, signature_to_dict
from iso10002.errors import SerializationError, ValidationError
from iso10002.integrity.verify import verify
from iso10002.model.events import Event
from iso10002.ports.store import EventStore, is_configuration_store
from iso10002.privacy.sealing import MARKER, seal_event

__all__ = [
    "EVIDENCE_FORMAT",
    "MANIFEST",
    "MANIFEST_SIGNATURE",
    "MASKED",
    "EvidenceCheck",
    "EvidencePack",
    "build_evidence_pack",
    "masked_event",
    "verify_evidence_pack",
]

EVIDENCE_FORMAT = "iso10002-evidence/1"
"""Identifies the layout of an evidence pack's manifest; bumped only by an incompatible change."""

MANIFEST = "manifest.json"
"""The member that lists every other one with its hash."""

MANIFEST_SIGNATURE = "manifest.sig"
"""The member that holds the signature of the manifest's bytes, in a signed pack."""

MASKED = "[masked]"
"""What a personal value reads as in a pack built without personal data."""

# A fixed time for every member: the same audit gives the same bytes, whenever it is packed.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


@attrs.frozen(kw_only=True)
class EvidencePack:
    """What :func:`build_evidence_pack` wrote: where, its manifest's data, and its members."""

    path: Path
    manifest: Mapping[str, Any] = attrs.field(hash=False)
    members: tuple[str, ...]
    """Every member's name, the manifest (and its signature) included, in the zip's order."""


@attrs.frozen(kw_only=True)
class EvidenceCheck:
    """The outcome of :func:`verify_evidence_pack`."""

    problems: tuple[str, ...]
    """One line per fault, each starting with the member it is about: ``name: why``."""
    failed: tuple[str, ...]
    """The members at fault (``manifest.json`` when the manifest is), in order."""
    files: int = 0
    """Files the manifest lists."""
    chain_head: str | None = None
    """The chain head the manifest names."""
    signed: bool | None = None
    """Whether the signature was checked and holds; None when no key was given."""

    @property
    def ok(self) -> bool:
        """Whether nothing is at fault."""
        return not self.problems


# -- masking ------------------------------------------------------------------------------------


def _mask(value: Any) -> Any:
    """Every sealing marker in ``value`` replaced by :data:`MASKED`."""
    if isinstance(value, dict):
        if MARKER in value and len(value) == 1:
            return MASKED
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def masked_event(event: Event) -> dict[str, Any]:
    """
    The JSON record of ``event`` (as :func:`~iso10002.serialization.event_to_dict` writes it)
    with each personal value, and the complainant's id and name as actor, read as
    :data:`MASKED`: the fields sealing keeps apart, so the same ones erasure removes.
    """
    data = serialization.event_to_dict(event)
    # Every commitment is replaced below, so its salt is never seen: no need for random ones.
    sealed = seal_event(event, salt=lambda: "00")
    data["payload"] = _mask(sealed.payload)
    if sealed.actor is not None:
        data["actor"] = _mask(sealed.actor)
    return data


# -- building -----------------------------------------------------------------------------------


def _history(events: Iterable[Event], with_personal_data: bool) -> str:
    if with_personal_data:
        return serialization.history_to_json(events) + "\n"
    return serialization.pretty_json([masked_event(e) for e in events]) + "\n"


def _configurations(store: EventStore, report: AuditReport) -> Iterator[tuple[str, str]]:
    """The index of the report's configurations, and each record kept, as members."""
    index: list[dict[str, Any]] = []
    for fingerprint in report.configurations:
        record = store.configuration(fingerprint) if is_configuration_store(store) else None
        entry: dict[str, Any] = {"fingerprint": fingerprint, "file": None}
        if record is not None:
            name = f"configurations/{fingerprint.partition(':')[2] or fingerprint}.json"
            entry.update(file=name, kind=record.kind, name=record.name, version=record.version)
            yield name, serialization.pretty_json(serialization.unstructure(record)) + "\n"
        index.append(entry)
    yield "configurations/index.json", serialization.pretty_json(index) + "\n"


def _verify_result(store: EventStore, report: AuditReport, *, shared: bool) -> str:
    now: dict[str, Any] | None
    kept: str | None
    if shared:  # the head and the findings are other organisations' too
        now, kept = None, "the record is shared with other organisations; see record_as_of"
    else:
        now, kept = _verified_now(store)
    data = {
        "verified_now": now,
        "not_verifiable": kept,
        "as_of": report.generated_at.isoformat(),
        "record_as_of": report_to_dict(report)["record"],
    }
    return serialization.pretty_json(data) + "\n"


def _verified_now(store: EventStore) -> tuple[dict[str, Any] | None, str | None]:
    """What :func:`verify` finds now, or why the store cannot be verified."""
    try:
        found: dict[str, Any] = serialization.unstructure(verify(store))
    except ValidationError as e:  # the store keeps no hashes
        return None, e.reason
    return found, None


def _members(
    store: EventStore,
    report: AuditReport,
    actions: tuple[ImprovementAction, ...],
    with_personal_data: bool,
    key: SigningKey | None,
) -> Iterator[tuple[str, str]]:
    report_json = report_to_json(report) + "\n"
    if key is not None:
        report_json = sign_report(report_json, key)
    yield "audit/report.json", report_json
    yield "audit/report.html", report_to_html(report)
    on = report.generated_at.astimezone(_dt.timezone.utc).date()
    pack = build_review_pack(store, report, actions, on=on, organisation=report.tenant)
    yield "review/review.json", review_to_json(pack) + "\n"
    yield "review/review.html", review_to_html(pack)
    yield from _configurations(store, report)
    yield "integrity/verify.json", _verify_result(store, report, shared=report.tenant is not None)
    for reference in report.sample:
        cid = store.id_for_reference(reference)
        if cid is None:
            raise ValidationError("sample", f"no complaint {reference} in the store")
        history = [e for e in store.read(cid) if e.occurred_at <= report.generated_at]
        yield f"histories/{reference}.json", _history(history, with_personal_data)


def _manifest(
    report: AuditReport, files: list[dict[str, Any]], with_personal_data: bool
) -> dict[str, Any]:
    record = report.record
    return {
        "format": EVIDENCE_FORMAT,
        "library_version": library_version(),
        "scope": {
            "period": {"from": report.period_from.isoformat(), "to": report.period_to.isoformat()},
            "complaints": report.complaints,
            "workflow": report.workflow,
            "sample": list(report.sample),
        },
        "as_of": report.generated_at.isoformat(),
        "auditor": report.auditor,
        "signed_off_by": report.signed_off_by,
        "chain_head": None if record is None else record.head,
        "personal_data": "included" if with_personal_data else "masked",
        "files": files,
    }


def _write_zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    """Write the zip beside ``path`` and move it into place: never a half-written pack."""
    fd, temporary = tempfile.mkstemp(prefix=".evidence-", suffix=".zip", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build_evidence_pack(
    store: EventStore,
    report: AuditReport,
    out: str | Path,
    *,
    actions: Iterable[ImprovementAction] = (),
    with_personal_data: bool = False,
    key: SigningKey | None = None,
) -> EvidencePack:
    """
    Write the evidence pack of ``report`` (an audit of ``store``) to the zip file ``out``,
    replacing it if it exists. ``actions`` are the improvement actions of the review pack
    (pass the ones the audit was run with). With ``key``, the report and the manifest are
    signed. An audit kept to one organisation's (tenant's) complaints (``report.tenant``) makes
    a pack kept to them too: the review pack counts only theirs, and of the shared record the
    pack says only whether it verified.

    Raises:
        ValidationError: ``out``'s directory does not exist or is a directory (field ``out``),
            a sampled complaint is gone from the store, or ``key`` cannot sign.
    """
    path = Path(out)
    if path.is_dir():
        raise ValidationError("out", f"{out} is a directory")
    if not path.parent.is_dir():
        raise ValidationError("out", f"directory {path.parent} does not exist")
    if key is not None and not key.can_sign:
        raise ValidationError("key", "an Ed25519 public key checks signatures; it cannot sign")
    members: list[tuple[str, bytes]] = []
    files: list[dict[str, Any]] = []
    for name, text in _members(store, report, tuple(actions), with_personal_data, key):
        data = text.encode("utf-8")
        members.append((name, data))
        files.append({"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    manifest_text = sealed_json(_manifest(report, files, with_personal_data))
    manifest = manifest_text.encode("utf-8")
    members.append((MANIFEST, manifest))
    if key is not None:
        signature = signature_to_dict(key.sign(manifest))
        members.append((MANIFEST_SIGNATURE, (serialization.pretty_json(signature) + "\n").encode()))
    _write_zip(path, members)
    data = serialization.parse_json(manifest_text)
    return EvidencePack(path=path, manifest=data, members=tuple(n for n, _ in members))


# -- checking -----------------------------------------------------------------------------------


class _Faults:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.failed: list[str] = []

    def add(self, name: str, why: str) -> None:
        self.problems.append(f"{name}: {why}")
        if name not in self.failed:
            self.failed.append(name)

    def check(self, **kw: Any) -> EvidenceCheck:
        return EvidenceCheck(problems=tuple(self.problems), failed=tuple(self.failed), **kw)


def _listed(manifest: Mapping[str, Any], faults: _Faults) -> dict[str, tuple[str, int]] | None:
    """The files the manifest lists, by name: ``(sha256, size)``; None if it is malformed."""
    if manifest.get("format") != EVIDENCE_FORMAT:
        faults.add(MANIFEST, f"format is {manifest.get('format')!r}, not {EVIDENCE_FORMAT!r}")
        return None
    files = manifest.get("files")
    if not isinstance(files, list):
        faults.add(MANIFEST, "files: expected an array")
        return None
    listed: dict[str, tuple[str, int]] = {}
    for i, entry in enumerate(files):
        where = f"files[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"name", "sha256", "size"}:
            faults.add(MANIFEST, f"{where}: expected an object with name, sha256 and size")
            return None
        name, digest, size = entry["name"], entry["sha256"], entry["size"]
        if not isinstance(name, str) or not _SAFE_NAME.match(name) or name in listed:
            faults.add(MANIFEST, f"{where}.name: not a unique relative member name: {name!r}")
            return None
        if name in (MANIFEST, MANIFEST_SIGNATURE):
            faults.add(MANIFEST, f"{where}.name: the manifest cannot list {name}")
            return None
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            faults.add(MANIFEST, f"{where}.sha256: expected 64 lower-case hex digits")
            return None
        if type(size) is not int or size < 0:
            faults.add(MANIFEST, f"{where}.size: expected a non-negative integer")
            return None
        listed[name] = (digest, size)
    return listed


def _signature(archive: zipfile.ZipFile, manifest: bytes, key: SigningKey, faults: _Faults) -> bool:
    try:
        raw = archive.read(MANIFEST_SIGNATURE)
    except KeyError:
        faults.add(MANIFEST_SIGNATURE, "missing: the pack is not signed")
        return False
    try:
        signature = signature_from_dict(serialization.parse_json(raw), path="$")
    except SerializationError as e:
        faults.add(MANIFEST_SIGNATURE, f"malformed: {e}")
        return False
    wrong = key.check(manifest, signature)
    if wrong is not None:
        faults.add(MANIFEST_SIGNATURE, f"does not verify: {wrong}")
        return False
    return True


def verify_evidence_pack(path: str | Path, *, key: SigningKey | None = None) -> EvidenceCheck:
    """
    Check the evidence pack at ``path``: its manifest is intact (its digest) and well formed,
    every file it lists is there with its SHA-256 and size, and nothing else is, but the
    manifest's signature; with ``key`` (the HMAC secret, or the Ed25519 public key), the
    signature must be that key's. Never raises for a bad pack: the check says what is wrong,
    naming each member at fault.
    """
    faults = _Faults()
    try:
        raw = Path(path).read_bytes()
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except OSError as e:
        faults.add(str(path), f"cannot be read: {e.strerror or e}")
        return faults.check()
    except zipfile.BadZipFile as e:
        faults.add(str(path), f"not a zip archive ({e})")
        return faults.check()
    with archive:
        names = [i.filename for i in archive.infolist()]
        for name in sorted({n for n in names if names.count(n) > 1}):
            faults.add(name, "stored more than once")
        if MANIFEST not in names:
            faults.add(MANIFEST, "missing")
            return faults.check()
        manifest = archive.read(MANIFEST)
        data, why = check_sealed_json(manifest, "manifest")
        if data is None:
            faults.add(MANIFEST, f"not intact: {why}")
            return faults.check()
        listed = _listed(data, faults)
        if listed is None:
            return faults.check()
        head = data.get("chain_head")
        for name, (digest, size) in listed.items():
            if name not in names:
                faults.add(name, "missing")
                continue
            content = archive.read(name)
            if len(content) != size:
                faults.add(name, f"size {len(content)}, the manifest says {size}")
            if hashlib.sha256(content).hexdigest() != digest:
                faults.add(name, "its SHA-256 does not match the manifest")
        for name in names:
            if name not in listed and name not in (MANIFEST, MANIFEST_SIGNATURE):
                faults.add(name, "not listed in the manifest")
        signed = None if key is None else _signature(archive, manifest, key, faults)
        return faults.check(
            files=len(listed), chain_head=head if isinstance(head, str) else None, signed=signed
        )
