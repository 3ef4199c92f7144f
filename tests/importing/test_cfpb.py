"""The CFPB importer on the two real samples: every row lands, each as the guide says."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from iso10002.desk import ComplaintDesk
from iso10002.errors import ImportFileError, ValidationError
from iso10002.importing import ImportReport, RowError, import_cfpb
from iso10002.model.complaint import Complaint
from iso10002.model.values import (
    Channel,
    ClosureReason,
    Complainant,
    ContactDetails,
    ContactMethod,
    Outcome,
    RemedyKind,
    Role,
)
from iso10002.serialization import unstructure
from iso10002.storage.base import ComplaintQuery
from iso10002.storage.sqlite import SQLiteEventStore

from .support import CURRENT, LAYOUT_2014, NOW, assert_whole, clock, read_csv, write_csv

UTC = _dt.timezone.utc


def _at(year: int, month: int, day: int, hour: int) -> _dt.datetime:
    return _dt.datetime(year, month, day, hour, tzinfo=UTC)


@attrs.frozen
class Imported:
    """A sample imported into its own database, with the report."""

    db: Path
    report: ImportReport


def _import(path: Path, db: Path) -> Imported:
    with SQLiteEventStore(db, synchronous="NORMAL") as store:
        report = import_cfpb(store, path, clock=clock())
    return Imported(db=db, report=report)


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return _import(CURRENT, tmp_path_factory.mktemp("cfpb") / "current.db")


@pytest.fixture(scope="module")
def layout_2014(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return _import(LAYOUT_2014, tmp_path_factory.mktemp("cfpb") / "2014.db")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteEventStore]:
    with SQLiteEventStore(tmp_path / "complaints.db") as s:
        yield s


def _get(imported: Imported, record_id: str) -> Complaint:
    with SQLiteEventStore(imported.db) as store:
        return ComplaintDesk(store).get(f"CFPB-{record_id}")


def _history(imported: Imported, record_id: str) -> list[tuple[str, str, _dt.datetime]]:
    with SQLiteEventStore(imported.db) as store:
        events = ComplaintDesk(store).history(f"CFPB-{record_id}")
    return [(e.type, e.state, e.occurred_at) for e in events]


# -- both layouts import completely ---------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "response_column"),
    [("current", "Company response to consumer"), ("layout_2014", "Company response")],
)
def test_every_row_of_each_layout_becomes_one_whole_complaint(
    request: pytest.FixtureRequest, sample: str, response_column: str
) -> None:
    imported: Imported = request.getfixturevalue(sample)
    path = CURRENT if sample == "current" else LAYOUT_2014
    _, records = read_csv(path)
    assert imported.report == ImportReport(
        system="cfpb", read=len(records), imported=len(records), skipped=0
    )
    assert assert_whole(imported.db) == len(records)
    still_open = sum(
        1 for r in records if r[response_column] in ("In progress", "Untimely response")
    )
    with SQLiteEventStore(imported.db) as store:
        assert store.query(ComplaintQuery(is_open=True, limit=1)).total == still_open
        assert store.query(ComplaintQuery(is_open=False, limit=1)).total == len(records) - (
            still_open
        )
        for record in records[:: len(records) // 25]:
            key = f"cfpb:{record['Complaint ID']}"
            assert store.id_for_client_key(key) is not None


def test_channels_follow_the_documented_table(current: Imported, layout_2014: Imported) -> None:
    expected = {
        "Web": Channel.WEB_FORM,
        "Phone": Channel.PHONE,
        "Email": Channel.EMAIL,
        "Postal mail": Channel.LETTER,
        "Fax": Channel.LETTER,
        "Referral": Channel.REFERRAL,
    }
    for imported, path in ((current, CURRENT), (layout_2014, LAYOUT_2014)):
        _, records = read_csv(path)
        wanted = Counter(expected[r["Submitted via"]] for r in records)
        with SQLiteEventStore(imported.db) as store:
            found = Counter(
                {c: store.query(ComplaintQuery(channel=c, limit=1)).total for c in Channel}
            )
        assert +found == wanted


# -- the mapping, row by row ----------------------------------------------------------------


def test_closed_with_explanation_current_layout(current: Imported) -> None:
    c = _get(current, "3571115")
    midnight = _at(2020, 3, 18, 4)  # 2020-03-18 00:00 in New York (EDT)
    assert c.reference == "CFPB-3571115"
    assert c.client_key == "cfpb:3571115"
    assert c.received_at == midnight
    assert c.recorded_at == midnight
    assert c.channel is Channel.WEB_FORM
    assert c.complainant == Complainant(
        name="CFPB consumer",
        contact=ContactDetails(address="c/o Consumer Financial Protection Bureau"),
        preferred_contact=ContactMethod.LETTER,
    )
    assert c.classification is not None
    assert c.classification.category == (
        "Credit reporting, credit repair services, or other personal consumer reports",
        "Credit reporting",
        "Incorrect information on your report",
        "Information belongs to someone else",
    )
    assert c.classification.product == (
        "Credit reporting, credit repair services, or other personal consumer reports"
    )
    # No narrative: the product and the issue stand in.
    assert c.description == (
        "Credit reporting, credit repair services, or other personal consumer reports: "
        "Incorrect information on your report"
    )
    assert dict(c.attributes) == {
        "company": "TRANSUNION INTERMEDIATE HOLDINGS, INC.",
        "state": "FL",
        "zip_code": "330XX",
        "timely_response": "Yes",
        "company_public_response": "Company has responded to the consumer and the CFPB and "
        "chooses not to provide a public response",
        "consumer_consent": "Other",
        "company_response": "Closed with explanation",
    }  # "Consumer disputed?" is N/A and Tags blank: not attributes
    assert c.source is not None
    assert (c.source.system, c.source.record_id, c.source.imported_at, c.source.timed) == (
        "cfpb",
        "3571115",
        NOW,
        False,
    )
    assert c.decision is not None
    assert c.decision.outcome is Outcome.NOT_UPHELD
    assert [r.kind for r in c.decision.remedies] == [RemedyKind.EXPLANATION]
    assert c.state == "closed"
    assert c.closure_reason is ClosureReason.RESOLVED
    assert c.closed_at == midnight
    assert c.first_response_at == midnight
    assert c.received_by.id == "import:cfpb"
    assert c.received_by.role is Role.SYSTEM
    assert _history(current, "3571115") == [
        ("complaint_received", "received", midnight),
        ("classified", "received", midnight),
        ("communication_recorded", "received", midnight),
        ("decision_made", "decided", midnight),
        ("decision_communicated", "awaiting_reaction", midnight),
        ("closed", "closed", midnight),
    ]


def test_sent_to_company_the_next_day_dates_the_closing(current: Imported) -> None:
    c = _get(current, "3379500")  # received 2019-09-19, sent 2019-09-20, non-monetary relief
    received, sent = _at(2019, 9, 19, 4), _at(2019, 9, 20, 4)
    assert c.received_at == received
    assert c.decision is not None
    assert c.decision.outcome is Outcome.UPHELD
    assert [r.kind for r in c.decision.remedies] == [RemedyKind.OTHER]
    assert c.closed_at == sent
    assert [at for _, _, at in _history(current, "3379500")] == [received, received] + [sent] * 4
    (communication,) = c.communications
    assert communication.summary == (
        "The CFPB sent the complaint to Experian Information Solutions Inc. for a response"
    )
    assert communication.channel is Channel.REFERRAL
    assert communication.visibility.value == "internal"


def test_monetary_relief_is_an_upheld_refund_without_an_amount(current: Imported) -> None:
    c = _get(current, "3302666")
    assert c.decision is not None
    assert c.decision.outcome is Outcome.UPHELD
    (remedy,) = c.decision.remedies
    assert remedy.kind is RemedyKind.REFUND
    assert remedy.amount is None
    with SQLiteEventStore(current.db) as store:
        summary = store.summary(c.id)
    assert summary is not None
    assert summary.facts.outcome is Outcome.UPHELD
    assert summary.facts.redress == ()
    assert summary.facts.source == "cfpb"
    assert summary.facts.timed is False


@pytest.mark.parametrize(
    ("record_id", "response", "timely"),
    [("3558134", "In progress", "Yes"), ("3255106", "Untimely response", "No")],
)
def test_in_progress_and_untimely_responses_stay_open(
    current: Imported, record_id: str, response: str, timely: str
) -> None:
    c = _get(current, record_id)
    assert c.is_open
    assert c.state == "received"
    assert c.decision is None
    assert c.first_response_at is None
    assert c.attributes["company_response"] == response
    assert c.attributes["timely_response"] == timely
    assert [t for t, _, _ in _history(current, record_id)] == [
        "complaint_received",
        "classified",
        "communication_recorded",
    ]


def test_a_narrative_with_line_breaks_is_the_description(current: Imported) -> None:
    _, records = read_csv(CURRENT)
    (record,) = [r for r in records if r["Complaint ID"] == "3384392"]
    assert "\n" in record["Consumer complaint narrative"]
    c = _get(current, "3384392")
    assert c.description == record["Consumer complaint narrative"].strip()
    assert c.description.startswith("transworld systems inc.")


def test_tags_and_dispute_are_kept(current: Imported) -> None:
    c = _get(current, "2010655")
    assert c.attributes["tags"] == "Servicemember"
    assert c.attributes["consumer_disputed"] == "Yes"


def test_the_2014_layout_reads_us_dates_in_new_york_winter_time(layout_2014: Imported) -> None:
    c = _get(layout_2014, "1114245")
    assert c.received_at == _at(2014, 11, 13, 5)  # 00:00 EST
    assert c.classification is not None
    assert c.classification.category == (
        "Debt collection",
        "Medical",
        "Disclosure verification of debt",
        "Not given enough info to verify debt",
    )
    assert c.description == "Debt collection: Disclosure verification of debt"
    assert dict(c.attributes) == {
        "company": "Choice Recovery, Inc.",
        "state": "FL",
        "zip_code": "32219",
        "timely_response": "Yes",
        "company_response": "Closed with explanation",
    }


def test_closed_without_a_stated_outcome_has_no_decision(layout_2014: Imported) -> None:
    c = _get(layout_2014, "1109193")  # "Closed"
    assert c.state == "closed"
    assert c.decision is None
    assert c.first_response_at is None
    assert c.closure_reason is ClosureReason.RESOLVED
    assert [t for t, _, _ in _history(layout_2014, "1109193")] == [
        "complaint_received",
        "classified",
        "communication_recorded",
        "closed",
    ]


def test_a_blank_sub_product_is_left_out_of_the_category(layout_2014: Imported) -> None:
    c = _get(layout_2014, "1111689")
    assert c.classification is not None
    assert c.classification.category == (
        "Debt collection",
        "Improper contact or sharing of info",
        "Contacted employer after asked not to",
    )
    assert c.attributes["consumer_disputed"] == "Yes"


# -- idempotence, limits, zones ---------------------------------------------------------------


def test_running_the_import_again_adds_nothing(tmp_path: Path) -> None:
    db = tmp_path / "again.db"
    first = _import(LAYOUT_2014, db)
    assert first.report.imported == 500
    second = _import(LAYOUT_2014, db)
    assert second.report == ImportReport(system="cfpb", read=500, imported=0, skipped=500)
    assert assert_whole(db) == 500


def test_a_limit_reads_the_first_records_only(store: SQLiteEventStore) -> None:
    report = import_cfpb(store, CURRENT, clock=clock(), limit=7)
    assert (report.read, report.imported) == (7, 7)
    _, records = read_csv(CURRENT)
    for record in records[:7]:
        assert store.id_for_client_key(f"cfpb:{record['Complaint ID']}") is not None
    assert store.id_for_client_key(f"cfpb:{records[7]['Complaint ID']}") is None


def test_the_zone_sets_the_midnight(store: SQLiteEventStore) -> None:
    import_cfpb(store, LAYOUT_2014, clock=clock(), zone="UTC", limit=1)
    c = ComplaintDesk(store).get("CFPB-1114245")
    assert c.received_at == _at(2014, 11, 13, 0)


@pytest.mark.parametrize(
    ("option", "value"), [("zone", "Mars/Olympus"), ("limit", 0), ("batch_size", 0)]
)
def test_bad_options_are_refused_before_anything_is_written(
    store: SQLiteEventStore, option: str, value: object
) -> None:
    with pytest.raises(ValidationError) as caught:
        import_cfpb(store, CURRENT, clock=clock(), **{option: value})  # type: ignore[arg-type]
    assert caught.value.field == option
    assert store.query(ComplaintQuery(limit=1)).total == 0


def test_progress_is_told_after_each_batch(store: SQLiteEventStore) -> None:
    seen: list[tuple[int, float | None]] = []
    report = import_cfpb(
        store,
        LAYOUT_2014,
        clock=clock(),
        batch_size=100,
        progress=lambda *, read, imported, skipped, failed, fraction: seen.append((read, fraction)),
    )
    assert [read for read, _ in seen] == [100, 200, 300, 400, 500, 500]
    fractions = [f for _, f in seen]
    assert all(f is not None and 0 < f <= 1 for f in fractions)
    assert fractions == sorted(fractions)  # type: ignore[type-var]
    assert fractions[-1] == 1.0
    assert report.imported == 500


# -- bad rows ---------------------------------------------------------------------------------


def _write_with_lines(
    path: Path, header: list[str], records: list[dict[str, str]]
) -> tuple[Path, list[int]]:
    """Write a CSV and the line on which each record starts, counted in the written text."""
    out = io.StringIO()
    starts = []
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for record in records:
        starts.append(out.getvalue().count("\n") + 1)
        writer.writerow([record.get(c, "") for c in header])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, starts


def test_bad_rows_are_reported_and_the_good_ones_land(tmp_path: Path) -> None:
    header, records = read_csv(CURRENT)
    sample = [dict(r) for r in records[:60]]  # rows with narratives: records span lines
    assert any("\n" in r["Consumer complaint narrative"] for r in sample)
    sample[3]["Date received"] = "2020-13-45"
    sample[10]["Submitted via"] = "Carrier pigeon"
    sample[17]["Product"] = ""
    sample[25]["Complaint ID"] = "N/A"
    sample[31]["Date sent to company"] = "2001-01-01"
    sample[40]["Company response to consumer"] = "Closed with a shrug"
    sample[44]["Date received"] = "2031-01-01"
    sample[47]["Date sent to company"] = "01/01/2031"
    sample[50] = dict(sample[49])  # the same complaint twice: the second is skipped
    path, starts = _write_with_lines(tmp_path / "bad.csv", header, sample)
    db = tmp_path / "bad.db"
    with SQLiteEventStore(db) as store:
        report = import_cfpb(store, path, clock=clock(), batch_size=8)
        bad = {3, 10, 17, 25, 31, 40, 44, 47}
        assert (report.read, report.imported, report.skipped) == (60, 60 - len(bad) - 1, 1)
        assert [e.row for e in report.failed] == [starts[i] for i in sorted(bad)]
        by_index = dict(zip(sorted(bad), report.failed, strict=True))
        assert str(by_index[3]) == (
            f'row {starts[3]}, column "Date received": "2020-13-45" is not a date '
            "(YYYY-MM-DD or MM/DD/YYYY)"
        )
        assert (by_index[3].column, by_index[3].value) == ("Date received", "2020-13-45")
        assert by_index[3].record_id == sample[3]["Complaint ID"]
        assert by_index[10] == RowError(
            row=starts[10],
            column="Submitted via",
            value="Carrier pigeon",
            message='"Carrier pigeon" is not a known channel (known: Web, Phone, Email, '
            "Postal mail, Fax, Referral, Web Referral)",
            record_id=sample[10]["Complaint ID"],
        )
        assert (by_index[17].column, by_index[17].value) == ("Product", "")
        assert by_index[17].message == "is blank, and a value is required"
        assert (by_index[25].column, by_index[25].record_id) == ("Complaint ID", "N/A")
        assert by_index[25].message == '"N/A" is not a value, and a value is required'
        assert by_index[31].column == "Date sent to company"
        assert "is before the date received" in by_index[31].message
        assert by_index[40].column == "Company response to consumer"
        assert '"Closed with a shrug" is not a known company response' in by_index[40].message
        assert by_index[44].message == '"2031-01-01" is in the future'
        assert (by_index[47].column, by_index[47].message) == (
            "Date sent to company",
            '"01/01/2031" is in the future',
        )
        for i in bad - {25}:
            assert store.id_for_client_key(f"cfpb:{sample[i]['Complaint ID']}") is None
    assert assert_whole(db) == 60 - len(bad) - 1


def test_a_last_row_without_its_trailing_cells_imports(tmp_path: Path) -> None:
    text = LAYOUT_2014.read_text(encoding="utf-8").splitlines(keepends=True)
    last = text[-1].rstrip("\r\n")
    assert last.endswith(",Yes,")  # the trailing "Consumer disputed?" cell is empty
    path = tmp_path / "short.csv"
    path.write_text("".join([*text[:3], last[:-1]]), encoding="utf-8")  # no comma, no CRLF
    with SQLiteEventStore(tmp_path / "short.db") as store:
        report = import_cfpb(store, path, clock=clock())
        assert (report.read, report.imported) == (3, 3)
        c = ComplaintDesk(store).get("CFPB-1103908")
    assert c.attributes["timely_response"] == "Yes"
    assert "consumer_disputed" not in c.attributes


def test_a_row_with_more_cells_than_the_header_is_refused(tmp_path: Path) -> None:
    lines = LAYOUT_2014.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "wide.csv"
    path.write_text("\n".join([lines[0], lines[1] + ",surplus", lines[2]]) + "\n")
    with SQLiteEventStore(tmp_path / "wide.db") as store:
        report = import_cfpb(store, path, clock=clock())
    assert report.imported == 1
    (error,) = report.failed
    assert (error.row, error.column) == (2, None)
    assert str(error) == "row 2: has 15 cells, but the header names 14 columns"


# -- files that cannot be imported ----------------------------------------------------------


def _unwritten(store: SQLiteEventStore) -> None:
    assert store.query(ComplaintQuery(limit=1)).total == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty: a CSV file starts with a header row"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "holds a NUL byte at byte 8"),
        ("Complaint ID,Produit\n1,é\n".encode("latin-1"), "is not UTF-8 text (byte 23)"),
        (b'[{"Complaint ID": "1"}]\n', 'is not a CFPB complaints export: no column "Complaint ID"'),
        (
            b"Complaint ID,Date received,Product,Issue,Submitted via,Response\n",
            'unknown CFPB export layout: neither "Company response to consumer"',
        ),
        (b"Complaint ID,Product,Product\n", "the header names column 'Product' twice"),
    ],
    ids=["empty", "binary", "latin-1", "json", "unknown-layout", "duplicate-header"],
)
def test_a_file_that_is_not_a_cfpb_export_is_refused_whole(
    tmp_path: Path, store: SQLiteEventStore, content: bytes, reason: str
) -> None:
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as caught:
        import_cfpb(store, path, clock=clock())
    assert caught.value.path == str(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert reason in caught.value.reason
    _unwritten(store)


def test_a_missing_header_is_named_with_the_header_found(
    tmp_path: Path, store: SQLiteEventStore
) -> None:
    header, records = read_csv(LAYOUT_2014)
    path = write_csv(tmp_path / "no-via.csv", [c for c in header if c != "Submitted via"], records)
    with pytest.raises(ImportFileError) as caught:
        import_cfpb(store, path, clock=clock())
    assert 'no column "Submitted via" in the header ("Complaint ID", "Product",' in str(
        caught.value
    )
    _unwritten(store)


def test_an_existing_complaint_with_the_same_reference_is_reported(tmp_path: Path) -> None:
    from iso10002.model.values import Actor

    db = tmp_path / "taken.db"
    with SQLiteEventStore(db) as store:
        desk = ComplaintDesk(store, clock=clock())
        desk.receive(
            Actor(id="agent", role=Role.FRONT_LINE),
            complainant=Complainant(name="A", contact=ContactDetails(email="a@example.org")),
            channel=Channel.EMAIL,
            description="Entered by hand",
            reference="CFPB-1114488",  # the 2014 sample's second row
        )
        report = import_cfpb(store, LAYOUT_2014, clock=clock(), limit=20, batch_size=5)
        assert (report.imported, report.skipped) == (19, 0)
        (error,) = report.failed
        assert (error.row, error.record_id) == (3, "1114488")
        assert "reference 'CFPB-1114488' is already used" in error.message
        assert store.id_for_client_key("cfpb:1114488") is None
    assert assert_whole(db) == 20


def test_the_stored_rows_are_what_the_reference_sealing_and_encoding_give(
    current: Imported,
) -> None:
    """
    The import's fast path (salts drawn ahead, names and actors encoded once) stores, for every
    event of the sample, the very text the reference path gives: the event read back, sealed
    with the salts stored beside it and encoded canonically; and the chains verify.
    """
    from iso10002.integrity import verify
    from iso10002.privacy.sealing import seal_event
    from iso10002.serialization import canonical_json, parse_json

    with SQLiteEventStore(current.db) as store:
        rows = store.select(
            "SELECT stream_id, seq, actor, payload, personal FROM events ORDER BY position"
        )
        checked = 0
        for stream_id, seq, actor, payload, personal in list(rows):
            (event,) = store.read(uuid.UUID(stream_id), after=seq - 1)[:1]
            held = parse_json(personal, path="$") if personal is not None else {}
            salts = iter([salt for salt, _ in held.values()])
            sealed = seal_event(event, salt=salts.__next__)
            assert payload == canonical_json(sealed.payload)
            expected_actor = sealed.actor if sealed.actor is not None else event.actor
            assert actor == canonical_json(
                expected_actor if isinstance(expected_actor, dict) else unstructure(expected_actor)
            )
            assert {p: [s, v] for p, (s, v) in sealed.personal.items()} == held
            checked += 1
        assert checked >= current.report.imported
        report = verify(store)
    assert report.ok, report.finding
