"""The wall display: now serving per queue in pages of 8, the recent calls, the code; no names.

No names or phones: ticket numbers, queue names and counts only. The page turns are plain CSS
animations (`assets/display.css`, keyframes `display-page-of-N`), so a TV pages through its queues
without a timer on the server or a round trip per page.
"""

from __future__ import annotations

from queue_app import domain, qr, routes
from queue_app.domain.snapshot import StoreSnapshot
from queue_app.models import CustomerState, StoreStatus
from queue_app.views.common import local_time, queue_summaries

PER_PAGE = 8  # queues on one screen (SPEC §5.2)
PAGE_SECONDS = 10  # how long each page stays up when there are more
RECENT = 6  # entries of "Recently called"
# (columns, rows) per number of queues on a page: measured on the queue area of 1280×720 and
# 1920×1080 (about 7:5), these shapes give the largest number that fits one line; 7-8 queues take
# three rows of three (1920×1080: 120 px numbers against 102 px as four by two).
_SHAPES = {1: (1, 1), 2: (2, 1), 3: (2, 2), 4: (2, 2), 5: (3, 2), 6: (3, 2), 7: (3, 3), 8: (3, 3)}


def display(snap: StoreSnapshot, context: dict[str, str]) -> dict:
    """The QR code and the queues; a display whose key was regenerated goes blank."""
    if snap.display_key != context.get("key"):
        return {"found": False, "qr_code": "", "join_url": "", "pages": [], "recent": []}
    closed = snap.status is not StoreStatus.OPEN
    url = routes.join_url(context["origin"], snap.pass_token) if snap.pass_token and not closed else ""
    return {"found": True, "store_name": snap.name, "closed": closed, "join_url": url,
            "qr_code": qr.qr_data_uri(url) if url else "", **display_view(snap)}


def display_view(snap: StoreSnapshot) -> dict:
    """`pages` of queue cards, `recent` calls, and `last_call` (what the chime listens to)."""
    prefixes = {q.id: q.prefix for q in snap.queues}
    names = {q.id: q.name for q in snap.queues}
    called = sorted((c for c in snap.customers if c.called_at is not None),
                    key=lambda c: (c.called_at, c.id), reverse=True)
    serving: dict[int, list[str]] = {}
    for c in called:
        if c.state is CustomerState.PROCESSING:
            serving.setdefault(c.queue_id, []).append(domain.ticket_label(prefixes[c.queue_id],
                                                                          c.ticket_number))
    cards = [_card(summary, serving.get(summary["id"], [])) for summary in queue_summaries(snap)]
    chunks = [cards[i:i + PER_PAGE] for i in range(0, len(cards), PER_PAGE)] or [[]]
    latest = called[0] if called else None
    return {
        "pages": [_page(chunk, number, len(chunks)) for number, chunk in enumerate(chunks)],
        "recent": [{"key": f"{c.id}-{c.called_at.isoformat()}", "queue": names[c.queue_id],
                    "ticket": domain.ticket_label(prefixes[c.queue_id], c.ticket_number),
                    "time": local_time(c.called_at, snap.timezone)} for c in called[:RECENT]],
        "last_call": f"{latest.id}@{latest.called_at.isoformat()}" if latest else "",
        "last_call_queue": latest.queue_id if latest else 0,
    }


def _card(summary: dict, serving: list[str]) -> dict:
    number = serving[0] if serving else "—"
    waiting = summary["waiting"]
    return {"id": summary["id"], "name": summary["name"], "number": number,
            "also": ("also " + ", ".join(serving[1:4])) if len(serving) > 1 else "",
            "chars": str(max(len(number), 5)),  # the number's font size is the card's width / this
            "waiting": "Nobody waiting" if waiting == 0 else f"{waiting} waiting"}


def _page(cards: list[dict], number: int, count: int) -> dict:
    columns, rows = _SHAPES.get(len(cards), (3, 3))
    animation = "none"
    if count > 1:  # page `number` is up during its slot of a cycle of `count` slots
        animation = (f"display-page-of-{count} {count * PAGE_SECONDS}s step-end "
                     f"{(number - count) * PAGE_SECONDS}s infinite")
    return {"key": str(number), "cards": cards, "animation": animation,
            "columns": f"repeat({columns}, minmax(0, 1fr))", "rows": f"repeat({rows}, minmax(0, 1fr))",
            "label": f"Page {number + 1} of {count}" if count > 1 else ""}


def counter_code(snap: StoreSnapshot, context: dict[str, str]) -> dict:
    """Only the code to scan (after a scan: the snapshot holds no customer), with the key check."""
    if snap.display_key != context.get("key"):
        return {"found": False, "qr_code": "", "join_url": ""}
    closed = snap.status is not StoreStatus.OPEN
    url = routes.join_url(context["origin"], snap.pass_token) if snap.pass_token and not closed else ""
    return {"found": True, "join_url": url, "qr_code": qr.qr_data_uri(url) if url else ""}
