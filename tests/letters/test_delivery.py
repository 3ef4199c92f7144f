"""Channels, languages and idempotency keys of letters, and the writer's errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest

from iso10002 import ContactMethod, FixedClock, NaiveDatetimeError, ValidationError
from iso10002.letters import (
    LetterKind,
    LetterTemplate,
    LetterWriter,
    Template,
    TemplateSet,
    builtin_templates,
    load_templates,
)

from .support import (
    DECISIONS,
    PERSONAL,
    STAFF,
    START,
    complainant,
    decided,
    make_desk,
    receive,
    writer,
)


@pytest.fixture(name="clock")
def _clock() -> FixedClock:
    return FixedClock(START)


# -- channels --------------------------------------------------------------------------------


def test_a_letter_by_post_starts_with_the_address_block(clock: FixedClock) -> None:
    desk = make_desk(clock)
    complaint = receive(desk, complainant(preferred=ContactMethod.LETTER))
    letter = writer(desk).acknowledgement(complaint)
    n = letter.notification
    assert letter.channel is ContactMethod.LETTER and n.data["channel"] == "letter"
    assert n.recipient == f"{PERSONAL}, 1 High Street, Cardiff, CF10 1AA"
    assert n.text.startswith(f"{PERSONAL}\n1 High Street\nCardiff\nCF10 1AA\n\n2 March 2026\n\n")
    assert n.html is not None and "1 High Street<br>\nCardiff<br>\nCF10 1AA</p>" in n.html
    # By e-mail there is no address block.
    emailed = writer(desk).acknowledgement(receive(desk)).notification
    assert emailed.text.startswith("Dear ")


def test_a_text_message_is_the_short_template_without_html(clock: FixedClock) -> None:
    desk = make_desk(clock)
    complaint = receive(desk, complainant(preferred=ContactMethod.SMS))
    letter = writer(desk).acknowledgement(complaint, sla=desk.sla_status(complaint.reference))
    n = letter.notification
    assert letter.channel is ContactMethod.SMS
    assert n.recipient == "+44 7700 900123"
    assert n.html is None
    assert n.text == (
        "Example Bank plc: we have received your complaint. Your reference is "
        f"{complaint.reference}. We will send our final response by 27 April 2026."
    )


@pytest.mark.parametrize(
    ("preferred", "details", "channel"),
    [
        (ContactMethod.PHONE, {}, ContactMethod.EMAIL),
        (ContactMethod.IN_PERSON, {"email": None}, ContactMethod.LETTER),
        (ContactMethod.EMAIL, {"email": None}, ContactMethod.LETTER),
        (ContactMethod.LETTER, {"address": None}, ContactMethod.EMAIL),
        (ContactMethod.EMAIL, {"email": None, "address": None}, ContactMethod.SMS),
    ],
)
def test_the_preferred_channel_is_used_when_the_details_allow_it(
    clock: FixedClock,
    preferred: ContactMethod,
    details: dict[str, object],
    channel: ContactMethod,
) -> None:
    desk = make_desk(clock)
    complaint = receive(desk, complainant(preferred=preferred, **details))  # type: ignore[arg-type]
    assert writer(desk).acknowledgement(complaint).channel is channel


def test_without_an_sms_template_the_next_channel_is_used(clock: FixedClock) -> None:
    desk = make_desk(clock)
    english = builtin_templates().get(LetterKind.ACKNOWLEDGEMENT, "en")
    assert english is not None
    no_sms = TemplateSet(templates=(attrs.evolve(english, sms=None),))
    complaint = receive(desk, complainant(preferred=ContactMethod.SMS))
    letter = LetterWriter(settings=writer(desk).settings, templates=no_sms).acknowledgement(
        complaint
    )
    assert letter.channel is ContactMethod.EMAIL


# -- languages -------------------------------------------------------------------------------


def test_a_french_complainant_gets_the_french_letters(clock: FixedClock) -> None:
    desk = make_desk(clock)
    complaint = receive(desk, complainant(language="fr"))
    ack = writer(desk).acknowledgement(complaint, sla=desk.sla_status(complaint.reference))
    assert (ack.language, ack.requested_language, ack.language_fallback) == ("fr", "fr", False)
    n = ack.notification
    assert n.language == "fr"
    assert n.subject == (
        f"Nous avons bien reçu votre réclamation (référence {complaint.reference})"
    )
    assert "Nous avons bien reçu votre réclamation le 2 mars 2026" in n.text
    assert "notre réponse définitive au plus tard le 27 avril 2026." in n.text
    assert n.html is not None and '<html lang="fr">' in n.html
    assert "Traduction" not in n.text  # the translators' comment is not printed


def test_a_french_decision_letter_writes_amounts_and_recourse_in_french(
    clock: FixedClock,
) -> None:
    desk = make_desk(clock)
    decision = DECISIONS["partially upheld, compensation and explanation"]
    complaint = decided(desk, decision, complainant(language="fr-CA"))
    letter = writer(desk).decision(complaint)
    assert (letter.language, letter.requested_language) == ("fr", "fr-CA")
    assert not letter.language_fallback
    text = letter.notification.text
    assert "votre réclamation est en partie fondée" in text
    assert "- Une indemnisation de 50,00 £" in text
    assert "- Une explication : why the charge applies" in text
    assert "soumettre votre réclamation à the Financial Ombudsman Service" in text
    assert "au plus tard le 2 septembre 2026" in text


def test_a_language_the_set_lacks_falls_back_and_says_so(clock: FixedClock) -> None:
    desk = make_desk(clock)
    complaint = receive(desk, complainant(language="de-AT"))
    letter = writer(desk).acknowledgement(complaint, sla=desk.sla_status(complaint.reference))
    assert (letter.language, letter.requested_language, letter.language_fallback) == (
        "en",
        "de-AT",
        True,
    )
    assert letter.notification.language == "en"
    assert letter.notification.data["language_fallback"] is True
    assert "27 April 2026" in letter.notification.text  # English dates in an English letter
    # The fallback language is configured.
    in_french = writer(desk, fallback_language="fr").acknowledgement(complaint)
    assert (in_french.language, in_french.language_fallback) == ("fr", True)
    # A kind the set has only in English falls back too.
    french = receive(desk, complainant(language="fr"))
    holding = writer(desk).holding_response(french, reason="x", expected_by=dt.date(2026, 5, 1))
    assert (holding.language, holding.language_fallback) == ("en", True)


def test_an_sms_falls_back_to_the_language_that_has_an_sms_text(clock: FixedClock) -> None:
    desk = make_desk(clock)
    complaint = receive(desk, complainant(language="fr", preferred=ContactMethod.SMS))
    letter = writer(desk).acknowledgement(complaint)
    assert (letter.channel, letter.language, letter.language_fallback) == (
        ContactMethod.SMS,
        "en",
        True,
    )


def test_no_template_in_any_candidate_language_is_an_error(clock: FixedClock) -> None:
    desk = make_desk(clock)
    french_only = TemplateSet(
        templates=[t for t in builtin_templates().templates if t.language == "fr"]
    )
    complaint = receive(desk, complainant(language="de"))
    with pytest.raises(ValidationError) as caught:
        LetterWriter(settings=writer(desk).settings, templates=french_only).acknowledgement(
            complaint
        )
    assert caught.value.field == "templates"
    assert "'de'" in caught.value.reason and "'en'" in caught.value.reason


def test_settings_translations_give_the_organisations_words_per_language(
    clock: FixedClock,
) -> None:
    desk = make_desk(clock)
    w = writer(
        desk,
        translations={
            "fr": {
                "signature": "Le service Réclamations",
                "contact": "nous appeler au 0800 123 4567",
                "external_time_limit": "6 mois à compter de notre réponse définitive",
            }
        },
    )
    french = w.decision(
        decided(desk, DECISIONS["not upheld, no remedy"], complainant(language="fr"))
    )
    assert "Le service Réclamations" in french.notification.text
    assert "vous pouvez nous appeler au 0800 123 4567." in french.notification.text
    assert "Un délai s'applique : 6 mois à compter de notre réponse définitive." in (
        french.notification.text
    )
    english = w.decision(decided(desk, DECISIONS["not upheld, no remedy"]))
    assert "Customer Relations Team" in english.notification.text


# -- idempotency keys --------------------------------------------------------------------------


def test_writing_the_same_letter_again_gives_the_same_notification(clock: FixedClock) -> None:
    desk = make_desk(clock)
    complaint = decided(desk, DECISIONS["upheld, refund with amount"])
    first = writer(desk).decision(complaint, sla=desk.sla_status(complaint.reference))
    clock.advance(dt.timedelta(days=2))
    again = writer(desk).decision(desk.get(complaint.reference))
    assert again.notification == first.notification
    later = desk.add_note(complaint.reference, STAFF, text="Refund sent.")
    moved = writer(desk).decision(later)
    assert moved.notification.idempotency_key == first.notification.idempotency_key
    assert moved.notification.created_at > first.notification.created_at


def test_keys_differ_by_complaint_kind_and_sequence(clock: FixedClock) -> None:
    desk = make_desk(clock)
    one, two = receive(desk), receive(desk)
    w = writer(desk)
    keys = {
        w.acknowledgement(one).notification.idempotency_key,
        w.acknowledgement(two).notification.idempotency_key,
        w.acknowledgement(one, sequence="2").notification.idempotency_key,
        w.survey_invitation(one, link="https://s.example").notification.idempotency_key,
    }
    assert len(keys) == 4
    assert f"{one.id}:acknowledgement:2" in keys
    a_new_decision = decided(desk, DECISIONS["not upheld, no remedy"])
    clock.advance(dt.timedelta(minutes=5))
    revised = desk.decide(a_new_decision.reference, STAFF, DECISIONS["upheld, refund with amount"])
    assert (
        w.decision(revised).notification.idempotency_key
        != w.decision(a_new_decision).notification.idempotency_key
    )


# -- errors ----------------------------------------------------------------------------------


def test_the_letter_instant_must_be_aware(clock: FixedClock) -> None:
    desk = make_desk(clock)
    complaint = receive(desk, complainant(preferred=ContactMethod.LETTER))
    with pytest.raises(NaiveDatetimeError) as caught:
        writer(desk).acknowledgement(complaint, at=dt.datetime(2026, 3, 2, 9))
    assert caught.value.field == "at"
    later = writer(desk).acknowledgement(complaint, at=START + dt.timedelta(days=1))
    assert later.notification.created_at == START + dt.timedelta(days=1)
    assert "CF10 1AA\n\n3 March 2026\n" in later.notification.text


@pytest.mark.parametrize("sequence", ["", "two words", "é", "x" * 65])
def test_a_sequence_must_fit_in_a_key(clock: FixedClock, sequence: str) -> None:
    desk = make_desk(clock)
    with pytest.raises(ValidationError) as caught:
        writer(desk).acknowledgement(receive(desk), sequence=sequence)
    assert caught.value.field == "sequence"


def test_the_sla_report_must_be_the_complaints(clock: FixedClock) -> None:
    desk = make_desk(clock)
    one, two = receive(desk), receive(desk)
    with pytest.raises(ValidationError) as caught:
        writer(desk).acknowledgement(one, sla=desk.sla_status(two.reference))
    assert caught.value.field == "sla"
    with pytest.raises(ValidationError) as caught:
        writer(desk).acknowledgement(one, sla="report")  # type: ignore[arg-type]
    assert caught.value.field == "sla"
    with pytest.raises(ValidationError) as caught:
        writer(desk).acknowledgement("CMP-1")  # type: ignore[arg-type]
    assert caught.value.field == "complaint"


def test_an_unknown_zone_is_refused(clock: FixedClock) -> None:
    desk = make_desk(clock)
    with pytest.raises(ValidationError) as caught:
        writer(desk).acknowledgement(receive(desk), zone="Mars/Olympus")
    assert caught.value.field == "zone"


def test_templates_with_extras_need_the_settings_to_give_them(
    clock: FixedClock, tmp_path: Path
) -> None:
    (tmp_path / "acknowledgement.en.txt").write_text(
        "Subject: {{reference}}\n\nRef {{reference}}. Call {{phone}}.\n", encoding="utf-8"
    )
    own = builtin_templates().with_overrides(load_templates(tmp_path, extra_variables=["phone"]))
    desk = make_desk(clock)
    with pytest.raises(ValidationError) as caught:
        LetterWriter(settings=writer(desk).settings, templates=own)
    assert caught.value.field == "extras"
    assert "phone" in caught.value.reason
    with_phone = LetterWriter(
        settings=writer(desk, extras={"phone": "0800 123"}).settings, templates=own
    )
    text = with_phone.acknowledgement(receive(desk)).notification.text
    assert text.endswith("Call 0800 123.\n")


def test_a_template_written_in_code_renders_too(clock: FixedClock) -> None:
    desk = make_desk(clock)
    own = LetterTemplate(
        kind="satisfaction_survey",
        language="cy",
        subject=Template(text="Arolwg {{reference}}", name="cy subject"),
        text=Template(text="{{reference}}: {{survey_link}}\n", name="cy text"),
    )
    templates = builtin_templates().with_overrides([own])
    complaint = receive(desk, complainant(language="cy"))
    letter = LetterWriter(settings=writer(desk).settings, templates=templates).survey_invitation(
        complaint, link="https://s.example/cy"
    )
    assert letter.language == "cy" and letter.template == "code"
    assert letter.notification.text == f"{complaint.reference}: https://s.example/cy\n"
