"""With a real mail server the owner confirms their address before any report goes to it (item 13).

The app runs with `QUEUE_SMTP_HOST` pointed at an aiosmtpd server in this test process.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, TABLET, start_app, stop_app
from tests.e2e.flows import ends_with, join_party, join_url, open_store, unique_email
from tests.integration.smtp_server import smtp_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def smtp_app(chromium):
    """The app in prod mode whose mail goes to a real SMTP server on 127.0.0.1."""
    root = Path(tempfile.mkdtemp(prefix="queue-e2e-smtp-"))
    with smtp_server() as (inbox, port):
        process, url, _ = start_app(root, QUEUE_SMTP_HOST="127.0.0.1", QUEUE_SMTP_PORT=str(port),
                                    QUEUE_SMTP_STARTTLS="0", QUEUE_SMTP_TIMEOUT="5",
                                    QUEUE_MAIL_FROM="queue@shop.test")
        try:
            yield url, inbox, root
        finally:
            stop_app(process)
    shutil.rmtree(root, ignore_errors=True)


def mail_to(inbox, to: str, subject_part: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for got in inbox.received:
            if got.recipients == [to] and subject_part in got.mail["Subject"]:
                return got.mail
        time.sleep(0.25)
    raise AssertionError(f"no mail to {to} about {subject_part!r}: "
                         f"{[(m.recipients, m.mail['Subject']) for m in inbox.received]}")


def close(tablet) -> None:
    tablet.get_by_role("button", name="Close store").click()
    tablet.get_by_role("alertdialog").get_by_role("button", name="Close store and send report").click()
    expect(tablet).to_have_url(ends_with("/closed"))


def test_the_owner_confirms_from_the_mailed_link_and_then_gets_the_report(smtp_app, browser):
    url, inbox, _ = smtp_app
    email = unique_email("confirm")
    tablet = browser.new_context(base_url=url, **TABLET).new_page()
    open_store(tablet, email=email, name="Confirmed Café", queues=["Main"])
    banner = tablet.get_by_role("status").filter(has_text="Confirm your email address")
    expect(banner).to_be_visible()
    confirm = mail_to(inbox, email, "Confirm your email for Confirmed Café")
    link = next(word for word in confirm.get_body(("plain",)).get_content().split()
                if "/confirm/" in word)

    mailbox = browser.new_context(**PHONE).new_page()  # the owner opens the mail on their phone
    mailbox.goto(link)
    expect(mailbox.get_by_text("Confirmed Café", exact=False).first).to_be_visible()
    mailbox.get_by_role("button", name="Confirm my email").click()
    expect(mailbox.get_by_role("status")).to_contain_text("Your email address is confirmed")
    expect(banner).to_have_count(0)  # the tablet drops the banner by itself

    phone = browser.new_context(**PHONE).new_page()
    phone.goto(join_url(tablet))
    join_party(phone, [("Dana", "Main")])
    close(tablet)
    report = mail_to(inbox, email, "Queue report: Confirmed Café")
    assert any(part.get_filename().endswith(".csv") for part in report.iter_attachments())


def test_an_unconfirmed_owners_report_is_archived_and_never_mailed(smtp_app, browser):
    url, inbox, root = smtp_app
    email = unique_email("squat")
    tablet = browser.new_context(base_url=url, **TABLET).new_page()
    open_store(tablet, email=email, name="Unconfirmed Deli", queues=["Main"])
    expect(tablet.get_by_role("status").filter(has_text="Confirm your email address")).to_be_visible()
    tablet.get_by_role("button", name="Resend the link").click()
    expect(tablet.get_by_text("We sent a new link")).to_be_visible()
    close(tablet)

    deadline = time.monotonic() + 30
    while not list((root / "archive").glob("*unconfirmed-deli*.csv")) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert list((root / "archive").glob("*unconfirmed-deli*.csv")), "the report was not archived"
    subjects = [m.mail["Subject"] for m in inbox.received if m.recipients == [email]]
    assert subjects == ["Confirm your email for Unconfirmed Deli"] * 2  # at opening, and the resend
