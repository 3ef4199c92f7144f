"""
The ``iso10002 tick`` command: run the desk's scheduled tick once (``ComplaintDesk.tick``) on a
database and print the warning and breach alerts it raised.

The desk knows the policies ``sla status`` and ``sla queue`` know (every preset and the demo's).
``--as-of`` runs the tick as if it were that instant, for simulated data such as the demo's; the
alerts are recorded at that instant, so it may not be earlier than the last event recorded.
"""

from __future__ import annotations

import argparse
import datetime as _dt
from collections.abc import Callable
from typing import NamedTuple

from iso10002.cli._sla import _table, known_policies, parse_instant
from iso10002.clock import FixedClock
from iso10002.model.events import Event, SlaAlertRaised
from iso10002.model.values import ComplaintId
from iso10002.ports.store import MAX_PAGE_SIZE, ComplaintQuery, EventStore, iter_summaries
from iso10002.serialization import pretty_json

__all__ = ["register"]

_UTC = _dt.timezone.utc
DEFAULT_LIMIT = 1000


def _utc(value: _dt.datetime) -> str:
    return value.astimezone(_UTC).strftime("%Y-%m-%d %H:%M")


def _last_event_at(store: EventStore) -> _dt.datetime | None:
    """When the store's latest event happened: the latest ``updated_at`` of its complaints."""
    return max((s.updated_at for s in iter_summaries(store, ComplaintQuery())), default=None)


class Raised(NamedTuple):
    """One alert the tick raised, with its complaint's reference."""

    reference: str
    alert: SlaAlertRaised
    raised_at: _dt.datetime


def _raised(store: EventStore, events: list[Event]) -> list[Raised]:
    references: dict[ComplaintId, str] = {}
    found = []
    for event in events:
        assert isinstance(event.payload, SlaAlertRaised)
        if event.complaint_id not in references:
            summary = store.summary(event.complaint_id)
            references[event.complaint_id] = summary.reference if summary else "?"
        found.append(Raised(references[event.complaint_id], event.payload, event.occurred_at))
    return found


def render(raised: list[Raised], as_of: _dt.datetime, limit: int) -> str:
    """The alerts a tick raised, as a table."""
    if not raised:
        return f"No alert fell due as of {_utc(as_of)} UTC."
    noun = "alert" if len(raised) == 1 else "alerts"
    lines = [f"{len(raised)} {noun} raised as of {_utc(as_of)} UTC", ""]
    rows = [
        (
            r.reference,
            r.alert.metric,
            r.alert.level.value,
            f"{r.alert.percent}%",
            _utc(r.alert.due_at),
        )
        for r in raised
    ]
    lines += _table(["REFERENCE", "METRIC", "LEVEL", "USED", "DUE (UTC)"], rows)
    if len({r.reference for r in raised}) >= limit:
        lines += ["", f"The tick stopped at --limit {limit} complaints: run it again for the rest."]
    return "\n".join(lines)


def _as_json(raised: list[Raised], as_of: _dt.datetime) -> str:
    data = {
        "as_of": as_of.astimezone(_UTC).isoformat(),
        "raised": [
            {
                "reference": r.reference,
                "metric": r.alert.metric,
                "cycle": r.alert.cycle,
                "level": r.alert.level.value,
                "percent": r.alert.percent,
                "due_at": r.alert.due_at.astimezone(_UTC).isoformat(),
                "raised_at": r.raised_at.astimezone(_UTC).isoformat(),
            }
            for r in raised
        ],
    }
    return pretty_json(data)


def _run_tick(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_desk, _usage

    if not 1 <= args.limit <= MAX_PAGE_SIZE:
        raise _usage(f"--limit: must be from 1 to {MAX_PAGE_SIZE}, got {args.limit}")
    as_of = parse_instant("--as-of", args.as_of, "UTC") if args.as_of else None
    clock = None if as_of is None else FixedClock(as_of)
    with _existing_desk(args.db, sla=known_policies(), clock=clock) as desk:
        if as_of is not None:
            last = _last_event_at(desk.store)
            if last is not None and as_of < last:
                raise _usage(
                    f"--as-of: {_utc(as_of)} UTC is before the last event recorded "
                    f"({_utc(last)} UTC); the alerts are recorded at the tick's time, which "
                    "must not go back"
                )
        when = desk.clock.now()
        raised = _raised(desk.store, desk.tick(limit=args.limit))
    print(_as_json(raised, when) if args.format == "json" else render(raised, when, args.limit))
    return 0


def register(
    add: Callable[..., argparse.ArgumentParser],
    *,
    database: argparse.ArgumentParser,
    text_or_json: argparse.ArgumentParser,
) -> None:
    """Add the ``tick`` command with ``add(name, run, help, *parents)`` of the app."""
    tick = add(
        "tick",
        _run_tick,
        "Raise the warning and breach alerts that fell due (the scheduled tick), once each.",
        database,
        text_or_json,
    )
    tick.epilog = (
        "Run it from cron or a scheduler as often as you like: an alert already raised is not "
        "raised again, even by two ticks at once."
    )
    tick.add_argument(
        "--as-of",
        metavar="INSTANT",
        help="tick as if it were this instant (ISO 8601; plain dates and times are UTC; "
        "default: now); not before the last event recorded",
    )
    tick.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"complaints to handle, earliest deadline first (default: {DEFAULT_LIMIT})",
    )
