"""The budget table (markdown), the verdicts, and the plot of latency against watchers."""

from __future__ import annotations

from pathlib import Path


def _largest(rows: list[dict]) -> dict | None:
    return max(rows, key=lambda r: r["n"]) if rows else None


def _floor_fanout(results: dict, n: int) -> float | None:
    for row in results.get("floors", {}).get("bare_broadcast", []):
        if row["n"] == n:
            return row["fanout"]["p50"]
    return None


def budget_rows(results: dict) -> list[tuple[str, str, str, bool | None]]:
    """(figure, budget, measured, met?) for every line of the issue's budget that this run measured."""
    rows: list[tuple[str, str, str, bool | None]] = []

    def add(figure: str, budget: str, value, limit, *, at_most: bool = True, unit: str = "") -> None:
        if value is None:
            return
        met = value <= limit if at_most else value >= limit
        rows.append((figure, budget, f"{value:g}{unit}", met))

    counter = _largest(results.get("counter", []))
    if counter:
        n = counter["n"]
        add(f"Counter N={n}: dashboard p95", "≤ 50 ms", counter["dashboard"]["p95"], 50, unit=" ms")
        if counter.get("display"):
            add(f"Counter N={n}: display p95", "≤ 50 ms", counter["display"]["p95"], 50, unit=" ms")
        add(f"Counter N={n}: every ticket page p95", "≤ 250 ms", counter["tickets"]["p95"], 250, unit=" ms")
        if counter.get("public"):
            add(f"Counter N={n}: every public page p95", "≤ 150 ms", counter["public"]["p95"], 150,
                unit=" ms")
        floor = _floor_fanout(results, 2 * n) or _floor_fanout(results, n)
        if floor and counter["fanout"]["p50"]:
            add(f"Counter N={n}: fan-out to all {2 * n + 2} pages ÷ bare socket.io broadcast to as many",
                "≤ 2×", round(counter["fanout"]["p50"] / floor, 1), 2, unit="×")
        if counter.get("server_cpu_ms_per_change"):
            add(f"Counter N={n}: server CPU per change (median)", "—",
                counter["server_cpu_ms_per_change"]["p50"], 1e9, unit=" ms")
        if counter.get("kb_per_ticket_page") is not None:
            add(f"Counter N={n}: server memory per open ticket page", "≤ 100 KB",
                counter["kb_per_ticket_page"], 100, unit=" KB")
            add(f"Counter N={n}: server memory per open public page", "≤ 100 KB",
                counter["kb_per_public_page"], 100, unit=" KB")
    small = min(results.get("counter", []), key=lambda r: r["n"], default=None)
    if small and small.get("server_cpu_ms_per_join_round"):
        add(f"Complete join (N={small['n']}): server CPU (median)", "≤ 15 ms",
            small["server_cpu_ms_per_join_round"]["p50"], 15, unit=" ms")
    reflex = results.get("floors", {}).get("reflex_cpu")
    if reflex:  # the same run's floor: what Reflex itself spends on a join's visit and events
        add("Floor: Reflex's smallest page visit + 2 smallest events, server CPU (median)", "—",
            reflex["complete_join_floor_ms"], 1e9, unit=" ms")
    rush = results.get("rush")
    if rush:
        r = rush["rush"]
        add(f"Rush: errors ({r['offered']} joins at {r['offered_per_s']}/s)", "0", r["errors"], 0)
        add("Rush: join round trip p95", "≤ 200 ms", r["join_round_trip"]["p95"], 200, unit=" ms")
        one, many_stores = rush["capacity_one_store"], rush["capacity_many_stores"]
        add("Rush: complete joins/s, one counter", "—", one["joins_per_s"], 0, at_most=False, unit="/s")
        add(f"Rush: complete joins/s, {many_stores['stores']} stores", "≥ 60/s",
            many_stores["joins_per_s"], 60, at_most=False, unit="/s")
        if many_stores.get("server_cpu_ms_per_join"):
            add(f"Rush: server CPU per complete join ({many_stores['stores']} stores)", "≤ 15 ms",
                many_stores["server_cpu_ms_per_join"], 15, unit=" ms")
    many = results.get("stores")
    if many:
        label = f"{many['stores']} stores × {many['tickets_per_store'] + 1} pages"
        add(f"{label}: p95", "≤ 250 ms", many["all_pages"]["p95"], 250, unit=" ms")
        add(f"{label}: p99", "≤ 500 ms", many["all_pages"]["p99"], 500, unit=" ms")
        add(f"{label}: server memory per page", "≤ 100 KB", many["kb_per_page"], 100, unit=" KB")
    phone = results.get("phone")
    if phone:
        add("Phone: join page transfer", "≤ 350 KB", phone["join"]["transfer_kb"], 350, unit=" KB")
        add("Phone: join page first paint", "≤ 1 s", phone["join"]["first_paint_ms"] / 1000, 1, unit=" s")
        add("Phone: join page interactive", "≤ 3 s", phone["join"]["interactive_s"], 3, unit=" s")
        add("Phone: ticket page transfer", "≤ 350 KB", phone["ticket"]["transfer_kb"], 350, unit=" KB")
        add("Phone: ticket page first paint", "≤ 1 s", phone["ticket"]["first_paint_ms"] / 1000, 1,
            unit=" s")
        add("Phone: ticket page interactive", "≤ 3 s", phone["ticket"]["interactive_s"], 3, unit=" s")
    rooms = results.get("rooms")
    if rooms:
        _room_rows(rooms, add)
    cold = results.get("cold_start")
    if cold:
        add("Cold start, prebuilt frontend → first page", "≤ 10 s", cold["max_s"], 10, unit=" s")
    return rows


def _room_rows(rooms: dict, add) -> None:
    """The waiting room's budget (issue #12): against the floor measured in the same run."""
    if "throughput" in rooms:
        t = rooms["throughput"]
        for kind, label in (("issue", "ticket issue"), ("status", "ticket status")):
            app, floor = t["app"][kind], t["floor"][kind]
            add(f"Room {label}/s (floor {floor['per_s']:g}/s)", "≥ 80 % of floor",
                round(100 * t["app_over_floor"][kind], 1), 80, at_most=False, unit=" %")
            add(f"Room {label}: p99 at concurrency {t['concurrency']}", "≤ 80 ms",
                app["latency_ms"]["p99"], 80, unit=" ms")
            add(f"Room {label}: errors", "0", app["errors"], 0)
    if "two_workers" in rooms:
        w = rooms["two_workers"]
        add(f"Room, 2 workers: {w['issued']} positions unique and gap-free", "yes",
            int(not (w["unique"] and w["gap_free"])), 0)
    if "pages" in rooms:
        p = rooms["pages"]
        add(f"Room: a slide reaches {p['pages']} pages, p95", "≤ 1000 ms", p["p95_worst_ms"], 1000,
            unit=" ms")
        add(f"Room: server memory per page ({p['pages']} pages)", "reported",
            p["server_rss_per_page_kb"], float("inf"), unit=" KB")


def markdown(results: dict) -> str:
    lines = ["| Figure | Budget | Measured | Met |", "| --- | --- | --- | --- |"]
    for figure, budget, measured, met in budget_rows(results):
        lines.append(f"| {figure} | {budget} | {measured} | {'yes' if met else '**no**'} |")
    return "\n".join(lines)


def plot(results: dict, path: Path) -> Path | None:
    """Latency against the number of watching ticket pages, with the bare socket.io floor."""
    counter = sorted(results.get("counter", []), key=lambda r: r["n"])
    if not counter:
        return None
    import matplotlib  # noqa: PLC0415  (only the plot needs it)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    ns = [r["n"] for r in counter]
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    series = [("dashboard p95", [r["dashboard"]["p95"] for r in counter], "o-"),
              ("ticket pages p50", [r["tickets"]["p50"] for r in counter], "s--"),
              ("ticket pages p95", [r["tickets"]["p95"] for r in counter], "s-"),
              ("fan-out (last page) p50", [r["fanout"]["p50"] for r in counter], "^-")]
    floor = {row["n"]: row for row in results.get("floors", {}).get("bare_broadcast", [])}
    if floor:
        fns = [n for n in ns if n in floor]
        series.append(("bare socket.io broadcast, last socket p50",
                       [floor[n]["fanout"]["p50"] for n in fns], "k:"))
    for label, values, style in series:
        xs = fns if label.startswith("bare") else ns
        ax.plot(xs, values, style, label=label)
    ax.axhline(50, color="tab:blue", alpha=0.3, lw=1)
    ax.axhline(250, color="tab:orange", alpha=0.3, lw=1)
    ax.text(ns[0], 52, "dashboard budget 50 ms", fontsize=8, color="tab:blue")
    ax.text(ns[0], 260, "ticket budget 250 ms", fontsize=8, color="tab:orange")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(ns, [str(n) for n in ns])
    ax.minorticks_off()
    ax.set_xlabel("ticket pages watching one store (N)")
    ax.set_ylabel("latency from emit to update (ms)")
    ax.set_title(f"Live updates, one store — {results['machine']['summary']}", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
