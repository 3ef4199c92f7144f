"""
Coverage-guided fuzzing of the library's readers with atheris, run by hand (not part of the tests).

    pip install atheris
    python fuzz/fuzz_readers.py history -max_total_time=60
    python fuzz/fuzz_readers.py programme.toml corpus_dir/ -runs=100000

The first argument names the target (see ``TARGETS``); the rest go to libFuzzer. A target may
return a value or raise :class:`iso10002.errors.Iso10002Error` (or ``OSError`` for files);
anything else is a crash that libFuzzer reports with the input that caused it.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris  # type: ignore[import-untyped, import-not-found, unused-ignore]

with atheris.instrument_imports():
    from iso10002.errors import Iso10002Error
    from iso10002.importing import load_mapping
    from iso10002.importing.sources import JsonRows
    from iso10002.letters import load_templates
    from iso10002.model.events import Event
    from iso10002.monitoring.render_json import report_from_json
    from iso10002.process.workflow_file import read_workflow_file
    from iso10002.programme import load_programme
    from iso10002.serialization import history_from_json, loads
    from iso10002.survey import load_survey


def _file(read: Callable[[Path], object], name: str) -> Callable[[bytes], object]:
    def target(data: bytes) -> object:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / name
            path.write_bytes(data)
            return read(path)

    return target


TARGETS: dict[str, Callable[[bytes], object]] = {
    "history": history_from_json,
    "event": lambda data: loads(data, Event),
    "report": report_from_json,
    "letters.toml": _file(load_templates, "letters.toml"),
    "import.json": _file(lambda path: list(JsonRows(path)), "import.json"),
}
for _suffix in ("json", "toml"):
    TARGETS[f"programme.{_suffix}"] = _file(load_programme, f"programme.{_suffix}")
    TARGETS[f"survey.{_suffix}"] = _file(load_survey, f"survey.{_suffix}")
    TARGETS[f"mapping.{_suffix}"] = _file(load_mapping, f"mapping.{_suffix}")
    TARGETS[f"workflow.{_suffix}"] = _file(read_workflow_file, f"workflow.{_suffix}")


def main() -> None:
    """Fuzz the target named by the first argument."""
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: fuzz_readers.py {{{','.join(sorted(TARGETS))}}} [libFuzzer options]")
    target = TARGETS[sys.argv.pop(1)]

    def one_input(data: bytes) -> None:
        with contextlib.suppress(Iso10002Error, OSError):
            target(data)

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
