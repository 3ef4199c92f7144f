"""The Notification value: validation, personal data kept out of repr, storage round trip."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iso10002.errors import NaiveDatetimeError, SerializationError, ValidationError
from iso10002.notify import Delivery, Notification, NotificationKind
from iso10002.serialization import dumps, loads, structure, unstructure

from .support import NAME, RECIPIENT, START, notification


def test_a_library_kind_is_stored_as_its_plain_name() -> None:
    sent = notification(kind=NotificationKind.ACKNOWLEDGEMENT)
    assert sent.kind == "acknowledgement"
    assert type(sent.kind) is str
    assert sent.kind == NotificationKind.ACKNOWLEDGEMENT


def test_an_application_may_use_kinds_of_its_own() -> None:
    assert notification(kind="csat_reminder").kind == "csat_reminder"
    assert notification(kind="acme.escalation-v2").kind == "acme.escalation-v2"


def test_created_at_is_kept_in_utc() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    sent = notification(created_at=dt.datetime(2026, 3, 2, 10, 30, tzinfo=paris))
    assert sent.created_at == START
    assert sent.created_at.tzinfo == dt.timezone.utc


def test_data_is_copied_into_plain_json_values() -> None:
    data: dict[str, Any] = {"items": ("a", "b"), "nested": {"n": 1.5, "ok": True, "none": None}}
    sent = notification(data=data)
    data["items"] = ()
    data["nested"]["n"] = 0
    assert sent.data == {"items": ["a", "b"], "nested": {"n": 1.5, "ok": True, "none": None}}


def test_personal_facts_are_copied_apart_from_data() -> None:
    personal: dict[str, Any] = {"complainant": {"name": NAME, "email": RECIPIENT}}
    sent = notification(personal=personal)
    personal["complainant"]["name"] = "changed"
    assert sent.personal == {"complainant": {"name": NAME, "email": RECIPIENT}}
    assert notification().personal == {}
    assert sent != notification()


def test_personal_data_stays_out_of_the_repr() -> None:
    text = repr(notification(html=f"<p>{NAME}</p>", personal={"id": "customer-98765"}))
    assert RECIPIENT not in text
    assert NAME not in text
    assert "customer-98765" not in text
    assert "our decision" not in text  # the subject
    assert "upheld" not in text  # data
    assert "CMP-2026-000123:decision:1" in text and "'decision'" in text


def test_notifications_compare_and_hash_by_value() -> None:
    assert notification() == notification()
    assert hash(notification()) == hash(notification())
    assert notification() != notification(data={"outcome": "rejected"})
    assert len({notification(), notification()}) == 1


def test_a_notification_survives_the_library_converter() -> None:
    # An outbox stores notifications as JSON through the one converter.
    sent = notification(
        html="<p>Hi</p>", complaint_reference=None, kind="csat_reminder", personal={"n": NAME}
    )
    record = unstructure(sent)
    assert record["created_at"] == "2026-03-02T09:30:00+00:00"
    assert record["kind"] == "csat_reminder"
    assert structure(record, Notification) == sent
    assert loads(dumps(sent), Notification) == sent


def test_a_stored_record_with_an_unknown_key_or_bad_value_is_refused() -> None:
    record = unstructure(notification())
    with pytest.raises(SerializationError, match="unknown keys"):
        structure({**record, "priority": "high"}, Notification)
    with pytest.raises(SerializationError) as caught:
        structure({**record, "created_at": "2026-03-02T09:30:00"}, Notification)
    assert caught.value.path == "$.created_at"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": "has space"}, "idempotency_key"),
        ({"idempotency_key": "clé"}, "idempotency_key"),
        ({"idempotency_key": "k" * 201}, "idempotency_key"),
        ({"idempotency_key": 7}, "idempotency_key"),
        ({"complaint_reference": ""}, "complaint_reference"),
        ({"complaint_reference": "CMP 1"}, "complaint_reference"),
        ({"kind": "Decision"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"kind": "needs space"}, "kind"),
        ({"recipient": " "}, "recipient"),
        ({"recipient": "jane@example.org\r\nBcc: all@example.org"}, "recipient"),
        ({"subject": "Line one\nLine two"}, "subject"),
        ({"subject": ""}, "subject"),
        ({"text": "  "}, "text"),
        ({"html": ""}, "html"),
        ({"language": "english"}, "language"),
        ({"language": "en_GB"}, "language"),
        ({"created_at": "2026-03-02"}, "created_at"),
        ({"data": ["not", "a", "mapping"]}, "data"),
        ({"data": {1: "int key"}}, "data"),
        ({"data": {"when": START}}, "data.when"),
        ({"data": {"deep": {"list": [1, {2, 3}]}}}, "data.deep.list[1]"),
        ({"data": {"ratio": float("nan")}}, "data.ratio"),
        ({"personal": "Jane Doe"}, "personal"),
        ({"personal": {"born": dt.date(1980, 1, 2)}}, "personal.born"),
    ],
)
def test_bad_values_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        notification(**changes)
    assert caught.value.field == field


def test_a_naive_created_at_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError) as caught:
        notification(created_at=START.replace(tzinfo=None))
    assert caught.value.field == "created_at"


def test_the_error_for_a_bad_kind_lists_the_library_kinds() -> None:
    with pytest.raises(ValidationError, match="acknowledgement, progress_update"):
        notification(kind="Bad")


def test_language_accepts_common_tags() -> None:
    for tag in ("en", "cy", "fr-CA", "zh-Hant-TW", "gsw"):
        assert notification(language=tag).language == tag


@given(
    key=st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=200
    )
)
def test_any_printable_ascii_key_is_accepted(key: str) -> None:
    assert notification(idempotency_key=key).idempotency_key == key


def test_a_delivery_is_validated_and_kept_in_utc() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    delivery = Delivery(
        idempotency_key="k",
        channel="smtp",
        delivered_at=dt.datetime(2026, 3, 2, 10, 30, tzinfo=paris),
        status="SMTP 250",
    )
    assert delivery.delivered_at == START and delivery.delivered_at.tzinfo == dt.timezone.utc
    assert delivery.message_id is None
    with pytest.raises(NaiveDatetimeError):
        Delivery(
            idempotency_key="k", channel="smtp", delivered_at=dt.datetime(2026, 3, 2), status="x"
        )
    with pytest.raises(ValidationError) as caught:
        Delivery(idempotency_key="k", channel="", delivered_at=START, status="x")
    assert caught.value.field == "channel"


@pytest.mark.parametrize(
    ("changes", "hidden"),
    [
        ({"idempotency_key": f"key of {NAME}"}, NAME),
        ({"complaint_reference": RECIPIENT + " x"}, RECIPIENT),
        ({"kind": f"about {NAME}"}, NAME),
        ({"language": RECIPIENT}, RECIPIENT),
    ],
)
def test_a_bad_value_that_may_be_free_text_is_not_repeated(
    changes: dict[str, Any], hidden: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        notification(**changes)
    assert hidden not in str(caught.value)
    assert "a text of" in caught.value.reason


def test_a_bad_code_is_repeated() -> None:
    with pytest.raises(ValidationError, match="'english' is not a language tag"):
        notification(language="english")
