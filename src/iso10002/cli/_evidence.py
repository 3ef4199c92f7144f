"""
The ``iso10002 evidence`` command: the evidence pack of an audit, a zip file with the audit
report, the management review pack, the recorded configurations, the verify result and the
sample's histories, listed with their hashes in a manifest (``docs/audit.md``); and
``evidence verify PACK``, which checks one.

It takes the audit's options (period, ``--as-of``, ``--auditor``, ...) as ``iso10002 audit``
does, and runs the same audit.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from iso10002.audit.evidence import build_evidence_pack, verify_evidence_pack
from iso10002.cli._audit import (
    audit_options,
    read_actions,
    run_audit_of,
    signing_key,
    signing_options,
)
from iso10002.errors import ValidationError

__all__ = ["DEFAULT_OUT", "register"]

DEFAULT_OUT = "evidence.zip"
"""The pack written without ``--out``, in the current directory."""


def _usage(message: str) -> Exception:
    # Imported late: the app imports this module.
    from iso10002.cli._app import _usage as usage

    return usage(message)


def _verify(args: argparse.Namespace) -> int:
    from iso10002.cli._app import EXIT_FAILURE

    if args.file is None:
        raise _usage("evidence verify: give the pack to check")
    key = signing_key(args, checking=True)
    check = verify_evidence_pack(args.file, key=key)
    if not check.ok:
        for problem in check.problems:
            print(f"{args.file}: FAILED: {problem}")
        return EXIT_FAILURE
    signed = "" if check.signed is None else "; signature verified"
    print(f"{args.file}: OK: {check.files} files intact; chain head {check.chain_head}{signed}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from iso10002.cli._app import _existing_desk

    if args.file is not None:
        raise _usage(f"unexpected argument {args.file!r} (did you mean 'evidence verify FILE'?)")
    out = args.out if args.out is not None else DEFAULT_OUT
    if args.public_key is not None:
        raise _usage("--public-key: checks a signature; sign with --key-file")
    key = signing_key(args)
    actions = read_actions(args) if args.actions is not None else None
    with _existing_desk(args.db) as desk:
        report = run_audit_of(args, desk.store, actions)
        try:
            pack = build_evidence_pack(
                desk.store,
                report,
                out,
                actions=actions or (),
                with_personal_data=args.with_personal_data,
                key=key,
            )
        except ValidationError as e:
            if e.field != "out":
                raise
            raise _usage(f"--out: {e.reason}") from e
    masked = "with personal data" if args.with_personal_data else "personal data masked"
    print(f"evidence pack written to {Path(out)}: {len(pack.members)} files, {masked}")
    return 0


def _run_evidence(args: argparse.Namespace) -> int:
    return _verify(args) if args.check is not None else _build(args)


def register(
    add: Callable[..., argparse.ArgumentParser], *, database: argparse.ArgumentParser
) -> None:
    """Add the ``evidence`` command with ``add(name, run, help, *parents)``."""
    cmd = add(
        "evidence",
        _run_evidence,
        "Write an audit's evidence pack (a zip with a manifest of hashes), or verify one.",
        database,
        audit_options(f"the zip file to write (default: {DEFAULT_OUT})"),
        signing_options(),
    )
    cmd.add_argument(
        "--actions",
        metavar="FILE",
        help="the improvement actions for the review pack, a JSON array (default: none)",
    )
    cmd.add_argument(
        "--with-personal-data",
        action="store_true",
        help="keep personal values in the sample's histories (default: masked)",
    )
    cmd.add_argument(
        "check",
        nargs="?",
        choices=("verify",),
        help="'verify PACK': check that every file the manifest lists is there with its hash, "
        "and nothing else; with --key-file or --public-key, the manifest's signature too",
    )
    cmd.add_argument("file", nargs="?", metavar="PACK", help="the evidence pack to verify")
    cmd.epilog = (
        "Exit 0 when the pack verifies; 1 naming each file that does not. The same database, "
        "period, --as-of and --seed give the same findings and sample."
    )
