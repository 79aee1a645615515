"""The event loop serves every tab: no handler touches the database on it (SPEC §7).

Page loads and sign-in checks also read without waiting for SQLite's writer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import shutil
import sqlite3

import pytest
import sqlalchemy as sa

import queue_app.db as app_db
from queue_app import jobs
from queue_app.config import settings
from queue_app.db import make_engine
from queue_app.mail import mailer
from queue_app.models import Party
from queue_app.queue_app import app  # noqa: F401  (registers every state class)
from queue_app.services import auth, passes, stores
from queue_app.state import signin
from queue_app.state.common import OwnerAuth
from queue_app.state.dashboard import DashboardState
from queue_app.state.join import JoinState
from queue_app.state.public import DisplayState, PublicState
from queue_app.state.signin import ForgotState, ResetState, SigninState
from queue_app.state.signup import SignupState
from queue_app.state.ticket import TicketState
from tests.conftest import run_async
from tests.integration.factories import PASSWORD, cheap_argon2, open_shop  # noqa: F401
from tests.integration.test_state_handlers import _state, _walk_in

pytestmark = pytest.mark.usefixtures("cheap_argon2")


@pytest.fixture
def sqlite_app(sqlite_template, tmp_path, monkeypatch):
    """The app's sessions on a SQLite file of this test; mail to a private outbox, no threads."""
    path = tmp_path / "queue.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    monkeypatch.setattr(app_db, "engine", lambda: engine)
    outbox = dataclasses.replace(settings, outbox_dir=tmp_path / "outbox", smtp_host="")
    monkeypatch.setattr(mailer, "send", functools.partial(mailer.send, config=outbox))
    monkeypatch.setattr(jobs, "deliver_report_soon", lambda store_id, **_: None)
    yield engine, path
    signin._background.submit(lambda: None).result()  # noqa: SLF001  (the reset mail went out)
    engine.dispose()


async def _every_handler_once(engine, now, sockets):
    """One visit of every page and one use of every handler that reads or writes the database."""
    from sqlmodel import Session

    signup = await _state(SignupState)
    async for _ in SignupState.submit.fn(signup, {
            "email": "owner@example.com", "password": PASSWORD, "confirm": PASSWORD, "name": "Shop",
            "queue-q0": "Main", "timezone": "UTC"}):
        pass
    assert signup.errors == {}

    def setup():  # the test's own reads, off the loop too
        with Session(engine, expire_on_commit=False) as db:
            store = stores.open_store_by_email(db, "owner@example.com")
            token = auth.start_session(db, store, now=now)
            shown = passes.current_pass(db, store.id, now=now)
            _, reset_link = auth.request_reset(db, "owner@example.com", now=now)
            return (token, shown.token, stores.queues_of(db, store.id)[0].id, store.slug,
                    store.display_key, reset_link)

    token, pass_token, queue_id, slug, key, reset_link = await asyncio.to_thread(setup)
    login = await _state(SigninState, token=token)
    await SigninState.load.fn(login)
    await SigninState.submit.fn(login, {"email": "owner@example.com", "password": PASSWORD})
    await ForgotState.submit.fn(await _state(ForgotState), {"email": "owner@example.com"})
    reset = await _state(ResetState, params={"token": reset_link})
    await ResetState.load.fn(reset)
    phone = await _state(JoinState, params={"pass_token": pass_token})
    await JoinState.load.fn(phone)
    async for _ in JoinState.submit.fn(phone, {"name-p0": "Ann", "queue-p0": str(queue_id)}):
        pass

    def party_secret():
        with Session(engine) as db:
            return db.exec(sa.select(Party.secret)).scalars().first()

    secret = await asyncio.to_thread(party_secret)
    ticket = await _state(TicketState, params={"secret": secret})
    await TicketState.load.fn(ticket)
    await PublicState.load.fn(await _state(PublicState, params={"slug": slug}))
    await DisplayState.load.fn(await _state(DisplayState, params={"key": key}))
    dash = await _state(DashboardState, token=(await login.get_state(OwnerAuth)).token)
    await DashboardState.load.fn(dash)
    await DashboardState.add_walk_in.fn(dash, {"name": "Bob", "queue": str(queue_id)})
    await DashboardState.call_next.fn(dash, queue_id)
    queues = sockets.seen("tab-1", DashboardState)["queues"]  # what the hub sent the tablet
    customer_id = queues[0]["customers"][0]["id"] if queues[0].get("customers") else 0
    await DashboardState.set_state.fn(dash, customer_id, "processing", "done")
    await DashboardState.save_description.fn(dash, {"description": "Hello"})
    await DashboardState.set_default_service.fn(dash, {"queue_id": str(queue_id), "minutes": "7"})
    await DashboardState.regenerate_display_key.fn(dash)
    await DashboardState.export_csv.fn(dash)
    people = sockets.seen("tab-1", TicketState).get("people") or [{"key": ""}]
    await TicketState.leave.fn(ticket, people[0]["key"])
    await ResetState.submit.fn(reset, {"password": "brand-new-pass", "confirm": "brand-new-pass"})
    await DashboardState.close_store.fn(dash)
    await DashboardState.sign_out.fn(await _state(DashboardState, token=token))
    return dash


def test_no_handler_runs_a_database_call_on_the_event_loop(sqlite_app, now, sockets):
    engine, _ = sqlite_app
    on_loop: list[str] = []

    def watch(_conn, _cursor, statement, *_args):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread: fine
        on_loop.append(" ".join(statement.split())[:60])

    sa.event.listen(engine, "before_cursor_execute", watch)
    executed = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: executed.append(1))
    run_async(_every_handler_once(engine, now, sockets))
    assert len(executed) > 50  # the journey did reach the database
    assert on_loop == []


def test_page_loads_and_sign_in_checks_do_not_wait_for_a_writer(sqlite_app, now):
    """Another connection holds SQLite's write lock: every read-only load still answers at once."""
    from sqlmodel import Session

    engine, path = sqlite_app
    with Session(engine, expire_on_commit=False) as db:
        store = open_shop(db, now)
        ann = _walk_in(db, store, now, "Ann")
        secret = db.get(Party, ann.party_id).secret
        token = auth.start_session(db, store, now=now)
        _, link = auth.request_reset(db, store.email, now=now)
        db.commit()

    async def loads():
        ticket = await _state(TicketState, params={"secret": secret})
        await TicketState.load.fn(ticket)
        public = await _state(PublicState, params={"slug": store.slug})
        await PublicState.load.fn(public)
        login = await _state(SigninState, token=token)
        redirect = await SigninState.load.fn(login)
        reset = await _state(ResetState, params={"token": link})
        await ResetState.load.fn(reset)
        dash = await _state(DashboardState, token=token)
        await DashboardState.export_csv.fn(dash)
        return ticket.found, public.found, redirect is not None, reset.link_ok

    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        async def bounded():
            return await asyncio.wait_for(loads(), timeout=10)
        assert run_async(bounded()) == (True, True, True, True)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
