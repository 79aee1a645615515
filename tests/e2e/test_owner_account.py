"""The owner opens a store, signs out and in, and resets a forgotten password (SPEC §1.1, §1.2)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import (
    PASSWORD,
    ends_with,
    expect_dashboard,
    fill_store_form,
    open_store,
    queue_panel,
    sign_in,
    unique_email,
)

pytestmark = pytest.mark.e2e


def test_owner_opens_a_store_signs_out_and_back_in_and_stays_signed_in(tablet, shot):
    email = unique_email("owner")
    fill_store_form(tablet, email=email, name="Salon Nord", queues=["Haircut", "haircut"],
                    confirm="not-the-same")
    expect(tablet.get_by_label("Time zone")).to_have_value("Europe/Paris")  # guessed from the browser
    tablet.get_by_role("button", name="Open store").click()

    expect(tablet.get_by_label("Confirm password", exact=True)).to_have_accessible_description(
        "The two passwords do not match.")
    expect(tablet.get_by_label("Queue name", exact=True).nth(1)).to_have_accessible_description(
        re.compile("already a queue called"))
    expect(tablet.get_by_label("Queue name", exact=True).nth(0)).to_have_accessible_description("")
    expect(tablet).to_have_url(ends_with("/"))
    shot(tablet, "1-validation")

    # Nothing was created: the same email opens the store once the fields are corrected.
    tablet.get_by_label("Confirm password", exact=True).fill(PASSWORD)
    tablet.get_by_label("Queue name", exact=True).nth(1).fill("Beard")
    tablet.get_by_role("button", name="Open store").click()
    expect_dashboard(tablet, "Salon Nord")
    for queue in ("Haircut", "Beard"):
        expect(queue_panel(tablet, queue)).to_contain_text("0 waiting")
        expect(queue_panel(tablet, queue)).to_contain_text("Nobody in this queue yet.")
    shot(tablet, "2-dashboard")

    tablet.reload()
    expect_dashboard(tablet, "Salon Nord")
    other_tab = tablet.context.new_page()
    other_tab.goto("/store")
    expect_dashboard(other_tab, "Salon Nord")
    other_tab.close()

    tablet.get_by_role("button", name="Sign out").click()
    expect(tablet).to_have_url(ends_with("/signin"))
    sign_in(tablet, email, "wrong-password")
    expect(tablet.get_by_text("Wrong email or password.")).to_be_visible()
    sign_in(tablet, "nobody-" + email, PASSWORD)
    expect(tablet.get_by_text("Wrong email or password.")).to_be_visible()
    shot(tablet, "3-wrong-password")
    sign_in(tablet, email.upper(), PASSWORD)
    expect_dashboard(tablet, "Salon Nord")


def test_forgotten_password_is_reset_from_the_emailed_link(server, tablet, new_page, shot):
    email = unique_email("forgot")
    open_store(tablet, email=email, name="Bakery Ost", queues=["Bread"])
    laptop = new_page({"viewport": {"width": 1280, "height": 800}})

    laptop.goto("/signin")
    laptop.get_by_role("link", name="Forgot password?").click()
    expect(laptop.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    laptop.get_by_label("Email", exact=True).fill(email)
    laptop.get_by_role("button", name="Send reset link").click()
    expect(laptop.get_by_text("If an open store uses this address, we sent a link")).to_be_visible()
    shot(laptop, "1-link-sent")

    mail = server.wait_for_mail(email, "Reset your password")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/reset/\S+", body)
    assert link, f"no reset link in the mail:\n{body}"
    assert link.group(0).startswith(server.url + "/reset/")

    laptop.goto(link.group(0))
    laptop.get_by_label("Password", exact=True).fill("brand-new-pass")
    laptop.get_by_label("Confirm password", exact=True).fill("brand-new-pass")
    laptop.get_by_role("button", name="Set new password").click()
    expect_dashboard(laptop, "Bakery Ost")
    shot(laptop, "2-dashboard-after-reset")

    tablet.reload()  # the reset signed out every other device
    expect(tablet).to_have_url(ends_with("/signin"))
    expect(tablet.get_by_role("button", name="Sign in")).to_be_visible()

    laptop.goto(link.group(0))  # the link works once
    expect(laptop.get_by_text("This reset link is not valid any more")).to_be_visible()

    sign_in(tablet, email, PASSWORD)
    expect(tablet.get_by_text("Wrong email or password.")).to_be_visible()
    sign_in(tablet, email, "brand-new-pass")
    expect_dashboard(tablet, "Bakery Ost")
