"""`python -m bench [--quick] [--sqlite] [--only counter,rush,...]`: run the benchmarks, write results.

Writes `bench/results/<date>[-quick].json`, a `.md` table of the budget and a `.png` plot of latency
against the number of watching pages. See docs/performance.md for what each workload does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import platform
import shutil
import signal
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench import prototypes, report
from bench import server as app_server
from bench.server import REPO, AppServer, build_frontend, database, free_port, pin_self, private_copy

log = logging.getLogger("bench")
RESULTS = Path(__file__).resolve().parent / "results"
WORKLOADS = ("counter", "floors", "rush", "stores", "phone", "coldstart", "rooms")
MODES = {  # every loop bounded in count and time
    "quick": dict(sizes=[10, 50], rounds=6, rush_total=60, rush_seconds=6, keep_every=10, capacity_s=4,
                  capacity_stores=4, stores=10, tickets=5, rate=10, stores_seconds=8, trips=100, restarts=0),
    "full": dict(sizes=[10, 100, 500, 1000], rounds=30, rush_total=2000, rush_seconds=60, keep_every=10,
                 capacity_s=15, capacity_stores=10, stores=100, tickets=20, rate=20, stores_seconds=60,
                 trips=300, restarts=2),
}


def machine(pinning: str) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 2**20
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "python": platform.python_version(),
            "reflex": metadata.version("reflex"), "pinning": pinning,
            "summary": f"{os.cpu_count()} cores, {cpu}, one worker"}


async def run(args: argparse.Namespace, mode: dict, results: dict) -> None:
    """Build once, then restart the app (a cold-start sample) before each workload."""
    only = set(args.only.split(",")) if args.only else set(WORKLOADS)
    root = private_copy()
    for name in args.prototype:
        prototypes.apply(root, name)
    try:
        with database(args.sqlite, root) as url:
            results["database"] = "sqlite" if args.sqlite else "postgresql"
            os.environ["QUEUE_DATABASE_URL"] = url  # the seeding services read these once, on import
            os.environ["QUEUE_SECRET_KEY"] = app_server.SECRET_KEY
            await workloads(args, mode, results, only, root, url)
    finally:
        if not args.keep_copy:
            shutil.rmtree(root, ignore_errors=True)


async def workloads(args: argparse.Namespace, mode: dict, results: dict, only: set[str], root: Path,
                    url: str) -> None:
    from bench import counter, floors, phone, rooms, rush, stores  # noqa: PLC0415
    from bench.protocol import Frontend, Site  # noqa: PLC0415

    port = free_port()
    results["frontend_build_s"] = round(build_frontend(root, url, port), 1)
    fe = Frontend.read(root / ".web", results["machine"]["reflex"])
    server = AppServer(root, url, port)
    cold: list[float] = []

    async def fresh() -> Site:
        nonlocal server
        results.setdefault("loadavg_1min_at_each_start", []).append(round(os.getloadavg()[0], 2))
        server.stop()
        server = AppServer(root, url, port)
        cold.append(round(server.start(120), 2))
        return Site(server.port, fe)

    async def counter_and_floors(site: Site) -> None:
        spies = profilers(server, results, "counter") if args.profile else ()
        rows = await counter.run(site, server, mode, spies) if "counter" in only else []
        payloads = [r.pop("_ticket_payload") for r in rows]  # the floor sends the largest N's board
        payload = payloads[-1] if payloads else ""
        results["counter"] = rows
        if "floors" in only:
            results["floors"] = await floors.run(site, server, mode, payload)

    async def many_stores(site: Site) -> None:
        spies = profilers(server, results, "stores", idle=False) if args.profile else ()
        results["stores"] = await stores.run(site, server, mode, spies)

    steps = [("counter", counter_and_floors) if only & {"counter", "floors"} else None,
             ("rush", lambda site: _keep(results, "rush", rush.run(site, server, mode))),
             ("stores", many_stores),
             ("phone", lambda site: _keep(results, "phone", phone.run(site)))]
    if "rooms" in only:  # starts its own servers (Redis, one then two workers) and its floor
        try:
            server.stop()
            results["rooms"] = await rooms.run(root, url, port, fe, mode)
        except Exception as error:  # noqa: BLE001
            log.exception("workload rooms failed")
            results.setdefault("failures", {})["rooms"] = f"{type(error).__name__}: {error}"[:500]
    try:
        for step in steps:
            if step is None or (step[0] not in only and step[0] != "counter"):
                continue
            try:
                await step[1](await fresh())
            except Exception as error:  # noqa: BLE001  (one broken workload must not lose the others)
                log.exception("workload %s failed", step[0])
                results.setdefault("failures", {})[step[0]] = f"{type(error).__name__}: {error}"[:500]
        for _ in range(mode["restarts"] if "coldstart" in only else 0):
            await fresh()
    finally:
        server.stop()
        if cold:
            results["cold_start"] = {"samples_s": cold, "max_s": max(cold),
                                     "what": "scripts/start.sh with QUEUE_PREBUILT_FRONTEND=1 (migrations "
                                             "included) until GET / and GET /ping both answer 200; the "
                                             "first sample is on a fresh copy (empty database, no bytecode)"}


async def _keep(results: dict, key: str, work) -> None:
    results[key] = await work


_suffix = ""


def run_suffix(args: argparse.Namespace) -> str:
    """`-quick`, the workloads of a partial run, and the tag: a partial run never overwrites a full one."""
    partial = "-" + "+".join(args.only.split(",")) if args.only else ""
    return f"{'-quick' if args.quick else ''}{partial}{'-' + args.tag if args.tag else ''}"


def profilers(server: AppServer, results: dict, workload: str, idle: bool = True) -> list:
    """py-spy recordings of the worker (CPU only, then the event loop with idle time), summarised."""
    from bench.profile import Spy, summarize  # noqa: PLC0415

    def recording(idle: bool):
        @contextlib.contextmanager
        def record():
            kind = "idle" if idle else "cpu"
            out = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}{_suffix}-{workload}-{kind}.folded"
            spy = Spy(server.worker_pid(), out, idle=idle)
            try:
                yield
            finally:
                packed = spy.stop()
                results.setdefault("profile", {}).setdefault(workload, {})[kind] = {
                    "file": str(packed.relative_to(REPO)), **summarize(packed, loop_only=idle)}
        return record

    RESULTS.mkdir(exist_ok=True)
    return [recording(False), recording(True)] if idle else [recording(False)]


def _stop(signum: int, _frame) -> None:
    """Turn a termination signal into SystemExit, so the app is stopped and its database dropped."""
    raise SystemExit(128 + signum)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small N, under 3 minutes")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of a fresh PostgreSQL database")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(WORKLOADS)}")
    parser.add_argument("--keep-copy", action="store_true", help="keep the private source copy")
    parser.add_argument("--profile", action="store_true",
                        help="py-spy the worker during extra counter rounds at the largest N")
    parser.add_argument("--sizes", default="", help="override the counter's N list, e.g. 100,1000")
    parser.add_argument("--rounds", type=int, default=0,
                        help="override the counter's measured rounds per size")
    parser.add_argument("--tag", default="", help="suffix for this run's result files, e.g. memory-state")
    parser.add_argument("--prototype", action="append", default=[], choices=sorted(prototypes.PATCHES),
                        help="apply a design prototype (bench/prototypes.py) to the private copy")
    parser.add_argument("--app-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for the app, e.g. REFLEX_STATE_MANAGER_MODE=memory")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for signum in (signal.SIGTERM, signal.SIGHUP):  # `timeout`, a closed terminal: still clean up
        signal.signal(signum, _stop)
    logging.getLogger("websockets").setLevel(logging.WARNING)
    name = "quick" if args.quick else "full"
    if args.sizes:
        MODES[name]["sizes"] = [int(n) for n in args.sizes.split(",")]
    if args.rounds:
        MODES[name]["rounds"] = args.rounds
    app_server.EXTRA_ENV.update(item.split("=", 1) for item in args.app_env)
    global _suffix
    _suffix = run_suffix(args)
    results = {"mode": name, "started": datetime.now(UTC).isoformat(timespec="seconds"),
               "machine": machine(pin_self()),
               "command": "make bench" if not args.quick else "python -m bench --quick",
               "app_env": args.app_env, "prototypes": args.prototype}
    started = time.perf_counter()
    try:
        asyncio.run(run(args, MODES[name], results))
    finally:
        results["duration_s"] = round(time.perf_counter() - started, 1)
        RESULTS.mkdir(exist_ok=True)
        stem = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}{run_suffix(args)}"
        stem.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
        table = report.markdown(results)
        stem.with_suffix(".md").write_text(f"# Benchmark {results['started']} ({name})\n\n{table}\n")
        report.plot(results, stem.with_suffix(".png"))
        log.info("results in %s.{json,md,png}\n%s", stem.relative_to(REPO), table)


if __name__ == "__main__":
    main()
