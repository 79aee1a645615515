"""Counting attempts per key in a sliding window, stored in the database (shared by all workers)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from queue_app import metrics
from queue_app.db import is_postgres
from queue_app.models import Attempt
from queue_app.services.errors import RateLimited

# (limit, window) per kind of attempt; keys are `<kind>:<who>`.
LIMITS: dict[str, tuple[int, timedelta]] = {
    "signin-fail": (5, timedelta(minutes=15)),  # per email: the lock-out of SPEC §1.2
    "signin-ip": (30, timedelta(minutes=15)),
    "open-ip": (10, timedelta(hours=1)),
    "forgot-email": (3, timedelta(hours=1)),
    "forgot-ip": (10, timedelta(hours=1)),
    "confirm-resend": (3, timedelta(hours=1)),  # per store: it mails an address nobody confirmed
    # Per store and IP. Each join also needs a fresh code scanned at the counter, so this only has
    # to stop scripts, not a busy shop whose guests share one Wi-Fi (NAT) address.
    "join-ip": (300, timedelta(minutes=10)),
    # Online check-in has no code from the counter: per store, a shop's Wi-Fi still fits, a script
    # does not; one browser joins a few times at most (a party that left and came back).
    "online-ip": (30, timedelta(minutes=10)),
    "online-browser": (3, timedelta(minutes=10)),
}
# Kinds that lock: reaching the limit refuses `who` for a whole window from the last attempt counted
# (SPEC §1.2), instead of letting one more attempt through as soon as the oldest one ages out.
LOCK_OUTS = {"signin-fail"}
KEEP_FOR = 2 * max(window for _, window in LIMITS.values())
WHO_MAX = 250  # `<kind>:<who>` fits the column (VARCHAR 300) whatever a caller passes


def take(db: Session, kind: str, who: str, *, now: datetime) -> Attempt:
    """Check and count one attempt in the caller's transaction, atomically; returns the attempt.

    Counting comes before the (slow) work it guards, so that parallel attempts cannot all pass the
    check before any of them was recorded: on PostgreSQL a transaction-scoped advisory lock per key
    queues them (until the caller commits); on SQLite `BEGIN IMMEDIATE` already does.
    """
    if is_postgres(db):
        db.connection().execute(_LOCK, {"key": _key(kind, who)})
    check(db, kind, who, now=now)
    attempt = Attempt(key=_key(kind, who), at=now)
    attempt.id = db.connection().execute(_INSERT, {"key": attempt.key, "at": now}).scalar_one()
    return attempt


# Built once: building a statement cost about as much as running it (every join takes one attempt).
_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
_INSERT = sa.insert(Attempt).returning(Attempt.id)
_TIMES = (select(Attempt.at).where(Attempt.key == sa.bindparam("key"), Attempt.at > sa.bindparam("since"))
          .order_by(col(Attempt.at).desc()))
# The `limit`-th newest attempt in the window (one row, not up to `limit`: a shop's guest Wi-Fi
# shares one address, and every join from it would read up to 300 rows).
_NTH_NEWEST = _TIMES.offset(sa.bindparam("skip")).limit(1)


def _key(kind: str, who: str) -> str:
    return f"{kind}:{str(who)[:WHO_MAX]}"


def check(db: Session, kind: str, who: str, *, now: datetime) -> None:
    """Raise `RateLimited` when `who` already used up `kind` in the window."""
    limit, window = LIMITS[kind]
    key = _key(kind, who)
    if kind in LOCK_OUTS:
        until = _locked_until(_times(db, key, since=now - 2 * window), limit, window)
        if until is not None and until > now:
            metrics.rate_limited(kind)
            raise RateLimited(retry_after=until - now)
        return
    nth = db.connection().execute(_NTH_NEWEST, {"key": key, "since": now - window,
                                                "skip": limit - 1}).scalar()
    if nth is not None:  # `limit` attempts in the window: the oldest of them frees a slot first
        metrics.rate_limited(kind)
        raise RateLimited(retry_after=nth + window - now)


def _times(db: Session, key: str, *, since: datetime) -> list[datetime]:
    """Times of the attempts under `key` after `since`, newest first."""
    return list(db.connection().execute(_TIMES, {"key": key, "since": since}).scalars())


def _locked_until(times: list[datetime], limit: int, window: timedelta) -> datetime | None:
    """End of the latest lock: `limit` attempts within `window` lock until `window` after the last."""
    for k in range(len(times) - limit + 1):  # newest first: the first run found ends last
        if times[k] - times[k + limit - 1] < window:
            return times[k] + window
    return None


def record(db: Session, kind: str, who: str, *, now: datetime) -> None:
    """Count one attempt (the caller commits)."""
    db.add(Attempt(key=_key(kind, who), at=now))


def forget(db: Session, kind: str, who: str) -> None:
    db.exec(delete(Attempt).where(Attempt.key == _key(kind, who)))


def discard(db: Session, attempt: Attempt) -> None:
    """Uncount one attempt taken earlier (it turned out to be a success)."""
    db.exec(delete(Attempt).where(Attempt.id == attempt.id))


def prune(db: Session, *, now: datetime) -> int:
    """Delete attempts older than every window; returns how many."""
    result = db.exec(delete(Attempt).where(Attempt.at < now - KEEP_FOR))
    db.commit()
    return result.rowcount
