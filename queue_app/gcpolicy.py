"""How often CPython's garbage collector runs in a worker: `QUEUE_GC_THRESHOLD`.

A full (generation-2) collection walks every object the worker tracks, and an open page is a few
hundred of them (its Reflex state, its socket.io and engine.io sessions, the websocket): at 2,000
open pages one full collection stops the worker for ~0.6 s, every push and every API call with it
(docs/performance.md, "What is left"). CPython starts one when enough objects have survived two
younger collections; most of those are a push's short-lived frames, caught alive only because a
young collection ran in the middle of the push. A larger first threshold runs young collections
less often, so far fewer short-lived objects reach the old generation and full collections become
rare, while every cycle is still collected.
"""

from __future__ import annotations

import gc
import os

# Measured (`python -m bench --quick --only counter --sizes 1000 --rounds 30 --app-env
# QUEUE_GC_THRESHOLD=…`, 2,002 open pages): CPython's (700, 10, 10) ran 8 full collections in 30
# rounds (4.6 s in all); (5000, 10, 100) ran none, with the same server memory after the rounds.
DEFAULT = (5000, 10, 100)


def thresholds(text: str | None) -> tuple[int, ...]:
    """Parse `"5000,10,100"` (1 to 3 positive integers); empty or None gives the default."""
    if not text or not text.strip():
        return DEFAULT
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"QUEUE_GC_THRESHOLD={text!r}: use up to three integers, e.g. 5000,10,100") from None
    if not 1 <= len(values) <= 3 or min(values) <= 0:
        raise ValueError(f"QUEUE_GC_THRESHOLD={text!r}: use up to three positive integers")
    return values


def tune(environ=os.environ) -> tuple[int, ...]:
    """Set this process's thresholds from `QUEUE_GC_THRESHOLD` (or the default); the ones in force."""
    values = thresholds(environ.get("QUEUE_GC_THRESHOLD"))
    gc.set_threshold(*values)
    return gc.get_threshold()


def collect_young_if_due(share: float = 0.5) -> bool:
    """Run the young collection now if it is at least `share` of the way due; whether it ran.

    Called at a quiet point (after a push has gone out): the young collection that would start
    soon anyway then never starts in the middle of the next change. It walks every young object
    still alive, and an open page always has a few (engine.io re-arms a timed wait on each socket
    after every frame: ~26,000 objects at 2,000 pages, 10–17 ms), so where it starts matters; a
    snapshot read it landed in took 30 ms instead of 10 (docs/performance.md, "Fifth round").
    """
    threshold = gc.get_threshold()[0]
    if not gc.isenabled() or threshold == 0 or gc.get_count()[0] < threshold * share:
        return False
    gc.collect(0)
    return True
