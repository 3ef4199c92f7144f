"""
The ``iso10002 sla`` commands: the regulator presets, the deadlines a preset gives for a clock
start, and where a stored complaint's timeliness metrics stand.

Times are shown in the preset's zone and in UTC. A day-counted deadline falls at the midnight
that ends its last day, shown in local time as ``24:00`` of that day.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from iso10002.cli._render import LABEL as _LABEL
from iso10002.cli._render import WIDTH as _WIDTH
from iso10002.errors import ValidationError
from iso10002.model.values import ExtensionKind
from iso10002.serialization import pretty_json
from iso10002.simulation import demo_sla_policy
from iso10002.sla.config import SlaConfig
from iso10002.sla.policy import DueAt, Metric, SlaPolicy, Target
from iso10002.sla.presets import DEFAULT_YEARS, Preset, preset, presets

if TYPE_CHECKING:
    from iso10002.sla.engine import MetricStatus, SlaReport
    from iso10002.sla.queue import QueueItem

__all__ = ["known_policies", "parse_instant", "register"]

_UTC = _dt.timezone.utc
_LAST_YEAR = 9997
"""The last year a business calendar counts in."""
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def known_policies() -> SlaConfig:
    """Every policy a database's complaints may have been evaluated with: each preset (its
    default subdivision) and the demo's."""
    policies = [p.policy() for p in presets().values()]
    policies.append(demo_sla_policy())
    return SlaConfig(policies=policies)


# -- errors, shared with the app (imported late: the app imports this module) -----------------


def _usage(message: str) -> Exception:
    from iso10002.cli._app import _usage as usage

    return usage(message)


def _failure(message: str) -> Exception:
    from iso10002.cli._app import CliError

    return CliError(message)


# -- reading the command line -------------------------------------------------------------------

_PLAIN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$")
_WITH_OFFSET = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"
)


# Commands add deadlines, periods and time-zone offsets to the instants they are given: a year
# inside each end of Python's calendar keeps every such sum a date.
FIRST_INSTANT = _dt.datetime(2, 1, 1, tzinfo=_dt.timezone.utc)
LAST_INSTANT = _dt.datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=_dt.timezone.utc)


_MAX_WITHIN = 366
"""A year, the margin the command line keeps inside the calendar after an instant it is given."""


def parse_instant(option: str, value: str, zone: str) -> _dt.datetime:
    """
    An instant from the command line: ISO 8601 with an offset (``Z`` for UTC), or a plain date
    or date and time read in ``zone`` (a plain date is its local midnight).
    """
    text = value.strip()
    instant: _dt.datetime | None = None
    try:
        if _WITH_OFFSET.match(text):
            text = text[:-1] + "+00:00" if text.endswith("Z") else text
            if re.search(r"[+-]\d{4}$", text):  # +0100 -> +01:00 for Python 3.10
                text = text[:-2] + ":" + text[-2:]
            instant = _dt.datetime.fromisoformat(text.replace(" ", "T"))
        elif _PLAIN_DATE.match(text):
            day = _dt.date.fromisoformat(text)
            instant = _dt.datetime.combine(day, _dt.time(0), ZoneInfo(zone))
        elif _PLAIN_DATETIME.match(text):
            naive = _dt.datetime.fromisoformat(text.replace(" ", "T"))
            instant = naive.replace(tzinfo=ZoneInfo(zone))
    except ValueError:
        pass
    if instant is None:
        raise _usage(
            f"{option}: {value!r} is not an instant (expected ISO 8601, e.g. "
            "2026-12-23T16:00+00:00, or a plain date or date and time)"
        )
    try:
        in_range = FIRST_INSTANT <= instant.astimezone(_dt.timezone.utc) <= LAST_INSTANT
    except OverflowError:  # the offset takes it past the ends of the calendar
        in_range = False
    if not in_range:
        raise _usage(
            f"{option}: {value!r} is out of range (the command line takes instants from "
            f"{FIRST_INSTANT:%Y-%m-%d} to {LAST_INSTANT:%Y-%m-%d}, UTC)"
        )
    return instant


def _preset(name: str) -> Preset:
    try:
        return preset(name)
    except ValidationError as e:
        raise _usage(f"--preset: {e.reason}") from e


# -- formatting ----------------------------------------------------------------------------------


def _field(label: str, value: str) -> str:
    return textwrap.fill(
        value,
        width=_WIDTH,
        initial_indent=f"{label:<{_LABEL}}",
        subsequent_indent=" " * _LABEL,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    body = [list(r) for r in rows]
    widths = [max(len(r[i]) for r in (list(headers), *body)) for i in range(len(headers))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=False)) + "  " + row[-1]
        for row in (list(headers), *body)
    ]


def _utc(value: _dt.datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(_UTC).strftime("%Y-%m-%d %H:%M")


def _local(value: _dt.datetime, zone: str, *, end_of_day: bool) -> str:
    """``Wed 2026-12-30 17:00 GMT``; a midnight that ends a day is ``24:00`` of that day."""
    local = value.astimezone(ZoneInfo(zone))
    if end_of_day and local.time() == _dt.time(0):
        day = local - _dt.timedelta(days=1)
        return f"{_WEEKDAYS[day.weekday()]} {day:%Y-%m-%d} 24:00 {local:%Z}"
    return f"{_WEEKDAYS[local.weekday()]} {local:%Y-%m-%d %H:%M %Z}"


def _iso(value: _dt.datetime | None, zone: str | None = None) -> str | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone) if zone else _UTC).isoformat()


def _words(value: str) -> str:
    return value.replace("_", " ")


def describe_target(target: Target) -> str:
    """``3 business days after the start day, due at close of business`` and the like."""
    text = target.describe()
    if not target.unit.is_days:
        return text
    text += ", counting the start day" if target.count_start_day else " after the start day"
    if target.due_at is DueAt.CLOSE_OF_BUSINESS:
        text += ", due at close of business"
    else:
        text += ", due at end of day"
    if target.cutoff is not None:
        text += f", cut-off {target.cutoff:%H:%M}"
    return text


def _extensions(metric: Metric) -> str:
    parts = []
    for kind in metric.extensions:
        target = metric.extended_target
        if kind is ExtensionKind.AGREED:
            parts.append("agreed (to a date)")
        elif target is not None and target != metric.target:
            parts.append(f"{_words(kind.value)} (to {target.describe()})")
        else:
            parts.append(f"{_words(kind.value)} (meets the deadline)")
    return "; ".join(parts)


def _metric_line(metric: Metric) -> str:
    line = f"{metric.name}: {describe_target(metric.target)}"
    if metric.recurring:
        line += ", recurring"
    extensions = _extensions(metric)
    if extensions:
        line += f"; extensions: {extensions}"
    return line


def _calendar_line(p: Preset) -> str:
    days = ", ".join(_WEEKDAYS[d] for d in p.days)
    if len(p.days) > 2 and list(p.days) == list(range(p.days[0], p.days[-1] + 1)):
        days = f"{_WEEKDAYS[p.days[0]]}-{_WEEKDAYS[p.days[-1]]}"
    holidays = "no holidays"
    if p.holidays_country is not None:
        holidays = f"{p.holidays_country} holidays"
        if p.subdivisions:
            holidays += f" of {', '.join(p.subdivisions)} (default {p.subdivisions[0]})"
    return f"{p.zone}; {days} 09:00-17:00; {holidays}"


# -- sla presets ----------------------------------------------------------------------------------


def _preset_json(p: Preset) -> dict[str, Any]:
    return {
        "name": p.name,
        "title": p.title,
        "jurisdiction": p.jurisdiction,
        "clock_starts": p.clock_starts,
        "as_of": p.as_of.isoformat(),
        "zone": p.zone,
        "holidays_country": p.holidays_country,
        "subdivisions": list(p.subdivisions),
        "metrics": [
            {
                "name": m.name,
                "description": m.description,
                "target": _target_json(m.target),
                "recurring": m.recurring,
                "extended_target": _target_json(m.extended_target) if m.extended_target else None,
                "extensions": [k.value for k in m.extensions],
            }
            for m in p.metrics
        ],
        "cutoff_metrics": list(p.cutoff_metrics),
        "sources": list(p.sources),
        "notes": list(p.notes),
        "unconfirmed": list(p.unconfirmed),
    }


def _target_json(target: Target) -> dict[str, Any]:
    return {
        "amount": target.amount,
        "unit": target.unit.value,
        "count_start_day": target.count_start_day,
        "due_at": target.due_at.value,
        "cutoff": None if target.cutoff is None else target.cutoff.strftime("%H:%M"),
        "text": describe_target(target),
    }


def render_presets(items: Iterable[Preset]) -> str:
    """Each preset as a block: title, jurisdiction, clock start, metrics, as-of date, sources."""
    blocks = []
    for p in items:
        lines = [p.name, _field("  title", p.title), _field("  jurisdiction", p.jurisdiction)]
        lines.append(_field("  clock starts", p.clock_starts))
        lines.append(_field("  calendar", _calendar_line(p)))
        for i, m in enumerate(p.metrics):
            lines.append(_field("  metrics" if i == 0 else "", _metric_line(m)))
        lines.append(_field("  as of", p.as_of.isoformat()))
        for i, source in enumerate(p.sources):
            lines.append(_field("  sources" if i == 0 else "", source))
        for i, note in enumerate(p.unconfirmed):
            lines.append(_field("  unconfirmed" if i == 0 else "", note))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _run_presets(args: argparse.Namespace) -> int:
    items = list(presets().values())
    if args.format == "json":
        print(pretty_json([_preset_json(p) for p in items]))
    else:
        print(f"{len(items)} presets\n")
        print(render_presets(items))
    return 0


# -- sla deadlines -------------------------------------------------------------------------------


def _deadline_rows(
    policy: SlaPolicy, start: _dt.datetime
) -> list[tuple[Metric, Target, bool, _dt.datetime]]:
    rows = []
    for m in policy.metrics:
        rows.append((m, m.target, False, m.target.deadline(policy.calendar, start)))
        if m.extended_target is not None and m.extended_target != m.target:
            target = m.extended_target
            rows.append((m, target, True, target.deadline(policy.calendar, start)))
    return rows


def _end_of_day(target: Target) -> bool:
    return target.unit.is_days and target.due_at is DueAt.END_OF_DAY


def _run_deadlines(args: argparse.Namespace) -> int:
    p = _preset(args.preset)
    try:
        zone = p.default_zone(args.subdivision)
    except ValidationError as e:
        raise _usage(f"--subdivision: {e.reason}") from e
    start = parse_instant("--received", args.received, zone)
    local_year = start.astimezone(ZoneInfo(zone)).year
    # The holidays of the start's year and the next, where the deadlines fall.
    years = sorted({*DEFAULT_YEARS, *(y for y in (local_year, local_year + 1) if y <= _LAST_YEAR)})
    try:
        calendar = p.calendar(subdivision=args.subdivision, years=years)
        policy = p.policy(calendar=calendar)
        rows = _deadline_rows(policy, start)
    except (ValueError, OverflowError) as e:  # ValidationError, or a date past year 9999
        reason = e.reason if isinstance(e, ValidationError) else str(e)
        raise _usage(f"--received: {args.received!r} is out of range ({reason})") from e
    subdivision = args.subdivision or (p.subdivisions[0] if p.subdivisions else None)
    if args.format == "json":
        data = {
            "preset": p.name,
            "title": p.title,
            "clock_starts": p.clock_starts,
            "start": _iso(start, zone),
            "start_utc": _iso(start),
            "subdivision": subdivision,
            "zone": zone,
            "calendar": calendar.name,
            "calendar_version": calendar.version,
            "deadlines": [
                {
                    "metric": m.name,
                    "description": m.description,
                    "extended": extended,
                    "extension": [k.value for k in m.extensions] if extended else [],
                    "recurring": m.recurring,
                    "target": describe_target(target),
                    "due": _iso(due, zone),
                    "due_utc": _iso(due),
                }
                for m, target, extended, due in rows
            ],
        }
        print(pretty_json(data))
        return 0
    lines = [
        _field("Preset", f"{p.name}: {p.title}"),
        _field(
            "Clock starts",
            f"{_local(start, zone, end_of_day=False)} ({_utc(start)} UTC), {p.clock_starts}",
        ),
        "",
    ]
    table = []
    for m, target, extended, due in rows:
        name = m.name
        if extended:
            name += " (" + "/".join(_words(k.value) for k in m.extensions) + ")"
        elif m.recurring:
            name += " (first)"
        table.append(
            [name, target.describe(), _local(due, zone, end_of_day=_end_of_day(target)), _utc(due)]
        )
    lines += _table(["METRIC", "TARGET", f"DUE ({zone})", "DUE (UTC)"], table)
    agreed = [m.name for m in policy.metrics if ExtensionKind.AGREED in m.extensions]
    if agreed:
        lines += ["", f"An agreed extension moves {', '.join(agreed)} to the agreed date."]
    lines += ["", _field("Calendar", f"{calendar.name}, version {calendar.version}")]
    print("\n".join(lines))
    return 0


# -- sla status and queue ------------------------------------------------------------------------


def _duration(value: _dt.timedelta) -> str:
    # In hours, never days: business time used is counted in open hours, and "2d" of business
    # time would read as two calendar days.
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}"


def _as_of(args: argparse.Namespace) -> _dt.datetime | None:
    return None if args.as_of is None else parse_instant("--as-of", args.as_of, "UTC")


def _status_json(m: MetricStatus) -> dict[str, Any]:
    return {
        "metric": m.metric,
        "description": m.description,
        "status": m.status.value,
        "cycle": m.cycle,
        "target": None if m.target is None else describe_target(m.target),
        "extended": m.extended,
        "started_at": _iso(m.started_at),
        "stopped_at": _iso(m.stopped_at),
        "due_at": _iso(m.due_at),
        "warning_at": _iso(m.warning_at),
        "elapsed_seconds": m.elapsed.total_seconds(),
        "paused_seconds": m.paused.total_seconds(),
        "explanation": [
            {
                "start": _iso(i.start),
                "end": _iso(i.end),
                "counted": i.counted,
                "reason": i.reason,
            }
            for i in m.explanation
        ],
    }


def render_status(report: SlaReport) -> str:
    """A complaint's metrics: status, cycle, start, deadline, stop, time used, and why."""
    lines = [
        _field("Complaint", report.reference),
        _field("Policy", f"{report.policy}, version {report.version}"),
        _field("Calendar", f"{report.calendar}, version {report.calendar_version}"),
        _field("As of", f"{_utc(report.as_of)} UTC"),
        "",
    ]
    rows = [
        [
            m.metric,
            _words(m.status.value) + (" (extended)" if m.extended else ""),
            str(m.cycle),
            "-" if m.target is None else m.target.describe(),
            _utc(m.started_at),
            _utc(m.due_at),
            _utc(m.stopped_at),
            _duration(m.elapsed) + (f" (+{_duration(m.paused)} paused)" if m.paused else ""),
        ]
        for m in report.metrics
    ]
    headers = ["METRIC", "STATUS", "CYCLE", "TARGET", "STARTED (UTC)", "DUE (UTC)"]
    lines += _table([*headers, "STOPPED (UTC)", "USED"], rows)
    return "\n".join(lines)


def _run_status(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_desk

    as_of = _as_of(args)
    with _existing_desk(args.db, sla=known_policies()) as desk:
        report = desk.sla_status(args.reference, as_of=as_of)
    if report is None:
        raise _failure(f"complaint {args.reference} has no timeliness policy")
    if args.format == "json":
        data = {
            "reference": report.reference,
            "policy": report.policy,
            "version": report.version,
            "calendar": report.calendar,
            "calendar_version": report.calendar_version,
            "as_of": _iso(report.as_of),
            "metrics": [_status_json(m) for m in report.metrics],
        }
        print(pretty_json(data))
    else:
        print(render_status(report))
    return 0


def render_queue(items: Sequence[QueueItem], as_of: _dt.datetime) -> str:
    """The complaints that need attention, earliest deadline first."""
    if not items:
        return f"No complaint needs attention as of {_utc(as_of)} UTC."
    noun = "complaint needs" if len(items) == 1 else "complaints need"
    lines = [f"{len(items)} {noun} attention as of {_utc(as_of)} UTC", ""]
    rows = [
        [
            _words(i.bucket.value),
            _utc(i.due_at),
            i.summary.reference,
            i.summary.priority.value if i.summary.priority else "-",
            i.summary.assignee or "-",
            _words(i.summary.state),
        ]
        for i in items
    ]
    lines += _table(["BUCKET", "DUE (UTC)", "REFERENCE", "PRIORITY", "ASSIGNEE", "STATE"], rows)
    return "\n".join(lines)


def _run_queue(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_desk

    as_of = _as_of(args)
    if args.limit < 1:
        raise _usage(f"--limit: must be at least 1, got {args.limit}")
    if args.within is not None and args.within < 0:
        raise _usage(f"--within: must not be negative, got {args.within}")
    if args.within is not None and args.within > _MAX_WITHIN:
        raise _usage(f"--within: must be at most {_MAX_WITHIN:,} days")
    within = None if args.within is None else _dt.timedelta(days=args.within)
    with _existing_desk(args.db, sla=known_policies()) as desk:
        when = as_of if as_of is not None else desk.clock.now()
        items = desk.sla_queue(as_of=when, within=within, limit=args.limit)
    if args.format == "json":
        data = {
            "as_of": _iso(when),
            "items": [
                {
                    "reference": i.summary.reference,
                    "bucket": i.bucket.value,
                    "due_at": _iso(i.due_at),
                    "state": i.summary.state,
                    "priority": i.summary.priority.value if i.summary.priority else None,
                    "assignee": i.summary.assignee,
                }
                for i in items
            ],
        }
        print(pretty_json(data))
    else:
        print(render_queue(items, when))
    return 0


def _never(_args: argparse.Namespace) -> int:  # pragma: no cover - a subcommand is required
    raise AssertionError("argparse requires an sla command")


# -- the parser -----------------------------------------------------------------------------------


def register(
    add: Callable[..., argparse.ArgumentParser],
    *,
    database: argparse.ArgumentParser,
    text_or_json: argparse.ArgumentParser,
) -> None:
    """Add the ``sla`` command group with ``add(name, run, help, *parents)`` of the app."""
    sla = add("sla", _never, "Timeliness: regulator presets, deadlines, status and queue.")
    sla.epilog = "Run 'iso10002 sla COMMAND --help' for the options of a command."
    commands = sla.add_subparsers(title="commands", dest="sla_command", metavar="COMMAND")
    commands.required = True

    def sub(
        name: str,
        run: Callable[[argparse.Namespace], int],
        help_: str,
        *parents: argparse.ArgumentParser,
    ) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_, description=help_, parents=list(parents))
        parser.set_defaults(run=run)
        return parser

    sub("presets", _run_presets, "List the regulator presets with their time limits.", text_or_json)

    deadlines = sub(
        "deadlines",
        _run_deadlines,
        "Show every deadline a preset gives for a clock starting at an instant.",
        text_or_json,
    )
    deadlines.epilog = (
        "INSTANT is ISO 8601 with an offset (2026-12-23T16:00+00:00, or Z for UTC), or a plain "
        "date or date and time (2026-12-23, 2026-12-23T16:00) read in the preset's time zone. "
        "It is the moment the preset's clock starts: the receipt of the complaint for most, "
        "but for presets whose clock starts at another moment it is that moment (cfpb: the "
        "date the complaint was sent to the company)."
    )
    deadlines.add_argument("--preset", required=True, metavar="NAME", help="the preset's name")
    deadlines.add_argument(
        "--received", required=True, metavar="INSTANT", help="when the clock starts"
    )
    deadlines.add_argument(
        "--subdivision",
        metavar="CODE",
        help="the part of the country whose holidays count (e.g. ENG, WLS, SCT, NIR; "
        "default: the preset's first)",
    )

    as_of_help = (
        "evaluate as of this instant (ISO 8601; plain dates and times are UTC; default: now)"
    )
    status = sub(
        "status",
        _run_status,
        "Show where a complaint's timeliness metrics stand.",
        database,
        text_or_json,
    )
    status.add_argument("reference", metavar="REF", help="the complaint's reference")
    status.add_argument("--as-of", metavar="INSTANT", help=as_of_help)

    queue = sub(
        "queue",
        _run_queue,
        "List the open complaints whose deadlines are breached or at risk, earliest first.",
        database,
        text_or_json,
    )
    queue.add_argument("--as-of", metavar="INSTANT", help=as_of_help)
    queue.add_argument(
        "--within",
        type=int,
        metavar="DAYS",
        help="also list complaints due within this many days",
    )
    queue.add_argument(
        "--limit", type=int, default=100, metavar="N", help="complaints to list (default: 100)"
    )
