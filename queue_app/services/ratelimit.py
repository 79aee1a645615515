"""Counting attempts per key in a sliding window, stored in the database (shared by all workers)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, select

from queue_app.models import Attempt
from queue_app.services.errors import RateLimited

# (limit, window) per kind of attempt; keys are `<kind>:<who>`.
LIMITS: dict[str, tuple[int, timedelta]] = {
    "signin-fail": (5, timedelta(minutes=15)),  # per email: the lock-out of SPEC §1.2
    "signin-ip": (30, timedelta(minutes=15)),
    "open-ip": (10, timedelta(hours=1)),
    "forgot-email": (3, timedelta(hours=1)),
    "forgot-ip": (10, timedelta(hours=1)),
    "join-ip": (30, timedelta(minutes=10)),
}
KEEP_FOR = max(window for _, window in LIMITS.values())


def check(db: Session, kind: str, who: str, *, now: datetime) -> None:
    """Raise `RateLimited` when `who` already used up `kind` in the window."""
    limit, window = LIMITS[kind]
    key = f"{kind}:{who}"
    times = db.exec(select(Attempt.at).where(Attempt.key == key, Attempt.at > now - window)
                    .order_by(col(Attempt.at).desc()).limit(limit)).all()
    if len(times) >= limit:
        raise RateLimited(retry_after=times[-1] + window - now if kind != "signin-fail"
                          else times[0] + window - now)


def record(db: Session, kind: str, who: str, *, now: datetime) -> None:
    """Count one attempt (the caller commits)."""
    db.add(Attempt(key=f"{kind}:{who}", at=now))


def forget(db: Session, kind: str, who: str) -> None:
    db.exec(delete(Attempt).where(Attempt.key == f"{kind}:{who}"))


def prune(db: Session, *, now: datetime) -> int:
    """Delete attempts older than every window; returns how many."""
    result = db.exec(delete(Attempt).where(Attempt.at < now - KEEP_FOR))
    db.commit()
    return result.rowcount


def count(db: Session, kind: str, who: str, *, now: datetime) -> int:
    _, window = LIMITS[kind]
    return db.exec(select(func.count()).select_from(Attempt)
                   .where(Attempt.key == f"{kind}:{who}", Attempt.at > now - window)).one()
