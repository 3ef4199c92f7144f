"""
The ``iso10002 conformance`` command: check a workflow file (or the standard workflow) against
the conformance rules, and show each violation with its counterexample path.

Exit codes: 0 the workflow conforms; 1 it does not (the violations are printed on stdout);
2 the file cannot be read or does not define a workflow.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from typing import Any

from iso10002.errors import DefinitionError, SerializationError
from iso10002.process.conformance import RULES, ConformanceReport, check_conformance
from iso10002.process.standard import standard_workflow
from iso10002.process.workflow import Workflow
from iso10002.process.workflow_file import read_workflow_file
from iso10002.serialization import pretty_json

__all__ = ["register", "render_text", "report_json"]

_WIDTH = 100
_CLAUSES = {rule.id: rule.clause for rule in RULES}


def _bad_input(message: str) -> Exception:
    from iso10002.cli._app import EXIT_USAGE, CliError

    return CliError(message, code=EXIT_USAGE)


def _workflow(args: argparse.Namespace) -> Workflow:
    if args.standard:
        return standard_workflow()
    file: str = args.workflow_file
    try:
        return read_workflow_file(file)
    except (SerializationError, DefinitionError) as e:
        raise _bad_input(f"{file}: {e}") from e
    except OSError as e:
        raise _bad_input(f"{file}: {e.strerror or e}") from e


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def render_text(report: ConformanceReport) -> str:
    """The report as the text the command prints."""
    verdict = "conforms" if report.ok else "does not conform"
    count = _plural(len(report.violations), "violation")
    rules = _plural(len(report.rules_checked), "rule")
    lines = [f"Workflow {report.workflow!r} {verdict}: {count} of {rules} checked.", ""]
    width = max(len(r) for r in report.rules_checked) if report.rules_checked else 0
    for rule in report.rules_checked:
        found = len(report.for_rule(rule))
        result = _plural(found, "violation") if found else "ok"
        lines.append(f"  {rule:<{width}}  {_CLAUSES[rule]:<4}  {result}")
    for n, v in enumerate(report.violations, start=1):
        lines.append("")
        lines.extend(
            textwrap.wrap(
                f"{n}. {v.rule} ({_CLAUSES[v.rule]}): {v.message}",
                width=_WIDTH,
                subsequent_indent="   ",
            )
        )
        if v.transition:
            lines.append(f"   transition:     {v.transition}")
        lines.append(f"   counterexample: {v.path_text}")
    return "\n".join(lines)


def report_json(report: ConformanceReport) -> dict[str, Any]:
    """The report as the JSON the command prints with ``--format json``."""
    return {
        "workflow": report.workflow,
        "ok": report.ok,
        "rules_checked": list(report.rules_checked),
        "violations": [
            {
                "rule": v.rule,
                "clause": _CLAUSES[v.rule],
                "message": v.message,
                "transition": v.transition,
                "path": list(v.path),
            }
            for v in report.violations
        ],
    }


def _run_conformance(args: argparse.Namespace) -> int:
    report = check_conformance(_workflow(args))
    if args.format == "json":
        print(pretty_json(report_json(report)))
    else:
        print(render_text(report))
    return 0 if report.ok else 1


def register(
    add: Callable[..., argparse.ArgumentParser], *, text_or_json: argparse.ArgumentParser
) -> None:
    """Add the ``conformance`` command with ``add(name, run, help, *parents)`` of the app."""
    command = add(
        "conformance",
        _run_conformance,
        "Check a workflow definition against ISO 10002 clause 7, with counterexamples.",
        text_or_json,
    )
    command.epilog = (
        "WORKFLOW_FILE is a .json or .toml workflow definition. Exit status: 0 the workflow "
        "conforms, 1 it does not (each violation is listed with its rule, its message and the "
        "shortest command path that shows it), 2 the file cannot be read or is not a workflow."
    )
    which = command.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "workflow_file", nargs="?", metavar="WORKFLOW_FILE", help="the workflow file to check"
    )
    which.add_argument(
        "--standard", action="store_true", help="check the built-in standard workflow"
    )
