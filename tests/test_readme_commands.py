"""
README.md and .ci/run agree on the test command, so what a newcomer runs is what CI runs.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CI_SCRIPT = ROOT / ".ci" / "run"
_ASSIGNMENT = re.compile(r"^TEST_COMMAND='(?P<command>[^']+)'$", re.MULTILINE)


def ci_test_command() -> str:
    """The command .ci/run assigns to TEST_COMMAND (a single-quoted shell string)."""
    found = _ASSIGNMENT.findall(CI_SCRIPT.read_text(encoding="utf-8"))
    assert len(found) == 1, f"{CI_SCRIPT} must assign TEST_COMMAND exactly once, found {found}"
    return str(found[0])


def readme_shell_lines() -> list[str]:
    """The lines inside the ```bash / ```sh / ```console blocks of README.md."""
    lines: list[str] = []
    inside = False
    for line in README.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            inside = not inside and stripped[3:].strip() in {"bash", "sh", "shell", "console"}
            continue
        if inside and stripped:
            lines.append(stripped.removeprefix("$ "))
    return lines


def test_ci_runs_the_test_command_it_declares() -> None:
    command = ci_test_command()
    assert command == 'python -m pip install -e ".[test]" && python -m pytest'
    # Declaring the command is not enough: the script must execute that very variable.
    assert 'eval "$TEST_COMMAND"' in CI_SCRIPT.read_text(encoding="utf-8")


def test_readme_gives_the_same_test_command_as_ci() -> None:
    command = ci_test_command()
    # The README line creates and activates a virtualenv first, then runs the command; what
    # follows the activation must be the command, character for character.
    matching = [
        line for line in readme_shell_lines() if line == command or line.endswith(f"&& {command}")
    ]
    assert matching, f"README.md has no shell line ending with the CI test command {command!r}"


def test_readme_shell_lines_are_found() -> None:
    # Guards the parser above, so the previous test cannot pass on an empty list.
    assert any(line.startswith("python -m venv .venv") for line in readme_shell_lines())
