"""Criterion 4.9 and the evidence pack over a PostgreSQL store, tampered through SQL."""

from __future__ import annotations

from pathlib import Path

from iso10002.audit.evidence import build_evidence_pack, verify_evidence_pack
from iso10002.audit.findings import FindingStatus
from iso10002.integrity import verify
from iso10002.simulation import DemoSettings, run_demo
from iso10002.storage.postgres import PostgresEventStore
from tests.integrity.test_verify_postgres import tamper
from tests.storage.pg_cluster import Cluster
from tests.storage.test_postgres import fresh_schema

from .evidence_support import audit

INTEGRITY = "4.9-history-integrity"


def test_a_postgres_record_is_packed_then_its_tampering_fails_4_9(
    postgres_cluster: Cluster, tmp_path: Path
) -> None:
    schema = fresh_schema()
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        run_demo(store, DemoSettings(complaints=12))
        report = audit(store)
        assert report.finding(INTEGRITY).status is FindingStatus.CONFORMING
        assert report.record is not None and report.record.head == verify(store).head
        build_evidence_pack(store, report, tmp_path / "pack.zip")
    assert verify_evidence_pack(tmp_path / "pack.zip").ok
    tamper(
        postgres_cluster,
        schema,
        "UPDATE {s}.events SET payload = replace(payload::text, 'default policy', "
        "'default polity')::jsonb WHERE position = (SELECT min(position) FROM {s}.events "
        "WHERE type = 'sla_policy_applied')",
    )
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        found = verify(store).finding
        finding = audit(store).finding(INTEGRITY)
    assert found is not None
    assert finding.status is FindingStatus.MAJOR_NONCONFORMITY
    assert str(found) in finding.summary
