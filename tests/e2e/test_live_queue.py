"""The counter tablet and customers' phones stay in step without a reload (SPEC §2, §3)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from queue_app.qr import qr_data_uri
from tests.e2e.flows import (
    QR_URL_ATTR,
    customer_row,
    join_party,
    join_url,
    open_store,
    queue_panel,
    unique_email,
)

pytestmark = pytest.mark.e2e


def test_a_party_joins_from_a_phone_and_is_called_live(tablet, phone, second_phone, shot):
    open_store(tablet, email=unique_email("live"), name="Barber Süd", queues=["Haircut", "Beard"])
    qr = tablet.get_by_alt_text("Join QR code")
    first_url = join_url(tablet)
    assert first_url.startswith("http://127.0.0.1:") and "/join/" in first_url
    assert qr.get_attribute("src") == qr_data_uri(first_url)  # the picture encodes exactly that URL
    shot(tablet, "1-tablet-empty")

    phone.goto(first_url)
    expect(phone.get_by_role("heading", name="Barber Süd")).to_be_visible()
    expect(qr).not_to_have_attribute(QR_URL_ATTR, first_url)  # a fresh code, no reload
    assert qr.get_attribute("src") == qr_data_uri(join_url(tablet))
    shot(phone, "2-phone-join-form")
    shot(tablet, "2-tablet-new-code")

    join_party(phone, [("Ann", "Haircut"), ("Bob", "Beard"), ("Cleo", "Haircut")])
    status = phone.get_by_role("status", name="Your place in the queue")
    for ticket in ("A-001", "B-001", "A-002"):
        expect(status).to_contain_text(ticket)
    expect(status).to_contain_text("1 person ahead of you")  # Cleo, behind Ann
    for who in ("Ann (A-001)", "Bob (B-001)", "Cleo (A-002)"):  # one banner per person
        expect(phone.get_by_text(f"Almost your turn — {who}")).to_be_visible()
    shot(phone, "3-phone-ticket")

    expect(customer_row(tablet, "Haircut", "A-001")).to_contain_text("Ann")
    expect(customer_row(tablet, "Haircut", "A-002")).to_contain_text("Cleo")
    expect(customer_row(tablet, "Beard", "B-001")).to_contain_text("Bob")
    expect(queue_panel(tablet, "Haircut")).to_contain_text("2 waiting")
    shot(tablet, "3-tablet-party-arrived")

    customer_row(tablet, "Haircut", "A-001").get_by_role("button", name="Call").click()
    expect(phone.get_by_role("alert").filter(has_text="It's your turn — Ann (A-001)")).to_be_visible()
    expect(phone.get_by_text("Almost your turn — Ann (A-001)")).to_have_count(0)
    expect(status).to_contain_text("It's your turn — please come to the counter.")
    expect(status.get_by_text("1 person ahead of you")).to_have_count(0)  # Cleo moved up
    expect(status.get_by_text("You are next")).to_have_count(2)  # Cleo and Bob
    shot(phone, "4-phone-your-turn")
    shot(tablet, "4-tablet-called")

    customer_row(tablet, "Haircut", "A-001").get_by_role("button", name="Done").click()
    expect(status).to_contain_text("You have been served. Thank you!")
    expect(phone.get_by_role("alert").filter(has_text="It's your turn")).to_have_count(0)
    shot(phone, "5-phone-done")
    shot(tablet, "5-tablet-done")

    second_phone.goto(first_url)  # a photo of the old code, opened on another phone
    expect(second_phone.get_by_role("alert")).to_contain_text("already used")
    expect(second_phone.get_by_role("button", name="Join the queue")).to_have_count(0)
    shot(second_phone, "6-second-phone-refused")


def test_each_person_leaves_alone_or_the_whole_party_leaves_after_a_confirmation(tablet, phone):
    open_store(tablet, email=unique_email("leave"), name="Bakery Ost", queues=["Bread"])
    phone.goto(join_url(tablet))
    join_party(phone, [("Anna", "Bread"), ("Ben", "Bread"), ("Cara", "Bread")])
    status = phone.get_by_role("status", name="Your place in the queue")
    expect(status.get_by_role("button", name="Leave the queue")).to_have_count(3)

    status.get_by_role("button", name="Leave the queue").first.click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Leave", exact=True).click()
    expect(status).to_contain_text("You are no longer in the queue.")
    expect(status.get_by_role("button", name="Leave the queue")).to_have_count(2)
    expect(customer_row(tablet, "Bread", "A-001")).to_have_count(0)  # folded into Finished (1)
    queue_panel(tablet, "Bread").get_by_role("button", name="Finished (1)").click()
    expect(customer_row(tablet, "Bread", "A-001")).to_contain_text("Removed")

    phone.get_by_role("button", name="Leave all").click()
    dialog = phone.get_by_role("alertdialog")
    expect(dialog).to_contain_text("whole party")
    dialog.get_by_role("button", name="Stay in the queue").click()
    expect(status.get_by_role("button", name="Leave the queue")).to_have_count(2)  # nothing happened
    phone.get_by_role("button", name="Leave all").click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Leave all").click()
    expect(status.get_by_role("button", name="Leave the queue")).to_have_count(0)
    expect(phone.get_by_role("button", name="Leave all")).to_have_count(0)
    for ticket in ("A-002", "A-003"):
        expect(customer_row(tablet, "Bread", ticket)).to_contain_text("Removed")
    expect(queue_panel(tablet, "Bread")).to_contain_text("0 waiting")
