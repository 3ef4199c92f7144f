"""``iso10002 conformance``: 0 if the workflow conforms, 1 with counterexamples, 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iso10002 import standard_workflow
from iso10002.process.workflow_file import dump_workflow

from .support import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "workflows"

PHONE_DESK_TEXT = """\
Workflow 'phone-desk' does not conform: 4 violations of 7 rules checked.

  acknowledged           7.4   ok
  assessed               7.5   1 violation
  decision-communicated  7.8   1 violation
  closure-reason         7.9   1 violation
  recourse               7.9   ok
  objectivity            4.7   ok
  open-state-commands    7.3   1 violation

1. assessed (7.5): 'decide' runs before the initial assessment was recorded; assess first, or give
   'decide' the assessment_recorded guard
   transition:     decide (acknowledged → decided)
   counterexample: receive → acknowledge → decide

2. decision-communicated (7.8): 'resolve_on_call' closes the complaint without a documented reason
   before a decision was communicated to the complainant
   transition:     resolve_on_call (decided → closed)
   counterexample: receive → acknowledge → decide → resolve_on_call

3. closure-reason (7.9): 'resolve_on_call' enters closed state 'closed' without the
   closure_justified guard; only 'withdraw' (the complainant's own act) or a transition guarded by
   closure_justified documents why a complaint ends
   transition:     resolve_on_call (decided → closed)
   counterexample: receive → acknowledge → decide → resolve_on_call

4. open-state-commands (7.3): open state 'decided' does not allow close, which the standard workflow
   allows in every open state; add the state to those commands' sources, or add it with
   Workflow.extend, which does
   counterexample: receive → acknowledge → decide
"""


def test_the_standard_workflow_conforms(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "conformance", "--standard")

    assert result.code == 0, result.err
    assert result.err == ""
    lines = result.out.splitlines()
    assert lines[0] == "Workflow 'iso10002-standard' conforms: 0 violations of 7 rules checked."
    assert lines[2:] == [
        "  acknowledged           7.4   ok",
        "  assessed               7.5   ok",
        "  decision-communicated  7.8   ok",
        "  closure-reason         7.9   ok",
        "  recourse               7.9   ok",
        "  objectivity            4.7   ok",
        "  open-state-commands    7.3   ok",
    ]


def test_a_conforming_file_exits_with_0(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "conformance", EXAMPLES / "small-shop.toml")

    assert result.code == 0, result.err
    assert result.out.startswith("Workflow 'small-shop' conforms: 0 violations")


def test_a_failing_file_lists_each_violation_with_its_counterexample(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run(capsys, "conformance", EXAMPLES / "phone-desk.json")

    assert result.code == 1
    assert result.err == ""
    assert result.out == PHONE_DESK_TEXT


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "conformance", EXAMPLES / "phone-desk.json", "--format", "json")

    assert result.code == 1
    data = json.loads(result.out)
    assert data["workflow"] == "phone-desk"
    assert data["ok"] is False
    assert data["rules_checked"][0] == "acknowledged" and len(data["rules_checked"]) == 7
    assert data["violations"][0] == {
        "rule": "assessed",
        "clause": "7.5",
        "message": "'decide' runs before the initial assessment was recorded; assess first, or "
        "give 'decide' the assessment_recorded guard",
        "transition": "decide (acknowledged → decided)",
        "path": ["receive", "acknowledge", "decide"],
    }
    assert [v["rule"] for v in data["violations"]] == [
        "assessed",
        "decision-communicated",
        "closure-reason",
        "open-state-commands",
    ]


def test_json_output_of_a_conforming_workflow(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "conformance", "--standard", "--format", "json")

    assert result.code == 0
    data = json.loads(result.out)
    assert data["ok"] is True and data["violations"] == []


def test_a_dumped_standard_workflow_conforms_from_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "standard.json"
    path.write_text(json.dumps(dump_workflow(standard_workflow())), encoding="utf-8")

    result = run(capsys, "conformance", path)

    assert result.code == 0, result.err


# -- bad input ----------------------------------------------------------------------------------


def _bad_workflow(tmp_path: Path) -> Path:
    data = dump_workflow(standard_workflow())
    data["transitions"][5]["guards"] = ["objectivity", "nepotism"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_an_unknown_guard_is_one_line_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bad_workflow(tmp_path)

    result = run(capsys, "conformance", path)

    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        f"iso10002: error: {path}: $.transitions[5].guards[1]: unknown guard 'nepotism' "
        "(known: action_promised, assessment_recorded, closure_justified, decision_carried_out, "
        "not_on_hold, objectivity, on_hold, recourse_explained)\n"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("absent.toml", None, "No such file or directory"),
        ("w.txt", "", "$: cannot tell the format of 'w.txt'; name the file .json or .toml"),
        ("w.toml", "name = [", "$: not valid TOML: "),
        (
            "w.json",
            json.dumps({"name": "w", "initial": "x", "states": [], "transitions": []}),
            "workflow 'w': unknown initial state 'x'",
        ),
    ],
)
def test_bad_input_exits_with_2_and_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | None,
    message: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")

    result = run(capsys, "conformance", path)

    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(f"iso10002: error: {path}: {message}")
    assert len(result.err.splitlines()) == 1
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "args",
    [["conformance"], ["conformance", "--standard", "w.toml"], ["conformance", "--format", "md"]],
)
def test_a_wrong_command_line_exits_with_2(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    result = run(capsys, *args)

    assert result.code == 2
    assert result.out == ""
    assert "iso10002 conformance: error:" in result.err
