"""A phone on a slow network sees something within a second; link previews get a title (§3.1)."""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.flows import QR_URL_ATTR, join_url, open_store, unique_email

pytestmark = pytest.mark.e2e
SLOW_PHONE_NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
                      "uploadThroughput": 750_000 / 8}  # 1.6 Mbps down, 150 ms: issue #11


_WATCH_FOR_THE_STORE_NAME = """(() => {
  new MutationObserver((_, observer) => {
    if ([...document.querySelectorAll('h1, h2')].some(h => h.textContent === 'Corner Café')) {
      window.__storeNameAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, {subtree: true, childList: true, characterData: true});
})()"""
_FIRST_PAINT = """() => new Promise(done => new PerformanceObserver((list, observer) => {
  const paint = list.getEntries().find(e => e.name === 'first-contentful-paint');
  if (paint) { observer.disconnect(); done(paint.startTime); }
}).observe({type: 'paint', buffered: true}))"""


def test_on_a_slow_network_the_join_page_paints_its_loading_shell_before_the_app_runs(
        tablet, new_page, shot):
    open_store(tablet, email=unique_email("slow"), name="Corner Café", queues=["Coffee"])
    phone = new_page(PHONE)
    phone.add_init_script(_WATCH_FOR_THE_STORE_NAME)
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_PHONE_NETWORK)
    phone.goto(join_url(tablet), wait_until="commit")
    expect(phone.get_by_role("heading", name="Corner Café")).to_be_visible(timeout=30_000)
    painted, named = phone.evaluate(_FIRST_PAINT), phone.evaluate("() => window.__storeNameAt")
    # Without the shell the screen stays white until the app renders the store's name.
    assert painted + 150 < named, f"first paint {painted:.0f} ms, store name {named:.0f} ms"
    expect(phone.locator(".loading-shell")).to_be_hidden()
    # The stylesheet that no longer blocks the paint did arrive and applies (Radix's tokens).
    expect(phone.locator('link[rel="stylesheet"][href*="__reflex_global_styles"]')).to_have_attribute(
        "media", "all")
    assert phone.evaluate("() => getComputedStyle(document.documentElement)"
                          ".getPropertyValue('--indigo-9').trim()") != ""
    shot(phone, "1-joined-page")


def test_a_link_preview_gets_a_title_and_description_and_does_not_use_up_the_code(server, tablet):
    open_store(tablet, email=unique_email("preview"), name="Corner Bakery", queues=["Bread"])
    url = join_url(tablet)
    request = urllib.request.Request(url, headers={"User-Agent": "WhatsApp/2.23 preview bot"})
    with urllib.request.urlopen(request, timeout=10) as response:
        html = response.read().decode("utf-8")
    assert 'property="og:title"' in html and 'name="description"' in html
    assert "Join the line from your phone" in html
    assert "Loading…" in html  # the shell is in the HTML itself, before any script runs
    tablet.wait_for_timeout(1000)
    assert tablet.get_by_alt_text("Join QR code").get_attribute(QR_URL_ATTR) == url  # not scanned
