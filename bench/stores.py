"""Workload 3, many stores: S stores × (1 dashboard + T tickets), an open-loop stream of changes.

Each change is a dashboard calling one of its customers (or sending them back), on the stores in
turn; its latency is measured at that store's dashboard and at its T ticket pages. Server memory
per connected page is the growth of the server's RSS from before the pages connect to after.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import time

from bench import seed
from bench.client import Tab
from bench.counter import arrivals, open_tickets
from bench.protocol import Site, dash
from bench.rush import cpu_seconds
from bench.stats import ms, summary
from queue_app.views import customer

log = logging.getLogger("bench.stores")


def stale_views(store: seed.SeededStore, board: Tab, tickets: list[Tab]) -> tuple[int, int]:
    """(dashboards, tickets) of this store whose last view disagrees with the database.

    The parties joined one queue in order and only the first one is ever called and sent back, so
    ticket i has i people ahead while the first customer waits, and i - 1 while they are served.
    """
    head_id = store.parties[0][1]
    truth = seed.customer_state(head_id)
    shown = next((c.get("state") for q in dash(board).get("queues_rx_state_", [])
                  for c in q.get("customers", []) if c.get("id") == head_id), None)
    stale_tickets = 0
    for i, tab in enumerate(tickets):
        people = last_people(tab)
        if i == 0:
            stale_tickets += not people or people[0].get("state") != truth
        else:
            expected = i if truth == "waiting" else i - 1
            stale_tickets += not people or people[0].get("ahead") != expected
    return int(shown != truth), stale_tickets


def last_people(tab: Tab) -> list[dict]:
    """The tab's own people as its browser derives them from the last ticket board it received."""
    for _, raw in reversed(tab.received):
        if "line_rx_state_" in raw:
            for values in json.loads(raw).get("delta", {}).values():
                if "line_rx_state_" in values:
                    board = {name.removesuffix("_rx_state_"): value for name, value in values.items()}
                    return [dict(zip(("state", "ahead"), customer.shown(board, p)[:2], strict=True))
                            if p["key"] in board["line"] else {} for p in tab.people]
    return []


async def run(site: Site, server, mode: dict, profiles=()) -> dict:
    """Set up, connect every page, then the stream of changes (wrapped in `profiles`, if any)."""
    stores, tickets, rate, seconds = mode["stores"], mode["tickets"], mode["rate"], mode["stores_seconds"]
    seeded = []
    for i in range(stores):
        store = seed.open_store(f"many{i}", queues=1)
        seed.add_parties(store, tickets)
        seeded.append(store)
    await asyncio.sleep(1.0)
    rss_before = server.rss_bytes()
    started = time.perf_counter()
    gate = asyncio.Semaphore(10)

    async def board_for(store):
        async with gate:
            return await site.dashboard(store.owner_token)

    boards = await asyncio.gather(*(board_for(s) for s in seeded))
    pages = await open_tickets(site, [secret for s in seeded for secret, _ in s.parties])
    opened_s = time.perf_counter() - started
    await asyncio.sleep(2.0)
    rss_after = server.rss_bytes()
    connected = len(boards) + len(pages)
    by_store = [pages[i * tickets:(i + 1) * tickets] for i in range(stores)]
    board_ms, ticket_ms, missed, tasks = [], [], 0, []
    calling = [True] * stores

    async def change(k: int) -> None:
        nonlocal missed
        s = k % stores
        waiters = [boards[s].expect("queues_rx_state_")] + [t.expect("line_rx_state_") for t in by_store[s]]
        seen, target = ("waiting", "processing") if calling[s] else ("processing", "waiting")
        calling[s] = not calling[s]
        sent = await site.dashboard_action(boards[s], "set_state", {
            "customer_id": seeded[s].parties[0][1], "seen": seen, "target": target})
        got = await arrivals(waiters, 15.0)
        missed += sum(t is None for t in got)
        if got[0] is not None:
            board_ms.append(ms(got[0] - sent))
        ticket_ms.extend(ms(t - sent) for t in got[1:] if t is not None)

    total = int(rate * seconds)
    cpu0, t0 = cpu_seconds(server), time.perf_counter()
    with contextlib.ExitStack() as stack:
        for profile in profiles:
            stack.enter_context(profile())
        for k in range(total):
            delay = t0 + k / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(change(k)))
        await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    cpu_share = (cpu_seconds(server) - cpu0) / elapsed
    rss_end = server.rss_bytes()
    await asyncio.sleep(3.0)  # quiet: every push still under way has landed
    stale = [stale_views(store, boards[s], by_store[s]) for s, store in enumerate(seeded)]
    await asyncio.gather(*(t.close() for t in [*boards, *pages]))
    gc.collect()
    every = board_ms + ticket_ms
    result = {"stores": stores, "tickets_per_store": tickets, "pages": connected, "changes": total,
              "changes_per_s": round(total / elapsed, 1), "open_pages_s": round(opened_s, 1),
              "server_cpu_share": round(cpu_share, 2),
              "all_pages": summary(every), "dashboards": summary(board_ms), "tickets": summary(ticket_ms),
              "missed": missed, "rss_before_mb": round(rss_before / 2**20, 1),
              "stale_after_quiet": {"dashboards": sum(b for b, _ in stale),
                                    "tickets": sum(t for _, t in stale),
                                    "what": "pages whose last view disagrees with the database 3 s "
                                            "after the last change (a late push of an older snapshot)"},
              "rss_after_connect_mb": round(rss_after / 2**20, 1),
              "rss_after_load_mb": round(rss_end / 2**20, 1),
              "kb_per_page": round((rss_after - rss_before) / 1024 / connected, 1),
              "kb_per_page_after_load": round((rss_end - rss_before) / 1024 / connected, 1)}
    log.info("many stores: %s", result)
    return result
