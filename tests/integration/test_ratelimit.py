"""The sliding-window limits: refused at the limit, and told when the oldest attempt ages out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from queue_app.services import ratelimit
from queue_app.services.errors import RateLimited


def test_a_window_refuses_at_its_limit_and_says_when_the_oldest_counted_attempt_ages_out(
        db, now, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "join-ip", (3, timedelta(minutes=10)))
    who = "1:203.0.113.9"
    ratelimit.record(db, "join-ip", who, now=now - timedelta(minutes=20))  # outside the window
    for minutes in (9, 6, 2):  # three in the window, newest last
        ratelimit.record(db, "join-ip", who, now=now - timedelta(minutes=minutes))
    ratelimit.record(db, "join-ip", "1:198.51.100.1", now=now)  # someone else's
    db.commit()
    with pytest.raises(RateLimited) as refused:
        ratelimit.take(db, "join-ip", who, now=now)
    assert refused.value.retry_after == timedelta(minutes=1)  # the one of 9 minutes ago ages out
    db.rollback()
    ratelimit.take(db, "join-ip", who, now=now + timedelta(minutes=1, seconds=1))  # a slot is free
    db.commit()
    with pytest.raises(RateLimited) as again:  # full again: now the one of 6 minutes ago is oldest
        ratelimit.take(db, "join-ip", who, now=now + timedelta(minutes=1, seconds=2))
    assert again.value.retry_after == timedelta(minutes=2, seconds=58)
    db.rollback()
    ratelimit.take(db, "join-ip", "1:198.51.100.1", now=now)  # another address is not limited
