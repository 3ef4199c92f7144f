"""
Column mappings: which column of a CSV or JSON export gives which part of a complaint.

A :class:`ColumnMapping` is a value like any other configuration record: frozen, checked when
it is built, and read from a ``.toml`` or ``.json`` file through the library's converter
(unknown keys are an error; a bad value is named by its path, e.g. ``$.channel.values.Web``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs

from iso10002._datafile import read_file
from iso10002.errors import ValidationError
from iso10002.importing.cells import ISO, check_zone
from iso10002.importing.history import check_system
from iso10002.model import _checks as check
from iso10002.model.values import Channel, RemedyKind
from iso10002.serialization import structure, unstructure

__all__ = [
    "STATUSES",
    "ChannelColumn",
    "ColumnMapping",
    "OutcomeColumn",
    "RemedyColumns",
    "SatisfactionColumn",
    "StatusColumn",
    "TimeColumn",
    "load_mapping",
    "mapping_from_dict",
    "mapping_to_dict",
]

STATUSES = ("open", "upheld", "partially_upheld", "not_upheld", "closed", "withdrawn")
"""What a source status may mean: still ``open``; closed with a decision (``upheld``,
``partially_upheld``, ``not_upheld``); ``closed`` without a decision; ``withdrawn``."""

DECIDED = ("upheld", "partially_upheld", "not_upheld")


def _system(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_system(value, attribute.name)


def _format(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or (value != ISO and "%" not in value):
        raise ValidationError(
            attribute.name,
            f"{value!r} is neither 'iso' nor a strptime format such as '%d/%m/%Y %H:%M'",
        )


def _zone(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_zone(value, attribute.name)


def _channel_values(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.text_mapping(_inst, attribute, value)
    assert isinstance(value, dict)
    allowed = {c.value for c in Channel}
    for source, channel in value.items():
        if channel not in allowed:
            raise ValidationError(
                f"{attribute.name}.{source}",
                f"{channel!r} is not a Channel (allowed: {', '.join(sorted(allowed))})",
            )


def _status_values(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.text_mapping(_inst, attribute, value)
    assert isinstance(value, dict)
    for source, status in value.items():
        if status not in STATUSES:
            raise ValidationError(
                f"{attribute.name}.{source}",
                f"{status!r} is not a status (allowed: {', '.join(STATUSES)})",
            )


def _attribute_keys(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.text_mapping(_inst, attribute, value)
    assert isinstance(value, dict)
    for column, key in value.items():
        if not key.strip():
            raise ValidationError(f"{attribute.name}.{column}", "the attribute key is blank")


@attrs.frozen(kw_only=True)
class TimeColumn:
    """
    A column of instants or dates.

    ``format`` is ``"iso"`` (ISO 8601: ``2024-03-01``, ``2024-03-01 14:30``,
    ``2024-03-01T14:30:00Z``, …) or a :func:`~datetime.datetime.strptime` format such as
    ``"%d/%m/%Y %H:%M"``. A value without a UTC offset is local time in ``zone``; a date
    alone is its local midnight.
    """

    column: str = attrs.field(validator=check.text)
    format: str = attrs.field(default=ISO, validator=_format)
    zone: str = attrs.field(default="UTC", validator=_zone)


@attrs.frozen(kw_only=True)
class ChannelColumn:
    """
    How a complaint came in: the column and its values, or one channel for every record.

    A cell is looked up in ``values`` (source value to channel name, exactly, then without
    regard to case), else taken as a channel name itself (``email``, ``web_form``, …). A
    blank cell, or no column, gives ``default``; any other value refuses the record.
    """

    column: str | None = attrs.field(default=None, validator=check.optional_text)
    values: Mapping[str, str] = attrs.field(
        factory=dict, converter=check.to_str_mapping, validator=_channel_values, hash=False
    )
    default: Channel | None = attrs.field(default=None, validator=check.optional_member_of(Channel))

    def __attrs_post_init__(self) -> None:
        if self.column is None and self.default is None:
            raise ValidationError("column", "give a column, a default channel, or both")


@attrs.frozen(kw_only=True)
class StatusColumn:
    """
    Where the handling got to: the column, and what each of its values means (one of
    :data:`STATUSES`). A cell is looked up in ``values`` exactly, then without regard to case,
    else taken as a status name itself; any other value refuses the record.
    """

    column: str = attrs.field(validator=check.text)
    values: Mapping[str, str] = attrs.field(
        factory=dict, converter=check.to_str_mapping, validator=_status_values, hash=False
    )


@attrs.frozen(kw_only=True)
class RemedyColumns:
    """
    Money paid or refunded: the amount column (digits, with a decimal point if any), and the
    currency, fixed (``currency``) or per record (``currency_column``). A record with an
    amount gets a remedy of ``kind`` with that amount.
    """

    amount: str = attrs.field(validator=check.text)
    currency: str | None = attrs.field(default=None)
    currency_column: str | None = attrs.field(default=None, validator=check.optional_text)
    kind: RemedyKind = attrs.field(
        default=RemedyKind.COMPENSATION, validator=check.member_of(RemedyKind)
    )

    @currency.validator
    def _currency(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            check.currency(self, attribute, value)

    def __attrs_post_init__(self) -> None:
        if (self.currency is None) == (self.currency_column is None):
            raise ValidationError("currency", "give either currency or currency_column")


def _outcome_values(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.text_mapping(_inst, attribute, value)
    assert isinstance(value, dict)
    for source, outcome in value.items():
        if outcome not in DECIDED:
            raise ValidationError(
                f"{attribute.name}.{source}",
                f"{outcome!r} is not an outcome (allowed: {', '.join(DECIDED)})",
            )


@attrs.frozen(kw_only=True)
class OutcomeColumn:
    """
    The decision of a closed record, when the source keeps it apart from the status: the
    column, and what its values mean (``upheld``, ``partially_upheld``, ``not_upheld``). A
    cell is looked up in ``values`` exactly, then without regard to case, else taken as an
    outcome name itself; a blank cell means no decision; any other value refuses the record.
    """

    column: str = attrs.field(validator=check.text)
    values: Mapping[str, str] = attrs.field(
        factory=dict, converter=check.to_str_mapping, validator=_outcome_values, hash=False
    )


@attrs.frozen(kw_only=True)
class SatisfactionColumn:
    """The complainant's satisfaction with the handling: a whole score from 1 to ``scale``."""

    column: str = attrs.field(validator=check.text)
    scale: int = attrs.field(default=5, validator=check.int_range(2, 10))


def _category(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.tuple_of_text(_inst, attribute, value)


def _separator(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise ValidationError(attribute.name, f"expected a non-empty text, got {value!r}")


@attrs.frozen(kw_only=True)
class ColumnMapping:
    """
    Which column gives which part of an imported complaint.

    Only ``system``, ``record_id``, ``received_at`` and ``channel`` are required; see the
    importing guide for what each part becomes and for the defaults.
    """

    system: str = attrs.field(validator=_system)
    """The source system's name (lower-case letters, digits, ``_``): client keys are
    ``system:record_id``, references ``SYSTEM-record_id``."""
    record_id: str = attrs.field(validator=check.text)
    """The column of the record's id in the source; unique within the source."""
    received_at: TimeColumn = attrs.field(validator=check.instance(TimeColumn))
    channel: ChannelColumn = attrs.field(validator=check.instance(ChannelColumn))
    category: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=_category
    )
    """Columns of the category path, most general first; blank cells are left out."""
    category_separator: str | None = attrs.field(default=None, validator=_separator)
    """Splits each category cell into levels, e.g. ``" / "`` for ``Billing / Wrong amount``."""
    product: str | None = attrs.field(default=None, validator=check.optional_text)
    """The column of the product or service."""
    description: str | None = attrs.field(default=None, validator=check.optional_text)
    """The column of the complaint's text; without one, or when blank, the category path
    (else ``Imported from <system>``) stands in."""
    status: StatusColumn | None = attrs.field(
        default=None, validator=check.optional_instance(StatusColumn)
    )
    """Without a status column every record is imported as still open."""
    closed_at: TimeColumn | None = attrs.field(
        default=None, validator=check.optional_instance(TimeColumn)
    )
    """When a record was closed or withdrawn; needed with a status column."""
    acknowledged_at: TimeColumn | None = attrs.field(
        default=None, validator=check.optional_instance(TimeColumn)
    )
    """When receipt was acknowledged; a blank cell: never."""
    outcome: OutcomeColumn | None = attrs.field(
        default=None, validator=check.optional_instance(OutcomeColumn)
    )
    """The decision of a record whose status is ``closed``."""
    responded_at: TimeColumn | None = attrs.field(
        default=None, validator=check.optional_instance(TimeColumn)
    )
    """When the decision was communicated; blank or no column: when the record was closed."""
    reasons: str | None = attrs.field(default=None, validator=check.optional_text)
    """The column of the decision's reasons."""
    remedy: RemedyColumns | None = attrs.field(
        default=None, validator=check.optional_instance(RemedyColumns)
    )
    satisfaction: SatisfactionColumn | None = attrs.field(
        default=None, validator=check.optional_instance(SatisfactionColumn)
    )
    """Satisfaction with the handling, recorded on closed records."""
    root_cause: str | None = attrs.field(default=None, validator=check.optional_text)
    """The column of the root cause found."""
    attributes: Mapping[str, str] = attrs.field(
        factory=dict, converter=check.to_str_mapping, validator=_attribute_keys, hash=False
    )
    """Column to attribute key: the non-blank cells become the complaint's attributes."""
    timed: bool = attrs.field(default=False, validator=check.instance(bool))
    """Whether the source's instants are precise enough to measure durations with."""

    def __attrs_post_init__(self) -> None:
        if self.status is not None and self.closed_at is None:
            raise ValidationError(
                "closed_at", "a status column closes records: name the column of the closing date"
            )
        if self.status is None:
            for name in ("outcome", "responded_at", "satisfaction"):
                if getattr(self, name) is not None:
                    raise ValidationError(
                        name, "only closed records have it: give a status column too"
                    )

    def columns(self) -> dict[str, str]:
        """Every column the mapping reads, by the mapping field that names it."""
        found: dict[str, str | None] = {
            "record_id": self.record_id,
            "received_at.column": self.received_at.column,
            "channel.column": self.channel.column,
            "product": self.product,
            "description": self.description,
            "status.column": self.status.column if self.status else None,
            "closed_at.column": self.closed_at.column if self.closed_at else None,
            "acknowledged_at.column": self.acknowledged_at.column if self.acknowledged_at else None,
            "outcome.column": self.outcome.column if self.outcome else None,
            "responded_at.column": self.responded_at.column if self.responded_at else None,
            "reasons": self.reasons,
            "satisfaction.column": self.satisfaction.column if self.satisfaction else None,
            "root_cause": self.root_cause,
            "remedy.amount": self.remedy.amount if self.remedy else None,
            "remedy.currency_column": self.remedy.currency_column if self.remedy else None,
        }
        for index, column in enumerate(self.category):
            found[f"category[{index}]"] = column
        for column in self.attributes:
            found[f"attributes.{column}"] = column
        return {field: column for field, column in found.items() if column is not None}


def mapping_from_dict(data: object) -> ColumnMapping:
    """
    Build a mapping from JSON-shaped ``data`` (as a mapping file holds it).

    Raises:
        SerializationError: a key is unknown or missing, or a value is bad; the message and
            ``path`` say where (``$.received_at.zone``).
    """
    return structure(data, ColumnMapping)


def mapping_to_dict(mapping: ColumnMapping) -> dict[str, Any]:
    """The JSON-shaped form of ``mapping``; :func:`mapping_from_dict` reads it back."""
    data: dict[str, Any] = unstructure(mapping)
    return data


def load_mapping(path: str | os.PathLike[str]) -> ColumnMapping:
    """
    Read a mapping from a ``.toml`` or ``.json`` file.

    Raises:
        ValidationError: the file name ends in neither ``.json`` nor ``.toml`` (field ``path``).
        SerializationError: the file is not UTF-8, not valid JSON or TOML, or not a valid
            mapping; the message starts with the file name, then the path of the bad value.
        OSError: the file cannot be read.
    """
    return read_file(path, mapping_from_dict, "mapping")
