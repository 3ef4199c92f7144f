"""
Rewriting a store's complaint summaries from their events (``iso10002 repair``), the part both
SQL stores share: which summaries to rewrite, the record of the repair, and the refusal while
events are tampered with. Each store writes the rewrites and the record in one transaction of
its own (:mod:`iso10002.storage.sqlite.repair`, :mod:`iso10002.storage.postgres.repair`).

A summary is derived data: the events are the record. When
:func:`~iso10002.integrity.verify` finds a summary that does not match its events (edited in
the database, or counting fewer events than are stored, which makes every later command a
conflict), :func:`repair_summaries` replays each complaint and writes the summary its events
give, in one transaction with a configuration record of kind :data:`REPAIR_KIND` that says
when, and which summaries were rewritten and what they said. That record is the trace an audit
reads (:meth:`~iso10002.ports.store.ConfigurationStore.find_configuration` with the kind, the
name :data:`REPAIR_NAME` and the instant as the version): it needs no new table or event type.

The daily rollups (:mod:`iso10002.storage._sql.rollups`) are derived from the summaries in
turn: when they differ from the counts of the rows (edited in the database), the repair counts
them again from every row, in the same transaction, and its record names the rollups found
wrong and what they said.

A repair never touches the events, and refuses while verify reports that events (or anything
but the summaries) were tampered with: a summary rebuilt from altered events would launder the
alteration.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence

import attrs

from iso10002.errors import ValidationError
from iso10002.integrity.tables import check_summary
from iso10002.integrity.verify import verify
from iso10002.model.complaint import Complaint, ComplaintSummary, apply
from iso10002.model.configuration import ConfigurationRecord
from iso10002.ports.store import ComplaintQuery, EventStore, RollupStore, iter_summaries
from iso10002.serialization import canonical_json

__all__ = ["REPAIR_KIND", "REPAIR_NAME", "Repair", "Rewrite", "repair_summaries"]

REPAIR_KIND = "summary-repair"
"""The kind of the configuration record a repair leaves."""
REPAIR_NAME = "summaries"
"""The name of the configuration record a repair leaves; its version is the repair's instant."""


@attrs.frozen(kw_only=True)
class Repair:
    """What :func:`repair_summaries` did."""

    checked: int
    """Summaries compared with their events."""
    rewritten: tuple[str, ...]
    """References of the summaries rewritten, in the order read."""
    record: ConfigurationRecord | None
    """The record of the repair, None when nothing needed rewriting (nothing was written)."""
    rollups: tuple[str, ...] = ()
    """The daily rollups found wrong (``rollup 2026-03-02 channel=email``): when there are
    any, every rollup was counted again from the rows."""


@attrs.frozen
class Rewrite:
    """One summary to rewrite: as stored, and as its events give it."""

    stored: ComplaintSummary
    fresh: ComplaintSummary


Writer = Callable[[Sequence[Rewrite], ConfigurationRecord, bool], None]
"""
Writes the rewrites and the record in one transaction, or nothing (a store's own part); with
the flag, it also counts the daily rollups again from the rows, after the rewrites.
"""


def _replayed(store: EventStore, stored: ComplaintSummary) -> ComplaintSummary | None:
    complaint: Complaint | None = None
    for event in store.read(stored.id):
        complaint = apply(complaint, event)
    if complaint is None:
        return None
    fresh = ComplaintSummary.of(complaint)
    # The deadlines and SLA outcomes come from the timeliness policy in force, which the
    # events name but a repair does not load: the stored ones are kept (docs/hardening.md).
    return attrs.evolve(
        fresh,
        sla_due_at=stored.sla_due_at,
        sla_warning_at=stored.sla_warning_at,
        sla_alert_at=stored.sla_alert_at,
        facts=attrs.evolve(fresh.facts, sla=stored.facts.sla),
    )


def _record(
    now: _dt.datetime, wrong: Sequence[tuple[str, str]], rollups: Sequence[tuple[str, str]]
) -> ConfigurationRecord:
    said: dict[str, object] = {
        "repaired_at": now.isoformat(),
        "summaries": [{"reference": ref, "found": detail} for ref, detail in wrong],
    }
    if rollups:
        said["rollups"] = [{"record": name, "found": detail} for name, detail in rollups]
    content = canonical_json(said)
    return ConfigurationRecord.of(
        kind=REPAIR_KIND,
        name=REPAIR_NAME,
        version=now.isoformat(),
        content=content,
    )


def repair_summaries(store: EventStore, *, now: _dt.datetime, write: Writer) -> Repair:
    """
    Rewrite every summary of ``store`` that does not match its events with ``write``, which
    also keeps the record of the repair, and has the daily rollups counted again when they
    differ from the rows.

    Raises:
        ValidationError: verify reports tampering of the events (or of anything but the
            summaries); the message names the first such record. Nothing was written.
        StorageError: the store could not be read or written.
    """
    report = verify(store, deep=False)
    for finding in report.findings:
        if not (finding.record or "").startswith(("summary of ", "rollup ")):
            raise ValidationError(
                "store",
                f"cannot repair summaries while verify reports tampering: {finding}; "
                "the events are the record, and summaries rebuilt from them would hide it",
            )
    wrong: list[tuple[str, str]] = []
    rewrites: list[Rewrite] = []
    checked = 0
    for stored in iter_summaries(store, ComplaintQuery()):
        checked += 1
        fresh = _replayed(store, stored)
        if fresh is None or fresh == stored:
            continue
        found = check_summary(store, attrs.evolve(stored, version=fresh.version))
        if stored.version != fresh.version:
            detail = f"it counted {stored.version} events; {fresh.version} are stored"
        else:
            detail = "it did not match its events" if found is None else found.detail
        wrong.append((stored.reference, detail))
        rewrites.append(Rewrite(stored, fresh))
    # Read before the rewrites, which the triggers count as they count any change: a rollup
    # wrong now is as wrong after them.
    rollups = store.rollup_differences() if isinstance(store, RollupStore) else []
    if not rewrites and not rollups:
        return Repair(checked=checked, rewritten=(), record=None)
    record = _record(now, wrong, rollups)
    write(rewrites, record, bool(rollups))
    return Repair(
        checked=checked,
        rewritten=tuple(r for r, _ in wrong),
        record=record,
        rollups=tuple(name for name, _ in rollups),
    )
