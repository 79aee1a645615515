"""The running app reports itself: `/metrics` after real activity, `/readyz`, request ids in logs."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import customer_row, join_party, join_url, open_store, unique_email
from tests.e2e.metrics_scrape import grew, scrape

pytestmark = pytest.mark.e2e


def test_metrics_show_joins_calls_no_shows_pushes_handlers_and_jobs_after_activity(server, tablet, phone):
    before = scrape(server.url)
    open_store(tablet, email=unique_email("metrics"), name="Metered", queues=["Main"])
    phone.goto(join_url(tablet))
    join_party(phone, [("Ann", "Main"), ("Ben", "Main")])
    expect(customer_row(tablet, "Main", "A-002")).to_contain_text("Ben")
    customer_row(tablet, "Main", "A-001").get_by_role("button", name="Call").click()
    expect(customer_row(tablet, "Main", "A-001")).to_contain_text("Called")
    customer_row(tablet, "Main", "A-002").get_by_role("button", name="No-show").click()
    expect(customer_row(tablet, "Main", "A-002")).to_contain_text("No-show")
    after = scrape(server.url)

    assert grew(before, after, "queue_joins_total", source="qr") == 2
    assert grew(before, after, "queue_calls_total") == 1
    assert grew(before, after, "queue_no_shows_total") == 1
    assert grew(before, after, "queue_event_handler_seconds_count", handler="JoinState.submit") == 1
    assert grew(before, after, "queue_event_handler_seconds_count", handler="DashboardState.set_state") == 2
    assert grew(before, after, "queue_live_push_seconds_count") >= 3  # join, call, no-show
    assert grew(before, after, "queue_live_push_tabs_sum") >= 3  # the tablet and the phone got them
    assert after[("queue_open_stores", ())] >= 1
    assert after[("queue_database_up", ())] == 1
    assert after[("queue_job_runs_total", (("job", "close_expired_stores"),))] >= 1
    assert ("queue_job_last_success_timestamp_seconds", (("job", "deliver_reports"),)) in after
    assert after[("queue_db_pool_connections_max", ())] > 0
    assert ("queue_db_pool_connections_in_use", ()) in after


def test_readyz_is_ready_and_every_log_line_of_an_event_names_its_request(server, tablet):
    with urllib.request.urlopen(server.url + "/readyz", timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ready",
                                               "checks": {"database": "ok", "scheduler": "ok"}}
        assert re.fullmatch(r"[0-9a-f]{12}", response.headers["X-Request-ID"])
    open_store(tablet, email=unique_email("rid"), name="Traced", queues=["Main"])
    log = server.log.read_text(errors="replace")
    assert re.search(r" INFO queue_app\.state \[ev-[0-9a-f]{12}\]: store \d+ opened", log), log[-3000:]
