"""Workload 2, rush: customers scan the counter's code and join one store at an offered rate.

There is one valid pass at a time, so phones take turns at the counter: a phone reads the code the
dashboard shows, opens `/join/<pass>` (the scan), and the next phone waits until the dashboard
shows the new code. Submitting the form then runs concurrently. One phone in ten keeps its ticket
page open (200 of 2,000), so every later change is pushed to them too.

Capacity: the same, closed-loop (the next phone steps up as soon as the code changes) for a
bounded time, on the rush store (with its open tickets) and on several stores at once.

Every phone waits for its own name on the tablet, so each tablet lists its whole line (`Show more`
pressed until it does): the dashboard's pushes are as large as the line, the heavier case.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time

from bench import seed
from bench.client import Tab
from bench.protocol import Site, dash, join, pass_of
from bench.stats import ms, summary

log = logging.getLogger("bench.rush")
STEP_TIMEOUT = 20.0
TURN_TIMEOUT = 120.0  # a phone that waits longer than this for its turn at the counter counts as an error


class Counter:
    """The counter of one store: its dashboard, and the turn-taking of phones in front of it."""

    def __init__(self, site: Site, board: Tab, store: seed.SeededStore) -> None:
        self.site, self.board, self.store = site, board, store
        self.turn = asyncio.Lock()
        self.cycles: list[float] = []

    async def scan(self) -> Tab:
        """Take the current code and scan it; hold the counter until the dashboard shows the next one."""
        async with self.turn:
            started = time.perf_counter()
            shown = dash(self.board)["join_url_rx_state_"]
            phone = await self.site.scan(pass_of(shown))
            if join(phone).get("refused_rx_state_"):
                await phone.close()
                raise RuntimeError(f"scan refused ({join(phone)['refused_rx_state_']!r}): the dashboard "
                                   "showed a pass that was already scanned")
            await self.board.wait_for(lambda b: dash(b)["join_url_rx_state_"] != shown, STEP_TIMEOUT)
            self.cycles.append(ms(time.perf_counter() - started))
            return phone


class Tally:
    def __init__(self) -> None:
        self.join_rtt: list[float] = []
        self.to_ticket: list[float] = []
        self.board: list[float] = []
        self.errors: list[str] = []
        self.kept: list[Tab] = []


async def customer(counter: Counter, tally: Tally, name: str, keep: bool, phone: Tab | None = None,
                   complete: bool = False) -> None:
    """One phone: wait for a turn, scan, submit, open the ticket page if `keep` or `complete`.

    `keep` leaves the ticket page open; `complete` opens it and closes it (a complete join).
    """
    arrived = time.perf_counter()
    step = "scan"
    try:
        if phone is None:
            phone = await asyncio.wait_for(counter.scan(), TURN_TIMEOUT)
        step = "submit"
        seen_at_board = counter.board.expect(name)
        sent, path = await asyncio.wait_for(counter.site.submit_join(phone, name),
                                            STEP_TIMEOUT)
        done = time.perf_counter()
        tally.join_rtt.append(ms(done - sent))
        tally.to_ticket.append(ms(done - arrived))
        step = "dashboard shows the new customer"
        board_at = await asyncio.wait_for(seen_at_board, STEP_TIMEOUT)
        tally.board.append(ms(board_at - sent))
        if keep or complete:
            step = "ticket page"
            await asyncio.wait_for(counter.site.follow_to_ticket(phone, path), STEP_TIMEOUT)
            if keep:
                tally.kept.append(phone)
                phone = None
    except TimeoutError:
        waited = "no turn at the counter within 120 s (backlog)" if step == "scan" else "timed out"
        tally.errors.append(f"{step}: {waited}")
    except Exception as error:  # noqa: BLE001  (every failure is counted, none stops the run)
        tally.errors.append(f"{step}: {type(error).__name__}: {error}"[:200])
    finally:
        if phone is not None:
            await phone.close()


async def offered(counter: Counter, total: int, seconds: float, keep_every: int) -> tuple[dict, list[Tab]]:
    """`total` arrivals evenly spread over `seconds` (open loop)."""
    tally, tasks = Tally(), []
    started = time.perf_counter()
    for i in range(total):
        delay = started + i * seconds / total - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(customer(counter, tally, f"rush-{i}", keep=i % keep_every == 0)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    return {"offered": total, "offered_per_s": round(total / seconds, 1), "elapsed_s": round(elapsed, 1),
            "joined": len(tally.join_rtt), "errors": len(tally.errors), "error_samples": tally.errors[:5],
            "join_round_trip": summary(tally.join_rtt), "arrival_to_ticket": summary(tally.to_ticket),
            "dashboard_update": summary(tally.board), "counter_cycle": summary(counter.cycles),
            "tickets_kept_open": len(tally.kept)}, tally.kept


async def closed_loop(counters: list[Counter], seconds: float, cap: int) -> dict:
    """Phones step up back to back at every counter for `seconds` (at most `cap` joins in all)."""
    tally, tasks = Tally(), []
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    issued = 0

    async def feed(counter: Counter) -> None:
        nonlocal issued
        while time.perf_counter() < deadline and issued < cap:
            issued += 1
            try:
                phone = await counter.scan()
            except Exception as error:  # noqa: BLE001
                tally.errors.append(f"scan: {type(error).__name__}: {error}"[:200])
                continue
            tasks.append(asyncio.create_task(customer(counter, tally, f"cap-{issued}", False, phone,
                                                      complete=True)))

    await asyncio.gather(*(feed(c) for c in counters))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    return {"stores": len(counters), "joined": len(tally.join_rtt), "errors": len(tally.errors),
            "error_samples": tally.errors[:5],
            "seconds": round(elapsed, 1), "joins_per_s": round(len(tally.join_rtt) / elapsed, 1),
            "join_round_trip": summary(tally.join_rtt), "counter_cycle": summary(
                [c for counter in counters for c in counter.cycles])}


async def run(site: Site, server, mode: dict) -> dict:
    total, seconds, keep_every = mode["rush_total"], mode["rush_seconds"], mode["keep_every"]
    capacity_s, capacity_stores = mode["capacity_s"], mode["capacity_stores"]
    store = seed.open_store("rush")
    board, _ = await site.sign_in(store.email, seed.PASSWORD)
    await site.list_everyone(board, total + 1000)  # each phone waits for its own name there
    counter = Counter(site, board, store)
    cpu0 = cpu_seconds(server)
    rush, kept = await offered(counter, total, seconds, keep_every)
    rush["server_cpu_share"] = round((cpu_seconds(server) - cpu0) / rush["elapsed_s"], 2)
    log.info("rush: %s", {k: v for k, v in rush.items() if k != "error_samples"})
    counter.cycles = []
    cpu0, t0 = cpu_seconds(server), time.perf_counter()
    one = await closed_loop([counter], capacity_s, cap=5000)
    cpu = cpu_seconds(server) - cpu0
    one["server_cpu_share"] = round(cpu / (time.perf_counter() - t0), 2)
    one["server_cpu_ms_per_join"] = round(cpu * 1000 / max(one["joined"], 1), 1)
    others = []
    for i in range(capacity_stores):
        extra = seed.open_store(f"cap{i}")
        extra_board = await site.dashboard(extra.owner_token)
        await site.list_everyone(extra_board, 500)  # ~100 joins a store in the window
        others.append(Counter(site, extra_board, extra))
    cpu0, t0 = cpu_seconds(server), time.perf_counter()
    many = await closed_loop(others, capacity_s, cap=5000)
    cpu = cpu_seconds(server) - cpu0
    many["server_cpu_share"] = round(cpu / (time.perf_counter() - t0), 2)
    many["server_cpu_ms_per_join"] = round(cpu * 1000 / max(many["joined"], 1), 1)
    log.info("capacity: one store %s; %d stores %s", one, capacity_stores, many)
    await asyncio.gather(*(t.close() for t in [board, *kept, *(c.board for c in others)]))
    return {"rush": rush, "capacity_one_store": one, "capacity_many_stores": many}


def cpu_by_thread(server) -> dict[str, float]:
    """CPU seconds so far of the servers' event loops and of their other threads.

    The loop is each process's main thread (its thread id is its process id); the other threads
    are almost all `asyncio.to_thread`'s pool (database work). Linux does not see Python's thread
    names, so the two are told apart by id only.
    """
    split = {"loop": 0.0, "threads": 0.0}
    for pid in server.pids():
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    ns = int(f.read().split()[0])
            except (OSError, IndexError, ValueError):
                continue
            kind = "loop" if tid == str(pid) else "threads"
            split[kind] += ns / 1e9
    return split


def cpu_seconds(server) -> float:
    """CPU seconds used so far by the server's process tree, to the nanosecond.

    The scheduler's per-thread run time (`/proc/<pid>/task/<tid>/schedstat`, first field, ns):
    `/proc/<pid>/stat` counts in 10 ms ticks, too coarse for one change.
    """
    return sum(cpu_by_thread(server).values())
