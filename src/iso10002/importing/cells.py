"""
Reading one cell of an import: dates, instants, amounts, and the error that names the cell.

Every cell arrives as text (CSV cells are text; JSON numbers are kept as their text). The
readers here turn that text into values and raise :class:`BadCell` naming the column and the
value when they cannot; the importers turn it into a :class:`~iso10002.importing.report.RowError`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from iso10002.errors import ValidationError
from iso10002.importing.report import quote

__all__ = [
    "BadCell",
    "DayReader",
    "InstantReader",
    "amount",
    "check_zone",
    "identifier",
    "required",
]

_UTC = _dt.timezone.utc
_CACHE_LIMIT = 20_000  # distinct values remembered per reader; dates repeat, instants may not


class BadCell(ValidationError):
    """One cell cannot be read; ``field`` is the column, ``value`` the text found there."""

    def __init__(self, column: str, value: str, message: str) -> None:
        self.value = value
        super().__init__(column, message)


def required(row: Mapping[str, str], column: str) -> str:
    """The stripped text of a cell that must not be blank."""
    value = row.get(column, "").strip()
    if not value:
        raise BadCell(column, "", "is blank, and a value is required")
    return value


_IDENTIFIER_LENGTH = 100


def identifier(column: str, value: str) -> str:
    """
    ``value``, a record's id, if it can name a complaint: printable, without spaces or line
    breaks, at most 100 characters. It becomes part of the complaint's reference, which
    notifications carry in headers and a terminal shows: a line break or an escape sequence
    there would break the one or take over the other.
    """
    if len(value) > _IDENTIFIER_LENGTH:
        raise BadCell(
            column, value, f"{quote(value)} is longer than {_IDENTIFIER_LENGTH} characters"
        )
    if not value.isprintable() or any(c.isspace() for c in value):
        raise BadCell(
            column,
            value,
            f"{quote(value)} is not an identifier: it holds a space, a line break or a "
            "control character",
        )
    return value


def check_zone(zone: object, field: str = "zone") -> ZoneInfo:
    """The IANA zone named ``zone``; a ValidationError naming ``field`` if there is none."""
    if not isinstance(zone, str) or not zone.strip():
        raise ValidationError(field, f"expected an IANA time zone name, got {zone!r}")
    try:
        return ZoneInfo(zone)
    except Exception as e:  # ZoneInfoNotFoundError, or ValueError for a malformed key
        raise ValidationError(field, f"{zone!r} is not a known IANA time zone") from e


EARLIEST = _dt.datetime(1900, 1, 1, tzinfo=_UTC)
"""The earliest instant an import accepts. An earlier one is a mistyped year (0001, 1026), and
reports, deadlines and time zones need room before a complaint: a complaint received in year 1
would make every report over all complaints start where the calendar does."""


def _to_utc(local: _dt.datetime) -> _dt.datetime:
    # Near year 1 or 9999 a zone's offset can push the instant out of datetime's range.
    instant = local.astimezone(_UTC)
    if instant < EARLIEST:
        raise _TooEarly
    return instant


class _TooEarly(ValueError):
    """An instant before :data:`EARLIEST`."""


def _too_early(column: str, text: str) -> BadCell:
    return BadCell(column, text, f"{quote(text)} is before {EARLIEST:%Y-%m-%d}")


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class DayReader:
    """
    Reads calendar dates written ``YYYY-MM-DD`` or ``MM/DD/YYYY`` as the instant of their
    midnight in ``zone``, in UTC. Values are remembered: an export has few distinct dates.
    """

    FORMATS = "YYYY-MM-DD or MM/DD/YYYY"

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._seen: dict[str, _dt.datetime] = {}

    def __call__(self, column: str, text: str) -> _dt.datetime:
        """The midnight of the date ``text`` (stripped) in the reader's zone, in UTC."""
        found = self._seen.get(text)
        if found is not None:
            return found
        iso = _ISO_DAY.fullmatch(text)
        us = None if iso else _US_DAY.fullmatch(text)
        try:
            if iso:
                day = _dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
            elif us:
                day = _dt.date(int(us[3]), int(us[1]), int(us[2]))
            else:
                raise ValueError(text)
            instant = _to_utc(_dt.datetime.combine(day, _dt.time(0), self._zone))
        except _TooEarly:
            raise _too_early(column, text) from None
        except (ValueError, OverflowError):
            raise BadCell(column, text, f"{quote(text)} is not a date ({self.FORMATS})") from None
        if len(self._seen) >= _CACHE_LIMIT:
            self._seen.clear()
        self._seen[text] = instant
        return instant


_ISO_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"([Zz]|[+-]\d{2}:?\d{2})?)?"
)

ISO = "iso"
"""The format name for ISO 8601 values: a date, or a date and time, with or without offset."""


_OFFSETS: dict[str, _dt.tzinfo] = {"Z": _UTC, "z": _UTC}


def _offset(text: str) -> _dt.tzinfo:
    found = _OFFSETS.get(text)
    if found is None:
        sign = -1 if text[0] == "-" else 1
        digits = text[1:].replace(":", "")
        delta = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        found = _dt.timezone(sign * delta)  # ValueError from 24 hours on
        if len(_OFFSETS) < 1000:  # a handful in practice; the bound keeps bad data out
            _OFFSETS[text] = found
    return found


def _iso(text: str) -> _dt.datetime:
    m = _ISO_INSTANT.fullmatch(text)
    if m is None:
        raise ValueError(text)
    try:
        # The C parser, for the shapes the pattern admits; on Python 3.10 it refuses some
        # (a "Z", a fraction that is not 3 or 6 digits long), which are built from the parts.
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    year, month, day, hour, minute, second, fraction, offset = m.groups()
    return _dt.datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        int((fraction or "0").ljust(6, "0")),
        tzinfo=_offset(offset) if offset else None,
    )


class InstantReader:
    """
    Reads instants written in ``format``: :data:`ISO`, or a :func:`~datetime.datetime.strptime`
    format such as ``%d/%m/%Y %H:%M``. A value without a UTC offset is local time in ``zone``;
    a date alone is its local midnight. The result is in UTC.
    """

    def __init__(self, format: str, zone: ZoneInfo) -> None:
        self._format = format
        self._zone = zone
        self._seen: dict[str, _dt.datetime] = {}
        self._expected = "ISO 8601" if format == ISO else f"expected format {format}"

    def _parse(self, text: str) -> _dt.datetime:
        if self._format == ISO:
            return _iso(text)
        return _dt.datetime.strptime(text, self._format)

    def __call__(self, column: str, text: str) -> _dt.datetime:
        """The instant ``text`` (stripped) stands for, in UTC."""
        found = self._seen.get(text)
        if found is not None:
            return found
        try:
            parsed = self._parse(text)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=self._zone)
            instant = _to_utc(parsed)
        except _TooEarly:
            raise _too_early(column, text) from None
        except (ValueError, OverflowError):
            raise BadCell(
                column, text, f"{quote(text)} is not a date or time ({self._expected})"
            ) from None
        if len(self._seen) >= _CACHE_LIMIT:
            self._seen.clear()
        self._seen[text] = instant
        return instant


_AMOUNT = re.compile(r"\d+(\.\d+)?")


def amount(column: str, text: str) -> Decimal:
    """A non-negative decimal amount written with digits and an optional decimal point."""
    if not _AMOUNT.fullmatch(text):
        raise BadCell(
            column, text, f"{quote(text)} is not an amount (digits, with a decimal point if any)"
        )
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise BadCell(column, text, f"{quote(text)} is not an amount") from None
