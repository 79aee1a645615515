"""Set-up data written straight through the app's services (not measured): stores, sessions, parties.

Imported only after `QUEUE_DATABASE_URL` points at the bench database (the settings are read once).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlmodel import select

from queue_app import domain
from queue_app.clock import utcnow
from queue_app.db import session
from queue_app.models import Customer, Party
from queue_app.services import auth, customers, passes, stores

PASSWORD = "bench-password-123"


@dataclass
class SeededStore:
    id: int
    email: str
    owner_token: str
    queue_ids: list[int]
    parties: list[tuple[str, int]] = field(default_factory=list)  # (ticket secret, customer id)


def open_store(label: str, queues: int = 2) -> SeededStore:
    """Open a store with `queues` queues and a signed-in owner session."""
    form = domain.StoreForm(email=f"{label}-{secrets.token_hex(4)}@bench.example", password=PASSWORD,
                            name=f"Bench {label}", queue_names=tuple(f"Queue {i + 1}" for i in range(queues)),
                            timezone="UTC")
    with session() as db:
        store = stores.open_store(db, form, now=utcnow(), client_ip=f"seed-{label}")
        token = auth.start_session(db, store, now=utcnow())
        queue_ids = [q.id for q in stores.queues_of(db, store.id)]
    return SeededStore(store.id, form.email, token, queue_ids)


def add_parties(store: SeededStore, count: int, prefix: str = "seed") -> None:
    """Join `count` one-person parties through the real pass → scan → join services."""
    with session() as db:
        for i in range(count):
            shown = passes.current_pass(db, store.id, now=utcnow())
            browser = secrets.token_hex(16)
            passes.scan(db, shown.token, browser, now=utcnow())
            party = customers.join(db, shown.token, browser, [{
                "name": f"{prefix}-{i}", "phone": "", "queue_id": store.queue_ids[i % len(store.queue_ids)]}],
                now=utcnow(), client_ip=f"seed-{store.id}-{i}")
            customer = db.exec(select(Customer).where(Customer.party_id == party.id)).one()
            store.parties.append((party.secret, customer.id))


def customer_state(customer_id: int) -> str:
    with session() as db:
        return db.get(Customer, customer_id).state.value


def party_secrets(store_id: int) -> list[str]:
    with session() as db:
        return list(db.exec(select(Party.secret).where(Party.store_id == store_id)))
