"""Workload 4, floors: what the same machine does with no app in the way.

- a trivial Reflex event round trip (a handler that sets one var) on the real app;
- the server CPU of Reflex's smallest page visit and smallest event on the real app: the floor a
  complete join (one page visit, two events) is compared with;
- the same round trip on a bare python-socketio server;
- a bare python-socketio server (the app's ASGI server, one worker, the same core) broadcasting the ticket
  page's real payload once to a room of N sockets: the fan-out floor our figures are divided by.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import time

from bench.client import Tab
from bench.counter import arrivals
from bench.protocol import Site, router_data
from bench.server import EXTRA_ENV, REPO, SERVER_CPUS, free_port, tree_rss
from bench.stats import ms, summary

NEEDLE = "line_rx_state_"
SETTLE = 0.05  # after each step: the rest of its CPU (writes after the last arrival)


async def reflex_round_trip(site: Site, count: int) -> dict:
    """`SignupState.set_browser_timezone` on `/`: about the smallest event the app handles."""
    tab = site.tab(parse=False)
    await tab.open(site.fe.boot("/"))
    await asyncio.sleep(0.5)
    samples = []
    for i in range(count):
        waiter = tab.expect("timezone_rx_state_")
        sent = await tab.emit(site.fe.handler("signup_state", "set_browser_timezone"),
                              {"zone": "Europe/Paris" if i % 2 == 0 else "UTC"}, router_data("/"))
        samples.append(ms(await asyncio.wait_for(waiter, 10) - sent))
    await tab.close()
    return summary(samples)


async def reflex_visit_cpu(site: Site, server, count: int) -> dict:
    """Server CPU (ms, medians) of Reflex's smallest page visit and smallest event, on the real app.

    The visit: `/closed`, a page without `on_load`: connect, hydrate, close. The event:
    `set_browser_timezone` (one var set). A complete join is one visit and two events (the submit,
    the ticket page's `on_load`) plus the app's own work, so `visit + 2 × event` is its floor.
    """
    from bench.rush import cpu_by_thread  # noqa: PLC0415

    def spent(before: dict, after: dict) -> dict:
        return {kind: (after[kind] - before[kind]) * 1000 for kind in before}

    visits, events = [], []
    for i in range(count + 5):  # 5 warm-up cycles
        t0 = cpu_by_thread(server)
        tab = site.tab(parse=False)
        hydrated = tab.expect('"is_hydrated_rx_state_":true')
        await tab.open(site.fe.boot("/closed"))
        await asyncio.wait_for(hydrated, 10)
        await asyncio.sleep(SETTLE)
        t1 = cpu_by_thread(server)
        answered = tab.expect("timezone_rx_state_")
        await tab.emit(site.fe.handler("signup_state", "set_browser_timezone"),
                       {"zone": "Europe/Paris" if i % 2 else "UTC"}, router_data("/closed"))
        await asyncio.wait_for(answered, 10)
        await asyncio.sleep(SETTLE)
        t2 = cpu_by_thread(server)
        await tab.close()
        await asyncio.sleep(SETTLE)
        if i >= 5:
            opened, closed = spent(t0, t1), spent(t2, cpu_by_thread(server))
            visits.append({kind: opened[kind] + closed[kind] for kind in opened})
            events.append(spent(t1, t2))

    def median(rows: list[dict]) -> dict:
        by_kind = {kind: round(statistics.median(r[kind] for r in rows), 2) for kind in rows[0]}
        return by_kind | {"total": round(statistics.median(sum(r.values()) for r in rows), 2)}

    visit, event = median(visits), median(events)
    return {"count": count, "visit_ms": visit, "event_ms": event,
            "complete_join_floor_ms": round(visit["total"] + 2 * event["total"], 2)}


def floor_command(port: int, app: str) -> list[str]:
    """A bare ASGI app on the server the app runs on (`QUEUE_SERVER`, as scripts/serve.py starts it)."""
    binary = REPO / ".venv" / "bin"
    if EXTRA_ENV.get("QUEUE_SERVER", "uvicorn") == "granian":
        return [str(binary / "granian"), "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", "1", "--log-level", "warning", app]
    return [str(binary / "uvicorn"), "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--loop", "uvloop", "--http", "httptools", "--ws", "wsproto", "--ws-per-message-deflate",
            "false", "--no-proxy-headers", "--log-level", "warning", app]


class FloorServer:
    """`bench.floor_app:app` on the app's ASGI server, pinned like the app server."""

    def __init__(self) -> None:
        self.port = free_port()
        command = floor_command(self.port, "bench.floor_app:app")
        if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
            command = ["taskset", "-c", SERVER_CPUS, *command]
        self.proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    async def tab(self) -> Tab:
        deadline = time.monotonic() + 30
        while True:
            tab = Tab(f"ws://127.0.0.1:{self.port}")
            try:
                await tab.open({"name": "floor"})
                return tab
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)

    def rss_bytes(self) -> int:
        """RSS of the floor server's process tree (its worker may run in a child process)."""
        return tree_rss(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


async def bare_round_trip(floor: FloorServer, count: int) -> dict:
    tab = await floor.tab()
    samples = []
    for i in range(count):
        waiter = tab.expect("echo")
        sent = await tab.emit("echo", {"i": i}, {})
        samples.append(ms(await asyncio.wait_for(waiter, 10) - sent))
    await tab.close()
    return summary(samples)


async def bare_broadcast(floor: FloorServer, n: int, payload: dict, rounds: int) -> dict:
    """Broadcast `payload` to `n` sockets, `rounds` times; per-socket latency and fan-out time."""
    trigger = await floor.tab()
    gate = asyncio.Semaphore(50)

    async def one() -> Tab:
        async with gate:
            return await floor.tab()

    await asyncio.sleep(0.5)
    rss_before = floor.rss_bytes()
    tabs = await asyncio.gather(*(one() for _ in range(n)))
    await asyncio.sleep(1.0)
    kb_per_socket = (floor.rss_bytes() - rss_before) / 1024 / n
    samples, fanouts, missed = [], [], 0
    for _ in range(rounds):
        waiters = [t.expect(NEEDLE) for t in tabs]
        sent = await trigger.emit("broadcast", payload, {})
        got = [ms(t - sent) for t in await arrivals(waiters, 30) if t is not None]
        missed += n - len(got)
        samples.extend(got)
        fanouts.append(max(got) if got else None)
        await asyncio.sleep(0.2)
    await asyncio.gather(*(t.close() for t in [trigger, *tabs]))
    return {"n": n, "sockets": summary(samples), "fanout": summary([f for f in fanouts if f is not None]),
            "missed": missed, "server_kb_per_socket": round(kb_per_socket, 1)}


async def run(site: Site, server, mode: dict, payload_text: str) -> dict:
    sizes, rounds, trips = mode["sizes"], mode["rounds"], mode["trips"]
    payload = json.loads(payload_text) if payload_text else {"delta": {"ticket": {NEEDLE: []}}}
    floor = FloorServer()
    try:
        result = {"payload_bytes": len(json.dumps(payload)),
                  "reflex_round_trip": await reflex_round_trip(site, trips),
                  "reflex_cpu": await reflex_visit_cpu(site, server, max(trips // 3, 30)),
                  "bare_round_trip": await bare_round_trip(floor, trips),
                  # N and 2N: the counter's N ticket pages, and all of its 2N + 2 pages
                  "bare_broadcast": [await bare_broadcast(floor, n, payload, rounds)
                                     for n in sorted({*sizes, *(2 * n for n in sizes)})]}
    finally:
        floor.stop()
    return result
