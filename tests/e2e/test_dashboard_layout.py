"""A busy store run from a counter tablet, a portrait tablet and a phone (SPEC §2, issue #11)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import TABLET
from tests.e2e.flows import (
    PASSWORD,
    customer_row,
    expect_dashboard,
    open_store,
    queue_panel,
    sign_in,
    unique_email,
    wider_than_screen,
)

pytestmark = pytest.mark.e2e
OLD_ROWS_ON_SCREEN = 3  # customer rows of one queue above the fold at 1280×800 before issue #11

_ROW_BOTTOMS = """list => [...list.querySelectorAll(':scope > [role=listitem]')]
  .map(row => row.getBoundingClientRect().bottom)"""
_BUTTON_GAPS = """row => {
  const boxes = [...row.querySelectorAll('button')].map(b => [b.getBoundingClientRect(),
                                                              b.getAttribute('aria-label')]);
  const gaps = [];
  for (let i = 1; i < boxes.length; i++) {
    const [prev, [box, label]] = [boxes[i - 1][0], boxes[i]];
    if (Math.abs(box.top - prev.top) < 4) gaps.push([label, box.left - prev.right]);
  }
  return gaps;
}"""


def add_walk_in(tablet: Page, name: str, queue: str) -> None:
    tablet.get_by_label("Name", exact=True).fill(name)
    tablet.get_by_label("Queue", exact=True).select_option(label=queue)
    tablet.get_by_role("button", name="Add walk-in").click()
    expect(tablet.get_by_role("status").filter(has_text="tell the customer their number")
           ).to_contain_text("Ticket")
    expect(tablet.get_by_label("Name", exact=True)).to_have_value("")


def test_a_busy_store_fits_the_counter_tablet_a_portrait_tablet_a_phone_and_a_tv(tablet, shot):
    open_store(tablet, email=unique_email("busy"), name="Bäckerei Morgenrot am Markt",
               queues=["Bread", "Cakes", "Coffee"])
    for queue, count in (("Bread", 12), ("Cakes", 4), ("Coffee", 3)):
        for number in range(1, count + 1):
            add_walk_in(tablet, f"{queue} customer {number}", queue)
    bread = queue_panel(tablet, "Bread")
    expect(bread).to_contain_text("12 waiting")
    for ticket, actions in (("A-001", ("Call", "Done")), ("A-002", ("Call", "Done")),
                            ("A-003", ("No-show",))):
        for action in actions:
            customer_row(tablet, "Bread", ticket).get_by_role("button", name=action).click()
        expect(customer_row(tablet, "Bread", ticket)).to_have_count(0)  # folded away
    customer_row(tablet, "Bread", "A-004").get_by_role("button", name="Call").click()
    expect(bread).to_contain_text("now serving A-004")

    finished = bread.get_by_role("button", name="Finished (3)")
    expect(finished).to_have_attribute("aria-expanded", "false")
    tablet.evaluate("() => window.scrollTo(0, 0)")
    shot.sizes(tablet, "1-busy")

    tablet.set_viewport_size({"width": 1280, "height": 800})
    bottoms = bread.get_by_role("list", name="Bread customers").evaluate(_ROW_BOTTOMS)
    on_screen = sum(bottom <= 800 for bottom in bottoms)
    assert on_screen >= 2 * OLD_ROWS_ON_SCREEN, f"only {on_screen} rows above the fold: {bottoms}"
    for ticket in ("A-004", "A-005"):  # a called and a waiting customer
        gaps = customer_row(tablet, "Bread", ticket).evaluate(_BUTTON_GAPS)
        assert gaps and all(gap >= 8 for _, gap in gaps), gaps
        assert [label for label, gap in gaps if gap >= 24] == ["Remove"], gaps  # stands apart

    finished.click()
    expect(finished).to_have_attribute("aria-expanded", "true")
    expect(customer_row(tablet, "Bread", "A-003")).to_contain_text("No-show")
    expect(customer_row(tablet, "Bread", "A-001").get_by_role("button", name="Back to waiting")
           ).to_be_visible()
    shot(tablet, "2-finished-open")
    finished.click()
    expect(customer_row(tablet, "Bread", "A-001")).to_have_count(0)

    for width, height in ((360, 740), (800, 1280)):
        tablet.set_viewport_size({"width": width, "height": height})
        tablet.wait_for_timeout(300)
        assert wider_than_screen(tablet) == [], f"at {width} px"
        closes = tablet.get_by_text("Closes ", exact=False).first.bounding_box()
        assert closes and closes["height"] < 30, f"the closing time wraps at {width} px"
    tablet.set_viewport_size({"width": 800, "height": 1280})
    boxes = [queue_panel(tablet, q).bounding_box() for q in ("Bread", "Cakes")]
    assert boxes[0]["y"] == boxes[1]["y"], "a portrait tablet shows two queues side by side"


class HeldBack:
    """A tablet's websocket whose news from the server can be held back, then delivered in order."""

    def __init__(self, page: Page) -> None:
        self.holding, self.held, self._pages = False, [], []
        page.route_web_socket(re.compile(r"/_event"), self._connect)

    def _connect(self, route) -> None:
        server = route.connect_to_server()
        server.on_message(lambda message: self._deliver(route, message))
        self._pages.append(route)

    def _deliver(self, route, message) -> None:
        if self.holding:
            self.held.append((route, message))
        else:
            route.send(message)

    def release(self) -> None:
        self.holding = False
        for route, message in self.held:
            route.send(message)
        self.held.clear()


def test_a_second_tablet_is_told_next_to_the_customer_that_another_screen_was_first(
        tablet, new_page, shot):
    email = unique_email("two-tablets")
    open_store(tablet, email=email, name="Two Counters", queues=["Desk"])
    add_walk_in(tablet, "Ann", "Desk")
    second = new_page(TABLET, timezone_id="Europe/Paris")
    news = HeldBack(second)
    sign_in(second, email, PASSWORD)
    expect_dashboard(second, "Two Counters")
    expect(customer_row(second, "Desk", "A-001")).to_be_visible()

    news.holding = True  # the second tablet has not heard of the call yet when it taps
    customer_row(tablet, "Desk", "A-001").get_by_role("button", name="Call").click()
    expect(customer_row(tablet, "Desk", "A-001")).to_contain_text("Called")
    customer_row(second, "Desk", "A-001").get_by_role("button", name="No-show").click()
    second.wait_for_timeout(500)  # the refusal is on its way back, behind the held news
    news.release()

    row = customer_row(second, "Desk", "A-001")
    expect(row.get_by_role("status")).to_have_text(
        "This customer was already updated on another screen — check the list again.")
    expect(row).to_contain_text("Called")  # nothing overwritten: the first tablet's call stands
    expect(second.get_by_role("alert").filter(has_text="already updated")).to_have_count(0)
    shot(second, "1-conflict-beside-the-customer")


def test_a_long_line_lists_its_first_customers_and_show_more_lists_the_rest(server, tablet, shot):
    from sqlmodel import Session

    from queue_app.db import make_engine
    from queue_app.services import customers, stores
    from queue_app.views.owner import ACTIVE_SHOWN

    email = unique_email("long-line")
    open_store(tablet, email=email, name="Long Line", queues=["Desk"])
    engine = make_engine(f"sqlite:///{server.log.parent / 'queue.db'}")  # the app's own database
    try:
        with Session(engine) as db:  # a busy morning, faster than typing it in
            store = stores.open_store_by_email(db, email)
            queue = stores.queues_of(db, store.id)[0]
            for number in range(1, ACTIVE_SHOWN + 8):
                customers.add_walk_in(db, store.id, name=f"Guest {number}", phone="", queue_id=queue.id,
                                      now=store.opened_at)  # the server's clock, not the tests'

    finally:
        engine.dispose()
    tablet.reload()
    desk = queue_panel(tablet, "Desk")
    expect(desk).to_contain_text(f"{ACTIVE_SHOWN + 7} waiting")
    rows = desk.get_by_role("list", name="Desk customers").get_by_role("listitem")
    expect(rows).to_have_count(ACTIVE_SHOWN)
    more = desk.get_by_role("button", name="Show more (7 more in line)")
    more.scroll_into_view_if_needed()
    box = more.bounding_box()
    assert box and box["height"] >= 44, box
    shot(tablet, "1-long-line-show-more", full_page=False)
    shot.sizes(tablet, "2-long-line")  # 360, 800, 1280 and 1920 px, each checked by axe
    assert wider_than_screen(tablet) == []

    more.click()
    expect(rows).to_have_count(ACTIVE_SHOWN + 7)
    expect(desk.get_by_role("button", name=re.compile("^Show more"))).to_have_count(0)
    expect(customer_row(tablet, "Desk", f"A-{ACTIVE_SHOWN + 7:03d}")).to_be_visible()
    customer_row(tablet, "Desk", "A-001").get_by_role("button", name="Call").click()
    expect(desk).to_contain_text("now serving A-001")
    expect(rows).to_have_count(ACTIVE_SHOWN + 7)  # a change keeps the longer list on this tablet
