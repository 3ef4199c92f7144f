"""
The benchmarks that explain a figure run at a tiny size, so that they cannot rot: each replays
the library's own functions, and fails if a replay no longer does what the desk did.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.storage.pg_cluster import Cluster

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name: str) -> ModuleType:
    """A benchmark script, imported as a module of its own name."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def guarantees() -> ModuleType:
    return load("bench_guarantees")


def test_guarantees_prints_every_row_and_target(
    guarantees: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    status = guarantees.main(["--lifecycles", "2", "--rounds", "1", "--synchronous", "NORMAL"])
    out = capsys.readouterr().out
    assert status == 0
    for label, _, _ in [*guarantees.memory_rows(), *guarantees.sqlite_rows("NORMAL")]:
        assert label in out
    assert "SQLite, synchronous=NORMAL" in out
    assert "SQLite NORMAL >= 0.5x the projection baseline: now" in out
    assert "in memory >= 3x the NORMAL projection baseline: now" in out
    assert "synchronous=FULL" not in out


@pytest.mark.parametrize("setting", ["NORMAL", "FULL"])
def test_guarantees_rows_add_up_to_the_whole(setting: str) -> None:
    tables = load("guarantees_table")
    assert tables.adds_up({"whole memory": 1}, tables.memory_rows())
    rows = tables.sqlite_rows(setting)
    assert tables.adds_up(tables.sqlite_whole(setting), rows)
    # Leaving out any row breaks the sum.
    for k in range(len(rows)):
        assert not tables.adds_up(tables.sqlite_whole(setting), rows[:k] + rows[k + 1 :])


def test_guarantees_replays_are_checked_against_the_desk(guarantees: ModuleType) -> None:
    desk, commands = guarantees.record(1)
    assert [c.name for c in commands] == list(guarantees.COMMANDS)
    assert [c.event.type for c in commands] == [
        "complaint_received",
        "acknowledged",
        "assessed",
        "decision_made",
        "decision_communicated",
        "reaction_recorded",
        "closed",
    ]
    # A command recorded with another step's workflow command no longer replays.
    wrong = [commands[0], commands[1]._replace(name="close"), *commands[2:]]
    with pytest.raises(Exception, match="close"):
        guarantees.check_replays(desk, wrong)


def test_guarantees_on_postgres_splits_the_clock(
    postgres_cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = load("bench_guarantees_postgres")
    postmaster = int((postgres_cluster.data_dir / "postmaster.pid").read_text().split()[0])
    rounds = bench.run(postgres_cluster.conninfo, postmaster, 2, 1)
    (times,) = rounds
    assert set(times) == {"memory", "memory, store", "whole", "whole, store", "replay", "baseline"}
    # The store's append is part of the whole command, which took longer on the clock than
    # the client worked (it waited for the server); the server's time is counted, not guessed.
    assert 0 < times["whole, store"][0] < times["whole"][0] < times["whole"][2]
    assert times["whole"][1] >= 0
    bench.report(rounds)
    out = capsys.readouterr().out
    assert "Target ours / raw psycopg >= 0.4: now" in out
    assert "waiting (the clock less client and server)" in out


def test_postgres_projection_baseline_keeps_complaints_whole_and_checks_versions(
    postgres_cluster: Cluster, capfd: pytest.CaptureFixture[str]
) -> None:
    import psycopg

    bench = load("bench_postgres")
    conninfo = postgres_cluster.conninfo
    bench.lifecycles(conninfo, 2, 2)
    out = capfd.readouterr().out
    assert "raw psycopg + versioned projection" in out
    assert "ratio ours / projection baseline: " in out
    with psycopg.connect(conninfo) as conn:
        # Two lifecycles and each worker's warm-up one, every event written once, each
        # projection row at its complaint's last version.
        versions = conn.execute("SELECT version FROM baseline.complaints").fetchall()
        assert sorted(v for (v,) in versions) == [bench.EVENTS_PER_LIFECYCLE] * 4
        assert conn.execute("SELECT count(*) FROM baseline.events").fetchone() == (4 * 7,)
        rows = bench.event_rows(conninfo, "bench_desk_2")
    shares = bench.by_complaint(rows, 2)
    assert sorted(map(len, shares)) == [14, 14]
    for share in shares:
        seqs: dict[object, list[int]] = {}
        for row in share:
            seqs.setdefault(row[0], []).append(row[1])
        assert all(s == list(range(1, 8)) for s in seqs.values())
    # An event whose version the row does not hold is refused, and its worker fails.
    first = rows[0]
    third = next(r for r in rows if r[0] == first[0] and r[1] == 3)
    bench.baseline_table(conninfo)
    with pytest.raises(RuntimeError, match="a worker failed"):
        bench.run(bench.projection_worker, [{"conninfo": conninfo, "rows": [first, third]}])
    assert f"version conflict at {first[0]} 3" in capfd.readouterr().err
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM baseline.events").fetchone() == (1,)


def test_count_pages_counts_each_writer(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load("count_pages")
    assert bench.main(["--lifecycles", "20"]) == 0
    out = capsys.readouterr().out
    pages = {
        line.rsplit(None, 1)[0].strip(): float(line.rsplit(None, 1)[1])
        for line in out.splitlines()
        if line.startswith("  ") and "ratio" not in line
    }
    ours = pages["ComplaintDesk + SQLiteEventStore"]
    raw = pages["raw sqlite3, same event rows"]
    projected = pages["raw sqlite3 + versioned projection"]
    # An event row and its index entry at least; the projection's row and index besides; ours
    # the summary's wider row, its indexes and the rollups besides.
    assert 2 <= raw < projected < ours
    # The ratio of the unrounded counts, printed beside counts rounded to two decimals.
    (ratio,) = [line for line in out.splitlines() if "ratio ours / projection baseline:" in line]
    assert float(ratio.rsplit(None, 1)[1]) == pytest.approx(ours / projected, abs=0.02)


def test_import_into_postgres_takes_turns_and_prints_the_ratio(
    postgres_cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = load("bench_import_postgres")
    shipped = bench.one_import(postgres_cluster.conninfo, bench.PostgresEventStore)
    alone = bench.one_import(postgres_cluster.conninfo, bench.OneKeyAtATime)
    # Both import every complaint of the sample; only the look-ups differ.
    assert shipped[2] == alone[2] == 3000
    assert bench.Capability.CLIENT_KEYS not in bench.OneKeyAtATime.capabilities
