"""The read model every screen and the report are built from, and the rules computed on it.

`services.snapshot.load_snapshot` fills it from the database in one read; everything here is pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from queue_app.domain.estimate import ServiceEstimate, service_estimate
from queue_app.models import CustomerState, Queue, Source, StoreStatus


class CustomerRow(NamedTuple):
    """One customer as the screens see it (immutable and hashable: views cache rows by value).

    A named tuple, not a frozen dataclass: a snapshot builds one per customer, and at 1,000 in
    line the dataclass's `__init__` was 4 µs a row against 1 µs (the snapshot is read per push).
    """

    id: int
    queue_id: int
    party_id: int
    party_secret: str
    party_size: int
    source: Source
    ticket_number: int
    name: str
    phone: str
    state: CustomerState
    joined_at: datetime
    called_at: datetime | None
    finished_at: datetime | None


class QueueRow(NamedTuple):
    """A queue as the screens see it: the `Queue` table's columns, read without the ORM."""

    id: int
    store_id: int
    name: str
    prefix: str
    position: int
    default_service_seconds: int
    last_ticket: int
    online: bool
    online_cap: int


@dataclass(frozen=True)
class StoreSnapshot:
    store_id: int
    name: str
    description: str
    timezone: str
    status: StoreStatus
    opened_at: datetime
    closes_at: datetime
    slug: str
    display_key: str
    queues: tuple[QueueRow | Queue, ...]  # in position order
    customers: tuple[CustomerRow, ...]  # in join order
    pass_token: str  # the pass the counter shows now ("" when none or closed)
    taken_at: datetime
    session_hashes: frozenset[str] = frozenset()  # the owner's live sign-ins (hashed tokens)
    email_confirmed: bool = True  # confirmed, or no confirmation needed (services/confirmation.py)
    pass_id: int = 0  # that pass's id: a newer pass has a higher one (0 when none or closed)
    # Views derived once per snapshot and shared by every screen it is pushed to (see views/).
    memo: dict = field(default_factory=dict, compare=False, repr=False)


def memo(snap: StoreSnapshot, name: str, build):
    """Compute a derived value once per snapshot: a push to 1,000 tabs derives it once."""
    if name not in snap.memo:
        snap.memo[name] = build(snap)
    return snap.memo[name]


def waited_seconds(customer: CustomerRow) -> float | None:
    """THE definition of a customer's wait (SPEC §2): joined → called; None if never called."""
    if customer.called_at is None:
        return None
    return (customer.called_at - customer.joined_at).total_seconds()


def average_wait_seconds(customers) -> float | None:
    """Average wait of every customer who was called (dashboard summary and report mail alike)."""
    waits = [w for c in customers if (w := waited_seconds(c)) is not None]
    return sum(waits) / len(waits) if waits else None


def service_seconds(snap: StoreSnapshot) -> dict[int, float]:
    """Average service time per queue id (SPEC §3.4), from the services finished in this snapshot."""
    return {queue_id: e.seconds for queue_id, e in service_estimates(snap).items()}


def service_estimates(snap: StoreSnapshot) -> dict[int, ServiceEstimate]:
    """The service-time estimate per queue id, by the one rule of `domain/estimate.py`."""
    return memo(snap, "service_estimates", _service_estimates)


def _service_estimates(snap: StoreSnapshot) -> dict[int, ServiceEstimate]:
    durations: dict[int, list[tuple[datetime, float]]] = {q.id: [] for q in snap.queues}
    for c in snap.customers:
        if c.state is CustomerState.DONE and c.called_at and c.finished_at:
            durations[c.queue_id].append((c.finished_at, (c.finished_at - c.called_at).total_seconds()))
    return {q.id: service_estimate(
        [seconds for _, seconds in sorted(durations[q.id])], q.default_service_seconds)
        for q in snap.queues}


def people_ahead(snap: StoreSnapshot) -> dict[int, int]:
    """For each waiting customer id, how many waiting customers of the same queue joined earlier."""
    return memo(snap, "people_ahead", _people_ahead)


def _people_ahead(snap: StoreSnapshot) -> dict[int, int]:
    seen: dict[int, int] = {}
    ahead: dict[int, int] = {}
    for c in snap.customers:  # join order
        if c.state is CustomerState.WAITING:
            ahead[c.id] = seen.get(c.queue_id, 0)
            seen[c.queue_id] = ahead[c.id] + 1
    return ahead
