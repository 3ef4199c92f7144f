"""
The ``iso10002 report`` command: the KPIs of a period (ISO 10002 8.2 to 8.4) as JSON,
Markdown or a self-contained HTML page with charts.

The period: ``--from`` is the first day and ``--to`` the last, both included, as in ``audit``;
days begin at midnight in ``--zone``. Without them the period runs from the day of the
earliest complaint received in the database to the day of the latest.
"""

from __future__ import annotations

import argparse
import datetime as _dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from iso10002.monitoring.buckets import AUTO, BUCKETS
from iso10002.monitoring.kpis import compute_kpis
from iso10002.monitoring.render import report_to_html, report_to_json, report_to_markdown
from iso10002.monitoring.report import KpiReport

__all__ = ["register"]


def _midnight(day: _dt.date, zone: ZoneInfo) -> _dt.datetime:
    return _dt.datetime.combine(day, _dt.time(0), tzinfo=zone).astimezone(_dt.timezone.utc)


def _zone(name: str) -> ZoneInfo:
    from iso10002.cli._app import _usage

    try:
        return ZoneInfo(name)
    except Exception as e:  # ZoneInfoNotFoundError, or ValueError for a malformed key
        raise _usage(f"--zone: {name!r} is not an IANA time zone") from e


def _run_report(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_desk, _usage, organisation_option
    from iso10002.cli._audit import _period, _write

    if args.customers is not None and args.customers < 1:
        raise _usage(f"--customers: must be a positive number, got {args.customers}")
    zone = _zone(args.zone)
    organisation = organisation_option(args.organisation)
    with _existing_desk(args.db) as desk:
        first, end = _period(args, desk.store)
        report = compute_kpis(
            desk.store,
            start=_midnight(first, zone),
            end=_midnight(end, zone),
            zone=args.zone,
            bucket=args.bucket,
            customers=args.customers,
            recurring_threshold=args.recurring,
            organisation=organisation,
        )
    renderers: dict[str, Callable[[KpiReport], str]] = {
        "json": report_to_json,
        "md": report_to_markdown,
        "html": report_to_html,
    }
    _write(args, renderers[args.format](report), "KPI report")
    return 0


def register(
    add: Callable[..., argparse.ArgumentParser], *, database: argparse.ArgumentParser
) -> None:
    """Add the ``report`` command with ``add(name, run, help, *parents)``."""
    report = add(
        "report",
        _run_report,
        "Report the KPIs of a period: volumes, timeliness, outcomes, root causes, trends.",
        database,
    )
    report.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        help="first day of the period (YYYY-MM-DD; default: the day of the earliest "
        "complaint received)",
    )
    report.add_argument(
        "--to",
        dest="date_to",
        metavar="DATE",
        help="last day of the period, included (YYYY-MM-DD; default: the day of the latest "
        "complaint received)",
    )
    report.add_argument(
        "--format",
        choices=("json", "md", "html"),
        default="md",
        help="JSON (stable layout), Markdown, or an HTML page with charts (default: md)",
    )
    report.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    report.add_argument(
        "--organisation", metavar="ID", help="count only this organisation's complaints (tenant)"
    )
    report.add_argument(
        "--bucket",
        choices=(AUTO, *BUCKETS),
        default=AUTO,
        help="the trend's bucket (default: auto: days up to 14 days, weeks up to 120, months "
        "up to 3 years, then quarters)",
    )
    report.add_argument(
        "--zone",
        default="UTC",
        metavar="ZONE",
        help="IANA time zone in which days, weeks and months begin (default: UTC)",
    )
    report.add_argument(
        "--customers",
        type=int,
        metavar="N",
        help="number of customers or accounts, for complaints per 1,000",
    )
    report.add_argument(
        "--recurring",
        type=int,
        default=3,
        metavar="N",
        help="complaints with one root cause that make it recurring (default: 3)",
    )
    report.epilog = (
        "The counting rules of every figure are listed at the end of the report and in the "
        "monitoring guide."
    )
