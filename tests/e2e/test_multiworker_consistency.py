"""Two workers on Redis, changes made through one then the other: every screen equals the database.

Headless tabs (`bench/client.py`, the protocol the built frontend speaks) hold dashboards, tickets
and public pages on both workers. A fixed interleaving of changes is made alternately through a
dashboard on worker 1 and one on worker 2 — including a change and its undo and the change again,
which froze a screen when each process diffed against its own memory of what it had sent. After
each change, every screen must show what the database says (bounded wait, then a diff).
"""

from __future__ import annotations

import asyncio
import pickle
import secrets
import time
from importlib import metadata

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from bench.protocol import (
    Frontend,
    Site,
    dash,
    fake_ip,
    pass_of,
    router_data,
    store_board,
    ticket,
    ticket_board,
)
from queue_app import domain
from queue_app.db import make_engine
from queue_app.services import stores
from queue_app.views import customer
from tests.conftest import REDIS_URL, require_service, run_async
from tests.e2e.conftest import start_app, stop_app

pytestmark = [pytest.mark.e2e, pytest.mark.redis]
PASSWORD = "counter-pass-1"
SETTLE = 15.0  # seconds a screen may take to show a change (the budget is far below)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    require_service(REDIS_URL, "QUEUE_TEST_REDIS_URL")
    import redis

    redis_url = REDIS_URL.rsplit("/", 1)[0] + "/5"  # a database of its own, emptied first
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    root = tmp_path_factory.mktemp("consistency")
    process, url, _ = start_app(root, QUEUE_SCHEDULER="off", REFLEX_REDIS_URL=redis_url,
                                GRANIAN_WORKERS="2", QUEUE_TRUST_PROXY="1")
    site = Site(int(url.rsplit(":", 1)[1]), Frontend.read(root / "app" / ".web", metadata.version("reflex")))
    yield site, make_engine(f"sqlite:///{root / 'queue.db'}"), client
    stop_app(process)
    client.flushdb()


def _worker(client, tab) -> str:
    record = client.get(f"token_manager_socket_record_{tab.token}")
    return pickle.loads(record).instance_id if record else ""  # noqa: S301 (our own local Redis)


def _database(engine) -> dict:
    """What every screen must show, straight from the database."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT c.id, q.name, q.prefix, c.ticket_number, c.state FROM customer c "
            "JOIN queue q ON q.id = c.queue_id ORDER BY c.id")).all()
    tickets = {row[0]: (row[1], domain.ticket_label(row[2], row[3]), row[4].lower()) for row in rows}
    ahead, seen = {}, {}
    for cid, (queue, _, state) in tickets.items():
        if state == "waiting":
            ahead[cid] = seen.get(queue, 0)
            seen[queue] = ahead[cid] + 1
    queues = {}
    for queue, label, state in tickets.values():
        summary = queues.setdefault(queue, {"waiting": 0, "serving": []})
        summary["waiting"] += state == "waiting"
        if state == "processing":
            summary["serving"].append(label)
    return {"tickets": tickets, "ahead": ahead,
            "public": [(q, s["waiting"], ", ".join(s["serving"]) or "—") for q, s in queues.items()]}


def _mismatches(truth: dict, dashboards, phones, publics) -> list[str]:
    wrong = []
    by_label = {(q, label): (cid, state) for cid, (q, label, state) in truth["tickets"].items()}
    for tab in dashboards:
        shown = {(q["name"], c["ticket"], c["state"]) for q in dash(tab).get("queues_rx_state_", [])
                 for c in q["customers"] + q.get("finished", [])}  # finished: under "Finished (n)"
        expected = {(q, label, state) for q, label, state in truth["tickets"].values()}
        if shown != expected:
            wrong.append(f"dashboard {tab.token[:6]}: {sorted(shown ^ expected)}")
    for tab in phones:
        board = ticket_board(tab)
        for person in ticket(tab).get("people_rx_state_", []):
            cid, state = by_label[(person["queue"], person["ticket"])]
            if "line_rx_state_" not in board:
                wrong.append(f"ticket {person['ticket']}: no board yet")
                continue
            shown, ahead, _ = customer.shown(
                {name.removesuffix("_rx_state_"): value for name, value in board.items()}, person)
            if shown != state:
                wrong.append(f"ticket {person['ticket']}: shows {shown}, is {state}")
            elif state == "waiting" and ahead != truth["ahead"][cid]:
                wrong.append(f"ticket {person['ticket']}: {ahead} ahead, is {truth['ahead'][cid]}")
    for tab in publics:
        queues = store_board(tab).get("queues_rx_state_", [])
        shown = [(q["name"], q["waiting"], q["serving"]) for q in queues]
        if shown != truth["public"]:
            wrong.append(f"public page: {shown} != {truth['public']}")
    return wrong


async def _settle(engine, dashboards, phones, publics, step: str) -> None:
    deadline = time.monotonic() + SETTLE
    while True:
        wrong = _mismatches(_database(engine), dashboards, phones, publics)
        if not wrong:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"after {step!r} the screens disagree with the database: {wrong}")
        await asyncio.sleep(0.1)


def _customer(tab, label: str) -> dict:
    return next(c for q in dash(tab)["queues_rx_state_"] for c in q["customers"] + q.get("finished", [])
                if c["ticket"] == label)


def _queue(tab) -> dict:
    return dash(tab)["queues_rx_state_"][0]


def test_every_screen_on_either_worker_equals_the_database_after_each_change(two_workers, clock):
    site, engine, client = two_workers
    clock.thaw()  # the server runs on the real clock: the store must be open by it
    email = f"consistency-{secrets.token_hex(4)}@example.com"
    form = domain.validate_store_form(email=email, password=PASSWORD, confirm=PASSWORD, name="Two Workers",
                                      queue_names=["Main"], timezone="UTC")
    with Session(engine) as db:
        stores.open_store(db, form, now=clock.utcnow())

    async def scenario():
        tablet, token = await site.sign_in(email, PASSWORD, ip=fake_ip())
        dashboards = [tablet]
        while len({_worker(client, t) for t in dashboards}) < 2 and len(dashboards) < 10:
            dashboards.append(await site.dashboard(token, ip=fake_ip()))
        by_worker = {_worker(client, t): t for t in dashboards}
        assert len(by_worker) == 2, "the dashboards never spread over both workers"
        one, two = by_worker.values()

        phones, number = [], 0
        # At least six parties of one, and more (up to twelve) until both workers hold a ticket
        # page: which worker accepts a connection is the kernel's choice, not ours.
        while number < 6 or (len({_worker(client, p) for p in phones}) < 2 and number < 12):
            number += 1
            phone = await site.scan(pass_of(dash(dashboards[-1])["join_url_rx_state_"]), ip=fake_ip())
            _, path = await site.submit_join(phone, f"Guest {number}")
            await site.follow_to_ticket(phone, path)
            phone.ticket_path = path
            phones.append(phone)
            await asyncio.sleep(0.2)  # the counter shows its next code
        assert len({_worker(client, p) for p in phones}) == 2, "the phones never spread over both workers"
        slug = dash(one)["public_url_rx_state_"].rsplit("/", 1)[-1]
        publics = []
        for _ in range(4):
            public = site.tab(ip=fake_ip(), parse=True)
            await public.open(site.fe.boot(f"/s/{slug}", {"slug": slug}))
            publics.append(public)
        await _settle(engine, dashboards, phones, publics, "the parties joined")

        def state_change(tab, label, target):
            row = _customer(tab, label)
            return site.dashboard_action(tab, "set_state", {"customer_id": row["id"], "seen": row["state"],
                                                           "target": target})

        def call_next(tab):
            queue = _queue(tab)
            return site.dashboard_action(tab, "call_next",
                                         {"queue_id": queue["id"], "head_id": queue["next_id"]})

        steps = [
            ("call next on worker 1", lambda: call_next(one)),
            ("back to waiting on worker 2", lambda: state_change(two, "A-001", "waiting")),
            ("the same call again on worker 1", lambda: call_next(one)),
            ("done on worker 2", lambda: state_change(two, "A-001", "done")),
            ("call next on worker 2", lambda: call_next(two)),
            ("no-show on worker 1", lambda: state_change(one, "A-002", "no_show")),
            ("back to waiting on worker 2", lambda: state_change(two, "A-002", "waiting")),
            ("a walk-in on worker 1", lambda: site.dashboard_action(one, "add_walk_in", {
                "data": {"name": "Walker", "phone": "", "queue": str(_queue(one)["id"])}})),
            ("call next on worker 1", lambda: call_next(one)),
            ("remove on worker 2", lambda: state_change(two, "A-004", "delete")),
            ("call next on worker 2", lambda: call_next(two)),
        ]
        for step, act in steps:
            await act()
            await asyncio.sleep(0.05)
            await _settle(engine, dashboards, phones, publics, step)

        leaver = phones[-1]  # a customer leaves from a ticket page
        key = ticket(leaver)["people_rx_state_"][0]["key"]
        await leaver.emit(site.fe.handler("ticket_state", "leave"), {"key": key},
                          router_data(leaver.ticket_path, {"secret": leaver.ticket_path.rsplit("/", 1)[-1]}))
        await _settle(engine, dashboards, phones, publics, "a customer left")
        for tab in dashboards + phones + publics:
            await tab.close()

    run_async(scenario())  # in a thread of its own: the browser tests keep a loop running here
