"""The scheduler and every background job, in one registry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler

from queue_app import live
from queue_app.clock import utcnow
from queue_app.config import settings
from queue_app.db import session
from queue_app.services import auth, closing, passes, ratelimit

log = logging.getLogger("queue_app.jobs")


def close_expired_stores() -> None:
    with session() as db:
        for store_id in closing.close_expired_stores(db, now=utcnow()):
            log.info("store %s closed at the end of its lifetime", store_id)
            live.publish_soon(store_id)


def rotate_stale_passes() -> None:
    with session() as db:
        for store_id in passes.rotate_stale_passes(db, now=utcnow()):
            live.publish_soon(store_id)


def prune_sessions_and_attempts() -> None:
    with session() as db:
        auth.prune_sessions(db, now=utcnow())
        ratelimit.prune(db, now=utcnow())


@dataclass(frozen=True)
class Job:
    func: Callable[[], None]
    seconds: int


JOBS = (
    Job(close_expired_stores, 30),
    Job(rotate_stale_passes, 60),
    Job(prune_sessions_and_attempts, 600),
)


def _safe(job: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:  # a failing job is logged and retried at its next run, never fatal
            log.exception("job %s failed", job.__name__)
    run.__name__ = job.__name__
    return run


def start_scheduler() -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    for job in JOBS:
        scheduler.add_job(_safe(job.func), "interval", seconds=job.seconds, id=job.func.__name__,
                          max_instances=1, coalesce=True, next_run_time=utcnow())
    scheduler.start()
    return scheduler


async def run_scheduler() -> None:
    """Lifespan task: run the jobs in a background thread for as long as the app runs."""
    if not settings.scheduler:
        log.info("scheduler off (QUEUE_SCHEDULER=off)")
        return
    live.remember_loop(asyncio.get_running_loop())
    scheduler = start_scheduler()
    try:
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
