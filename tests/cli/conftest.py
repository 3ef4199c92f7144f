"""Fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from iso10002.cli import main

DEMO_COMPLAINTS = 150
"""Complaints in the shared demo database: enough for every path of the simulation to show."""


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database (default seed and month) shared by the tests that only read it."""
    path = tmp_path_factory.mktemp("demo") / "complaints.db"
    assert main(["demo", "--db", str(path), "--complaints", str(DEMO_COMPLAINTS), "--quiet"]) == 0
    return path
