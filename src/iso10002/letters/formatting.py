"""
Dates, deadlines and amounts written the way a letter in a given language writes them.

The library knows English (``en``), Welsh (``cy``), French (``fr``), German (``de``) and
Spanish (``es``), by the primary subtag of the language tag (``fr-CA`` is written as ``fr``).
Any other language gets ISO dates (``2026-03-05``) and amounts with their currency code
(``42.10 GBP``), which every reader can parse; the organisation should check the result with a
native speaker either way.

Instants are shown in a time zone (the business calendar's): a deadline at local midnight is
the end of the day before, and is written as that date alone ("27 April 2026"); any other
deadline also gives the local time ("17:00 on 5 March 2026").
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from iso10002.errors import ValidationError
from iso10002.model.values import Money

__all__ = ["format_date", "format_deadline", "format_money", "primary_language"]


@attrs.frozen
class _Words:
    months: tuple[str, ...]
    group: str
    decimal: str


_WORDS = {
    "en": _Words(
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        ",",
        ".",
    ),
    "cy": _Words(
        (
            "Ionawr",
            "Chwefror",
            "Mawrth",
            "Ebrill",
            "Mai",
            "Mehefin",
            "Gorffennaf",
            "Awst",
            "Medi",
            "Hydref",
            "Tachwedd",
            "Rhagfyr",
        ),
        ",",
        ".",
    ),
    "fr": _Words(
        (
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ),
        "\u202f",  # French groups thousands with a narrow no-break space
        ",",
    ),
    "de": _Words(
        (
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ),
        ".",
        ",",
    ),
    "es": _Words(
        (
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ),
        ".",
        ",",
    ),
}

_SYMBOLS = {"GBP": "£", "EUR": "€"}
# ISO 4217 currencies without minor units that a complaints letter may plausibly name.
_NO_MINOR_UNITS = frozenset({"JPY", "KRW", "ISK", "CLP", "VND", "XOF", "XAF", "UGX"})


def primary_language(tag: str) -> str:
    """The primary subtag of a language tag, lower-case: ``"fr"`` for ``"fr-CA"``."""
    return tag.split("-", 1)[0].lower()


def format_date(day: _dt.date, language: str) -> str:
    """``day`` as the letter's language writes it: ``2 March 2026``, ``1er mars 2026``."""
    if isinstance(day, _dt.datetime) or not isinstance(day, _dt.date):
        raise ValidationError("day", f"expected a date, got {type(day).__name__}")
    lang = primary_language(language)
    words = _WORDS.get(lang)
    if words is None:
        return day.isoformat()
    month = words.months[day.month - 1]
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    if lang == "de":
        return f"{day.day}. {month} {day.year}"
    if lang == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{day.day} {month} {day.year}"


def format_deadline(instant: _dt.datetime, zone: str, language: str) -> str:
    """
    A deadline in ``zone``: the date alone when it falls at the end of a day (local midnight),
    otherwise the local time and the date (``17:00 on 5 March 2026``).

    Raises:
        ValidationError: ``instant`` is naive (field ``due``), or ``zone`` is unknown.
    """
    if not isinstance(instant, _dt.datetime) or instant.utcoffset() is None:
        raise ValidationError("due", "expected an aware datetime")
    local = instant.astimezone(_zone(zone))
    if local.time() == _dt.time(0):
        return format_date(local.date() - _dt.timedelta(days=1), language)
    if local.time() == _dt.time(23, 59, 59, 999999):
        return format_date(local.date(), language)
    day = format_date(local.date(), language)
    hm = f"{local.hour:02d}:{local.minute:02d}"
    lang = primary_language(language)
    if lang == "en":
        return f"{hm} on {day}"
    if lang == "cy":
        return f"{hm} ar {day}"
    if lang == "fr":
        return f"{day} à {local.hour} h {local.minute:02d}"
    if lang == "de":
        return f"{day}, {hm} Uhr"
    if lang == "es":
        return f"{day} a las {hm}"
    return f"{day} {hm}"


def format_money(money: Money, language: str) -> str:
    """``money`` as the letter's language writes it: ``£1,234.50``, ``1 234,50 €``."""
    places = 0 if money.currency in _NO_MINOR_UNITS else 2
    exponent = money.amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        places = -exponent  # never round an amount the decision gave more precisely
    amount = money.amount.quantize(Decimal(1).scaleb(-places))
    lang = primary_language(language)
    words = _WORDS.get(lang)
    if words is None:
        return f"{amount} {money.currency}"
    whole, _, fraction = f"{amount:f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", words.group)
    number = grouped + (words.decimal + fraction if fraction else "")
    symbol = _SYMBOLS.get(money.currency)
    if lang in ("en", "cy"):
        return f"{symbol}{number}" if symbol else f"{money.currency} {number}"
    return f"{number} {symbol or money.currency}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except Exception as e:  # ZoneInfoNotFoundError, or ValueError for a malformed key
        raise ValidationError("zone", f"{name!r} is not a known IANA time zone") from e
