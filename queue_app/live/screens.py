"""Which screen gets which view: the rooms of customer-facing pages, the owner's per-tab views.

Pure names and view builders (from `views/`), shared by the hub; nothing here sends anything.
"""

from __future__ import annotations

from queue_app.views import customer, display, owner, public

# kind → payload builder, in emit order: the public pages' small payload first (budget 150 ms),
# then the ticket board (250 ms), after the owner's screens (50 ms).
ROOMS = {"public": public.store_board, "customer": customer.ticket_board}
ROOM_OF = {"ticket": "customer", "public": "public", "join": "public"}  # screen → room kind
TABS = {"dashboard": owner.dashboard, "display": display.display}  # per-tab screens → view
CODE = {"dashboard": owner.counter_code, "display": display.counter_code}  # … after a scan
CODE_FIELDS = frozenset({"join_url", "qr_code"})  # what the counter's code sets on an owner's screen


def code_lock(store_id: int) -> str:
    """The ledger lock of the store's counter code (apart from its publishes' lock)."""
    return f"code:{store_id}"


def room_name(store_id: int, kind: str) -> str:
    return f"store:{store_id}:{kind}"
