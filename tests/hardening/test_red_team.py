"""
The red-team scenarios on SQLite, as tests (counts in docs/hardening.md): a desk script killed
with SIGKILL at random points, and four processes adding notes to the same two complaints.
After each, verify passes (every summary replayed from its events) and no note is lost or
stored twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from iso10002.integrity import verify
from iso10002.model.events import NoteAdded
from iso10002.storage.sqlite import SQLiteEventStore
from tests.integrity.test_verify_sqlite import build

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

KILLS = 8
"""Desk scripts killed with SIGKILL."""
WORKERS = 4
NOTES_PER_WORKER = 10
"""Notes each racing process adds, alternating between the two complaints."""

_SCRIPT = """
import sys
from iso10002 import ComplaintDesk
from iso10002.errors import ConcurrencyConflict
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import sample_actor

path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with SQLiteEventStore(path) as store:
    desk = ComplaintDesk(store)
    print("ready", flush=True)
    for n in range(count):
        reference = ("CMP-1", "CMP-2")[n % 2]
        while True:
            try:
                desk.add_note(reference, sample_actor(), f"{name} note {n}")
                break
            except ConcurrencyConflict:
                continue
"""


def _start(path: Path, name: str, count: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, str(path), name, str(count)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _notes(path: Path) -> list[str]:
    with SQLiteEventStore(path) as store:
        report = verify(store, deep=True)
        assert report.ok, str(report.finding)
        texts = []
        for reference in ("CMP-1", "CMP-2", "CMP-3"):
            cid = store.id_for_reference(reference)
            assert cid is not None
            texts += [e.payload.text for e in store.read(cid) if isinstance(e.payload, NoteAdded)]
        return texts


def test_a_desk_script_killed_at_random_points_leaves_a_verified_store(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    build(path)
    rng = random.Random(10002)
    for run in range(KILLS):
        proc = _start(path, f"run{run}", 100_000)
        time.sleep(rng.uniform(0.05, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        notes = _notes(path)
        # Each killed run's notes are a prefix of its loop: none lost, none twice.
        mine = sorted(int(t.rsplit(" ", 1)[1]) for t in notes if t.startswith(f"run{run} "))
        assert mine == list(range(len(mine)))


def test_four_processes_adding_notes_store_every_note_once(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    build(path)
    procs = [_start(path, f"w{w}", NOTES_PER_WORKER) for w in range(WORKERS)]
    for proc in procs:
        proc.communicate(timeout=60)
        assert proc.returncode == 0
    notes = [t for t in _notes(path) if t.startswith("w")]
    expected = {f"w{w} note {n}" for w in range(WORKERS) for n in range(NOTES_PER_WORKER)}
    assert sorted(notes) == sorted(expected)
