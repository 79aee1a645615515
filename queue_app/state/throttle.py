"""A per-tab event rate limit: a script sending events as fast as it can gets "Too many requests".

Every event (page load, tap, form) of one tab (its client token, i.e. its socket) draws from a
bucket of `burst` that refills at `per_second` (`QUEUE_EVENT_BURST`, `QUEUE_EVENTS_PER_SECOND`).
An empty bucket drops the event before any handler or database work and tells the tab why. A
person tapping fast never gets near it; a script replaying page loads in a loop does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import StateUpdate
from reflex_base.event import Event

from queue_app.config import settings

log = logging.getLogger("queue_app.state")
TOO_MANY = "Too many requests — wait a few seconds, then try again."


class EventRateLimit(Middleware):
    def __init__(self, burst: int = settings.event_burst,
                 per_second: float = settings.events_per_second,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.per_second, self._clock = burst, per_second, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # token → (tokens left, at)
        self._lock = threading.Lock()

    def allow(self, token: str) -> bool:
        """Take one event from `token`'s bucket; False when it is empty."""
        if self.per_second <= 0:
            return True
        now = self._clock()
        with self._lock:
            if len(self._buckets) > 50_000:  # forget the tabs that went quiet
                self._buckets = {t: b for t, b in self._buckets.items() if now - b[1] < 60}
            left, at = self._buckets.get(token, (float(self.burst), now))
            left = min(float(self.burst), left + (now - at) * self.per_second)
            allowed = left >= 1.0
            self._buckets[token] = (left - 1.0 if allowed else left, now)
        return allowed

    async def preprocess(self, app, state, event: Event) -> StateUpdate | None:
        """Reflex calls this before every event handler; an update returned replaces the event."""
        if self.allow(state.router.session.client_token or ""):
            return None
        log.warning("events of one tab dropped: over %s per second", self.per_second)
        return StateUpdate(events=Event.from_event_type(rx.toast.error(TOO_MANY, id="too-many")))
