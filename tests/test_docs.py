"""
The code in README.md, docs/ and examples/ runs, and does what the text says.

Markdown files: every fenced block opened with ```` ```python ```` runs, in the order of the
file, in one namespace shared by the whole file (like a notebook), with the working directory
set to a fresh temporary directory, so a block may create ``complaints.db``. One test per file
that has at least one Python block; the test id is the file's path in the repository.

Conventions for writers:

- A block whose first line is ``# doc: skip`` is shown but not run (for fragments that cannot
  run on their own). The marker is a comment because the documentation's Markdown renderer
  would not recognise a fence with anything after the language name.
- A ```` ```text ```` block that comes right after a Python block, with only a line ending in
  ``prints:`` between them, is the exact output of that Python block, and is checked.

Examples: every ``examples/*.py`` runs as a script with this interpreter, in a fresh temporary
directory and with warnings turned into errors, and must exit with status 0.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_MARKER = "# doc: skip"
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@attrs.frozen
class Block:
    """One fenced code block: its language, first line number (1-based) and text."""

    lang: str
    line: int
    code: str
    expected_output: str | None = None


def fenced_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, in order; unclosed fences run to the end."""
    blocks: list[Block] = []
    lines = text.splitlines()
    prose: list[str] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            if lines[i].strip():
                prose.append(lines[i].strip())
            i += 1
            continue
        fence, info = opening["fence"], opening["info"].strip()
        lang = info.split(maxsplit=1)[0].lower() if info else ""
        body: list[str] = []
        i += 1
        while i < len(lines):
            closing = _FENCE.match(lines[i])
            if closing and closing["fence"].startswith(fence) and not closing["info"].strip():
                break
            body.append(lines[i])
            i += 1
        start = i - len(body) + 1
        code = "\n".join(body) + "\n"
        if lang == "text" and blocks and blocks[-1].lang == "python" and _is_output_intro(prose):
            blocks[-1] = attrs.evolve(blocks[-1], expected_output=code)
        blocks.append(Block(lang=lang, line=start, code=code))
        prose = []
        i += 1
    return blocks


def _is_output_intro(prose: list[str]) -> bool:
    return len(prose) == 1 and prose[0].lower().endswith("prints:")


def python_blocks(path: Path) -> list[Block]:
    """The Python blocks of a Markdown file that are meant to run."""
    return [
        block
        for block in fenced_blocks(path.read_text(encoding="utf-8"))
        if block.lang == "python" and not block.code.lstrip().startswith(SKIP_MARKER)
    ]


def markdown_files() -> list[Path]:
    """README.md and every Markdown file under docs/ that has a Python block to run."""
    candidates = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [path for path in candidates if path.is_file() and python_blocks(path)]


def example_scripts() -> list[Path]:
    """Every script in examples/."""
    return sorted((ROOT / "examples").glob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", markdown_files(), ids=_relative)
def test_markdown_code_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__main__"}
    for block in python_blocks(path):
        # Pad with blank lines so that a traceback points at the line in the Markdown file.
        source = "\n" * (block.line - 1) + block.code
        # dont_inherit: the blocks run as a reader's script would, without this module's
        # `from __future__` imports.
        compiled = compile(source, str(path), "exec", dont_inherit=True)
        output = io.StringIO()
        try:
            with contextlib.redirect_stdout(output):
                exec(compiled, namespace)
        finally:
            sys.stdout.write(output.getvalue())  # shown by pytest when the test fails
        if block.expected_output is not None:
            assert output.getvalue() == block.expected_output, (
                f"{_relative(path)}:{block.line}: the block's output differs from the text"
            )


@pytest.mark.parametrize("script", example_scripts(), ids=_relative)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, (
        f"{_relative(script)} exited with {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )


def test_the_pages_that_must_run_are_found() -> None:
    # Guards the discovery above: a broken glob would otherwise make the suite pass vacuously.
    assert "docs/getting-started.md" in [_relative(p) for p in markdown_files()]
    assert "examples/quickstart.py" in [_relative(p) for p in example_scripts()]


def test_fenced_blocks_follow_the_conventions() -> None:
    text = "\n".join(
        [
            "Intro",
            "```python",
            "print('hi')",
            "```",
            "prints:",
            "```text",
            "hi",
            "```",
            "````python",
            "# doc: skip",
            "```",
            "````",
            "~~~ python title",
            "x = 1",
            "~~~",
        ]
    )
    blocks = fenced_blocks(text)
    assert [(b.lang, b.line) for b in blocks] == [
        ("python", 3),
        ("text", 7),
        ("python", 10),
        ("python", 14),
    ]
    assert blocks[0].expected_output == "hi\n"
    assert blocks[2].code == "# doc: skip\n```\n"
    assert blocks[3].code == "x = 1\n"
