"""The programme records validate themselves and answer who holds a role and who is trained."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest

from iso10002.errors import ValidationError
from iso10002.model.values import Channel
from iso10002.programme import (
    STANDARD_ROLES,
    Charges,
    ExternalBody,
    Programme,
    Resource,
)
from iso10002.testing.programmes import (
    access,
    confidentiality,
    escalation,
    external_body,
    objective,
    policy,
    programme,
    responsibility,
    training,
)


def test_a_complete_programme_is_built_and_is_a_hashable_value() -> None:
    p = programme()
    assert p.organisation == "Example Ltd"
    assert p == programme()
    assert hash(p) == hash(programme())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        p.version = "2"  # type: ignore[misc]


def test_lists_become_tuples() -> None:
    p = programme(
        responsibilities=[responsibility()],
        objectives=[objective()],
        resources=[Resource(description="A handler")],
        training=[training()],
        access=access(channels=[Channel.EMAIL], languages=["en", "cy"]),
    )
    assert isinstance(p.responsibilities, tuple)
    assert isinstance(p.objectives, tuple)
    assert isinstance(p.resources, tuple)
    assert isinstance(p.training, tuple)
    assert p.access.channels == (Channel.EMAIL,)
    assert p.access.languages == ("en", "cy")


def test_defaults_of_optional_parts() -> None:
    p = programme(objectives=(), resources=(), training=())
    assert p.charges == Charges(charged=False, description=None)
    assert p.objectives == ()
    assert not p.trained("Ann Rep", _dt.date(2025, 6, 1))
    assert escalation(external_body=None).external_body is None
    assert ExternalBody(name="X", time_limit="1 year").url is None
    assert Resource(description="A handler").amount is None


def test_a_charge_is_valid_configuration() -> None:
    # The standard says complaining is free; the audit, not the record, reports a charge.
    p = programme(charges=Charges(charged=True, description="GBP 5 admin fee"))
    assert p.charges.charged
    assert p.charges.description == "GBP 5 admin fee"


def test_unpublished_policy_and_access_are_valid_configuration() -> None:
    p = programme(policy=policy(published_at=()), access=access(published_at=()))
    assert p.policy.published_at == ()
    assert p.access.published_at == ()


def test_person_for_lists_holders_in_order() -> None:
    p = programme()
    assert p.person_for("management_representative") == ("Ann Rep",)
    assert p.person_for("customer_contact_staff") == ("Cy Agent", "Di Agent")
    assert p.person_for("auditor") == ()


def test_free_text_roles_are_allowed() -> None:
    p = programme(
        responsibilities=(responsibility(), responsibility(role="Ombudsman liaison", person="Ed"))
    )
    assert p.person_for("Ombudsman liaison") == ("Ed",)


def test_standard_roles_are_the_clause_5_4_roles() -> None:
    assert STANDARD_ROLES == (
        "top_management",
        "management_representative",
        "manager",
        "customer_contact_staff",
        "staff",
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (_dt.date(2024, 12, 31), False),  # before the course
        (_dt.date(2025, 1, 1), True),  # the day it was completed
        (_dt.date(2025, 12, 31), True),  # the last valid day
        (_dt.date(2026, 1, 1), False),  # expired on its expiry date
    ],
)
def test_trained_counts_a_record_from_completion_until_expiry(
    day: _dt.date, expected: bool
) -> None:
    assert programme().trained("Ann Rep", day) is expected


def test_training_without_expiry_lasts() -> None:
    p = programme()
    assert p.trained("Cy Agent", _dt.date(2040, 1, 1))
    assert not p.trained("Di Agent", _dt.date(2025, 6, 1))  # no record at all


def test_any_valid_record_is_enough() -> None:
    p = programme(
        training=(
            training(expires_on=_dt.date(2025, 6, 1)),
            training(course="Refresher", completed_on=_dt.date(2025, 7, 1), expires_on=None),
        )
    )
    assert p.trained("Ann Rep", _dt.date(2025, 5, 31))
    assert not p.trained("Ann Rep", _dt.date(2025, 6, 15))  # between the two
    assert p.trained("Ann Rep", _dt.date(2025, 7, 1))


def test_an_int_target_is_kept_as_a_decimal() -> None:
    o = objective(target=90)
    assert o.target == Decimal(90)
    assert isinstance(o.target, Decimal)


def test_objective_lookup() -> None:
    p = programme()
    assert p.objective("days").target == Decimal(10)
    with pytest.raises(ValidationError, match="final-response, days") as info:
        p.objective("nope")
    assert info.value.field == "objective"


def test_a_target_over_100_is_fine_when_not_a_percentage() -> None:
    assert objective(unit="days", target=365).target == 365


BuildsInvalid = Callable[[], object]

INVALID: list[tuple[str, BuildsInvalid, str]] = [
    ("blank policy text", lambda: policy(text="  "), "text"),
    ("policy approver missing", lambda: policy(approved_by=""), "approved_by"),
    (
        "policy approved on an instant",
        lambda: policy(approved_on=_dt.datetime(2025, 1, 1, tzinfo=_dt.timezone.utc)),
        "approved_on",
    ),
    ("policy approved on text", lambda: policy(approved_on="2025-01-01"), "approved_on"),
    ("blank place of publication", lambda: policy(published_at=("x", " ")), "published_at[1]"),
    ("place listed twice", lambda: policy(published_at=("x", "x")), "published_at[1]"),
    ("blank how to complain", lambda: access(how_to_complain=""), "how_to_complain"),
    ("no channel", lambda: access(channels=()), "channels"),
    ("channel as text", lambda: access(channels=("email",)), "channels[0]"),
    ("channel listed twice", lambda: access(channels=(Channel.EMAIL,) * 2), "channels[1]"),
    ("channels not a sequence", lambda: access(channels=5), "channels"),
    ("no language", lambda: access(languages=()), "languages"),
    ("blank format", lambda: access(accessible_formats=("",)), "accessible_formats[0]"),
    ("charged not a bool", lambda: Charges(charged="no"), "charged"),  # type: ignore[arg-type]
    ("blank charge description", lambda: Charges(charged=True, description=""), "description"),
    ("blank role", lambda: responsibility(role=""), "role"),
    ("blank person", lambda: responsibility(person=" "), "person"),
    ("no responsibilities", lambda: responsibility(responsibilities=()), "responsibilities"),
    ("blank authority", lambda: responsibility(authorities=("",)), "authorities[0]"),
    ("blank objective id", lambda: objective(id=""), "id"),
    ("blank measure", lambda: objective(measure=""), "measure"),
    ("blank unit", lambda: objective(unit=""), "unit"),
    ("negative target", lambda: objective(target=-1), "target"),
    ("float target", lambda: objective(target=95.5), "target"),
    ("bool target", lambda: objective(target=True), "target"),
    ("infinite target", lambda: objective(target=Decimal("Infinity")), "target"),
    ("percentage over 100", lambda: objective(target=Decimal("100.1")), "target"),
    ("blank review period", lambda: objective(reviewed_every=""), "reviewed_every"),
    ("blank resource", lambda: Resource(description=""), "description"),
    ("blank amount", lambda: Resource(description="x", amount=""), "amount"),
    ("blank course", lambda: training(course=""), "course"),
    ("completed on text", lambda: training(completed_on="2025-01-01"), "completed_on"),
    ("expires on text", lambda: training(expires_on="2026-01-01"), "expires_on"),
    (
        "expires on the day it was completed",
        lambda: training(expires_on=_dt.date(2025, 1, 1)),
        "expires_on",
    ),
    ("expires before completion", lambda: training(expires_on=_dt.date(2024, 1, 1)), "expires_on"),
    (
        "nobody may see the data",
        lambda: confidentiality(who_may_see_personal_data=()),
        "who_may_see_personal_data",
    ),
    ("zero retention", lambda: confidentiality(retention_years=0), "retention_years"),
    ("retention as text", lambda: confidentiality(retention_years="6"), "retention_years"),
    ("blank retention basis", lambda: confidentiality(retention_basis=""), "retention_basis"),
    ("blank disclosure rules", lambda: confidentiality(disclosure_rules=""), "disclosure_rules"),
    ("blank body name", lambda: external_body(name=""), "name"),
    ("blank time limit", lambda: external_body(time_limit=""), "time_limit"),
    ("blank body url", lambda: external_body(url=""), "url"),
    ("blank internal review", lambda: escalation(internal_review_by=""), "internal_review_by"),
    ("body given as text", lambda: escalation(external_body="Ombudsman"), "external_body"),
    ("blank organisation", lambda: programme(organisation=""), "organisation"),
    ("blank version", lambda: programme(version=" "), "version"),
    ("effective from missing", lambda: programme(effective_from=None), "effective_from"),
    ("policy of the wrong type", lambda: programme(policy="ours"), "policy"),
    ("access of the wrong type", lambda: programme(access=None), "access"),
    ("charges of the wrong type", lambda: programme(charges=False), "charges"),
    (
        "confidentiality of the wrong type",
        lambda: programme(confidentiality={}),
        "confidentiality",
    ),
    ("escalation of the wrong type", lambda: programme(escalation=None), "escalation"),
    (
        "responsibility of the wrong type",
        lambda: programme(responsibilities=(responsibility(), "Ann")),
        "responsibilities[1]",
    ),
    ("objective of the wrong type", lambda: programme(objectives=("x",)), "objectives[0]"),
    ("resource of the wrong type", lambda: programme(resources=("x",)), "resources[0]"),
    ("training of the wrong type", lambda: programme(training=("x",)), "training[0]"),
    (
        "objective id used twice",
        lambda: programme(objectives=(objective(), objective(unit="days"))),
        "objectives[1].id",
    ),
    (
        "no management representative",
        lambda: programme(responsibilities=(responsibility(role="top_management"),)),
        "responsibilities",
    ),
    (
        "the same person listed twice in one role",
        lambda: programme(responsibilities=(responsibility(), responsibility())),
        "responsibilities[1]",
    ),
]


@pytest.mark.parametrize(
    ("build", "field"), [(b, f) for _, b, f in INVALID], ids=[name for name, _, _ in INVALID]
)
def test_invalid_input_names_the_field(build: BuildsInvalid, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


def test_messages_say_what_is_wrong() -> None:
    with pytest.raises(ValidationError, match="no one holds the role 'management_representative'"):
        programme(responsibilities=(responsibility(role="manager"),))
    with pytest.raises(ValidationError, match="'final-response' is used twice"):
        programme(objectives=(objective(), objective()))
    with pytest.raises(ValidationError, match="allowed: in_person, phone"):
        access(channels=("email",))
    with pytest.raises(ValidationError, match="cannot exceed 100"):
        objective(target=101)
    with pytest.raises(ValidationError, match="must be after completed_on"):
        training(expires_on=_dt.date(2024, 12, 1))


def test_a_programme_is_a_versioned_value() -> None:
    first = programme()
    second = attrs.evolve(first, version="2", effective_from=_dt.date(2026, 1, 1))
    assert first.version == "1"
    assert second.version == "2"
    assert second.effective_from > first.effective_from
    assert first != second
    assert isinstance(second, Programme)
