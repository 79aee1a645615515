"""Event handlers called the way a forged websocket event would call them: the server decides."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData
from reflex.state import State
from sqlmodel import select

import queue_app.db as app_db
from queue_app import domain
from queue_app.config import settings
from queue_app.domain.keys import opaque_key
from queue_app.models import Customer, CustomerState, Party, Store, StoreStatus
from queue_app.queue_app import app  # noqa: F401  (registers every state class)
from queue_app.services import auth, customers, passes, stores
from queue_app.state.boards import StoreBoard
from queue_app.state.common import OwnerAuth
from queue_app.state.dashboard import DashboardState
from queue_app.state.join import BrowserId, JoinState
from queue_app.state.ticket import TicketState
from queue_app.views.common import store_key
from tests.conftest import run_async

pytestmark = pytest.mark.usefixtures("sockets")


def _queue_key(queue) -> str:
    """The queue's key as the join form sends it (no serial id in the page)."""
    return opaque_key(settings.secret_key, "queue", queue.store_id, queue.id)


@pytest.fixture
def app_engine(engine, monkeypatch):
    """Point the app's `session()` at the test database."""
    monkeypatch.setattr(app_db, "engine", lambda: engine)
    return engine


def _open(db, now, email, queues=("Main",)):
    form = domain.validate_store_form(email=email, password="secret123", confirm="secret123",
                                      name="Shop", queue_names=list(queues), timezone="UTC")
    return stores.open_store(db, form, now=now)


def _walk_in(db, store, now, name="Ann"):
    queue = stores.queues_of(db, store.id)[0]
    return customers.add_walk_in(db, store.id, name=name, phone="", queue_id=queue.id, now=now)


async def _state(cls, *, token: str = "", params: dict | None = None):
    root = State(_reflex_internal_init=True)
    root.router = _router(params or {})
    (await root.get_state(OwnerAuth)).token = token
    return await root.get_state(cls)


def _router(query: dict, *, sid: str = "", pathname: str = "") -> RouterData:
    """Tab-1's router data (a phone on 127.0.0.9): its page's query, over socket `sid`."""
    data = {"token": "tab-1", "ip": "127.0.0.9", "headers": {"origin": "http://127.0.0.1:3000"},
            "query": query}
    return RouterData.from_router_data(data | ({"sid": sid} if sid else {})
                                       | ({"pathname": pathname} if pathname else {}))


@pytest.fixture
def party_reads(monkeypatch) -> list[str]:
    """The secrets a ticket page's load read its party for (the read itself still happens)."""
    import queue_app.state.ticket as ticket_module

    reads: list[str] = []
    real_party = ticket_module._party
    monkeypatch.setattr(ticket_module, "_party", lambda secret: reads.append(secret) or real_party(secret))
    return reads


def _run(db, coro):
    db.commit()  # end the test's own transaction: SQLite allows one writer at a time
    return run_async(coro)


@pytest.mark.parametrize("forged_token", ["", "x" * 43, "not-a-token"])
def test_owner_actions_without_a_valid_sign_in_change_nothing(app_engine, db, now, forged_token):
    store = _open(db, now, "a@example.com")
    customer = _walk_in(db, store, now)

    async def scenario():
        dash = await _state(DashboardState, token=forged_token)
        await DashboardState.set_state.fn(dash, customer.id, "waiting", "processing")
        await DashboardState.call_next.fn(dash, customer.queue_id)
        await DashboardState.add_walk_in.fn(dash, {"name": "Mallory", "queue": customer.queue_id})
        await DashboardState.save_description.fn(dash, {"description": "hacked"})
        assert await DashboardState.close_store.fn(dash) is not None  # a redirect to sign-in
        return dash

    dash = _run(db, scenario())
    assert dash.error or dash.walk_in_error
    db.expire_all()
    assert db.get(Customer, customer.id).state is CustomerState.WAITING
    assert db.get(Store, store.id).status is StoreStatus.OPEN
    assert db.get(Store, store.id).description == ""
    assert len(db.exec(select(Customer)).all()) == 1


def test_an_owner_cannot_touch_another_stores_customer_or_queue(app_engine, db, now):
    mine = _open(db, now, "a@example.com")
    theirs = _open(db, now, "b@example.com")
    victim = _walk_in(db, theirs, now, name="Bea")
    token = auth.start_session(db, mine, now=now)

    async def scenario():
        dash = await _state(DashboardState, token=token)
        await DashboardState.set_state.fn(dash, victim.id, "waiting", "processing")
        first_error = dash.error
        await DashboardState.call_next.fn(dash, victim.queue_id)
        await DashboardState.add_walk_in.fn(dash, {"name": "Eve", "queue": victim.queue_id})
        return first_error, dash

    first_error, dash = _run(db, scenario())
    assert "not in this store" in first_error
    assert "not in this store" in dash.error
    assert dash.walk_in_error.get("queue") == "Choose a queue."
    db.expire_all()
    assert db.get(Customer, victim.id).state is CustomerState.WAITING


def test_a_ticket_page_cannot_leave_for_another_party(app_engine, db, now, sockets):
    store = _open(db, now, "a@example.com")
    alice, bob = _walk_in(db, store, now, "Alice"), _walk_in(db, store, now, "Bob")
    alice_secret = db.get(Party, alice.party_id).secret

    async def scenario():
        ticket = await _state(TicketState, params={"secret": alice_secret})
        await TicketState.load.fn(ticket)
        bob_key = opaque_key(settings.secret_key, "customer", store.id, bob.id)  # on the board
        await TicketState.leave.fn(ticket, bob_key)  # a forged payload: someone else's key
        await TicketState.leave.fn(ticket, str(bob.id))  # or their serial id
        return ticket

    ticket = _run(db, scenario())
    shown = sockets.seen("tab-1", TicketState)["people"]
    assert [p["name"] for p in shown] == ["Alice"]  # never another customer's data
    assert ticket.people == []  # and the names stay out of Reflex's state store
    assert ticket.error
    db.expire_all()
    assert db.get(Customer, bob.id).state is CustomerState.WAITING


def test_a_join_submitted_by_another_browser_than_the_scanner_is_refused(app_engine, db, now, sockets):
    store = _open(db, now, "a@example.com")
    shown = passes.current_pass(db, store.id, now=now)
    queue = stores.queues_of(db, store.id)[0]

    async def scenario():
        scanner = await _state(JoinState, params={"pass_token": shown.token})
        await JoinState.load.fn(scanner)
        assert scanner.refused == "" and sockets.seen("tab-1", StoreBoard)["store_name"] == "Shop"
        thief = await _state(JoinState, params={"pass_token": shown.token})
        (await thief.get_state(BrowserId)).value = "another-browser-id-0123456789"
        await JoinState.load.fn(thief)
        async for _ in JoinState.submit.fn(thief, {"name-p0": "Thief", "queue-p0": _queue_key(queue)}):
            pass
        return thief

    thief = _run(db, scenario())
    assert "already used" in thief.refused
    assert db.exec(select(Customer)).all() == []


def test_the_owner_sets_a_queues_default_service_time_but_not_another_stores(app_engine, db, now):
    mine = _open(db, now, "a@example.com")
    theirs = _open(db, now, "b@example.com")
    my_queue = stores.queues_of(db, mine.id)[0]
    their_queue = stores.queues_of(db, theirs.id)[0]
    token = auth.start_session(db, mine, now=now)

    async def scenario():
        dash = await _state(DashboardState, token=token)
        set_default = DashboardState.set_default_service.fn
        await set_default(dash, {"queue_id": str(my_queue.id), "minutes": "12"})
        saved = dash.message
        await set_default(dash, {"queue_id": str(my_queue.id), "minutes": "0"})
        zero = dash.error
        await set_default(dash, {"queue_id": str(their_queue.id), "minutes": "1"})
        return saved, zero, dash.error

    saved, zero, foreign = _run(db, scenario())
    assert saved == "Default service time saved."
    assert "1 to 240" in zero
    assert "not in this store" in foreign
    db.expire_all()
    assert [q.default_service_seconds for q in stores.queues_of(db, mine.id)] == [720]
    assert [q.default_service_seconds for q in stores.queues_of(db, theirs.id)] == [300]


def test_a_second_tablet_acting_on_the_same_customer_is_told_so_next_to_that_customer(
        app_engine, db, now):
    store = _open(db, now, "a@example.com")
    ann = _walk_in(db, store, now, "Ann")
    token = auth.start_session(db, store, now=now)

    async def scenario():
        first = await _state(DashboardState, token=token)
        second = await _state(DashboardState, token=token)
        await DashboardState.set_state.fn(first, ann.id, "waiting", "processing")
        await DashboardState.set_state.fn(second, ann.id, "waiting", "no_show")
        return first.conflict, second.conflict, second.conflict_id, second.error

    first_conflict, second_conflict, conflict_id, banner = _run(db, scenario())
    assert first_conflict == "" and "already updated" in second_conflict
    assert conflict_id == ann.id and banner == ""  # by the customer's row, not a banner on top
    db.expire_all()
    assert db.get(Customer, ann.id).state is CustomerState.PROCESSING


def test_a_double_tap_on_call_next_calls_one_customer_but_a_second_tap_later_calls_the_next(
        app_engine, db, now):
    store = _open(db, now, "a@example.com")
    ann, bob, cid = (_walk_in(db, store, now, name) for name in ("Ann", "Bob", "Cid"))
    token = auth.start_session(db, store, now=now)

    async def scenario():
        dash = await _state(DashboardState, token=token)
        await DashboardState.call_next.fn(dash, ann.queue_id, ann.id)  # the screen showed Ann first
        await DashboardState.call_next.fn(dash, ann.queue_id, ann.id)  # the same tap, twice
        await DashboardState.call_next.fn(dash, ann.queue_id, bob.id)  # the screen now shows Bob
        return dash.error

    assert _run(db, scenario()) == ""
    db.expire_all()
    states = [db.get(Customer, c.id).state for c in (ann, bob, cid)]
    assert states == [CustomerState.PROCESSING, CustomerState.PROCESSING, CustomerState.WAITING]


@pytest.mark.parametrize("years", [-1, 1], ids=["a-year-back", "a-year-ahead"])
def test_a_whole_day_works_the_same_with_the_clock_a_year_away_from_today(
        app_engine, db, clock, years, tmp_path):
    """The guard against date-dependent tests: one journey through handlers and jobs, far from NOW."""
    import dataclasses
    from datetime import UTC, datetime, timedelta

    from queue_app import jobs
    from queue_app.config import settings

    clock.freeze(datetime.now(UTC) + timedelta(days=365 * years))
    store = _open(db, clock.utcnow(), "a@example.com")
    queue = stores.queues_of(db, store.id)[0]
    shown = passes.current_pass(db, store.id, now=clock.utcnow())
    token = auth.start_session(db, store, now=clock.utcnow())

    async def scenario():
        phone = await _state(JoinState, params={"pass_token": shown.token})
        await JoinState.load.fn(phone)
        assert phone.refused == ""
        async for _ in JoinState.submit.fn(phone, {"name-p0": "Ann", "queue-p0": _queue_key(queue)}):
            pass
        dash = await _state(DashboardState, token=token)
        await DashboardState.call_next.fn(dash, queue.id)
        return dash.error

    assert _run(db, scenario()) == ""
    [ann] = db.exec(select(Customer)).all()
    assert ann.state is CustomerState.PROCESSING and ann.called_at is not None

    clock.advance(timedelta(hours=25))  # past the store's lifetime: the scheduler closes it
    outbox = tmp_path / "outbox"
    db.commit()  # the test's session lets go of SQLite's lock before the job writes
    jobs.close_expired_stores(config=dataclasses.replace(settings, smtp_host="", outbox_dir=outbox))
    db.expire_all()
    assert db.get(Store, store.id).status is StoreStatus.CLOSED
    assert len(list(outbox.glob("*.eml"))) == 1  # the report went out, then the data was purged


def test_finished_sections_open_and_close_per_queue_on_one_tab():
    async def scenario():
        dash = await _state(DashboardState)
        DashboardState.toggle_finished.fn(dash, 7)
        DashboardState.toggle_finished.fn(dash, 9)
        opened = list(dash.shown_finished)
        DashboardState.toggle_finished.fn(dash, 7)
        return opened, list(dash.shown_finished)

    assert run_async(scenario()) == ([7, 9], [9])


def test_call_next_after_another_tablet_sent_the_customer_back_calls_them_again(app_engine, db, now):
    """Tablet A calls Ann; tablet B undoes it (Ann waits again, first in line); A taps "Call next".

    The screen shows Ann first again, as it did for A's first tap: that is a new tap, not a double
    tap, and must call Ann instead of silently doing nothing.
    """
    store = _open(db, now, "a@example.com")
    ann, bob = (_walk_in(db, store, now, name) for name in ("Ann", "Bob"))
    token = auth.start_session(db, store, now=now)

    async def scenario():
        a, b = await _state(DashboardState, token=token), await _state(DashboardState, token=token)
        await DashboardState.call_next.fn(a, ann.queue_id, ann.id)
        await DashboardState.set_state.fn(b, ann.id, "processing", "waiting")  # B: back to waiting
        await DashboardState.call_next.fn(a, ann.queue_id, ann.id)  # A's screen shows Ann first
        return a.error, a.message, b.error

    assert _run(db, scenario()) == ("", "", "")
    db.expire_all()
    assert [db.get(Customer, c.id).state for c in (ann, bob)] == [CustomerState.PROCESSING,
                                                                 CustomerState.WAITING]


def test_the_ticket_page_a_join_redirects_to_is_shown_by_the_join_without_reading_it_back(
        app_engine, db, now, sockets, party_reads):
    """The join hands its party to the tab's ticket state: the redirect's page load reads nothing.

    A later load of the page (a reload) reads the party, as any bookmarked ticket does.
    """
    store = _open(db, now, "a@example.com")
    shown = passes.current_pass(db, store.id, now=now)
    queue = stores.queues_of(db, store.id)[0]

    async def scenario():
        phone = await _state(JoinState, params={"pass_token": shown.token})
        await JoinState.load.fn(phone)
        ticket = await phone.get_state(TicketState)
        dirty_at_redirect = None
        async for update in JoinState.submit.fn(phone, {"name-p0": "Ann", "queue-p0": _queue_key(queue)}):
            if update is None:  # the spinner's frame: Reflex sends the delta and cleans the states
                phone._get_root_state()._clean()
            elif dirty_at_redirect is None:  # the redirect: what Reflex would send with it
                dirty_at_redirect = {name for state in (phone, ticket) for name in state.dirty_vars
                                     if not name.startswith("_")}
        own = sockets.seen("tab-1", TicketState)
        people = own["people"]
        secret = db.exec(select(Party)).one().secret
        ticket.parent_state.router = _router({"secret": secret}, pathname=f"/ticket/{secret}")
        await TicketState.load.fn(ticket)  # the redirect
        after_redirect = list(party_reads)
        await TicketState.load.fn(ticket)  # a reload
        return people, ticket, after_redirect, secret, dirty_at_redirect, own["store_key"]

    people, ticket, after_redirect, secret, dirty_at_redirect, own_store_key = _run(db, scenario())
    [ann] = db.exec(select(Customer)).all()
    assert dirty_at_redirect == set()  # the redirect goes out alone: no delta frame before it
    assert own_store_key == store_key(settings.secret_key, store.id)  # sent with the party's people
    assert [(p["name"], p["ticket"], p["state"]) for p in people] == [("Ann", "A-001", "waiting")]
    assert ticket.people == [] and ticket.found  # the names went to the browser, not into the state
    assert ticket._ids == {people[0]["key"]: ann.id}  # Leave works at once
    assert after_redirect == [] and party_reads == [secret]


def test_a_phone_that_lost_its_connection_before_the_redirects_load_reads_its_party_again(
        app_engine, db, now, sockets, party_reads):
    """A reconnect before the redirect's load: that load reads the party and sends it again.

    The join showed the party over one socket; the phone reconnected (a new socket, a hydrate
    that blanks the page) before the redirect's load went out, so what the old socket was sent
    is gone from the page.
    """
    store = _open(db, now, "a@example.com")
    shown = passes.current_pass(db, store.id, now=now)
    queue = stores.queues_of(db, store.id)[0]

    async def scenario():
        phone = await _state(JoinState, params={"pass_token": shown.token})
        phone.parent_state.router = _router({"pass_token": shown.token}, sid="socket-1")
        await JoinState.load.fn(phone)
        async for _ in JoinState.submit.fn(phone, {"name-p0": "Ann", "queue-p0": _queue_key(queue)}):
            pass
        ticket = await phone.get_state(TicketState)
        secret = db.exec(select(Party)).one().secret
        sockets.sent.clear()  # the reconnect's hydrate: the browser holds nothing of it now
        ticket.parent_state.router = _router({"secret": secret}, sid="socket-2", pathname=f"/ticket/{secret}")
        await TicketState.load.fn(ticket)
        return secret, sockets.seen("tab-1", TicketState), ticket

    secret, own, ticket = _run(db, scenario())
    assert party_reads == [secret]
    assert [(p["name"], p["ticket"]) for p in own["people"]] == [("Ann", "A-001")]
    assert ticket.store_key == store_key(settings.secret_key, store.id) and ticket._shown == ""


@pytest.mark.parametrize("forged", ["", "not-a-key", 1, None, {"x": 1}, "other-store"])
def test_a_join_naming_a_queue_that_is_not_this_stores_says_so_and_saves_nothing(
        app_engine, db, now, sockets, forged):
    store = _open(db, now, "a@example.com")
    other = _open(db, now, "b@example.com")
    shown = passes.current_pass(db, store.id, now=now)
    key = _queue_key(stores.queues_of(db, other.id)[0]) if forged == "other-store" else forged

    async def scenario():
        phone = await _state(JoinState, params={"pass_token": shown.token})
        await JoinState.load.fn(phone)
        async for _ in JoinState.submit.fn(phone, {"name-p0": "Ann", "queue-p0": key}):
            pass
        return phone

    phone = _run(db, scenario())
    assert phone.errors == {"queue-p0": "Choose a queue."} and phone.refused == ""
    assert db.exec(select(Customer)).all() == []
    assert phone._pass == shown.token  # the scanned code still works once a queue is chosen


def test_a_long_line_shows_its_first_customers_and_show_more_lists_more_on_that_tab(
        app_engine, db, now, sockets):
    from queue_app.views import owner

    store = _open(db, now, "a@example.com", queues=("Main", "Color"))
    main, color = stores.queues_of(db, store.id)
    for i in range(owner.ACTIVE_SHOWN + 7):
        customers.add_walk_in(db, store.id, name=f"Guest {i}", phone="", queue_id=main.id, now=now)
    token = auth.start_session(db, store, now=now)

    def listed():
        panels = {q["id"]: q for q in sockets.seen("tab-1", DashboardState)["queues"]}
        return len(panels[main.id]["customers"]), panels[main.id]["unlisted"], panels[color.id]["unlisted"]

    async def scenario():
        dash = await _state(DashboardState, token=token)
        await DashboardState.load.fn(dash)
        seen = [listed()]
        for forged in ("x", None, {"id": main.id}, 10**30):
            await DashboardState.show_more.fn(dash, forged)
        seen.append(listed())
        await DashboardState.show_more.fn(dash, main.id)
        seen.append(listed())
        await DashboardState.load.fn(dash)  # a reload keeps the longer list
        seen.append(listed())
        customers.add_walk_in(db, store.id, name="Zed", phone="", queue_id=main.id, now=now)
        db.commit()
        await live_publish(store.id)  # a change keeps it too
        seen.append(listed())
        outsider = await _state(DashboardState, token="not-a-token")
        sent = len(sockets.sent)
        await DashboardState.show_more.fn(outsider, main.id)
        return seen, outsider.error, len(sockets.sent) - sent

    seen, outsider_error, outsider_frames = _run(db, scenario())
    first = (owner.ACTIVE_SHOWN, 7, 0)
    assert seen == [first, first, (owner.ACTIVE_SHOWN + 7, 0, 0), (owner.ACTIVE_SHOWN + 7, 0, 0),
                    (owner.ACTIVE_SHOWN + 8, 0, 0)]
    assert "signed out" in outsider_error and outsider_frames == 0


async def live_publish(store_id: int) -> None:
    from queue_app import live

    await live.hub.publish(store_id)
