"""
The PostgreSQL append in one round trip (``storage/postgres/linked.py``, migration 12): the
server links the events of a store without a key with the very bytes of ``Hasher``, refuses a
failed version check or number claim with an error that leaves nothing written, and the
stores with a key, or appends with outbox records, keep the client-side path.

Processes racing on one schema through this path: ``test_postgres.py`` (desks adding notes to
the same complaints, appenders of new complaints, a reader following positions) and
``test_number_claims.py`` (desks receiving the same forms); each ends with ``verify``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import ConcurrencyConflict, DuplicateKeyError
from iso10002.integrity import Hasher, verify
from iso10002.model.chain import GENESIS
from iso10002.model.values import Channel
from iso10002.ports.store import Append, NumberClaim
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.postgres import linked as linked_module
from iso10002.storage.postgres.append import pipelined_append
from iso10002.storage.postgres.schema import append_lock_key
from iso10002.testing import (
    full_lifecycle,
    note_event,
    received_event,
    sample_actor,
    sample_complainant,
    summary_after,
)

from .pg_cluster import Cluster
from .test_postgres import NOW, everything, fresh_schema

# -- the server's links are Hasher's --------------------------------------------------------------

_HEX = "0123456789abcdef"


def _stored_link(rng: random.Random) -> str | None:
    """A stored hash or chain value: mostly a link, sometimes what a tampered row may hold."""
    kind = rng.randrange(8)
    if kind == 0:
        return None
    if kind == 1:
        return ""
    if kind == 2:
        return "".join(rng.choice(_HEX) for _ in range(64)).upper()
    if kind == 3:  # hex digits with whitespace between pairs, which bytes.fromhex skips
        pairs = ["".join(rng.choice(_HEX) for _ in range(2)) for _ in range(rng.randrange(1, 9))]
        return " ".join(pairs) + "\n"
    if kind == 4:  # not hex: its text is hashed
        return rng.choice(["tampered", "a b", "abc", "zz", "é€ hash", "12 3"])
    return "".join(rng.choice(_HEX) for _ in range(64))


def _canonical(rng: random.Random) -> bytes:
    size = rng.choice([0, 1, 31, 32, 33, 200, 5000])
    return bytes(rng.randrange(256) for _ in range(size))


def _call(
    conn: psycopg.Connection[Any], schema: str, stream: uuid.UUID, expected: int, seqs: list[int]
) -> list[bytes]:
    """Append ``seqs`` of ``stream`` with random canonical bytes through the function."""
    rng = random.Random(f"{stream}{expected}")
    canonical = [_canonical(rng) for _ in seqs]
    n = len(seqs)
    conn.execute(
        f'SELECT "{schema}".append_linked(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)'.encode(),
        (
            append_lock_key(schema),
            stream,
            expected,
            seqs,
            ["note_added"] * n,
            [1] * n,
            [NOW.isoformat()] * n,
            ["{}"] * n,
            ["open"] * n,
            ["{}"] * n,
            [None] * n,
            canonical,
        ),
    )
    return canonical


def _links(conn: psycopg.Connection[Any], schema: str, stream: uuid.UUID) -> list[tuple[Any, ...]]:
    return conn.execute(
        f'SELECT hash, chain FROM "{schema}".events WHERE stream_id = %s ORDER BY seq'.encode(),
        (stream,),
    ).fetchall()


def test_the_server_links_events_with_the_bytes_of_the_unkeyed_hasher(
    postgres_cluster: Cluster,
) -> None:
    schema = fresh_schema()
    PostgresEventStore(postgres_cluster.conninfo, schema=schema).close()
    hasher = Hasher()
    rng = random.Random(10002)
    with psycopg.connect(postgres_cluster.admin_conninfo) as conn:
        # The first append of an empty log, then appends after stored values of every kind.
        stream = uuid.UUID(int=rng.getrandbits(128))
        canonical = _call(conn, schema, stream, 0, [1, 2])
        first = hasher.event_hash(GENESIS, canonical[0])
        second = hasher.event_hash(first, canonical[1])
        chain = hasher.chain_hash(GENESIS, first)
        assert _links(conn, schema, stream) == [
            (first, chain),
            (second, hasher.chain_hash(chain, second)),
        ]
        conn.rollback()
        for case in range(60):
            stream = uuid.UUID(int=rng.getrandbits(128))
            stored_hash, stored_chain = _stored_link(rng), _stored_link(rng)
            conn.execute(
                f'INSERT INTO "{schema}".events (stream_id, seq, type, schema_version, '
                "occurred_at, actor, state, payload, hash, chain) VALUES (%s, 1, 'x', 1, "
                "now(), '{}', 'open', '{}', %s, %s)".encode(),
                (stream, stored_hash, stored_chain),
            )
            count = rng.randrange(1, 4)
            canonical = _call(conn, schema, stream, 1, list(range(2, 2 + count)))
            previous = GENESIS if stored_hash is None else stored_hash
            last = stored_chain or GENESIS
            expected = []
            for data in canonical:
                previous = hasher.event_hash(previous, data)
                last = hasher.chain_hash(last, previous)
                expected.append((previous, last))
            assert _links(conn, schema, stream)[1:] == expected, (case, stored_hash, stored_chain)
            conn.rollback()


# -- the path, its refusals ------------------------------------------------------------------------


@pytest.fixture
def store(postgres_cluster: Cluster) -> Iterator[PostgresEventStore]:
    with PostgresEventStore(postgres_cluster.conninfo, schema=fresh_schema()) as store:
        yield store


def _no_client_links(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the two-round-trip path was taken")

    monkeypatch.setattr(linked_module, "pipelined_append", refuse)


def test_a_desk_on_a_store_without_a_key_never_links_on_the_client(
    store: PostgresEventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_client_links(monkeypatch)
    desk = ComplaintDesk(store, clock=FixedClock(NOW))
    for _ in range(3):
        full_lifecycle(desk)
    report = verify(store)
    assert report.ok, report.finding
    assert report.events == sum(1 for _ in store.iter_events())


def test_a_store_with_a_key_links_on_the_client(
    postgres_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[object] = []
    original = pipelined_append

    def spy(*args: Any, **kwargs: Any) -> None:
        taken.append(kwargs["hasher"])
        original(*args, **kwargs)

    monkeypatch.setattr(linked_module, "pipelined_append", spy)
    key = b"k" * 32
    with PostgresEventStore(
        postgres_cluster.conninfo, schema=fresh_schema(), integrity_key=key
    ) as store:
        full_lifecycle(ComplaintDesk(store, clock=FixedClock(NOW)))
        assert taken and all(h == Hasher(key=key) for h in taken)
        report = verify(store)
        assert report.ok, report.finding


def test_a_stale_version_is_a_conflict_and_writes_nothing(
    store: PostgresEventStore, postgres_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_client_links(monkeypatch)
    first = received_event()
    second = note_event(first)
    third = note_event(second, "Again.")
    never = received_event(reference="CMP-2026-000009", complaint_id=uuid.uuid4())
    unknown = [never, note_event(never)]
    store.append([first], expected_version=0, summary=summary_after([first]))
    store.append([second], expected_version=1, summary=summary_after([first, second]))
    before = everything(postgres_cluster, store.schema)
    # Many times: a refused pipeline must not leave psycopg's prepared statements wrong.
    for _ in range(8):
        with pytest.raises(ConcurrencyConflict) as caught:
            store.append([second], expected_version=1, summary=summary_after([first, second]))
        assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
        with pytest.raises(ConcurrencyConflict) as caught:
            store.append([unknown[1]], expected_version=1, summary=summary_after(unknown))
        assert caught.value.actual_version == 0
    assert everything(postgres_cluster, store.schema) == before
    store.append([third], expected_version=2, summary=summary_after([first, second, third]))
    assert [e.seq for e in store.read(first.complaint_id)] == [1, 2, 3]
    # The chains hold; the counter was never moved (these appends claim no number).
    report = verify(store)
    assert [f.record for f in report.findings] == ["counter reference:CMP-2026"]


def test_a_taken_number_or_reference_is_refused_and_writes_nothing(
    store: PostgresEventStore, postgres_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_client_links(monkeypatch)

    def new(reference: str, number: int, after: int) -> Append:
        event = received_event(reference=reference)
        return Append(
            events=(event,),
            expected_version=0,
            summary=summary_after([event]),
            number=NumberClaim("reference:CMP-2026", number, after),
        )

    store.append_many([new("CMP-2026-000001", 1, 0)])
    before = everything(postgres_cluster, store.schema)
    for _ in range(8):
        with pytest.raises(DuplicateKeyError) as caught:
            store.append_many([new("CMP-2026-000002", 2, 0)])  # the counter is at 1
        assert caught.value.key == "reference"
        with pytest.raises(DuplicateKeyError):
            store.append_many([new("CMP-2026-000001", 2, 1)])  # the reference is taken
    assert everything(postgres_cluster, store.schema) == before
    store.append_many([new("CMP-2026-000002", 2, 1)])
    assert store.last_number("reference:CMP-2026") == 2
    assert verify(store).ok


def test_two_stores_interleaving_keep_one_chain(postgres_cluster: Cluster) -> None:
    schema = fresh_schema()
    with (
        PostgresEventStore(postgres_cluster.conninfo, schema=schema) as one,
        PostgresEventStore(postgres_cluster.conninfo, schema=schema) as other,
    ):
        desks = [ComplaintDesk(s, clock=FixedClock(NOW)) for s in (one, other)]
        ids = [
            desk.receive(
                sample_actor(),
                complainant=sample_complainant(),
                channel=Channel.EMAIL,
                description=f"Complaint {n}",
            ).id
            for n, desk in enumerate(desks * 3)
        ]
        for n in range(12):
            desks[n % 2].add_note(ids[n % len(ids)], sample_actor(), f"note {n}")
        report = verify(one)
        assert report.ok, report.finding
        assert report.events == len(ids) + 12


def test_placeholders_are_numbered_in_order_and_a_literal_percent_is_refused() -> None:
    numbered = linked_module._numbered("SELECT %s::uuid, f(%s, 'a'), %s")
    assert numbered == "SELECT $1::uuid, f($2, 'a'), $3"
    with pytest.raises(ValueError, match="numbered"):
        linked_module._numbered("SELECT '%%', %s")
