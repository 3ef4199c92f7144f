"""
The SQLite store's daily rollups: how many complaints of each UTC day and value a KPI report
counts, kept by triggers on the complaints table, so that a report whose period and buckets
begin at UTC midnight reads a few rows per day instead of every complaint.

One row per (kind, day, key): kind 0 the day's total (key ``''``), 1 to 4 a channel,
category, product or priority (key the value, ``''`` for none, as the report counts them),
5 a complaint's remedies (the stored text), 6 its satisfaction (``score/scale``), 7 its root
cause (``json_array(category, cause)``; ``''`` none recorded). The received side of a
complaint (received, duplicates, imported) counts on the day it was received; the rest on the
day it was closed or withdrawn, duplicates left out, as the report leaves them out. A trigger
takes a row's old counts off and adds its new ones when a column they count changes, in the
transaction that changes it: the rollups never disagree with the rows.
"""

from __future__ import annotations

__all__ = ["COUNTS", "SQLITE_ROLLUPS"]

COUNTS = (
    "received",
    "duplicates",
    "imported",
    "ended",
    "ended_imported",
    "inverted",
    "closed",
    "withdrawn",
    "upheld",
    "partially_upheld",
    "not_upheld",
    "first_contact",
    "untimed",
    "reopened",
    "reviewed",
    "referred",
    "details",
)
"""The count columns, in the order a rollup row gives them after (kind, day, key)."""

_COUNTED = (
    "channel",
    "category",
    "product",
    "priority",
    "received_at",
    "closed_at",
    "closure_reason",
    "source",
    "outcome",
    "withdrawn",
    "first_contact",
    "timed",
    "reopen_count",
    "internal_reviews",
    "referrals",
    "remedies",
    "satisfaction_score",
    "satisfaction_scale",
    "root_cause",
    "root_cause_category",
)

_TABLE = (
    "CREATE TABLE IF NOT EXISTS complaint_rollups (kind INTEGER NOT NULL, day TEXT NOT NULL, "
    "key TEXT NOT NULL, "
    + ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COUNTS)
    + ", PRIMARY KEY (kind, day, key)) WITHOUT ROWID"
)
_ADD = " ON CONFLICT (kind, day, key) DO UPDATE SET " + ", ".join(
    f"{c} = {c} + excluded.{c}" for c in COUNTS
)


def _key(r: str) -> str:
    """The key of row ``r`` under each of the kinds 0 to 4 (``d.column1``)."""
    return (
        "CASE d.column1 WHEN 0 THEN '' "
        f"WHEN 1 THEN ifnull({r}.channel, '') WHEN 2 THEN ifnull({r}.category, '') "
        f"WHEN 3 THEN ifnull({r}.product, '') ELSE ifnull({r}.priority, '') END"
    )


def _sides(r: str, sign: str, source: str = "") -> tuple[str, ...]:
    """
    The statements that add (``sign`` ``+``) or take off (``-``) the counts of row ``r``: in a
    trigger ``r`` is ``NEW`` or ``OLD``; with ``source`` (a ``FROM`` item naming ``r``), they
    count every row of it, which fills the table of an existing database.
    """
    dup = f"({r}.closure_reason IS 'duplicate')"
    kept = f"{sign}(NOT {dup} AND NOT {r}.withdrawn)"
    each = f"{source}, " if source else ""
    dims = f"FROM {each}(VALUES (0), (1), (2), (3), (4)) AS d"
    received = (
        "INSERT INTO complaint_rollups (kind, day, key, received, duplicates, imported) "
        f"SELECT d.column1, substr({r}.received_at, 1, 10), {_key(r)}, {sign}(NOT {dup}), "
        f"{sign}{dup}, {sign}(NOT {dup} AND {r}.source IS NOT NULL) "
        f"{dims} WHERE true{_ADD}"
    )
    ended = (
        "INSERT INTO complaint_rollups (kind, day, key, ended, ended_imported, inverted, closed, "
        "withdrawn, upheld, partially_upheld, not_upheld, first_contact, untimed, reopened, "
        "reviewed, referred) "
        f"SELECT d.column1, substr({r}.closed_at, 1, 10), {_key(r)}, {sign}1, "
        f"{sign}({r}.source IS NOT NULL), {sign}({r}.closed_at < {r}.received_at), {kept}, "
        f"{sign}({r}.withdrawn <> 0), "
        f"{sign}(NOT {r}.withdrawn AND {r}.outcome IS 'upheld'), "
        f"{sign}(NOT {r}.withdrawn AND {r}.outcome IS 'partially_upheld'), "
        f"{sign}(NOT {r}.withdrawn AND {r}.outcome IS 'not_upheld'), "
        f"{sign}(NOT {r}.withdrawn AND {r}.timed AND {r}.first_contact), "
        f"{sign}(NOT {r}.withdrawn AND NOT {r}.timed), "
        f"{sign}(NOT {r}.withdrawn AND {r}.reopen_count > 0), "
        f"{sign}(NOT {r}.withdrawn AND {r}.internal_reviews > 0), "
        f"{sign}(NOT {r}.withdrawn AND {r}.referrals > 0) "
        f"{dims} WHERE {r}.closed_at IS NOT NULL AND NOT {dup}{_ADD}"
    )
    details = (
        "INSERT INTO complaint_rollups (kind, day, key, details) "
        f"SELECT d.column1, substr({r}.closed_at, 1, 10), CASE d.column1 "
        f"WHEN 5 THEN ifnull({r}.remedies, '') "
        f"WHEN 6 THEN ifnull({r}.satisfaction_score || '/' || {r}.satisfaction_scale, '') "
        f"ELSE CASE WHEN {r}.root_cause IS NULL THEN '' "
        f"ELSE json_array({r}.root_cause_category, {r}.root_cause) END END, {sign}1 "
        f"FROM {each}(VALUES (5), (6), (7)) AS d "
        f"WHERE {r}.closed_at IS NOT NULL AND NOT {dup} AND NOT {r}.withdrawn{_ADD}"
    )
    return received, ended, details


_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _COUNTED)

SQLITE_ROLLUPS: tuple[str, ...] = (
    _TABLE,
    "DELETE FROM complaint_rollups",
    # The existing rows counted once, before the triggers count what changes.
    *_sides("c", "+", "complaints AS c"),
    "CREATE TRIGGER IF NOT EXISTS complaints_rollups_insert AFTER INSERT ON complaints BEGIN "
    + "; ".join(_sides("NEW", "+"))
    + "; END",
    "CREATE TRIGGER IF NOT EXISTS complaints_rollups_update AFTER UPDATE ON complaints "
    f"WHEN {_CHANGED} BEGIN " + "; ".join((*_sides("OLD", "-"), *_sides("NEW", "+"))) + "; END",
    "CREATE TRIGGER IF NOT EXISTS complaints_rollups_delete AFTER DELETE ON complaints BEGIN "
    + "; ".join(_sides("OLD", "-"))
    + "; END",
)
"""Migration 11 on SQLite: the table, filled from the rows there are, and its triggers."""
