"""Workload `rooms`: the waiting room's cheap endpoints against their floor, and slides to N pages.

1. Throughput at concurrency 64, one worker, Redis: ticket issue (`POST …/tickets`) and status
   (`GET …/ticket`, Bearer) of the app, and the same two calls of `bench/room_floor.py` (a bare
   ~40-line Starlette app doing Redis INCR + HS256 sign; verify + GET), pinned to the same core, in
   the same run.
2. Two workers under load: every position handed out is unique and the set is gap-free.
3. N open visitor pages (`/w/<slug>`): each slide (one broadcast of the window end) must reach all
   of them; latency from the slide's commit time (`slid_at`) to each page's arrival; memory per page.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import subprocess
import time
from datetime import UTC, datetime

from bench import server as app_server
from bench.client import Tab
from bench.http_load import hammer, http_request
from bench.protocol import Site
from bench.server import REPO, SERVER_CPUS, AppServer, free_port
from bench.stats import collector_paused, full_collections, summary

log = logging.getLogger("bench.rooms")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
CONCURRENCY = 64
_POSITION = re.compile(rb'"position":(\d+)')


def open_room(size: int = 100, interval: int = 3600) -> tuple[int, str]:
    """A waiting room (a store of its own) in the run's database; (room id, slug)."""
    from queue_app import domain  # noqa: PLC0415  (reads QUEUE_DATABASE_URL set by the runner)
    from queue_app.clock import utcnow  # noqa: PLC0415
    from queue_app.db import session  # noqa: PLC0415
    from queue_app.domain.rooms import validate_room_form  # noqa: PLC0415
    from queue_app.services import rooms, stores  # noqa: PLC0415

    email = f"room-{time.monotonic_ns()}@example.com"
    form = domain.validate_store_form(email=email, password="bench-pass-1", confirm="bench-pass-1",
                                      name="Bench drop", queue_names=[], timezone="UTC",
                                      queues_optional=True)
    with session() as db:
        store = stores.open_store(db, form, now=utcnow(), room=validate_room_form(
            size=size, interval=interval, active=2, target_url="https://shop.example/checkout"))
        room = rooms.room_of_store(db, store.id)
        return room.id, room.slug


class FloorServer:
    def __init__(self) -> None:
        self.port = free_port()
        command = [str(REPO / ".venv" / "bin" / "granian"), "--interface", "asgi", "--host", "127.0.0.1",
                   "--port", str(self.port), "--workers", "1", "bench.room_floor:app"]
        if shutil.which("taskset"):
            command = ["taskset", "-c", SERVER_CPUS, *command]
        self.proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     env={**os.environ, "FLOOR_REDIS_URL": REDIS_URL})

    async def ready(self) -> None:
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise RuntimeError("the floor app did not start")

    def stop(self) -> None:
        os.killpg(self.proc.pid, 15)
        self.proc.wait(10)


async def pair(port: int, join_path: str, status_path: str, seconds: float) -> dict:
    """Issue for `seconds`, then read statuses of the tickets issued, each at concurrency 64."""
    joins = await hammer(port, lambda _i: http_request("POST", join_path), concurrency=CONCURRENCY,
                         seconds=seconds, keep_bodies=True)
    tokens = [json.loads(b)["token"] for b in joins.bodies[:5000] if b.startswith(b'{"token"')]
    requests = [http_request("GET", status_path, {"Authorization": f"Bearer {t}"}) for t in tokens]
    statuses = await hammer(port, lambda i: requests[i % len(requests)], concurrency=CONCURRENCY,
                            seconds=seconds)
    return {"issue": joins.report(), "status": statuses.report()}


def _server(root, url, port, **env: str) -> AppServer:
    app_server.EXTRA_ENV.update(REFLEX_REDIS_URL=REDIS_URL, QUEUE_SCHEDULER="on",
                                QUEUE_API_JOIN_LIMIT=str(10**9), QUEUE_API_STATUS_LIMIT="0", **env)
    server = AppServer(root, url, port)
    server.start(180)
    return server


async def throughput(root, url, port, seconds: float, rounds: int = 3) -> dict:
    """The app (one worker) and the floor on the same core, in alternating rounds.

    This machine is shared: alternating short rounds, then the median of each side, keeps a burst
    of a neighbour's load from landing on one side only.
    """
    server = _server(root, url, port, GRANIAN_WORKERS="1")  # its start migrates the database
    _, slug = open_room()
    floor = FloorServer()
    await floor.ready()
    runs: dict[str, list[dict]] = {"floor": [], "app": []}
    http = f"http://127.0.0.1:{port}"
    collections = {}
    try:
        before = {g: await asyncio.to_thread(full_collections, http, g) for g in (1, 2)}
        for _ in range(rounds):
            runs["floor"].append(await pair(floor.port, "/join", "/status", seconds / rounds))
            runs["app"].append(await pair(port, f"/api/v1/rooms/{slug}/tickets",
                                          f"/api/v1/rooms/{slug}/ticket", seconds / rounds))
        for g in (1, 2):  # the app's own collections during its rounds (the tail's usual suspect)
            after = await asyncio.to_thread(full_collections, http, g)
            collections[f"generation_{g}"] = {k: round(after[k] - before[g][k], 3) for k in after}
        log.info("rooms: the app's garbage collections during its rounds: %s", collections)
    finally:
        floor.stop()
        server.stop()
    figures = {side: {kind: _median_round([r[kind] for r in runs[side]]) for kind in ("issue", "status")}
               for side in runs}
    ratio = {kind: round(figures["app"][kind]["per_s"] / figures["floor"][kind]["per_s"], 3)
             for kind in ("issue", "status")}
    return {"concurrency": CONCURRENCY, "seconds_per_side": seconds, "rounds": rounds,
            "app": figures["app"], "floor": figures["floor"], "app_over_floor": ratio,
            "app_collections": collections, "all_rounds": runs}


def _median_round(reports: list[dict]) -> dict:
    """Median throughput and p99 over the rounds, the worst p99 and every error."""
    def median(values):
        ordered = sorted(values)
        return ordered[len(ordered) // 2]
    return {"per_s": median([r["per_s"] for r in reports]),
            "errors": sum(r["errors"] for r in reports),
            "latency_ms": {"p50": median([r["latency_ms"]["p50"] for r in reports]),
                           "p99": median([r["latency_ms"]["p99"] for r in reports]),
                           "p99_worst_round": max(r["latency_ms"]["p99"] for r in reports)}}


async def two_workers(root, url, port, seconds: float) -> dict:
    """Positions from 2 workers under load: unique and gap-free."""
    server = _server(root, url, port, GRANIAN_WORKERS="2")
    _, slug = open_room()
    try:
        joins = await hammer(port, lambda _i: http_request("POST", f"/api/v1/rooms/{slug}/tickets"),
                             concurrency=CONCURRENCY, seconds=seconds, keep_bodies=True, warmup=0)
    finally:
        server.stop()
    positions = sorted(int(m.group(1)) for b in joins.bodies if (m := _POSITION.search(b)))
    return {"workers": 2, "issued": len(positions), "per_s": joins.report()["per_s"],
            "errors": joins.report()["errors"], "unique": len(set(positions)) == len(positions),
            "gap_free": positions == list(range(1, len(positions) + 1))}


async def pages(root, url, port, fe, n: int, slides: int) -> dict:
    """N visitor pages; `slides` slides of the window (every 5 s); arrival of each at every page."""
    from queue_app.db import session  # noqa: PLC0415
    from queue_app.models import WaitingRoom  # noqa: PLC0415

    server = _server(root, url, port, GRANIAN_WORKERS="1")
    room_id, slug = open_room(size=1, interval=5)
    site = Site(port, fe)
    tabs: list[Tab] = []
    try:
        await hammer(port, lambda _i: http_request("POST", f"/api/v1/rooms/{slug}/tickets"),
                     concurrency=4, seconds=1, warmup=0)  # people waiting: every slide moves
        before = server.rss_bytes()
        gate = asyncio.Semaphore(50)

        async def one() -> Tab:
            async with gate:
                tab = site.tab()
                loaded = tab.expect("window_size_rx_state_")
                await tab.open(fe.boot(f"/w/{slug}", {"slug": slug}))
                await asyncio.wait_for(loaded, 60)
                return tab

        started = time.perf_counter()
        tabs = list(await asyncio.gather(*(one() for _ in range(n))))
        connect_s = time.perf_counter() - started
        await asyncio.sleep(10)  # let the server finish the connects' work before the clock runs
        per_page = (server.rss_bytes() - before) / n
        rounds = []
        offset = time.time() - time.perf_counter()
        with session() as db:
            end = db.get(WaitingRoom, room_id).window_end
        with collector_paused():  # this process's own collections are not the server's latency
            for _ in range(slides):
                needle = f'"window_end_rx_state_":{end + 1}'
                futures = [t.expect(needle) for t in tabs]
                await asyncio.wait(futures, timeout=15)
                with session() as db:
                    slid = db.get(WaitingRoom, room_id)
                    slid_at, end = slid.slid_at, slid.window_end
                got = [(f.result() + offset - slid_at.timestamp()) * 1000 for f in futures if f.done()]
                rounds.append({"window_end": end, "reached": len(got), "latency_ms": summary(got)})
        return {"pages": n, "connect_s": round(connect_s, 1), "server_rss_per_page_kb":
                round(per_page / 1024, 1), "slides": rounds,
                "p95_worst_ms": max((r["latency_ms"]["p95"] or 0) for r in rounds)}
    finally:
        await asyncio.gather(*(t.close() for t in tabs), return_exceptions=True)
        server.stop()


async def run(root, url, port, fe, mode: dict) -> dict:
    quick = mode.get("rush_total", 0) < 1000
    seconds = 4.0 if quick else 10.0
    results = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "redis": REDIS_URL}
    results["throughput"] = await throughput(root, url, port, seconds)
    results["two_workers"] = await two_workers(root, url, port, seconds)
    results["pages"] = await pages(root, url, port, fe, 200 if quick else 5000, 3)
    app_server.EXTRA_ENV.clear()
    return results
