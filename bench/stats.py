"""Percentiles and summaries of latency samples (milliseconds)."""

from __future__ import annotations

import contextlib
import gc
import math
import urllib.request
from collections.abc import Iterable


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) by the nearest-rank method; None for no samples."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values: Iterable[float]) -> dict:
    """count, p50, p95, p99 and max of `values` (ms), rounded for the results file."""
    samples = list(values)

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 2)

    return {"count": len(samples), "p50": r(percentile(samples, 50)), "p95": r(percentile(samples, 95)),
            "p99": r(percentile(samples, 99)), "max": r(max(samples) if samples else None)}


def ms(seconds: float) -> float:
    return seconds * 1000.0


@contextlib.contextmanager
def collector_paused():
    """Keep the load generator's own garbage collector out of the timed window.

    With thousands of open tabs in this process, one full collection of it stops every tab's
    reader for a few hundred milliseconds, and the clock would charge that to the server. So what
    is alive now (the tabs) is frozen out of the collector and nothing is collected until the
    block ends; the block's garbage (bounded: a few dozen rounds) is collected after it.
    """
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


def full_collections(http: str, generation: int = 2) -> dict[str, float]:
    """The app worker's garbage collections of `generation` so far, from its `/metrics`.

    Count, seconds in all, and how many took over 100 ms (`queue_gc_pause_seconds`).
    """
    with urllib.request.urlopen(http + "/metrics", timeout=10) as response:
        text = response.read().decode()
    label = f'generation="{generation}"'
    values = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
              if line.startswith("queue_gc_pause_seconds") and label in line}
    count = values.get(f"queue_gc_pause_seconds_count{{{label}}}", 0.0)
    return {"collections": count, "seconds": values.get(f"queue_gc_pause_seconds_sum{{{label}}}", 0.0),
            "over_100ms": count - values.get(f'queue_gc_pause_seconds_bucket{{{label},le="0.1"}}', 0.0)}
