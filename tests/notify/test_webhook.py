"""WebhookNotifier against a real HTTP server (http.server) on loopback; signatures; settings."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import ssl
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iso10002.clock import FixedClock
from iso10002.errors import NaiveDatetimeError, ValidationError
from iso10002.notify import (
    SIGNATURE_HEADER,
    SIGNATURE_V2_HEADER,
    TIMESTAMP_HEADER,
    WEBHOOK_SCHEMA_VERSION,
    WebhookEndpoint,
    WebhookNotifier,
    sign_webhook,
    verify_signature,
    webhook_payload,
)

from .support import (
    NAME,
    RECIPIENT,
    SECRET,
    START,
    Receiver,
    Tls,
    assert_no_personal_data,
    closed_port,
    delivery_error_of,
    http_server,
    make_tls,
    notification,
)

ENDPOINT = "complaints-crm"


@pytest.fixture(scope="module")
def tls() -> Tls:
    return make_tls()


@pytest.fixture
def receiver() -> Receiver:
    return Receiver(now=START)


@pytest.fixture
def base(receiver: Receiver) -> Iterator[str]:
    with http_server(receiver) as url:
        yield url


def notifier(url: str, **settings: Any) -> WebhookNotifier:
    endpoint_settings = {
        key: settings.pop(key)
        for key in ("secret", "include_personal_data", "headers")
        if key in settings
    }
    endpoint = WebhookEndpoint(url=url, **{"secret": SECRET, **endpoint_settings})
    options: dict[str, Any] = {
        "endpoints": {ENDPOINT: endpoint},
        "connect_timeout": 5,
        "read_timeout": 5,
        "clock": FixedClock(START),
    }
    options.update(settings)
    return WebhookNotifier(**options)


def for_endpoint(**changes: Any) -> Any:
    return notification(**{"recipient": ENDPOINT, **changes})


# --- delivery --------------------------------------------------------------------------------


def test_the_receiver_gets_a_signed_documented_body(receiver: Receiver, base: str) -> None:
    sent = for_endpoint()
    delivery = notifier(f"{base}/hooks/complaints?tenant=7").send(sent)

    [request] = receiver.accepted()
    assert request.path == "/hooks/complaints?tenant=7"
    assert request.signed is True
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.headers["idempotency-key"] == sent.idempotency_key
    assert request.headers[TIMESTAMP_HEADER.lower()] == str(int(START.timestamp()))
    assert request.json() == {
        "schema_version": WEBHOOK_SCHEMA_VERSION,
        "idempotency_key": "CMP-2026-000123:decision:1",
        "kind": "decision",
        "complaint_reference": "CMP-2026-000123",
        "endpoint": ENDPOINT,
        "language": "en",
        "created_at": "2026-03-02T09:30:00+00:00",
        "data": {"outcome": "upheld", "refund": {"amount": "25.00", "currency": "GBP"}},
    }
    assert request.json() == webhook_payload(sent)
    assert (delivery.channel, delivery.status, delivery.message_id) == (
        "webhook",
        "HTTP 202",
        "req-42",
    )
    assert delivery.delivered_at == START


def test_personal_data_is_sent_only_to_an_endpoint_configured_for_it(
    receiver: Receiver, base: str
) -> None:
    personal = {"complainant": NAME, "email": RECIPIENT}
    sent = for_endpoint(html=f"<p>Dear {NAME}</p>", personal=personal)
    notifier(f"{base}/hooks/plain").send(sent)
    notifier(f"{base}/hooks/full", include_personal_data=True).send(sent)

    plain, full = receiver.accepted()
    assert set(plain.json()) == {
        "schema_version",
        "idempotency_key",
        "kind",
        "complaint_reference",
        "endpoint",
        "language",
        "created_at",
        "data",
    }
    assert NAME.encode() not in plain.body
    assert RECIPIENT.encode() not in plain.body
    assert full.json()["message"] == {
        "subject": sent.subject,
        "text": sent.text,
        "html": f"<p>Dear {NAME}</p>",
    }
    assert full.json()["personal"] == personal
    assert full.json()["data"] == plain.json()["data"] == sent.data


def test_a_resend_is_the_same_body_under_the_same_key(receiver: Receiver, base: str) -> None:
    clock = FixedClock(START)
    hooks = notifier(f"{base}/hooks/complaints", clock=clock)
    hooks.send(for_endpoint())
    clock.advance(dt.timedelta(seconds=30))
    receiver.now = clock.now()
    hooks.send(for_endpoint())

    first, resend = receiver.accepted()
    assert first.body == resend.body
    assert first.headers["idempotency-key"] == resend.headers["idempotency-key"]
    # Signed anew: the timestamp is the time of sending.
    assert (
        int(resend.headers[TIMESTAMP_HEADER.lower()])
        == int(first.headers[TIMESTAMP_HEADER.lower()]) + 30
    )


def test_extra_headers_are_sent(receiver: Receiver, base: str) -> None:
    notifier(f"{base}/hooks/complaints", headers={"Authorization": "Bearer t0ken"}).send(
        for_endpoint()
    )
    assert receiver.accepted()[0].headers["authorization"] == "Bearer t0ken"


def test_https_with_a_trusted_certificate(receiver: Receiver, tls: Tls) -> None:
    with http_server(receiver, tls=tls.server) as url:
        delivery = notifier(f"{url}/hooks/complaints", ssl_context=tls.client).send(for_endpoint())
    assert delivery.status == "HTTP 202"
    assert receiver.keys() == ["CMP-2026-000123:decision:1"]


def test_https_with_an_untrusted_certificate_is_a_temporary_failure(
    receiver: Receiver, tls: Tls
) -> None:
    with http_server(receiver, tls=tls.server) as url:
        error = delivery_error_of(lambda: notifier(f"{url}/hooks/complaints").send(for_endpoint()))
    assert error.retryable is True
    assert isinstance(error.__cause__, ssl.SSLCertVerificationError)
    assert receiver.seen() == []


# --- answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        (500, True),
        (503, True),
        (408, True),
        (429, True),
        (400, False),
        (401, False),
        (404, False),
        (422, False),
    ],
)
def test_an_answer_is_classified_by_its_status(
    receiver: Receiver, base: str, code: int, retryable: bool
) -> None:
    error = delivery_error_of(lambda: notifier(f"{base}/status/{code}").send(for_endpoint()))
    assert (error.retryable, error.status, error.channel) == (retryable, f"HTTP {code}", "webhook")
    assert len(receiver.seen()) == 1
    assert_no_personal_data(error, SECRET)


def test_a_wrong_secret_is_refused_by_the_receiver(receiver: Receiver, base: str) -> None:
    wrong = notifier(f"{base}/hooks/complaints", secret="another-secret-0123456789")
    error = delivery_error_of(lambda: wrong.send(for_endpoint()))
    assert (error.retryable, error.status) == (False, "HTTP 401")
    assert receiver.seen()[0].signed is False
    assert receiver.accepted() == []


@pytest.mark.parametrize("code", [301, 307, 308])
def test_a_redirect_is_not_followed(receiver: Receiver, base: str, code: int) -> None:
    error = delivery_error_of(lambda: notifier(f"{base}/status/{code}").send(for_endpoint()))
    assert (error.retryable, error.status) == (False, f"HTTP {code}")
    assert "redirect" in error.reason
    # The Location points at a path that would accept it; nothing went there.
    assert [r.path for r in receiver.seen()] == [f"/status/{code}"]


def test_a_connection_closed_without_an_answer_is_a_temporary_failure(
    receiver: Receiver, base: str
) -> None:
    error = delivery_error_of(lambda: notifier(f"{base}/close").send(for_endpoint()))
    assert error.retryable is True
    assert error.status is None
    assert isinstance(error.__cause__, http.client.RemoteDisconnected)
    assert receiver.seen()[0].path == "/close"


def test_a_slow_endpoint_times_out_in_time(receiver: Receiver, base: str) -> None:
    slow = notifier(f"{base}/slow", read_timeout=0.3)
    started = time.monotonic()
    error = delivery_error_of(lambda: slow.send(for_endpoint()))
    elapsed = time.monotonic() - started
    assert error.retryable is True
    assert "did not answer within 0.3 s (request)" in error.reason
    assert 0.25 <= elapsed < 2.0


def test_an_endpoint_that_is_down_is_a_temporary_failure() -> None:
    with closed_port() as port:
        error = delivery_error_of(
            lambda: notifier(f"http://127.0.0.1:{port}/hooks").send(for_endpoint())
        )
    assert error.retryable is True
    assert isinstance(error.__cause__, ConnectionRefusedError)
    assert "(connect: ConnectionRefusedError)" in error.reason


def test_an_unknown_endpoint_name_fails_permanently_without_a_request(
    receiver: Receiver, base: str
) -> None:
    error = delivery_error_of(
        lambda: notifier(f"{base}/hooks/complaints").send(notification())  # an e-mail address
    )
    assert error.retryable is False
    assert "no webhook endpoint has that name (configured: complaints-crm)" in error.reason
    assert_no_personal_data(error)
    assert receiver.seen() == []


# --- signatures ------------------------------------------------------------------------------

BODY = b'{"idempotency_key":"k"}'
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc)
STAMP = str(int(NOW.timestamp()))


def test_a_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    # Computed independently: printf '1772443800.{"idempotency_key":"k"}' |
    #   openssl dgst -sha256 -hmac whsec-0123456789abcdef0123456789abcdef
    expected = (
        "sha256="
        + __import__("hmac").new(SECRET.encode(), f"{STAMP}.".encode() + BODY, "sha256").hexdigest()
    )
    assert sign_webhook(SECRET, STAMP, BODY) == expected
    assert sign_webhook(SECRET.encode(), STAMP, BODY) == expected


def test_verify_accepts_a_fresh_genuine_request() -> None:
    signature = sign_webhook(SECRET, STAMP, BODY)
    assert verify_signature(SECRET, STAMP, BODY, signature, now=NOW) is True
    late = NOW + dt.timedelta(minutes=5)
    assert verify_signature(SECRET, STAMP, BODY, signature, now=late) is True


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "now"),
    [
        ("another-secret-0123456789", STAMP, BODY, NOW),
        (SECRET, STAMP, BODY + b" ", NOW),
        (SECRET, str(int(STAMP) + 1), BODY, NOW),
        (SECRET, STAMP, BODY, NOW + dt.timedelta(minutes=5, seconds=1)),
        (SECRET, STAMP, BODY, NOW - dt.timedelta(minutes=5, seconds=1)),
    ],
    ids=["wrong-secret", "tampered-body", "tampered-timestamp", "stale", "from-the-future"],
)
def test_verify_refuses_what_is_not_genuine_or_not_fresh(
    secret: str, timestamp: str, body: bytes, now: dt.datetime
) -> None:
    signature = sign_webhook(SECRET, STAMP, BODY)
    assert verify_signature(secret, timestamp, body, signature, now=now) is False


GOOD = sign_webhook(SECRET, STAMP, BODY)


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        ("", GOOD),
        ("-1", GOOD),
        ("1e9", GOOD),
        ("9" * 13, GOOD),
        ("9" * 12, GOOD),
        ("9" * 5000, GOOD),
        (" " + STAMP, GOOD),
        ("\uff11\uff12\uff13", GOOD),  # full-width digits
        (STAMP, ""),
        (STAMP, GOOD.removeprefix("sha256=")),
        (STAMP, GOOD.replace("sha256=", "sha1=")),
        (STAMP, GOOD.upper()),
        (STAMP, "sha256=ÿ"),
    ],
)
def test_verify_refuses_malformed_headers(timestamp: str, signature: str) -> None:
    assert verify_signature(SECRET, timestamp, BODY, signature, now=NOW) is False


def test_verify_takes_a_tolerance_and_needs_an_aware_now() -> None:
    signature = sign_webhook(SECRET, STAMP, BODY)
    an_hour_later = NOW + dt.timedelta(hours=1)
    assert verify_signature(SECRET, STAMP, BODY, signature, now=an_hour_later) is False
    assert verify_signature(
        SECRET, STAMP, BODY, signature, now=an_hour_later, tolerance=dt.timedelta(hours=1)
    )
    with pytest.raises(NaiveDatetimeError) as caught:
        verify_signature(SECRET, STAMP, BODY, signature, now=NOW.replace(tzinfo=None))
    assert caught.value.field == "now"


def test_verify_uses_the_system_clock_by_default() -> None:
    stamp = str(int(time.time()))
    assert verify_signature(SECRET, stamp, BODY, sign_webhook(SECRET, stamp, BODY)) is True
    assert verify_signature(SECRET, STAMP, BODY, sign_webhook(SECRET, STAMP, BODY)) is False


@given(secret=st.binary(min_size=16, max_size=64), body=st.binary(max_size=512))
def test_what_is_signed_verifies_and_any_changed_byte_does_not(secret: bytes, body: bytes) -> None:
    signature = sign_webhook(secret, STAMP, body)
    assert verify_signature(secret, STAMP, body, signature, now=NOW)
    assert not verify_signature(secret, STAMP, body + b"x", signature, now=NOW)
    assert not verify_signature(secret[1:] + b"!", STAMP, body, signature, now=NOW)


def test_the_body_is_compact_sorted_utf8_json(receiver: Receiver, base: str) -> None:
    sent = for_endpoint(data={"b": "Ü", "a": [1, 2]})
    notifier(f"{base}/hooks/complaints").send(sent)
    body = receiver.accepted()[0].body
    expected = json.dumps(
        webhook_payload(sent), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")
    assert body == expected
    assert '"data":{"a":[1,2],"b":"Ü"}'.encode() in body


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"url": "ftp://example.org/hook"}, "url"),
        ({"url": "https:///hook"}, "url"),
        ({"url": "https://user:pw@example.org/hook"}, "url"),
        ({"url": "https://example.org/hook#frag"}, "url"),
        ({"url": "https://example.org/a hook"}, "url"),
        ({"url": "https://example.org:99999/hook"}, "url"),
        ({"secret": "short"}, "secret"),
        ({"secret": 42}, "secret"),
        ({"include_personal_data": "yes"}, "include_personal_data"),
        ({"headers": {"Bad Name": "x"}}, "headers"),
        ({"headers": {"X-Iso10002-Signature": "sha256=forged"}}, "headers"),
        ({"headers": {"Idempotency-Key": "x"}}, "headers"),
        ({"headers": {"Authorization": "Bearer x\r\nX-Evil: 1"}}, "headers.Authorization"),
        ({"headers": {"Authorization": "Bearer t\u00f6k\u20ac"}}, "headers.Authorization"),
    ],
)
def test_bad_endpoint_settings_name_the_field(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        WebhookEndpoint(**{"url": "https://example.org/hook", "secret": SECRET, **settings})
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"endpoints": {}}, "endpoints"),
        ({"endpoints": {" ": "https://example.org"}}, "endpoints"),
        ({"endpoints": {"crm": "https://example.org"}}, "endpoints.crm"),
        ({"connect_timeout": 0}, "connect_timeout"),
        ({"read_timeout": -1}, "read_timeout"),
        ({"read_timeout": True}, "read_timeout"),
        ({"ssl_context": "default"}, "ssl_context"),
        ({"user_agent": ""}, "user_agent"),
        ({"clock": "now"}, "clock"),
    ],
)
def test_bad_notifier_settings_name_the_field(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        notifier("https://example.org/hook", **settings)
    assert caught.value.field == field


def test_secrets_and_headers_are_not_shown() -> None:
    endpoint = WebhookEndpoint(
        url="https://example.org/hook", secret=SECRET, headers={"Authorization": "Bearer t0ken"}
    )
    hooks = notifier("https://example.org/hook", headers={"Authorization": "Bearer t0ken"})
    for text in (repr(endpoint), repr(hooks)):
        assert SECRET not in text and "t0ken" not in text
    assert "https://example.org/hook" in repr(endpoint)


def test_the_request_can_be_inspected_before_sending() -> None:
    url, headers, body = notifier("https://example.org/hook").request(for_endpoint())
    assert url == "https://example.org/hook"
    assert headers[SIGNATURE_HEADER] == sign_webhook(SECRET, headers[TIMESTAMP_HEADER], body)
    assert verify_signature(
        SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER], now=START
    )


def test_the_version_2_signature_covers_the_idempotency_key() -> None:
    _, headers, body = notifier("https://example.org/hook").request(for_endpoint())
    key, timestamp = headers["Idempotency-Key"], headers[TIMESTAMP_HEADER]
    v2 = headers[SIGNATURE_V2_HEADER]
    assert v2 == sign_webhook(SECRET, timestamp, body, idempotency_key=key)
    assert verify_signature(SECRET, timestamp, body, v2, now=START, idempotency_key=key)
    # A captured request replayed with another key: the first signature, which covers only
    # the body, still verifies; the version 2 signature does not.
    forged = key + "-replayed"
    assert verify_signature(SECRET, timestamp, body, headers[SIGNATURE_HEADER], now=START)
    assert not verify_signature(SECRET, timestamp, body, v2, now=START, idempotency_key=forged)
    # The key's length is signed: moving a separator between the key and the body fails too.
    moved = sign_webhook(SECRET, timestamp, b"x." + body, idempotency_key=key[:-1])
    assert moved != v2
