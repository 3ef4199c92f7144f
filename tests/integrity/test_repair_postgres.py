"""
``iso10002 repair`` on PostgreSQL, on the throwaway server of :mod:`tests.storage.pg_cluster`:
a tampered summary is named by verify, rewritten from its events and the repair recorded, after
which verify passes; with an event tampered, the repair refuses and writes nothing. The CLI
opens the store by its URI, as verify does.
"""

from __future__ import annotations

import datetime as _dt

import pytest

from iso10002.cli import main
from iso10002.errors import ValidationError
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.postgres.repair import REPAIR_KIND, REPAIR_NAME, repair_summaries
from tests.integrity.test_verify_postgres import build, check, tamper, uri
from tests.storage.pg_cluster import Cluster
from tests.storage.test_postgres import admin

NOW = _dt.datetime(2026, 12, 6, 12, 0, tzinfo=_dt.timezone.utc)
REOPEN_CMP_2 = (
    "UPDATE {s}.complaints SET state = 'investigating', is_open = true WHERE reference = 'CMP-2'"
)


@pytest.fixture
def schema(postgres_cluster: Cluster) -> str:
    return build(postgres_cluster)


def snapshot(cluster: Cluster, schema: str) -> list[object]:
    """Every row of the summaries and configurations, to show that nothing was written."""
    with admin(cluster) as conn:
        rows: list[object] = []
        for table in ("complaints", "configurations"):
            rows += conn.execute(f'SELECT * FROM "{schema}".{table} ORDER BY 1'.encode()).fetchall()
    return rows


def test_an_edited_summary_is_named_then_repaired_and_recorded(
    postgres_cluster: Cluster, schema: str
) -> None:
    tamper(postgres_cluster, schema, REOPEN_CMP_2)
    finding = check(postgres_cluster, schema).finding
    assert finding is not None and finding.record == "summary of CMP-2"

    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        done = repair_summaries(store, now=NOW)
        assert done.rewritten == ("CMP-2",) and done.checked == 3
        record = store.find_configuration(REPAIR_KIND, REPAIR_NAME, NOW.isoformat())
        assert record is not None and "CMP-2" in record.content and "state" in record.content
        cid = store.id_for_reference("CMP-2")
        assert cid is not None
        summary = store.summary(cid)
        assert summary is not None and not summary.is_open and summary.state == "closed"

    assert check(postgres_cluster, schema).ok
    with PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store:
        assert repair_summaries(store, now=NOW).record is None  # nothing left to rewrite


def test_the_cli_repairs_a_summary_counting_fewer_events(
    postgres_cluster: Cluster, schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(
        postgres_cluster,
        schema,
        "UPDATE {s}.complaints SET version = version - 1 WHERE reference = 'CMP-1'",
    )
    assert not check(postgres_cluster, schema).ok
    db = uri(postgres_cluster)
    assert main(["repair", "--db", db, "--schema", schema]) == 0
    out = capsys.readouterr().out
    assert "rewrote the summary of CMP-1" in out and "summary-repair" in out
    assert check(postgres_cluster, schema).ok
    assert main(["verify", "--db", db, "--schema", schema]) == 0


def test_repair_is_refused_with_nothing_written_when_an_event_was_altered(
    postgres_cluster: Cluster, schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(
        postgres_cluster,
        schema,
        REOPEN_CMP_2,
        "UPDATE {s}.events SET personal = replace(personal::text, 'twice', 'once')::jsonb "
        "WHERE position = 20",
    )
    before = snapshot(postgres_cluster, schema)
    with (
        PostgresEventStore(postgres_cluster.conninfo, schema=schema) as store,
        pytest.raises(ValidationError, match="position 20"),
    ):
        repair_summaries(store, now=NOW)
    assert snapshot(postgres_cluster, schema) == before
    capsys.readouterr()
    db = uri(postgres_cluster)
    assert main(["repair", "--db", db, "--schema", schema]) == 1
    err = capsys.readouterr().err
    assert "cannot repair summaries" in err and "position 20" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert snapshot(postgres_cluster, schema) == before


def test_repair_of_a_missing_schema_is_a_usage_error_and_creates_nothing(
    postgres_cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    db = uri(postgres_cluster)
    assert main(["repair", "--db", db, "--schema", "no_such_schema"]) == 1
    assert "Traceback" not in capsys.readouterr().err
    with admin(postgres_cluster) as conn:
        found = conn.execute(
            b"SELECT 1 FROM pg_namespace WHERE nspname = 'no_such_schema'"
        ).fetchone()
    assert found is None
