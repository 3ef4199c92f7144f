"""LetterSettings: the organisation's side of every letter, validated, and from the programme."""

from __future__ import annotations

import pytest

from iso10002 import ValidationError
from iso10002.letters import SETTINGS_VARIABLES, LetterSettings
from iso10002.testing.programmes import programme

from .support import ESCALATION, settings


def test_settings_from_the_programme_take_its_organisation_and_escalation() -> None:
    source = programme()
    made = LetterSettings.from_programme(
        source, signature="Complaints Team", zone="Europe/London", referral_months=6
    )
    assert made.organisation == source.organisation
    assert made.escalation == source.escalation
    assert (made.zone, made.referral_months, made.fallback_language) == ("Europe/London", 6, "en")
    with pytest.raises(ValidationError) as caught:
        LetterSettings.from_programme("programme", signature="x")  # type: ignore[arg-type]
    assert caught.value.field == "programme"


def test_values_are_the_settings_words_translated_where_given() -> None:
    made = settings(
        translations={
            "fr": {"signature": "Service Réclamations", "external_body": "le médiateur"},
            "fr-CA": {"signature": "Service des plaintes"},
        }
    )
    english = made.values("en")
    assert set(SETTINGS_VARIABLES) <= set(english)
    assert english["signature"] == "Customer Relations Team"
    assert english["internal_review_by"] == ESCALATION.internal_review_by
    assert english["external_time_limit"] == "6 months from the date of our final response"
    assert made.values("fr")["signature"] == "Service Réclamations"
    assert made.values("FR-ca")["signature"] == "Service des plaintes"
    assert made.values("fr-CA")["external_body"] == "le médiateur"
    # A translation never gives a value the settings do not have.
    unset = settings(escalation=None, translations={"fr": {"external_body": "le médiateur"}})
    assert unset.values("fr")["external_body"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"organisation": " "}, "organisation"),
        ({"signature": None}, "signature"),
        ({"escalation": "FOS"}, "escalation"),
        ({"referral_months": 0}, "referral_months"),
        ({"referral_months": True}, "referral_months"),
        ({"time_limit_consent": "no"}, "time_limit_consent"),
        ({"refer_on_delay": None}, "refer_on_delay"),
        ({"fallback_language": "english"}, "fallback_language"),
        ({"zone": "Mars/Olympus"}, "zone"),
        ({"zone": ""}, "zone"),
        ({"extras": {"Phone": "1"}}, "extras.Phone"),
        ({"extras": {"reference": "1"}}, "extras.reference"),
        ({"extras": {"phone": " "}}, "extras.phone"),
        ({"extras": {"phone": 1}}, "extras.phone"),
        ({"translations": {"english": {}}}, "translations.english"),
        ({"translations": {"fr": {"reasons": "x"}}}, "translations.fr.reasons"),
        ({"translations": {"fr": {"signature": ""}}}, "translations.fr.signature"),
        ({"translations": {"fr": "x"}}, "translations.fr"),
        ({"translations": "x"}, "translations"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(
    overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(**overrides)
    assert caught.value.field == field


def test_extras_may_be_translated() -> None:
    made = settings(extras={"phone": "0800 123"}, translations={"fr": {"phone": "0800 123 (FR)"}})
    assert made.values("fr")["phone"] == "0800 123 (FR)"
    assert made.values("en")["phone"] == "0800 123"
