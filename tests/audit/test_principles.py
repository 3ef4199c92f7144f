"""The clause 4 principles: fourteen, in clause order, each evidenced by controls that exist."""

from __future__ import annotations

import datetime as _dt

import pytest

from iso10002.audit.criteria import criteria
from iso10002.audit.principles import Principle, principle, principles
from iso10002.errors import ValidationError
from iso10002.process import guards
from iso10002.process.workflow import Guard

EXPECTED = [
    ("4.2", "commitment", "Commitment"),
    ("4.3", "capability", "Capability"),
    ("4.4", "transparency", "Transparency"),
    ("4.5", "accessibility", "Accessibility"),
    ("4.6", "responsiveness", "Responsiveness"),
    ("4.7", "objectivity", "Objectivity"),
    ("4.8", "charges", "Charges"),
    ("4.9", "information-integrity", "Information integrity"),
    ("4.10", "confidentiality", "Confidentiality"),
    ("4.11", "customer-focused-approach", "Customer-focused approach"),
    ("4.12", "accountability", "Accountability"),
    ("4.13", "improvement", "Improvement"),
    ("4.14", "competence", "Competence"),
    ("4.15", "timeliness", "Timeliness"),
]

FEATURE_KINDS = {"guard", "sla", "events", "programme"}


def test_the_fourteen_principles_in_clause_order() -> None:
    assert [(p.clause, p.id, p.name) for p in principles()] == EXPECTED


def test_every_principle_has_a_meaning_and_a_control() -> None:
    for p in principles():
        assert p.meaning.endswith(".")
        assert p.controls, p.id
        assert len(set(p.controls)) == len(p.controls), p.id


def test_every_criterion_control_is_in_the_audit_catalogue() -> None:
    known = {c.id for c in criteria()}
    unknown = sorted({c for p in principles() for c in p.controls if ":" not in c} - known)
    assert unknown == []


def test_every_audit_criterion_evidences_some_principle() -> None:
    used = {c for p in principles() for c in p.controls}
    assert sorted({c.id for c in criteria()} - used) == []


def test_feature_controls_name_real_features() -> None:
    guard_names = {g.name for g in vars(guards).values() if isinstance(g, Guard)}
    # closure_justified is built from the no-reply period, so it is a factory, not a value.
    guard_names.add(guards.closure_justified(_dt.timedelta(days=14)).name)
    for p in principles():
        for control in p.controls:
            if ":" not in control:
                continue
            kind, name = control.split(":", 1)
            assert kind in FEATURE_KINDS, control
            if kind == "guard":
                assert name in guard_names, control


@pytest.mark.parametrize(
    ("id", "control"),
    [
        ("charges", "4.8-no-charges"),
        ("objectivity", "guard:objectivity"),
        ("objectivity", "4.7-objectivity"),
        ("responsiveness", "7.4-acknowledged-in-time"),
        ("timeliness", "sla:policies"),
        ("competence", "6.4-staff-trained"),
        ("transparency", "5.3-policy-published"),
        ("transparency", "7.9-external-body-named"),
        ("confidentiality", "8.1-retention"),
        ("information-integrity", "4.9-history-integrity"),
        ("improvement", "8.2-root-cause-for-upheld"),
    ],
)
def test_key_controls(id: str, control: str) -> None:
    assert control in principle(id).controls


def test_lookup_by_id() -> None:
    p = principle("information-integrity")
    assert p.clause == "4.9"
    assert p is principles()[7]


def test_an_unknown_id_lists_the_known_ones() -> None:
    with pytest.raises(ValidationError) as info:
        principle("visibility")  # the 2004 name of transparency
    assert info.value.field == "principle"
    assert "'visibility'" in str(info.value)
    assert "commitment, capability, transparency" in str(info.value)
    assert "timeliness" in str(info.value)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": ""}, "id"),
        ({"clause": " "}, "clause"),
        ({"name": ""}, "name"),
        ({"meaning": ""}, "meaning"),
        ({"controls": ()}, "controls"),
        ({"controls": ("",)}, "controls[0]"),
        ({"controls": ["4.8-no-charges"]}, "controls"),
    ],
)
def test_a_principle_validates_itself(changes: dict[str, object], field: str) -> None:
    fields: dict[str, object] = {
        "id": "charges",
        "clause": "4.8",
        "name": "Charges",
        "meaning": "Free.",
        "controls": ("4.8-no-charges",),
    }
    with pytest.raises(ValidationError) as info:
        Principle(**(fields | changes))  # type: ignore[arg-type]
    assert info.value.field == field


def test_principles_are_values() -> None:
    assert principles() == principles()
    assert hash(principle("charges")) == hash(principle("charges"))
