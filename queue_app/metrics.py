"""Every Prometheus metric of the app, and the one-line calls that instrument the code.

Several granian workers report together through prometheus_client's multiprocess mode: with
`PROMETHEUS_MULTIPROC_DIR` set (`scripts/start.sh` sets it, and empties it at every start), each
process writes its samples to files in that folder and `/metrics` adds up every process's files.
Without it (tests, one process) the samples stay in this process.

Labels are only ever names from the code — a job, a handler, a rate-limit kind, a source, an
outcome — never a store id, a name, an email or a token: the series stay few and carry no PII.
What the database knows (open stores, waiting customers, reports by state) is counted at scrape
time by `DatabaseCollector`, so it is right whichever worker answers and after any restart.
"""

from __future__ import annotations

import atexit
import gc
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

JOINS = Counter("queue_joins", "People who joined a queue.", ["source"])
CALLS = Counter("queue_calls", "Customers called to the counter (moved to processing).")
NO_SHOWS = Counter("queue_no_shows", "Customers marked as no-show.")
PUSH_SECONDS = Histogram("queue_live_push_seconds", "Time to push one store change to its tabs.",
                         buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
PUSH_TABS = Histogram("queue_live_push_tabs", "Tabs that got a delta from one push.",
                      buckets=(0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000))
HANDLER_SECONDS = Histogram("queue_event_handler_seconds", "Time a Reflex event handler ran.",
                            ["handler"], buckets=(.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10))
JOB_RUNS = Counter("queue_job_runs", "Background job runs.", ["job"])
JOB_FAILURES = Counter("queue_job_failures", "Background job runs that raised.", ["job"])
JOB_LAST_SUCCESS = Gauge("queue_job_last_success_timestamp_seconds",
                         "Unix time a job last finished without error.", ["job"],
                         multiprocess_mode="max")
REPORT_ATTEMPTS = Counter("queue_report_attempts", "Report deliveries tried, by outcome "
                          "(sent, failed = will retry, archived).", ["outcome"])
RATE_LIMITED = Counter("queue_rate_limit_refusals", "Requests refused by a rate limit.", ["kind"])
GC_PAUSE_SECONDS = Histogram("queue_gc_pause_seconds", "Time one garbage collection stopped the "
                             "worker (generation 2 walks every live object).", ["generation"],
                             buckets=(.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5))
POOL_IN_USE = Gauge("queue_db_pool_connections_in_use", "Database connections checked out now.",
                    multiprocess_mode="livesum")
POOL_CAPACITY = Gauge("queue_db_pool_connections_max", "Most connections the pools may open.",
                      multiprocess_mode="livesum")


def joined(source: str, people: int = 1) -> None:
    JOINS.labels(source=source).inc(people)


def moved(target: str) -> None:
    """A customer changed state: count calls and no-shows."""
    if target == "processing":
        CALLS.inc()
    elif target == "no_show":
        NO_SHOWS.inc()


def pushed(seconds: float, tabs: int) -> None:
    PUSH_SECONDS.observe(seconds)
    PUSH_TABS.observe(tabs)


def handled(handler: str, seconds: float) -> None:
    HANDLER_SECONDS.labels(handler=handler).observe(seconds)
    _flush_gc()


def job_finished(job: str, ok: bool) -> None:
    JOB_RUNS.labels(job=job).inc()
    if ok:
        JOB_LAST_SUCCESS.labels(job=job).set(time.time())
    else:
        JOB_FAILURES.labels(job=job).inc()


def report_attempted(outcome: str) -> None:
    REPORT_ATTEMPTS.labels(outcome=outcome).inc()


def rate_limited(kind: str) -> None:
    RATE_LIMITED.labels(kind=kind).inc()


# Garbage collections, timed by a gc callback. The callback must not take a lock: a collection can
# start while this thread holds prometheus_client's (non-reentrant) value lock, and observing the
# histogram there deadlocks the worker. So the callback only appends to a deque (atomic under the
# GIL), and ordinary code moves what it holds into the histogram: every event handler's `handled`
# and every `/metrics` answer.
_gc_started: list[float] = [0.0]
_gc_pauses: deque[tuple[int, float]] = deque(maxlen=10_000)


def _time_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        _gc_pauses.append((info["generation"], time.perf_counter() - _gc_started[0]))


def _flush_gc() -> None:
    while _gc_pauses:
        try:
            generation, seconds = _gc_pauses.popleft()
        except IndexError:  # drained meanwhile by another thread
            return
        GC_PAUSE_SECONDS.labels(generation=str(generation)).observe(seconds)


def watch_gc() -> None:
    """Time every garbage collection of this process: a full one stops the whole worker."""
    if _time_gc not in gc.callbacks:
        gc.callbacks.append(_time_gc)


def watch_pool(engine) -> None:
    """Count the connections `engine`'s pool hands out (SQLAlchemy pool events)."""
    import sqlalchemy as sa  # noqa: PLC0415

    pool = engine.pool
    POOL_CAPACITY.inc(getattr(pool, "size", lambda: 0)() + max(getattr(pool, "_max_overflow", 0), 0))
    sa.event.listen(engine, "checkout", lambda *_: POOL_IN_USE.inc())
    sa.event.listen(engine, "checkin", lambda *_: POOL_IN_USE.dec())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # a worker that exits stops counting its pool
        atexit.register(multiprocess.mark_process_dead, os.getpid())


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time; `counts()` returns name → value(s)."""

    HELP = {"queue_database_up": "1 when the database answered this scrape, else 0.",
            "queue_open_stores": "Stores open now.",
            "queue_waiting_customers": "Customers waiting in every open store.",
            "queue_report_deliveries": "Reports by state: pending (not tried yet or retrying "
                                       "without error), failing (last attempt failed), sent, archived."}

    def __init__(self, counts: Callable[[], Mapping[str, int | Mapping[str, int]]]) -> None:
        self._counts = counts

    def collect(self) -> Iterable[GaugeMetricFamily]:
        for name, value in self._counts().items():
            if isinstance(value, Mapping):
                family = GaugeMetricFamily(name, self.HELP.get(name, name), labels=["state"])
                for state, count in sorted(value.items()):
                    family.add_metric([state], count)
            else:
                family = GaugeMetricFamily(name, self.HELP.get(name, name), value=value)
            yield family


def exposition(database: Collector | None = None) -> tuple[bytes, str]:
    """The text `/metrics` answers: every worker's samples (multiprocess mode) + the database's."""
    _flush_gc()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        if database is not None:
            registry.register(database)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    extra = b""
    if database is not None:
        registry = CollectorRegistry()
        registry.register(database)
        extra = generate_latest(registry)
    return generate_latest(REGISTRY) + extra, CONTENT_TYPE_LATEST
