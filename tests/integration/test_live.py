"""Live pushes: one snapshot read per change, each tab only its own view's changed vars.

The socket server is the edge faked here (a recorder in place of Reflex's `emit_update`); the
database, the snapshot and every page's `view` are the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from sqlmodel import select

from queue_app import live
from queue_app.live.registry import Registry, Watch
from queue_app.models import Customer, CustomerState
from queue_app.queue_app import app  # noqa: F401  (registers every state class)
from queue_app.services import customers
from queue_app.state.public import PublicState
from queue_app.state.ticket import TicketState
from tests.conftest import run_async
from tests.integration.factories import cheap_argon2, join_party, open_shop  # noqa: F401
from tests.integration.test_state_handlers import app_engine  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2", "app_engine")


@dataclass
class Sockets:
    """Stands in for Reflex's event namespace: every tab is connected; emits are recorded."""

    sent: list[tuple[str, dict]] = field(default_factory=list)

    def __post_init__(self):
        self._token_manager = SimpleNamespace(instance_id="here", token_to_socket=_Everyone())

    async def emit(self, event, update, to):  # a socket of this worker (sid == token here)
        self.sent.append((to, update.delta))

    async def emit_update(self, update, token):  # a socket of another worker
        self.sent.append((token, update.delta))

    def to(self, token: str) -> list[dict]:
        return [delta for sent_to, delta in self.sent if sent_to == token]


class _Everyone(dict):
    def get(self, token, default=None):
        return SimpleNamespace(instance_id="here", sid=token)


@pytest.fixture
def sockets(monkeypatch):
    recorder = Sockets()
    monkeypatch.setattr(live, "_app", SimpleNamespace(event_namespace=recorder))
    monkeypatch.setattr(live, "_registry", Registry())
    monkeypatch.setattr(live, "_sent", {})
    live._views.update({cls.get_full_name(): cls for cls in (TicketState, PublicState)})
    return recorder


def _watch(token, store, view, **context):
    live._registry.add(token, Watch(store.id, view.get_full_name(), context))


def test_a_change_reads_the_store_once_and_reaches_only_that_stores_tabs(db, now, sockets, monkeypatch):
    shop, other = open_shop(db, now), open_shop(db, now, email="other@example.com", name="Other")
    ann = join_party(db, shop, now, "Ann", browser="p1")
    bob = join_party(db, shop, now, "Bob", browser="p2")
    db.commit()
    _watch("ann-tab", shop, TicketState, secret=ann.secret)
    _watch("bob-tab", shop, TicketState, secret=bob.secret)
    _watch("shop-public", shop, PublicState)
    _watch("other-public", other, PublicState)
    reads = []
    real_read = live._read
    monkeypatch.setattr(live, "_read", lambda store_id: reads.append(store_id) or real_read(store_id))

    assert run_async(live.publish(shop.id)) == 3  # first push: every tab of the shop
    assert reads == [shop.id] and sockets.to("other-public") == []
    [to_bob] = sockets.to("bob-tab")
    people = to_bob[TicketState.get_full_name()]["people_rx_state_"]
    assert [p["name"] for p in people] == ["Bob"] and people[0]["ahead"] == 1  # never Ann's data

    sockets.sent.clear()
    ann_id = db.exec(select(Customer.id).where(Customer.party_id == ann.id)).one()
    customers.change_state(db, shop.id, ann_id, seen=CustomerState.WAITING,
                           target=CustomerState.PROCESSING, now=now)
    db.commit()
    run_async(live.publish(shop.id))
    [to_ann] = sockets.to("ann-tab")
    assert to_ann[TicketState.get_full_name()]["your_turn_rx_state_"] is True
    [to_bob] = sockets.to("bob-tab")  # Bob moved up: only what changed is sent
    assert to_bob[TicketState.get_full_name()]["people_rx_state_"][0]["ahead"] == 0
    assert "store_name_rx_state_" not in to_bob[TicketState.get_full_name()]
    assert sockets.to("other-public") == []

    sockets.sent.clear()
    assert run_async(live.publish(shop.id)) == 0  # nothing changed: nobody gets anything
