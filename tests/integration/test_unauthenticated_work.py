"""Work anyone can make the server do without signing in is bounded (issue #10, item 6)."""

from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa

from queue_app import domain, live
from queue_app.queue_app import app
from queue_app.services.snapshot import load_snapshot
from queue_app.services.summaries import SummaryCache, public_summaries
from queue_app.state.public import PublicState
from queue_app.state.throttle import TOO_MANY, EventRateLimit
from tests.integration.factories import cheap_argon2, open_shop  # noqa: F401
from tests.integration.test_state_handlers import _run, _state, _walk_in, app_engine  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2", "app_engine")


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    monkeypatch.setattr(public_summaries, "_entries", {})
    monkeypatch.setattr(public_summaries, "_slugs", {})


def _customer_reads(engine) -> list:
    reads: list = []
    sa.event.listen(engine, "before_cursor_execute", lambda _c, _k, statement, *_: reads.append(1)
                    if "FROM customer" in statement else None)
    return reads


def test_fifty_loads_of_a_public_page_read_the_store_once(engine, db, now):
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
    assert all(p.found and p.queues[0]["waiting"] == 1 for p in pages)
    assert len(reads) == 1


def test_a_change_in_this_process_shows_on_the_next_public_page_load(db, now):
    store = open_shop(db, now)

    async def load():
        page = await _state(PublicState, params={"slug": store.slug})
        await PublicState.load.fn(page)
        return page.queues[0]["waiting"]

    assert _run(db, load()) == 0
    _walk_in(db, store, now, "Ann")
    live.publish_soon(store.id)  # what every handler and job does after its change
    assert _run(db, load()) == 1


def test_the_public_cache_keeps_no_names_phones_or_ticket_secrets(db, now):
    store = open_shop(db, now)
    _walk_in(db, store, now, "Ann Secret-Name")

    async def load():
        await PublicState.load.fn(await _state(PublicState, params={"slug": store.slug}))

    _run(db, load())
    cached = public_summaries._entries[store.id][1]  # noqa: SLF001
    assert [(c.name, c.phone, c.party_secret) for c in cached.customers] == [("", "", "")]


def test_a_cached_public_store_is_read_again_after_a_second(db, now):
    """A change made by another worker does not reach this worker's cache: it expires instead."""
    store = open_shop(db, now)
    seconds, reads = [0.0], []
    cache = SummaryCache(ttl=1.0, clock=lambda: seconds[0])

    def read(store_id):
        reads.append(store_id)
        return load_snapshot(db, store_id, now=now)

    cache.get(store.id, read)
    seconds[0] = 0.9
    cache.get(store.id, read)
    seconds[0] = 1.0
    cache.get(store.id, read)
    assert reads == [store.id, store.id]
    assert cache.get(999, lambda _: None) is None and cache.get(999, read) is None  # never cached


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
