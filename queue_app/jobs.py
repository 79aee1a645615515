"""The scheduler and every background job, in one registry."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import Session

from queue_app import live, metrics, room_live
from queue_app.clock import utcnow
from queue_app.config import Settings, settings
from queue_app.db import session
from queue_app.mail import mailer
from queue_app.mail.messages import Message
from queue_app.models import DeliveryState
from queue_app.services import auth, closing, delivery, passes, ratelimit, room_counter, rooms

log = logging.getLogger("queue_app.jobs")
Sessions = Callable[[], AbstractContextManager[Session]]
REPORTS_PER_RUN = 25  # the rest waits for the next run (15 s), so one run never holds on for long


def close_expired_stores(*, sessions: Sessions = session, config: Settings = settings) -> None:
    """Close every store past its lifetime, then mail their reports right away."""
    with sessions() as db:
        closed = closing.close_expired_stores(db, now=utcnow())
        ended = [room for store_id in closed if (room := rooms.room_of_store(db, store_id))]
    for store_id in closed:
        log.info("store %s closed at the end of its lifetime", store_id)
        live.hub.publish_soon(store_id)
    for room in ended:  # every visitor page of the room says it is closed
        room_live.publish_soon(room)
    if closed:
        deliver_reports(sessions=sessions, config=config)


def deliver_reports(*, sessions: Sessions = session, config: Settings = settings,
                    store_id: int | None = None) -> None:
    """Finish interrupted purges, then send due reports (new closes and retries), one by one."""
    with sessions() as db:
        finished = delivery.finish_interrupted(db)
        for _ in range(REPORTS_PER_RUN):
            tried = delivery.deliver_next(db, now=utcnow(), config=config, store_id=store_id)
            if tried is None:
                break
            if tried.state is not DeliveryState.PENDING:
                finished.append(tried.store_id)
    for closed_id in finished:
        live.hub.publish_soon(closed_id)


def deliver_report_soon(store_id: int, **context) -> threading.Thread:
    """The owner just closed: try their report now in a thread, so the handler returns at once."""
    thread = threading.Thread(target=_safe(functools.partial(deliver_reports, store_id=store_id,
                                                             **context)),
                              name=f"report-{store_id}", daemon=True)
    thread.start()
    return thread


def mail_soon(message: Message, *, store_id: int, what: str) -> threading.Thread:
    """Send one mail in a thread (the handler answers at once); a failure is logged with the store."""
    def send() -> None:
        try:
            mailer.send(message, settings)
        except mailer.MailError as error:  # its text names no address
            log.error("%s mail for store %s failed: %s", what, store_id, error)
        except Exception as error:  # noqa: BLE001  (a thread's exception would bypass logging)
            log.error("%s mail for store %s failed: %s", what, store_id, type(error).__name__)

    thread = threading.Thread(target=send, name=f"mail-{store_id}", daemon=True)
    thread.start()
    return thread


def rotate_stale_passes() -> None:
    with session() as db:
        for store_id in passes.rotate_stale_passes(db, now=utcnow()):
            live.hub.publish_soon(store_id, owners_only=True)  # only the counter's code changed


def slide_rooms() -> None:
    """Slide every waiting room whose interval is up (claimed: once across workers), then tell."""
    with session() as db:
        slides = rooms.slide_due_rooms(db, issued=room_counter.issued, now=utcnow())
    for slide in slides:  # a skipped slide changes nothing a visitor sees, unless a start passed
        room_live.publish_soon(slide.room, visitors=slide.moved or slide.room.starts_at is not None)


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
    Job(deliver_reports, 15),
    Job(rotate_stale_passes, 60),
    Job(slide_rooms, 1),  # intervals are ≥ 5 s; a claim per room makes extra runs harmless
    Job(prune_sessions_and_attempts, 600),
)


def _safe(job: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:  # a failing job is logged and retried at its next run, never fatal
            log.exception("job %s failed", name)
            metrics.job_finished(name, ok=False)
        else:
            metrics.job_finished(name, ok=True)
    name = getattr(job, "__name__", None) or job.func.__name__
    run.__name__ = name
    return run


_scheduler: BackgroundScheduler | None = None  # this process's, once the lifespan task started it


def scheduler_alive() -> bool | None:
    """For `/readyz`: is this process's scheduler thread running? None when it is switched off."""
    if not settings.scheduler:
        return None
    thread = getattr(_scheduler, "_thread", None)  # APScheduler has no public "is the thread up"
    return bool(_scheduler is not None and _scheduler.running and thread is not None
                and thread.is_alive())


def start_scheduler() -> BackgroundScheduler:
    global _scheduler
    scheduler = BackgroundScheduler(timezone="UTC")
    for job in JOBS:
        scheduler.add_job(_safe(job.func), "interval", seconds=job.seconds, id=job.func.__name__,
                          max_instances=1, coalesce=True, next_run_time=utcnow())
    scheduler.start()
    _scheduler = scheduler
    return scheduler


async def run_scheduler() -> None:
    """Lifespan task: run the jobs in a background thread for as long as the app runs."""
    if not settings.scheduler:
        log.info("scheduler off (QUEUE_SCHEDULER=off)")
        return
    scheduler = start_scheduler()
    try:
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
