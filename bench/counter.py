"""Workload 1, counter: one store (one queue), a dashboard, a display, N ticket pages, N public pages.

Rounds go in turn: a complete join (a phone scans the counter's code, submits the form and opens
its ticket), the first customer called, and the same customer sent back. Every round changes every
screen (a join adds a line to the shared ticket board and a waiting count to the public pages).
The clock starts just before the submit or the dashboard's emit and stops at the arrival of the
first message carrying the new view at each screen. The server's CPU time is read around each
round (`/proc/<pid>/stat`), and its RSS before and after the pages connect.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time

from bench import seed
from bench.client import Tab
from bench.protocol import Site, dash, one_more_needle, pass_of
from bench.rush import cpu_by_thread, cpu_seconds
from bench.stats import collector_paused, full_collections, ms, summary

log = logging.getLogger("bench.counter")
ROUND_TIMEOUT = 30.0
PUBLIC_NEEDLE = "queues_rx_state_"  # the var a change always rewrites on the public page
DISPLAY_NEEDLE = "pages_rx_state_"  # ... and on the TV display (its queue cards, in pages)


async def open_tickets(site: Site, secrets: list[str], concurrency: int = 25) -> list[Tab]:
    """Open one ticket page per secret, `concurrency` connections at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(secret: str) -> Tab:
        async with gate:
            return await site.ticket(secret)

    return list(await asyncio.gather(*(one(s) for s in secrets)))


async def arrivals(futures: list[asyncio.Future], timeout: float) -> list[float | None]:
    """Arrival times of `futures` (None for those that did not arrive within `timeout`)."""
    await asyncio.wait(futures, timeout=timeout)
    return [f.result() if f.done() and not f.exception() else None for f in futures]


class Screens:
    """Every screen of the store that must show a change, and how to tell it arrived."""

    def __init__(self, board: Tab, display: Tab, tickets: list[Tab], publics: list[Tab]) -> None:
        self.board, self.display, self.tickets, self.publics = board, display, tickets, publics

    def expect(self, board_needle: str) -> list[asyncio.Future]:
        return [self.board.expect(board_needle), self.display.expect(DISPLAY_NEEDLE),
                *(t.expect("line_rx_state_") for t in self.tickets),
                *(p.expect(PUBLIC_NEEDLE) for p in self.publics)]

    def tabs(self) -> list[Tab]:
        return [self.board, self.display, *self.tickets, *self.publics]


async def join_round(site: Site, screens: Screens, server, n: int) -> dict:
    """A complete join at the back of the line: scan, submit, follow to the ticket page."""
    pass_url = dash(screens.board)["join_url_rx_state_"]
    rotated = screens.board.expect("join_url_rx_state_")
    cpu0, split0 = cpu_seconds(server), cpu_by_thread(server)
    phone = await site.scan(pass_of(pass_url))
    await arrivals([rotated], ROUND_TIMEOUT)  # the scan's own push (new code), before the clock starts
    await asyncio.sleep(0.1)
    name = f"round-{n}-{time.monotonic_ns()}"
    waiting = screens.expect(one_more_needle(screens.board))
    sent, path = await site.submit_join(phone, name)
    board_at, display_at, *rest = await arrivals(waiting, ROUND_TIMEOUT)
    await site.follow_to_ticket(phone, path)
    cpu, split = cpu_seconds(server) - cpu0, cpu_by_thread(server)
    await phone.close()
    row = _round("join", sent, board_at, display_at, rest, len(screens.tickets), cpu)
    row["server_cpu_split_ms"] = {k: round((split[k] - split0[k]) * 1000, 1) for k in split}
    return row


async def change_round(site: Site, screens: Screens, server, customer_id: int, calling: bool) -> dict:
    """The dashboard calls the first customer (or sends them back): every screen changes."""
    waiting = screens.expect("queues_rx_state_")
    seen, target = ("waiting", "processing") if calling else ("processing", "waiting")
    cpu0 = cpu_seconds(server)
    sent = await site.dashboard_action(screens.board, "set_state",
                                       {"customer_id": customer_id, "seen": seen, "target": target})
    board_at, display_at, *rest = await arrivals(waiting, ROUND_TIMEOUT)
    await asyncio.sleep(0.05)  # the rest of the push's CPU (writes after the last arrival)
    return _round("call" if calling else "back", sent, board_at, display_at, rest,
                  len(screens.tickets), cpu_seconds(server) - cpu0)


async def one_round(site: Site, screens: Screens, server, store: seed.SeededStore, r: int) -> dict:
    """In turn: a join; the first customer called; the same customer sent back to waiting."""
    if r % 3 == 0:
        return await join_round(site, screens, server, r)
    return await change_round(site, screens, server, store.parties[0][1], calling=r % 3 == 1)


def _round(kind: str, sent: float, board_at: float | None, display_at: float | None,
           rest: list[float | None], tickets: int, cpu_s: float) -> dict:
    ticket_at, public_at = rest[:tickets], rest[tickets:]
    got = [ms(t - sent) for t in ticket_at if t is not None]
    public = [ms(t - sent) for t in public_at if t is not None]
    owner = [ms(t - sent) for t in (board_at, display_at) if t is not None]
    return {"kind": kind, "dashboard_ms": None if board_at is None else round(ms(board_at - sent), 2),
            "display_ms": None if display_at is None else round(ms(display_at - sent), 2),
            "tickets": summary(got), "public": summary(public), "server_cpu_ms": round(cpu_s * 1000, 1),
            "missed": sum(t is None for t in [board_at, display_at, *rest]),
            "fanout_ms": round(max([*got, *public, *owner]), 2) if got else None,
            "_samples": got, "_public": public}


async def open_pages(site: Site, paths: list[tuple[str, dict]], needle: str = PUBLIC_NEEDLE,
                     concurrency: int = 25) -> list[Tab]:
    """Open each page and wait for its first view (a message carrying `needle`)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(path: str, params: dict) -> Tab:
        async with gate:
            tab = site.tab()
            waiter = asyncio.wait_for(tab.expect(needle), ROUND_TIMEOUT)  # never a silent hang
            await tab.open(site.fe.boot(path, params))
            await waiter
            return tab

    return list(await asyncio.gather(*(one(p, q) for p, q in paths)))


async def run_size(site: Site, server, n: int, rounds: int, profiles=()) -> dict:
    """Set up a store with `n` ticket pages and `n` public pages and run `rounds` alternating rounds.

    Each of `profiles` (context-manager factories, e.g. a py-spy recording) then wraps as many extra
    rounds, which are not counted in the figures.
    """
    store = seed.open_store(f"counter{n}", queues=1)
    seed.add_parties(store, n)
    board = await site.dashboard(store.owner_token)
    key = dash(board)["display_url_rx_state_"].rsplit("/", 1)[-1]
    slug = dash(board)["public_url_rx_state_"].rsplit("/", 1)[-1]
    (display,) = await open_pages(site, [(f"/display/{key}", {"key": key})], DISPLAY_NEEDLE)
    rss0, started = server.rss_bytes(), time.perf_counter()
    tickets = await open_tickets(site, [secret for secret, _ in store.parties])
    opened_s = time.perf_counter() - started
    await asyncio.sleep(1)
    rss1 = server.rss_bytes()
    publics = await open_pages(site, [(f"/s/{slug}", {"slug": slug})] * n)
    await asyncio.sleep(1)
    rss2 = server.rss_bytes()
    screens = Screens(board, display, tickets, publics)
    for r in range(3):  # warm-up: one round of each kind, not counted
        await one_round(site, screens, server, store, 300 + r)
    results, gc0 = [], await asyncio.to_thread(full_collections, site.http)
    with collector_paused():  # this process's own collections are not the server's latency
        for r in range(rounds):
            results.append(await one_round(site, screens, server, store, r))
            last = results[-1]
            log.info("counter N=%d round %d (%s): dashboard %s ms, display %s ms, tickets p95 %s ms, "
                     "public p95 %s ms, fan-out %s ms, CPU %s ms, missed %d", n, r, last["kind"],
                     last["dashboard_ms"], last["display_ms"], last["tickets"]["p95"],
                     last["public"]["p95"], last["fanout_ms"], last["server_cpu_ms"], last["missed"])
    gc1 = await asyncio.to_thread(full_collections, site.http)
    gc_full = {k: round(gc1[k] - gc0[k], 3) for k in gc1}  # during the measured rounds
    gc_full["rss_growth_mb"] = round((server.rss_bytes() - rss2) / 2**20, 1)  # garbage kept, if any
    log.info("counter N=%d: %d full garbage collections in the rounds, %.3f s, %d over 100 ms; "
             "server RSS %+.1f MB over the rounds", n, gc_full["collections"], gc_full["seconds"],
             gc_full["over_100ms"], gc_full["rss_growth_mb"])
    only_joins = os.environ.get("BENCH_PROFILE_ROUNDS") == "join"  # profile the join rounds alone
    for profile in profiles:
        with profile():
            for r in range(rounds):
                await one_round(site, screens, server, store, 600 + (3 * r if only_joins else r))
    payload = tickets[0].received[-1][1] if tickets and tickets[0].received else ""
    await asyncio.gather(*(tab.close() for tab in screens.tabs()))
    samples = [x for res in results for x in res.pop("_samples")]
    public = [x for res in results for x in res.pop("_public")]
    return {"n": n, "rounds": results, "open_pages_s": round(opened_s, 2),
            "dashboard": summary([r["dashboard_ms"] for r in results if r["dashboard_ms"] is not None]),
            "display": summary([r["display_ms"] for r in results if r["display_ms"] is not None]),
            "tickets": summary(samples),  # every (round, ticket page) arrival
            "public": summary(public),
            "fanout": summary([r["fanout_ms"] for r in results if r["fanout_ms"] is not None]),
            "server_cpu_ms_per_change": summary([r["server_cpu_ms"] for r in results if r["kind"] != "join"]),
            "server_cpu_ms_per_join_round": summary([r["server_cpu_ms"] for r in results
                                                     if r["kind"] == "join"]),
            "server_cpu_ms_per_join_round_by_thread": {  # the event loop; to_thread's pool and the rest
                kind: summary([r["server_cpu_split_ms"][kind] for r in results if r["kind"] == "join"])
                for kind in ("loop", "threads")},
            "kb_per_ticket_page": round((rss1 - rss0) / 1024 / max(n, 1), 1),
            "kb_per_public_page": round((rss2 - rss1) / 1024 / max(n, 1), 1),
            "missed": sum(r["missed"] for r in results), "gc_full_collections": gc_full,
            "_ticket_payload": payload}


async def run(site: Site, server, mode: dict, profiles=()) -> list[dict]:
    """Every size in turn; the largest one also runs the `profiles`."""
    sizes = mode["sizes"]
    return [await run_size(site, server, n, mode["rounds"], profiles if n == max(sizes) else ())
            for n in sizes]
