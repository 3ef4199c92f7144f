"""Column mappings: built and checked as values, read from TOML and JSON files by path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iso10002.errors import SerializationError, ValidationError
from iso10002.importing import (
    ChannelColumn,
    ColumnMapping,
    RemedyColumns,
    StatusColumn,
    TimeColumn,
    load_mapping,
    mapping_from_dict,
    mapping_to_dict,
)
from iso10002.model.values import Channel, RemedyKind


def _minimal() -> dict[str, Any]:
    return {
        "system": "crm",
        "record_id": "id",
        "received_at": {"column": "opened"},
        "channel": {"default": "email"},
    }


def test_a_minimal_mapping_has_the_documented_defaults() -> None:
    mapping = mapping_from_dict(_minimal())
    assert mapping == ColumnMapping(
        system="crm",
        record_id="id",
        received_at=TimeColumn(column="opened", format="iso", zone="UTC"),
        channel=ChannelColumn(default=Channel.EMAIL),
    )
    assert (mapping.status, mapping.closed_at, mapping.timed) == (None, None, False)
    assert mapping.columns() == {"record_id": "id", "received_at.column": "opened"}


def test_a_full_mapping_round_trips_through_its_dict() -> None:
    mapping = ColumnMapping(
        system="legacy_crm",
        record_id="Ticket",
        received_at=TimeColumn(column="Opened", format="%d/%m/%Y", zone="Europe/London"),
        channel=ChannelColumn(column="Via", values={"Web": Channel.WEB_FORM}, default=None),
        category=["Area", "Topic"],
        product="Product",
        description="Text",
        status=StatusColumn(column="Status", values={"Done": "upheld"}),
        closed_at=TimeColumn(column="Closed"),
        reasons="Why",
        remedy=RemedyColumns(amount="Paid", currency_column="Cur", kind=RemedyKind.REFUND),
        attributes={"Region": "region"},
        timed=True,
    )
    assert mapping.category == ("Area", "Topic")
    assert mapping.channel.values == {"Web": "web_form"}
    data = mapping_to_dict(mapping)
    assert json.loads(json.dumps(data)) == data
    assert mapping_from_dict(data) == mapping
    assert set(mapping.columns().values()) == {
        "Ticket",
        "Opened",
        "Via",
        "Area",
        "Topic",
        "Product",
        "Text",
        "Status",
        "Closed",
        "Why",
        "Paid",
        "Cur",
        "Region",
    }


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"system": "Legacy CRM"}, "$.system", "lower-case letters"),
        ({"record_id": " "}, "$.record_id", "must not be empty"),
        ({"received_at": {"column": "x", "zone": "Mars/Base"}}, "$.received_at.zone", "IANA"),
        ({"received_at": {"column": "x", "format": "dd/mm"}}, "$.received_at.format", "strptime"),
        ({"channel": {}}, "$.channel.column", "give a column, a default channel, or both"),
        ({"channel": {"column": "c", "values": {"Web": "www"}}}, "$.channel.values.Web", "www"),
        ({"channel": {"default": "fax"}}, "$.channel.default", "'fax' is not a Channel"),
        (
            {"status": {"column": "s", "values": {"Done": "finished"}}},
            "$.status.values.Done",
            "'finished' is not a status",
        ),
        (
            {"status": {"column": "s", "values": {"Done": "upheld"}}},
            "$.closed_at",
            "name the column of the closing date",
        ),
        ({"remedy": {"amount": "a"}}, "$.remedy.currency", "give either currency or"),
        ({"remedy": {"amount": "a", "currency": "pounds"}}, "$.remedy.currency", "ISO 4217"),
        ({"remedy": {"amount": "a", "currency": "GBP", "kind": "cash"}}, "$.remedy.kind", "cash"),
        ({"category": "Area"}, "$.category", "expected an array"),
        ({"attributes": {"Region": " "}}, "$.attributes.Region", "the attribute key is blank"),
        ({"timed": "yes"}, "$.timed", "expected true or false"),
        ({"colour": "red"}, "$", "unknown keys: ['colour']"),
        ({"outcome": {"column": "o"}}, "$.outcome", "give a status column too"),
        ({"satisfaction": {"column": "s"}}, "$.satisfaction", "give a status column too"),
        ({"category_separator": ""}, "$.category_separator", "expected a non-empty text"),
        (
            {
                "status": {"column": "s"},
                "closed_at": {"column": "c"},
                "satisfaction": {"column": "x", "scale": 11},
            },
            "$.satisfaction.scale",
            "must be between 2 and 10",
        ),
        (
            {
                "status": {"column": "s"},
                "closed_at": {"column": "c"},
                "outcome": {"column": "o", "values": {"Yes": "closed"}},
            },
            "$.outcome.values.Yes",
            "'closed' is not an outcome",
        ),
    ],
)
def test_a_bad_mapping_names_the_field(change: dict[str, Any], path: str, message: str) -> None:
    data = {**_minimal(), **change}
    with pytest.raises(SerializationError) as caught:
        mapping_from_dict(data)
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_mapping_built_in_python_checks_itself() -> None:
    with pytest.raises(ValidationError) as caught:
        ColumnMapping(
            system="crm",
            record_id="id",
            received_at=TimeColumn(column="at"),
            channel=ChannelColumn(default=Channel.EMAIL),
            status=StatusColumn(column="s", values={"x": "withdrawn"}),
        )
    assert caught.value.field == "closed_at"
    with pytest.raises(ValidationError) as caught:
        ChannelColumn(column="c", default="email")  # type: ignore[arg-type]
    assert caught.value.field == "default"
    assert "pass Channel('email')" in caught.value.reason


TOML = """
system = "crm"
record_id = "id"

[received_at]
column = "opened"
format = "%Y-%m-%d"

[channel]
column = "via"
values = { "Web" = "web_form" }
"""


def test_mapping_files_in_toml_and_json_give_the_same_mapping(tmp_path: Path) -> None:
    toml = tmp_path / "mapping.toml"
    toml.write_text(TOML, encoding="utf-8")
    from_toml = load_mapping(toml)
    as_json = tmp_path / "mapping.json"
    as_json.write_text(json.dumps(mapping_to_dict(from_toml)), encoding="utf-8")
    assert load_mapping(as_json) == from_toml
    assert from_toml.channel.values == {"Web": "web_form"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("m.toml", TOML.replace('format = "%Y-%m-%d"', 'format = "Y"'), "$.received_at.format"),
        ("m.toml", "system = ", "$: not valid TOML"),
        ("m.json", "{", "$: not valid JSON"),
        ("m.json", json.dumps({"system": "crm"}), "$.record_id: required key is missing"),
    ],
)
def test_a_bad_mapping_file_is_named_with_the_field(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SerializationError) as caught:
        load_mapping(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_mapping_file_must_be_toml_or_json(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text("system: crm\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_mapping(path)
    assert caught.value.field == "path"
    assert "a mapping file ends in .json or .toml" in caught.value.reason
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"system": "crém"}'.encode("latin-1"))
    with pytest.raises(SerializationError, match=r"latin\.json: \$: not UTF-8 text"):
        load_mapping(latin)
