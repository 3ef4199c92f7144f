"""verify() on real SQLite files that were tampered with through sqlite3."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from iso10002.cli import main
from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import ValidationError
from iso10002.integrity import Hasher, Problem, VerificationReport, canonical_bytes, verify
from iso10002.storage.base import ChainRecord
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import SAMPLE_START, full_lifecycle, sample_actor

KEY = b"a secret kept away from the database"


def build(path: Path, key: bytes | None = None) -> None:
    """Three complete lifecycles (positions 1-13, 14-26, 27-39), then a note on the first (40)."""
    with SQLiteEventStore(path, integrity_key=key) as store:
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        first = full_lifecycle(desk, reference="CMP-1")
        full_lifecycle(desk, reference="CMP-2")
        full_lifecycle(desk, reference="CMP-3")
        desk.add_note(first.id, sample_actor(), "One more thing.")


def check(path: Path, key: bytes | None = None) -> VerificationReport:
    with SQLiteEventStore(path, integrity_key=key) as store:
        return verify(store)


def tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


@pytest.fixture(name="db")
def _db(tmp_path: Path) -> Path:
    path = tmp_path / "complaints.db"
    build(path)
    return path


def test_an_untouched_database_is_intact(db: Path) -> None:
    report = check(db)
    assert report.ok
    assert report.finding is None
    assert (report.events, report.last_position, report.keyed) == (40, 40, False)
    assert len(report.head) == 64


def test_a_changed_payload_is_named(db: Path) -> None:
    tamper(db, "UPDATE events SET payload = replace(payload, '42.50', '4.25')")
    finding = check(db).finding
    assert finding is not None
    assert (finding.problem, finding.reference) == (Problem.ALTERED, "CMP-1")
    assert finding.detail == "the event does not match its hash"


def test_a_changed_personal_value_is_named(db: Path) -> None:
    # Position 20 is CMP-2's note "The direct debit ran twice on 1 March.", whose text is
    # personal data: kept beside the sealed payload, and checked against its commitment.
    tamper(
        db, "UPDATE events SET personal = replace(personal, 'twice', 'once') WHERE position = 20"
    )
    finding = check(db).finding
    assert finding is not None
    assert (finding.problem, finding.position, finding.reference, finding.seq) == (
        Problem.ALTERED,
        20,
        "CMP-2",
        7,
    )
    assert finding.detail == "the personal value at text does not match its commitment"


def test_personal_data_removed_without_an_erasure_is_named(db: Path) -> None:
    tamper(db, "UPDATE events SET personal = NULL WHERE position = 20")
    report = check(db)
    assert report.finding is not None
    assert (report.finding.problem, report.finding.position, report.finding.seq) == (
        Problem.MISSING,
        20,
        7,
    )
    assert report.finding.detail == "the personal value at text was removed; no erasure is recorded"
    assert report.events == 40  # every hash held: only the personal value is gone


def test_a_deleted_row_is_named(db: Path) -> None:
    tamper(db, "DELETE FROM events WHERE position = 17")
    finding = check(db).finding
    assert finding is not None
    assert (finding.problem, finding.position, finding.reference, finding.seq) == (
        Problem.MISSING,
        17,
        "CMP-2",
        4,
    )


def test_an_inserted_row_is_named(db: Path) -> None:
    tamper(
        db,
        "INSERT INTO events (stream_id, seq, type, schema_version, occurred_at, actor, state, "
        "payload) SELECT stream_id, 15, type, schema_version, occurred_at, actor, state, payload "
        "FROM events WHERE position = 40",
    )
    finding = check(db).finding
    assert finding is not None
    assert (finding.problem, finding.position, finding.reference, finding.seq) == (
        Problem.INSERTED,
        41,
        "CMP-1",
        15,
    )


def test_an_inserted_row_with_a_made_up_hash_is_altered(db: Path) -> None:
    tamper(
        db,
        "INSERT INTO events (stream_id, seq, type, schema_version, occurred_at, actor, state, "
        "payload, hash, chain) SELECT stream_id, 15, type, schema_version, occurred_at, actor, "
        "state, payload, hash, chain FROM events WHERE position = 40",
    )
    finding = check(db).finding
    assert finding is not None
    assert (finding.problem, finding.position, finding.seq) == (Problem.ALTERED, 41, 15)


def test_two_swapped_seqs_are_reordered(db: Path) -> None:
    tamper(
        db,
        "UPDATE events SET seq = 1000 WHERE position = 30",
        "UPDATE events SET seq = 4 WHERE position = 31",
        "UPDATE events SET seq = 5 WHERE position = 30",
    )
    finding = check(db).finding
    assert finding is not None
    assert (finding.problem, finding.position, finding.reference, finding.seq) == (
        Problem.REORDERED,
        30,
        "CMP-3",
        5,
    )


def test_a_vanished_complaint_is_named_by_its_positions(db: Path) -> None:
    conn = sqlite3.connect(db)
    (cid,) = conn.execute("SELECT id FROM complaints WHERE reference = 'CMP-2'").fetchone()
    conn.close()
    tamper(
        db,
        f"DELETE FROM events WHERE stream_id = '{cid}'",
        f"DELETE FROM complaints WHERE id = '{cid}'",
    )
    finding = check(db).finding
    assert finding is not None
    assert (finding.problem, finding.position, finding.reference) == (Problem.MISSING, 14, None)
    assert "14 to 26" in finding.detail


def test_the_last_events_of_a_complaint_deleted_are_found_by_its_summary(db: Path) -> None:
    tamper(db, "DELETE FROM events WHERE position = 40")
    finding = check(db).finding
    assert finding is not None
    assert (finding.problem, finding.reference, finding.seq) == (Problem.MISSING, "CMP-1", 14)


def test_an_edited_chain_value_breaks_the_chain(db: Path) -> None:
    tamper(db, f"UPDATE events SET chain = '{'ab' * 32}' WHERE position = 5")
    finding = check(db).finding
    assert finding is not None
    assert (finding.problem, finding.position, finding.seq) == (Problem.CHAIN_BROKEN, 5, 5)


def relink(
    records: list[ChainRecord], data: Callable[[ChainRecord], bytes]
) -> list[tuple[str, str, int]]:
    """``(hash, chain, position)`` of each record, linked anew, unkeyed, over ``data(record)``."""
    hasher = Hasher()
    heads: dict[str, str] = {}
    chain = "0" * 64
    links = []
    for r in records:
        digest = heads[r.complaint_id] = hasher.event_hash(
            heads.get(r.complaint_id, "0" * 64), data(r)
        )
        chain = hasher.chain_hash(chain, digest)
        links.append((digest, chain, r.position))
    return links


def as_stored(r: ChainRecord) -> bytes:
    """The bytes a store hashed for ``r``: its sealed payload."""
    assert r.event is not None
    return canonical_bytes(r.event, r.payload)


def rewrite_chains_without_key(path: Path) -> None:
    """What someone with write access but no key can do: recompute every hash."""
    with SQLiteEventStore(path) as store:
        links = relink(list(store.iter_chain()), as_stored)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE events SET payload = replace(payload, '42.50', '4.25')")
        conn.executemany("UPDATE events SET hash = ?, chain = ? WHERE position = ?", links)
    conn.close()


def test_hashes_rewritten_without_the_key_pass_unkeyed_and_fail_keyed(tmp_path: Path) -> None:
    path = tmp_path / "keyed.db"
    build(path, KEY)
    assert check(path, KEY).ok
    assert check(path, KEY).keyed
    assert not check(path).ok  # the HMACs are no SHA-256 hashes
    conn = sqlite3.connect(path)
    conn.execute("UPDATE events SET payload = replace(payload, '42.50', '4.25')")
    # The summaries too: a careful forger leaves them agreeing with the events.
    conn.execute("UPDATE complaints SET redress = replace(redress, '42.50', '4.25')")
    conn.commit()
    conn.close()
    rewrite_chains_without_key(path)
    assert check(path).ok  # consistent again, for anyone without the key
    finding = check(path, KEY).finding
    assert finding is not None
    assert (finding.problem, finding.position, finding.reference, finding.seq) == (
        Problem.FORGED,
        1,
        "CMP-1",
        1,
    )


def test_a_database_of_schema_4_gets_its_chains_on_opening(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    build(path, KEY)
    tamper(path, "UPDATE events SET hash = NULL, chain = NULL")
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE events DROP COLUMN hash")
    conn.execute("ALTER TABLE events DROP COLUMN chain")
    conn.execute("PRAGMA user_version = 4")
    conn.close()
    report = check(path, KEY)
    assert report.ok
    assert report.events == 40


def test_the_in_memory_store_keeps_hashes_too() -> None:
    store = InMemoryEventStore(integrity_key=KEY)
    desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
    full_lifecycle(desk, reference="CMP-1")
    full_lifecycle(desk, reference="CMP-2")
    report = verify(store)
    assert report.ok and report.keyed and report.events == 26


def test_a_store_without_hashes_is_refused() -> None:
    with pytest.raises(ValidationError, match="store"):
        verify(object())  # type: ignore[arg-type]


def test_a_bad_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="key"):
        Hasher(key=b"")
    with pytest.raises(ValidationError, match="key"):
        SQLiteEventStore(tmp_path / "x.db", integrity_key="text")  # type: ignore[arg-type]


# -- the command -----------------------------------------------------------------------------


def test_the_command_passes_an_intact_database(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith("intact: 40 events")


def test_the_command_names_the_first_bad_record(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(db, "DELETE FROM events WHERE position = 17")
    assert main(["verify", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "position 17, complaint CMP-2, seq 4: missing" in err


def test_the_command_reads_the_key_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "keyed.db"
    build(path, KEY)
    key_file = tmp_path / "key"
    key_file.write_bytes(KEY + b"\n")
    assert main(["verify", "--db", str(path), "--key-file", str(key_file)]) == 0
    assert "HMAC" in capsys.readouterr().out
    assert main(["verify", "--db", str(path)]) == 1
    assert main(["verify", "--db", str(path), "--key-file", str(tmp_path / "none")]) == 1
    assert "--key-file" in capsys.readouterr().err
    assert main(["verify", "--db", str(tmp_path / "missing.db")]) == 1
