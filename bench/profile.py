"""Where the server's time goes: py-spy on the app's worker while a workload runs, then a summary.

`python -m bench --profile` records the counter workload's rounds at the largest N twice: CPU only
(what the worker computes) and with `--idle` (also where it waits). The folded stacks are kept in
`bench/results/` and summarised as inclusive shares of the frames of the live-update path.
"""

from __future__ import annotations

import collections
import contextlib
import gzip
import shutil
import signal
import subprocess
from pathlib import Path

# Where a sample goes, by the first frame its stack contains (checked in this order).
CATEGORIES = (
    ("snapshot read: load_snapshot (worker thread)", ("load_snapshot",)),
    ("Reflex disk state manager: writing and expiring states", ("StateManagerDisk",)),
    ("dashboard view (dashboard_queues, QR code)", ("DashboardState.view", "DashboardState.show")),
    ("ticket views x N (views.ticket_people)", ("TicketState.view", "TicketState.show")),
    ("join/public/display views", ("JoinState.view", "PublicState.view", "DisplayState.view",
                                   "JoinState.show", "PublicState.show", "DisplayState.show")),
    ("socket.io emit per tab (JSON encode, a task + asyncio.wait per tab)", ("EventNamespace.emit_update",)),
    ("delta computation per tab (old design)", ("BaseState._get_resolved_delta",)),
    ("modify_state per tab: lock, load, save state (old design)", ("App.modify_state",)),
    ("rest of live._push / publish (diffing views, token checks)", ("_push", "publish")),
    ("websocket writes (engineio → starlette → granian)", ("AsyncSocket._websocket_handler",)),
    ("event handlers (page loads, scan, join, dashboard actions: services + DB)", ("EventProcessor",)),
    ("database driver outside the above (pool pre-ping, rollback)", ("do_ping", "do_rollback")),
)
IDLE_LEAVES = {"_worker", "EpollSelector.select", "Condition.wait", "Queue.get", ""}


class Spy:
    """`py-spy record` attached to one process until `stop()` (SIGINT makes it write the file)."""

    def __init__(self, pid: int, out: Path, *, idle: bool, rate: int = 200,
                 subprocesses: bool = False) -> None:
        exe = shutil.which("py-spy") or str(Path(__file__).resolve().parent.parent / ".venv/bin/py-spy")
        command = [exe, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw",
                   "--output", str(out), "--nonblocking"]
        if idle:
            command.append("--idle")
        if subprocesses:  # the supervisor's worker processes too
            command.append("--subprocesses")
        self.out = out
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> Path:
        """Stop recording; the folded stacks are kept gzipped (`<out>.gz`), which is returned."""
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        packed = self.out.with_name(self.out.name + ".gz")
        with open(self.out, "rb") as raw, gzip.open(packed, "wb") as out:
            shutil.copyfileobj(raw, out)
        self.out.unlink()
        return packed


def summarize(folded: Path, rate: int = 200, top: int = 15, loop_only: bool = False) -> dict:
    """CPU seconds and share per category, the event loop's share, and the hottest leaf functions.

    With `loop_only`, only the event loop's thread is counted (for `--idle` recordings, where the
    idle pool threads would otherwise drown everything).
    """
    total = loop = 0
    by_category: collections.Counter = collections.Counter()
    leaves: collections.Counter = collections.Counter()
    text = gzip.decompress(folded.read_bytes()).decode() if folded.suffix == ".gz" else folded.read_text()
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        names = [frame.split(" (", 1)[0] for frame in stack.split(";")]
        on_loop = "BaseEventLoop.run_forever" in names
        if loop_only and not on_loop:
            continue
        total += n
        loop += n if on_loop else 0
        joined = ";".join(names)
        category = next((label for label, marks in CATEGORIES if any(m in joined for m in marks)), "other")
        if category == "other" and (not stack or names[-1] in IDLE_LEAVES):
            category = "waiting: epoll select, idle pool threads, no Python frame"
        by_category[category] += n
        leaves[_short(stack.split(";")[-1])] += n
    pct = lambda n: round(100 * n / total, 1) if total else 0.0  # noqa: E731
    return {"samples": total, "rate_hz": rate, "event_loop_thread_pct": pct(loop),
            "categories": {k: {"pct": pct(v), "cpu_s": round(v / rate, 2)}
                           for k, v in by_category.most_common()},
            "top_leaf_pct": {k: pct(v) for k, v in leaves.most_common(top)}}


def inclusive_table(folded: Path, *, per_join: int, title: str, rate: int = 200, top: int = 45) -> str:
    """Per thread kind, the functions on the most samples (inclusive), as a markdown table.

    Kinds: the event loop, the other threads (the database work), and "no Python frame" (a thread
    running native code only). Each row: ms of CPU per join, and the share of that kind's samples.
    """
    text = gzip.decompress(folded.read_bytes()).decode()
    totals: collections.Counter = collections.Counter()
    inclusive = {kind: collections.Counter() for kind in ("loop", "threads", "no Python frame")}
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or not stack:
            continue
        frames = [f for f in stack.split(";") if not f.startswith("process ")]  # `--subprocesses`
        if frames and frames[-1].split(" (", 1)[0] in IDLE_LEAVES:
            continue
        kind = ("no Python frame" if not frames else
                "threads" if any(f.startswith("Thread._bootstrap ") for f in frames) else "loop")
        totals[kind] += int(count)
        for frame in set(frames):
            inclusive[kind][_short(frame)] += int(count)
    lines = [f"# {title}", ""]
    for kind in inclusive:
        ms_per = lambda n: round(n / rate * 1000 / per_join, 2)  # noqa: E731
        lines += [f"## {kind}: {ms_per(totals[kind])} ms per join", "",
                  "| ms per join | share | function |", "| --- | --- | --- |"]
        for name, n in inclusive[kind].most_common(top):
            lines.append(f"| {ms_per(n)} | {round(100 * n / totals[kind], 1)} % | `{name}` |")
        lines.append("")
    return "\n".join(lines)


def _short(frame: str) -> str:
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rstrip(')')})"
