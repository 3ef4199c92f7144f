"""An organisation's templates from a directory or a TOML file, checked as they are loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from iso10002 import ValidationError
from iso10002.letters import (
    LetterKind,
    LetterTemplate,
    Template,
    TemplateSet,
    builtin_templates,
    load_templates,
)

ACK_TEXT = """Subject: Complaint {{reference}} received

Hello {{complainant_name}},
we have your complaint {{reference}}.
{{#final_response_due}}
Our answer will come by {{final_response_due}}.
{{/final_response_due}}
"""


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_directory_gives_one_template_per_kind_and_language(tmp_path: Path) -> None:
    write(tmp_path, "acknowledgement.en.txt", ACK_TEXT)
    write(tmp_path, "acknowledgement.en.html", "<p>{{reference}}</p>")
    write(tmp_path, "acknowledgement.de.txt", ACK_TEXT.replace("Hello", "Hallo"))
    write(tmp_path, "acknowledgement.de.sms", "  Beschwerde {{reference}} erhalten\n")
    write(tmp_path, "README.md", "not a template {{")
    loaded = load_templates(tmp_path)
    assert loaded.languages(LetterKind.ACKNOWLEDGEMENT) == ("de", "en")
    english = loaded.get("acknowledgement", "EN")
    assert english is not None and english.sms is None and english.html is not None
    assert english.origin == str(tmp_path)
    assert english.subject.text == "Complaint {{reference}} received"
    assert english.text.text.startswith("Hello {{complainant_name}},")
    german = loaded.get(LetterKind.ACKNOWLEDGEMENT, "de")
    assert german is not None and german.html is None
    assert german.sms is not None and german.sms.text == "Beschwerde {{reference}} erhalten"


def test_overrides_replace_the_built_in_template_as_a_whole(tmp_path: Path) -> None:
    write(tmp_path, "acknowledgement.en.txt", ACK_TEXT)
    merged = builtin_templates().with_overrides(load_templates(tmp_path))
    english = merged.get(LetterKind.ACKNOWLEDGEMENT, "en")
    assert english is not None and english.origin == str(tmp_path)
    assert english.html is None and english.sms is None  # never the built-in HTML beside it
    french = merged.get(LetterKind.ACKNOWLEDGEMENT, "fr")
    assert french is not None and french.origin == "built-in"
    assert len(merged.templates) == len(builtin_templates().templates)


def test_an_unknown_variable_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "acknowledgement.en.txt", ACK_TEXT.replace("{{reference}}.", "{{ref}}."))
    with pytest.raises(ValidationError) as caught:
        load_templates(tmp_path)
    assert caught.value.field == str(path)
    assert caught.value.reason.startswith("line 4: unknown variable 'ref' (known here: ")


def test_a_missing_required_variable_names_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "decision.en.txt",
        "Subject: Our decision\n\nDear {{complainant_name}}, {{reference}}: {{reasons}}\n",
    )
    with pytest.raises(ValidationError) as caught:
        load_templates(tmp_path)
    assert caught.value.field == str(path)
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{path}: '{name}' is missing: every decision letter must use '{{{{{name}}}}}'"
        for name in ("internal_review_by", "external_body", "external_time_limit")
    ]


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "acknowledgement.en.txt", "Subject: {{reference}}\n\n{{#x}}\n")
    write(tmp_path, "acknowledgement.fr.html", "<p>{{reference}}</p>")
    write(tmp_path, "acknowledgment.en.txt", ACK_TEXT)
    write(tmp_path, "decision.en_GB.txt", ACK_TEXT)
    write(tmp_path, "decision.en.gb.txt", ACK_TEXT)
    write(tmp_path, "holding_response.en.txt", "no subject line\n\n{{reference}}")
    write(tmp_path, "satisfaction_survey.en.txt", "Subject: x\n\n{{reference}} {{survey_link}}")
    write(tmp_path, "satisfaction_survey.en.sms", "{{survey_lnk}}")
    (tmp_path / "summary_resolution.en.txt").write_bytes(b"Subject: \xff\n\n")
    with pytest.raises(ValidationError) as caught:
        load_templates(tmp_path)
    found = str(caught.value).splitlines()
    expected = [
        ("acknowledgement.en.txt", "line 3: the section '{{#x}}' is never closed"),
        ("acknowledgement.fr.html", "needs the text template beside it: acknowledgement.fr.txt"),
        ("acknowledgment.en.txt", "'acknowledgment' is not a letter kind"),
        ("decision.en.gb.txt", "name the file <kind>.<language>.<txt|html|sms>"),
        ("decision.en_GB.txt", "'en_GB' is not a language tag"),
        ("holding_response.en.txt", "line 1: a text template starts with 'Subject: …'"),
        ("satisfaction_survey.en.sms", "line 1: unknown variable 'survey_lnk'"),
        ("summary_resolution.en.txt", "is not UTF-8 text"),
    ]
    assert len(found) == len(expected)
    for (name, words), line in zip(sorted(expected), sorted(found), strict=True):
        assert line.startswith(f"{tmp_path / name}: "), line
        assert words in line, line


def test_a_subject_must_be_followed_by_a_blank_line(tmp_path: Path) -> None:
    write(tmp_path, "acknowledgement.en.txt", "Subject: {{reference}}\nDear you\n")
    with pytest.raises(ValidationError, match="line 1: a text template starts with"):
        load_templates(tmp_path)


def test_extra_variables_must_be_declared_to_be_used(tmp_path: Path) -> None:
    write(tmp_path, "acknowledgement.en.txt", ACK_TEXT + "Call {{phone}}.\n")
    with pytest.raises(ValidationError, match="line 8: unknown variable 'phone'"):
        load_templates(tmp_path)
    loaded = load_templates(tmp_path, extra_variables=["phone"])
    assert loaded.extra_variables == {"phone"}


TOML = '''# Our letters
[acknowledgement.en]
subject = "Complaint {{reference}} received"
text = """
Hello {{complainant_name}},
we have your complaint {{reference}}.
"""
sms = "Got {{reference}}"

[acknowledgement."fr-CA"]
subject = "Plainte {{reference}} reçue"
text = """
Bonjour {{complainant_name}}, {{reference}}.
"""
'''


def test_a_toml_file_gives_templates_too(tmp_path: Path) -> None:
    path = write(tmp_path, "letters.toml", TOML)
    loaded = load_templates(path)
    assert loaded.languages(LetterKind.ACKNOWLEDGEMENT) == ("en", "fr-CA")
    english = loaded.get(LetterKind.ACKNOWLEDGEMENT, "en")
    assert english is not None and english.sms is not None and english.html is None
    assert (
        english.text.text == "Hello {{complainant_name}},\nwe have your complaint {{reference}}.\n"
    )
    assert english.origin == str(path)


def test_toml_errors_name_the_file_the_table_and_the_file_line(tmp_path: Path) -> None:
    path = write(tmp_path, "letters.toml", TOML.replace("we have your", "we have {{yuor}}"))
    with pytest.raises(ValidationError) as caught:
        load_templates(path)
    assert caught.value.field == f"{path} [acknowledgement.en] text"
    assert caught.value.reason.startswith("line 6: unknown variable 'yuor'")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[decison.en]\nsubject = "x"\ntext = "{{reference}}"\n', "'decison' is not a letter kind"),
        ('[acknowledgement.en]\nsubject = "x"\n', "'text' is missing"),
        ('[acknowledgement.en]\nsubject = "x"\ntext = "{{reference}}"\nbody = "y"\n', "body"),
        ('[acknowledgement.en]\nsubject = "x"\ntext = 3\n', "must be a string"),
        ('[acknowledgement]\nen = "x"\n', "must be a table"),
        ("acknowledgement = 1\n", "must be a table of languages"),
        ('[acknowledgement.e_n]\nsubject = "x"\ntext = "{{reference}}"\n', "not a language tag"),
        ("[acknowledgement.en\n", "not valid TOML"),
    ],
)
def test_toml_mistakes_are_reported(tmp_path: Path, text: str, words: str) -> None:
    path = write(tmp_path, "letters.toml", text)
    with pytest.raises(ValidationError) as caught:
        load_templates(path)
    assert str(caught.value).startswith(str(path))
    assert words in str(caught.value)


def test_a_path_that_is_neither_a_directory_nor_toml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "letters.json", "{}")
    for wrong in (path, tmp_path / "missing"):
        with pytest.raises(ValidationError) as caught:
            load_templates(wrong)
        assert caught.value.field == str(wrong)


def test_a_template_built_in_code_is_checked_too() -> None:
    with pytest.raises(ValidationError) as caught:
        LetterTemplate(
            kind="acknowledgement",
            language="en",
            subject=Template(text="Re {{reference}}\nsecond line", name="subject"),
            text=Template(text="{{complainant_name}}", name="body"),
        )
    assert str(caught.value).splitlines() == [
        "subject: the subject must be one line",
        "body: 'reference' is missing: every acknowledgement letter must use '{{reference}}'",
    ]


def test_a_set_refuses_two_templates_of_one_kind_and_language() -> None:
    template = builtin_templates().get(LetterKind.DECISION, "en")
    assert template is not None
    with pytest.raises(ValidationError) as caught:
        TemplateSet(templates=(template, template))
    assert caught.value.field == "templates"
    assert "decision in 'en' is given twice" in caught.value.reason
