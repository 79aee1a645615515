"""Workload 1, counter: one store (one queue), one dashboard, N open ticket pages; one change a round.

Rounds go in turn: a join (a phone scans the counter's code, then submits the form: news for the
owner's screen only, since nobody's place changes), the first customer called, and the same
customer sent back (both move every ticket's position). The clock starts just before the submit or
the dashboard's emit and stops at the arrival of the first message carrying the new view at the
dashboard and at every ticket page that must change.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bench import seed
from bench.client import Tab
from bench.protocol import Site, dash, pass_of
from bench.stats import ms, summary

log = logging.getLogger("bench.counter")
ROUND_TIMEOUT = 30.0


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


async def join_round(site: Site, board: Tab, tickets: list[Tab], store: seed.SeededStore, n: int) -> dict:
    """A phone scans and joins at the back of the line: only the owner's screen has news."""
    pass_url = dash(board)["join_url_rx_state_"]
    rotated = board.expect("join_url_rx_state_")
    phone = await site.scan(pass_of(pass_url))
    await arrivals([rotated], ROUND_TIMEOUT)  # the scan's own push (new code), before the clock starts
    await asyncio.sleep(0.05)
    name = f"round-{n}-{time.monotonic_ns()}"
    at_board = board.expect(name)
    sent, path = await site.submit_join(phone, name)
    (board_at,) = await arrivals([at_board], ROUND_TIMEOUT)
    await phone.close()
    return _round("join", sent, board_at, [])


async def change_round(site: Site, board: Tab, tickets: list[Tab], customer_id: int, calling: bool) -> dict:
    """The dashboard calls the first customer (or sends them back): every ticket's position moves."""
    at_board = board.expect("queues_rx_state_")
    at_tickets = [t.expect("people_rx_state_") for t in tickets]
    seen, target = ("waiting", "processing") if calling else ("processing", "waiting")
    sent = await site.dashboard_action(board, "set_state",
                                       {"customer_id": customer_id, "seen": seen, "target": target})
    board_at, *ticket_at = await arrivals([at_board, *at_tickets], ROUND_TIMEOUT)
    return _round("call" if calling else "back", sent, board_at, ticket_at)


async def one_round(site: Site, board: Tab, tickets: list[Tab], store: seed.SeededStore, r: int) -> dict:
    """In turn: a join; the first customer called; the same customer sent back to waiting."""
    if r % 3 == 0:
        return await join_round(site, board, tickets, store, r)
    return await change_round(site, board, tickets, store.parties[0][1], calling=r % 3 == 1)


def _round(kind: str, sent: float, board_at: float | None, ticket_at: list[float | None]) -> dict:
    got = [ms(t - sent) for t in ticket_at if t is not None]
    return {"kind": kind, "dashboard_ms": None if board_at is None else round(ms(board_at - sent), 2),
            "tickets": summary(got), "missed": sum(t is None for t in ticket_at) + (board_at is None),
            "fanout_ms": round(max([*got, ms(board_at - sent) if board_at else 0.0]), 2) if got else None,
            "_samples": got}


async def run_size(site: Site, n: int, rounds: int, profiles=()) -> dict:
    """Set up a store with `n` open ticket pages and run `rounds` alternating rounds.

    Each of `profiles` (context-manager factories, e.g. a py-spy recording) then wraps as many extra
    rounds, which are not counted in the figures.
    """
    store = seed.open_store(f"counter{n}", queues=1)
    seed.add_parties(store, n)
    board = await site.dashboard(store.owner_token)
    started = time.perf_counter()
    tickets = await open_tickets(site, [secret for secret, _ in store.parties])
    opened_s = time.perf_counter() - started
    for r in range(3):  # warm-up: one round of each kind, not counted
        await one_round(site, board, tickets, store, 300 + r)
    results = []
    for r in range(rounds):
        results.append(await one_round(site, board, tickets, store, r))
        last = results[-1]
        log.info("counter N=%d round %d (%s): dashboard %s ms, tickets p95 %s ms, fan-out %s ms, missed %d",
                 n, r, last["kind"], last["dashboard_ms"], last["tickets"]["p95"], last["fanout_ms"],
                 last["missed"])
    for profile in profiles:
        with profile():
            for r in range(rounds):
                await one_round(site, board, tickets, store, 600 + r)
    payload = tickets[0].received[-1][1] if tickets and tickets[0].received else ""
    await asyncio.gather(*(tab.close() for tab in [board, *tickets]))
    samples = [x for res in results for x in res.pop("_samples")]
    return {"n": n, "rounds": results, "open_pages_s": round(opened_s, 2),
            "dashboard": summary([r["dashboard_ms"] for r in results if r["dashboard_ms"] is not None]),
            "tickets": summary(samples),  # every (round, ticket page) arrival
            "fanout": summary([r["fanout_ms"] for r in results if r["fanout_ms"] is not None]),
            "missed": sum(r["missed"] for r in results), "_ticket_payload": payload}


async def run(site: Site, mode: dict, profiles=()) -> list[dict]:
    """Every size in turn; the largest one also runs the `profiles`."""
    sizes = mode["sizes"]
    return [await run_size(site, n, mode["rounds"], profiles if n == max(sizes) else ()) for n in sizes]
