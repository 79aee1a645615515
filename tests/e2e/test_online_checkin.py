"""Remote check-in: the owner turns a queue online, a customer joins from the public store page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import customer_row, open_store, queue_panel, unique_email

pytestmark = pytest.mark.e2e


def test_a_customer_checks_in_from_home_and_shows_as_online(tablet, phone, shot):
    open_store(tablet, email=unique_email("online"), name="Clinic Nord", queues=["Vaccine", "Test"])
    public_url = tablet.get_by_role("link", name="Public page for this store").get_attribute("href")
    phone.goto(public_url)
    expect(phone.get_by_text("To join, scan the code at the counter.")).to_be_visible()
    expect(phone.get_by_role("button", name="Join the queue")).to_have_count(0)

    queue_panel(tablet, "Vaccine").get_by_role("switch", name="Online check-in").click()
    expect(phone.get_by_role("button", name="Join the queue")).to_be_visible()  # live, no reload
    phone.get_by_label("Name", exact=True).fill("Ida")
    phone.get_by_label("Phone", exact=True).fill("+49 30 1234")
    phone.get_by_label("Queue", exact=True).select_option(label="Vaccine")
    shot(phone, "1-public-form")
    phone.get_by_role("button", name="Join the queue").click()
    expect(phone.get_by_role("status", name="Your place in the queue")).to_contain_text("A-001")

    row = customer_row(tablet, "Vaccine", "A-001")
    expect(row).to_contain_text("Ida")
    expect(row).to_contain_text("online")
    shot(tablet, "2-dashboard-online-party")
