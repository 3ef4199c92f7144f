"""
The data steps of the migrations, written once for SQLite and PostgreSQL over DB-API cursors:
deriving the monitoring facts from the stored histories, linking the stored events into both
hash chains, and sealing their personal values apart (:mod:`iso10002.privacy.sealing`), which
relinks them. Hashes and sealed forms come from the same code as an append's
(:mod:`iso10002.storage._prepare`), so an upgraded history hashes as a new one would.

Events are read in position order, a batch at a time (keyset paging on ``position``), so
memory holds one batch whatever the size of the log; the hash an event continues from, when it
lies in an earlier batch, is read back from the rows already written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from iso10002.errors import CorruptRecord, StorageError
from iso10002.model.chain import GENESIS
from iso10002.model.complaint import Complaint, apply
from iso10002.model.events import Event
from iso10002.model.facts import ComplaintFacts
from iso10002.privacy.sealing import markers
from iso10002.storage._prepare import prepare_event
from iso10002.storage._sql.sealed import DECODE_ERRORS, stored_bytes
from iso10002.storage._sql.upgrade import Upgrade

__all__ = [
    "add_seal_columns",
    "backfill_facts",
    "link_chains",
    "note_policies_found",
    "seal_personal",
]

READ_BATCH = 500
"""Events read per batch by the steps that link, check and seal them."""

_KEYS_PER_LOOKUP = 200
"""Previous hashes looked up per statement (two parameters each, well below SQLite's limit)."""

_EVENT_COLUMNS = "stream_id, seq, type, schema_version, occurred_at, actor, state, payload"

Key = tuple[Any, int]
"""An event's ``(stream_id, seq)``, the stream id as the driver returns it."""


def backfill_facts(up: Upgrade) -> str | None:
    """
    Derive each complaint's monitoring facts by replaying its history.

    Timeliness outcomes need the policy configuration, which the database does not hold: they
    are filled in by the complaint's next command, or at once by ``ComplaintDesk.apply_policies``.
    """
    d = up.dialect
    ids = up.cursor()
    reader = up.cursor()
    writer = up.cursor()
    first = f"SELECT id FROM {d.table('complaints')} ORDER BY id LIMIT {d.mark}"
    after = f"SELECT id FROM {d.table('complaints')} WHERE id > {d.mark} ORDER BY id LIMIT {d.mark}"
    read = (
        f"SELECT position, {_EVENT_COLUMNS} FROM {d.table('events')} "
        f"WHERE stream_id = {d.mark} ORDER BY seq"
    )
    done = 0
    ids.execute(first, (READ_BATCH,))
    while batch := ids.fetchall():
        for (cid,) in batch:
            reader.execute(read, (cid,))
            state: Complaint | None = None
            for row in reader.fetchall():
                state = apply(state, _decode(up, row, "read to derive its complaint's facts"))
            if state is not None:
                writer.execute(d.facts_update(), (*d.facts_params(ComplaintFacts.of(state)), cid))
                done += 1
        ids.execute(after, (batch[-1][0], READ_BATCH))
    return f"monitoring facts derived from the histories of {done} complaints" if done else None


def link_chains(up: Upgrade) -> str | None:
    """
    Add the ``hash`` and ``chain`` columns where missing (a database taken back to an older
    version by hand keeps them), and link the stored events in position order.

    Raises:
        CorruptRecord: a stored event cannot be decoded; the upgrade is rolled back.
    """
    d = up.dialect
    _add_missing(up, {"hash": "TEXT", "chain": "TEXT"})
    update = up.cursor()
    set_links = _set_links(up)
    chain = GENESIS
    count = 0
    for rows in _batches(up, _EVENT_COLUMNS):
        events = [_decode(up, row, "linked into the integrity chains") for row in rows]
        heads = _previous_hashes(up, rows)
        links = []
        for row, event in zip(rows, events, strict=True):
            digest = up.hasher.event_hash(
                heads.get((row[1], row[2] - 1), GENESIS), stored_bytes(event, d.payload(row[8]))
            )
            heads[(row[1], row[2])] = digest
            chain = up.hasher.chain_hash(chain, digest)
            links.append((digest, chain, row[0]))
        update.executemany(set_links, links)
        count += len(links)
    up.linked = True
    return f"{count} stored events linked into the integrity chains" if count else None


def seal_personal(up: Upgrade) -> str | None:
    """
    Add the ``personal`` column where missing, seal every stored event (its personal values
    apart) and relink both chains over the sealed payloads, in position order.

    Unless this upgrade linked them a moment ago, the stored links are checked first, as they
    are: a history that does not match its hashes is not re-hashed, since that would make it
    look intact. Events sealed already (a schema taken back to an older version by hand) are
    kept as they are, and relinked.

    Raises:
        StorageError: a stored event has no hash, does not match it, or the log's chain breaks
            at it; the message names its position. The upgrade is rolled back.
        CorruptRecord: a stored event cannot be decoded.
    """
    d = up.dialect
    _add_missing(up, {"personal": d.json_type})
    if not up.linked:
        _check_links(up)
    update = up.cursor()
    events_table = d.table("events")
    set_links = (
        f"UPDATE {events_table} SET hash = {d.mark}, chain = {d.mark} WHERE position = {d.mark}"
    )
    set_sealed = (
        f"UPDATE {events_table} SET payload = {d.json_mark}, personal = {d.json_mark}, "
        f"hash = {d.mark}, chain = {d.mark} WHERE position = {d.mark}"
    )
    chain = GENESIS
    count = 0
    for rows in _batches(up, f"{_EVENT_COLUMNS}, personal"):
        events = [_decode(up, row, "sealed", row[9]) for row in rows]
        # The new links of the events continued from earlier batches, updated already.
        heads = _previous_hashes(up, rows)
        sealed = []
        relinked = []
        for row, event in zip(rows, events, strict=True):
            previous = heads.get((row[1], row[2] - 1), GENESIS)
            payload = d.payload(row[8])
            if row[9] is not None or (
                isinstance(payload, dict) and markers(event.payload.type, payload)
            ):
                digest = up.hasher.event_hash(previous, stored_bytes(event, payload))
                chain = up.hasher.chain_hash(chain, digest)
                relinked.append((digest, chain, row[0]))
            else:
                p = prepare_event(event)
                digest = up.hasher.event_hash(previous, p.canonical)
                chain = up.hasher.chain_hash(chain, digest)
                sealed.append((p.payload_json, p.personal_json, digest, chain, row[0]))
                count += 1
            heads[(row[1], row[2])] = digest
        if sealed:
            update.executemany(set_sealed, sealed)
        if relinked:
            update.executemany(set_links, relinked)
    return f"{count} stored events sealed, their personal values kept apart" if count else None


def note_policies_found(up: Upgrade) -> str | None:
    """
    Say how many stored complaints were put under a timeliness policy before configurations
    were recorded. Their events name the policy and its version only; the desk records each
    such policy, with its calendar, as it finds it in its configuration the first time it reads
    the complaint (so open the upgraded database with the configuration that wrote it).
    """
    d = up.dialect
    cursor = up.cursor()
    cursor.execute(
        f"SELECT count(DISTINCT stream_id) FROM {d.table('events')} WHERE type = {d.mark}",
        ("sla_policy_applied",),
    )
    row = cursor.fetchone()
    found = int(row[0]) if row else 0
    if not found:
        return None
    return (
        f"{found} complaints were put under timeliness policies before configurations were "
        "recorded: each policy and its calendar is recorded as found in the desk's "
        "configuration the first time the complaint is read, and used from then on whatever "
        "is installed or configured later"
    )


def _check_links(up: Upgrade) -> None:
    """
    Check every stored event against its hash, and the log's chain, as they are, before
    anything is updated.

    Raises:
        StorageError: the first event that does not match, named by its position.
        CorruptRecord: a stored event cannot be decoded.
    """
    d = up.dialect
    chain = GENESIS
    for rows in _batches(up, f"{_EVENT_COLUMNS}, personal, hash, chain"):
        events = [_decode(up, row, "sealed", row[9]) for row in rows]
        heads = _previous_hashes(up, rows)  # nothing is updated yet
        for row, event in zip(rows, events, strict=True):
            stored, stored_chain = row[10], row[11]
            previous = heads.get((row[1], row[2] - 1), GENESIS)
            if stored is None:
                raise _not_resealed(up, row, "has no hash: the store did not write it")
            if up.hasher.event_hash(previous, stored_bytes(event, d.payload(row[8]))) != stored:
                raise _not_resealed(up, row, "does not match its hash")
            chain = up.hasher.chain_hash(chain, stored)
            if stored_chain != chain:
                raise _not_resealed(up, row, "does not follow from the log's chain before it")
            heads[(row[1], row[2])] = stored


def _set_links(up: Upgrade) -> str:
    m = up.dialect.mark
    return f"UPDATE {up.dialect.table('events')} SET hash = {m}, chain = {m} WHERE position = {m}"


def _batches(up: Upgrade, columns: str) -> Iterator[list[Any]]:
    """The rows ``position, columns`` of the events, in position order, a batch at a time."""
    d = up.dialect
    sql = (
        f"SELECT position, {columns} FROM {d.table('events')} "
        f"WHERE position > {d.mark} ORDER BY position LIMIT {d.mark}"
    )
    cursor = up.cursor()
    position = 0
    while True:
        cursor.execute(sql, (position, READ_BATCH))
        rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        position = rows[-1][0]


def _previous_hashes(up: Upgrade, rows: Sequence[Sequence[Any]]) -> dict[Key, str]:
    """
    The stored hashes of the events that ``rows`` (one batch) continue, where those lie in
    earlier batches.
    """
    here = {(row[1], row[2]) for row in rows}
    wanted = [
        (row[1], row[2] - 1) for row in rows if row[2] > 1 and (row[1], row[2] - 1) not in here
    ]
    d = up.dialect
    found: dict[Key, str] = {}
    cursor = up.cursor()
    for start in range(0, len(wanted), _KEYS_PER_LOOKUP):
        keys = wanted[start : start + _KEYS_PER_LOOKUP]
        values = ", ".join(d.key_marks for _ in keys)
        cursor.execute(
            f"WITH k (stream_id, seq) AS (VALUES {values}) "
            f"SELECT e.stream_id, e.seq, e.hash FROM {d.table('events')} AS e "
            "JOIN k ON e.stream_id = k.stream_id AND e.seq = k.seq",
            [value for key in keys for value in key],
        )
        found.update({(r[0], r[1]): str(r[2]) for r in cursor.fetchall() if r[2] is not None})
    return found


def _add_missing(up: Upgrade, columns: Mapping[str, str], table: str = "events") -> None:
    """Add those of ``columns`` (name: type) that ``table`` lacks."""
    d = up.dialect
    cursor = up.cursor()
    cursor.execute(f"SELECT * FROM {d.table(table)} LIMIT 0")
    present = {str(c[0]) for c in cursor.description or ()}
    for name, sql_type in columns.items():
        if name not in present:
            cursor.execute(f"ALTER TABLE {d.table(table)} ADD COLUMN {name} {sql_type}")


_SEAL_COLUMNS = {
    "outbox": ("previous", "seal"),
    "access_denials": ("previous", "seal", "actor_salt", "actor_seal"),
}


def add_seal_columns(up: Upgrade) -> str | None:
    """
    Add the seal columns of the outbox and the access denials where missing (a database taken
    back to an older version by hand keeps them). Rows written before stay unsealed: verify()
    counts them apart, and the rows written from now on are sealed after them.
    """
    lite = up.dialect.name == "sqlite"
    for table, names in _SEAL_COLUMNS.items():
        types = {
            n: ("INTEGER" if lite else "bigint")
            if n == "previous"
            else ("TEXT" if lite else "text")
            for n in names
        }
        _add_missing(up, types, table)
    return None


def _reference(up: Upgrade, stream_id: object) -> str:
    cursor = up.cursor()
    cursor.execute(
        f"SELECT reference FROM {up.dialect.table('complaints')} WHERE id = {up.dialect.mark}",
        (stream_id,),
    )
    found = cursor.fetchone()
    return str(found[0]) if found else str(stream_id)


def _decode(up: Upgrade, row: Sequence[Any], doing: str, personal: object = None) -> Event:
    """
    The event in a row of ``position, stream_id, seq, ...`` that a step works on, or
    CorruptRecord naming it (by reference where it has a summary) and its position.
    """
    try:
        return up.dialect.decode(row[1:9], personal)
    except DECODE_ERRORS as e:
        raise CorruptRecord(
            complaint=_reference(up, row[1]),
            seq=row[2] if isinstance(row[2], int) else 0,
            reason=f"{e}; the event at position {row[0]} cannot be {doing}",
        ) from e


def _not_resealed(up: Upgrade, row: Sequence[Any], problem: str) -> StorageError:
    d = up.dialect
    return StorageError(
        f"{d.store}: the event at position {row[0]} (complaint {_reference(up, row[1])}, seq "
        f"{row[2]}) {problem}, so the history is not sealed and re-hashed (that would make it "
        f"look intact); this release cannot open the {d.container} until it matches: check it "
        "with `iso10002 verify` of the release that wrote it, with the store's integrity key if "
        "it has one, or restore a backup"
    )


def add_organisation_column(up: Upgrade) -> str | None:
    """
    Add the complaints' ``organisation`` column where missing (a database taken back to an
    older version by hand keeps it), and its index. Nothing to fill: events recorded before
    name no organisation, so their complaints belong to none, as their histories say.
    """
    d = up.dialect
    lite = d.name == "sqlite"
    _add_missing(up, {"organisation": "TEXT" if lite else 'text COLLATE "C"'}, "complaints")
    # Partial: a single-organisation deployment (no complaint has one) pays no index write.
    # It continues with the result order, so one organisation's page is read off it.
    up.cursor().execute(
        "CREATE INDEX IF NOT EXISTS complaints_by_organisation ON "
        f"{d.table('complaints')} (organisation, received_at, reference) "
        "WHERE organisation IS NOT NULL"
    )
    return None
