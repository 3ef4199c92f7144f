"""
The import's fast paths against the reference paths: the state folded once against the
replay, the prepared events against the reference sealing and encoding under the same salts,
and an import with worker processes against one in a single process.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from iso10002.errors import ValidationError
from iso10002.importing import (
    ChannelColumn,
    ColumnMapping,
    RemedyColumns,
    StatusColumn,
    TimeColumn,
    import_cfpb,
    import_rows,
)
from iso10002.importing._fold import final_state
from iso10002.importing._parallel import can_fork
from iso10002.importing.cfpb import CFPB_COMPLAINANT, CFPB_SYSTEM, CFPB_ZONE, _Parser
from iso10002.importing.history import CLOSED, WITHDRAWN, HistoryBuilder, ImportedRecord
from iso10002.importing.sources import CsvRows
from iso10002.integrity import verify
from iso10002.model.complaint import Complaint
from iso10002.model.events import Event, NoteAdded, SatisfactionRecorded
from iso10002.model.values import (
    Actor,
    Channel,
    Classification,
    Decision,
    Money,
    Outcome,
    Remedy,
    RemedyKind,
    Role,
    RootCause,
)
from iso10002.privacy import sealing
from iso10002.serialization import canonical_json, parse_json, unstructure
from iso10002.storage._prepare import prepare_event
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.sqlite import SQLiteEventStore

from .support import CURRENT, LAYOUT_2014, NOW, assert_whole, clock, read_csv, write_csv

UTC = _dt.timezone.utc


def _records(path: Path) -> list[ImportedRecord]:
    with CsvRows(path) as rows:
        column = "Company response to consumer" if path == CURRENT else "Company response"
        parse = _Parser(column, CFPB_ZONE, NOW)
        return [parse(row, cells) for row, cells in rows]  # type: ignore[arg-type]


def test_the_import_seals_as_the_stores_do(records: list[ImportedRecord]) -> None:
    """The reference path of the import is the stores' own, under the same salts."""
    from iso10002.integrity.templates import prepare_event as ours

    for record in records[:20]:
        for event in _builder().build(record).events:
            prepared = ours(event)
            salts = iter([salt for salt, _ in prepared.personal.values()])
            with pytest.MonkeyPatch.context() as m:
                m.setattr(sealing, "_random_salt", salts.__next__)
                assert prepared == prepare_event(event)


def _handmade() -> list[ImportedRecord]:
    """Records with every step a source can give: acknowledged, rooted, rated, withdrawn."""
    at = _dt.datetime(2024, 1, 2, 9, tzinfo=UTC)
    decision = Decision(
        outcome=Outcome.UPHELD,
        reasons="Keyed wrongly",
        remedies=(
            Remedy(
                kind=RemedyKind.REFUND,
                description="Refund",
                amount=Money(amount=Decimal("45.00"), currency="GBP"),
            ),
        ),
    )
    common: dict[str, Any] = {
        "received_at": at,
        "channel": Channel.EMAIL,
        "description": "Charged twice",
        "attributes": {"branch": "North"},
        "classification": Classification(category=("Billing", "Wrong amount"), product="Mobile"),
    }
    out = []
    for i in range(4):  # each twice over, so that the second meets the kept payloads
        out.append(
            ImportedRecord(
                record_id=f"S-{i}",
                **common,
                forwarded_at=at + _dt.timedelta(minutes=30),
                acknowledged_at=at + _dt.timedelta(hours=1),
                ending=CLOSED,
                ended_at=at + _dt.timedelta(days=4),
                decision=decision,
                responded_at=at + _dt.timedelta(days=3),
                response_summary="Refund agreed",
                closing_note="Refunded",
                root_cause=RootCause(cause="Manual keying", category="process"),
                satisfaction=SatisfactionRecorded(score=4, comment="Quick"),
            )
        )
        out.append(
            ImportedRecord(
                record_id=f"W-{i}",
                **common,
                acknowledged_at=at + _dt.timedelta(hours=2),
                ending=WITHDRAWN,
                ended_at=at + _dt.timedelta(days=1),
                closing_note="The customer withdrew",
                root_cause=RootCause(cause="Misunderstanding"),
            )
        )
    return out


def _builder() -> HistoryBuilder:
    return HistoryBuilder(
        system=CFPB_SYSTEM, imported_at=NOW, timed=False, complainant=CFPB_COMPLAINANT
    )


@pytest.fixture(scope="module")
def records() -> list[ImportedRecord]:
    return _records(CURRENT) + _records(LAYOUT_2014) + _handmade()


def test_the_state_folded_once_is_the_replays(records: list[ImportedRecord]) -> None:
    builder = _builder()
    for record in records:
        events = builder.build(record).events
        assert final_state(events) == Complaint.replay(events)


def test_a_property_read_while_folding_is_the_folded_states(
    records: list[ImportedRecord],
) -> None:
    from iso10002.importing._fold import _Folding
    from iso10002.model.complaint import apply

    events = _builder().build(records[0]).events
    first = apply(None, events[0])
    folding = _Folding(first, {"closed_at": events[-1].occurred_at})
    assert first.is_open
    assert folding.is_open is False
    assert folding.reference == first.reference


def test_a_history_the_fold_refuses_is_refused_alike(records: list[ImportedRecord]) -> None:
    events = list(_builder().build(records[0]).events)
    assert len(events) > 2
    gap = [*events[:1], *events[2:]]
    with pytest.raises(ValidationError) as expected:
        Complaint.replay(gap)
    with pytest.raises(ValidationError) as got:
        final_state(gap)
    assert str(got.value) == str(expected.value)
    with pytest.raises(ValidationError, match="at least the receipt"):
        final_state([])


def _reference(event: Event, salts: list[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The reference path's preparation of ``event``, drawing ``salts``."""
    with monkeypatch.context() as m:
        m.setattr(sealing, "_random_salt", iter(salts).__next__)
        return prepare_event(event)


def test_prepared_events_are_the_reference_paths_under_the_same_salts(
    records: list[ImportedRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = _builder()
    staff = Actor(id="agent-7", role=Role.FRONT_LINE)
    complainant = Actor(id="cust-1", role=Role.COMPLAINANT, name="A. Person")
    called_back = NoteAdded(text="Called back", internal=False)
    checked = 0
    for record in itertools.chain(records, records[:50]):
        append = builder.build(record, prepare=True)
        assert append.prepared is not None
        events = list(zip(append.events, append.prepared, strict=True))
        # Events of other actors through the same preparer (the complainant's is sealed).
        for actor in (staff, complainant, staff):
            note = Event(
                complaint_id=append.summary.id,
                seq=len(append.events) + 1,
                occurred_at=append.events[-1].occurred_at,
                actor=actor,
                state=append.events[-1].state,
                payload=called_back,
            )
            events.append((note, builder._preparer.prepare(note)))
        for event, prepared in events:
            salts = [salt for salt, _ in prepared.personal.values()]
            assert prepared == _reference(event, salts, monkeypatch)
            checked += 1
    assert checked > 20_000
    kept = builder._preparer._payloads.values()
    assert sum(template is not None for _, template in kept) > 50


def test_a_cut_text_takes_new_pieces_in_place_of_its_own() -> None:
    from iso10002.integrity.templates import _Cut, _cut

    text = '{"a":"100%","b":{"$personal":"B1"},"c":"%s","d":{"$personal":"A1"}}'
    cut = _cut(text, ["A1", "B1"])  # found in the other order
    assert cut is not None
    assert _Cut(*cut).join(["A1", "B1"]) == text
    assert _Cut(*cut).join(["A2", "B2"]) == text.replace("A1", "A2").replace("B1", "B2")
    plain = _cut(text, ["B1", "A1"])
    assert plain is not None
    assert _Cut(*plain).join(["B3", "A3"]) == text.replace("A1", "A3").replace("B1", "B3")
    assert _cut(text, ["$personal"]) is None  # met twice: no template


def test_workers_must_be_a_positive_integer(tmp_path: Path) -> None:
    with SQLiteEventStore(tmp_path / "w.db") as store:
        for bad in (0, -1, 33, 2**64, True, 1.5):
            with pytest.raises(ValidationError, match="workers"):
                import_cfpb(store, CURRENT, clock=clock(), workers=bad)  # type: ignore[arg-type]
        assert store.id_for_client_key("cfpb:3571115") is None


def _stored(db: Path) -> Iterator[tuple[Any, ...]]:
    """
    Every event as stored, the complaint named by its reference: the personal values checked
    against the reference sealing under their stored salts, then left out with the salts.
    """
    with SQLiteEventStore(db) as store:
        refs = dict(store.select("SELECT id, reference FROM complaints"))
        rows = store.select(
            "SELECT stream_id, seq, type, occurred_at, actor, state, payload, personal "
            "FROM events ORDER BY position"
        )
        for stream_id, seq, type_, occurred_at, actor, state, payload, personal in list(rows):
            (event,) = store.read(uuid.UUID(stream_id), after=seq - 1)[:1]
            held = parse_json(personal, path="$") if personal is not None else {}
            salts = iter([salt for salt, _ in held.values()])
            sealed = sealing.seal_event(event, salt=salts.__next__)
            assert payload == canonical_json(sealed.payload)
            assert actor == canonical_json(unstructure(event.actor))
            unsealed = unstructure(attrs.evolve(event, complaint_id=uuid.UUID(int=0)))
            values = {path: value for path, (_, value) in held.items()}
            yield refs[stream_id], seq, type_, occurred_at, state, unsealed, values
        report = verify(store)
        assert report.ok, report.finding


def _summaries(db: Path) -> list[tuple[Any, ...]]:
    with SQLiteEventStore(db) as store:
        rows = store.select("SELECT * FROM complaints ORDER BY reference")
        return [row[1:] for row in rows]  # all but the id


@pytest.mark.skipif(not can_fork(), reason="worker processes are forked")
@pytest.mark.parametrize("workers", [2, 3])
def test_an_import_with_workers_stores_what_one_process_stores(
    tmp_path: Path, workers: int
) -> None:
    header, rows = read_csv(CURRENT)
    sample = [dict(r) for r in rows[:700]]
    sample[5]["Date received"] = "2020-13-45"  # refused by the parser
    sample[250] = dict(sample[249])  # the same complaint twice: the second is skipped
    sample[600] = dict(sample[3])  # ... in another batch
    path = write_csv(tmp_path / "sample.csv", header, sample)
    reports = []
    for name, count in (("one", 1), ("many", workers)):
        with SQLiteEventStore(tmp_path / f"{name}.db", synchronous="NORMAL") as store:
            seen: list[int] = []
            reports.append(
                import_cfpb(
                    store,
                    path,
                    clock=clock(),
                    batch_size=64,
                    workers=count,
                    progress=lambda read, seen=seen, **_: seen.append(read),
                )
            )
        assert seen[-1] == 700
    one, many = reports
    assert many == one
    assert (one.imported, one.skipped, len(one.failed)) == (697, 2, 1)
    assert list(_stored(tmp_path / "many.db")) == list(_stored(tmp_path / "one.db"))
    assert _summaries(tmp_path / "many.db") == _summaries(tmp_path / "one.db")
    assert assert_whole(tmp_path / "many.db") == 697


@pytest.mark.skipif(not can_fork(), reason="worker processes are forked")
def test_an_import_with_workers_again_adds_nothing_and_stops_at_the_limit(
    tmp_path: Path,
) -> None:
    db = tmp_path / "again.db"
    with SQLiteEventStore(db) as store:
        first = import_cfpb(store, LAYOUT_2014, clock=clock(), workers=2, limit=321)
        assert (first.read, first.imported) == (321, 321)
        second = import_cfpb(store, LAYOUT_2014, clock=clock(), workers=2, batch_size=50)
        assert (second.read, second.imported, second.skipped) == (500, 179, 321)
    assert assert_whole(db) == 500


@pytest.mark.skipif(not can_fork(), reason="worker processes are forked")
def test_mapped_rows_with_workers_land_in_the_memory_store_as_in_one_process() -> None:
    mapping = ColumnMapping(
        system="crm",
        record_id="id",
        received_at=TimeColumn(column="at"),
        channel=ChannelColumn(default=Channel.PHONE),
        status=StatusColumn(column="status", values={"done": "not_upheld", "new": "open"}),
        closed_at=TimeColumn(column="closed"),
        remedy=RemedyColumns(amount="paid", currency="GBP", kind=RemedyKind.REFUND),
    )
    rows = [
        {"id": str(i), "at": f"2024-03-{i % 28 + 1:02d}T10:00Z", "status": "new", "closed": ""}
        for i in range(1, 400)
    ]
    for i in range(0, 399, 9):
        rows[i]["status"] = "done"
        rows[i]["closed"] = "2024-04-01"
        rows[i]["paid"] = "7.25"
    rows[17]["at"] = "yesterday"
    rows[18].update(status="done", closed="2024-01-01")  # closed before the receipt
    rows[40] = dict(rows[39])
    stores = []
    reports = []
    for workers in (1, 2):
        store = InMemoryEventStore()
        options = {"clock": clock(), "batch_size": 33, "workers": workers}
        reports.append(import_rows(store, rows, mapping, **options))  # type: ignore[arg-type]
        stores.append(store)
    assert reports[0] == reports[1]
    assert reports[0].skipped == 1
    assert len(reports[0].failed) >= 1
    for record in rows[:60]:
        found = [store.id_for_client_key(f"crm:{record['id']}") for store in stores]
        ids = [cid for cid in found if cid is not None]
        if not ids:
            continue
        assert len(ids) == 2
        histories = [
            [unstructure(attrs.evolve(e, complaint_id=uuid.UUID(int=0))) for e in store.read(cid)]
            for store, cid in zip(stores, ids, strict=True)
        ]
        assert histories[0] == histories[1]
