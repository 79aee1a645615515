"""Builders shared by the service tests: a store, a scanned pass, a joined party.

`cheap_argon2` swaps the password hasher for Argon2id with the smallest cost parameters (same
library, same `$argon2id$` format): the library's defaults take ~0.3 s a hash on this machine, which
would make the suite spend most of its time hashing `secret123`.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session

from queue_app import domain
from queue_app.models import Party, Pass, Queue, Store
from queue_app.services import confirmation, customers, passes, security, stores

PASSWORD = "secret123"


@pytest.fixture
def cheap_argon2(monkeypatch):
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def open_shop(db: Session, now: datetime, email: str = "owner@example.com",
              queues: tuple[str, ...] = ("Haircut", "Color"), name: str = "Café Nord") -> Store:
    form = domain.validate_store_form(email=email, password=PASSWORD, confirm=PASSWORD, name=name,
                                      queue_names=list(queues), timezone="Europe/Paris")
    return stores.open_store(db, form, now=now)


def queue_of(db: Session, store: Store, index: int = 0) -> Queue:
    return stores.queues_of(db, store.id)[index]


def scanned_pass(db: Session, store: Store, now: datetime, browser: str = "phone-1") -> Pass:
    """The pass the counter shows, opened by `browser`."""
    shown = passes.current_pass(db, store.id, now=now)
    found, _ = passes.scan(db, shown.token, browser, now=now)
    return found


def join_party(db: Session, store: Store, now: datetime, *names: str, queue: Queue | None = None,
               browser: str = "phone-1", client_ip: str = "10.0.0.1") -> Party:
    """Scan the counter's pass with `browser` and join with one person per name."""
    queue = queue or queue_of(db, store)
    token = scanned_pass(db, store, now, browser).token
    people = [{"name": name, "phone": "", "queue_id": queue.id} for name in names or ("Ann",)]
    return customers.join(db, token, browser, people, now=now, client_ip=client_ip)


def confirm_address(db: Session, store: Store, now: datetime) -> Store:
    """The owner opens the confirmation link mailed to them (needed before mail goes out over SMTP)."""
    token = link_token(confirmation.issue(db, store).text, "/confirm/")
    return confirmation.confirm(db, token, now=now)


def link_token(text: str, path: str) -> str:
    """The token of the first link to `path` in a mail's text."""
    return text.split(path, 1)[1].split()[0]
