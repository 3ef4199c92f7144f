"""Every page of the example application, used in a real browser, with a screenshot of each."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import Server, Shoot

COMPLAINT = {
    "#name": "Ann Example",
    "#email": "ann@example.org",
    "#description": "I was charged twice for order 1234.",
    "#remedy": "Refund the second charge",
}


def fill_complaint(page: Page, key: str | None = None, **changes: str) -> str:
    """Open the form, fill it (with ``key`` as its client key, if given); return the key."""
    page.goto("/")
    for selector, value in {**COMPLAINT, **changes}.items():
        page.fill(selector, value)
    if key is not None:
        page.evaluate("key => { document.querySelector('[name=client_key]').value = key }", key)
    return page.input_value("[name=client_key]")


def sign_in(page: Page, who: str) -> None:
    page.context.clear_cookies()
    page.goto("/staff")
    page.select_option("#staff", who)
    page.click("#sign-in button")
    expect(page.locator("header.site .who")).to_contain_text("Signed in as")


def mail_for(mail_dir: Path, reference: str, timeout: float = 20.0) -> str:
    """The text of the first e-mail the worker delivered about ``reference``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []:
            text = path.read_text(encoding="utf-8")
            if f"X-Complaint: {reference}" in text:
                return text
        time.sleep(0.2)
    raise AssertionError(f"no e-mail about {reference} in {mail_dir} after {timeout}s")


def test_complaint_form_receives_once_and_acknowledges(
    server: Server, page: Page, shoot: Shoot
) -> None:
    key = fill_complaint(page)
    shoot(page, "01-complaint-form")
    page.click("#complaint-form button")
    expect(page.locator("h1")).to_have_text("We have received your complaint")
    reference = page.inner_text("#reference")
    shoot(page, "02-complaint-received")

    # The same form sent again from another tab (a retry): the complaint already recorded.
    again = page.context.new_page()
    fill_complaint(again, key)
    again.click("#complaint-form button")
    expect(again.locator("h1")).to_have_text("We had already received this complaint")
    assert again.inner_text("#reference") == reference
    shoot(again, "03-complaint-already-received")

    # The same key with different content is refused, as a message on a fresh form.
    fill_complaint(again, key, **{"#description": "Something else entirely."})
    again.click("#complaint-form button")
    expect(again.locator(".message")).to_contain_text(
        f"was used for complaint {reference} with different content (description)"
    )
    assert again.input_value("[name=client_key]") != key
    assert again.input_value("#description") == "Something else entirely."
    shoot(again, "04-complaint-key-reused")

    # Invalid input: the form again, with the message and what was typed.
    fill_complaint(again, **{"#email": "ann@example"})
    again.click("#complaint-form button")
    expect(again.locator(".message")).to_contain_text("email")
    assert again.input_value("#name") == "Ann Example"

    # The worker sends the acknowledgement letter from the outbox.
    letter = mail_for(server.mail_dir, reference)
    assert "To: ann@example.org" in letter


def test_status_page_shows_the_public_view(page: Page, server: Server, shoot: Shoot) -> None:
    reference = server.seeded[1]  # the second seeded complaint: acknowledged
    page.goto("/status")
    page.fill("#reference", reference.lower())
    page.fill("#email", "Customer2@example.org")
    page.click("#status-form button")
    expect(page.locator("h1")).to_have_text(f"Complaint {reference}")
    expect(page.locator("#status")).to_contain_text("acknowledged")
    expect(page.locator("#timeline tbody tr")).to_have_count(2)
    # The public view: no staff names, no internal notes.
    assert "Fran" not in page.content()
    shoot(page, "05-status")

    # A wrong address and an unknown reference get the same answer.
    for ref, email in ((reference, "someone@example.org"), ("CMP-1999-000001", "x@example.org")):
        page.goto("/status")
        page.fill("#reference", ref)
        page.fill("#email", email)
        page.click("#status-form button")
        expect(page.locator(".message")).to_have_text(
            "No complaint matches that reference and e-mail address."
        )
    shoot(page, "06-status-no-match")


def test_staff_console_queue_buttons_and_refusals(page: Page, server: Server, shoot: Shoot) -> None:
    page.goto("/staff")
    shoot(page, "07-staff-sign-in")
    sign_in(page, "mia")
    breaches = page.locator("#breach-queue")
    expect(breaches.locator(".badge.breached").first).to_be_visible()
    late = server.seeded[3]  # received weeks ago and never acknowledged
    expect(breaches).to_contain_text(late)
    expect(page.locator("#queue tbody tr").first).to_be_visible()
    shoot(page, "08-staff-queue")

    breaches.get_by_role("link", name=late).click()
    expect(page.locator("h1")).to_contain_text(late)
    # Buttons come from available_commands: a refused one is shown disabled, with why.
    expect(page.locator("#command-release_hold button")).to_be_disabled()
    expect(page.locator("#command-release_hold .why")).to_have_text("the complaint is not on hold")
    # The worker's tick raised the breach alerts once.
    expect(page.locator("#history")).to_contain_text("sla alert raised")
    shoot(page, "09-staff-complaint")

    page.click("#command-acknowledge button")
    expect(page.locator(".message.ok")).to_have_text("Done: acknowledge.")
    expect(page.locator("#command-acknowledge")).to_have_count(0)

    # A guard refuses closing before a decision: a message on the page, not a traceback.
    page.select_option("#close-reason", "resolved")
    page.click("#command-close button")
    message = page.locator(".message.error")
    expect(message).to_contain_text("closure_justified")
    expect(page.locator("h1")).to_contain_text(late)
    shoot(page, "10-staff-refusal")

    # An investigator sees only what is assigned to them and may not close.
    sign_in(page, "ivan")
    expect(page.locator("#queue tbody tr")).to_have_count(2)  # the two seeded as assigned
    page.goto(f"/staff/complaints/{late}")
    expect(page.locator(".message")).to_contain_text("not assigned to ivan")


def test_report_page_embeds_the_report_in_the_layout(page: Page, shoot: Shoot) -> None:
    sign_in(page, "mia")
    page.goto("/report")
    report = page.locator("main .iso10002-report")
    expect(report).to_be_visible()
    expect(page.locator("header.site nav")).to_be_visible()  # the application's own layout
    expect(report.locator("#headline .figure").first).to_be_visible()
    expect(report.locator("#kpi-received .value")).not_to_be_empty()
    # Only the application's page is a document; the fragment brought no second one.
    assert page.locator("html").count() == 1
    assert page.locator("body").count() == 1
    shoot(page, "11-report")

    sign_in(page, "ivan")
    page.goto("/report")
    expect(page.locator(".message")).to_contain_text("not granted report")


def test_status_look_ups_that_match_nothing_are_limited(server: Server) -> None:
    """Each web process answers 429 after 10 failed look-ups a minute from one address."""
    statuses = []
    for n in range(30):
        body = urllib.parse.urlencode(
            {"reference": f"CMP-1999-{n:06d}", "email": "guess@example.org"}
        ).encode()
        request = urllib.request.Request(f"{server.url}/status", data=body, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    assert set(statuses) <= {404, 429}
    assert 429 in statuses
    assert statuses.index(429) >= 10 - 2  # the browser test's two misses came first
