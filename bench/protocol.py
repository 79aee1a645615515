"""The app's pages as a phone or a tablet drives them: boot events, handlers, redirects.

State names, the initial-state hashes and the state schema are read from the generated
`.web/utils/context.jsx` of the private copy, so the load client speaks exactly what the built
frontend speaks.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from bench.client import Tab
from queue_app.views.owner import ACTIVE_SHOWN, SHOWN_MAX


@dataclass(frozen=True)
class Frontend:
    """What the built frontend sends: the state names and the hashes of the compiled defaults."""

    root: str
    substates: tuple[str, ...]
    hashes: list[str]
    version: str

    @classmethod
    def read(cls, web: Path, version: str) -> Frontend:
        text = (web / "utils" / "context.jsx").read_text()
        initial = json.loads(re.search(r"export const initialState = (\{.*\})\n", text).group(1))
        hashes = json.loads(re.search(r"export const initialStateHashes = (\[.*\])\n", text).group(1))
        root = re.search(r'export const state_name = "([^"]+)"', text).group(1)
        return cls(root=root, substates=tuple(initial), hashes=hashes, version=version)

    def state(self, suffix: str) -> str:
        """The full name of the substate whose name ends with `suffix` (e.g. `join_state`)."""
        return next(name for name in self.substates if name.endswith("____" + suffix))

    def handler(self, suffix: str, name: str) -> str:
        return f"{self.state(suffix)}.{name}"

    def storage_key(self, suffix: str, var: str) -> str:
        return f"{self.state(suffix)}.{var}_rx_state_"

    def boot(self, path: str, params: dict | None = None, storage: dict | None = None) -> dict:
        """The hydrate-and-load event a freshly opened tab puts in its CONNECT packet."""
        payload: dict = {"hashes": self.hashes}
        if storage:
            payload["vars"] = storage
        return {"name": f"{self.root}.hydrate_and_load", "payload": payload,
                "router_data": router_data(path, params)}

    def on_load(self, path: str, params: dict | None = None) -> tuple[str, dict, dict]:
        """The event the frontend sends after a client-side redirect to `path`."""
        name = f"{self.root}.reflex___state____on_load_internal_state.on_load_internal"
        return name, {}, router_data(path, params)


def router_data(path: str, params: dict | None = None) -> dict:
    data = {"pathname": path, "asPath": path}
    if params:
        data["query"] = dict(params)
    return data


def redirect_path(tab: Tab) -> str | None:
    """The path of the last `_redirect` event the server sent this tab, if any."""
    for event in reversed(tab.events):
        if event.get("name") == "_redirect":
            return event.get("payload", {}).get("path")
    return None


class Site:
    """The running app, as seen by tabs: where to connect and how to name things."""

    def __init__(self, port: int, frontend: Frontend) -> None:
        self.ws = f"ws://127.0.0.1:{port}"
        self.http = f"http://127.0.0.1:{port}"
        self.fe = frontend

    def tab(self, *, ip: str = "", parse: bool = False) -> Tab:
        return Tab(self.ws, ip=ip or fake_ip(), subprotocol=self.fe.version, parse=parse)

    async def dashboard(self, owner_token: str, *, ip: str = "") -> Tab:
        """A tablet opening `/store` with the owner's token in local storage; waits for its pass."""
        tab = self.tab(ip=ip, parse=True)
        storage = {self.fe.storage_key("owner_auth", "token"): owner_token}
        await tab.open(self.fe.boot("/store", storage=storage))
        await tab.wait_for(lambda t: dash(t).get("join_url_rx_state_"))
        return tab

    async def sign_in(self, email: str, password: str, *, ip: str = "") -> tuple[Tab, str]:
        """Sign in on `/signin`, follow the redirect to `/store` on the same tab, as a tablet does."""
        tab = self.tab(ip=ip, parse=True)
        await tab.open(self.fe.boot("/signin"))
        await tab.emit(self.fe.handler("signin_state", "submit"),
                       {"data": {"email": email, "password": password}}, router_data("/signin"))
        path = await tab.wait_for(redirect_path)
        await tab.emit(*self.fe.on_load(path))
        await tab.wait_for(lambda t: dash(t).get("join_url_rx_state_"))
        token = tab.state[self.fe.state("owner_auth")]["token_rx_state_"]
        return tab, token

    async def scan(self, pass_token: str, *, ip: str = "") -> Tab:
        """A phone opening `/join/<pass>`: the scan. Returns once the join form is loaded."""
        tab = self.tab(ip=ip, parse=True)
        storage = {self.fe.storage_key("browser_id", "value"): secrets.token_urlsafe(24)}
        path = f"/join/{pass_token}"
        tab.join_path = path
        await tab.open(self.fe.boot(path, {"pass_token": pass_token}, storage))
        await tab.wait_for(lambda t: store_board(t).get("queues_rx_state_")
                           or join(t).get("refused_rx_state_"))
        return tab

    async def submit_join(self, tab: Tab, name: str, queue: int = 0) -> tuple[float, str]:
        """Submit the join form for the `queue`-th queue; returns (emit time, the ticket path).

        The page names queues by opaque keys: the key is read from the store board it received.
        """
        params = {"pass_token": tab.join_path.rsplit("/", 1)[-1]}
        key = store_board(tab)["queues_rx_state_"][queue]["key"]
        sent = await tab.emit(self.fe.handler("join_state", "submit"),
                              {"data": {"name-p0": name, "phone-p0": "", "queue-p0": key}},
                              router_data(tab.join_path, params))
        path = await tab.wait_for(lambda t: redirect_path(t) or join(t).get("refused_rx_state_")
                                  or join(t).get("errors_rx_state_"))
        if not isinstance(path, str) or not path.startswith("/ticket/"):
            raise RuntimeError(f"join refused: {path!r}")
        return sent, path

    async def follow_to_ticket(self, tab: Tab, path: str) -> None:
        """The client-side redirect to the ticket page, on the same socket."""
        await tab.emit(*self.fe.on_load(path, {"secret": path.rsplit("/", 1)[-1]}))
        await tab.wait_for(lambda t: ticket(t).get("people_rx_state_"))

    async def ticket(self, secret: str, *, ip: str = "") -> Tab:
        """A phone (re)opening its bookmarked ticket page; an unparsed tab that only timestamps."""
        tab = self.tab(ip=ip)
        waiters = [tab.expect("people_rx_state_"), tab.expect("line_rx_state_")]  # own people, board
        path = f"/ticket/{secret}"
        await tab.open(self.fe.boot(path, {"secret": secret}))
        await asyncio.gather(*waiters)
        tab.people = next(values["people_rx_state_"] for _, raw in tab.received
                          for values in json.loads(raw).get("delta", {}).values()
                          if "people_rx_state_" in values)
        return tab

    async def dashboard_action(self, tab: Tab, handler: str, payload: dict) -> float:
        return await tab.emit(self.fe.handler("dashboard_state", handler), payload, router_data("/store"))

    async def list_everyone(self, tab: Tab, line: int, queue: int = 0) -> None:
        """Press the queue's `Show more` until the tablet would list a line of `line` customers.

        Each press waits for its answer (the tablet's new view): set-up work left queued on the
        server would otherwise run inside the measured window.
        """
        queue_id = dash(tab)["queues_rx_state_"][queue]["id"]
        for _ in range(-(-min(line, SHOWN_MAX) // ACTIVE_SHOWN) - 1):
            answered = tab.expect("queues_rx_state_")
            await self.dashboard_action(tab, "show_more", {"queue_id": queue_id})
            await asyncio.wait_for(answered, 10)

    def dash_state(self) -> str:
        return self.fe.state("dashboard_state")


def _sub(tab: Tab, suffix: str) -> dict:
    for name, values in tab.state.items():
        if name.endswith("____" + suffix):
            return values
    return {}


def dash(tab: Tab) -> dict:
    return _sub(tab, "dashboard_state")


def one_more_needle(board: Tab, queue: int = 0) -> str:
    """What the dashboard's next frame holds once one more customer joined its `queue`-th queue.

    A long line lists only its first customers (`views.owner.ACTIVE_SHOWN`), so the newcomer's
    name need not be in the frame; the queue's count of active customers is. For one-queue
    stores and one change at a time (the counter's rounds, `bench.ab`).
    """
    return f'"active_count":{dash(board)["queues_rx_state_"][queue]["active_count"] + 1}'


def join(tab: Tab) -> dict:
    return _sub(tab, "join_state")


def ticket(tab: Tab) -> dict:
    return _sub(tab, "ticket_state")


def store_board(tab: Tab) -> dict:
    return _sub(tab, "store_board")


def ticket_board(tab: Tab) -> dict:
    return _sub(tab, "ticket_board")


def pass_of(join_url: str) -> str:
    return join_url.rstrip("/").rsplit("/", 1)[-1]


_ips = iter(range(1, 10**9))


def fake_ip() -> str:
    """A distinct client address per simulated device, in the RFC 2544 benchmark range.

    It is only an X-Forwarded-For header value sent to the app on loopback (see server.py): no
    traffic goes to that address.
    """
    n = next(_ips)
    return f"198.{18 + ((n >> 16) & 1)}.{(n >> 8) & 255}.{n & 255}"
