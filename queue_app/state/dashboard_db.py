"""What the dashboard's handlers run in worker threads: every database call, never on the loop.

The event loop keeps pushing to every other tab while these run (`asyncio.to_thread`).
"""

from __future__ import annotations

from queue_app import domain, reports
from queue_app.clock import utcnow
from queue_app.db import read_session, session
from queue_app.models import Queue, Store
from queue_app.services import auth, customers, passes, rooms
from queue_app.services.snapshot import load_snapshot


def open_dashboard(token: object) -> tuple[Store, bool]:
    """The page load, in one session: the signed-in store and whether it is a waiting room alone.

    For a counter store the counter always shows a code to scan: one is made if there is none.
    """
    with session() as db:
        store = auth.store_for_token(db, token, now=utcnow())
        if rooms.room_only(db, store.id):
            return store, True
        passes.current_pass(db, store.id, now=utcnow())
        return store, False


def signed_in_store(token: object) -> Store:
    with read_session() as db:
        return auth.store_for_token(db, token, now=utcnow())


def write_as_owner(token: object, action):
    """The store `token` signs in to, and `action(db, store)`, in one session: (store id, result).

    One thread hop and one connection for a dashboard action, where the sign-in check and the
    action took one each (a tap's latency, and CPU, at every call, serve and no-show).
    """
    with session() as db:
        store = auth.store_for_token(db, token, now=utcnow())
        return store.id, action(db, store)


def write(action, *args, **kwargs):
    """`action(db, *args, **kwargs)` in a session of its own."""
    with session() as db:
        return action(db, *args, **kwargs)


def add_walk_in_ticket(db, store_id: int, data: dict):
    added = customers.add_walk_in(db, store_id, name=data.get("name"), phone=data.get("phone"),
                                  queue_id=data.get("queue"), now=utcnow())
    return domain.ticket_label(db.get(Queue, added.queue_id).prefix, added.ticket_number)


def report_file(store_id: int):
    with read_session() as db:
        snap = load_snapshot(db, store_id, now=utcnow())
    return reports.report_csv(snap), reports.report_filename(snap)


def form_of(data: object) -> dict:
    """An event's form payload; anything else a forged event sends counts as an empty form."""
    return data if isinstance(data, dict) else {}
