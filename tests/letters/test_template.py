"""The template language: placeholders, sections, standalone lines, escaping, and its errors."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iso10002 import ValidationError
from iso10002.letters import Output, Placeholder, PlaceholderForm, Template

from .support import PERSONAL


def render(text: str, output: Output = Output.TEXT, **values: object) -> str:
    return Template(text=text, name="t.txt").render(values, output=output)


def test_values_are_inserted_as_given_in_text() -> None:
    assert render("Dear {{ name }}, ref {{ref}}.", name="Ann", ref="CMP-1") == (
        "Dear Ann, ref CMP-1."
    )


def test_a_section_renders_when_set_and_an_inverted_one_when_not() -> None:
    text = "{{#due}}by {{due}}{{/due}}{{^due}}soon{{/due}}"
    assert render(text, due="5 March") == "by 5 March"
    assert render(text, due=None) == "soon"
    assert render(text, due="") == "soon"
    assert render("{{#flag}}yes{{/flag}}{{^flag}}no{{/flag}}", flag=True) == "yes"
    assert render("{{#flag}}yes{{/flag}}{{^flag}}no{{/flag}}", flag=False) == "no"


def test_a_list_section_repeats_per_item_with_the_item_in_scope() -> None:
    text = "{{#items}}[{{label}} for {{who}}]{{/items}}{{^items}}none{{/items}}"
    items = [{"label": "a"}, {"label": "b", "who": "Bo"}]
    assert render(text, items=items, who="Ann") == "[a for Ann][b for Bo]"
    assert render(text, items=[], who="Ann") == "none"


def test_standalone_section_and_comment_lines_vanish() -> None:
    text = (
        "Dear {{name}},\n"
        "{{! a note for translators }}\n"
        "  {{#due}}  \n"
        "Due {{due}}.\n"
        "{{/due}}\n"
        "{{^due}}\n"
        "No date.\n"
        "{{/due}}\n"
        "Bye\n"
    )
    assert render(text, name="Ann", due="5 March") == "Dear Ann,\nDue 5 March.\nBye\n"
    assert render(text, name="Ann", due=None) == "Dear Ann,\nNo date.\nBye\n"


def test_a_tag_sharing_its_line_with_text_keeps_the_line() -> None:
    assert render("a {{#x}}b{{/x}} c\nd", x=True) == "a b c\nd"
    assert render("{{name}}\n", name="Ann") == "Ann\n"
    assert render("x {{! inline }}y") == "x y"


def test_html_output_escapes_every_value_and_breaks_lines() -> None:
    out = render(
        '<p title="{{name}}">{{name}}</p><p>{{reasons}}</p>',
        Output.HTML,
        name=PERSONAL,
        reasons="One & two\n<b>three</b>",
    )
    assert "<script>" not in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    assert "One &amp; two<br>\n&lt;b&gt;three&lt;/b&gt;" in out
    assert out.startswith('<p title="Ann &lt;script&gt;')


def test_line_output_folds_white_space_and_control_characters() -> None:
    assert render("Re: {{x}}", Output.LINE, x=" a\n b\r\n\tc\x00d ") == "Re: a b c d"


@given(st.text())
def test_no_value_can_add_markup_to_html_output(value: str) -> None:
    out = render("<p>{{v}}</p>", Output.HTML, v=value)
    inner = out.removeprefix("<p>").removesuffix("</p>")
    assert "<" not in inner.replace("<br>\n", "")
    assert '"' not in inner and "'" not in inner
    assert html.unescape(inner.replace("<br>\n", "\n")) == value.replace("\r\n", "\n").replace(
        "\r", "\n"
    )


def test_placeholders_list_every_use_with_its_line_and_sections() -> None:
    template = Template(
        text="Hi {{name}}\n{{#items}}\n- {{#amount}}{{amount}}{{/amount}}\n{{/items}}\n",
        name="t.txt",
        first_line=3,
    )
    assert list(template.placeholders()) == [
        Placeholder(name="name", form=PlaceholderForm.VALUE, line=3, enclosing=()),
        Placeholder(name="items", form=PlaceholderForm.SECTION, line=4, enclosing=()),
        Placeholder(
            name="amount",
            form=PlaceholderForm.SECTION,
            line=5,
            enclosing=(("items", PlaceholderForm.SECTION),),
        ),
        Placeholder(
            name="amount",
            form=PlaceholderForm.VALUE,
            line=5,
            enclosing=(("items", PlaceholderForm.SECTION), ("amount", PlaceholderForm.SECTION)),
        ),
    ]
    assert template.names == {"name", "items", "amount"}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Dear {{name},\nbye", 1, "is not closed"),
        ("a\nDear {{name\n}}", 2, "is not closed"),
        ("{{first name}}", 1, "is not a placeholder"),
        ("{{x.y}}", 1, "is not a placeholder"),
        ("{{}}", 1, "is not a placeholder"),
        ("{{{name}}}", 1, "no raw placeholder"),
        ("a\n{{#due}}\nb", 2, "'{{#due}}' is never closed"),
        ("{{#a}}{{#b}}\n{{/a}}{{/b}}", 2, "does not close the section '{{#b}}' opened on line 1"),
        ("x\n\n{{/due}}", 3, "never opened"),
    ],
)
def test_syntax_errors_name_the_template_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Template(text=text, name="letters/decision.en.txt")
    assert caught.value.field == "letters/decision.en.txt"
    assert caught.value.reason.startswith(f"line {line}: ")
    assert words in caught.value.reason


def test_line_numbers_count_from_the_first_line_given() -> None:
    with pytest.raises(ValidationError, match=r"line 12: a placeholder"):
        Template(text="a\nb {{oops", name="x", first_line=11)


def test_a_value_without_a_value_names_template_and_variable_not_personal_data() -> None:
    template = Template(text="Dear {{name}},\nby {{due}}", name="holding.en.txt")
    with pytest.raises(ValidationError) as caught:
        template.render({"name": PERSONAL, "due": None}, hints={"due": "give expected_by"})
    message = str(caught.value)
    assert caught.value.field == "holding.en.txt"
    assert "line 2" in message and "'due'" in message and "give expected_by" in message
    assert "Ann" not in message and "script" not in message


def test_unknown_variables_and_misused_flags_fail_at_render() -> None:
    with pytest.raises(ValidationError, match=r"line 1: unknown variable 'who'"):
        render("{{who}}")
    with pytest.raises(ValidationError, match=r"unknown variable 'who'"):
        render("{{#who}}x{{/who}}")
    with pytest.raises(ValidationError, match=r"'flag' is a flag or a list"):
        render("{{flag}}", flag=True)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": 3, "name": "x"}, "text"),
        ({"text": "a", "name": " "}, "name"),
        ({"text": "a", "name": "x", "first_line": 0}, "first_line"),
    ],
)
def test_bad_fields_are_refused(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Template(**fields)  # type: ignore[arg-type]
    assert caught.value.field == field
