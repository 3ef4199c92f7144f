"""
The SQL stores' daily rollups: how many complaints of each UTC day and value a KPI report
counts, kept by triggers on the complaints table, so that a report whose period and buckets
begin at UTC midnight reads a few rows per day instead of every complaint.

One row per (kind, day, key): kind 0 the day's total (key ``''``), 1 to 4 a channel,
category, product or priority (key the value, ``''`` for none, as the report counts them),
5 a complaint's remedies (the stored text), 6 its satisfaction (``score/scale``), 7 its root
cause (``json_array(category, cause)``; ``''`` none recorded). The received side of a
complaint (received, duplicates, imported) counts on the day it was received; the rest on the
day it was closed or withdrawn, duplicates left out, as the report leaves them out. A trigger
takes a row's old counts off and adds its new ones when a column they count changes, in the
transaction that changes it: the rollups never disagree with the rows, unless edited in the
database, which deep verify finds (:data:`SQLITE_RECOUNT`, :func:`differences`) and
``iso10002 repair`` undoes (:data:`SQLITE_REBUILD`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

__all__ = [
    "COUNTS",
    "KINDS",
    "POSTGRES_REBUILD",
    "POSTGRES_RECOUNT",
    "POSTGRES_ROLLUPS",
    "POSTGRES_TRIGGERS",
    "SQLITE_DEFER",
    "SQLITE_DEFERRABLE",
    "SQLITE_LOADED",
    "SQLITE_REBUILD",
    "SQLITE_RECOUNT",
    "SQLITE_ROLLUPS",
    "SQLITE_TRIGGERS",
    "SQLITE_UNDEFER",
    "differences",
]

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


def _keys(r: str) -> tuple[str, ...]:
    """The key of row ``r`` under each of the kinds 0 to 4."""
    return (
        "''",
        f"coalesce({r}.channel, '')",
        f"coalesce({r}.category, '')",
        f"coalesce({r}.product, '')",
        f"coalesce({r}.priority, '')",
    )


class _Side(NamedTuple):
    """What one side of a complaint counts, for row ``r``: its rows and their counts."""

    columns: tuple[str, ...]
    """The count columns it adds to."""
    kinds: tuple[int, ...]
    keys: tuple[str, ...]
    """The key of its row of each kind."""
    day: str
    """The day it counts on."""
    where: str
    """Whether the complaint counts on this side at all."""
    counts: tuple[str, ...]
    """One condition per column: the complaint counts 1 there where it holds, else 0."""

    @property
    def key(self) -> str:
        """The key of its row of kind ``d.kind``."""
        *first, last = zip(self.kinds, self.keys, strict=True)
        return f"CASE d.kind {' '.join(f'WHEN {k} THEN {v}' for k, v in first)} ELSE {last[1]} END"


def _side_defs(x: _Dialect, r: str) -> tuple[_Side, _Side, _Side]:
    """
    The three sides of row ``r``'s counts: received (on the day received), ended (on the day
    closed, duplicates left out) and details (remedies, satisfaction and causes of the
    complaints closed with a decision).
    """
    dup = x.same(f"{r}.closure_reason", "duplicate")
    withdrawn = f"{r}.withdrawn" if not x.lite else f"{r}.withdrawn <> 0"
    timed = f"{r}.timed" if not x.lite else f"{r}.timed <> 0"
    first_contact = f"{r}.first_contact" if not x.lite else f"{r}.first_contact <> 0"
    decided = f"NOT {dup} AND NOT {withdrawn}"
    one = "true" if not x.lite else "1"
    closed_day = x.day(f"{r}.closed_at")
    return (
        _Side(
            ("received", "duplicates", "imported"),
            (0, 1, 2, 3, 4),
            _keys(r),
            x.day(f"{r}.received_at"),
            "true",
            (f"NOT {dup}", dup, f"NOT {dup} AND {r}.source IS NOT NULL"),
        ),
        _Side(
            COUNTS[3:-1],
            (0, 1, 2, 3, 4),
            _keys(r),
            closed_day,
            f"{r}.closed_at IS NOT NULL AND NOT {dup}",
            (
                one,
                f"{r}.source IS NOT NULL",
                f"{r}.closed_at < {r}.received_at",
                decided,
                withdrawn,
                decided + " AND " + x.same(f"{r}.outcome", "upheld"),
                decided + " AND " + x.same(f"{r}.outcome", "partially_upheld"),
                decided + " AND " + x.same(f"{r}.outcome", "not_upheld"),
                f"{decided} AND {timed} AND {first_contact}",
                f"{decided} AND NOT {timed}",
                f"{decided} AND {r}.reopen_count > 0",
                f"{decided} AND {r}.internal_reviews > 0",
                f"{decided} AND {r}.referrals > 0",
            ),
        ),
        _Side(
            ("details",),
            (5, 6, 7),
            (
                f"coalesce({r}.remedies, '')",
                f"coalesce({r}.satisfaction_score || '/' || {r}.satisfaction_scale, '')",
                x.cause(r),
            ),
            closed_day,
            f"{r}.closed_at IS NOT NULL AND {decided}",
            (one,),
        ),
    )


def _selects(
    x: _Dialect, r: str, sign: str, source: str = ""
) -> tuple[tuple[tuple[str, ...], str], ...]:
    """
    The rows that add (``sign`` ``1``) or take off (``-1``) the counts of row ``r``, as
    ``(columns, select)`` pairs, the select naming its columns (kind, day, key, then those):
    in a trigger ``r`` is ``NEW`` or ``OLD`` (a parameter on PostgreSQL); with ``source`` (a
    ``FROM`` item naming ``r``), they count every row of it, grouped, which fills the table of
    an existing database, and which verify compares it with.
    """

    def n(condition: str) -> str:
        counted = x.count(condition)
        return f"sum({counted})" if source else f"{sign} * {counted}"

    group = " GROUP BY 1, 2, 3" if source else ""
    each = f"{source}, " if source else ""
    return tuple(
        (
            side.columns,
            f"SELECT d.kind AS kind, {side.day} AS day, {side.key} AS key, "
            + ", ".join(f"{n(v)} AS {c}" for c, v in zip(side.columns, side.counts, strict=True))
            + f" FROM {each}{_kinds(*side.kinds)} WHERE {side.where}{group}",
        )
        for side in _side_defs(x, r)
    )


def _sides(x: _Dialect, r: str, sign: str, source: str = "") -> tuple[str, ...]:
    """The statements that add or take off the rows of :func:`_selects` in the table."""
    into = f"INSERT INTO {x.table}" + ("" if x.lite else " AS u")
    return tuple(
        f"{into} (kind, day, key, {', '.join(columns)}) {select}" + x.upsert(columns)
        for columns, select in _selects(x, r, sign, source)
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

SQLITE_REBUILD: tuple[str, ...] = (
    "DELETE FROM complaint_rollups",
    *_sides(_LITE, "c", "1", "complaints AS c"),
)
"""The rollups counted again from every row (``iso10002 repair``), in one transaction."""

SQLITE_ROLLUPS: tuple[str, ...] = (
    _table(_LITE),
    # The rows there are counted once, before the triggers count what changes.
    *SQLITE_REBUILD,
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


def _rows(side: _Side, sign: str, moved: Callable[[int], str] | None = None) -> list[str]:
    """
    The rows that add (``sign`` ``1``) or take off (``-1``) one side's counts in a trigger on
    SQLite, a one-row ``SELECT`` per kind (a join with the kinds evaluates every expression
    once per kind), giving every count column from ``ended`` on when the side is not the
    received one; with ``moved``, only the kinds whose row it says moves.
    """
    names = side.columns if side.columns[0] == "received" else COUNTS[3:]
    counts = dict(zip(side.columns, side.counts, strict=True))
    values = ", ".join(f"{sign} * ({counts[c]})" if c in counts else "0" for c in names)
    return [
        f"SELECT {kind}, {side.day}, {key}, {values} "
        f"WHERE {side.where}{'' if moved is None else moved(kind)}"
        for kind, key in zip(side.kinds, side.keys, strict=True)
    ]


def _upsert(columns: tuple[str, ...], rows: list[str]) -> str:
    return (
        f"INSERT INTO complaint_rollups (kind, day, key, {', '.join(columns)}) "
        + " UNION ALL ".join(rows)
        + _LITE.upsert(columns)
    )


_OLD, _NEW = _side_defs(_LITE, "OLD"), _side_defs(_LITE, "NEW")


def _received_moved(kind: int) -> str:
    """Whether the received side's row of ``kind`` moves: its day, counts or key change."""
    was, now = _OLD[0], _NEW[0]
    each = f"({was.day}, {', '.join(was.counts)}) IS NOT ({now.day}, {', '.join(now.counts)})"
    if kind == 0:
        return f" AND {each}"
    return f" AND ({each} OR {was.keys[kind]} IS NOT {now.keys[kind]})"


# What the received side counts by: the columns, whether a duplicate, whether imported.
_RECEIVED_BY = ("received_at", "channel", "category", "product", "priority")


def _received_by(x: _Dialect, r: str) -> str:
    """What row ``r``'s received side counts by, as one row value to compare."""
    counts = _side_defs(x, r)[0].counts
    return (
        "("
        + ", ".join((*(f"{r}.{c}" for c in _RECEIVED_BY), counts[1], f"{r}.source IS NULL"))
        + ")"
    )


_RECEIVED_MOVES = f"{_received_by(_LITE, 'OLD')} IS NOT {_received_by(_LITE, 'NEW')}"
_CLOSED_MOVES = f"(OLD.closed_at IS NOT NULL OR NEW.closed_at IS NOT NULL) AND ({_CHANGED})"

_DEFERRED = "complaint_rollups_deferred"
"""While this table holds a row (only ever inside the transaction of a bulk load), the insert
triggers leave the new rows to that transaction, which counts them (:data:`SQLITE_LOADED`)."""


def _insert_triggers(deferrable: bool) -> tuple[str, str]:
    """The insert triggers of migration 13, or of 14 (``deferrable``: skipped during a load)."""
    kept = f"NOT EXISTS (SELECT 1 FROM {_DEFERRED})"
    return (
        "CREATE TRIGGER complaints_rollups_insert AFTER INSERT ON complaints "
        + (f"WHEN {kept} " if deferrable else "")
        + "BEGIN "
        + _upsert(_NEW[0].columns, _rows(_NEW[0], "1"))
        + "; END",
        "CREATE TRIGGER complaints_rollups_insert_closed AFTER INSERT ON complaints "
        "WHEN NEW.closed_at IS NOT NULL "
        + (f"AND {kept} " if deferrable else "")
        + "BEGIN "
        + _upsert(COUNTS[3:], [*_rows(_NEW[1], "1"), *_rows(_NEW[2], "1")])
        + "; END",
    )


SQLITE_TRIGGERS: tuple[str, ...] = (
    # All four: a database taken back to an older version by hand (a restore, a test) may
    # hold them already.
    *(
        f"DROP TRIGGER IF EXISTS complaints_rollups_{name}"
        for name in ("insert", "insert_closed", "update", "update_closed")
    ),
    *_insert_triggers(deferrable=False),
    f"CREATE TRIGGER complaints_rollups_update AFTER UPDATE ON complaints "
    f"WHEN {_RECEIVED_MOVES} BEGIN "
    + _upsert(
        _NEW[0].columns,
        [*_rows(_OLD[0], "-1", _received_moved), *_rows(_NEW[0], "1", _received_moved)],
    )
    + "; END",
    f"CREATE TRIGGER complaints_rollups_update_closed AFTER UPDATE ON complaints "
    f"WHEN {_CLOSED_MOVES} BEGIN "
    + _upsert(
        COUNTS[3:],
        [*_rows(_OLD[1], "-1"), *_rows(_OLD[2], "-1"), *_rows(_NEW[1], "1"), *_rows(_NEW[2], "1")],
    )
    + "; END",
)
"""
Migration 13 on SQLite: the same counts as migration 11's triggers (the one on deletes is
kept), by two triggers where there was one: the received side's, which an update fires only
when what that side counts by changes, and which writes only the rows that move (a new
priority: two); and the closed complaints' (ended and details), which an update fires only
on a complaint closed before or after it. One statement each, one row per kind. A command
that changes no counted column fires none, as before; a decision on an open complaint now
fires none either. PostgreSQL keeps its trigger function of migration 11.
"""

SQLITE_DEFERRABLE: tuple[str, ...] = (
    f"CREATE TABLE IF NOT EXISTS {_DEFERRED} (deferred INTEGER NOT NULL)",
    "DROP TRIGGER IF EXISTS complaints_rollups_insert",
    "DROP TRIGGER IF EXISTS complaints_rollups_insert_closed",
    *_insert_triggers(deferrable=True),
)
"""
Migration 14 on SQLite: the insert triggers of migration 13, skipped while
``complaint_rollups_deferred`` holds a row, so that a bulk load counts its complaints once
(:data:`SQLITE_LOADED`) instead of once each. Nothing is counted again.
"""

SQLITE_DEFER = f"INSERT INTO {_DEFERRED} (deferred) VALUES (1)"
"""A bulk load's first statement: the insert triggers leave its rows to it."""

SQLITE_LOADED: tuple[str, ...] = (
    # The rows inserted after the largest rowid there was: the write lock is held since, and
    # SQLite gives a new row the largest rowid plus one.
    *_sides(_LITE, "c", "1", "(SELECT * FROM complaints WHERE rowid > ?) AS c"),
)
"""
A bulk load's count of the complaints it inserted, those whose rowid is above the parameter
(the largest before it): at once, grouped, by the rules the triggers and the recount follow
(:func:`_sides`). Each statement takes the rowid.
"""

SQLITE_UNDEFER = f"DELETE FROM {_DEFERRED}"
"""A bulk load's last statement: the insert triggers count again."""

POSTGRES_REBUILD: tuple[str, ...] = (
    "DELETE FROM {s}.complaint_rollups",
    *_sides(_PG, "c", "1", "{s}.complaints AS c"),
)
"""The rollups counted again from every row on PostgreSQL (``{s}`` the schema)."""

POSTGRES_ROLLUPS: tuple[str, ...] = (
    _table(_PG),
    *POSTGRES_REBUILD,
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

POSTGRES_TRIGGERS: tuple[str, ...] = (
    "CREATE OR REPLACE FUNCTION {s}.complaint_rollups_received(r {s}.complaints, sign integer) "
    "RETURNS void LANGUAGE plpgsql AS $received$ BEGIN "
    + _sides(_PG, "r", "sign")[0]
    + "; END $received$",
    "CREATE OR REPLACE FUNCTION {s}.complaint_rollups_closed(r {s}.complaints, sign integer) "
    "RETURNS void LANGUAGE plpgsql AS $closed$ BEGIN "
    + "; ".join(_sides(_PG, "r", "sign")[1:])
    + "; END $closed$",
    (
        "CREATE OR REPLACE FUNCTION {s}.complaint_rollups_keep() RETURNS trigger "
        "LANGUAGE plpgsql AS $keep$ BEGIN "
        "IF TG_OP = 'INSERT' THEN PERFORM {s}.complaint_rollups_count(NEW, 1); "
        "ELSIF TG_OP = 'DELETE' THEN PERFORM {s}.complaint_rollups_count(OLD, -1); "
        "ELSE "
        f"IF {_received_by(_PG, 'OLD')} IS DISTINCT FROM {_received_by(_PG, 'NEW')} THEN "
        "PERFORM {s}.complaint_rollups_received(OLD, -1); "
        "PERFORM {s}.complaint_rollups_received(NEW, 1); END IF; "
        "IF OLD.closed_at IS NOT NULL OR NEW.closed_at IS NOT NULL THEN "
        "PERFORM {s}.complaint_rollups_closed(OLD, -1); "
        "PERFORM {s}.complaint_rollups_closed(NEW, 1); END IF; "
        "END IF; RETURN NULL; END $keep$"
    ),
)
"""
Migration 15 on PostgreSQL: the same counts as migration 11's trigger function, an update
taking off and adding again only the sides it can move, as SQLite's triggers of migration 13
do: the received side (on the day received) when what it counts by changes (the day, the
channel, category, product and priority, whether a duplicate, whether imported), the closed
side (ended and details) when the complaint is closed before or after the update. A decision
on an open complaint counts nothing again; a closure leaves the received side alone. Inserts
and deletes count as before; nothing is counted again.
"""


def _recount(x: _Dialect) -> str:
    """
    One ``SELECT`` (one snapshot): the rollups as stored (``side`` 0), and as the rows count
    them (1, in parts a (kind, day, key) may have several of), tables named without a schema.
    """
    parts = [
        f"SELECT 0 AS side, kind, day, key, {', '.join(COUNTS)} FROM complaint_rollups",
        *(
            f"SELECT 1, kind, day, key, {', '.join(c if c in cols else '0' for c in COUNTS)} "
            f"FROM ({select}) AS p"
            for cols, select in _selects(x, "c", "1", "complaints AS c")
        ),
    ]
    return " UNION ALL ".join(parts)


SQLITE_RECOUNT = _recount(_LITE)
"""The rollups against the rows, for verify (:func:`differences`), on SQLite."""
POSTGRES_RECOUNT = _recount(_PG)
"""The same on PostgreSQL, run with the store's schema as the search path."""

KINDS = (
    "total",
    "channel",
    "category",
    "product",
    "priority",
    "remedies",
    "satisfaction",
    "root_cause",
)
"""What each kind of rollup row counts by (kind 0, the day's total, by nothing)."""


def _record(kind: int, day: str, key: str) -> str:
    if kind == 0:
        return f"rollup {day} total"
    name = KINDS[kind] if 0 <= kind < len(KINDS) else f"kind {kind}"
    return f"rollup {day} {name}={key if key else '(none)'}"


def differences(rows: Iterable[tuple[Any, ...]]) -> list[tuple[str, str]]:
    """
    The rollup rows that differ from the rows' counts, from the rows of the recount
    (:data:`SQLITE_RECOUNT`, :data:`POSTGRES_RECOUNT`): each as the record's name
    (``rollup 2026-03-02 channel=email``) and what differs, by day, kind and value. A row
    of zeros is the same as no row (the triggers take counts off, and keep the row).
    """
    sides: tuple[dict[tuple[int, str, str], list[int]], ...] = ({}, {})
    for side, kind, day, key, *counts in rows:
        held = sides[int(bool(side))].setdefault((int(kind), day, key), [0] * len(COUNTS))
        for i, n in enumerate(counts):
            held[i] += int(n)
    stored, counted = sides
    nothing = [0] * len(COUNTS)
    found = []
    for kind, day, key in sorted(set(stored) | set(counted), key=lambda k: (k[1], k[0], k[2])):
        mine = stored.get((kind, day, key), nothing)
        theirs = counted.get((kind, day, key), nothing)
        if mine == theirs:
            continue
        wrong = [
            f"{c} {a}, not {b}" for c, a, b in zip(COUNTS, mine, theirs, strict=True) if a != b
        ]
        found.append(
            (
                _record(kind, day, key),
                f"the rollup does not match the complaints' rows: it counts {'; '.join(wrong)}",
            )
        )
    return found
