"""What several screens share: local times and the per-queue summary (counts, now serving, wait)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from queue_app import domain
from queue_app.domain.keys import opaque_key
from queue_app.domain.snapshot import StoreSnapshot, memo, service_seconds
from queue_app.models import CustomerState


def local_time(moment: datetime | None, zone: str, fmt: str = "%H:%M") -> str:
    return "" if moment is None else moment.astimezone(ZoneInfo(zone)).strftime(fmt)


def queue_key(secret: str, snap: StoreSnapshot, queue_id: int) -> str:
    return store_queue_key(secret, snap.store_id, queue_id)


def store_queue_key(secret: str, store_id: int, queue_id: int) -> str:
    """How pages name a queue (never by its id); forms send it back, the services resolve it."""
    return opaque_key(secret, "queue", store_id, queue_id)


def customer_key(secret: str, snap: StoreSnapshot, customer_id: int) -> str:
    return opaque_key(secret, "customer", snap.store_id, customer_id)


def store_key(secret: str, store_id: int) -> str:
    return opaque_key(secret, "store", store_id)


def queue_summaries(snap: StoreSnapshot) -> list[dict]:
    """Per queue: counts, now serving, wait for a newcomer (plus the owner's `id`)."""
    return memo(snap, "queue_summaries", _queue_summaries)


def _queue_summaries(snap: StoreSnapshot) -> list[dict]:
    averages = service_seconds(snap)
    result = []
    for q in snap.queues:
        mine = [c for c in snap.customers if c.queue_id == q.id]
        waiting = sum(c.state is CustomerState.WAITING for c in mine)
        serving = [domain.ticket_label(q.prefix, c.ticket_number) for c in mine
                   if c.state is CustomerState.PROCESSING]
        result.append({
            "id": q.id, "name": q.name, "prefix": q.prefix, "waiting": waiting,
            "serving": ", ".join(serving) or "—",
            "wait": domain.format_wait(domain.estimated_wait_seconds(waiting, averages[q.id])),
            "average_service": domain.format_wait(averages[q.id]).removeprefix("about "),
            "default_minutes": q.default_service_seconds // 60,
            "online": q.online, "online_cap": q.online_cap,
        })
    return result
