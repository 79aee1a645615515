"""A waiting room, visitor and owner side by side: tickets, live admission, the signed hand-off."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import PASSWORD, ends_with, unique_email

pytestmark = pytest.mark.e2e


# The start, two hours ahead in the browser's own time zone (the form's default zone), as
# <input type=datetime-local> wants it. Until then no slide runs by itself: nobody is let in by a
# scheduler tick that happens to come just after the first ticket; "Admit next batch" still works.
LATER = """() => { const d = new Date(Date.now() + 2 * 3600e3);
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
    + `T${p(d.getHours())}:${p(d.getMinutes())}`; }"""


def open_waiting_room(page, *, email, name, target, size="1", interval="3600"):
    page.goto("/")
    expect(page.get_by_role("button", name="Open store")).to_be_enabled()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password", exact=True).fill(PASSWORD)
    page.get_by_label("Store name", exact=True).fill(name)
    page.get_by_role("radio", name="Waiting room").click()
    page.get_by_label("Window size", exact=True).fill(size)
    page.get_by_label("Window interval (seconds)", exact=True).fill(interval)
    page.get_by_label("Active windows", exact=True).fill("2")
    page.get_by_label("Target URL", exact=True).fill(target)
    page.get_by_label("Starts at", exact=True).fill(page.evaluate(LATER))
    page.get_by_role("button", name="Open waiting room").click()
    expect(page).to_have_url(ends_with("/room"), timeout=20_000)
    expect(page.get_by_role("heading", name=f"{name} — waiting room")).to_be_visible()


def verify(token: str, key: str) -> dict:
    """The README's verification example, as a target site would run it."""
    head, body, sig = token.split(".")
    raw_key = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    good = hmac.new(raw_key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)), good)
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert claims["typ"] == "admission" and claims["exp"] > time.time()
    return claims


def test_visitors_take_tickets_and_are_let_in_live_by_the_owner(server, tablet, phone, second_phone,
                                                                 shot):
    target = server.url + "/healthz"  # any page of the shop: here one that answers 200
    owner = unique_email("room")
    open_waiting_room(tablet, email=owner, name="Sneaker drop", target=target)
    visitor_url = tablet.get_by_role("link", name="/w/").first.get_attribute("href")
    key = tablet.locator("code").first.inner_text()
    shot(tablet, "1-owner-open")

    phone.goto(visitor_url)
    phone.get_by_role("button", name="Take a ticket").click()
    place = phone.get_by_role("status", name="Your place in line")
    expect(place).to_contain_text("You are next.")
    expect(place).to_contain_text("The line opens at ")  # the start is two hours ahead
    second_phone.goto(visitor_url)
    second_phone.get_by_role("button", name="Take a ticket").click()
    second_place = second_phone.get_by_role("status", name="Your place in line")
    expect(second_place).to_contain_text("1 person ahead of you.")
    second_phone.reload()  # one ticket per browser: the same place comes back
    expect(second_place).to_contain_text("1 person ahead of you.")
    second_phone.goto(visitor_url)
    expect(second_phone.get_by_role("button", name="Take a ticket")).to_have_count(0)
    shot(phone, "2-visitor-waiting")

    tablet.get_by_role("button", name="Admit next batch").click()
    expect(place).to_contain_text("It's your turn — continue before ")  # live, no reload
    expect(second_place).to_contain_text("You are next.")
    expect(tablet.get_by_text("Let in", exact=True).locator("..")).to_contain_text("1")
    expect(tablet.get_by_text("Tickets issued", exact=True).locator("..")).to_contain_text("2")
    shot(phone, "3-visitor-admitted")
    shot(tablet, "3-owner-admitted")

    phone.get_by_role("link", name="Continue").click()
    phone.wait_for_url(lambda url: url.startswith(target + "?queue_admission="))
    token = parse_qs(urlsplit(phone.url).query)["queue_admission"][0]
    claims = verify(token, key)
    assert claims["sub"] == "1" and claims["aud"] == urlsplit(visitor_url).path.rsplit("/", 1)[-1]

    tablet.get_by_role("button", name="Pause").click()
    expect(tablet.get_by_role("button", name="Resume")).to_be_visible()
    tablet.get_by_role("button", name="Close waiting room").click()
    tablet.get_by_role("button", name="Close and send report").click()
    expect(second_phone.get_by_role("alert").filter(has_text="closed")).to_be_visible()
    shot(second_phone, "4-visitor-closed")
    mail = server.wait_for_mail(owner, "Waiting room report: Sneaker drop")
    body = mail.get_body(("plain",)).get_content()
    assert "Tickets issued: 2" in body and "Let in: 1" in body
