"""
The sample output in ``docs/cli.md`` is what the commands print on the default demo month.

Each ```` ```bash ```` block of ``iso10002`` commands followed by a ```` ```text ```` block is
run (in a directory holding the default demo's ``complaints.db``) and its stdout compared with
the text. A line ``...`` in the text ends the comparison of that block; complaint ids (random
UUIDs), the elapsed time and the database path are not compared.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import attrs
import pytest

from .support import run

PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
_SAMPLE = re.compile(r"```bash\n(?P<commands>[^`]*)```\n\n```text\n(?P<output>.*?)```\n", re.S)
# The head of the chain covers the demo's random complaint ids.
_VARIES = re.compile(r'^(Elapsed|Database) |^ *"id": |^intact: \d+ events')
# Samples that depend on more than the default month: rerunning the demo changes the database,
# and the error samples need files that are not there.
# The outbox samples run on a database of their own (tests/cli/test_outbox_cli.py).
_NOT_REPLAYED = (
    "--seed 7",
    "archive.db",
    "notes.txt",
    "CMP-2026-999999",
    "--priority sky",
    "outbox.db",
)


@attrs.frozen
class Sample:
    commands: tuple[tuple[str, ...], ...]
    output: str


def samples() -> list[Sample]:
    found = []
    for match in _SAMPLE.finditer(PAGE.read_text(encoding="utf-8")):
        lines = match["commands"].splitlines()
        if all(line.startswith("iso10002 ") for line in lines) and not any(
            marker in match["commands"] for marker in _NOT_REPLAYED
        ):
            commands = tuple(tuple(shlex.split(line)[1:]) for line in lines)
            found.append(Sample(commands=commands, output=match["output"]))
    return found


def comparable(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if line == "...":
            break
        lines.append("(varies)" if _VARIES.match(line) else line)
    return lines


def test_the_page_has_samples_of_every_command() -> None:
    # Guards the pattern above: a change of layout would otherwise compare nothing.
    run_commands = {c[0] for s in samples() for c in s.commands}
    assert run_commands == {
        "demo", "show", "history", "list", "workflow", "sla", "report", "verify",
        "subject-export", "legal-hold", "erase", "purge", "vacuum", "tick",
    }  # fmt: skip


def test_the_samples_are_what_the_commands_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    found = samples()
    demo = [s for s in found if s.commands == (("demo",),)]
    assert len(demo) == 1, "the page shows the default demo's summary once"

    for sample in demo + [s for s in found if s not in demo]:
        out = ""
        for command in sample.commands:
            result = run(capsys, *command)
            assert result.code == 0, (command, result.err)
            out += result.out
        expected = comparable(sample.output)
        assert comparable(out)[: len(expected)] == expected, sample.commands
        if "..." not in sample.output.splitlines():
            assert len(comparable(out)) == len(expected), sample.commands

    # The default month itself: the documented size, in the current directory.
    summary = run(capsys, "list", "--limit", "1")
    assert "1-1 of 200 complaints, newest first." in summary.out
    assert (tmp_path / "complaints.db").is_file()
