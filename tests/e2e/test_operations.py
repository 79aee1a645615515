"""The running app reports itself: `/metrics` after real activity, `/readyz`, request ids in logs."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from playwright.sync_api import expect

from alembic import command
from queue_app.config import ROOT
from tests.conftest import POSTGRES_URL, require_service
from tests.e2e.conftest import start_app, stop_app
from tests.e2e.flows import customer_row, join_party, join_url, open_store, queue_panel, unique_email
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
    queue_panel(tablet, "Main").get_by_role("button", name="Finished (1)").click()  # folded away
    expect(customer_row(tablet, "Main", "A-002")).to_contain_text("No-show")
    # The screen may show the change (a live push) a moment before the handler's own event has
    # finished and recorded its latency: read the metrics again for up to 5 s.
    for _ in range(50):
        after = scrape(server.url)
        if grew(before, after, "queue_event_handler_seconds_count", handler="DashboardState.set_state") >= 2:
            break
        time.sleep(0.1)

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


@pytest.fixture(scope="module")
def postgres_app(chromium, tmp_path_factory):
    """The app on a PostgreSQL database of its own (created here, migrated by the start script)."""
    require_service(POSTGRES_URL, "QUEUE_TEST_POSTGRES_URL")
    name = f"queue_ready_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    process, app_url, _ = start_app(tmp_path_factory.mktemp("ready"), QUEUE_DATABASE_URL=url)
    try:
        yield app_url, url, admin, name
    finally:
        stop_app(process)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def get(url: str) -> tuple[int, dict | str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode(), error.code
    return status, json.loads(body) if body.startswith("{") else body


def test_readyz_answers_503_while_migrations_are_behind_or_the_database_is_gone(postgres_app):
    app_url, db_url, admin, name = postgres_app
    assert get(app_url + "/readyz")[0] == 200
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    head = ScriptDirectory.from_config(config).get_current_head()

    command.downgrade(config, "-1")  # an older schema than the code expects
    status, body = get(app_url + "/readyz")
    assert status == 503 and body["status"] == "not ready"
    assert body["checks"]["database"].startswith("migrations not at head (database at ")
    assert body["checks"]["database"].endswith(f"code at {head})")
    command.upgrade(config, "head")
    assert get(app_url + "/readyz")[0] == 200

    with admin.connect() as connection:  # the database server loses the database under the app
        connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    status, body = get(app_url + "/readyz")
    assert status == 503 and body["checks"]["database"].startswith("database unreachable")
    assert get(app_url + "/healthz") == (200, {"status": "ok"})  # alive: nothing to restart
    assert "queue_database_up 0.0" in get(app_url + "/metrics")[1]
