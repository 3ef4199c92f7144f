"""
What :func:`~iso10002.integrity.verify` checks beyond the event log: each complaint's summary
against its events, the reference counters against the references stored, the sealed rows
of the outbox and the access denials (:mod:`iso10002.integrity.records`), and the daily
rollups against the complaints' rows they count.

Each check names the bad records it finds (``summary of CMP-2026-000007``, ``outbox record
12``, ``access denial 3``, ``counter reference:CMP-2026``, ``rollup 2026-03-02
channel=email``) as :class:`TableProblem` values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs

from iso10002.errors import CorruptRecord, ValidationError
from iso10002.integrity.records import record_seal
from iso10002.model.chain import Hasher, TableRecord
from iso10002.model.complaint import Complaint, ComplaintSummary, apply
from iso10002.ports.store import EventStore, RollupStore, SealedTablesStore
from iso10002.privacy.sealing import commitment

__all__ = [
    "REFERENCE_SCOPE",
    "TableProblem",
    "check_counters",
    "check_records",
    "check_rollups",
    "check_summary",
]

REFERENCE_SCOPE = "reference:"
"""The prefix of the counters that number references (``reference:CMP-2026``)."""

_NUMBERED = re.compile(r"^([A-Z][A-Z0-9]{0,15}-\d{4})-(\d{1,12})$")
"""A reference as the desk numbers it: ``{prefix}-{year}-{number}``."""

_TABLE_NAMES = {"outbox": "outbox record", "access_denials": "access denial"}


@attrs.frozen(kw_only=True)
class TableProblem:
    """A bad record outside the event log: which (``record``), what kind, and what is wrong."""

    problem: str
    """One of the :class:`~iso10002.integrity.verify.Problem` values."""
    record: str
    reference: str | None
    detail: str


def _without_policy(s: ComplaintSummary) -> ComplaintSummary:
    # The deadlines and SLA outcomes come from the timeliness policy in force, which the
    # events name but verify() does not load: they are left out (docs/hardening.md).
    return attrs.evolve(
        s,
        sla_due_at=None,
        sla_warning_at=None,
        sla_alert_at=None,
        facts=attrs.evolve(s.facts, sla=()),
    )


def _differences(stored: ComplaintSummary, expected: ComplaintSummary) -> list[str]:
    a, b = _without_policy(stored), _without_policy(expected)
    found = []
    for field in attrs.fields(ComplaintSummary):
        mine, theirs = getattr(a, field.name), getattr(b, field.name)
        if field.name == "facts":
            found += [
                f"facts.{f.name} {getattr(mine, f.name)!r}, not {getattr(theirs, f.name)!r}"
                for f in attrs.fields(type(mine))
                if getattr(mine, f.name) != getattr(theirs, f.name)
            ]
        elif mine != theirs:
            found.append(f"{field.name} {mine!r}, not {theirs!r}")
    return found


def check_summary(store: EventStore, summary: ComplaintSummary) -> TableProblem | None:
    """
    The complaint's summary against the summary its events give, read again and replayed
    (the deep check): an edited state, redress or count of events is named.
    """
    try:
        events = store.read(summary.id)
    except CorruptRecord:
        return None  # the walk along the log names the unreadable event
    complaint: Complaint | None = None
    # Up to the summary's version: events appended since it was read (a store in use) are
    # the next summary's.
    try:
        for event in events[: summary.version]:
            complaint = apply(complaint, event)
    except ValidationError:
        return None  # events missing or out of order: the walk along the log names them
    if complaint is None:
        return None  # no events: the walk names the summary without a history
    wrong = _differences(summary, ComplaintSummary.of(complaint))
    if not wrong:
        return None
    more = f" (and {len(wrong) - 3} more)" if len(wrong) > 3 else ""
    return TableProblem(
        problem="altered",
        record=f"summary of {summary.reference}",
        reference=summary.reference,
        detail=f"the summary does not match the complaint's events: it says "
        f"{'; '.join(wrong[:3])}{more}",
    )


def check_counters(counters: Mapping[str, int], references: Iterable[str]) -> list[TableProblem]:
    """
    Every reference counter against the highest reference stored in its scope: a counter
    reset (or deleted) below it would hand out a reference again.
    """
    highest: dict[str, tuple[int, str]] = {}
    for reference in references:
        match = _NUMBERED.match(reference)
        if match is None:
            continue
        scope, number = f"{REFERENCE_SCOPE}{match[1]}", int(match[2])
        if number > highest.get(scope, (0, ""))[0]:
            highest[scope] = (number, reference)
    found = []
    for scope, (number, reference) in sorted(highest.items()):
        value = counters.get(scope)
        if value is not None and value >= number:
            continue
        said = "is missing" if value is None else f"is at {value}"
        found.append(
            TableProblem(
                problem="altered",
                record=f"counter {scope}",
                reference=reference,
                detail=f"the counter {said}, but complaint {reference} is stored: it was reset, "
                "and would hand out a reference again (or a reference was chosen above it)",
            )
        )
    return found


def _record_problem(
    r: TableRecord, problem: str, detail: str, reference: object = None
) -> TableProblem:
    return TableProblem(
        problem=problem,
        record=f"{_TABLE_NAMES.get(r.table, r.table)} {r.id}",
        reference=reference if isinstance(reference, str) else None,
        detail=detail,
    )


def check_records(
    records: Iterable[TableRecord], hasher: Hasher, on_unsealed: Callable[[], None]
) -> Iterator[TableProblem]:
    """
    One sealed table's rows, in id order: each against its seal, and each naming the row
    before it; rows without a seal are accepted only before the first sealed one (written
    before sealing; ``on_unsealed`` counts them). A bad row is taken as stored for checking
    the rows after it, so that one tampering is named once.
    """
    unkeyed = Hasher() if hasher.keyed else None
    last = 0
    sealed_seen = False
    for r in records:
        reference: Any = r.content.get("reference", r.content.get("complaint_reference"))
        if r.seal is None:
            if sealed_seen:
                # Not taken as stored: the row after it names the row before it.
                yield _record_problem(
                    r, "inserted", "the row has no seal: the store did not write it", reference
                )
                continue
            on_unsealed()
            last = r.id
            continue
        sealed_seen = True
        found = _record_check(r, hasher, unkeyed, last, reference)
        if found is not None:
            yield found
        last = r.id


def _record_check(
    r: TableRecord, hasher: Hasher, unkeyed: Hasher | None, last: int, reference: Any
) -> TableProblem | None:
    previous = r.previous if r.previous is not None else -1
    if record_seal(hasher, r.table, previous, r.content) != r.seal:
        if unkeyed is not None and record_seal(unkeyed, r.table, previous, r.content) == r.seal:
            return _record_problem(r, "forged", "its seal was made without the key", reference)
        return _record_problem(r, "altered", "the row does not match its seal", reference)
    if previous != last:
        name = _TABLE_NAMES.get(r.table, r.table)
        if previous > last:
            gone = f"{name} {previous}" + (
                f" (and any from {last + 1} on)" if previous > last + 1 else ""
            )
            return _record_problem(
                r, "missing", f"{gone} was deleted: this row follows it", reference
            )
        return _record_problem(
            r,
            "inserted",
            f"the row follows {name} {previous}, but {name} {last} is stored between them",
            reference,
        )
    if r.held is not None:
        salt, actor_id = r.held
        if commitment(salt, actor_id) != r.content.get("actor_seal"):
            return _record_problem(
                r, "altered", "its actor id does not match its commitment", reference
            )
    return None


def check_tables(store: SealedTablesStore, hasher: Hasher) -> tuple[list[TableProblem], int]:
    """The outbox and the access denials; and how many rows were written before sealing."""
    unsealed = 0

    def count() -> None:
        nonlocal unsealed
        unsealed += 1

    found: list[TableProblem] = []
    for table in ("outbox", "access_denials"):
        found.extend(check_records(store.iter_table_records(table), hasher, count))
    return found, unsealed


def check_rollups(store: RollupStore) -> list[TableProblem]:
    """
    The store's daily rollups against the counts of its complaints' rows, made again in the
    database: a rollup edited (or deleted, or inserted) is named by its day and value. The
    rows themselves are checked against the events by :func:`check_summary`.
    """
    return [
        TableProblem(problem="altered", record=record, reference=None, detail=detail)
        for record, detail in store.rollup_differences()
    ]
