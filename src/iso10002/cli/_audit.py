"""
The ``iso10002 audit`` and ``iso10002 review`` commands: an audit of a database's complaints
(ISO 10002 8.5) as JSON, Markdown or HTML, and the management review pack (8.6) with the
improvement actions (8.7) read from a file.

The period: ``--from`` is the first day audited and ``--to`` the last (both UTC, inclusive, as
in ``list``). Without them the period runs from the day of the earliest complaint received in
the database to the day of the latest, inclusive. Timeliness is judged with every policy the
database's complaints may have been evaluated with (each preset's and the demo's).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections.abc import Callable
from pathlib import Path

from iso10002 import serialization
from iso10002.audit.digest import sign_report, verify_report
from iso10002.audit.findings import Attestation, AuditReport
from iso10002.audit.reports import report_to_html, report_to_json, report_to_markdown
from iso10002.audit.review import (
    ImprovementAction,
    ReviewPack,
    actions_from_json,
    build_review_pack,
    review_to_html,
    review_to_json,
    review_to_markdown,
)
from iso10002.audit.run import run_audit
from iso10002.audit.signing import SigningKey, read_key
from iso10002.clock import SystemClock
from iso10002.errors import Iso10002Error, SerializationError, ValidationError
from iso10002.ports.store import ComplaintQuery, EventStore
from iso10002.process.workflow import Workflow
from iso10002.process.workflow_file import read_workflow_file
from iso10002.programme import Programme, load_programme

__all__ = ["register"]


# -- errors and dates, shared with the app (imported late: the app imports this module) --------


def _usage(message: str) -> Exception:
    from iso10002.cli._app import _usage as usage

    return usage(message)


def _date(option: str, value: str) -> _dt.date:
    from iso10002.cli._app import _date as date

    return date(option, value)


# -- reading the inputs -------------------------------------------------------------------------


def _read_text(option: str, path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise _usage(f"{option}: no file at {path}")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise _usage(f"{option}: {path} is not UTF-8 text ({e.reason})") from e


def _programme(args: argparse.Namespace) -> Programme | None:
    if args.config is None:
        return None
    if not Path(args.config).is_file():
        raise _usage(f"--config: no file at {args.config}")
    try:
        return load_programme(args.config)
    except Iso10002Error as e:  # the message names the file and the bad field's path
        raise _usage(f"--config: {e}") from e


def _workflow(args: argparse.Namespace) -> Workflow | None:
    if args.workflow is None:
        return None
    if not Path(args.workflow).is_file():
        raise _usage(f"--workflow: no file at {args.workflow}")
    try:
        return read_workflow_file(args.workflow)
    except (Iso10002Error, OSError) as e:
        raise _usage(f"--workflow: {args.workflow}: {e}") from e


def _attestations(args: argparse.Namespace) -> tuple[Attestation, ...]:
    if args.attestations is None:
        return ()
    text = _read_text("--attestations", args.attestations)
    try:
        data = serialization.parse_json(text)
    except SerializationError as e:  # "$: not valid JSON: ..."
        raise _usage(f"--attestations: {args.attestations}: {e}") from e
    if not isinstance(data, list):
        raise _usage(f"--attestations: {args.attestations}: $: expected a JSON array")
    try:
        return tuple(
            serialization.structure(item, Attestation, path=f"$[{i}]")
            for i, item in enumerate(data)
        )
    except SerializationError as e:
        raise _usage(f"--attestations: {args.attestations}: {e}") from e


def _default_period(store: EventStore) -> tuple[_dt.date, _dt.date]:
    """The days of the earliest and of the latest complaint received (UTC)."""
    newest = store.query(ComplaintQuery(limit=1))
    if not newest.items:
        raise _usage("the database holds no complaint; give the period with --from and --to")
    oldest = store.query(ComplaintQuery(limit=1, offset=newest.total - 1))
    first = oldest.items[0].received_at.astimezone(_dt.timezone.utc).date()
    last = newest.items[0].received_at.astimezone(_dt.timezone.utc).date()
    return first, last


# A report compares its period with the one before it, and its trend buckets (quarters at the
# longest) begin in any time zone: both periods, with this margin, must be inside the calendar.
_MARGIN = _dt.timedelta(days=100)


def _period(args: argparse.Namespace, store: EventStore) -> tuple[_dt.date, _dt.date]:
    start = _date("--from", args.date_from) if args.date_from else None
    last = _date("--to", args.date_to) if args.date_to else None
    if start and last and start > last:
        raise _usage(f"--from {start} is after --to {last}")
    if start is None or last is None:
        first, latest = _default_period(store)
        start, last = start or first, last or latest
        if last < start:
            raise _usage(f"the period from {start} to {last} is empty")
    try:
        end = last + _dt.timedelta(days=1)  # --to is the last day; the period's end is not
        (start - (end - start) - _MARGIN, end + _MARGIN)
    except OverflowError:
        raise _usage(
            f"the period from {start} to {last} is out of range: with the period before it, "
            "of the same length, it must lie inside years 1 to 9999 with a margin of "
            f"{_MARGIN.days} days (give it with --from and --to)"
        ) from None
    return start, end


def _now(args: argparse.Namespace) -> _dt.datetime:
    from iso10002.cli._sla import parse_instant

    if args.as_of is None:
        return SystemClock().now()
    return parse_instant("--as-of", args.as_of, "UTC")


def _signed_off_at(args: argparse.Namespace) -> _dt.datetime | None:
    from iso10002.cli._sla import parse_instant

    if args.signed_off_at is not None:
        if args.signed_off_by is None:
            raise _usage("--signed-off-at: give who signs off with --signed-off-by")
        return parse_instant("--signed-off-at", args.signed_off_at, "UTC")
    # The sign-off is given when the command runs, whatever instant the audit is taken at.
    return SystemClock().now() if args.signed_off_by is not None else None


def signing_key(args: argparse.Namespace, *, checking: bool = False) -> SigningKey | None:
    """
    The key of ``--key-file`` (an HMAC secret or an Ed25519 private key) or, when
    ``checking``, of ``--public-key`` (an Ed25519 public key); None if neither is given.
    """
    public = getattr(args, "public_key", None)
    if args.key_file is not None and public is not None:
        raise _usage("--public-key: give either --key-file or --public-key, not both")
    option, path = ("--public-key", public) if public is not None else ("--key-file", args.key_file)
    if path is None:
        return None
    if public is not None and not checking:
        raise _usage("--public-key: checks a signature; sign with --key-file")
    try:
        return read_key(path, public=public is not None)
    except ValidationError as e:
        raise _usage(f"{option}: {e.reason}") from e


def run_audit_of(
    args: argparse.Namespace,
    store: EventStore,
    actions: tuple[ImprovementAction, ...] | None = None,
) -> AuditReport:
    """The audit of ``store`` that the options of :func:`audit_options` ask for."""
    from iso10002.cli._app import organisation_option
    from iso10002.cli._sla import known_policies

    if args.sample < 0:
        raise _usage(f"--sample: must not be negative, got {args.sample}")
    organisation = organisation_option(args.organisation)
    programme = _programme(args)
    attestations = _attestations(args)
    period_from, period_to = _period(args, store)
    try:
        return run_audit(
            store,
            period_from=period_from,
            period_to=period_to,
            programme=programme,
            sla=known_policies(),
            attestations=attestations,
            sample_size=args.sample,
            seed=args.seed,
            now=_now(args),
            actions=actions,
            workflow=_workflow(args),
            auditor=args.auditor,
            signed_off_by=args.signed_off_by,
            signed_off_at=_signed_off_at(args),
            organisation=organisation,
        )
    except ValidationError as e:
        if not e.field.startswith("attestations"):
            raise
        # An attestation of an unknown or automatic criterion: the file is at fault.
        raise _usage(f"--attestations: {args.attestations}: {e}") from e


def _write(args: argparse.Namespace, text: str, what: str) -> None:
    if args.out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    out = Path(args.out)
    if out.is_dir():
        raise _usage(f"--out: {args.out} is a directory")
    if not out.parent.is_dir():
        raise _usage(f"--out: directory {out.parent} does not exist")
    out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    print(f"{what} written to {args.out}")


def _verify_report_file(args: argparse.Namespace) -> int:
    from iso10002.cli._app import EXIT_FAILURE

    if args.file is None:
        raise _usage("audit verify: give the JSON report to check")
    path = Path(args.file)
    if not path.is_file():
        raise _usage(f"audit verify: no file at {args.file}")
    check = verify_report(path.read_bytes(), key=signing_key(args, checking=True))
    print(f"{args.file}: {'intact' if check.ok else 'NOT intact'}: {check.reason}")
    return 0 if check.ok else EXIT_FAILURE


def _run_audit(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_desk

    if args.check is not None:
        return _verify_report_file(args)
    if args.file is not None:
        raise _usage(f"unexpected argument {args.file!r} (did you mean 'audit verify FILE'?)")
    key = signing_key(args)
    if key is not None and args.format != "json":
        raise _usage("--key-file: signs the JSON report; add --format json")
    with _existing_desk(args.db) as desk:
        report = run_audit_of(args, desk.store)
    renderers: dict[str, Callable[[AuditReport], str]] = {
        "json": report_to_json,
        "md": report_to_markdown,
        "html": report_to_html,
    }
    text = renderers[args.format](report)
    _write(args, text if key is None else sign_report(text, key), "audit report")
    return 0


def read_actions(args: argparse.Namespace) -> tuple[ImprovementAction, ...]:
    """The improvement actions of ``--actions``."""
    text = _read_text("--actions", args.actions)
    try:
        return actions_from_json(text)
    except Iso10002Error as e:
        raise _usage(f"--actions: {args.actions}: {e}") from e


def _run_review(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_desk

    with _existing_desk(args.db) as desk:
        actions = read_actions(args)
        # With the actions, the audit also checks that each nonconformity has one (8.7).
        report = run_audit_of(args, desk.store, actions)
        on = report.generated_at.astimezone(_dt.timezone.utc).date()
        pack = build_review_pack(desk.store, report, actions, on=on, organisation=args.organisation)
    renderers: dict[str, Callable[[ReviewPack], str]] = {
        "json": review_to_json,
        "md": review_to_markdown,
        "html": review_to_html,
    }
    _write(args, renderers[args.format](pack), "management review pack")
    return 0


# -- the parser ---------------------------------------------------------------------------------


def signing_options() -> argparse.ArgumentParser:
    """``--key-file`` and ``--public-key``: the key that signs, or checks a signature."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--key-file",
        metavar="FILE",
        help="sign with this key (an HMAC secret, or an Ed25519 private key in PEM); with "
        "verify, check the signature with it",
    )
    options.add_argument(
        "--public-key",
        metavar="FILE",
        help="with verify: check the signature with this Ed25519 public key (PEM)",
    )
    return options


def audit_options(
    out_help: str = "write to FILE instead of stdout",
) -> argparse.ArgumentParser:
    """The options of the period, inputs and people of an audit, shared by its commands."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        help="first day of the period (YYYY-MM-DD, UTC; default: the day of the earliest "
        "complaint received)",
    )
    options.add_argument(
        "--to",
        dest="date_to",
        metavar="DATE",
        help="last day of the period, included (YYYY-MM-DD, UTC; default: the day of the "
        "latest complaint received)",
    )
    options.add_argument(
        "--config",
        metavar="FILE",
        help="the programme configuration (.json or .toml); without it, the programme "
        "recorded with the period's latest complaint, if a desk recorded one, else the "
        "configuration criteria are not applicable",
    )
    options.add_argument(
        "--workflow",
        metavar="FILE",
        help="the workflow for complaints that recorded none, from databases written before "
        "workflows were recorded (.json or .toml; default: the standard workflow), checked "
        "too; a complaint that names a recorded workflow is judged by that one",
    )
    options.add_argument(
        "--attestations", metavar="FILE", help="a JSON array of attestations to record"
    )
    options.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of the sample (default: 0)"
    )
    options.add_argument(
        "--sample",
        type=int,
        default=10,
        metavar="N",
        help="complaints to draw for manual review (default: 10)",
    )
    options.add_argument(
        "--as-of",
        metavar="INSTANT",
        help="take the audit as of this instant (ISO 8601; plain dates and times are UTC; "
        "default: now); deadlines not passed by then are not failures",
    )
    options.add_argument("--auditor", metavar="NAME", help="who takes the audit, for the report")
    options.add_argument(
        "--signed-off-by", metavar="NAME", help="who signs the report off, for the report"
    )
    options.add_argument(
        "--signed-off-at",
        metavar="INSTANT",
        help="when it was signed off (ISO 8601; default: now, with --signed-off-by)",
    )
    options.add_argument("--out", metavar="FILE", help=out_help)
    options.add_argument(
        "--organisation", metavar="ID", help="audit only this organisation's complaints (tenant)"
    )
    return options


def register(
    add: Callable[..., argparse.ArgumentParser], *, database: argparse.ArgumentParser
) -> None:
    """Add the ``audit`` and ``review`` commands with ``add(name, run, help, *parents)``."""
    options = audit_options()
    audit = add(
        "audit",
        _run_audit,
        "Audit the complaints received in a period against the ISO 10002 criteria.",
        database,
        options,
        signing_options(),
    )
    audit.add_argument(
        "--format",
        choices=("json", "md", "html"),
        default="md",
        help="JSON (stable layout), Markdown, or a printable HTML page (default: md)",
    )
    audit.add_argument(
        "check",
        nargs="?",
        choices=("verify",),
        help="'verify FILE': check that a JSON audit report is intact (its digest matches "
        "every byte of it) and, with --key-file or --public-key, signed with that key",
    )
    audit.add_argument("file", nargs="?", metavar="FILE", help="the JSON report to verify")
    audit.epilog = (
        "The same database, period, --as-of and --seed give the same findings and sample."
    )
    review = add(
        "review",
        _run_review,
        "Build the management review pack: audit findings, figures and improvement actions.",
        database,
        options,
    )
    review.add_argument(
        "--actions",
        required=True,
        metavar="FILE",
        help="the improvement actions, a JSON array (see the audit guide)",
    )
    review.add_argument(
        "--format",
        choices=("json", "md", "html"),
        default="md",
        help="JSON, Markdown or a printable HTML page (default: md)",
    )
