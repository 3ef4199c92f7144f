"""
The importer of the US Consumer Financial Protection Bureau's Consumer Complaint Database
exports (CSV).

The columns are found by their header names, so both layouts read: the current export (18
columns, dates ``YYYY-MM-DD``, ``Company response to consumer``) and the 2014 export (14
columns, dates ``MM/DD/YYYY``, CRLF line ends, ``Company response``, no narrative, tags or
consent). Dates in either form are accepted in either layout. Blank cells and ``N/A`` are
both "no value". The mapping to the complaint model is described in the importing guide;
the tables below are its source.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping

import attrs

from iso10002.clock import Clock, SystemClock
from iso10002.errors import ImportFileError
from iso10002.importing.cells import BadCell, DayReader, check_zone, identifier
from iso10002.importing.history import CLOSED, OPEN, HistoryBuilder, ImportedRecord
from iso10002.importing.report import ImportReport, header_shown, quote
from iso10002.importing.sources import CsvRows, Rows
from iso10002.importing.writer import (
    DEFAULT_BATCH_SIZE,
    Progress,
    check_batch_size,
    check_limit,
    check_workers,
    run_import,
)
from iso10002.model.values import (
    Channel,
    Classification,
    Complainant,
    ContactDetails,
    ContactMethod,
    Decision,
    Outcome,
    Remedy,
    RemedyKind,
)
from iso10002.ports.store import EventStore

__all__ = ["CFPB_SYSTEM", "CFPB_ZONE", "import_cfpb"]

CFPB_SYSTEM = "cfpb"
"""The source system of CFPB imports: client keys ``cfpb:<Complaint ID>``, references
``CFPB-<Complaint ID>``."""

CFPB_ZONE = "America/New_York"
"""The zone whose midnight a CFPB date stands for by default: the Bureau's own (Washington)."""

CFPB_COMPLAINANT = Complainant(
    name="CFPB consumer",
    contact=ContactDetails(address="c/o Consumer Financial Protection Bureau"),
    preferred_contact=ContactMethod.LETTER,
)
"""The complainant of every CFPB complaint: the export holds no personal data, and the consumer
is reached through the Bureau."""

_ID = "Complaint ID"
_RECEIVED = "Date received"
_PRODUCT = "Product"
_SUB_PRODUCT = "Sub-product"
_ISSUE = "Issue"
_SUB_ISSUE = "Sub-issue"
_NARRATIVE = "Consumer complaint narrative"
_VIA = "Submitted via"
_SENT = "Date sent to company"
_COMPANY = "Company"
_RESPONSE_CURRENT = "Company response to consumer"
_RESPONSE_2014 = "Company response"

_REQUIRED = (_ID, _RECEIVED, _PRODUCT, _ISSUE, _VIA)

CHANNELS: Mapping[str, Channel] = {
    "web": Channel.WEB_FORM,
    "phone": Channel.PHONE,
    "email": Channel.EMAIL,
    "postal mail": Channel.LETTER,
    "fax": Channel.LETTER,
    "referral": Channel.REFERRAL,
    "web referral": Channel.REFERRAL,
}
"""``Submitted via`` (compared without regard to case) to channel; any other value is refused."""

ATTRIBUTES: Mapping[str, str] = {
    _COMPANY: "company",
    "State": "state",
    "ZIP code": "zip_code",
    "Tags": "tags",
    "Timely response?": "timely_response",
    "Consumer disputed?": "consumer_disputed",
    "Company public response": "company_public_response",
    "Consumer consent provided?": "consumer_consent",
}
"""Columns kept as attributes, by attribute key; the company's response is ``company_response``."""


@attrs.frozen(kw_only=True)
class _Response:
    """What a ``Company response to consumer`` value means for the complaint."""

    label: str
    ending: str
    decision: Decision | None = None


def _decided(label: str, outcome: Outcome, remedy: Remedy | None) -> _Response:
    return _Response(
        label=label,
        ending=CLOSED,
        decision=Decision(
            outcome=outcome,
            reasons=f"The company's response through the CFPB: {label}.",
            remedies=(remedy,) if remedy else (),
        ),
    )


_RESPONSES: Mapping[str, _Response] = {
    r.label.lower(): r
    for r in (
        _decided(
            "Closed with explanation",
            Outcome.NOT_UPHELD,
            Remedy(kind=RemedyKind.EXPLANATION, description="The company's explanation"),
        ),
        _decided(
            "Closed with monetary relief",
            Outcome.UPHELD,
            Remedy(kind=RemedyKind.REFUND, description="Monetary relief; the export has no amount"),
        ),
        _decided(
            "Closed with non-monetary relief",
            Outcome.UPHELD,
            Remedy(
                kind=RemedyKind.OTHER,
                description="Non-monetary relief, e.g. a corrected account or credit report",
            ),
        ),
        # The two answers the Bureau offered before "monetary" and "non-monetary" relief.
        _decided(
            "Closed with relief",
            Outcome.UPHELD,
            Remedy(kind=RemedyKind.OTHER, description="Relief; the export does not say which"),
        ),
        _decided("Closed without relief", Outcome.NOT_UPHELD, None),
        _Response(label="Closed", ending=CLOSED),
        _Response(label="In progress", ending=OPEN),
        _Response(label="Untimely response", ending=OPEN),
    )
}


_RESPONSE_LABELS = ", ".join(r.label for r in _RESPONSES.values())
_CHANNEL_LABELS = "Web, Phone, Email, Postal mail, Fax, Referral, Web Referral"


def _cell(row: Mapping[str, str], column: str) -> str:
    """The stripped cell; blank for a missing column and for ``N/A``."""
    value = row.get(column, "").strip()
    return "" if len(value) == 3 and value.upper() == "N/A" else value


def _required(row: Mapping[str, str], column: str) -> str:
    value = _cell(row, column)
    if not value:
        raw = row.get(column, "").strip()
        found = f"{quote(raw)} is not a value" if raw else "is blank"
        raise BadCell(column, raw, f"{found}, and a value is required")
    return value


def _response_column(rows: Rows) -> str:
    """Which layout: the column of the company's response, or ImportFileError."""
    columns = rows.columns or ()
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise ImportFileError(
            rows.name,
            "is not a CFPB complaints export: no column "
            + ", ".join(quote(c) for c in missing)
            + f" in the header{header_shown(columns, len(missing) < len(_REQUIRED))}",
        )
    for column in (_RESPONSE_CURRENT, _RESPONSE_2014):
        if column in columns:
            return column
    raise ImportFileError(
        rows.name,
        f"unknown CFPB export layout: neither {quote(_RESPONSE_CURRENT)} (current export) nor "
        f"{quote(_RESPONSE_2014)} (2014 export) is a column of the header",
    )


class _Parser:
    """Reads one row of a CFPB export into an imported record."""

    def __init__(self, response_column: str, zone: str, now: _dt.datetime) -> None:
        self.response_column = response_column
        self.day = DayReader(check_zone(zone))
        self.now = now

    def __call__(self, _row: int, cells: Mapping[str, str]) -> ImportedRecord:
        record_id = identifier(_ID, _required(cells, _ID))
        received_text = _required(cells, _RECEIVED)
        received_at = self.day(_RECEIVED, received_text)
        if received_at > self.now:
            raise BadCell(_RECEIVED, received_text, f"{quote(received_text)} is in the future")
        product = _required(cells, _PRODUCT)
        via = _required(cells, _VIA)
        channel = CHANNELS.get(via.lower())
        if channel is None:
            raise BadCell(
                _VIA, via, f"{quote(via)} is not a known channel (known: {_CHANNEL_LABELS})"
            )
        response_text = _required(cells, self.response_column)
        response = _RESPONSES.get(response_text.lower())
        if response is None:
            raise BadCell(
                self.response_column,
                response_text,
                f"{quote(response_text)} is not a known company response "
                f"(known: {_RESPONSE_LABELS})",
            )
        sent_text = _cell(cells, _SENT)
        sent_at = self.day(_SENT, sent_text) if sent_text else None
        if sent_at is not None and sent_at < received_at:
            raise BadCell(
                _SENT,
                sent_text,
                f"{quote(sent_text)} is before the date received ({received_text})",
            )
        if sent_at is not None and sent_at > self.now:
            raise BadCell(_SENT, sent_text, f"{quote(sent_text)} is in the future")
        issue = _cell(cells, _ISSUE)
        path = tuple(
            level
            for level in (product, _cell(cells, _SUB_PRODUCT), issue, _cell(cells, _SUB_ISSUE))
            if level
        )
        attributes = {key: v for column, key in ATTRIBUTES.items() if (v := _cell(cells, column))}
        attributes["company_response"] = response.label
        company = attributes.get("company")
        ended = response.ending != OPEN
        return ImportedRecord(
            record_id=record_id,
            received_at=received_at,
            channel=channel,
            description=_cell(cells, _NARRATIVE) or (f"{product}: {issue}" if issue else product),
            attributes=attributes,
            classification=Classification(category=path, product=product),
            forwarded_at=sent_at,
            forwarded_note=f"The CFPB sent the complaint to {company or 'the company'} "
            "for a response",
            ending=response.ending,
            # The export dates no response: the last date it has is the best bound there is.
            ended_at=(sent_at or received_at) if ended else None,
            decision=response.decision,
            response_channel=Channel.REFERRAL,
            response_summary=f"The company's response, through the CFPB: {response.label}",
            closing_note=f"Closed by the company's response through the CFPB: {response.label}",
        )


def import_cfpb(
    store: EventStore,
    path: str | os.PathLike[str],
    *,
    zone: str = CFPB_ZONE,
    clock: Clock | None = None,
    limit: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    workers: int = 1,
) -> ImportReport:
    """
    Import a CFPB Consumer Complaint Database export (CSV, either layout) into ``store``.

    Each row becomes one complaint with its past dates, marked as imported
    (``source.system == "cfpb"``, ``timed=False``) with the client key ``cfpb:<Complaint
    ID>``; a row whose complaint is already in the store is skipped, so running the same
    import twice adds nothing. A bad row is reported in the result and the others go on.

    Args:
        zone: the IANA zone whose midnight each date stands for.
        clock: gives the import's instant (``source.imported_at``); the system clock if omitted.
        limit: read at most this many records.
        batch_size: complaints written per transaction.
        progress: told how far the import has got after every ``batch_size`` records.
        workers: processes that parse the rows and build and prepare the complaints while
            this one writes them (1: all in this process). The result is the same; see
            "Importing faster" in the importing guide.

    Raises:
        ImportFileError: the file is not UTF-8 CSV text, or lacks a column the import needs,
            or has an unknown layout; nothing was written.
        ValidationError: ``zone``, ``limit``, ``batch_size`` or ``workers`` is not acceptable.
        StorageError: the store failed for every record of a batch; earlier batches stay.
        OSError: the file cannot be read.
    """
    check_zone(zone)
    check_limit(limit)
    check_batch_size(batch_size)
    check_workers(workers)
    now = (clock or SystemClock()).now()
    with CsvRows(path) as rows:
        parser = _Parser(_response_column(rows), zone, now)
        builder = HistoryBuilder(
            system=CFPB_SYSTEM, imported_at=now, timed=False, complainant=CFPB_COMPLAINANT
        )
        return run_import(
            store,
            rows,
            parser,
            builder,
            id_column=_ID,
            batch_size=batch_size,
            limit=limit,
            progress=progress,
            fraction=rows.fraction,
            workers=workers,
        )
