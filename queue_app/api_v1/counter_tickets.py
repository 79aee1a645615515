"""`GET /api/v1/tickets/{secret}`: a counter ticket's status by its secret (no names, no phones)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from queue_app import domain
from queue_app.api_v1.errors import ApiError, client_ip
from queue_app.api_v1.room_tickets import _limiter
from queue_app.clock import utcnow
from queue_app.config import settings
from queue_app.db import read_session
from queue_app.domain.snapshot import StoreSnapshot, people_ahead, service_seconds
from queue_app.models import CustomerState, StoreStatus
from queue_app.services import customers
from queue_app.services.errors import NotFound
from queue_app.services.snapshot import load_snapshot


def party_status(snap: StoreSnapshot, secret: str) -> dict:
    """Each person of the party: ticket, queue, state, people ahead, position and ETA."""
    ahead, averages = people_ahead(snap), service_seconds(snap)
    queues = {q.id: q for q in snap.queues}
    people = []
    for c in (c for c in snap.customers if c.party_secret == secret):
        waiting = c.state is CustomerState.WAITING
        position = ahead.get(c.id, 0) if waiting else None
        people.append({
            "ticket": domain.ticket_label(queues[c.queue_id].prefix, c.ticket_number),
            "queue": queues[c.queue_id].name, "state": c.state.value,
            "people_ahead": position, "position": position + 1 if waiting else None,
            "eta_seconds": round(domain.estimated_wait_seconds(position, averages[c.queue_id]))
            if waiting else None})
    return {"store": snap.name, "store_open": snap.status is StoreStatus.OPEN, "people": people}


def _load(secret: str) -> dict:
    with read_session() as db:
        party = customers.party_by_secret(db, secret)
        return party_status(load_snapshot(db, party.store_id, now=utcnow()), secret)


async def counter_ticket(request: Request) -> Response:
    if (wait := _limiter.hit(f"status:{client_ip(request)}", settings.api_status_limit)) is not None:
        raise ApiError(429, "rate_limited", "Too many status reads; slow down.", retry_after=wait)
    try:
        return JSONResponse(await run_in_threadpool(_load, request.path_params["secret"]))
    except NotFound:
        raise ApiError(404, "not_found", "This ticket does not exist.") from None
