"""When the connection drops, a phone says so in plain words and catches up by itself (SPEC §7)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import customer_row, join_party, join_url, open_store, unique_email

pytestmark = pytest.mark.e2e


# An Engine.IO "open" packet: a socket closed right after it is a connection that dropped (a socket
# closed before any packet leaves socket.io waiting for its 20 s timeout instead).
_OPEN = '0{"sid":"cut","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":100000}'


class Cable:
    """The phone's websocket, through Playwright: `cut()` drops it and every new one."""

    def __init__(self, page) -> None:
        self.cut_off, self.routes = False, []
        page.route_web_socket(re.compile(r"/_event"), self._connect)

    def _connect(self, route) -> None:
        if self.cut_off:
            route.send(_OPEN)
            route.close()
            return
        route.connect_to_server()
        self.routes.append(route)

    def cut(self) -> None:
        self.cut_off = True
        for route in self.routes:
            route.close()
        self.routes.clear()

    def mend(self) -> None:
        self.cut_off = False


def test_a_dropped_connection_says_the_position_may_be_out_of_date_then_catches_up(
        tablet, phone, shot):
    open_store(tablet, email=unique_email("offline"), name="Repair Café", queues=["Bikes"])
    cable = Cable(phone)
    phone.goto(join_url(tablet))
    join_party(phone, [("Ann", "Bikes")])
    status = phone.get_by_role("status", name="Your place in the queue")
    expect(status).to_contain_text("A-001")

    cable.cut()
    banner = phone.get_by_text("Reconnecting… the position shown may be out of date.")
    expect(banner).to_be_visible()
    expect(phone.get_by_text(re.compile("Cannot connect|websocket|ws://"))).to_have_count(0)
    customer_row(tablet, "Bikes", "A-001").get_by_role("button", name="Call").click()
    shot(phone, "1-reconnecting")

    cable.mend()
    expect(banner).to_be_hidden(timeout=30_000)
    expect(status).to_contain_text("It's your turn")  # what happened while it was away
    shot(phone, "2-caught-up")
