"""
Complaint notifications sent to a webhook, and checked on the receiving side.

The script starts a receiver on 127.0.0.1 (on a port the system picks) that does what a real
receiver should: it verifies each request's signature and timestamp over the raw body and the
``Idempotency-Key`` header (the version 2 signature covers both), and accepts each key once.
A key the signature does not cover could be changed in a captured request, which would then be
processed twice. Then it sends:

1. a decision notification, which the receiver accepts;
2. the same notification again, as a retry after a lost answer would, which the receiver
   recognises as a duplicate and does not process twice;
3. a notification signed with the wrong secret, which the receiver refuses (a permanent failure);
4. a notification to an endpoint that is "down for maintenance" (503, a temporary failure).

Run it with ``python examples/notify_webhook.py``; it needs nothing but this library.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from iso10002.clock import SystemClock
from iso10002.errors import DeliveryError
from iso10002.notify import (
    SIGNATURE_V2_HEADER,
    TIMESTAMP_HEADER,
    Notification,
    NotificationKind,
    WebhookEndpoint,
    WebhookNotifier,
    verify_signature,
)

SECRET = secrets.token_hex(32)
PROCESSED: dict[str, dict[str, object]] = {}
"""What the receiving application processed, by idempotency key."""
LOCK = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    """The receiving application: verify, deduplicate, process."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/maintenance":
            self.answer(503)
            return
        key = self.headers.get("Idempotency-Key", "")
        genuine = verify_signature(
            SECRET,
            self.headers.get(TIMESTAMP_HEADER, ""),
            body,
            self.headers.get(SIGNATURE_V2_HEADER, ""),
            idempotency_key=key,  # signed too: the key deduplicated on is the key sent
        )
        if not genuine:
            self.answer(401)
            return
        with LOCK:
            duplicate = key in PROCESSED
            if not duplicate:
                PROCESSED[key] = json.loads(body)
        # A duplicate is answered with success: the sender must stop retrying it.
        self.answer(200 if duplicate else 202)

    def answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the example's output to what it prints itself


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        notifier = WebhookNotifier(
            endpoints={
                "crm": WebhookEndpoint(url=f"{base}/complaints", secret=SECRET),
                "legacy": WebhookEndpoint(url=f"{base}/complaints", secret="x" * 32),
                "archive": WebhookEndpoint(url=f"{base}/maintenance", secret=SECRET),
            },
            connect_timeout=2,
            read_timeout=5,
        )
        decision = Notification(
            idempotency_key="CMP-2026-000123:decision:1",
            complaint_reference="CMP-2026-000123",
            kind=NotificationKind.DECISION,
            recipient="crm",
            subject="Your complaint CMP-2026-000123: our decision",
            text="We uphold your complaint and refund GBP 25.00.",
            created_at=SystemClock().now(),
            data={"outcome": "upheld", "refund": {"amount": "25.00", "currency": "GBP"}},
        )

        first = notifier.send(decision)
        print(f"1. sent: {first.status}")
        again = notifier.send(decision)
        print(f"2. sent again: {again.status} (the receiver saw a duplicate)")
        print(f"   processed once: {sorted(PROCESSED)}")
        stored = PROCESSED[decision.idempotency_key]
        print(f"   payload: kind={stored['kind']}, data={stored['data']}")
        assert "message" not in stored, "the letter's text is not sent unless asked for"

        for number, endpoint in ((3, "legacy"), (4, "archive")):
            notification = Notification(
                idempotency_key=f"CMP-2026-000123:decision:{endpoint}",
                complaint_reference="CMP-2026-000123",
                kind=NotificationKind.DECISION,
                recipient=endpoint,
                subject=decision.subject,
                text=decision.text,
                created_at=decision.created_at,
            )
            try:
                notifier.send(notification)
            except DeliveryError as e:
                verdict = "retry later" if e.retryable else "give up"
                print(f"{number}. {endpoint}: {e.status}, {verdict}")
        assert len(PROCESSED) == 1
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


if __name__ == "__main__":
    main()
