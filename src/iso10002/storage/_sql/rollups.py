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

__all__ = ["COUNTS", "POSTGRES_ROLLUPS", "SQLITE_ROLLUPS"]

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


class _Dialect:
    """What the two databases spell differently in the rollups' statements."""

    def __init__(self, *, lite: bool) -> None:
        self.lite = lite
        self.table = "complaint_rollups" if lite else "{s}.complaint_rollups"

    def day(self, column: str) -> str:
        if self.lite:
            return f"substr({column}, 1, 10)"
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

    def same(self, column: str, text: str) -> str:
        return (
            f"({column} IS '{text}')" if self.lite else f"({column} IS NOT DISTINCT FROM '{text}')"
        )

    def count(self, condition: str) -> str:
        """1 where ``condition`` holds, else 0 (never null: it is false or true there)."""
        return f"({condition})" if self.lite else f"({condition})::integer"

    def cause(self, r: str) -> str:
        found = f"json_array({r}.root_cause_category, {r}.root_cause)"
        if not self.lite:
            found = f"jsonb_build_array({r}.root_cause_category, {r}.root_cause)::text"
        return f"CASE WHEN {r}.root_cause IS NULL THEN '' ELSE {found} END"

    def upsert(self, columns: tuple[str, ...]) -> str:
        # SQLite refuses an alias for the table in a trigger; PostgreSQL wants one.
        held = "" if self.lite else "u."
        return " ON CONFLICT (kind, day, key) DO UPDATE SET " + ", ".join(
            f"{c} = {held}{c} + excluded.{c}" for c in columns
        )


def _kinds(*kinds: int) -> str:
    """The rows of ``kinds`` as ``d.kind``: a join gives each complaint one row per kind."""
    return "(" + " UNION ALL ".join(f"SELECT {k} AS kind" for k in kinds) + ") AS d"


def _key(r: str) -> str:
    """The key of row ``r`` under each of the kinds 0 to 4 (``d.kind``)."""
    return (
        "CASE d.kind WHEN 0 THEN '' "
        f"WHEN 1 THEN coalesce({r}.channel, '') WHEN 2 THEN coalesce({r}.category, '') "
        f"WHEN 3 THEN coalesce({r}.product, '') ELSE coalesce({r}.priority, '') END"
    )


def _sides(x: _Dialect, r: str, sign: str, source: str = "") -> tuple[str, ...]:
    """
    The statements that add (``sign`` ``1``) or take off (``-1``) the counts of row ``r``: in a
    trigger ``r`` is ``NEW`` or ``OLD`` (a parameter on PostgreSQL); with ``source`` (a
    ``FROM`` item naming ``r``), they count every row of it, grouped, which fills the table
    of an existing database.
    """
    dup = x.same(f"{r}.closure_reason", "duplicate")
    withdrawn = f"{r}.withdrawn" if not x.lite else f"{r}.withdrawn <> 0"
    timed = f"{r}.timed" if not x.lite else f"{r}.timed <> 0"
    first_contact = f"{r}.first_contact" if not x.lite else f"{r}.first_contact <> 0"
    decided = f"NOT {dup} AND NOT {withdrawn}"

    def n(condition: str) -> str:
        counted = x.count(condition)
        return f"sum({counted})" if source else f"{sign} * {counted}"

    group = " GROUP BY 1, 2, 3" if source else ""
    each = f"{source}, " if source else ""
    dims = f"FROM {each}{_kinds(0, 1, 2, 3, 4)}"
    into = f"INSERT INTO {x.table}" + ("" if x.lite else " AS u")
    received = ("received", "duplicates", "imported")
    ended = (
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
    )
    return (
        f"{into} (kind, day, key, {', '.join(received)}) "
        f"SELECT d.kind, {x.day(f'{r}.received_at')}, {_key(r)}, {n(f'NOT {dup}')}, {n(dup)}, "
        f"{n(f'NOT {dup} AND {r}.source IS NOT NULL')} {dims} WHERE true{group}"
        + x.upsert(received),
        f"{into} (kind, day, key, {', '.join(ended)}) "
        f"SELECT d.kind, {x.day(f'{r}.closed_at')}, {_key(r)}, {n('true' if not x.lite else '1')}, "
        f"{n(f'{r}.source IS NOT NULL')}, {n(f'{r}.closed_at < {r}.received_at')}, "
        f"{n(decided)}, {n(withdrawn)}, "
        f"{n(decided + ' AND ' + x.same(f'{r}.outcome', 'upheld'))}, "
        f"{n(decided + ' AND ' + x.same(f'{r}.outcome', 'partially_upheld'))}, "
        f"{n(decided + ' AND ' + x.same(f'{r}.outcome', 'not_upheld'))}, "
        f"{n(f'{decided} AND {timed} AND {first_contact}')}, {n(f'{decided} AND NOT {timed}')}, "
        f"{n(f'{decided} AND {r}.reopen_count > 0')}, "
        f"{n(f'{decided} AND {r}.internal_reviews > 0')}, "
        f"{n(f'{decided} AND {r}.referrals > 0')} "
        f"{dims} WHERE {r}.closed_at IS NOT NULL AND NOT {dup}{group}" + x.upsert(ended),
        f"{into} (kind, day, key, details) "
        f"SELECT d.kind, {x.day(f'{r}.closed_at')}, CASE d.kind "
        f"WHEN 5 THEN coalesce({r}.remedies, '') "
        f"WHEN 6 THEN coalesce({r}.satisfaction_score || '/' || {r}.satisfaction_scale, '') "
        f"ELSE {x.cause(r)} END, {n('true' if not x.lite else '1')} "
        f"FROM {each}{_kinds(5, 6, 7)} "
        f"WHERE {r}.closed_at IS NOT NULL AND {decided}{group}" + x.upsert(("details",)),
    )


def _table(x: _Dialect) -> str:
    text = "TEXT" if x.lite else 'text COLLATE "C"'
    number = "INTEGER" if x.lite else "bigint"
    return (
        f"CREATE TABLE IF NOT EXISTS {x.table} (kind {number} NOT NULL, day {text} NOT NULL, "
        f"key {text} NOT NULL, "
        + ", ".join(f"{c} {number} NOT NULL DEFAULT 0" for c in COUNTS)
        + ", PRIMARY KEY (kind, day, key))"
        + (" WITHOUT ROWID" if x.lite else "")
    )


_LITE, _PG = _Dialect(lite=True), _Dialect(lite=False)
_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _COUNTED)
_CHANGED_PG = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _COUNTED)

SQLITE_ROLLUPS: tuple[str, ...] = (
    _table(_LITE),
    "DELETE FROM complaint_rollups",
    # The rows there are counted once, before the triggers count what changes.
    *_sides(_LITE, "c", "1", "complaints AS c"),
    "CREATE TRIGGER IF NOT EXISTS complaints_rollups_insert AFTER INSERT ON complaints BEGIN "
    + "; ".join(_sides(_LITE, "NEW", "1"))
    + "; END",
    "CREATE TRIGGER IF NOT EXISTS complaints_rollups_update AFTER UPDATE ON complaints "
    f"WHEN {_CHANGED} BEGIN "
    + "; ".join((*_sides(_LITE, "OLD", "-1"), *_sides(_LITE, "NEW", "1")))
    + "; END",
    "CREATE TRIGGER IF NOT EXISTS complaints_rollups_delete AFTER DELETE ON complaints BEGIN "
    + "; ".join(_sides(_LITE, "OLD", "-1"))
    + "; END",
)
"""Migration 11 on SQLite: the table, filled from the rows there are, and its triggers."""

POSTGRES_ROLLUPS: tuple[str, ...] = (
    _table(_PG),
    "DELETE FROM {s}.complaint_rollups",
    *_sides(_PG, "c", "1", "{s}.complaints AS c"),
    "CREATE OR REPLACE FUNCTION {s}.complaint_rollups_count(r {s}.complaints, sign integer) "
    # PL/pgSQL, not SQL: its statements' plans are kept for the session, where a SQL
    # function's are made again at every call (measured more than a millisecond a command).
    "RETURNS void LANGUAGE plpgsql AS $rollups$ BEGIN "
    + "; ".join(_sides(_PG, "r", "sign"))
    + "; END $rollups$",
    (
        "CREATE OR REPLACE FUNCTION {s}.complaint_rollups_keep() RETURNS trigger "
        "LANGUAGE plpgsql AS $keep$ BEGIN "
        "IF TG_OP <> 'INSERT' THEN PERFORM {s}.complaint_rollups_count(OLD, -1); END IF; "
        "IF TG_OP <> 'DELETE' THEN PERFORM {s}.complaint_rollups_count(NEW, 1); END IF; "
        "RETURN NULL; END $keep$"
    ),
    (
        "CREATE OR REPLACE TRIGGER complaints_rollups_insert_delete AFTER INSERT OR DELETE "
        "ON {s}.complaints FOR EACH ROW EXECUTE FUNCTION {s}.complaint_rollups_keep()"
    ),
    (
        "CREATE OR REPLACE TRIGGER complaints_rollups_update AFTER UPDATE ON {s}.complaints "
        f"FOR EACH ROW WHEN ({_CHANGED_PG}) EXECUTE FUNCTION {{s}}.complaint_rollups_keep()"
    ),
)
"""
Migration 11 on PostgreSQL: the same table and counts, kept by the same rules, so that a
database moved between the two, or a report path on PostgreSQL, finds them.
"""
