"""
The ``iso10002 outbox`` commands, over the notifications a database's outbox holds
(``docs/outbox.md``): ``list`` the records, by state; ``dead`` shows the dead letters;
``retry`` gives dead letters another chance; ``purge`` deletes records delivered before a day;
``dispatch`` delivers them (``iso10002.cli._dispatch``).

Each is one call of the store's outbox methods (``outbox_records``, ``outbox_counts``,
``outbox_retry``, ``outbox_purge``); delivering is the dispatcher's work, in a worker process
such as ``outbox dispatch``.
The listing never shows a recipient or a notification's text, only its bookkeeping.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from iso10002.cli import _dispatch
from iso10002.cli._sla import _table, parse_instant
from iso10002.clock import SystemClock
from iso10002.model.outbox import MAX_QUERY_LIMIT, OutboxQuery, OutboxRecord, OutboxState
from iso10002.ports.store import OutboxEventStore, is_outbox_store
from iso10002.serialization import pretty_json

__all__ = ["register"]

_UTC = _dt.timezone.utc
_ERROR_WIDTH = 80
_MAX_ID = 2**63 - 1
"""The largest record id a store can count to (SQLite's integers are 64-bit)."""


@contextlib.contextmanager
def _outbox(db: str) -> Iterator[OutboxEventStore]:
    """The outbox of the database at ``db``, which must exist."""
    from iso10002.cli._app import CliError, _existing_desk

    with _existing_desk(db) as desk:
        store = desk.store
        if not is_outbox_store(store):  # pragma: no cover - the command line opens SQLite
            raise CliError(f"{db}: {type(store).__name__} keeps no outbox")
        yield store


def _utc(value: _dt.datetime | None) -> str:
    return "-" if value is None else value.astimezone(_UTC).strftime("%Y-%m-%d %H:%M")


def _iso(value: _dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(_UTC).isoformat()


def _short(text: str | None) -> str:
    """The last error on one short line, from its notifier on: the key before it is known."""
    if not text:
        return "-"
    line = " ".join(text.split()).split(" not delivered by ", 1)[-1]
    return line if len(line) <= _ERROR_WIDTH else line[: _ERROR_WIDTH - 1] + "…"


def _counts(store: OutboxEventStore) -> str:
    counts = store.outbox_counts()
    return ", ".join(f"{state.value} {counts[state]:,}" for state in OutboxState)


def render(records: list[OutboxRecord], counts: str, more: bool) -> str:
    """The records as a table, after the outbox's counts per state."""
    lines = [f"Outbox: {counts}", ""]
    if not records:
        return "\n".join([*lines, "No record matches."])
    rows = [
        (
            str(r.id),
            r.state.value,
            str(r.attempts),
            r.kind,
            r.channel,
            r.complaint_reference or "-",
            _utc(r.next_attempt_at),
            _short(r.last_error),
        )
        for r in records
    ]
    headers = ["ID", "STATE", "TRIES", "KIND", "CHANNEL", "REFERENCE", "DUE (UTC)", "LAST ERROR"]
    lines += _table(headers, rows)
    if more:
        lines += ["", f"More records follow: add --after {records[-1].id}."]
    return "\n".join(lines)


def _record_json(r: OutboxRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "state": r.state.value,
        "attempts": r.attempts,
        "kind": r.kind,
        "channel": r.channel,
        "lane": r.lane,
        "reference": r.complaint_reference,
        "idempotency_key": r.idempotency_key,
        "created_at": _iso(r.created_at),
        "deliver_after": _iso(r.deliver_after),
        "next_attempt_at": _iso(r.next_attempt_at),
        "delivered_at": _iso(r.delivered_at),
        "last_error": r.last_error,
        "digest_id": r.digest_id,
    }


def _query(args: argparse.Namespace, state: OutboxState | None) -> OutboxQuery:
    from iso10002.cli._app import _usage

    if not 1 <= args.limit <= MAX_QUERY_LIMIT:
        raise _usage(f"--limit: must be from 1 to {MAX_QUERY_LIMIT}, got {args.limit}")
    if not 0 <= args.after <= _MAX_ID:
        raise _usage(f"--after: must be from 0 to {_MAX_ID}, got {args.after}")
    return OutboxQuery(
        state=state, complaint_reference=args.reference, after_id=args.after, limit=args.limit
    )


def _list(args: argparse.Namespace, state: OutboxState | None) -> int:
    query = _query(args, state)
    with _outbox(args.db) as store:
        records = store.outbox_records(query)
        # A look one record past the page tells whether another page follows.
        more = bool(records) and bool(
            store.outbox_records(attrs.evolve(query, after_id=records[-1].id, limit=1))
        )
        counts = _counts(store)
    if args.format == "json":
        page = {"records": [_record_json(r) for r in records], "more": more}
        print(pretty_json(page))
    else:
        print(render(records, counts, more))
    return 0


def _run_list(args: argparse.Namespace) -> int:
    state = None if args.state is None else OutboxState(args.state)
    return _list(args, state)


def _run_dead(args: argparse.Namespace) -> int:
    return _list(args, OutboxState.DEAD)


def _dead_ids(store: OutboxEventStore) -> list[int]:
    ids: list[int] = []
    after = 0
    while True:
        page = store.outbox_records(
            OutboxQuery(state=OutboxState.DEAD, after_id=after, limit=MAX_QUERY_LIMIT)
        )
        ids += [r.id for r in page]
        if len(page) < MAX_QUERY_LIMIT:
            return ids
        after = page[-1].id


def _run_retry(args: argparse.Namespace) -> int:
    from iso10002.cli._app import CliError, _usage

    if args.all == bool(args.ids):
        raise _usage("name the dead letters to retry by ID, or give --all (not both)")
    with _outbox(args.db) as store:
        if args.all:
            ids = _dead_ids(store)
        else:
            ids = list(dict.fromkeys(args.ids))
            for record_id in ids:
                record = store.outbox_record(record_id) if 0 < record_id <= _MAX_ID else None
                if record is None:
                    raise CliError(f"no outbox record {record_id}")
                if record.state is not OutboxState.DEAD:
                    raise CliError(
                        f"outbox record {record_id} is {record.state.value}, not a dead letter; "
                        "only dead letters are retried"
                    )
        revived = store.outbox_retry(ids, now=SystemClock().now()) if ids else 0
    noun = "id" if len(ids) == 1 else "ids"
    listed = f" ({noun} {', '.join(str(i) for i in ids)})" if ids else ""
    if not ids:
        print("retried: 0 (there are no dead letters)")
    else:
        print(f"retried: {revived}{listed}; the dispatcher sends them on its next round")
    return 0


def _run_purge(args: argparse.Namespace) -> int:
    before = parse_instant("--delivered-before", args.delivered_before, "UTC")
    with _outbox(args.db) as store:
        purged = store.outbox_purge(delivered_before=before)
    print(f"purged: {purged} record(s) delivered before {_utc(before)} UTC")
    return 0


def _never(_args: argparse.Namespace) -> int:  # pragma: no cover - a subcommand is required
    raise AssertionError("argparse requires an outbox command")


def register(
    add: Callable[..., argparse.ArgumentParser],
    *,
    database: argparse.ArgumentParser,
    text_or_json: argparse.ArgumentParser,
) -> None:
    """Add the ``outbox`` command group with ``add(name, run, help, *parents)`` of the app."""
    outbox = add(
        "outbox",
        _never,
        "The outbox: list notifications, retry dead letters, purge, deliver (dispatch).",
    )
    outbox.epilog = "Run 'iso10002 outbox COMMAND --help' for the options of a command."
    commands = outbox.add_subparsers(title="commands", dest="outbox_command", metavar="COMMAND")
    commands.required = True

    def sub(
        name: str, run: Callable[[argparse.Namespace], int], help_: str, *parents: object
    ) -> argparse.ArgumentParser:
        parser = commands.add_parser(
            name,
            help=help_,
            description=help_,
            parents=[database, *parents],  # type: ignore[list-item]
        )
        parser.set_defaults(run=run)
        return parser

    paging = argparse.ArgumentParser(add_help=False)
    paging.add_argument("--reference", metavar="REF", help="of this complaint only")
    paging.add_argument(
        "--limit", type=int, default=100, metavar="N", help="records per page (default: 100)"
    )
    paging.add_argument(
        "--after", type=int, default=0, metavar="ID", help="the page after this record id"
    )

    lst = sub("list", _run_list, "List outbox records, oldest first.", text_or_json, paging)
    lst.add_argument(
        "--state",
        choices=[s.value for s in OutboxState],
        help="pending, delivered or dead (default: all)",
    )
    sub(
        "dead",
        _run_dead,
        "List the dead letters: given up, waiting for a person.",
        text_or_json,
        paging,
    )

    retry = sub("retry", _run_retry, "Give dead letters another chance: pending again, due now.")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID", help="the records to retry")
    retry.add_argument("--all", action="store_true", help="retry every dead letter")

    purge = sub("purge", _run_purge, "Delete the records delivered before an instant.")
    purge.add_argument(
        "--delivered-before",
        required=True,
        metavar="INSTANT",
        help="a date or ISO 8601 instant (plain dates and times are UTC); pending and dead "
        "records are kept",
    )
    purge.epilog = (
        "A purged record's idempotency key is forgotten with it: keep records for longer than "
        "anything might enqueue the same notification again."
    )

    _dispatch.register(sub)
