"""What a phone's websocket actually receives: never another customer's name, phone or serial id.

The raw frames are read from Chromium (Playwright's `framereceived`), not from our own code, so
this holds whatever the server sends: the shared room payloads, catch-ups and page loads alike.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import customer_row, join_party, join_url, open_store, queue_panel, unique_email

pytestmark = pytest.mark.e2e


def _record_frames(page: Page) -> list[str]:
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
        payload if isinstance(payload, str) else payload.decode(errors="replace"))))
    return frames


def test_a_phone_receives_no_other_customers_name_or_phone_in_any_frame(tablet, phone, second_phone,
                                                                         new_page):
    open_store(tablet, email=unique_email("frames"), name="Frame Shop", queues=["Main"])
    ours = _record_frames(phone)
    phone.goto(join_url(tablet))
    phone.get_by_label("Phone").fill("+44 7700 900111")
    join_party(phone, [("Olga Ownname", "Main")])
    status = phone.get_by_role("status", name="Your place in the queue")
    expect(status).to_contain_text("A-001")

    second_phone.goto(join_url(tablet))  # another customer, with a phone number
    second_phone.get_by_label("Phone").fill("+33 6 12 34 56 78")
    join_party(second_phone, [("Xavier Hiddenname", "Main")])
    tablet.locator("#walk-in-name").fill("Walker Privatename")  # a walk-in too
    tablet.locator("#walk-in-phone").fill("+49 151 2222222")
    tablet.get_by_role("button", name="Add walk-in").click()
    expect(queue_panel(tablet, "Main")).to_contain_text("3 waiting")
    public = new_page()
    theirs = _record_frames(public)
    public.goto(tablet.get_by_role("link", name=re.compile("public page", re.I)).get_attribute("href"))
    expect(public.get_by_text("3 waiting")).to_be_visible()

    customer_row(tablet, "Main", "A-001").get_by_role("button", name="Call").click()
    expect(status).to_contain_text("It's your turn")
    customer_row(tablet, "Main", "A-002").get_by_role("button", name="Call").click()
    expect(public.get_by_text("A-001, A-002")).to_be_visible()

    frames = "\n".join(ours)
    assert "Olga Ownname" in frames  # the frames were captured: the phone's own party is there
    for secret in ("Xavier Hiddenname", "Hiddenname", "Walker Privatename", "+33 6 12 34 56 78",
                   "12 34 56 78", "+49 151"):
        assert secret not in frames
    public_frames = "\n".join(theirs)
    assert "A-001" in public_frames
    for secret in ("Olga", "Xavier", "Walker", "+44 7700", "+33 6 12", "Ownname"):
        assert secret not in public_frames
    # No serial database id: no "id" field at all reaches a customer's page.
    assert not re.search(r'"(id|customer_id|queue_id|party_id)"\s*:', frames + public_frames)
