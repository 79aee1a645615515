"""Names and phones leave Reflex's state store with the day, not 25 hours later (SPEC §4)."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData
from reflex.istate.manager.token import BaseStateToken

from queue_app import jobs
from queue_app.models import Party
from queue_app.queue_app import app
from queue_app.services import auth
from queue_app.state.common import OwnerAuth
from queue_app.state.dashboard import DashboardState
from queue_app.state.ticket import TicketState
from tests.integration.factories import cheap_argon2, open_shop  # noqa: F401
from tests.integration.test_state_handlers import _run, _walk_in, app_engine  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2", "app_engine")


async def _tab(cls, tab: str, *, owner: str = "", params: dict | None = None):
    """Open a page in a tab whose state lives in the app's own state manager, as in the server."""
    async with app.state_manager.modify_state(BaseStateToken(ident=tab, cls=cls)) as root:
        root.router = RouterData.from_router_data({
            "token": tab, "ip": "127.0.0.9", "headers": {"origin": "http://127.0.0.1:3000"},
            "query": params or {}})
        (await root.get_state(OwnerAuth)).token = owner
        state = await root.get_state(cls)
        await cls.load.fn(state)


async def _stored(cls, tab: str, name: str):
    async with app.state_manager.modify_state(BaseStateToken(ident=tab, cls=cls)) as root:
        return getattr(await root.get_state(cls), name)


def _names(queues) -> list[str]:
    return [c["name"] for q in queues for c in q.get("customers", [])]


def test_names_reach_the_browsers_but_never_the_tab_states_in_reflexs_state_store(db, now, sockets):
    """Dashboards and tickets get names pushed to the browser; the stored states keep none."""
    store = open_shop(db, now)
    ann = _walk_in(db, store, now, "Ann")
    secret = db.get(Party, ann.party_id).secret
    owner = auth.start_session(db, store, now=now)

    async def scenario():
        await _tab(DashboardState, "dash-tab", owner=owner)
        await _tab(TicketState, "ticket-tab", params={"secret": secret})
        return (_names(sockets.seen("dash-tab", DashboardState)["queues"]),
                [p["name"] for p in sockets.seen("ticket-tab", TicketState)["people"]],
                await _stored(DashboardState, "dash-tab", "queues"),
                await _stored(TicketState, "ticket-tab", "people"))

    assert _run(db, scenario()) == (["Ann"], ["Ann"], [], [])


@pytest.mark.parametrize("action", ["sign_out", "close_store"])
def test_signing_out_or_closing_leaves_no_customer_list_in_the_tabs_state(db, now, action,
                                                                          monkeypatch, sockets):
    monkeypatch.setattr(jobs, "deliver_report_soon", lambda store_id, **_: None)
    store = open_shop(db, now)
    _walk_in(db, store, now, "Ann")
    owner = auth.start_session(db, store, now=now)
    tab = f"tab-{action}"

    async def scenario():
        await _tab(DashboardState, tab, owner=owner)
        assert _names(sockets.seen(tab, DashboardState)["queues"]) == ["Ann"]
        async with app.state_manager.modify_state(BaseStateToken(ident=tab, cls=DashboardState)) as root:
            await getattr(DashboardState, action).fn(await root.get_state(DashboardState))
        return await _stored(DashboardState, tab, "queues")

    assert _run(db, scenario()) == []
