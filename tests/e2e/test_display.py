"""The wall TV shows every queue readably, chimes and flashes on a call (SPEC §5.2, issue #11)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.e2e.flows import customer_row, open_store, unique_email
from tests.e2e.test_dashboard_layout import add_walk_in

pytestmark = pytest.mark.e2e
TV = {"viewport": {"width": 1920, "height": 1080}}
QUEUES = ["Haircut", "Beard", "Colour and highlights", "Kids", "Nails", "Massage", "Brows",
          "Payment"]

_LAYOUT = """() => {
  const numbers = [...document.querySelectorAll('.display-number')]
    .filter(e => e.checkVisibility({visibilityProperty: true}));
  return {
    scroll: [document.documentElement.scrollWidth - innerWidth,
             document.documentElement.scrollHeight - innerHeight],
    numbers: numbers.map(e => {
      const range = document.createRange();
      range.selectNodeContents(e);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
      return {text: e.textContent, lines, clipped: e.scrollWidth > e.clientWidth + 1,
              px: parseFloat(getComputedStyle(e).fontSize)};
    }),
  };
}"""


def _display(tablet: Page, new_page) -> Page:
    link = tablet.get_by_role("link", name="Show on a second screen")
    tv = new_page(TV)
    tv.goto(link.get_attribute("href"))
    expect(tv.get_by_alt_text("Join QR code")).to_be_visible()
    return tv


def _check_layout(tv: Page, size: tuple[int, int], queues: list[str]) -> dict:
    tv.set_viewport_size({"width": size[0], "height": size[1]})
    tv.wait_for_timeout(300)
    for queue in queues:
        expect(tv.get_by_role("region", name=queue, exact=True)).to_be_in_viewport(ratio=1)
    layout = tv.evaluate(_LAYOUT)
    assert layout["scroll"] == [0, 0], f"scrollbars at {size}: {layout['scroll']}"
    assert len(layout["numbers"]) == len(queues)
    for number in layout["numbers"]:
        assert number["lines"] == 1 and not number["clipped"], (size, number)
    qr = tv.get_by_alt_text("Join QR code").bounding_box()
    assert qr["height"] >= 0.4 * size[1], f"QR code {qr['height']} px high at {size}"  # 2 m away
    return layout


def test_a_wall_tv_shows_eight_queues_and_chimes_and_flashes_on_a_call(tablet, new_page, shot):
    open_store(tablet, email=unique_email("tv"), name="Salon Lumière", queues=QUEUES)
    for queue in ("Haircut", "Haircut", "Beard", "Colour and highlights"):
        add_walk_in(tablet, f"{queue} guest", queue)
    customer_row(tablet, "Haircut", "A-001").get_by_role("button", name="Call").click()
    tv = _display(tablet, new_page)
    expect(tv.get_by_role("region", name="Haircut", exact=True)).to_contain_text("A-001")
    expect(tv.get_by_role("region", name="Haircut", exact=True)).to_contain_text("1 waiting")
    expect(tv.get_by_role("list", name="Recently called")).to_contain_text("A-001")

    big = _check_layout(tv, (1920, 1080), QUEUES)
    small = _check_layout(tv, (1280, 720), QUEUES)
    assert min(n["px"] for n in small["numbers"]) >= 60  # readable across the room
    assert min(n["px"] for n in big["numbers"]) > min(n["px"] for n in small["numbers"])
    tv.set_viewport_size({"width": 1920, "height": 1080})
    shot.sizes(tv, "1-eight-queues", full_page=False)

    hint = tv.get_by_role("button", name="Tap anywhere to turn on the sound")
    expect(hint).to_be_visible()
    tv.mouse.click(960, 540)  # one tap on the screen: sound may start
    expect(hint).to_be_hidden()
    tablet.get_by_role("region", name="Beard", exact=True).get_by_role(
        "button", name="Call next").click()
    beard = tv.get_by_role("region", name="Beard", exact=True)
    expect(beard).to_contain_text("B-001")
    expect(tv.locator("html")).to_have_attribute("data-flashes", "1")
    expect(tv.locator("html")).to_have_attribute("data-chimes", "1")
    expect(beard).to_have_class(re.compile(r"\bdisplay-flash\b"))
    expect(tv.get_by_role("list", name="Recently called").get_by_role("listitem").first
           ).to_contain_text("B-001")
    shot(tv, "2-called", full_page=False)

    public = new_page(PHONE)
    public.goto(tablet.get_by_role("link", name="Public page for this store").get_attribute("href"))
    expect(public.get_by_role("heading", name="Salon Lumière")).to_be_visible()
    expect(public.get_by_text("Now serving: B-001")).to_be_visible()
    expect(public.get_by_text("Haircut guest")).to_have_count(0)  # numbers and counts, no names
    shot(public, "3-public-page")


def test_more_than_eight_queues_page_through_by_themselves(tablet, new_page, shot):
    queues = [f"Counter {n}" for n in range(1, 13)]
    open_store(tablet, email=unique_email("tv-many"), name="Town Hall", queues=queues)
    tv = _display(tablet, new_page)
    _check_layout(tv, (1920, 1080), queues[:8])
    expect(tv.get_by_role("region", name="Counter 9", exact=True)).to_be_hidden()
    shot(tv, "1-first-page", full_page=False)
    expect(tv.get_by_role("region", name="Counter 9", exact=True)).to_be_visible(timeout=15_000)
    expect(tv.get_by_role("region", name="Counter 1", exact=True)).to_be_hidden()
    _check_layout(tv, (1920, 1080), queues[8:])
    shot(tv, "2-second-page", full_page=False)
