"""
Properties of the value objects and payloads: every valid value constructs, every invalid input
raises ValidationError naming the field, with a message that says what is wrong.
"""

from __future__ import annotations

import datetime as _dt
import typing
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso10002 import (
    Actor,
    Assessment,
    Attachment,
    Channel,
    Classification,
    Closed,
    ClosureReason,
    Communication,
    Complainant,
    ComplaintReceived,
    ContactDetails,
    Decision,
    Event,
    FixedClock,
    Money,
    NaiveDatetimeError,
    Outcome,
    ProductOrService,
    Remedy,
    RemedyKind,
    Representative,
    Role,
    RootCause,
    SatisfactionRecorded,
    ValidationError,
)
from iso10002.model._checks import shown
from iso10002.model.events import payload_types

from . import strategies as s

VALUES: dict[type[Any], st.SearchStrategy[Any]] = {
    Actor: s.actors(),
    ContactDetails: s.contact_details(),
    Representative: s.representatives(),
    Complainant: s.complainants(),
    ProductOrService: s.products(),
    Attachment: s.attachments(),
    Assessment: s.assessments(),
    Classification: s.classifications(),
    Money: s.money(),
    Remedy: s.remedies(),
    Decision: s.decisions(),
    Communication: s.communications(),
    RootCause: s.root_causes(),
    **{cls: s.PAYLOADS[name] for name, cls in payload_types().items()},
    Event: s.events(),
}
"""Every frozen class of the model with the strategy of its valid values."""

CLASSES = sorted(VALUES, key=lambda c: c.__name__)

# Fields whose text has its own rule (tested below) rather than "any non-blank text".
_SPECIAL_TEXT = {(ContactDetails, "email"), (Money, "currency")}


def _fields_of_type(cls: type[Any], wanted: object) -> list[str]:
    hints = typing.get_type_hints(cls)
    return [f.name for f in attrs.fields(cls) if hints[f.name] == wanted]


def _enum_fields(cls: type[Any]) -> list[tuple[str, type[Enum]]]:
    hints = typing.get_type_hints(cls)
    found = []
    for f in attrs.fields(cls):
        hint = hints[f.name]
        if isinstance(hint, type) and issubclass(hint, Enum):
            found.append((f.name, hint))
    return found


def _cases(find: Any) -> list[tuple[type[Any], Any]]:
    return [(cls, item) for cls in CLASSES for item in find(cls)]


def _id(value: object) -> str:
    return value.__name__ if isinstance(value, type) else str(value)


def _raises(build: Any, field: str, reason: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        build()
    assert info.value.field == field
    assert info.value.reason == reason
    assert str(info.value) == f"{field}: {reason}"
    return info.value


# -- valid values ------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES, ids=_id)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_valid_values_construct_and_rebuild_equal(cls: type[Any], data: st.DataObject) -> None:
    value = data.draw(VALUES[cls])
    fields = {f.name: getattr(value, f.name) for f in attrs.fields(cls)}

    rebuilt = cls(**fields)

    assert type(value) is cls
    assert rebuilt == value
    assert hash(rebuilt) == hash(value)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(value, attrs.fields(cls)[0].name, None)


def test_the_value_table_covers_every_payload_type() -> None:
    assert set(s.PAYLOADS) == set(payload_types())
    assert set(payload_types().values()) <= set(VALUES)


# -- text --------------------------------------------------------------------------------------

REQUIRED_TEXT = [c for c in _cases(lambda k: _fields_of_type(k, str)) if c not in _SPECIAL_TEXT]
OPTIONAL_TEXT = [
    c for c in _cases(lambda k: _fields_of_type(k, str | None)) if c not in _SPECIAL_TEXT
]
TEXT_TUPLES = _cases(lambda k: _fields_of_type(k, tuple[str, ...]))


def test_the_field_tables_found_the_fields_the_brief_names() -> None:
    assert (ComplaintReceived, "description") in REQUIRED_TEXT
    assert (Complainant, "name") in REQUIRED_TEXT
    assert (ComplaintReceived, "remedy_requested") in OPTIONAL_TEXT
    assert (Classification, "category") in TEXT_TUPLES


@pytest.mark.parametrize(("cls", "field"), REQUIRED_TEXT + OPTIONAL_TEXT, ids=_id)
@settings(max_examples=5, deadline=None)
@given(data=st.data(), blank=s.blank_texts())
def test_blank_text_is_refused(cls: type[Any], field: str, data: st.DataObject, blank: str) -> None:
    valid = data.draw(VALUES[cls])
    _raises(lambda: attrs.evolve(valid, **{field: blank}), field, "must not be empty")


@pytest.mark.parametrize(("cls", "field"), REQUIRED_TEXT + OPTIONAL_TEXT, ids=_id)
@settings(max_examples=5, deadline=None)
@given(data=st.data(), wrong=st.one_of(st.integers(), st.binary(max_size=3), st.just([])))
def test_text_fields_refuse_other_types(
    cls: type[Any], field: str, data: st.DataObject, wrong: object
) -> None:
    valid = data.draw(VALUES[cls])
    expected = f"expected text, got {type(wrong).__name__}"
    _raises(lambda: attrs.evolve(valid, **{field: wrong}), field, expected)


@pytest.mark.parametrize(("cls", "field"), REQUIRED_TEXT, ids=_id)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_required_text_may_not_be_none(cls: type[Any], field: str, data: st.DataObject) -> None:
    valid = data.draw(VALUES[cls])
    _raises(lambda: attrs.evolve(valid, **{field: None}), field, "expected text, got NoneType")


@pytest.mark.parametrize(("cls", "field"), TEXT_TUPLES, ids=_id)
@settings(max_examples=5, deadline=None)
@given(data=st.data(), blank=s.blank_texts(), good=s.text_tuples(max_size=2))
def test_a_blank_item_in_a_text_tuple_is_refused_by_index(
    cls: type[Any], field: str, data: st.DataObject, blank: str, good: tuple[str, ...]
) -> None:
    valid = data.draw(VALUES[cls])
    _raises(
        lambda: attrs.evolve(valid, **{field: (*good, blank)}),
        f"{field}[{len(good)}]",
        "must be non-empty text",
    )
    _raises(lambda: attrs.evolve(valid, **{field: list(good)}), field, "expected a tuple, got list")


# -- time --------------------------------------------------------------------------------------


@given(payload=s.complaints_received(), naive=s.naive_datetimes())
def test_a_naive_received_at_is_refused(payload: ComplaintReceived, naive: _dt.datetime) -> None:
    error = _raises(
        lambda: attrs.evolve(payload, received_at=naive),
        "received_at",
        "datetime must be timezone-aware (got a naive datetime)",
    )
    assert isinstance(error, NaiveDatetimeError)


@given(event=s.events(), naive=s.naive_datetimes())
def test_a_naive_occurred_at_is_refused(event: Event, naive: _dt.datetime) -> None:
    error = _raises(
        lambda: attrs.evolve(event, occurred_at=naive),
        "occurred_at",
        "datetime must be timezone-aware (got a naive datetime)",
    )
    assert isinstance(error, NaiveDatetimeError)


@given(naive=s.naive_datetimes())
def test_a_fixed_clock_refuses_a_naive_start(naive: _dt.datetime) -> None:
    with pytest.raises(NaiveDatetimeError) as info:
        FixedClock(naive)

    assert info.value.field == "start"


@given(payload=s.complaints_received(), when=s.aware_datetimes())
def test_an_incident_date_is_a_date_not_a_datetime(
    payload: ComplaintReceived, when: _dt.datetime
) -> None:
    _raises(
        lambda: attrs.evolve(payload, incident_date=when),
        "incident_date",
        f"expected a date, got {when!r}",
    )


# -- contact -----------------------------------------------------------------------------------


@given(contact=s.contact_details(), bad=s.malformed_emails())
def test_a_malformed_email_is_refused(contact: ContactDetails, bad: str) -> None:
    _raises(lambda: attrs.evolve(contact, email=bad), "email", "is not a valid e-mail address")


@given(email=s.emails())
def test_a_plausible_email_alone_is_enough_contact(email: str) -> None:
    assert ContactDetails(email=email).email == email


def test_contact_details_need_at_least_one_way() -> None:
    _raises(ContactDetails, "contact", "give at least an e-mail, a phone or an address")


# -- money and remedies ------------------------------------------------------------------------


@given(money=s.money(), amount=s.negative_amounts())
def test_a_negative_amount_is_refused(money: Money, amount: Decimal) -> None:
    _raises(
        lambda: attrs.evolve(money, amount=amount), "amount", f"must not be negative (got {amount})"
    )


@given(money=s.money(), amount=s.non_finite_amounts() | st.floats() | st.integers())
def test_an_amount_is_a_finite_decimal(money: Money, amount: Any) -> None:
    _raises(
        lambda: attrs.evolve(money, amount=amount),
        "amount",
        f"expected a finite Decimal, got {amount!r}",
    )


@given(money=s.money(), code=s.bad_currencies())
def test_a_currency_is_three_capital_letters(money: Money, code: str) -> None:
    _raises(
        lambda: attrs.evolve(money, currency=code),
        "currency",
        f"{shown(code)} is not an ISO 4217 currency code (three capital letters)",
    )


@given(description=s.optional(s.texts()))
def test_compensation_without_an_amount_is_refused(description: str | None) -> None:
    _raises(
        lambda: Remedy(kind=RemedyKind.COMPENSATION, description=description),
        "amount",
        "compensation needs an amount",
    )


@given(amount=s.optional(s.money()))
def test_an_other_remedy_without_a_description_is_refused(amount: Money | None) -> None:
    _raises(
        lambda: Remedy(kind=RemedyKind.OTHER, amount=amount),
        "description",
        "an 'other' remedy needs a description",
    )


@given(
    outcome=st.sampled_from([Outcome.UPHELD, Outcome.PARTIALLY_UPHELD]),
    reasons=s.texts(),
)
def test_an_upheld_decision_without_a_remedy_is_refused(outcome: Outcome, reasons: str) -> None:
    _raises(
        lambda: Decision(outcome=outcome, reasons=reasons),
        "remedies",
        "an upheld or partially upheld decision names at least one remedy",
    )


@given(decision=s.decisions(), wrong=st.one_of(st.integers(), s.texts(), s.money()))
def test_remedies_hold_only_remedies(decision: Decision, wrong: Any) -> None:
    _raises(
        lambda: attrs.evolve(decision, remedies=(*decision.remedies, wrong)),
        f"remedies[{len(decision.remedies)}]",
        f"expected Remedy, got {type(wrong).__name__}",
    )


def test_a_not_upheld_decision_needs_no_remedy() -> None:
    assert Decision(outcome=Outcome.NOT_UPHELD, reasons="r").remedies == ()


# -- satisfaction, classification, closure -----------------------------------------------------


@given(data=st.data())
def test_a_satisfaction_score_above_the_scale_is_refused(data: st.DataObject) -> None:
    scale = data.draw(st.integers(min_value=2, max_value=9))
    score = data.draw(st.integers(min_value=scale + 1, max_value=10))
    _raises(
        lambda: SatisfactionRecorded(score=score, scale=scale),
        "score",
        f"must not exceed the scale ({scale})",
    )


@given(score=st.integers().filter(lambda n: not 1 <= n <= 10))
def test_a_satisfaction_score_is_from_1_to_10(score: int) -> None:
    _raises(
        lambda: SatisfactionRecorded(score=score, scale=10),
        "score",
        f"must be between 1 and 10, got {score}",
    )


@pytest.mark.parametrize("flag", [True, False])
def test_a_satisfaction_score_is_not_a_bool(flag: bool) -> None:
    _raises(lambda: SatisfactionRecorded(score=flag), "score", f"expected an integer, got {flag!r}")


@given(product=s.optional(s.texts()))
def test_a_classification_needs_a_category(product: str | None) -> None:
    _raises(
        lambda: Classification(category=(), product=product),
        "category",
        "give at least one category level",
    )


@given(note=s.optional(s.texts()))
def test_a_duplicate_closure_names_the_original(note: str | None) -> None:
    _raises(
        lambda: Closed(reason=ClosureReason.DUPLICATE, note=note),
        "duplicate_of",
        "a duplicate names the original reference",
    )


# -- enums -------------------------------------------------------------------------------------

ENUM_FIELDS = _cases(_enum_fields)


def test_the_enum_table_found_the_enum_fields() -> None:
    assert (Actor, ("role", Role)) in ENUM_FIELDS
    assert (ComplaintReceived, ("channel", Channel)) in ENUM_FIELDS
    assert len(ENUM_FIELDS) >= 15


@pytest.mark.parametrize(("cls", "spec"), ENUM_FIELDS, ids=_id)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_an_unknown_enum_value_as_a_plain_string_is_refused(
    cls: type[Any], spec: tuple[str, type[Enum]], data: st.DataObject
) -> None:
    field, enum = spec
    valid = data.draw(VALUES[cls])
    bad = data.draw(s.unknown_values(enum))
    allowed = ", ".join(str(m.value) for m in enum)

    _raises(
        lambda: attrs.evolve(valid, **{field: bad}),
        field,
        f"{shown(bad)} is not a {enum.__name__} (allowed: {allowed})",
    )
