"""
Traceability, clause by clause: the features (:mod:`iso10002.audit.traceability`), the audit
criteria (the catalogue and the principles' controls) and the tests that exercise each clause.

``docs/traceability.md`` is generated from them; regenerate it with
``python -m tests.audit.test_traceability`` after changing any of them. The tests below fail
when the page is out of date, a clause loses its row, or a feature or a test named here
disappears.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

import pytest

from iso10002 import standard_workflow
from iso10002.audit.criteria import Criterion, criteria
from iso10002.audit.findings import EvidenceKind
from iso10002.audit.principles import principles
from iso10002.audit.traceability import UNCONFIRMED, Clause, clauses
from iso10002.model.events import payload_types

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "traceability.md"

REQUIRED = (
    *(f"4.{i}" for i in range(1, 16)),
    *(f"5.{i}" for i in range(1, 5)),
    *(f"6.{i}" for i in range(1, 5)),
    *(f"7.{i}" for i in range(1, 10)),
    *(f"8.{i}" for i in range(1, 8)),
    *(f"Annex {letter}" for letter in "ABCDEFGHI"),
)
"""The clauses and annexes of ISO 10002:2018 the brief lists (domain facts, sections 1.1-1.3)."""

_DESK = "tests/test_desk.py"
_CARRY = "tests/process/test_carry_out.py"
_CONF = "tests/process/test_conformance.py"
_PROG = "tests/programme/test_config.py"
_VIEW = "tests/access/test_public_view.py"
_KPI = "tests/monitoring/test_kpis.py"
_REVIEW = "tests/audit/test_review.py"
_SURVEYS = "tests/survey/test_desk_surveys.py"
_LETTERS = "tests/letters/test_kinds.py"
_CFPB = "tests/monitoring/test_cfpb_kpis.py"
_DEMO = "tests/audit/test_demo_audit.py"
_CRITERIA = "tests/audit/test_criteria.py"

FEATURE_TESTS: Mapping[str, tuple[str, ...]] = {
    "4.1": ("tests/audit/test_principles.py::test_the_fourteen_principles_in_clause_order",),
    "4.2": (f"{_PROG}::test_standard_roles_are_the_clause_5_4_roles",),
    "4.3": (f"{_PROG}::test_trained_counts_a_record_from_completion_until_expiry",),
    "4.4": (f"{_PROG}::test_unpublished_policy_and_access_are_valid_configuration",),
    "4.5": (f"{_PROG}::test_unpublished_policy_and_access_are_valid_configuration",),
    "4.6": (
        "tests/sla/test_engine.py::test_a_friday_afternoon_complaint_is_due_by_monday_close_of_business",
        f"{_DESK}::test_decision_needs_an_assessment_first",
    ),
    "4.7": (f"{_DESK}::test_objectivity_keeps_people_complained_about_away",),
    "4.8": (f"{_PROG}::test_a_charge_is_valid_configuration",),
    "4.9": (
        "tests/integrity/test_verify_sqlite.py::test_a_changed_payload_is_named",
        f"{_DESK}::test_full_lifecycle_follows_clause_7_and_replays",
    ),
    "4.10": (
        "tests/privacy/test_erasure.py::test_erasure_keeps_the_proof_and_the_statistics",
        "tests/access/test_matrix.py::test_the_role_matrix",
        f"{_VIEW}::test_nothing_internal_and_nobody_else_appears",
    ),
    "4.11": (
        f"{_VIEW}::test_the_complainant_sees_the_customer_visible_timeline",
        f"{_SURVEYS}::test_answers_are_recorded_replayed_and_feed_the_satisfaction_score",
    ),
    "4.12": (
        "tests/access/test_policy.py::test_permission_denied_is_a_library_error_with_its_fields",
        f"{_DESK}::test_full_lifecycle_follows_clause_7_and_replays",
    ),
    "4.13": (
        f"{_REVIEW}::test_nonconformities_and_the_actions_that_answer_them",
        f"{_KPI}::test_durations_and_root_causes",
    ),
    "4.14": (f"{_PROG}::test_trained_counts_a_record_from_completion_until_expiry",),
    "4.15": (
        "tests/sla/test_engine.py::test_a_hold_moves_the_deadline_by_the_business_time_it_lasted",
        "tests/sla/test_presets.py::test_every_preset_cites_sources_and_an_as_of_date",
    ),
    "5.1": (f"{_PROG}::test_a_complete_programme_is_built_and_is_a_hashable_value",),
    "5.2": (f"{_PROG}::test_person_for_lists_holders_in_order",),
    "5.3": (f"{_PROG}::test_unpublished_policy_and_access_are_valid_configuration",),
    "5.4": (
        f"{_PROG}::test_standard_roles_are_the_clause_5_4_roles",
        "tests/access/test_matrix.py::test_the_role_matrix",
    ),
    "6.1": ("tests/test_workflow.py::test_a_minimal_workflow_builds",),
    "6.2": (f"{_PROG}::test_objective_lookup",),
    "6.3": (
        f"{_CONF}::test_the_standard_workflow_conforms",
        "tests/test_workflow.py::test_extend_adds_states_transitions_and_guards_and_rechecks",
    ),
    "6.4": (f"{_PROG}::test_training_without_expiry_lasts",),
    "7.1": (f"{_VIEW}::test_the_complainant_sees_the_customer_visible_timeline",),
    "7.2": (
        f"{_DESK}::test_references_are_unique_per_year_and_formatted",
        f"{_DESK}::test_bad_intake_is_refused_naming_the_field_and_writes_nothing",
    ),
    "7.3": (
        f"{_VIEW}::test_an_open_complaint_shows_the_running_deadlines",
        "tests/sla/test_engine.py::test_a_recurring_update_metric_counts_cycles",
    ),
    "7.4": (
        f"{_LETTERS}::test_acknowledgement_states_the_reference_and_the_final_response_deadline",
    ),
    "7.5": (
        f"{_DESK}::test_priority_comes_from_the_policy_and_safety_is_urgent",
        f"{_DESK}::test_decision_needs_an_assessment_first",
    ),
    "7.6": (f"{_DESK}::test_classify_assign_notes_root_cause_and_communications",),
    "7.7": (f"{_DESK}::test_a_new_decision_after_review_clears_the_earlier_reaction",),
    "7.8": (
        f"{_DESK}::test_not_upheld_decisions_must_explain_recourse",
        "tests/letters/test_kinds.py::test_decision_letter",
    ),
    "7.9": (
        f"{_DESK}::test_closing_requires_acceptance_or_a_documented_reason",
        f"{_DESK}::test_rejection_leads_to_review_then_referral_and_closure",
        f"{_CARRY}::test_carrying_out_records_the_step_and_keeps_the_complaint_resolved",
        f"{_CARRY}::test_the_guard_requires_the_step_before_a_resolved_closure",
        f"{_CARRY}::test_an_old_history_without_the_step_replays_and_both_workflows_conform",
    ),
    "8.1": (
        "tests/privacy/test_erasure.py::test_the_subject_export_holds_everything_about_one_person",
        "tests/privacy/test_erasure.py::test_the_purge_erases_exactly_what_has_expired",
    ),
    "8.2": (
        f"{_DESK}::test_classify_assign_notes_root_cause_and_communications",
        f"{_KPI}::test_durations_and_root_causes",
    ),
    "8.3": (
        f"{_SURVEYS}::test_an_answered_survey_counts_as_satisfaction_measured_in_audits_and_reviews",
    ),
    "8.4": (
        f"{_KPI}::test_outcomes_rates_redress_and_satisfaction",
        f"{_CFPB}::test_first_contact_resolution_is_not_measured_on_dates_only",
    ),
    "8.5": (
        f"{_DEMO}::test_the_demo_month_fails_exactly_the_criteria_it_was_built_to_fail",
        "tests/audit/test_reports.py::test_html_shows_every_finding_with_badge_and_evidence",
    ),
    "8.6": (
        f"{_REVIEW}::test_the_pack_and_the_kpi_report_count_by_one_set_of_rules",
        f"{_REVIEW}::test_markdown_and_html_show_the_whole_pack",
    ),
    "8.7": (
        f"{_REVIEW}::test_actions_round_trip_through_json",
        f"{_REVIEW}::test_nonconformities_and_the_actions_that_answer_them",
    ),
    "Annex A": (f"{_DESK}::test_rejection_leads_to_review_then_referral_and_closure",),
    "Annex B": ("tests/process/test_workflow_file.py::test_the_example_files_load_and_are_judged",),
    "Annex C": (f"{_DESK}::test_bad_intake_is_refused_naming_the_field_and_writes_nothing",),
    "Annex D": (f"{_DESK}::test_objectivity_keeps_people_complained_about_away",),
    "Annex E": (f"{_DESK}::test_full_lifecycle_follows_clause_7_and_replays",),
    "Annex F": ("tests/letters/test_kinds.py::test_every_kind_renders_for_every_decision",),
    "Annex G": (
        "tests/test_workflow.py::test_mermaid_diagram_lists_every_state_changing_transition",
    ),
    "Annex H": (f"{_KPI}::test_every_store_gives_the_same_report",),
    "Annex I": ("tests/audit/test_criteria.py::test_every_history_criterion_has_a_fault_fixture",),
}
"""Tests of each clause's features; the tests of its criteria are added from the catalogue."""

_CRITERION_TESTS: Mapping[EvidenceKind, str] = {
    EvidenceKind.HISTORY: f"{_CRITERIA}::test_a_history_with_the_fault_fails_the_criterion",
    EvidenceKind.CONFIGURATION: (
        "tests/audit/test_configuration_criteria.py::test_a_programme_with_the_gap_fails_the_criterion"
    ),
    EvidenceKind.ATTESTATION: (
        "tests/audit/test_criteria.py::test_each_attested_criterion_conforms_or_fails_as_attested"
    ),
}
_OWN_TESTS: Mapping[str, str] = {
    "7-workflow-conforms": (
        "tests/audit/test_configuration_criteria.py::"
        "test_a_workflow_that_breaks_the_handling_rules_fails_and_says_how"
    ),
    "8.7-nonconformity-has-action": (
        "tests/audit/test_configuration_criteria.py::"
        "test_every_nonconformity_needs_an_improvement_action"
    ),
}
"""Criteria tested by a test of their own rather than the parametrized one of their kind."""


def criterion_test(c: Criterion) -> str:
    """The test that makes ``c`` both conform and fail."""
    own = _OWN_TESTS.get(c.id)
    return own if own is not None else f"{_CRITERION_TESTS[c.evidence_kind]}[{c.id}]"


def criteria_of(clause: Clause) -> tuple[str, ...]:
    """
    The criteria of ``clause``: its own, for a principle the criteria among its controls, and
    those of other clauses the table says check it too.
    """
    catalogue = {c.id for c in criteria()}
    found = [c.id for c in criteria() if c.clause == clause.number]
    found += [c for c in clause.also_checked_by if c not in found]
    for p in principles():
        if p.clause == clause.number:
            found += [ctl for ctl in p.controls if ctl in catalogue and ctl not in found]
    return tuple(found)


def exercised_by(clause: Clause) -> tuple[str, ...]:
    """The feature tests of ``clause``, then the tests of its criteria."""
    by_id = {c.id: c for c in criteria()}
    found = list(FEATURE_TESTS.get(clause.number, ()))
    for cid in criteria_of(clause):
        test = criterion_test(by_id[cid])
        if test not in found:
            found.append(test)
    return tuple(found)


def _cell(items: tuple[str, ...]) -> str:
    return "<br>".join(f"`{item}`" for item in items) if items else "-"


def render() -> str:
    """``docs/traceability.md`` as it should read."""
    rows = []
    for clause in clauses():
        note = f"<br>*Not modelled:* {clause.note}" if clause.note else ""
        rows.append(
            f"| {clause.number} | {clause.title}{note} | {clause.numbering} "
            f"| {_cell(clause.features)} | {_cell(criteria_of(clause))} "
            f"| {_cell(exercised_by(clause))} |"
        )
    with_criteria = sum(1 for c in clauses() if criteria_of(c))
    with_features = sum(1 for c in clauses() if c.features)
    with_tests = sum(1 for c in clauses() if exercised_by(c))
    workflow_wide = [c.id for c in criteria() if c.clause == "7"]
    lines = [
        "# Traceability: clause, feature, criterion, test",
        "",
        "<!-- Generated by `python -m tests.audit.test_traceability`; do not edit by hand. -->",
        "",
        "For each clause of ISO 10002:2018 and each annex: the library features that serve it,",
        "the audit criteria that check it (for a guiding principle of clause 4, also the criteria",
        "among its controls) and the tests that exercise it. The page is generated from",
        "`iso10002.audit.traceability`, the audit catalogue and the tests; a test fails when a",
        "clause loses its row or a named feature or test disappears.",
        "",
        "The full 2018 text is not public. *Numbering* says how far each clause's number and",
        "title are confirmed: `confirmed (2018)`; `confirmed for 2004/2014; 2018 unconfirmed`",
        "(the title is in the earlier editions' table of contents); or `unconfirmed` (the best",
        "available reading, from a sister standard or the brief).",
        "",
        "Features are Python names from `iso10002`, `command:` a command of the standard",
        "workflow, `event:` an event type.",
        "",
        (
            f"Coverage: {len(rows)} clauses and annexes; {with_features} with features, "
            f"{with_criteria} with audit criteria, {with_tests} with tests."
        ),
        "",
        "| Clause | Title | Numbering | Features | Audit criteria | Tests |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "Criteria of clause 7 as a whole (the handling process): "
        + ", ".join(f"`{c}`" for c in workflow_wide)
        + ".",
        "",
    ]
    return "\n".join(lines)


# -- checks -------------------------------------------------------------------------------------


def test_the_page_is_generated_from_the_code() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), (
        "docs/traceability.md is out of date: run python -m tests.audit.test_traceability"
    )


def test_every_listed_clause_has_its_row_in_order() -> None:
    assert tuple(c.number for c in clauses()) == REQUIRED
    page = PAGE.read_text(encoding="utf-8")
    for number in REQUIRED:
        assert re.search(rf"^\| {re.escape(number)} \| ", page, re.MULTILINE), number


def test_every_clause_has_a_feature_and_a_test() -> None:
    assert [c.number for c in clauses() if not c.features] == []
    assert [c.number for c in clauses() if not exercised_by(c)] == []
    assert set(FEATURE_TESTS) <= set(REQUIRED)


def test_every_criterion_is_traced_to_a_clause_or_the_whole_process() -> None:
    numbers = {c.number for c in clauses()} | {"7"}
    assert [c.id for c in criteria() if c.clause not in numbers] == []
    catalogue = {c.id for c in criteria()}
    assert [(c.number, a) for c in clauses() for a in c.also_checked_by if a not in catalogue] == []


def test_the_new_criteria_cover_the_clauses_that_had_none() -> None:
    by_number = {c.number: c for c in clauses()}
    for number in ("7.3", "7.6", "7.7", "8.5", "8.7", "4.5", "4.10"):
        assert criteria_of(by_number[number]), number


def test_unconfirmed_numbering_is_marked() -> None:
    by_number = {c.number: c for c in clauses()}
    for number in ("4.2", "5.1", "6.3", "Annex A", "Annex I"):
        assert by_number[number].numbering == UNCONFIRMED
    assert by_number["Annex B"].numbering != UNCONFIRMED
    assert "| 4.2 | Commitment | unconfirmed |" in PAGE.read_text(encoding="utf-8")


def _resolve(name: str) -> object:
    """The object a dotted name from ``iso10002`` names (ImportError or AttributeError if none)."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


_KINDS: Mapping[str, Callable[[str], bool]] = {
    "command": lambda n: n in {t.command for t in standard_workflow().transitions},
    "event": lambda n: n in payload_types(),
}


@pytest.mark.parametrize("feature", sorted({f for c in clauses() for f in c.features}))
def test_every_named_feature_exists(feature: str) -> None:
    kind, _, rest = feature.partition(":")
    if rest:
        assert _KINDS[kind](rest), feature
    else:
        assert feature.startswith("iso10002")
        assert _resolve(feature) is not None


@cache
def _test_names(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(
        n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
    )


@pytest.mark.parametrize("test", sorted({t for c in clauses() for t in exercised_by(c)}))
def test_every_named_test_exists(test: str) -> None:
    path, _, name = test.partition("::")
    function, _, case = name.partition("[")
    assert function in _test_names(path), test
    if case:
        # A parametrized case: the id is a criterion of the catalogue, so the case runs.
        assert case.rstrip("]") in {c.id for c in criteria()}, test


def test_a_lost_clause_or_feature_is_caught() -> None:
    # The checks above can fail: a missing clause, a feature or a test that does not exist.
    assert tuple(n for n in REQUIRED if n != "7.3") != tuple(c.number for c in clauses())
    with pytest.raises((ImportError, AttributeError)):
        _resolve("iso10002.ComplaintDesk.no_such_command")
    assert not _KINDS["event"]("decision_forgotten")
    assert "test_no_such_test" not in _test_names(_DESK)


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
