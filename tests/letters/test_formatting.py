"""Dates, deadlines and amounts as each language writes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from iso10002 import Money, ValidationError
from iso10002.letters import format_date, format_deadline, format_money

UTC = dt.timezone.utc
DAY = dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1 March 2026"),
        ("en-GB", "1 March 2026"),
        ("cy", "1 Mawrth 2026"),
        ("fr", "1er mars 2026"),
        ("fr-CA", "1er mars 2026"),
        ("de", "1. März 2026"),
        ("es", "1 de marzo de 2026"),
        ("pl", "2026-03-01"),
    ],
)
def test_dates(language: str, expected: str) -> None:
    assert format_date(DAY, language) == expected


def test_french_writes_ordinals_only_for_the_first() -> None:
    assert format_date(dt.date(2026, 8, 2), "fr") == "2 août 2026"


def test_a_datetime_is_not_a_date() -> None:
    with pytest.raises(ValidationError) as caught:
        format_date(dt.datetime(2026, 3, 1, tzinfo=UTC), "en")
    assert caught.value.field == "day"


def test_a_deadline_at_local_midnight_is_the_end_of_the_day_before() -> None:
    # 28 April 00:00 in London (BST) is 27 April 23:00 UTC: "by the end of 27 April".
    due = dt.datetime(2026, 4, 27, 23, 0, tzinfo=UTC)
    assert format_deadline(due, "Europe/London", "en") == "27 April 2026"
    # The same instant is 09:00 on 28 April in Sydney.
    assert format_deadline(due, "Australia/Sydney", "en") == "09:00 on 28 April 2026"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "17:00 on 5 March 2026"),
        ("cy", "17:00 ar 5 Mawrth 2026"),
        ("fr", "5 mars 2026 à 17 h 00"),
        ("de", "5. März 2026, 17:00 Uhr"),
        ("es", "5 de marzo de 2026 a las 17:00"),
        ("ja", "2026-03-05 17:00"),
    ],
)
def test_a_close_of_business_deadline_gives_the_time(language: str, expected: str) -> None:
    due = dt.datetime(2026, 3, 5, 17, 0, tzinfo=UTC)  # 17:00 GMT
    assert format_deadline(due, "Europe/London", language) == expected


def test_a_deadline_needs_an_aware_instant_and_a_known_zone() -> None:
    with pytest.raises(ValidationError) as caught:
        format_deadline(dt.datetime(2026, 3, 5, 17), "Europe/London", "en")
    assert caught.value.field == "due"
    with pytest.raises(ValidationError) as caught:
        format_deadline(dt.datetime(2026, 3, 5, tzinfo=UTC), "Mars/Olympus", "en")
    assert caught.value.field == "zone"


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("1242.1", "GBP", "en", "£1,242.10"),
        ("50", "EUR", "en", "€50.00"),
        ("50", "AUD", "en", "AUD 50.00"),
        ("1242.1", "GBP", "cy", "£1,242.10"),
        ("1242.1", "EUR", "fr", "1\u202f242,10 €"),
        ("1242.1", "USD", "fr", "1\u202f242,10 USD"),
        ("1242.1", "EUR", "de", "1.242,10 €"),
        ("3.5", "EUR", "es", "3,50 €"),
        ("1000", "JPY", "en", "JPY 1,000"),
        ("0.125", "GBP", "en", "£0.125"),
        ("1242.1", "GBP", "pl", "1242.10 GBP"),
    ],
)
def test_amounts(amount: str, currency: str, language: str, expected: str) -> None:
    money = Money(amount=Decimal(amount), currency=currency)
    assert format_money(money, language) == expected
