"""Every event handler of every page state, sent random payloads the way a forged event could be.

For each handler, hypothesis sends wrong types, huge and odd strings, nested lists and dicts,
unicode edge cases and other stores' ids. Whatever arrives, the handler must not raise (a raise is
a traceback in the logs and an error toast), must change no table it has no business changing,
and must never change a row of another store. The database is SQLite (the rules are in Python;
both databases run the service tests), seeded with two stores: "ours" (the owner of the fuzzed
tab is signed in to it) and "theirs" (the victim).
"""

from __future__ import annotations

import asyncio
import inspect
import shutil

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reflex.istate.data import RouterData
from reflex.state import State
from sqlmodel import Session, SQLModel

import queue_app.db as app_db
from queue_app import jobs, live
from queue_app.db import make_engine
from queue_app.models import Customer, CustomerState, Party
from queue_app.queue_app import app  # noqa: F401  (registers every state class)
from queue_app.services import auth, customers, passes, stores
from queue_app.state import signin
from queue_app.state.common import OwnerAuth
from queue_app.state.confirm import ConfirmState
from queue_app.state.dashboard import DashboardState
from queue_app.state.join import BrowserId, JoinState
from queue_app.state.public import DisplayState, PublicState
from queue_app.state.signin import ForgotState, ResetState, SigninState
from queue_app.state.signup import SignupState
from queue_app.state.ticket import TicketState
from tests.integration.factories import cheap_argon2, join_party, open_shop  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2")
EXAMPLES = 60

# What each handler may change, by table; everything else must stay as it was.
MAY_CHANGE: dict[tuple[type, str], set[str]] = {
    (DashboardState, "load"): {"pass"},
    (DashboardState, "set_state"): {"customer"},
    (DashboardState, "call_next"): {"customer"},
    (DashboardState, "add_walk_in"): {"customer", "party", "queue"},
    (DashboardState, "save_description"): {"store"},
    (DashboardState, "regenerate_display_key"): {"store"},
    (DashboardState, "set_default_service"): {"queue"},
    (DashboardState, "close_store"): {"store", "report_delivery"},
    (DashboardState, "sign_out"): {"owner_session"},
    (DashboardState, "resend_confirmation"): {"store", "attempt"},
    (ConfirmState, "confirm"): {"store"},
    (ConfirmState, "disown"): {"store", "report_delivery", "owner_session"},
    (JoinState, "load"): {"pass"},
    (JoinState, "submit"): {"pass", "party", "customer", "queue", "attempt"},
    (TicketState, "leave"): {"customer"},
    (DisplayState, "load"): {"pass"},
    (SigninState, "submit"): {"attempt", "owner_session"},
    (ForgotState, "submit"): {"attempt", "reset_token"},
    (ResetState, "submit"): {"reset_token", "store", "owner_session"},
    (SignupState, "submit"): {"store", "queue", "attempt", "owner_session"},
}


def _may_change(cls: type, name: str) -> set[str]:
    """The handler's own tables; a join page was loaded first (`_call`), and loading scans a pass."""
    return MAY_CHANGE.get((cls, name), set()) | ({"pass"} if cls is JoinState else set())


STATES = (DashboardState, JoinState, TicketState, PublicState, DisplayState, SigninState,
          ForgotState, ResetState, SignupState, ConfirmState, OwnerAuth, BrowserId)
# `setvar` is Reflex's own and can set nothing here: see the test at the end.
HANDLERS = [(cls, name) for cls in STATES for name in sorted(cls.event_handlers) if name != "setvar"]
FORM_KEYS = ["name", "phone", "queue", "queue_id", "minutes", "description", "email", "password",
             "confirm", "timezone", "name-p0", "phone-p0", "queue-p0", "queue-q0", "form"]
ODD_TEXT = ["", " ", "\n", "\ud800", "\udfff", "a\u0000b", "\u202e", "é" * 3, "x" * 5_000,
            "9" * 5_000, "-1", "0", "1e9", "waiting", "processing", "done", "no_show", "delete",
            "Europe/Paris", "owner@example.com", "a" * 300 + "@example.com", 2**63, -(2**63) - 1,
            str(2**31)]


def _scalars(ids: list) -> st.SearchStrategy:
    return st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                     st.text(max_size=40), st.sampled_from(ODD_TEXT + ids),
                     st.sampled_from(ids).map(str), st.integers(min_value=2**63))


def _junk(ids: list) -> st.SearchStrategy:
    """One argument: often a plain odd value or a real id, else nested lists and forms of them."""
    nested = st.recursive(_scalars(ids), lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(FORM_KEYS) | st.text(max_size=8), inner, max_size=6)),
        max_leaves=12)
    return st.one_of(st.sampled_from(ODD_TEXT + ids), _scalars(ids), nested)


def _rows(engine) -> dict[str, set[tuple]]:
    with engine.connect() as connection:
        return {t.name: set(connection.execute(sa.select(t)).all())
                for t in SQLModel.metadata.sorted_tables}


def _rows_of_store(rows: dict[str, set[tuple]], store_id: int) -> dict[str, set[tuple]]:
    """The rows belonging to one store: its own row and every row carrying its id."""
    result = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "store":
            result["store"] = {r for r in rows["store"] if r[0] == store_id}
        elif "store_id" in table.c:
            index = list(table.c.keys()).index("store_id")
            result[table.name] = {r for r in rows[table.name] if r[index] == store_id}
    return result


@pytest.fixture(scope="module")
def world(sqlite_template, tmp_path_factory):
    """Two stores with customers in every state, a scanned pass and sign-ins: built once."""
    path = tmp_path_factory.mktemp("fuzz") / "seed.db"
    shutil.copy(sqlite_template, path)
    return path


@pytest.fixture
def seeded(world, tmp_path, monkeypatch, now):
    path = tmp_path / "queue.db"
    shutil.copy(world, path)
    engine = make_engine(f"sqlite:///{path}")
    monkeypatch.setattr(app_db, "engine", lambda: engine)
    monkeypatch.setattr(jobs, "deliver_report_soon", lambda store_id, **_: None)
    monkeypatch.setattr(live.hub, "publish_soon", lambda store_id, owners_only=False: None)
    monkeypatch.setattr(signin, "_background", _NoMail())
    monkeypatch.setattr(jobs, "mail_soon", lambda message, **_: None)
    with Session(engine, expire_on_commit=False) as db:
        ours = open_shop(db, now, email="owner@example.com", name="Ours")
        theirs = open_shop(db, now, email="victim@example.com", name="Theirs")
        ids, secrets = [], {}
        for store in (ours, theirs):
            party = join_party(db, store, now, "Ann", "Bob", browser=f"phone-{store.id}")
            walk_in = customers.add_walk_in(db, store.id, name="Cid", phone="06 12",
                                            queue_id=stores.queues_of(db, store.id)[1].id, now=now)
            first = db.exec(sa.select(Customer).where(Customer.party_id == party.id)).scalars().first()
            customers.change_state(db, store.id, first.id, seen=CustomerState.WAITING,
                                   target=CustomerState.PROCESSING, now=now)
            ids += [walk_in.id, first.id, *(q.id for q in stores.queues_of(db, store.id))]
            secrets[store.id] = {"secret": db.get(Party, party.id).secret, "slug": store.slug,
                                 "key": store.display_key,
                                 "pass_token": passes.current_pass(db, store.id, now=now).token}
        secrets[ours.id]["owner"] = auth.start_session(db, ours, now=now)
        auth.start_session(db, theirs, now=now)
        _, secrets[ours.id]["token"] = auth.request_reset(db, ours.email, now=now)
    yield engine, ours.id, theirs.id, ids, secrets[ours.id]
    engine.dispose()


class _NoMail:
    """Stands in for the reset-mail thread pool: the fuzz checks the database, not the outbox."""

    def submit(self, *_args):
        return None


async def _call(cls: type, name: str, args: tuple, route: dict, owner: str, browser: object):
    root = State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data({"token": "fuzz-tab", "ip": "127.0.0.9",
                                               "headers": {"origin": "http://127.0.0.1:3000"},
                                               "query": route})
    (await root.get_state(OwnerAuth)).token = owner
    (await root.get_state(BrowserId)).value = browser
    state = await root.get_state(cls)
    if cls is JoinState:  # a page that was loaded, so that submit gets as far as the service
        await JoinState.load.fn(state)
    result = cls.event_handlers[name].fn(state, *args)
    if inspect.isawaitable(result):
        await result
    elif inspect.isasyncgen(result):
        async for _ in result:
            pass
    elif inspect.isgenerator(result):
        for _ in result:
            pass


def _arity(cls: type, name: str) -> int:
    parameters = list(inspect.signature(cls.event_handlers[name].fn).parameters.values())[1:]
    return len([p for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD])


@pytest.mark.parametrize(("cls", "name"), HANDLERS, ids=[f"{c.__name__}.{n}" for c, n in HANDLERS])
def test_a_handler_sent_random_payloads_never_raises_and_changes_only_what_it_owns(seeded, cls, name):
    engine, ours, theirs, ids, credentials = seeded
    loop = asyncio.new_event_loop()
    route_values = st.one_of(_scalars(ids), st.sampled_from(
        [credentials[k] for k in ("secret", "slug", "key", "pass_token", "token")]))

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(args=st.tuples(*[_junk(ids)] * _arity(cls, name)),
           route=st.dictionaries(st.sampled_from(["secret", "slug", "key", "pass_token", "token"]),
                                 route_values, max_size=3),
           owner=st.one_of(st.just(credentials["owner"]), _scalars(ids)),
           browser=st.one_of(st.just("browser-id-0123456789-abcdef"), _scalars(ids)))
    def check(args, route, owner, browser):
        before = _rows(engine)
        loop.run_until_complete(_call(cls, name, args, route, owner, browser))
        after = _rows(engine)
        changed = {table for table in before if before[table] != after[table]}
        assert changed <= _may_change(cls, name), f"{cls.__name__}.{name} changed {changed}"
        assert _rows_of_store(before, theirs) == _rows_of_store(after, theirs), "another store changed"

    try:
        check()
    finally:
        loop.close()


def test_reflex_setvar_cannot_set_any_var_of_these_states():
    """`setvar(name, value)` needs a `set_<name>` setter; with auto-setters off there are none."""
    for cls in STATES:
        assert not [n for n in cls.event_handlers if n.startswith("set_") and n[4:] in cls.vars]
        assert not hasattr(cls, "set__pass") and not hasattr(cls, "set_token")

