"""The vendor example runs, and shows what its docstring says: Legal, typed steps, tenants."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

_EXAMPLE = Path(__file__).parents[2] / "examples" / "vendor_workflow.py"


def test_the_vendor_example_keeps_each_tenant_to_its_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runpy.run_path(str(_EXAMPLE), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "acme-with-legal conforms; legal_review allows 12 commands"
    assert "refused: the legal role is not granted run_step:settle" in lines
    assert any(line.startswith("refused: data.liable:") for line in lines)
    assert any('legal_opinion: {"liable":false' in line for line in lines)
    assert "CMP-2026-000002 closed: duplicate of CMP-2026-000001" in lines
    refusals = [line for line in lines if "another organisation" in line]
    assert refusals == [
        "refused: the complaint belongs to another organisation than the actor's (acme)",
        "refused: the complaint belongs to another organisation than the actor's (globex)",
    ]
    assert lines[-2:] == [
        "acme: 2 complaint(s), 1 investigating",
        "globex: 1 complaint(s), 1 investigating",
    ]
