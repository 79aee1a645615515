"""Several workers on Redis: a change handled by one worker reaches screens held by another."""

from __future__ import annotations

import pickle
import re
import secrets

import pytest

from tests.conftest import REDIS_URL, REQUIRE_SERVICES, require_service
from tests.e2e.conftest import PHONE, TABLET, start_app, stop_app

pytestmark = pytest.mark.e2e  # a browser test: `-m "not e2e"` leaves it out like the others
WORKERS = 2
MAX_PHONES = 8


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory, chromium):
    """The app with `REFLEX_REDIS_URL` and two granian workers sharing one database."""
    require_service(REDIS_URL, "QUEUE_TEST_REDIS_URL")
    import redis

    redis_url = REDIS_URL.rsplit("/", 1)[0] + "/7"  # a database of its own, emptied first
    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    except redis.RedisError as error:
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis at {redis_url} is unreachable: {error}", pytrace=False)
        pytest.skip(f"Redis unreachable: {error}")
    process, url, _ = start_app(tmp_path_factory.mktemp("multiworker"), QUEUE_SCHEDULER="off",
                                REFLEX_REDIS_URL=redis_url, GRANIAN_WORKERS=str(WORKERS))
    yield url, client
    stop_app(process)
    client.flushdb()


def _worker_of(page, client) -> str:
    """The id of the worker holding this tab's websocket (Reflex records it in Redis)."""
    token = page.evaluate("() => window.sessionStorage.getItem('token')")
    record = client.get(f"token_manager_socket_record_{token}")
    return pickle.loads(record).instance_id if record else ""  # noqa: S301 (our own local Redis)


def test_a_call_on_one_worker_reaches_phones_on_another(redis_server, browser):
    from playwright.sync_api import expect

    url, client = redis_server
    tablet = browser.new_context(base_url=url, **TABLET).new_page()
    tablet.goto("/")
    tablet.get_by_label("Email").fill(f"multi-{secrets.token_hex(4)}@example.com")
    tablet.get_by_label("Password", exact=True).fill("counter-pass-1")
    tablet.get_by_label("Confirm password").fill("counter-pass-1")
    tablet.get_by_label("Store name").fill("Two Workers")
    tablet.get_by_label("Queue name").first.fill("Main")
    tablet.get_by_role("button", name="Open store").click()
    qr = tablet.get_by_alt_text("Join QR code")
    expect(qr).to_have_attribute("data-url", re.compile(r"/join/"))

    phones, workers = [], {_worker_of(tablet, client)}
    while len(phones) < MAX_PHONES and (len(workers) < WORKERS or len(phones) < 2):
        join_url = qr.get_attribute("data-url")
        phone = browser.new_context(**PHONE).new_page()
        phone.goto(join_url)
        phone.get_by_label("Name", exact=True).fill(f"Guest {len(phones) + 1}")
        phone.get_by_role("button", name="Join the queue").click()
        expect(phone.get_by_role("status")).to_contain_text("A-")
        expect(qr).not_to_have_attribute("data-url", join_url)
        phones.append(phone)
        workers.add(_worker_of(phone, client))
    assert len(workers - {""}) == WORKERS, "the tabs never spread over both workers"

    for number, phone in enumerate(phones, start=1):
        tablet.get_by_role("button", name="Call next").click()
        expect(phone.get_by_text("It's your turn").first).to_be_visible()
        expect(tablet.get_by_role("listitem", name=f"A-{number:03d}")).to_contain_text("Called")


def test_metrics_of_both_workers_add_up(redis_server, browser):
    """Joins handled by two workers: any worker's `/metrics` counts all of them (multiprocess mode)."""
    from playwright.sync_api import expect

    from tests.e2e.flows import join_party, join_url, open_store, unique_email
    from tests.e2e.metrics_scrape import grew, scrape

    url, client = redis_server
    before = scrape(url)
    tablet = browser.new_context(base_url=url, **TABLET).new_page()
    open_store(tablet, email=unique_email("metrics"), name="Counted Twice", queues=["Main"])
    phones, workers = [], set()
    while len(phones) < MAX_PHONES and (len(workers) < WORKERS or len(phones) < 2):
        phone = browser.new_context(**PHONE).new_page()
        phone.goto(join_url(tablet))
        join_party(phone, [(f"Guest {len(phones) + 1}", "Main")])
        expect(phone.get_by_role("status")).to_contain_text("A-")
        phones.append(phone)
        workers.add(_worker_of(phone, client))
    assert len(workers - {""}) == WORKERS, "the phones never spread over both workers"

    scrapes = [scrape(url) for _ in range(6)]  # answered by either worker
    for after in scrapes:
        assert grew(before, after, "queue_joins_total", source="qr") == len(phones)
        assert grew(before, after, "queue_event_handler_seconds_count",
                    handler="JoinState.submit") == len(phones)
