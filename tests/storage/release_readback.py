"""
What a store gives back, as plain JSON values: the read-backs that a database written by a past
release must still give after the current code has opened (and migrated) it.

The same function recorded the expected values, run on the release's own code
(``tests/data/releases/make_*.py``), and checks them in ``test_release_upgrade.py`` on today's
code. So it uses public names only, the ones every release exports, and nothing that depends on
the current time.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from typing import Any

from iso10002 import (
    ComplaintQuery,
    EventStore,
    FixedClock,
    OutboxQuery,
    OutboxState,
    compute_kpis,
    serialization,
)
from iso10002.integrity import verify
from iso10002.monitoring import report_to_json

__all__ = ["INTEGRITY_KEY", "REPORT_FROM", "REPORT_TO", "canonical", "read_back"]

INTEGRITY_KEY = b"iso10002 release upgrade test key, not a secret"
"""The key the release databases' event hashes are HMACs under (a test value)."""

REPORT_FROM = _dt.date(2026, 3, 2)
"""The first day of the KPI report's period (the demo's first day)."""
REPORT_TO = _dt.date(2026, 4, 2)
"""The last day of the KPI report's period, included (the day after the demo's month)."""

_UTC = _dt.timezone.utc
_GENERATED_AT = _dt.datetime(2026, 4, 3, 0, 0, tzinfo=_UTC)
_PAGE = 100


def canonical(value: object) -> str:
    """``value`` as JSON with sorted keys and no spaces: the same text for equal values."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha256(value: object) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def _summaries(store: EventStore) -> list[Any]:
    found: list[Any] = []
    while True:
        page = store.query(ComplaintQuery(limit=_PAGE, offset=len(found)))
        found.extend(page.items)
        if not page.has_more:
            return sorted(found, key=lambda s: s.reference)


def _complaints(store: EventStore, shown_in_full: frozenset[str]) -> list[dict[str, Any]]:
    complaints = []
    for summary in _summaries(store):
        events = [serialization.unstructure(e) for e in store.read(summary.id)]
        entry: dict[str, Any] = {
            "reference": summary.reference,
            "id": str(summary.id),
            "state": summary.state,
            "version": max((e.seq for e in store.read(summary.id)), default=0),
            "event_types": [e.payload.type for e in store.read(summary.id)],
            "events_sha256": _sha256(events),
            "summary": serialization.unstructure(summary),
        }
        if summary.reference in shown_in_full:
            entry["events"] = events
        complaints.append(entry)
    return complaints


def _outbox(store: Any) -> dict[str, Any]:
    counts = store.outbox_counts()
    records = []
    after = 0
    while page := store.outbox_records(OutboxQuery(after_id=after, limit=_PAGE)):
        records.extend(page)
        after = page[-1].id
    return {
        "counts": {state.value: counts.get(state, 0) for state in OutboxState},
        "records": [serialization.unstructure(r) for r in records],
    }


def _verified(store: EventStore) -> dict[str, Any]:
    report = verify(store)
    return {
        "ok": report.ok,
        "events": report.events,
        "keyed": report.keyed,
        "last_position": report.last_position,
        "head": report.head,
        "finding": None if report.finding is None else str(report.finding),
    }


def kpi_report(store: EventStore) -> dict[str, Any]:
    """The KPI report of the fixed period, as ``report --format json`` lays it out."""
    report = compute_kpis(
        store,
        start=_dt.datetime.combine(REPORT_FROM, _dt.time(0), _UTC),
        end=_dt.datetime.combine(REPORT_TO + _dt.timedelta(days=1), _dt.time(0), _UTC),
        zone="UTC",
        bucket="week",
        clock=FixedClock(_GENERATED_AT),
    )
    loaded: dict[str, Any] = json.loads(report_to_json(report))
    return loaded


def read_back(store: Any, *, shown_in_full: frozenset[str] = frozenset()) -> dict[str, Any]:
    """
    Everything the checks compare: each complaint (reference, id, state, version, the types and
    a hash of its events as stored, its summary; the events in full for ``shown_in_full``), the
    KPI report of the fixed period, the outbox, the access denials and ``verify``'s result.
    """
    return {
        "complaints": _complaints(store, shown_in_full),
        "report": kpi_report(store),
        "outbox": _outbox(store),
        "denials": [serialization.unstructure(d) for d in store.denials(limit=10_000)],
        "verify": _verified(store),
    }


REPORT_WORDING = frozenset({"rules", "generated_at"})
"""Report keys that say how, not what: the wording of the counting rules, and when it was made."""


def release_figures(now: Any, then: Any) -> Any:
    """
    ``now`` cut down to what the release's report ``then`` had: the figures of a report grow
    new keys from release to release, and its rules' wording may change, but every figure the
    release printed must come out the same from the upgraded data.
    """
    if isinstance(then, dict) and isinstance(now, dict):
        return {
            key: release_figures(now.get(key), value)
            for key, value in then.items()
            if key not in REPORT_WORDING
        }
    if isinstance(then, list) and isinstance(now, list) and len(then) == len(now):
        return [release_figures(a, b) for a, b in zip(now, then, strict=True)]
    return now


def without_wording(report: dict[str, Any]) -> Any:
    """The release's report without the keys :func:`release_figures` leaves out."""
    return release_figures(report, report)
