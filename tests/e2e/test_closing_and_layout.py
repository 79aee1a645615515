"""Closing reaches every screen and the owner's inbox; phone pages fit 360 px (SPEC §1.3, §3)."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.flows import (
    ends_with,
    join_party,
    join_url,
    open_store,
    unique_email,
    wider_than_screen,
)

pytestmark = pytest.mark.e2e
NARROW_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}


def test_closing_the_store_shows_it_on_the_phone_and_mails_the_report(server, tablet, phone, shot):
    email = unique_email("close")
    open_store(tablet, email=email, name="Kiosk West", queues=["Coffee"])
    phone.goto(join_url(tablet))
    join_party(phone, [("Dana", "Coffee")])
    status = phone.get_by_role("status", name="Your place in the queue")
    expect(status).to_contain_text("A-001")
    shot(phone, "1-phone-ticket")

    tablet.get_by_role("button", name="Close store").click()
    dialog = tablet.get_by_role("alertdialog")
    expect(dialog).to_contain_text("report is emailed to you")
    expect(dialog).to_contain_text("customer data is deleted")
    shot(tablet, "2-tablet-confirm")
    dialog.get_by_role("button", name="Close store and send report").click()
    expect(tablet).to_have_url(ends_with("/closed"))
    expect(tablet.get_by_role("heading", name="Your store is closed")).to_be_visible()

    expect(phone.get_by_role("alert").filter(has_text="This store is closed")).to_be_visible()
    expect(phone.get_by_role("button", name="Leave the queue")).to_have_count(0)
    expect(status).to_contain_text("A-001")  # the ticket number stays on the screen
    expect(status).to_contain_text("Dana")
    shot(phone, "3-phone-store-closed")

    report = server.wait_for_mail(email, "Queue report: Kiosk West", timeout=60)
    attachment = next(part for part in report.iter_attachments()
                      if part.get_filename().endswith(".csv"))
    assert attachment.get_filename().startswith("kiosk-west-")
    saved = attachment.get_payload(decode=True)  # the file as a mail client saves it
    assert saved.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(saved.decode("utf-8-sig"))))
    assert [(r["queue"], r["ticket"], r["name"], r["source"]) for r in rows] == [
        ("Coffee", "A-001", "Dana", "qr")]


def test_the_join_and_ticket_pages_fit_a_360_px_phone(tablet, new_page, shot):
    open_store(tablet, email=unique_email("narrow"), name="Späti Nummer Eins am Kanal",
               queues=["Getränke & Snacks für unterwegs", "Paket"])
    phone = new_page(NARROW_PHONE)
    phone.goto(join_url(tablet))
    expect(phone.get_by_role("button", name="Join the queue")).to_be_visible()
    for _ in range(4):
        phone.get_by_role("button", name="Add person").click()
    expect(phone.get_by_label("Name", exact=True)).to_have_count(5)
    expect(phone.get_by_role("button", name="Add person")).to_have_count(0)  # five at most
    phone.get_by_role("button", name="Join the queue").click()
    expect(phone.get_by_label("Name", exact=True).first).to_have_accessible_description(
        "Enter a name.")
    shot(phone, "1-join-form-errors")
    assert wider_than_screen(phone) == []

    for _ in range(4):
        phone.get_by_role("button", name="Remove person").last.click()
    expect(phone.get_by_label("Name", exact=True)).to_have_count(1)
    join_party(phone, [("Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft", "Paket")])
    expect(phone.get_by_role("status", name="Your place in the queue")).to_contain_text("B-001")
    shot(phone, "2-ticket")
    assert wider_than_screen(phone) == []
