"""Ticket pages: one board for the whole store (opaque keys only) and, per tab, its own party.

The board names customers by opaque keys; a ticket page knows its own keys (from `own_people`,
sent to that tab only) and derives position, "almost" and "your turn" in the browser.
"""

from __future__ import annotations

from queue_app import domain
from queue_app.domain.snapshot import StoreSnapshot, memo, people_ahead, service_seconds
from queue_app.models import CustomerState, StoreStatus
from queue_app.views.common import customer_key, store_key

ENDED_SHOWN = 100  # finished customers the board still reports (the newest), for open ticket pages


def ticket_board(snap: StoreSnapshot, secret: str) -> dict:
    """`TicketBoard`'s vars: every waiting/called customer's [state, people ahead, wait text]."""
    return memo(snap, "ticket_board", lambda s: _ticket_board(s, secret))


def _ticket_board(snap: StoreSnapshot, secret: str) -> dict:
    averages, ahead = service_seconds(snap), people_ahead(snap)
    line: dict[str, list] = {}
    ended: list[tuple] = []
    for c in snap.customers:
        key = customer_key(secret, snap, c.id)
        if c.state is CustomerState.WAITING:
            position = ahead[c.id]
            line[key] = [c.state.value, position, domain.format_wait(
                domain.estimated_wait_seconds(position, averages[c.queue_id]))]
        elif c.state is CustomerState.PROCESSING:
            line[key] = [c.state.value, 0, ""]
        else:
            ended.append((c.finished_at or c.joined_at, key, c.state.value))
    ended.sort(reverse=True)
    return {"store_key": store_key(secret, snap.store_id), "store_name": snap.name,
            "closed": snap.status is not StoreStatus.OPEN, "line": line,
            "ended": {key: state for _, key, state in ended[:ENDED_SHOWN]}}


def own_people(snap: StoreSnapshot, party_secret: str, secret: str) -> list[dict]:
    """The people of one party, for that party's ticket page only (names stay on that tab)."""
    queues = {q.id: q for q in snap.queues}
    return [{"key": customer_key(secret, snap, c.id), "name": c.name,
             "ticket": domain.ticket_label(queues[c.queue_id].prefix, c.ticket_number),
             "queue": queues[c.queue_id].name, "state": c.state.value}
            for c in snap.customers if c.party_secret == party_secret]


def party_ids(snap: StoreSnapshot, party_secret: str, secret: str) -> dict[str, int]:
    """Key → customer id for one party: the server side of the ticket page's Leave buttons."""
    return {customer_key(secret, snap, c.id): c.id for c in snap.customers
            if c.party_secret == party_secret}
