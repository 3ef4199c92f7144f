"""Audit reports: the stable JSON layout, Markdown, and the self-contained printable HTML page."""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

import pytest

from iso10002.audit.criteria import criteria
from iso10002.audit.findings import (
    REPORT_FORMAT,
    Attestation,
    AuditReport,
    Evidence,
    EvidenceKind,
    Finding,
    FindingStatus,
    Weight,
)
from iso10002.audit.reports import (
    MAX_REFERENCES,
    report_to_dict,
    report_to_html,
    report_to_json,
    report_to_markdown,
)

UTC = _dt.timezone.utc
AT = _dt.datetime(2026, 4, 2, 10, 30, tzinfo=UTC)

TOP_KEYS = {
    "format",
    "organisation",
    "programme_version",
    "period",
    "generated_at",
    "complaints",
    "counts",
    "findings",
    "sample",
    "scope",
    "library_version",
    "record",
    "configurations",
    "auditor",
    "signed_off_by",
    "signed_off_at",
    "digest",
}
FINDING_KEYS = {
    "criterion",
    "clause",
    "question",
    "evidence_kind",
    "weight",
    "status",
    "summary",
    "evidence",
    "attestation",
}
EVIDENCE_KEYS = {
    "checked",
    "failed",
    "conforming_rate",
    "configuration",
    "notes",
    "unit",
    "unmet",
}
ATTESTATION_KEYS = {"criterion", "by", "at", "conforms", "statement", "evidence", "signature"}


def refs(*numbers: int) -> tuple[str, ...]:
    return tuple(f"CMP-2026-{n:06d}" for n in numbers)


def attestation(**changes: object) -> Attestation:
    values: dict[str, object] = {
        "criterion": "8.6-management-review-held",
        "by": "Dana Chief (CEO)",
        "at": AT,
        "conforms": True,
        "statement": "The board reviewed complaints handling on 30 March.",
        "evidence": "Board minutes 2026-03-30, item 4",
    }
    values.update(changes)
    return Attestation(**values)  # type: ignore[arg-type]


def sample_report(
    *, organisation: str | None = "Acme Retail Ltd", failed: tuple[str, ...] = refs(3, 7)
) -> AuditReport:
    findings = (
        Finding(
            criterion="7.4-acknowledged-in-time",
            clause="7.4",
            question="Was every complaint acknowledged within its target?",
            evidence_kind=EvidenceKind.HISTORY,
            weight=Weight.MINOR,
            status=FindingStatus.MINOR_NONCONFORMITY if failed else FindingStatus.CONFORMING,
            summary=f"{len(failed)} of 40 complaints do not conform.",
            evidence=Evidence(checked=40, failed=failed),
        ),
        Finding(
            criterion="4.8-no-charges",
            clause="4.8",
            question="Is access to the complaints process free of charge?",
            evidence_kind=EvidenceKind.CONFIGURATION,
            weight=Weight.MAJOR,
            status=FindingStatus.CONFORMING,
            summary="Access to the complaints process is free of charge.",
            evidence=Evidence(configuration={"charges.charged": "false"}, notes=("read once",)),
        ),
        Finding(
            criterion="8.6-management-review-held",
            clause="8.6",
            question="Did top management review the complaints-handling process in the period?",
            evidence_kind=EvidenceKind.ATTESTATION,
            weight=Weight.MINOR,
            status=FindingStatus.CONFORMING,
            summary="Attested by Dana Chief (CEO).",
            evidence=Evidence(),
            attestation=attestation(),
        ),
        Finding(
            criterion="5.2-leadership-commitment",
            clause="5.2",
            question="Has top management shown commitment to complaints handling?",
            evidence_kind=EvidenceKind.ATTESTATION,
            weight=Weight.MAJOR,
            status=FindingStatus.AWAITING_ATTESTATION,
            summary="Nobody has attested this yet.",
            evidence=Evidence(),
        ),
    )
    return AuditReport(
        organisation=organisation,
        programme_version="2026.1",
        period_from=_dt.date(2026, 3, 1),
        period_to=_dt.date(2026, 4, 1),
        generated_at=AT,
        complaints=40,
        findings=findings,
        sample_seed=7,
        sample=refs(2, 11, 31),
    )


# -- JSON -------------------------------------------------------------------------------------


def test_json_has_exactly_the_documented_keys() -> None:
    data = json.loads(report_to_json(sample_report()))
    assert set(data) == TOP_KEYS
    assert set(data["period"]) == {"from", "to"}
    assert set(data["sample"]) == {"seed", "references"}
    assert set(data["counts"]) == {s.value for s in FindingStatus}
    for finding in data["findings"]:
        assert set(finding) == FINDING_KEYS
        assert set(finding["evidence"]) == EVIDENCE_KEYS
        if finding["attestation"] is not None:
            assert set(finding["attestation"]) == ATTESTATION_KEYS


def test_json_values_are_plain_and_traceable() -> None:
    report = sample_report()
    data = report_to_dict(report)
    assert json.loads(json.dumps(data)) == data  # plain JSON types only
    assert data["format"] == REPORT_FORMAT
    assert data["organisation"] == "Acme Retail Ltd"
    assert data["programme_version"] == "2026.1"
    assert data["period"] == {"from": "2026-03-01", "to": "2026-04-01"}
    assert data["generated_at"] == "2026-04-02T10:30:00+00:00"
    assert data["complaints"] == 40
    assert data["counts"]["minor_nonconformity"] == 1
    assert data["counts"]["conforming"] == 2
    assert data["counts"]["awaiting_attestation"] == 1
    assert data["counts"]["major_nonconformity"] == 0
    assert data["sample"] == {"seed": 7, "references": list(refs(2, 11, 31))}
    assert [f["criterion"] for f in data["findings"]] == [f.criterion for f in report.findings]
    ack, charges, review, _ = data["findings"]
    assert ack["status"] == "minor_nonconformity"
    assert ack["evidence_kind"] == "history"
    assert ack["weight"] == "minor"
    assert ack["evidence"]["failed"] == list(refs(3, 7))
    assert ack["evidence"]["conforming_rate"] == pytest.approx(38 / 40)
    assert charges["evidence"]["configuration"] == {"charges.charged": "false"}
    assert charges["evidence"]["conforming_rate"] is None
    assert charges["evidence"]["notes"] == ["read once"]
    assert review["attestation"]["by"] == "Dana Chief (CEO)"
    assert review["attestation"]["at"] == "2026-04-02T10:30:00+00:00"
    assert review["attestation"]["conforms"] is True


def test_json_lists_every_failed_reference_uncapped() -> None:
    many = refs(*range(1, MAX_REFERENCES + 20))
    data = json.loads(report_to_json(sample_report(failed=many)))
    assert data["findings"][0]["evidence"]["failed"] == list(many)


def test_json_without_programme_has_nulls() -> None:
    data = report_to_dict(sample_report(organisation=None))
    assert data["organisation"] is None


# -- Markdown ---------------------------------------------------------------------------------


def test_markdown_has_every_finding_and_its_evidence() -> None:
    report = sample_report()
    text = report_to_markdown(report)
    for f in report.findings:
        assert f"`{f.criterion}`" in text
        assert f.question.split("?")[0].split()[-1] in text
    assert "| Minor nonconformity | 1 |" in text
    assert "`CMP-2026-000003`, `CMP-2026-000007`" in text
    assert "Configuration `charges.charged`: false" in text
    assert "Attested by Dana Chief (CEO)" in text
    assert "Board minutes 2026-03-30, item 4" in text
    assert "- `CMP-2026-000031`" in text  # the sample
    assert "seed 7" in text


def test_markdown_caps_long_reference_lists() -> None:
    many = refs(*range(1, 61))
    text = report_to_markdown(sample_report(failed=many), max_references=10)
    assert "`CMP-2026-000010` and 50 more" in text
    assert "CMP-2026-000011" not in text.split("## Sample")[0]


def test_markdown_escapes_markup_in_texts() -> None:
    text = report_to_markdown(sample_report(organisation="<b>Acme</b> | *Retail*"))
    assert "<b>" not in text
    assert r"\<b\>Acme\</b\> \| \*Retail\*" in text


# -- HTML -------------------------------------------------------------------------------------


def test_html_is_self_contained_and_printable() -> None:
    page = report_to_html(sample_report())
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "@media print" in page
    # Nothing is fetched: no link to a stylesheet, no image, no font, no external address.
    assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page) is None
    assert "<link" not in page.lower()
    assert "@import" not in page
    assert "url(" not in page
    assert "http://" not in page and "https://" not in page


def test_html_shows_every_finding_with_badge_and_evidence() -> None:
    report = sample_report()
    page = report_to_html(report)
    for f in report.findings:
        assert f'id="c-{f.criterion}"' in page
    assert page.count('class="badge s-minor_nonconformity"') >= 2  # summary and finding
    assert "<code>CMP-2026-000003</code>, <code>CMP-2026-000007</code>" in page
    assert "<th><code>charges.charged</code></th><td>false</td>" in page
    assert "Board minutes 2026-03-30, item 4" in page
    assert "<li><code>CMP-2026-000011</code></li>" in page  # the sample
    assert "Dana Chief (CEO)" in page


def test_html_caps_long_reference_lists() -> None:
    many = refs(*range(1, 61))
    page = report_to_html(sample_report(failed=many))
    assert f"and {60 - MAX_REFERENCES} more" in page
    assert f"CMP-2026-{MAX_REFERENCES + 1:06d}" not in page


def test_html_escapes_every_text() -> None:
    hostile = '<b>Acme</b> "&" <script>alert(1)</script>'
    report = sample_report(organisation=hostile, failed=("<b>REF-1</b>",))
    page = report_to_html(report)
    assert "<b>" not in page
    assert "<script" not in page
    assert "&lt;b&gt;Acme&lt;/b&gt; &quot;&amp;&quot;" in page
    assert "<code>&lt;b&gt;REF-1&lt;/b&gt;</code>" in page


def test_html_escapes_attestation_and_configuration() -> None:
    report = sample_report()
    finding = report.findings[2]
    hostile = attestation(by="<i>Mallory</i>", evidence="https://example.org/<x>")
    changed = AuditReport(
        organisation=report.organisation,
        programme_version=report.programme_version,
        period_from=report.period_from,
        period_to=report.period_to,
        generated_at=report.generated_at,
        complaints=report.complaints,
        findings=(
            Finding(
                criterion=finding.criterion,
                clause=finding.clause,
                question=finding.question,
                evidence_kind=finding.evidence_kind,
                weight=finding.weight,
                status=finding.status,
                summary=finding.summary,
                evidence=Evidence(configuration={"a<b": "<c>"}),
                attestation=hostile,
            ),
        ),
        sample_seed=0,
        sample=(),
    )
    page = report_to_html(changed)
    assert "<i>" not in page and "<x>" not in page and "<c>" not in page
    assert "&lt;i&gt;Mallory&lt;/i&gt;" in page
    # An address in the evidence is text, shown escaped, never a link or a resource.
    assert "https://example.org/&lt;x&gt;" in page
    assert 'href="https' not in page
    assert "No complaint to draw (seed 0)." in page


# -- the audit guide --------------------------------------------------------------------------


def test_the_audit_guide_lists_every_criterion() -> None:
    guide = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
    rows = {}
    for line in guide.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"`[0-9][^`]*`", cells[0]):
            rows[cells[0].strip("`")] = tuple(cells[1:4])
    assert rows == {c.id: (c.clause, c.evidence_kind.value, c.weight.value) for c in criteria()}
