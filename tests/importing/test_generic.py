"""The mapped importer: CSV, JSON, JSON Lines and rows in memory, read with a column mapping."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from iso10002.desk import ComplaintDesk
from iso10002.errors import ImportFileError, ValidationError
from iso10002.importing import (
    ChannelColumn,
    ColumnMapping,
    ImportReport,
    RemedyColumns,
    StatusColumn,
    TimeColumn,
    import_csv,
    import_file,
    import_json,
    import_rows,
    load_mapping,
)
from iso10002.model.values import Channel, ClosureReason, Money, Outcome, RemedyKind
from iso10002.storage.base import ComplaintQuery
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.sqlite import SQLiteEventStore

from .support import NOW, assert_whole, clock

UTC = _dt.timezone.utc

MAPPING_TOML = """
system = "legacy_crm"
record_id = "Ticket"
category = ["Area", "Topic"]
product = "Product"
description = "Summary"
reasons = "Outcome notes"
timed = true

[received_at]
column = "Opened"
format = "%d/%m/%Y %H:%M"
zone = "Europe/London"

[channel]
column = "Channel"
default = "email"
values = { "Web" = "web_form", "Tel" = "phone" }

[status]
column = "Status"
values = { "Open" = "open", "Upheld" = "upheld", "Part upheld" = "partially_upheld", \
"Rejected" = "not_upheld", "Closed" = "closed", "Withdrawn" = "withdrawn" }

[closed_at]
column = "Closed"
format = "%d/%m/%Y %H:%M"
zone = "Europe/London"

[remedy]
amount = "Redress"
currency_column = "Currency"

[attributes]
Region = "region"
"Account type" = "segment"
"""

HEADER = (
    "Ticket,Opened,Channel,Area,Topic,Product,Summary,Status,Closed,Outcome notes,Redress,"
    "Currency,Region,Account type"
)
ROWS = [
    # 1 upheld with money, BST (UTC+1) in July
    (
        "T-1,01/07/2024 09:30,Web,Billing,Wrong amount,Current account,Charged twice,Upheld,"
        "05/07/2024 16:00,Refunded the fee,25.50,GBP,North,Personal"
    ),
    # 2 still open, blank channel -> default e-mail
    "T-2,02/01/2024 10:00,,Delivery,,,Late card,Open,,,,,,",
    # 3 rejected: no remedies, reasons defaulted
    "T-3,03/01/2024 10:00,Tel,Fees,,Savings,Fee disputed,Rejected,04/01/2024 11:00,,,,,",
    # 4 partially upheld without an amount: a remedy 'not recorded'
    "T-4,03/01/2024 10:00,tel,Fees,,,,Part upheld,04/01/2024 11:00,,,,,",
    # 5 withdrawn
    'T-5,03/01/2024 10:00,letter,,,,"Multi\nline",Withdrawn,05/01/2024 09:00,,,,,',
    # 6 closed without a decision
    "T-6,03/01/2024 10:00,Web,,,,,closed,05/01/2024 09:00,,,,,",
]


def _csv(path: Path, rows: list[str] = ROWS, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def mapping(tmp_path: Path) -> ColumnMapping:
    path = tmp_path / "mapping.toml"
    path.write_text(MAPPING_TOML, encoding="utf-8")
    return load_mapping(path)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteEventStore]:
    with SQLiteEventStore(tmp_path / "complaints.db") as s:
        yield s


def test_a_csv_export_imports_with_its_mapping(
    tmp_path: Path, store: SQLiteEventStore, mapping: ColumnMapping
) -> None:
    report = import_csv(store, _csv(tmp_path / "export.csv"), mapping, clock=clock())
    assert report == ImportReport(system="legacy_crm", read=6, imported=6, skipped=0)
    desk = ComplaintDesk(store)

    upheld = desk.get("LEGACY_CRM-T-1")
    assert upheld.received_at == _dt.datetime(2024, 7, 1, 8, 30, tzinfo=UTC)
    assert upheld.channel is Channel.WEB_FORM
    assert upheld.classification is not None
    assert upheld.classification.category == ("Billing", "Wrong amount")
    assert upheld.classification.product == "Current account"
    assert upheld.description == "Charged twice"
    assert dict(upheld.attributes) == {"region": "North", "segment": "Personal"}
    assert upheld.decision is not None
    assert upheld.decision.outcome is Outcome.UPHELD
    assert upheld.decision.reasons == "Refunded the fee"
    (remedy,) = upheld.decision.remedies
    assert remedy.kind is RemedyKind.COMPENSATION
    assert remedy.amount == Money(amount=Decimal("25.50"), currency="GBP")
    assert upheld.closed_at == _dt.datetime(2024, 7, 5, 15, 0, tzinfo=UTC)
    assert upheld.first_response_at == upheld.closed_at
    assert upheld.source is not None
    assert upheld.source.timed is True
    assert upheld.source.imported_at == NOW
    assert upheld.client_key == "legacy_crm:T-1"

    still_open = desk.get("LEGACY_CRM-T-2")
    assert still_open.is_open
    assert still_open.state == "received"
    assert still_open.channel is Channel.EMAIL  # the default for a blank cell
    assert still_open.received_at == _dt.datetime(2024, 1, 2, 10, 0, tzinfo=UTC)  # GMT
    assert [e.type for e in desk.history("LEGACY_CRM-T-2")] == [
        "complaint_received",
        "classified",
    ]

    rejected = desk.get("LEGACY_CRM-T-3")
    assert rejected.decision is not None
    assert rejected.decision.outcome is Outcome.NOT_UPHELD
    assert rejected.decision.remedies == ()
    assert rejected.decision.reasons == "Decided in legacy_crm (Rejected)"
    assert rejected.closure_reason is ClosureReason.RESOLVED

    partial = desk.get("LEGACY_CRM-T-4")
    assert partial.channel is Channel.PHONE  # "tel" matched "Tel" without regard to case
    assert partial.description == "Fees"  # the category path stands in
    assert partial.decision is not None
    assert partial.decision.outcome is Outcome.PARTIALLY_UPHELD
    assert [(r.kind, r.description) for r in partial.decision.remedies] == [
        (RemedyKind.OTHER, "Not recorded in legacy_crm")
    ]

    withdrawn = desk.get("LEGACY_CRM-T-5")
    assert withdrawn.state == "withdrawn"
    assert withdrawn.channel is Channel.LETTER  # a channel name as it is
    assert withdrawn.description == "Multi\nline"
    assert withdrawn.withdrawn_at == _dt.datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
    assert withdrawn.classification is None

    closed = desk.get("LEGACY_CRM-T-6")
    assert (closed.state, closed.decision) == ("closed", None)
    assert closed.description == "Imported from legacy_crm"
    assert store.query(ComplaintQuery(is_open=True, limit=1)).total == 1


def test_json_array_json_lines_and_rows_give_the_same_complaints(
    tmp_path: Path, mapping: ColumnMapping
) -> None:
    records = [
        {
            "Ticket": "J-1",
            "Opened": "01/07/2024 09:30",
            "Channel": "Web",
            "Area": "Billing",
            "Status": "Upheld",
            "Closed": "02/07/2024 09:30",
            "Redress": 12.5,
            "Currency": "EUR",
            "Region": None,
        },
        {"Ticket": 2, "Opened": "01/07/2024 10:00", "Status": "open", "Account type": True},
    ]
    array = tmp_path / "export.json"
    array.write_text(json.dumps(records, indent=2), encoding="utf-8")
    lines = tmp_path / "export.jsonl"
    lines.write_text("\n" + "\n".join(json.dumps(r) for r in records) + "\n\n", encoding="utf-8")
    loaders: dict[str, Callable[[SQLiteEventStore], ImportReport]] = {
        "array": lambda s: import_json(s, array, mapping, clock=clock()),
        "lines": lambda s: import_json(s, lines, mapping, clock=clock()),
        "rows": lambda s: import_rows(s, iter(records), mapping, clock=clock()),
    }
    results = []
    for name, load in loaders.items():
        with SQLiteEventStore(tmp_path / f"{name}.db") as store:
            report = load(store)
            assert (report.read, report.imported, report.failed) == (2, 2, ())
            desk = ComplaintDesk(store)
            first, second = desk.get("LEGACY_CRM-J-1"), desk.get("LEGACY_CRM-2")
            results.append((first.decision, first.attributes, second.attributes))
    assert results[0] == results[1] == results[2]
    decision, first_attributes, second_attributes = results[0]
    assert decision is not None
    (remedy,) = decision.remedies
    assert remedy.amount == Money(amount=Decimal("12.5"), currency="EUR")  # no float on the way
    assert dict(first_attributes) == {}  # null is blank
    assert dict(second_attributes) == {"segment": "true"}


def test_bad_records_are_reported_by_line_or_index(
    tmp_path: Path, store: SQLiteEventStore, mapping: ColumnMapping
) -> None:
    rows = [
        "B-1,31/02/2024 10:00,Web,,,,,Open,,,,,,",  # line 2: no such date
        "B-2,01/02/2024 10:00,Pigeon,,,,,Open,,,,,,",  # line 3: unknown channel
        ",01/02/2024 10:00,Web,,,,,Open,,,,,,",  # line 4: no record id
        "B-4,01/02/2024 10:00,Web,,,,,Lost,,,,,,",  # line 5: unknown status
        "B-5,01/02/2024 10:00,Web,,,,,Upheld,,,,,,",  # line 6: closed without a date
        "B-6,02/02/2024 10:00,Web,,,,,Upheld,01/02/2024 10:00,,,,,",  # line 7: closed before
        "B-7,02/02/2024 10:00,Web,,,,,Upheld,03/02/2024 10:00,,1e3,GBP,,",  # line 8: amount
        "B-8,02/02/2024 10:00,Web,,,,,Upheld,03/02/2024 10:00,,10,gbp,,",  # line 9: currency
        "B-9,02/02/2024 10:00,Web,,,,,Open,,,,,,",  # line 10: fine
    ]
    report = import_csv(store, _csv(tmp_path / "bad.csv", rows), mapping, clock=clock())
    assert (report.read, report.imported) == (9, 1)
    assert [str(e) for e in report.failed] == [
        (
            'row 2, column "Opened": "31/02/2024 10:00" is not a date or time '
            "(expected format %d/%m/%Y %H:%M)"
        ),
        (
            'row 3, column "Channel": "Pigeon" is not a known channel (mapped: "Web", "Tel"; '
            "or a channel name: in_person, phone, email, letter, web_form, chat, social_media, "
            "referral)"
        ),
        'row 4, column "Ticket": is blank, and a value is required',
        (
            'row 5, column "Status": "Lost" is not a known status ("Open", "Upheld", '
            '"Part upheld", "Rejected", "Closed", "Withdrawn", open, upheld, partially_upheld, '
            "not_upheld, closed, withdrawn)"
        ),
        'row 6, column "Closed": is blank, and a value is required',
        (
            'row 7, column "Closed": "01/02/2024 10:00" is before "02/02/2024 10:00" in column '
            '"Opened"'
        ),
        'row 8, column "Redress": "1e3" is not an amount (digits, with a decimal point if any)',
        (
            'row 9, column "Currency": "gbp" is not an ISO 4217 currency code '
            "(three capital letters)"
        ),
    ]
    assert [e.record_id for e in report.failed][:3] == ["B-1", "B-2", None]

    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text(
        '{"Ticket": "K-1", "Opened": "01/02/2024 10:00", "Status": "Open"}\n'
        "{not json}\n"
        "[1, 2]\n"
        '{"Ticket": "K-4", "Opened": "01/02/2024 10:00", "Area": {"nested": 1}}\n',
        encoding="utf-8",
    )
    report = import_json(store, bad_json, mapping, clock=clock())
    assert report.imported == 1
    assert [(e.row, e.column) for e in report.failed] == [(2, None), (3, None), (4, "Area")]
    assert report.failed[0].message.startswith("is not valid JSON: ")
    assert report.failed[1].message == "is an array, not an object"
    assert report.failed[2].message == (
        "holds an object; expected text, a number, true, false or null"
    )
    report = import_rows(store, [{"Ticket": "R-1"}, "not a mapping"], mapping, clock=clock())  # type: ignore[list-item]
    assert [(e.row, e.column, e.message) for e in report.failed] == [
        (0, "Opened", "is blank, and a value is required"),
        (1, None, "is str, not an object"),
    ]


def test_a_header_without_a_mapped_column_is_refused_whole(
    tmp_path: Path, store: SQLiteEventStore, mapping: ColumnMapping
) -> None:
    path = _csv(tmp_path / "renamed.csv", header=HEADER.replace("Opened", "Received"))
    with pytest.raises(ImportFileError) as caught:
        import_csv(store, path, mapping, clock=clock())
    assert '"Opened" (the mapping\'s received_at.column)' in caught.value.reason
    assert caught.value.reason.startswith("the header has no column ")
    assert store.query(ComplaintQuery(limit=1)).total == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "is empty: expected a JSON array or JSON Lines"),
        ("Ticket,Opened\n", "is not JSON: it starts with 'T'"),
        ('[{"Ticket": "1"},', "is not valid JSON: "),
        ('{"Ticket": "1"}\n', 'the first record has no column "Opened"'),
    ],
)
def test_a_file_that_is_not_json_is_refused_whole(
    tmp_path: Path, store: SQLiteEventStore, mapping: ColumnMapping, content: str, reason: str
) -> None:
    path = tmp_path / "input.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        import_json(store, path, mapping, clock=clock())
    assert reason in caught.value.reason
    assert caught.value.path == str(path)
    assert store.query(ComplaintQuery(limit=1)).total == 0


def test_the_importers_take_a_mapping_value_only(store: SQLiteEventStore) -> None:
    with pytest.raises(ValidationError) as caught:
        import_rows(store, [], {"system": "x"}, clock=clock())  # type: ignore[arg-type]
    assert caught.value.field == "mapping"


def test_rows_import_into_the_memory_store_too() -> None:
    mapping = ColumnMapping(
        system="crm",
        record_id="id",
        received_at=TimeColumn(column="at"),
        channel=ChannelColumn(default=Channel.PHONE),
        status=StatusColumn(column="status", values={"done": "not_upheld"}),
        closed_at=TimeColumn(column="closed"),
        remedy=RemedyColumns(amount="paid", currency="GBP", kind=RemedyKind.REFUND),
    )
    rows = [
        {"id": str(i), "at": f"2024-03-{i:02d}T10:00Z", "status": "done", "closed": "2024-04-01"}
        for i in range(1, 31)
    ]
    rows[4]["paid"] = "7.25"
    store = InMemoryEventStore()
    report = import_rows(store, rows, mapping, clock=clock(), batch_size=7)
    assert (report.read, report.imported) == (30, 30)
    c = ComplaintDesk(store).get("CRM-5")
    assert c.received_at == _dt.datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    assert c.closed_at == _dt.datetime(2024, 4, 1, 0, 0, tzinfo=UTC)
    assert c.decision is not None
    assert [(r.kind, r.amount) for r in c.decision.remedies] == [
        (RemedyKind.REFUND, Money(amount=Decimal("7.25"), currency="GBP"))
    ]
    again = import_rows(store, rows, mapping, clock=clock())
    assert (again.imported, again.skipped) == (0, 30)


def test_the_same_record_twice_in_one_input_is_imported_once(
    tmp_path: Path, mapping: ColumnMapping
) -> None:
    db = tmp_path / "twice.db"
    rows = ["D-1,02/01/2024 10:00,Web,,,,,Open,,,,,,"] * 3
    with SQLiteEventStore(db) as store:
        report = import_csv(store, _csv(tmp_path / "twice.csv", rows), mapping, clock=clock())
    assert (report.imported, report.skipped) == (1, 2)
    assert assert_whole(db) == 1


def test_a_byte_order_mark_and_crlf_line_ends_are_read(
    tmp_path: Path, store: SQLiteEventStore, mapping: ColumnMapping
) -> None:
    path = tmp_path / "excel.csv"
    text = "\r\n".join([HEADER, "X-1,02/01/2024 10:00,Web,,,,,Open,,,,,,"]) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    report = import_csv(store, path, mapping, clock=clock())
    assert (report.imported, report.failed) == (1, ())


def test_a_cell_too_long_for_csv_refuses_the_file_before_anything_is_written(
    tmp_path: Path, store: SQLiteEventStore, mapping: ColumnMapping
) -> None:
    rows = ["L-1,02/01/2024 10:00,Web,,,,,Open,,,,,,"] * 3
    rows.append('L-2,02/01/2024 10:00,Web,,,,"' + "x" * 200_000 + '",Open,,,,,,')
    path = _csv(tmp_path / "long.csv", rows)
    with pytest.raises(ImportFileError) as caught:
        import_csv(store, path, mapping, clock=clock(), batch_size=1)
    assert caught.value.reason == "line 5: field larger than field limit (131072)"
    assert store.query(ComplaintQuery(limit=1)).total == 0


SYNTHETIC_TOML = """
system = "synthetic"
record_id = "id"
category = ["category"]
category_separator = " / "
product = "product"
root_cause = "root_cause"
timed = true

[received_at]
column = "received_at"

[acknowledged_at]
column = "acknowledged_at"

[responded_at]
column = "responded_at"

[closed_at]
column = "closed_at"

[channel]
column = "channel"

[status]
column = "status"

[outcome]
column = "outcome"

[remedy]
amount = "redress"
currency_column = "currency"

[satisfaction]
column = "satisfaction"
scale = 5
"""

SYNTHETIC_HEADER = (
    "id,received_at,acknowledged_at,responded_at,closed_at,status,channel,category,product,"
    "outcome,redress,currency,satisfaction,root_cause"
)


def test_a_full_history_with_acknowledgement_response_satisfaction_and_root_cause(
    tmp_path: Path, store: SQLiteEventStore
) -> None:
    mapping_path = tmp_path / "synthetic.toml"
    mapping_path.write_text(SYNTHETIC_TOML, encoding="utf-8")
    mapping = load_mapping(mapping_path)
    received = "2024-01-02T09:00:00+00:00"
    rows = [
        # closed upheld: acknowledged, answered, closed, rated, with a root cause
        ",".join(
            [
                "S-1",
                received,
                "2024-01-02T10:00:00+00:00",
                "2024-01-05T12:00:00+00:00",
                "2024-01-06T12:00:00+00:00",
                "closed",
                "email",
                "Billing / Wrong amount",
                "Mobile",
                "upheld",
                "45.00",
                "GBP",
                "4",
                "Manual keying error",
            ]
        ),
        # acknowledged only after the answer went out: events follow the instants
        ",".join(
            [
                "S-2",
                received,
                "2024-01-04T09:00:00+00:00",
                "2024-01-03T09:00:00+00:00",
                "2024-01-03T10:00:00+00:00",
                "closed",
                "phone",
                "Delivery / Late",
                "",
                "not_upheld",
                "",
                "",
                "",
                "",
            ]
        ),
        # withdrawn before any acknowledgement
        f"S-3,{received},,,2024-01-02T11:00:00+00:00,withdrawn,chat,Staff conduct,,,,,,",
        # open and acknowledged
        f"S-4,{received},2024-01-02T09:30:00+00:00,,,open,web_form,Product fault,,,,,,",
        # closed without a decision
        f"S-5,{received},,,2024-01-09T09:00:00+00:00,closed,letter,Service / Outage,,,,,,",
    ]
    path = tmp_path / "synthetic.csv"
    path.write_text("\n".join([SYNTHETIC_HEADER, *rows]) + "\n", encoding="utf-8")
    report = import_csv(store, path, mapping, clock=clock())
    assert (report.imported, report.failed) == (5, ())
    desk = ComplaintDesk(store)

    def at(day: int, hour: int) -> _dt.datetime:
        return _dt.datetime(2024, 1, day, hour, tzinfo=UTC)

    full = desk.get("SYNTHETIC-S-1")
    assert full.classification is not None
    assert full.classification.category == ("Billing", "Wrong amount")
    assert full.classification.product == "Mobile"
    assert (full.acknowledged_at, full.first_response_at, full.closed_at) == (
        at(2, 10),
        at(5, 12),
        at(6, 12),
    )
    assert full.decision is not None
    assert full.decision.reasons == "Decided in synthetic (upheld)"
    assert [r.amount for r in full.decision.remedies] == [
        Money(amount=Decimal("45.00"), currency="GBP")
    ]
    assert full.satisfaction is not None
    assert (full.satisfaction.score, full.satisfaction.scale) == (4, 5)
    assert full.root_cause is not None
    assert full.root_cause.cause == "Manual keying error"
    assert [(e.type, e.state) for e in desk.history("SYNTHETIC-S-1")] == [
        ("complaint_received", "received"),
        ("classified", "received"),
        ("acknowledged", "acknowledged"),
        ("root_cause_recorded", "acknowledged"),
        ("decision_made", "decided"),
        ("decision_communicated", "awaiting_reaction"),
        ("closed", "closed"),
        ("satisfaction_recorded", "closed"),
    ]
    summary = store.summary(full.id)
    assert summary is not None
    assert summary.facts.timed is True
    assert summary.facts.satisfaction_score == 4
    assert summary.facts.root_cause == "Manual keying error"

    late = desk.history("SYNTHETIC-S-2")
    assert [(e.type, e.state, e.occurred_at) for e in late[2:]] == [
        ("decision_made", "decided", at(3, 9)),
        ("decision_communicated", "awaiting_reaction", at(3, 9)),
        ("closed", "closed", at(3, 10)),
        ("acknowledged", "closed", at(4, 9)),
    ]
    assert desk.get("SYNTHETIC-S-2").acknowledged_at == at(4, 9)

    assert [e.type for e in desk.history("SYNTHETIC-S-3")] == [
        "complaint_received",
        "classified",
        "withdrawn",
    ]
    opened = desk.get("SYNTHETIC-S-4")
    assert (opened.state, opened.is_open) == ("acknowledged", True)
    assert opened.acknowledged_at == _dt.datetime(2024, 1, 2, 9, 30, tzinfo=UTC)
    undecided = desk.get("SYNTHETIC-S-5")
    assert (undecided.state, undecided.decision) == ("closed", None)


def test_bad_acknowledgement_response_outcome_and_satisfaction_cells(
    tmp_path: Path, store: SQLiteEventStore
) -> None:
    mapping_path = tmp_path / "synthetic.toml"
    mapping_path.write_text(SYNTHETIC_TOML, encoding="utf-8")
    mapping = load_mapping(mapping_path)
    base = "2024-01-02T09:00:00Z"
    rows = [
        f"B-1,{base},2024-01-01T09:00:00Z,,,open,email,,,,,,,",
        f"B-2,{base},,2024-01-09T09:00:00Z,2024-01-05T09:00:00Z,closed,email,,,upheld,,,,",
        f"B-3,{base},,,2024-01-05T09:00:00Z,closed,email,,,maybe,,,,",
        f"B-4,{base},,,2024-01-05T09:00:00Z,closed,email,,,not_upheld,,,6,",
        f"B-5,{base},,,2024-01-05T09:00:00Z,closed,email,,,,,,,",
    ]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([SYNTHETIC_HEADER, *rows]) + "\n", encoding="utf-8")
    report = import_csv(store, path, mapping, clock=clock())
    assert report.imported == 1
    assert [(e.row, e.column, e.message) for e in report.failed] == [
        (
            2,
            "acknowledged_at",
            f'"2024-01-01T09:00:00Z" is before "{base}" in column "received_at"',
        ),
        (
            3,
            "responded_at",
            '"2024-01-09T09:00:00Z" is after "2024-01-05T09:00:00Z" in column "closed_at"',
        ),
        (4, "outcome", '"maybe" is not a known outcome (upheld, partially_upheld, not_upheld)'),
        (5, "satisfaction", '"6" is not a satisfaction score (a whole number from 1 to 5)'),
    ]


def test_import_file_goes_by_the_suffix(
    tmp_path: Path, store: SQLiteEventStore, mapping: ColumnMapping
) -> None:
    csv_path = _csv(tmp_path / "export.CSV", ROWS[:1])
    assert import_file(store, csv_path, mapping, clock=clock()).imported == 1
    lines = tmp_path / "export.ndjson"
    lines.write_text('{"Ticket": "N-1", "Opened": "01/02/2024 10:00", "Status": "Open"}\n')
    assert import_file(store, lines, mapping, clock=clock()).imported == 1
    other = tmp_path / "export.xlsx"
    other.write_bytes(b"PK\x03\x04")
    with pytest.raises(ImportFileError) as caught:
        import_file(store, other, mapping, clock=clock())
    assert caught.value.reason == (
        "unknown file type '.xlsx': an export to import ends in .csv, .json, .jsonl, .ndjson"
    )
