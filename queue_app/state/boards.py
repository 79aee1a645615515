"""Board states: what a store's customer-facing pages share, set only by the live hub's room emits.

The server never assigns these vars: their stored copy stays at the defaults (nobody else's data in
a phone's server-side state), handler deltas never carry them, and hydration leaves them alone.
"""

from __future__ import annotations

import reflex as rx


class TicketBoard(rx.State):
    """Room ``store:<id>:customer``: every waiting/called customer by opaque key (no names)."""

    store_key: str = ""
    store_name: str = ""
    closed: bool = False
    line: dict[str, int] = {}  # customer key → people ahead (waiting) or -1 (called)
    waits: dict[str, float] = {}  # queue key → average service seconds (the page works out the wait)
    ended: dict[str, str] = {}  # customer key → final state, for the newest finished customers


class StoreBoard(rx.State):
    """Room ``store:<id>:public``: the store and its queues' counts, for public and join pages."""

    store_key: str = ""
    store_name: str = ""
    description: str = ""
    closed: bool = False
    queues: list[dict] = []  # key, name, waiting, serving, wait, online (remote check-in)
    online: bool = False  # a queue takes remote check-in: the public page shows its join form
