"""Ticket pages: one board for the whole store (opaque keys only) and, per tab, its own party.

The board names customers by opaque keys; a ticket page knows its own keys (from `own_people`,
sent to that tab only) and derives position, "almost" and "your turn" in the browser.
"""

from __future__ import annotations

from queue_app import domain
from queue_app.domain.snapshot import StoreSnapshot, memo, people_ahead, service_seconds
from queue_app.models import CustomerState, StoreStatus
from queue_app.views.common import customer_key, queue_key, store_key

ENDED_SHOWN = 100  # finished customers the board still reports (the newest), for open ticket pages
CALLED = -1  # a called customer's entry in the board's line (a waiting one's is its people ahead)


def ticket_board(snap: StoreSnapshot, secret: str) -> dict:
    """`TicketBoard`'s vars: every waiting/called customer's [state, people ahead, wait text]."""
    return memo(snap, "ticket_board", lambda s: _ticket_board(s, secret))


def _ticket_board(snap: StoreSnapshot, secret: str) -> dict:
    """One entry per person, as small as it can be: the board goes to every ticket page at once.

    ``line``: key → people ahead (waiting) or -1 (called); ``waits``: queue key → average service
    seconds. The page works out "about 12 min" itself (`pages/ticket.wait_text`, the same rule as
    `domain.format_wait`), so the wait text is not repeated for every person in line.
    """
    ahead = people_ahead(snap)
    line: dict[str, int] = {}
    ended: list[tuple] = []
    for c in snap.customers:
        if c.state is CustomerState.WAITING:
            line[customer_key(secret, snap, c.id)] = ahead[c.id]
        elif c.state is CustomerState.PROCESSING:
            line[customer_key(secret, snap, c.id)] = CALLED
        else:
            ended.append((c.finished_at or c.joined_at, c.id, c.state.value))
    ended.sort(reverse=True)
    return {"store_key": store_key(secret, snap.store_id), "store_name": snap.name,
            "closed": snap.status is not StoreStatus.OPEN, "line": line,
            "waits": {queue_key(secret, snap, q): seconds for q, seconds in service_seconds(snap).items()},
            "ended": {customer_key(secret, snap, cid): state for _, cid, state in ended[:ENDED_SHOWN]}}


def shown(board: dict, person: dict) -> tuple[str, int, str]:
    """What a ticket page shows for one of its `person`s from `board`: (state, people ahead, wait).

    The page works this out in the browser with Var operations (`pages/ticket.py`); this is the
    same reading in Python, for tests and tools. A person neither in the line nor among the ended
    is gone ("delete").
    """
    entry = board["line"].get(person["key"])
    if entry is None:
        return board["ended"].get(person["key"], "delete"), 0, ""
    if entry == CALLED:
        return CustomerState.PROCESSING.value, 0, ""
    seconds = domain.estimated_wait_seconds(entry, board["waits"][person["queue_key"]])
    return CustomerState.WAITING.value, entry, domain.format_wait(seconds)


def own_people(snap: StoreSnapshot, party_secret: str, secret: str) -> list[dict]:
    """The people of one party, for that party's ticket page only (names stay on that tab)."""
    queues = {q.id: q for q in snap.queues}
    return [{"key": customer_key(secret, snap, c.id), "name": c.name,
             "ticket": domain.ticket_label(queues[c.queue_id].prefix, c.ticket_number),
             "queue": queues[c.queue_id].name, "queue_key": queue_key(secret, snap, c.queue_id),
             "state": c.state.value}
            for c in snap.customers if c.party_secret == party_secret]


def party_ids(snap: StoreSnapshot, party_secret: str, secret: str) -> dict[str, int]:
    """Key → customer id for one party: the server side of the ticket page's Leave buttons."""
    return {customer_key(secret, snap, c.id): c.id for c in snap.customers
            if c.party_secret == party_secret}
