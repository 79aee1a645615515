"""Waiting-room rules (the session-queue design), pure: ticket status, the slide, ETA, the form.

A room keeps two integers: `issued` (the last position handed out; positions are 1, 2, 3 …) and
`window_end` (the highest position let in so far). A ticket at position p is

- *waiting* while p > window_end,
- *active* (admitted) while window_end - active_windows × window_size < p ≤ window_end,
- *expired* once it fell below the last `active_windows` windows.

Every interval the window end moves up by `window_size` — unless it is already at or past the last
ticket issued (nobody waits): then the slide is skipped, so a ticket taken later is never born
expired. With at least two active windows every admitted ticket keeps one whole interval.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from queue_app.domain.inputs import ValidationError, clean_text, text_error, to_int

WINDOW_SIZE_MAX = 10_000
INTERVAL_MIN, INTERVAL_MAX = 5, 3600
ACTIVE_MIN, ACTIVE_MAX = 2, 20
TARGET_URL_MAX = 500


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"
    ACTIVE = "active"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Window:
    """A room's rate: how many are let in per slide, how often, and for how many slides."""

    size: int
    interval_seconds: int
    active_windows: int


def ticket_status(position: int, window_end: int, window: Window) -> TicketStatus:
    if position > window_end:
        return TicketStatus.WAITING
    if position > window_end - window.active_windows * window.size:
        return TicketStatus.ACTIVE
    return TicketStatus.EXPIRED


def slide(window_end: int, issued: int, size: int) -> int | None:
    """The next window end, or None when the slide is skipped (the window already covers everyone)."""
    if window_end >= issued:
        return None
    return window_end + size


def people_ahead(position: int, window_end: int) -> int:
    """Tickets before this one that are still waiting to be let in."""
    return max(0, position - window_end - 1)


def slides_until_admitted(position: int, window_end: int, size: int) -> int:
    return max(0, math.ceil((position - window_end) / size))


def eta_seconds(position: int, window_end: int, window: Window, *, until_next: float) -> int:
    """Seconds until this ticket is let in if the room keeps its rate (0 when already in).

    `until_next`: seconds to the next slide (it may be due already).
    """
    slides = slides_until_admitted(position, window_end, window.size)
    if slides == 0:
        return 0
    return round(max(0.0, until_next) + (slides - 1) * window.interval_seconds)


def admitted_until(position: int, window_end: int, window: Window, *, next_slide: datetime
                   ) -> datetime:
    """When an active ticket falls out of the active windows, at the room's rate (no pause)."""
    slides = max(1, math.ceil((position + window.active_windows * window.size - window_end)
                              / window.size))
    return next_slide + timedelta(seconds=(slides - 1) * window.interval_seconds)


LIFETIME_HOURS_MAX = 72


@dataclass(frozen=True)
class RoomForm:
    window: Window
    target_url: str
    starts_at: datetime | None
    lifetime: timedelta | None = None  # None: the installation's store lifetime


def _number(value: object) -> int:
    number = to_int(value)
    return -1 if number is None else number


def window_errors(size: object, interval: object, active: object) -> dict[str, str]:
    size, interval, active = _number(size), _number(interval), _number(active)
    errors = {}
    if not 1 <= size <= WINDOW_SIZE_MAX:
        errors["window_size"] = f"Let in between 1 and {WINDOW_SIZE_MAX:,} people per window."
    if not INTERVAL_MIN <= interval <= INTERVAL_MAX:
        errors["window_interval"] = (f"The interval is {INTERVAL_MIN} to {INTERVAL_MAX} seconds.")
    if not ACTIVE_MIN <= active <= ACTIVE_MAX:
        errors["active_windows"] = (f"Keep between {ACTIVE_MIN} and {ACTIVE_MAX} windows active "
                                    "(two or more, so everyone let in gets a whole interval).")
    return errors


def target_url_error(url: str) -> str:
    if not url:
        return ""
    if message := text_error(url, label="target URL", maximum=TARGET_URL_MAX, required=False):
        return message
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in url):
        return "Enter a full address starting with https:// (your checkout or booking page)."
    return ""


def validate_room_form(*, size: object, interval: object, active: object, target_url: object,
                       lifetime_hours: object = "", starts: object = "", zone: str = "UTC",
                       now: datetime | None = None) -> RoomForm:
    """The waiting-room part of the open form; raises `ValidationError` with every field's message.

    `starts`: an optional local `YYYY-MM-DDTHH:MM` in `zone` (a datetime-local input), in the future.
    """
    url = clean_text(target_url)
    errors = window_errors(size, interval, active)
    if message := target_url_error(url):
        errors["target_url"] = message
    hours = clean_text(lifetime_hours)
    if hours and not 1 <= _number(hours) <= LIFETIME_HOURS_MAX:
        errors["lifetime"] = f"A waiting room stays open 1 to {LIFETIME_HOURS_MAX} hours."
    starts_at, message = _start(clean_text(starts), zone, now)
    if message:
        errors["starts"] = message
    if errors:
        raise ValidationError(errors)
    return RoomForm(Window(_number(size), _number(interval), _number(active)), url, starts_at,
                    timedelta(hours=_number(hours)) if hours else None)


def _start(text: str, zone: str, now: datetime | None) -> tuple[datetime | None, str]:
    if not text:
        return None, ""
    try:
        local = datetime.fromisoformat(text)
        moment = local.replace(tzinfo=ZoneInfo(zone)) if local.tzinfo is None else local
    except (ValueError, KeyError):
        return None, "Enter the start as a date and time."
    if now is not None and not now < moment <= now + timedelta(hours=LIFETIME_HOURS_MAX):
        return None, "The start must be later than now, within three days."
    return moment.astimezone(UTC), ""
