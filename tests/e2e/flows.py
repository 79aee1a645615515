"""Steps that several user stories share, written the way a person does them (labels, buttons)."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Locator, Page, expect

PASSWORD = "counter-pass-1"
QR_URL_ATTR = "data-url"  # on the dashboard's QR image: the join URL the picture encodes


def unique_email(label: str) -> str:
    return f"{label}-{secrets.token_hex(4)}@example.com"


def fill_store_form(page: Page, *, email: str, name: str, queues: list[str],
                    password: str = PASSWORD, confirm: str | None = None) -> None:
    """Fill the open-store form on `/` (adding queue fields as needed); does not submit."""
    page.goto("/")
    expect(page.get_by_role("button", name="Open store")).to_be_enabled()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password", exact=True).fill(password if confirm is None else confirm)
    page.get_by_label("Store name", exact=True).fill(name)
    fields = page.get_by_label("Queue name", exact=True)
    expect(fields.first).to_be_visible()
    while fields.count() > len(queues):
        page.get_by_role("button", name="Remove queue").last.click()
    for index, queue in enumerate(queues):
        if index >= fields.count():
            page.get_by_role("button", name="Add queue").click()
            expect(fields).to_have_count(index + 1)
        fields.nth(index).fill(queue)


def open_store(page: Page, *, email: str, name: str, queues: list[str],
               password: str = PASSWORD) -> None:
    """Open a store and land on its dashboard."""
    fill_store_form(page, email=email, name=name, queues=queues, password=password)
    page.get_by_role("button", name="Open store").click()
    expect_dashboard(page, name)


def expect_dashboard(page: Page, store_name: str) -> None:
    expect(page).to_have_url(ends_with("/store"), timeout=20_000)
    expect(page.get_by_role("heading", name=store_name, exact=True)).to_be_visible()
    expect(page.get_by_alt_text("Join QR code")).to_be_visible()


def sign_in(page: Page, email: str, password: str) -> None:
    """Submit the sign-in form (the caller checks where it lands)."""
    page.goto("/signin")
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def join_url(tablet: Page) -> str:
    """The URL the dashboard's QR code encodes right now."""
    return tablet.get_by_alt_text("Join QR code").get_attribute(QR_URL_ATTR) or ""


def queue_panel(page: Page, queue: str) -> Locator:
    return page.get_by_role("region", name=queue, exact=True)


def customer_row(page: Page, queue: str, ticket: str) -> Locator:
    return queue_panel(page, queue).get_by_role("listitem", name=ticket, exact=True)


def join_party(phone: Page, people: list[tuple[str, str]]) -> None:
    """On an open join page, add `(name, queue)` people and submit; lands on the ticket."""
    names = phone.get_by_label("Name", exact=True)
    for index, (name, queue) in enumerate(people):
        if index > 0:
            phone.get_by_role("button", name="Add person").click()
            expect(names).to_have_count(index + 1)
        names.nth(index).fill(name)
        phone.get_by_label("Queue", exact=True).nth(index).select_option(label=queue)
    phone.get_by_role("button", name="Join the queue").click()
    expect(phone).to_have_url(_contains("/ticket/"), timeout=20_000)


_WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.body.querySelectorAll("*")]
    .filter(e => e.getBoundingClientRect().right > width + 1 && e.children.length === 0)
    .map(e => `<${e.tagName.toLowerCase()}> ${(e.textContent || "").trim().slice(0, 40)}`)
    .concat([`page ${document.documentElement.scrollWidth}px wide on a ${width}px screen`]);
}"""


def wider_than_screen(page: Page) -> list[str]:
    """What sticks out to the right (empty when the page has no horizontal scroll)."""
    return page.evaluate(_WIDER_THAN_SCREEN)


def ends_with(suffix: str) -> re.Pattern:
    return re.compile(re.escape(suffix.rstrip("/")) + r"/?(\?.*)?$")


def _contains(part: str) -> re.Pattern:
    return re.compile(re.escape(part))
