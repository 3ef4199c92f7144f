"""
What each guarantee of the write path costs a command, against the write-path targets.

The lifecycle of ``bench_lifecycle.py`` (seven commands) runs ``--lifecycles`` times on an
in-memory desk whose store records what the desk hands it: each command's event, its summary
row and its prepared append (:func:`record`, which then checks that each replay below gives
what the desk gave). Each piece of the work a command does is then replayed on those recorded
inputs with the library's own functions, taking turns in rounds with the whole command (in
memory and on SQLite) and the raw ``sqlite3`` baseline of ``bench_lifecycle.py``, all timed in
processor time in the same run (and on the clock):

- the payload and the event built from their fields (the attrs validators and converters run);
- the workflow's guard check (``workflow_in_force`` and ``Workflow.run``);
- the fold (``apply``);
- the summary row and its facts (``derive``, as the desk calls it without a policy);
- sealing the personal values (``seal_event``: the payload unstructured, a salt and a
  commitment per personal value);
- the canonical encoding (``prepared_event``: the sealed payload's JSON, the personal values'
  JSON, the bytes the hashes cover);
- the ``Append`` built (its validators compare each prepared event with its event);
- the hashes and the links of both chains (``link``);
- the desk's writer lock and its cache of states (look-ups and keeping);
- the in-memory store's ``append_many`` (its checks, the version check, ``link``, keeping);
- each of those again with the attrs validators off (``attrs.validators.disabled()``), and the
  whole command in memory too;
- the whole command in memory with the baseline's statements for the same event after each
  command, their own time taken out: what SQLite's work between commands costs the desk's
  Python;
- the SQLite store's ``append_many`` of the recorded appends into a fresh database, and the
  very statements it ran (captured once from its connection) replayed with plain ``sqlite3``
  on a fresh database of our schema: as it is, without the rollups' triggers, and without
  the triggers and the summary's secondary indexes; the baseline's own statements (the event
  row, the version-checked projection update, the commit: ``RawWriter``) on its own schema.

The whole commands time their store's appends too, so that a table can say what the desk's
side of a command costs. Each row of a table is the median over the rounds of a sum of those
pieces, a command; the rows add up to the whole command in every round (:func:`adds_up`), and
what no replay covers is a row of its own (the desk's plumbing; the store's append in the desk
beyond its replay), not spread over the others. With ``synchronous=FULL`` the whole command and
the baseline are read on the clock, and the wait for the disk beyond the baseline's is a row.
For each target, the budget it leaves a command and the rows that alone exceed it.

Run: ``python benchmarks/bench_guarantees.py [--lifecycles N] [--rounds N] [--synchronous ...]``
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, cast

import attrs

from iso10002 import ComplaintDesk, FixedClock, InMemoryEventStore
from iso10002.desk._deadlines import Derived, derive
from iso10002.desk._in_force import workflow_in_force
from iso10002.integrity.prepared import prepared_event
from iso10002.model.complaint import Complaint, apply
from iso10002.model.events import Event
from iso10002.model.prepared import PreparedEvent
from iso10002.ports.store import Append, BatchAppender, link
from iso10002.privacy.sealing import Sealed, seal_event
from iso10002.storage._prepare import _actor_json
from iso10002.storage.sqlite import SQLiteEventStore, Synchronous

sys.path.insert(0, str(Path(__file__).parent))
from bench_lifecycle import EVENTS_PER_LIFECYCLE, START, RawWriter, event_rows, lifecycle
from guarantees_table import (
    BASELINE,
    TARGETS,
    Round,
    Timing,
    budgets,
    figure,
    memory_rows,
    sqlite_rows,
    sqlite_whole,
    table,
)

COMMANDS = (
    None,  # the receipt runs no workflow command
    "acknowledge",
    "assess",
    "decide",
    "communicate_decision",
    "accept_decision",
    "close",
)
"""The workflow command of each step of ``lifecycle``."""


class Command(NamedTuple):
    """One command of a recorded lifecycle: what the desk started from and produced."""

    name: str | None
    before: Complaint | None
    previous: tuple[Complaint, Derived] | None
    event: Event
    fields: dict[str, Any]
    after: Complaint
    append: Append
    prepared: PreparedEvent
    sealed: Sealed


class TimedMemoryStore(InMemoryEventStore):
    """An in-memory store that keeps every append the desk hands it, and times its appends."""

    def __init__(self) -> None:
        super().__init__()
        self.appends: list[Append] = []
        self.spent = [0.0, 0.0]

    def append_many(self, appends: Sequence[Append]) -> None:
        """Append as the store does; keep the appends and add up the time."""
        c0, w0 = time.process_time(), time.perf_counter()
        super().append_many(appends)
        self.spent[0] += time.process_time() - c0
        self.spent[1] += time.perf_counter() - w0
        self.appends.extend(appends)


class InterleavedStore(TimedMemoryStore):
    """
    A timed in-memory store that, after each append, has ``writer`` write the baseline's row of
    the same event (``rows``, in order) with plain sqlite3, timed apart (``between``).
    """

    def __init__(self, writer: RawWriter, rows: list[tuple[object, ...]]) -> None:
        super().__init__()
        self.writer = writer
        self.rows = iter(rows)
        self.between = [0.0, 0.0]

    def append_many(self, appends: Sequence[Append]) -> None:
        """Append as the store does, then write a baseline row."""
        super().append_many(appends)
        c0, w0 = time.process_time(), time.perf_counter()
        self.writer.write([next(self.rows)])
        self.between[0] += time.process_time() - c0
        self.between[1] += time.perf_counter() - w0


class TimedSQLiteStore(SQLiteEventStore):
    """A SQLite store that times its appends."""

    spent = (0.0, 0.0)

    def append_many(self, appends: Sequence[Append]) -> None:
        """Append as the store does, and add up the time."""
        c0, w0 = time.process_time(), time.perf_counter()
        super().append_many(appends)
        cpu, wall = self.spent
        self.spent = (cpu + time.process_time() - c0, wall + time.perf_counter() - w0)


class Recorder:
    """A stand-in for the SQLite store's connection that keeps the statements it runs."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.statements: list[tuple[str, Any, bool]] = []

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """Run and keep one statement."""
        self.statements.append((sql, params, False))
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, params: Any) -> sqlite3.Cursor:
        """Run and keep one statement over many rows."""
        rows = list(params)
        self.statements.append((sql, rows, True))
        return self.conn.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        """Whether the connection is in a transaction."""
        return self.conn.in_transaction


def record(n: int) -> tuple[ComplaintDesk, list[Command]]:
    """Run ``n`` lifecycles in memory and return the desk and what each command did."""
    store = TimedMemoryStore()
    desk = ComplaintDesk(store, clock=FixedClock(START))
    for i in range(n):
        lifecycle(desk, i)
    if len(store.appends) != n * EVENTS_PER_LIFECYCLE:
        raise AssertionError(f"expected one append a command, got {len(store.appends)}")
    commands: list[Command] = []
    before: Complaint | None = None
    previous: Append | None = None
    for k, a in enumerate(store.appends):
        (event,) = a.events
        (prepared,) = a.prepared or ()
        step = k % EVENTS_PER_LIFECYCLE
        if step == 0:
            before = previous = None
        after = apply(before, event)
        payload = event.payload
        fields = {f.alias: getattr(payload, f.name) for f in attrs.fields(type(payload)) if f.init}
        commands.append(
            Command(
                name=COMMANDS[step],
                before=before,
                previous=None
                if before is None or previous is None
                else (before, Derived(previous.summary)),
                event=event,
                fields=fields,
                after=after,
                append=a,
                prepared=prepared,
                sealed=Sealed(
                    payload=prepared.payload,
                    personal=prepared.personal,
                    actor=prepared.sealed_actor,
                ),
            )
        )
        before, previous = after, a
    check_replays(desk, commands)
    return desk, commands


def check_replays(desk: ComplaintDesk, commands: list[Command]) -> None:
    """Fail unless each replayed piece gives what the desk produced: the replays do its work."""
    for c in commands:
        if c.before is not None:
            assert c.name is not None
            target = workflow_in_force(desk, c.before, c.name).run(
                c.before, c.name, c.event.actor, c.event.payload, c.event.occurred_at
            )
            if target != c.event.state:
                raise AssertionError(f"{c.name}: the workflow gives {target}")
        event = build_event(c)
        if event != c.event:
            raise AssertionError(f"{c.event.type}: the event built differs")
        _, derived = summarise(c)
        if derived.summary != c.append.summary:
            raise AssertionError(f"{c.event.type}: the summary derived differs")
        again = encode(c)
        if again.canonical != c.prepared.canonical or again.payload_json != c.prepared.payload_json:
            raise AssertionError(f"{c.event.type}: the encoding differs")


def build_event(c: Command) -> Event:
    """The command's payload and event built from their fields, as the desk builds them."""
    e = c.event
    return Event(
        complaint_id=e.complaint_id,
        seq=e.seq,
        occurred_at=e.occurred_at,
        actor=e.actor,
        state=e.state,
        payload=type(e.payload)(**c.fields),
    )


def summarise(c: Command) -> tuple[object, Derived]:
    """The summary row and its facts, as the desk derives them without a policy."""
    e = c.event
    return derive(
        None,
        c.previous,
        c.after,
        new=(e,),
        history=(e,) if c.before is None else (),
        now=e.occurred_at,
        report_wanted=False,
    )


def encode(c: Command) -> PreparedEvent:
    """The command's sealed event encoded, as the desk's preparation does."""
    e = c.event
    return prepared_event(e, c.sealed, None if c.sealed.actor is not None else _actor_json(e.actor))


def lifecycles(desk: ComplaintDesk, n: int) -> None:
    """``n`` lifecycles through ``desk``."""
    for i in range(n):
        lifecycle(desk, i)


def append_each(store: BatchAppender, appends: list[Append]) -> None:
    """Each of ``appends`` in a call of its own, as the desk makes them."""
    for a in appends:
        store.append_many([a])


def timed(body: Callable[[], object]) -> Timing:
    """Run ``body`` after a collection; its processor and clock time."""
    gc.collect()
    c0, w0 = time.process_time(), time.perf_counter()
    body()
    return time.process_time() - c0, time.perf_counter() - w0


class Bench:
    """The pieces, each a function of the round timing its own work."""

    def __init__(self, desk: ComplaintDesk, commands: list[Command], n: int, tmp: Path) -> None:
        self.desk = desk
        self.commands = commands
        self.n = n
        self.tmp = tmp
        self.files = 0
        self.statements: list[list[tuple[str, Any, bool]]] = []
        self.rows: list[tuple[object, ...]] = []

    def path(self) -> Path:
        """A new database file."""
        self.files += 1
        return self.tmp / f"{self.files}.db"

    # -- whole commands -------------------------------------------------------------------------

    def whole_memory(self, *, validators: bool = True) -> dict[str, Timing]:
        store = TimedMemoryStore()
        desk = ComplaintDesk(store, clock=FixedClock(START))
        with attrs.validators.disabled() if not validators else contextlib.nullcontext():
            whole = timed(functools.partial(lifecycles, desk, self.n))
        return {"": whole, ", store": (store.spent[0], store.spent[1])}

    def whole_interleaved(self) -> dict[str, Timing]:
        """
        The whole command in memory with the baseline's SQL of the same event after each one,
        that SQL's own time taken out: what SQLite's work between commands costs the desk's
        Python (the caches it leaves cold).
        """
        writer = RawWriter(self.path(), "NORMAL", projection=True)
        store = InterleavedStore(writer, self.rows)
        desk = ComplaintDesk(store, clock=FixedClock(START))
        try:
            cpu, wall = timed(functools.partial(lifecycles, desk, self.n))
        finally:
            writer.close()
        return {
            "": (cpu - store.between[0], wall - store.between[1]),
            ", store": (store.spent[0], store.spent[1]),
        }

    def whole_sqlite(self, synchronous: str) -> dict[str, Timing]:
        store = TimedSQLiteStore(self.path(), synchronous=cast(Synchronous, synchronous))
        desk = ComplaintDesk(store, clock=FixedClock(START))
        try:
            whole = timed(functools.partial(lifecycles, desk, self.n))
        finally:
            store.close()
        return {"": whole, ", store": store.spent}

    def cache(self) -> Timing:
        """The desk's writer lock and its cache of states: the look-ups and the keeping."""
        desk = ComplaintDesk(InMemoryEventStore(), clock=FixedClock(START))
        steps = [
            (c.event.complaint_id, c.before, c.after, Derived(c.append.summary))
            for c in self.commands
        ]

        def body() -> None:
            for cid, before, after, derived in steps:
                with desk._writing(cid):
                    if before is not None:
                        desk._cached_entry(cid)
                        desk._derived(cid, before.version)
                    desk._remember(after, (), derived)

        return timed(body)

    # -- the desk's path, piece by piece --------------------------------------------------------

    def build(self) -> Timing:
        commands = self.commands
        return timed(lambda: [build_event(c) for c in commands])

    def guards(self) -> Timing:
        desk = self.desk
        steps = [
            (c.before, c.name, c.event) for c in self.commands if c.before is not None and c.name
        ]

        def body() -> None:
            for before, name, e in steps:
                workflow_in_force(desk, before, name).run(
                    before, name, e.actor, e.payload, e.occurred_at
                )

        return timed(body)

    def fold(self) -> Timing:
        steps = [(c.before, c.event) for c in self.commands]
        return timed(lambda: [apply(before, e) for before, e in steps])

    def summary(self) -> Timing:
        commands = self.commands
        return timed(lambda: [summarise(c) for c in commands])

    def seal(self) -> Timing:
        events = [c.event for c in self.commands]
        return timed(lambda: [seal_event(e) for e in events])

    def encoding(self) -> Timing:
        commands = self.commands
        return timed(lambda: [encode(c) for c in commands])

    def append_built(self) -> Timing:
        appends = [c.append for c in self.commands]

        def body() -> None:
            for a in appends:
                Append(
                    events=a.events,
                    expected_version=a.expected_version,
                    summary=a.summary,
                    prepared=a.prepared,
                    number=a.number,
                )

        return timed(body)

    def links(self) -> Timing:
        appends = [c.append for c in self.commands]
        hasher = InMemoryEventStore().hasher

        def body() -> None:
            heads: dict[object, str] = {}
            last: str | None = None
            for a in appends:
                (pair,) = link(
                    [a],
                    stored_hash=lambda cid, _version: heads.get(cid),
                    last_link=last,
                    hasher=hasher,
                )
                heads[a.summary.id], last = pair[-1]

        return timed(body)

    def memory_store(self) -> Timing:
        appends = [c.append for c in self.commands]
        store = InMemoryEventStore()
        return timed(functools.partial(append_each, store, appends))

    # -- SQLite ---------------------------------------------------------------------------------

    def capture(self) -> None:
        """The statements the SQLite store runs for each recorded append, and the event rows."""
        store = SQLiteEventStore(self.path(), synchronous="NORMAL")
        conn = store._conn
        assert conn is not None
        recorder = Recorder(conn)
        store._conn = cast(sqlite3.Connection, recorder)
        try:
            for c in self.commands:
                recorder.statements = []
                store.append_many([c.append])
                self.statements.append(recorder.statements)
        finally:
            store._conn = conn
        self.rows, _ = event_rows(store, 0)
        store.close()

    def sqlite_store(self, synchronous: str) -> Timing:
        appends = [c.append for c in self.commands]
        store = SQLiteEventStore(self.path(), synchronous=cast(Synchronous, synchronous))
        try:
            return timed(functools.partial(append_each, store, appends))
        finally:
            store.close()

    def our_sql(self, synchronous: str, *, triggers: bool, indexes: bool) -> Timing:
        """Our statements replayed on our schema, with or without triggers and indexes."""
        store = SQLiteEventStore(self.path(), synchronous=cast(Synchronous, synchronous))
        conn = store._conn
        assert conn is not None
        kinds = ([] if triggers else ["trigger"]) + ([] if indexes else ["index"])
        for kind in kinds:
            names = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = ? AND sql IS NOT NULL "
                "AND tbl_name IN ('complaints', 'events')",
                (kind,),
            ).fetchall()
            for (name,) in names:
                conn.execute(f"DROP {kind.upper()} {name}")
        statements = self.statements

        def body() -> None:
            execute, executemany = conn.execute, conn.executemany
            for command in statements:
                for sql, params, many in command:
                    if many:
                        executemany(sql, params)
                    else:
                        execute(sql, params).fetchone()

        try:
            return timed(body)
        finally:
            store.close()

    def baseline(self, synchronous: str) -> Timing:
        writer = RawWriter(self.path(), synchronous, projection=True)
        rows = self.rows
        try:
            return timed(lambda: writer.write(rows))
        finally:
            writer.close()


Piece = Callable[[], "Timing | dict[str, Timing]"]
"""A piece of a round: its time, or the times of its parts by the suffix of their keys."""


def pieces(bench: Bench, synchronous: Sequence[str]) -> dict[str, Piece]:
    """Every piece timed in a round, by key."""
    out: dict[str, Piece] = {
        "whole memory": bench.whole_memory,
        "whole memory, validators off": functools.partial(bench.whole_memory, validators=False),
        "whole memory, between": bench.whole_interleaved,
        "build": bench.build,
        "guards": bench.guards,
        "fold": bench.fold,
        "summary": bench.summary,
        "seal": bench.seal,
        "encode": bench.encoding,
        "append built": bench.append_built,
        "links": bench.links,
        "cache": bench.cache,
        "memory store": bench.memory_store,
    }
    for key in VALIDATED:
        out[f"{key}, validators off"] = functools.partial(unvalidated, out[key])
    for s in synchronous:
        out[f"whole {s}"] = functools.partial(bench.whole_sqlite, s)
        out[f"store {s}"] = functools.partial(bench.sqlite_store, s)
        out[f"sql {s}"] = functools.partial(bench.our_sql, s, triggers=True, indexes=True)
        out[f"sql {s}, no triggers"] = functools.partial(
            bench.our_sql, s, triggers=False, indexes=True
        )
        out[f"sql {s}, bare"] = functools.partial(bench.our_sql, s, triggers=False, indexes=False)
        out[f"baseline {s}"] = functools.partial(bench.baseline, s)
    return out


VALIDATED = (
    "build",
    "guards",
    "fold",
    "summary",
    "seal",
    "encode",
    "append built",
    "links",
    "cache",
    "memory store",
)
"""The pieces also timed with the attrs validators off."""


def unvalidated(piece: Piece) -> Timing | dict[str, Timing]:
    """``piece`` with the attrs validators off."""
    with attrs.validators.disabled():
        return piece()


def run_rounds(bench: Bench, synchronous: Sequence[str], rounds: int) -> list[Round]:
    """A warm-up round, then ``rounds`` rounds of every piece, each round in another order."""
    timers = pieces(bench, synchronous)
    keys = list(timers)
    per = 1e6 / len(bench.commands)
    out: list[Round] = []
    for r in range(rounds + 1):
        turn = r % len(keys)
        times: Round = {}
        for key in keys[turn:] + keys[:turn]:
            got = timers[key]()
            for suffix, (cpu, wall) in (got if isinstance(got, dict) else {"": got}).items():
                times[key + suffix] = (cpu * per, wall * per)
        if r:
            out.append(times)
    return out


def main(argv: list[str] | None = None) -> int:
    """Record the lifecycles, time every piece in rounds, print the tables and the budgets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--lifecycles", type=int, default=300, help="lifecycles replayed a round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--synchronous", nargs="+", default=["NORMAL", "FULL"], choices=["NORMAL", "FULL", "OFF"]
    )
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")
    print(
        f"{args.lifecycles} lifecycles ({args.lifecycles * EVENTS_PER_LIFECYCLE} commands) a round"
    )
    print("processor time, but for the rows of FULL's whole command and baseline (on the clock)")
    desk, commands = record(args.lifecycles)
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(desk, commands, args.lifecycles, Path(tmp))
        bench.capture()
        rounds = run_rounds(bench, args.synchronous, args.rounds)
    memory = table("In memory", {"whole memory": 1}, memory_rows(), rounds)
    validators = figure(rounds, {"whole memory": 1, "whole memory, validators off": -1})
    in_rows = figure(
        rounds, dict.fromkeys(VALIDATED, 1) | {f"{k}, validators off": -1 for k in VALIDATED}
    )
    in_build = figure(rounds, {"build": 1, "build, validators off": -1})
    print("  the attrs validators (on less off), part of the rows above:")
    print(f"  {'  in the whole command':<50} {validators}  [validation]")
    print(f"  {'  in the rows replayed (all but the plumbing)':<50} {in_rows}")
    print(f"  {'    of them in the payload and event built':<50} {in_build}")
    stores = {
        s: table(f"SQLite, synchronous={s}", sqlite_whole(s), sqlite_rows(s), rounds)
        for s in args.synchronous
    }
    print("\nTargets: the budget of a command, and the rows that alone exceed it")
    for label, setting, ratio in TARGETS:
        if setting == "memory" and "NORMAL" in stores:
            budgets(label, memory, stores["NORMAL"][BASELINE], ratio)
        elif setting in stores:
            budgets(label, stores[setting], stores[setting][BASELINE], ratio)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
