"""A programme is read from and written to JSON and TOML; a bad file is named with the bad field."""

from __future__ import annotations

import datetime as _dt
import json
import sys
import types
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iso10002 import _toml
from iso10002.errors import SerializationError, ValidationError
from iso10002.model.values import Channel
from iso10002.programme import (
    Charges,
    Programme,
    load_programme,
    programme_from_dict,
    programme_to_dict,
    save_programme,
)
from iso10002.testing.programmes import escalation, objective, policy, programme

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "programme.toml"


# -- the sample configuration ----------------------------------------------------------------


def test_the_sample_configuration_loads() -> None:
    p = load_programme(SAMPLE)
    assert p.organisation == "Brightwater Energy Ltd"
    assert p.version == "2025.1"
    assert p.effective_from == _dt.date(2025, 4, 1)
    assert p.policy.approved_on == _dt.date(2025, 3, 14)
    assert p.policy.text.startswith("Brightwater Energy welcomes complaints. We record")
    assert "\n" not in p.policy.text  # the line-ending backslashes join the lines
    assert p.access.channels == (
        Channel.PHONE,
        Channel.EMAIL,
        Channel.WEB_FORM,
        Channel.CHAT,
        Channel.LETTER,
    )
    assert p.access.languages == ("en", "cy")
    assert not p.charges.charged
    assert p.person_for("management_representative") == ("Tom Okafor",)
    assert p.person_for("customer_contact_staff") == ("Dan Hughes", "Megan Lloyd")
    assert p.objective("acknowledge-1-day").target == Decimal(98)
    assert p.objective("final-response-8-weeks").target == Decimal("99.5")
    assert p.confidentiality.retention_years == 6
    assert p.escalation.external_body is not None
    assert p.escalation.external_body.name == "Energy Ombudsman"
    assert p.resources[1].amount is None


def test_the_sample_has_a_lapsed_training_record() -> None:
    # The sample is also audit material: one contact agent's training lapsed in 2024.
    p = load_programme(str(SAMPLE))
    day = _dt.date(2025, 6, 1)
    assert p.trained("Dan Hughes", day)
    assert not p.trained("Megan Lloyd", day)


# -- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".toml", ".JSON", ".Toml"])
def test_save_then_load_gives_the_same_programme(tmp_path: Path, suffix: str) -> None:
    p = load_programme(SAMPLE)
    path = tmp_path / f"programme{suffix}"
    save_programme(p, path)
    assert load_programme(path) == p
    assert [f.name for f in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_save_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "programme.toml"
    save_programme(programme(), path)
    newer = attrs.evolve(programme(), version="2")
    save_programme(newer, path)
    assert load_programme(path).version == "2"


def _without_nulls(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_nulls(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_nulls(v) for v in data]
    return data


def test_json_and_toml_hold_the_same_data(tmp_path: Path) -> None:
    p = load_programme(SAMPLE)
    save_programme(p, tmp_path / "p.json")
    save_programme(p, tmp_path / "p.toml")
    from_json = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    from_toml = _toml.loads((tmp_path / "p.toml").read_text(encoding="utf-8"))
    assert from_toml == _without_nulls(from_json)
    assert from_json == programme_to_dict(p)


def test_the_dict_form_is_json_and_reads_back() -> None:
    p = programme()
    data = programme_to_dict(p)
    assert json.loads(json.dumps(data)) == data
    assert data["objectives"][0]["target"] == "95"  # decimals are strings, never floats
    assert data["access"]["channels"] == ["phone", "email"]
    assert data["effective_from"] == "2025-02-01"
    assert programme_from_dict(data) == p


def test_absent_optional_values_are_left_out_of_toml(tmp_path: Path) -> None:
    p = programme(
        escalation=escalation(external_body=None),
        charges=Charges(),
        objectives=(objective(reviewed_every=None),),
    )
    path = tmp_path / "p.toml"
    save_programme(p, path)
    text = path.read_text(encoding="utf-8")
    assert "external_body" not in text
    assert "reviewed_every" not in text
    assert "description" not in text.split("[charges]")[1].split("[")[0]
    assert load_programme(path) == p


def test_toml_output_is_readable(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    save_programme(programme(policy=policy(text="Line one.\nLine two.")), path)
    text = path.read_text(encoding="utf-8")
    assert "effective_from = 2025-02-01\n" in text  # a bare TOML date
    assert 'text = """\nLine one.\nLine two."""\n' in text
    assert "\n[[responsibilities]]\n" in text
    assert "\n[escalation.external_body]\n" in text
    assert 'target = "95"' in text


TRICKY = [
    'quotes " and """ and \\ backslash',
    "ends with a backslash \\",
    'ends with a quote"',
    "tab\tand\rreturn\x00nul\x7fdel\x1bescape",
    "\nstarts with a newline",
    "two\n\nparagraphs\r\nwindows line",
    'multi-line ending in quotes\n""',
    "unicode: café, 日本語, emoji 🙂, Welsh ŵ",
    "2025-04-01",  # a date-shaped text comes back as text
    "2025-02-30",  # not a date: stays a string
    "[not] = a table",
]


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_texts_round_trip_through_toml(tmp_path: Path, value: str) -> None:
    p = programme(version=value, policy=policy(text=value, published_at=(value,)))
    path = tmp_path / "p.toml"
    save_programme(p, path)
    assert load_programme(path) == p


_TEXT = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)


@given(text=_TEXT, places=st.lists(_TEXT, max_size=3, unique=True), target=st.integers(0, 100))
def test_any_text_round_trips_through_the_toml_writer(
    text: str, places: list[str], target: int
) -> None:
    p = programme(
        organisation=text,
        policy=policy(text=text, published_at=tuple(places)),
        objectives=(objective(description=text, target=target),),
    )
    data = programme_to_dict(p)
    assert programme_from_dict(_toml.loads(_toml.dumps(data))) == p


def test_keys_that_are_not_bare_are_quoted() -> None:
    text = _toml.dumps({"a key": "x", "b.c": {"d e": 1}, "ok-key_1": True})
    assert _toml.loads(text) == {"a key": "x", "b.c": {"d e": 1}, "ok-key_1": True}
    assert '"a key" = "x"' in text


def test_empty_arrays_and_tables_are_written() -> None:
    data: dict[str, Any] = {"items": [], "table": {}, "nested": {"rows": [{"a": 1}, {"a": 2}]}}
    assert _toml.loads(_toml.dumps(data)) == data


def test_native_toml_dates_and_times_become_iso_strings() -> None:
    data = _toml.loads(
        "day = 2025-01-02\nat = 2025-01-02T03:04:05+01:00\nlocal = 2025-01-02T03:04:05\n"
        "time = 07:30:00\nrows = [2025-01-03]\n[t]\nday = 2025-01-04\n"
    )
    assert data == {
        "day": "2025-01-02",
        "at": "2025-01-02T03:04:05+01:00",
        "local": "2025-01-02T03:04:05",
        "time": "07:30:00",
        "rows": ["2025-01-03"],
        "t": {"day": "2025-01-04"},
    }


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"ratio": 0.5}, "$.ratio"),
        ({"rows": [[1, 2]]}, "$.rows[0]"),
        ({"rows": [1, {"a": 1}]}, "$.rows[1]"),
        ({"t": {"rows": [{"a": [1.5]}]}}, "$.t.rows[0].a[0]"),
        ({"text": "lone \ud800 surrogate"}, "$.text"),
    ],
)
def test_the_writer_refuses_what_toml_cannot_hold(data: dict[str, Any], path: str) -> None:
    with pytest.raises(SerializationError) as info:
        _toml.dumps(data)
    assert info.value.path == path
    assert str(info.value).startswith(f"{path}: ")


# -- bad files -------------------------------------------------------------------------------


def _sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _sample_json(tmp_path: Path) -> dict[str, Any]:
    save_programme(load_programme(SAMPLE), tmp_path / "good.json")
    data: dict[str, Any] = json.loads((tmp_path / "good.json").read_text(encoding="utf-8"))
    return data


BAD_TOML = [
    (
        "unknown key",
        lambda t: t.replace("[charges]\n", "[charges]\nfee = 0\n"),
        "$.charges",
        "unknown keys: ['fee']",
    ),
    (
        "float target",
        lambda t: t.replace('target = "99.5"', "target = 99.5"),
        "$.objectives[1].target",
        "expected a decimal string, got float",
    ),
    (
        "text where a decimal is wanted",
        lambda t: t.replace('target = "99.5"', 'target = "ninety"'),
        "$.objectives[1].target",
        "is not a decimal number",
    ),
    (
        "integer where text is wanted",
        lambda t: t.replace('version = "2025.1"', "version = 2025"),
        "$.version",
        "expected a string, got int",
    ),
    (
        "text where an integer is wanted",
        lambda t: t.replace("retention_years = 6", 'retention_years = "6"'),
        "$.confidentiality.retention_years",
        "expected an integer",
    ),
    (
        "text where a bool is wanted",
        lambda t: t.replace("charged = false", 'charged = "no"'),
        "$.charges.charged",
        "expected true or false",
    ),
    (
        "misspelt field",
        lambda t: t.replace('retention_basis = "Energy', 'basis = "Energy'),
        "$.confidentiality.retention_basis",
        "required key is missing",
    ),
    (
        "missing required value",
        lambda t: t.replace('internal_review_by = "Aisha Patel, Customer Relations Manager"\n', ""),
        "$.escalation.internal_review_by",
        "required key is missing",
    ),
    (
        "bad date",
        lambda t: t.replace("approved_on = 2025-03-14", 'approved_on = "14/03/2025"'),
        "$.policy.approved_on",
        "is not a YYYY-MM-DD date",
    ),
    (
        "impossible date in text",
        lambda t: t.replace("approved_on = 2025-03-14", 'approved_on = "2025-02-30"'),
        "$.policy.approved_on",
        "is not a YYYY-MM-DD date",
    ),
    (
        "date and time where a date is wanted",
        lambda t: t.replace("effective_from = 2025-04-01", "effective_from = 2025-04-01T09:00:00"),
        "$.effective_from",
        "is not a YYYY-MM-DD date",
    ),
    (
        "unknown channel",
        lambda t: t.replace('"chat", "letter"', '"chat", "pigeon"'),
        "$.access.channels[4]",
        "'pigeon' is not a Channel",
    ),
    (
        "channels as one string",
        lambda t: t.replace(
            'channels = ["phone", "email", "web_form", "chat", "letter"]', 'channels = "phone"'
        ),
        "$.access.channels",
        "expected an array, got str",
    ),
    (
        "record invalid in itself",
        lambda t: t.replace("expires_on = 2026-01-20", "expires_on = 2024-01-20"),
        "$.training[1].expires_on",
        "must be after completed_on",
    ),
    (
        "programme invalid as a whole",
        lambda t: t.replace('id = "median-days-to-close"', 'id = "acknowledge-1-day"'),
        "$.objectives[3].id",
        "is used twice",
    ),
    (
        "no management representative",
        lambda t: t.replace('role = "management_representative"', 'role = "manager"'),
        "$.responsibilities",
        "no one holds the role 'management_representative'",
    ),
    (
        "a list of tables where a table is wanted",
        lambda t: t.replace("[charges]\n", "[[charges]]\n"),
        "$.charges",
        "expected an object, got list",
    ),
]


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [(e, p, m) for _, e, p, m in BAD_TOML],
    ids=[name for name, _, _, _ in BAD_TOML],
)
def test_a_bad_toml_file_is_named_with_the_bad_field(
    tmp_path: Path, edit: Any, path: str, message: str
) -> None:
    text = edit(_sample_text())
    assert text != _sample_text()  # the edit found its target
    file = _write(tmp_path, "bad.toml", text)
    with pytest.raises(SerializationError) as info:
        load_programme(file)
    assert info.value.path.startswith(path)
    assert str(info.value).startswith(f"{file}: {info.value.path}: ")
    assert message in str(info.value)


def test_the_error_for_a_float_target_gives_exactly_its_path(tmp_path: Path) -> None:
    text = _sample_text().replace('target = "99.5"', "target = 99.5")
    with pytest.raises(SerializationError) as info:
        load_programme(_write(tmp_path, "bad.toml", text))
    assert info.value.path == "$.objectives[1].target"


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (lambda d: d["objectives"][1].update(target=99.5), "$.objectives[1].target", "float"),
        (
            lambda d: d["escalation"]["external_body"].update(phone="0"),
            "$.escalation.external_body",
            "unknown keys: ['phone']",
        ),
        (lambda d: d["policy"].pop("text"), "$.policy.text", "required key is missing"),
        (
            lambda d: d["policy"].update(approved_on="2025-13-01"),
            "$.policy.approved_on",
            "YYYY-MM-DD",
        ),
        (lambda d: d["access"].update(languages=[]), "$.access.languages", "at least one"),
        (
            lambda d: d["escalation"].update(external_body="Ombudsman"),
            "$.escalation.external_body",
            "expected an object",
        ),
        (lambda d: d.update(objectives=None), "$.objectives", "expected an array"),
    ],
)
def test_a_bad_json_file_is_named_with_the_bad_field(
    tmp_path: Path, edit: Any, path: str, message: str
) -> None:
    data = _sample_json(tmp_path)
    edit(data)
    file = _write(tmp_path, "bad.json", json.dumps(data))
    with pytest.raises(SerializationError) as info:
        load_programme(file)
    assert info.value.path == path
    assert message in str(info.value)
    assert str(info.value).startswith(f"{file}: {path}: ")


def test_null_for_an_optional_value_is_accepted_in_json(tmp_path: Path) -> None:
    data = _sample_json(tmp_path)
    data["escalation"]["external_body"] = None
    p = load_programme(_write(tmp_path, "p.json", json.dumps(data)))
    assert p.escalation.external_body is None


def test_bad_toml_syntax(tmp_path: Path) -> None:
    file = _write(tmp_path, "bad.toml", 'organisation = "unterminated\n')
    with pytest.raises(SerializationError, match="not valid TOML") as info:
        load_programme(file)
    assert info.value.path == "$"
    assert str(info.value).startswith(f"{file}: $: ")


def test_bad_json_syntax(tmp_path: Path) -> None:
    file = _write(tmp_path, "bad.json", '{"organisation": ')
    with pytest.raises(SerializationError, match="not valid JSON") as info:
        load_programme(file)
    assert info.value.path == "$"
    assert str(file) in str(info.value)


def test_a_json_array_is_not_a_programme(tmp_path: Path) -> None:
    with pytest.raises(SerializationError, match="expected an object") as info:
        load_programme(_write(tmp_path, "bad.json", "[]"))
    assert info.value.path == "$"


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_bytes(b'organisation = "caf\xe9"\n')
    with pytest.raises(SerializationError, match="not UTF-8"):
        load_programme(file)


@pytest.mark.parametrize("name", ["programme.yaml", "programme", "programme.toml.bak"])
def test_an_unknown_suffix_is_refused_for_reading_and_writing(tmp_path: Path, name: str) -> None:
    file = _write(tmp_path, name, "")
    with pytest.raises(ValidationError, match=r"\.json or \.toml") as info:
        load_programme(file)
    assert info.value.field == "path"
    with pytest.raises(ValidationError, match=r"\.json or \.toml"):
        save_programme(programme(), tmp_path / f"new-{name}")
    assert not (tmp_path / f"new-{name}").exists()


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_programme(tmp_path / "absent.toml")


def test_a_text_that_cannot_be_written_is_refused_when_the_programme_is_built() -> None:
    # A lone surrogate is not text: no file or store could hold it, so the model refuses it
    # where it is given, naming the field, before anything is saved.
    with pytest.raises(ValidationError) as info:
        programme(organisation="lone \udc00 surrogate")
    assert info.value.field == "organisation"
    assert "lone surrogate at position 5" in str(info.value)


def test_from_dict_errors_name_the_path_without_a_file() -> None:
    with pytest.raises(SerializationError) as info:
        programme_from_dict({"organisation": "X"})
    assert str(info.value).startswith("$.")
    assert "required key is missing" in str(info.value)


# -- the TOML parser on Python 3.10 ----------------------------------------------------------


def test_without_a_parser_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As on Python 3.10 without tomli: neither module can be imported.
    monkeypatch.setitem(sys.modules, "tomllib", None)
    monkeypatch.setitem(sys.modules, "tomli", None)
    with pytest.raises(SerializationError, match=r"iso10002\[toml\]"):
        _toml.loads("a = 1")


def test_tomli_is_used_when_tomllib_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("tomli")
    fake.loads = lambda text: {"from": "tomli"}  # type: ignore[attr-defined]
    fake.TOMLDecodeError = ValueError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tomllib", None)
    monkeypatch.setitem(sys.modules, "tomli", fake)
    assert _toml.loads("a = 1") == {"from": "tomli"}


def test_a_programme_is_typed_after_loading(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    save_programme(programme(), path)
    loaded = load_programme(path)
    assert isinstance(loaded, Programme)
    assert isinstance(loaded.objectives[1].target, Decimal)
    assert loaded.objectives[1].target == 10
