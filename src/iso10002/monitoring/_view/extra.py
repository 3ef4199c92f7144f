"""
Report fields the standard sections do not know (a newer report, or a subclass with extra
fields) are not dropped: each becomes a section "Other figures" laid out from its JSON shape,
plain values as facts and lists of records as tables.
"""

from __future__ import annotations

from typing import Any

import attrs

from iso10002.monitoring._view.layout import Section, Table
from iso10002.monitoring._view.words import name
from iso10002.monitoring.report import KpiReport
from iso10002.serialization import unstructure

__all__ = ["extra_sections"]

_KNOWN_FIELDS = frozenset(
    {
        "schema",
        "generated_at",
        "period",
        "previous",
        "volume",
        "by_channel",
        "by_category",
        "by_product",
        "by_priority",
        "timeliness",
        "sla",
        "outcomes",
        "remedies",
        "redress",
        "rates",
        "satisfaction",
        "customers",
        "per_1000_customers",
        "root_causes",
        "trend",
        "comparison",
        "rules",
        "surveys",
    }
)
"""The report fields the standard sections lay out; any other is shown as recorded."""


def _is_records(data: object) -> bool:
    return isinstance(data, list) and bool(data) and all(isinstance(x, dict) for x in data)


def _cell(value: object) -> str:
    """One JSON value as text: numbers with separators, records as ``key: value`` lists."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return format(value, ",")
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return ", ".join(f"{name(str(k))}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ("; " if _is_records(value) else ", ").join(_cell(x) for x in value)
    return str(value)


def _records(caption: str, records: list[dict[str, Any]]) -> Table:
    keys = list(dict.fromkeys(k for item in records for k in item))
    numeric = tuple(
        all(isinstance(i.get(k), (int, float)) and not isinstance(i.get(k), bool) for i in records)
        for k in keys
    )
    return Table(
        caption=caption,
        headers=tuple(name(k) for k in keys),
        numeric=numeric,
        rows=tuple(tuple(_cell(item.get(k)) for k in keys) for item in records),
    )


def _record(section: str, heading: str, data: dict[str, Any], text: tuple[str, ...]) -> Section:
    """One record: its plain values as facts, each list of records in it as a table."""
    return Section(
        id=section,
        heading=heading,
        text=text,
        facts=tuple((name(k), _cell(v)) for k, v in data.items() if not _is_records(v)),
        tables=tuple(_records(name(k), v) for k, v in data.items() if _is_records(v)),
    )


def _extra(field: str, value: object) -> list[Section]:
    """A field the standard sections do not know, laid out from its JSON shape."""
    data: Any = unstructure(value)
    heading = f"Other figures: {name(field)}"
    section = f"extra-{field}"
    text = (f"Shown as recorded in the report's field {field!r}.",)
    if _is_records(data) and any(_is_records(v) for item in data for v in item.values()):
        return [
            _record(f"{section}-{i}", f"{heading} ({i} of {len(data)})", item, text)
            for i, item in enumerate(data, 1)
        ]
    if _is_records(data):
        return [
            Section(id=section, heading=heading, text=text, tables=(_records(name(field), data),))
        ]
    if isinstance(data, dict):
        return [_record(section, heading, data, text)]
    if isinstance(data, list):
        items = tuple(_cell(x) for x in data) or ("(none)",)
        return [Section(id=section, heading=heading, text=text, items=items)]
    return [Section(id=section, heading=heading, text=text, facts=((name(field), _cell(data)),))]


def extra_sections(report: KpiReport) -> list[Section]:
    """Sections for each report field outside ``_KNOWN_FIELDS``, in field order."""
    return [
        section
        for f in attrs.fields(type(report))
        if f.name not in _KNOWN_FIELDS
        for section in _extra(f.name, getattr(report, f.name))
    ]
