"""Rules of the queue itself: ticket numbers, state transitions, positions and wait estimates."""

from __future__ import annotations

import math
import re
import string
import unicodedata
from datetime import datetime, timedelta

from queue_app.domain.inputs import DomainError
from queue_app.models import CustomerState


def ticket_prefixes(count: int) -> list[str]:
    """A, B, … Z, then AA, AB, …: short, distinct, in queue order."""
    letters = string.ascii_uppercase
    result = []
    for i in range(count):
        result.append(letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26])
    return result


def ticket_label(prefix: str, number: int) -> str:
    return f"{prefix}-{number:03d}"


# --- customer states -------------------------------------------------------------------------

ACTIVE = (CustomerState.WAITING, CustomerState.PROCESSING)
FINISHED = (CustomerState.DONE, CustomerState.NO_SHOW, CustomerState.DELETE)
STATE_LABELS = {CustomerState.WAITING: "Waiting", CustomerState.PROCESSING: "Your turn",
                CustomerState.DONE: "Done", CustomerState.NO_SHOW: "No-show",
                CustomerState.DELETE: "Removed"}
# Owner actions: every state can be reached from every other (a mistake is undone by another
# action), except that a customer who left or was removed stays removed unless put back to waiting.
_ALLOWED = {
    CustomerState.WAITING: {CustomerState.PROCESSING, CustomerState.DONE, CustomerState.NO_SHOW,
                            CustomerState.DELETE},
    CustomerState.PROCESSING: {CustomerState.WAITING, CustomerState.DONE, CustomerState.NO_SHOW,
                               CustomerState.DELETE},
    CustomerState.DONE: {CustomerState.WAITING, CustomerState.PROCESSING, CustomerState.DELETE},
    CustomerState.NO_SHOW: {CustomerState.WAITING, CustomerState.PROCESSING, CustomerState.DELETE},
    CustomerState.DELETE: {CustomerState.WAITING},
}


def check_transition(current: CustomerState, target: CustomerState) -> None:
    if target not in _ALLOWED[current]:
        raise DomainError(f"A customer who is {STATE_LABELS[current].lower()} cannot be moved to "
                          f"{STATE_LABELS[target].lower()}.")


def stamp_times(state: CustomerState, *, called_at: datetime | None, now: datetime
                ) -> tuple[datetime | None, datetime | None]:
    """(called_at, finished_at) after moving to `state`: calls start the clock, finals stop it."""
    if state is CustomerState.WAITING:
        return None, None
    if state is CustomerState.PROCESSING:
        return now, None
    return called_at, now


# --- positions and waits ---------------------------------------------------------------------

def estimated_wait_seconds(people_ahead: int, average_seconds: float) -> float:
    return (people_ahead + 1) * average_seconds


def format_wait(seconds: float) -> str:
    """`less than a minute`, `about 12 min`, `about 1 h 20 min` (half a minute rounds up).

    Ticket pages work this out in the browser (`pages/ticket.wait_text`), by the same steps.
    """
    minutes = math.floor(seconds / 60 + 0.5)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"about {minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"about {hours} h {rest} min" if rest else f"about {hours} h"


def format_duration(delta: timedelta) -> str:
    """A short elapsed time for the dashboard: `0 min`, `14 min`, `1 h 05`."""
    minutes = max(0, int(delta.total_seconds() // 60))
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d}"


def slugify(text: str) -> str:
    """An ASCII file-name slug: `Café Nord!` → `cafe-nord`; `store` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:48].strip("-") or "store"
