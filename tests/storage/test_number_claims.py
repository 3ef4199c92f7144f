"""
Number claims (``Append.number``): every shipped store against the contract, and processes
receiving the same forms at once on one SQLite file and on one PostgreSQL schema: every
complaint is stored once and the references are contiguous, none lost to the racing duplicates.
"""

from __future__ import annotations

import datetime as _dt
import multiprocessing
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from iso10002 import Channel, ComplaintDesk, FixedClock, ValidationError
from iso10002.ports.store import Append, NumberClaim, append_all
from iso10002.storage import BatchingStore, Capability, EventStore, NumberClaimStore
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import (
    NumberClaimContract,
    received_event,
    sample_actor,
    sample_complainant,
    summary_after,
)
from tests.processes import run_processes

from .pg_cluster import Cluster
from .test_postgres import fresh_schema

START = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_dt.timezone.utc)
STAFF = sample_actor()

# -- every shipped store against the contract ------------------------------------------------------


class TestInMemoryStoreClaims(NumberClaimContract):
    def make_store(self, tmp_path: Path) -> InMemoryEventStore:
        return InMemoryEventStore()


class TestSQLiteStoreClaims(NumberClaimContract):
    def make_store(self, tmp_path: Path) -> SQLiteEventStore:
        return SQLiteEventStore(tmp_path / "complaints.db")


class TestPostgresStoreClaims(NumberClaimContract):
    @pytest.fixture(autouse=True)
    def _cluster(self, postgres_cluster: Cluster) -> None:
        self.cluster = postgres_cluster

    def make_store(self, tmp_path: Path) -> PostgresEventStore:
        return PostgresEventStore(self.cluster.conninfo, schema=fresh_schema())


class TestBatchingStoreClaims(NumberClaimContract):
    """Claims are checked against the buffered claims, then the store's counter."""

    def make_store(self, tmp_path: Path) -> BatchingStore:
        return BatchingStore(SQLiteEventStore(tmp_path / "complaints.db"), max_events=10_000)


class TestBatchingStoreFlushingClaims(NumberClaimContract):
    def make_store(self, tmp_path: Path) -> BatchingStore:
        return BatchingStore(SQLiteEventStore(tmp_path / "complaints.db"), max_events=2)


def test_a_batching_store_allocates_after_its_buffered_claims(tmp_path: Path) -> None:
    with BatchingStore(SQLiteEventStore(tmp_path / "c.db"), max_events=100) as store:
        desk = ComplaintDesk(store, clock=FixedClock(START))
        scope = desk.references.scope(START.year)
        for n in range(3):
            desk.receive(STAFF, **_form(n))
        assert store.pending == 3
        assert store.last_number(scope) == 3
        assert store.store.last_number(scope) == 0  # type: ignore[attr-defined]
        # An allocation follows the buffered claims: they are written first.
        assert store.next_number(scope) == 4
        assert store.pending == 0
        assert store.store.last_number(scope) == 4  # type: ignore[attr-defined]


def test_a_store_that_does_not_declare_claims_is_never_handed_one(tmp_path: Path) -> None:
    class Allocating(InMemoryEventStore):
        capabilities = InMemoryEventStore.capabilities - {Capability.NUMBER_CLAIMS}

    store = Allocating()
    first = received_event()
    claim = Append(
        events=(first,),
        expected_version=0,
        summary=summary_after([first]),
        number=NumberClaim("reference:CMP-2026", 1),
    )
    with pytest.raises(ValidationError, match="NUMBER_CLAIMS"):
        append_all(store, [claim])
    with pytest.raises(ValidationError, match="NUMBER_CLAIMS"):
        BatchingStore(store).append_many([claim])
    assert store.id_for_reference(claim.summary.reference) is None
    # Its desk allocates with next_number, before the append, as before.
    desk = ComplaintDesk(store, clock=FixedClock(START))
    assert desk.receive(STAFF, **_form(0)).reference == f"CMP-{START.year}-000001"
    assert store.next_number(desk.references.scope(START.year)) == 2


# -- processes receiving the same forms at once ----------------------------------------------


def _form(n: int) -> dict[str, Any]:
    return {
        "complainant": sample_complainant(),
        "channel": Channel.EMAIL,
        "description": f"Form {n}: charged twice.",
        "client_key": f"form-{n}",
    }


def _open(where: dict[str, str]) -> EventStore:
    if "path" in where:
        return SQLiteEventStore(where["path"], synchronous="OFF")
    return PostgresEventStore(where["conninfo"], schema=where["schema"])


def _intake_worker(
    where: dict[str, str], forms: int, name: str, barrier: Barrier, results: Queue[Any]
) -> None:
    """One server process: its own store and desk; receives every form, in step with the rest."""
    store = _open(where)
    try:
        desk = ComplaintDesk(store, clock=FixedClock(START))
        done = []
        barrier.wait(timeout=60)
        for n in range(forms):
            result = desk.receive_or_replay(STAFF, **_form(n))
            done.append((n, result.complaint.reference, result.created))
        results.put((name, done))
    finally:
        store.close()


@pytest.fixture
def importable_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let spawned processes import this module by the name pytest gave it."""
    root = Path(__file__).resolve().parents[_intake_worker.__module__.count(".")]
    monkeypatch.syspath_prepend(str(root))


def _race(where: dict[str, str], workers: int, forms: int) -> list[tuple[int, str, bool]]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    results: Queue[Any] = context.Queue()
    jobs = [
        {"where": where, "forms": forms, "name": str(n), "barrier": barrier, "results": results}
        for n in range(workers)
    ]
    reports = run_processes(_intake_worker, jobs, results)
    return [item for _, done in reports for item in done]


def _check_contiguous(store: EventStore, done: list[tuple[int, str, bool]], forms: int) -> None:
    # Every form was created by exactly one process; the others replayed its complaint.
    created = sorted(n for n, _, new in done if new)
    assert created == list(range(forms))
    by_form: dict[int, set[str]] = {}
    for n, reference, _ in done:
        by_form.setdefault(n, set()).add(reference)
    assert all(len(references) == 1 for references in by_form.values())
    # The references are 1 to forms, none skipped: no racing duplicate used up a number.
    numbers = sorted(int(r.rsplit("-", 1)[1]) for (r,) in by_form.values())
    assert numbers == list(range(1, forms + 1))
    desk = ComplaintDesk(store, clock=FixedClock(START))
    assert desk.query(limit=1).total == forms
    scope = desk.references.scope(START.year)
    assert isinstance(store, NumberClaimStore)
    assert store.last_number(scope) == forms


@pytest.mark.usefixtures("importable_tests")
def test_processes_on_one_file_receiving_the_same_forms_skip_no_number(tmp_path: Path) -> None:
    path = str(tmp_path / "race.db")
    SQLiteEventStore(path).close()  # the schema, made once before the race
    forms = 40
    done = _race({"path": path}, workers=3, forms=forms)
    with SQLiteEventStore(path) as store:
        _check_contiguous(store, done, forms)


@pytest.mark.usefixtures("importable_tests")
def test_processes_on_postgres_receiving_the_same_forms_skip_no_number(
    postgres_cluster: Cluster,
) -> None:
    where = {"conninfo": postgres_cluster.conninfo, "schema": fresh_schema()}
    _open(where).close()
    forms = 40
    done = _race(where, workers=3, forms=forms)
    with PostgresEventStore(where["conninfo"], schema=where["schema"]) as store:
        _check_contiguous(store, done, forms)
