"""Work anyone can make the server do without signing in is bounded (issue #10, item 6)."""

from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa

from queue_app import domain, live
from queue_app.queue_app import app
from queue_app.services import stores
from queue_app.services.errors import NotFound
from queue_app.services.slugs import SlugCache, public_slugs
from queue_app.state.boards import StoreBoard
from queue_app.state.public import PublicState
from queue_app.state.throttle import TOO_MANY, EventRateLimit
from tests.integration.factories import cheap_argon2, open_shop  # noqa: F401
from tests.integration.test_state_handlers import _run, _state, _walk_in, app_engine  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2", "app_engine")


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    monkeypatch.setattr(public_slugs, "_slugs", {})


def _customer_reads(engine) -> list:
    reads: list = []
    sa.event.listen(engine, "before_cursor_execute", lambda _c, _k, statement, *_: reads.append(1)
                    if "FROM customer" in statement else None)
    return reads


def test_fifty_loads_of_a_public_page_read_the_store_once(engine, db, now, sockets):
    """The first page fills the store's room; every later one gets the room's last payload."""
    store = open_shop(db, now)
    _walk_in(db, store, now, "Ann")
    reads = _customer_reads(engine)

    async def scenario():
        pages = []
        for _ in range(50):
            page = await _state(PublicState, params={"slug": store.slug})
            await PublicState.load.fn(page)
            pages.append(page)
        return pages

    pages = _run(db, scenario())
    assert all(p.found for p in pages)
    assert all(sockets.seen(p.router.session.client_token, StoreBoard)["queues"][0]["waiting"] == 1
               for p in pages)
    assert len(reads) == 1


def test_a_change_shows_on_the_next_public_page_load(db, now, sockets):
    store = open_shop(db, now)

    async def load():
        page = await _state(PublicState, params={"slug": store.slug})
        await PublicState.load.fn(page)
        return sockets.seen(page.router.session.client_token, StoreBoard)["queues"][0]["waiting"]

    assert _run(db, load()) == 0
    _walk_in(db, store, now, "Ann")
    _run(db, live.hub.publish(store.id))  # what every handler and job does after its change
    assert _run(db, load()) == 1


def test_an_unknown_slug_is_not_cached_and_a_known_one_is_looked_up_once(db, now):
    store = open_shop(db, now)
    looked_up = []

    def find(slug):
        looked_up.append(slug)
        return stores.store_by_slug(db, slug).id

    cache = SlugCache()
    assert cache.store_id(store.slug, find) == cache.store_id(store.slug, find) == store.id
    for _ in range(2):
        with pytest.raises(NotFound):
            cache.store_id("no-such-store", find)
    assert looked_up == [store.slug, "no-such-store", "no-such-store"]


def test_a_tab_sending_events_as_fast_as_it_can_is_told_too_many_requests():
    seconds = [0.0]
    limit = EventRateLimit(burst=30, per_second=5, clock=lambda: seconds[0])
    assert all(limit.allow("tab-1") for _ in range(30))
    assert not limit.allow("tab-1")
    assert limit.allow("tab-2")  # other tabs are not affected
    seconds[0] += 1.0  # five more a second
    assert [limit.allow("tab-1") for _ in range(6)] == [True] * 5 + [False]


def test_the_app_runs_the_event_rate_limit_and_its_answer_says_too_many_requests(db):
    [limit] = [m for m in app._middlewares if isinstance(m, EventRateLimit)]  # noqa: SLF001

    async def scenario():
        page = await _state(PublicState)
        limit._buckets[page.router.session.client_token] = (0.0, limit._clock())  # noqa: SLF001
        return await limit.preprocess(app, page, None)

    update = _run(db, scenario())
    assert update is not None and TOO_MANY.split(" —")[0] in str(update.events)


def test_a_megabyte_name_is_refused_after_looking_at_its_first_characters_only(monkeypatch):
    seen = []
    real = unicodedata.normalize
    monkeypatch.setattr(unicodedata, "normalize", lambda form, text: seen.append(len(text))
                        or real(form, text))
    with pytest.raises(domain.ValidationError) as refused:
        domain.validate_store_form(email="a@example.com", password="secret123", confirm="secret123",
                                   name="é" * 1_000_000, queue_names=["x" * 1_000_000],
                                   timezone="UTC", description="d" * 1_000_000)
    assert max(seen) <= domain.RAW_MAX
    assert refused.value.errors["name"] == "A store name has at most 64 characters."
    assert set(refused.value.errors) == {"name", "queue-0", "description"}
