"""Workload 5, phone page weight: `/join/...` and `/ticket/...` in Chromium on an emulated slow phone.

Debian's Chromium driven by Playwright (never a downloaded browser), a Pixel-class phone profile,
a cold cache per page, and CDP network emulation of 1.6 Mbps down / 750 kbps up / 150 ms RTT.
Transfer is the sum of `encodedDataLength` of every HTTP response (compressed bytes on the wire,
headers included); websocket frames are counted apart. Interactive is the time from navigation
start until the page shows the server's data and its main control can be used; first paint is the
browser's first-contentful-paint (the loading shell, issue #11: within 1 s).
"""

from __future__ import annotations

import logging
import re
import time

from playwright.async_api import async_playwright

log = logging.getLogger("bench.phone")
CHROMIUM = "/usr/bin/chromium"
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
           "uploadThroughput": 750_000 / 8}


async def measure(browser, device: dict, url: str, ready) -> dict:
    context = await browser.new_context(**device)
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    await cdp.send("Network.emulateNetworkConditions", NETWORK)
    http: dict[str, float] = {}
    urls: dict[str, str] = {}
    ws = {"frames": 0, "bytes": 0}
    cdp.on("Network.loadingFinished", lambda e: http.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))

    def frame(event: dict) -> None:
        ws["frames"] += 1
        ws["bytes"] += len(event["response"]["payloadData"])

    cdp.on("Network.webSocketFrameReceived", frame)
    started = time.perf_counter()
    await page.goto(url, wait_until="commit")
    await ready(page)
    interactive = time.perf_counter() - started
    await page.wait_for_load_state("networkidle")
    timing = await page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        return {first_paint_ms: paint ? paint.startTime : -1,
                dom_content_loaded_ms: n.domContentLoadedEventEnd, load_ms: n.loadEventEnd}; }""")
    await context.close()
    return {"url_kind": url.split("/")[3], "transfer_kb": round(sum(http.values()) / 1024, 1),
            "requests": len(http), "websocket_frames": ws["frames"],
            "websocket_kb": round(ws["bytes"] / 1024, 1), "heaviest_kb": {
                urls.get(rid, rid).split("/", 3)[-1][:60]: round(size / 1024, 1)
                for rid, size in sorted(http.items(), key=lambda item: -item[1])[:6]},
            "interactive_s": round(interactive, 2), **{k: round(v) for k, v in timing.items()}}


async def join_ready(page) -> None:
    await page.get_by_role("button", name="Join the queue").wait_for(state="visible", timeout=60_000)
    await page.get_by_label("Name").first.wait_for(state="visible", timeout=60_000)


async def ticket_ready(page) -> None:
    await page.get_by_role("status").get_by_text(re.compile(r"[A-Z]-\d{3}")).first.wait_for(timeout=60_000)


async def run(site) -> dict:
    """A fresh pass from the store's dashboard for the join page; the third party's ticket page."""
    from bench import seed  # noqa: PLC0415  (reads the bench database's settings on import)
    from bench.protocol import pass_of  # noqa: PLC0415

    store = seed.open_store("phone")
    seed.add_parties(store, 3)
    board = await site.dashboard(store.owner_token)
    join_path = "/join/" + pass_of(board.state[site.dash_state()]["join_url_rx_state_"])
    await board.close()
    return await pages(site.http, join_path, f"/ticket/{store.parties[2][0]}")


async def pages(http_base: str, join_path: str, ticket_path: str) -> dict:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        device = dict(p.devices["Pixel 7"])
        device.pop("default_browser_type", None)
        try:
            result = {"network": "1.6 Mbps down, 750 kbps up, 150 ms RTT (CDP emulation)",
                      "join": await measure(browser, device, http_base + join_path, join_ready),
                      "ticket": await measure(browser, device, http_base + ticket_path, ticket_ready)}
        finally:
            await browser.close()
    log.info("phone: %s", result)
    return result
