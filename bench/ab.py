"""`python -m bench.ab --base <git rev>`: the server CPU of a complete join, one commit against another.

This shared machine moves ±25 % between runs, more than most single changes to the join. So the
two versions run side by side instead: two servers (the work tree and a checkout of `--base`), each
on its own fresh PostgreSQL database with one store, a dashboard and ten customers, and complete
joins that alternate between them (ABBA order). Whatever the machine does then, it does to both.

Per step of the join (scan with the counter's new code, submit with its push, the ticket page,
closing the tab) it reports the server's CPU on the event loop and in its other threads (the
database work), from `/proc/<pid>/task/<tid>/schedstat`. Results: `bench/results/<date>-ab-<rev>.*`.

`--profile` also records the work tree's server with py-spy during the measured joins and writes
the functions with the largest inclusive share of the samples, per thread kind, to
`bench/results/<date>-ab-profile.md` (the folded stacks beside it, gzipped).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import shutil
import statistics
import subprocess
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench import profile
from bench import server as app_server

log = logging.getLogger("bench.ab")
RESULTS = Path(__file__).resolve().parent / "results"
STEPS = ("scan", "submit", "ticket", "close")
STEP_TIMEOUT = 10.0
PROFILE = RESULTS / f"{datetime.now(UTC).date().isoformat()}-ab-profile"
SETTLE = 0.05  # after each step: the rest of its CPU (writes after the last arrival)


class Side:
    """One version of the app: its source tree, private copy, database and running server."""

    def __init__(self, label: str, source: Path) -> None:
        self.label, self.source = label, source
        self.steps: dict[str, list[dict[str, float]]] = {name: [] for name in STEPS}

    def build(self, stack: contextlib.ExitStack) -> None:
        app_server.REPO = self.source  # private_copy copies from here
        self.root = app_server.private_copy()
        stack.callback(shutil.rmtree, self.root, True)
        self.url = stack.enter_context(app_server.database(False, self.root))
        self.port = app_server.free_port()
        app_server.build_frontend(self.root, self.url, self.port)


async def complete_join(side: Side, i: int) -> None:
    from bench.protocol import dash, one_more_needle, pass_of  # noqa: PLC0415  (after the database is chosen)
    from bench.rush import cpu_by_thread  # noqa: PLC0415

    def step(name: str, before: dict, after: dict) -> None:
        row = {k: (after[k] - before[k]) * 1000 for k in before if k != "frames"}
        side.steps[name].append(row | {"frames": after["frames"] - before["frames"]})

    def now() -> dict:  # CPU by thread kind, and the frames the phone and the board received
        return cpu_by_thread(side.server) | {"frames": side.board.frames + getattr(phone, "frames", 0)}

    shown = dash(side.board)["join_url_rx_state_"]
    rotated = side.board.expect("join_url_rx_state_")
    phone = None
    t0 = now()
    phone = await side.site.scan(pass_of(shown))
    try:
        await asyncio.wait_for(rotated, STEP_TIMEOUT)
        await asyncio.sleep(SETTLE)
        t1 = now()
        step("scan", t0, t1)
        name = f"ab-{side.label}-{i}"
        seen = side.board.expect(one_more_needle(side.board))
        _, path = await asyncio.wait_for(side.site.submit_join(phone, name), STEP_TIMEOUT)
        await asyncio.wait_for(seen, STEP_TIMEOUT)
        await asyncio.sleep(SETTLE)
        t2 = now()
        step("submit", t1, t2)
        await asyncio.wait_for(side.site.follow_to_ticket(phone, path), STEP_TIMEOUT)
        await asyncio.sleep(SETTLE)
        t3 = now()
        step("ticket", t2, t3)
    finally:
        await phone.close()
    await asyncio.sleep(SETTLE)
    step("close", t3, now())


async def run(sides: list[Side], joins: int, warmup: int, spy_on: Side | None = None) -> dict:
    from bench import seed  # noqa: PLC0415
    from bench.protocol import Frontend, Site  # noqa: PLC0415
    from queue_app import db as app_db  # noqa: PLC0415

    version = metadata.version("reflex")
    try:
        for side in sides:
            side.server = app_server.AppServer(side.root, side.url, side.port)
            side.server.start(120)  # migrations included
            side.site = Site(side.port, Frontend.read(side.root / ".web", version))
            engine = app_db.make_engine(side.url)  # seed this side's database
            with _engine(app_db, engine):
                store = seed.open_store(f"ab-{side.label}", queues=1)
                seed.add_parties(store, 10)
            engine.dispose()
            side.board = await side.site.dashboard(store.owner_token)
        for i in range(warmup + joins):
            for side in sides if i % 2 == 0 else sides[::-1]:  # ABBA: neither side always goes first
                await complete_join(side, i)
            if i == warmup - 1:
                for side in sides:
                    side.steps = {name: [] for name in STEPS}
                if spy_on is not None:
                    spy_on.spy = profile.Spy(spy_on.server.proc.pid, PROFILE.with_suffix(".txt"),
                                             idle=False, subprocesses=True)
        if spy_on is not None:
            spy_on.spy.stop()
        return {side.label: summarise(side) for side in sides}
    finally:
        for side in sides:
            if getattr(side, "board", None) is not None:
                await side.board.close()
            if getattr(side, "server", None) is not None:
                side.server.stop()


@contextlib.contextmanager
def _engine(app_db, engine):
    original = app_db.engine
    app_db.engine = lambda: engine
    try:
        yield
    finally:
        app_db.engine = original


def summarise(side: Side) -> dict:
    def median(values: list[float]) -> float:
        return round(statistics.median(values), 2)

    steps = {name: {kind: median([row[kind] for row in rows]) for kind in ("loop", "threads", "frames")}
             for name, rows in side.steps.items()}
    totals = [sum(side.steps[name][j][kind] for name in STEPS for kind in ("loop", "threads"))
              for j in range(len(side.steps["scan"]))]
    quartiles = statistics.quantiles(totals, n=4)
    return {"source": str(side.source), "steps_ms": steps, "joins": len(totals),
            "per_join_ms": {"median": median(totals), "p25": round(quartiles[0], 2),
                            "p75": round(quartiles[2], 2)}}


def write(results: dict, base: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"{datetime.now(UTC).date().isoformat()}-ab-{base}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"# Complete join, {results['base']['rev']} against the work tree "
             f"({results['joins']} joins each, alternating)", "",
             "| Step | base: loop | base: threads | base: frames | work tree: loop | work tree: threads "
             "| work tree: frames |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    base_steps, head_steps = results["base"]["steps_ms"], results["head"]["steps_ms"]
    for name in STEPS:
        b, h = base_steps[name], head_steps[name]
        lines.append(f"| {name} | {b['loop']} ms | {b['threads']} ms | {b.get('frames', '–')} "
                     f"| {h['loop']} ms | {h['threads']} ms | {h.get('frames', '–')} |")
    for label in ("base", "head"):
        per = results[label]["per_join_ms"]
        lines.append(f"\n{label}: server CPU per complete join, median {per['median']} ms "
                     f"(quartiles {per['p25']}–{per['p75']} ms)")
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    return stem.with_suffix(".md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the git revision to compare the work tree with")
    parser.add_argument("--joins", type=int, default=80, help="measured complete joins per side")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="py-spy the work tree's server too")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    repo = app_server.REPO
    rev = subprocess.run(["git", "rev-parse", "--short", args.base], cwd=repo, check=True,
                         capture_output=True, text=True).stdout.strip()
    os.environ["QUEUE_SECRET_KEY"] = app_server.SECRET_KEY
    with contextlib.ExitStack() as stack:
        checkout = Path(tempfile.mkdtemp(prefix="queue-ab-"))
        subprocess.run(["git", "worktree", "add", "--detach", str(checkout), rev], cwd=repo, check=True,
                       capture_output=True)
        stack.callback(subprocess.run, ["git", "worktree", "remove", "--force", str(checkout)], cwd=repo,
                       check=False, capture_output=True)
        for name in (".venv", ".tools"):  # the same interpreter and tools for both sides
            (checkout / name).symlink_to(repo / name)
        sides = [Side("base", checkout), Side("head", repo)]
        for side in sides:
            side.build(stack)
        app_server.REPO = repo
        os.environ.setdefault("QUEUE_DATABASE_URL", sides[0].url)  # the seeding services' import
        results = asyncio.run(run(sides, args.joins, args.warmup, sides[1] if args.profile else None))
    results |= {"joins": args.joins, "machine": os.uname().nodename}
    results["base"]["rev"] = rev
    log.info("%s", write(results, rev).read_text())
    if args.profile:
        PROFILE.with_suffix(".md").write_text(profile.inclusive_table(
            PROFILE.with_suffix(".txt.gz"), per_join=args.joins,
            title=f"Where a complete join's server CPU goes (py-spy, {args.joins} joins)"))
        log.info("profile in %s", PROFILE.with_suffix(".md"))


if __name__ == "__main__":
    main()
