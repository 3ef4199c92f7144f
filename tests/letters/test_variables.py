"""Templates are checked against their kind's documented variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from iso10002 import ValidationError
from iso10002.letters import (
    LetterKind,
    Template,
    VariableType,
    builtin_templates,
    check_template,
    required_variables,
    variables,
)

ACK = LetterKind.ACKNOWLEDGEMENT


def problems(text: str, kind: LetterKind = ACK, **options: object) -> list[str]:
    template = Template(text=text, name="t", first_line=3)
    return check_template(template, kind, **options)  # type: ignore[arg-type]


def test_a_template_using_documented_variables_has_no_problem() -> None:
    text = "{{reference}} {{#product}}{{product}}{{/product}}{{#deadlines}}{{due}}{{/deadlines}}"
    assert problems(text) == []


def test_an_unknown_variable_is_reported_with_its_line_and_the_known_names() -> None:
    [problem] = problems("{{reference}}\nDear {{complainant_nam}},")
    assert problem.startswith("line 4: unknown variable 'complainant_nam' (known here: ")
    assert "complainant_name" in problem


def test_an_optional_variable_must_sit_inside_its_own_section() -> None:
    assert problems("{{reference}} {{product}}") == [
        "line 3: 'product' may be empty: put it inside '{{#product}}…{{/product}}'"
    ]
    # An inverted section does not guarantee a value.
    assert problems("{{reference}} {{^product}}{{product}}{{/product}}") != []


def test_a_guard_variable_covers_the_values_it_implies() -> None:
    kind = LetterKind.DECISION
    head = "{{reference}}{{reasons}}{{internal_review_by}}"
    good = head + "{{#external_body}}{{external_body}} {{external_time_limit}}{{/external_body}}"
    assert problems(good, kind) == []
    bad = head + "{{#external_body}}{{external_body}}{{/external_body}} {{external_time_limit}}"
    assert problems(bad, kind) == [
        (
            "line 3: 'external_time_limit' may be empty: put it inside "
            "'{{#external_body}}…{{/external_body}}'"
        )
    ]


def test_flags_and_lists_are_sections_only() -> None:
    kind = LetterKind.DECISION
    found = problems("{{upheld}}\n{{remedies}}", kind, body=False)
    assert found[0].startswith("line 3: 'upheld' is a yes/no flag")
    assert found[1].startswith("line 4: 'remedies' is a list")


def test_list_items_are_in_scope_only_inside_the_list() -> None:
    kind = LetterKind.DECISION
    assert problems("{{#remedies}}{{#refund}}x{{/refund}}{{/remedies}}", kind, body=False) == []
    [problem] = problems("{{#refund}}x{{/refund}}", kind, body=False)
    assert "unknown variable 'refund'" in problem
    # Inside an inverted list section there is no item.
    [problem] = problems("{{^remedies}}{{#amount}}{{amount}}{{/amount}}{{/remedies}}", kind)[:1]
    assert "unknown variable 'amount'" in problem


def test_a_body_must_use_the_required_variables() -> None:
    kind = LetterKind.DECISION
    found = problems("{{reference}}", kind)
    assert found == [
        f"'{name}' is missing: every decision letter must use '{{{{{name}}}}}'"
        for name in ("reasons", "internal_review_by", "external_body", "external_time_limit")
    ]
    assert problems("{{reference}}", kind, body=False) == []


def test_extra_variables_are_text_the_organisation_gives() -> None:
    assert problems("{{reference}} {{phone}}", extra_variables=("phone",)) == []
    assert "unknown variable 'phone'" in problems("{{reference}} {{phone}}")[0]


def test_every_kind_documents_its_variables_and_its_required_ones() -> None:
    for kind in LetterKind:
        names = [v.name for v in variables(kind)]
        assert len(names) == len(set(names)), kind
        assert set(required_variables(kind)) <= set(names), kind
        for variable in variables(kind):
            assert variable.description
            assert (variable.type is VariableType.LIST) == bool(variable.items)
    kinds = {v.name: v.type for v in variables(LetterKind.SUMMARY_RESOLUTION)}
    assert kinds["external_body"] is VariableType.TEXT  # the letter cannot go without it
    assert {v.name: v.type for v in variables("decision")}["external_body"] is (
        VariableType.OPTIONAL
    )


def test_an_unknown_kind_is_a_library_error() -> None:
    with pytest.raises(ValidationError) as caught:
        variables("decison")
    assert caught.value.field == "kind"
    assert "acknowledgement" in caught.value.reason


def test_the_built_in_set_passes_its_own_checks() -> None:
    templates = builtin_templates()
    for kind in LetterKind:
        assert "en" in templates.languages(kind)
        english = templates.get(kind, "en")
        assert english is not None and english.html is not None and english.sms is not None
    assert templates.languages(LetterKind.ACKNOWLEDGEMENT) == ("en", "fr")
    assert templates.languages(LetterKind.DECISION) == ("en", "fr")
    for template in templates.templates:
        assert template.origin == "built-in"
        assert template.html is not None
        for part, body in ((template.text, True), (template.html, True), (template.sms, False)):
            if part is not None:
                assert check_template(part, template.kind, body=body) == []


def test_the_guide_documents_every_variable_and_kind() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "letters.md").read_text("utf-8")
    for kind in LetterKind:
        assert f"`{kind.value}`" in guide, kind
        for variable in variables(kind):
            assert f"`{variable.name}`" in guide, variable.name
            for item in variable.items:
                assert f"`{item.name}`" in guide, item.name
