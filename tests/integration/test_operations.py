"""Liveness, readiness, request ids and metrics of the HTTP side, against real databases.

The Starlette app Reflex mounts itself into is driven in process (Starlette's test client);
`tests/e2e/test_metrics.py` scrapes the real server, with one worker and with two.
"""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
import sqlalchemy as sa
from alembic.config import Config
from apscheduler.schedulers.background import BackgroundScheduler
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from alembic import command
from queue_app import jobs, metrics
from queue_app.api import build
from queue_app.config import ROOT
from queue_app.db import make_engine
from queue_app.logs import log_handler
from queue_app.models import CustomerState
from queue_app.services import closing, customers, delivery, ratelimit
from queue_app.services.errors import RateLimited
from tests.integration.factories import cheap_argon2, confirm_address, join_party, open_shop  # noqa: F401
from tests.integration.smtp_server import free_port, smtp_settings

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def client(engine, *, redis_url="", scheduler=lambda: True) -> TestClient:
    return TestClient(build(database=lambda: engine, redis_url=redis_url, scheduler_alive=scheduler))


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """`(sample name, sorted labels) → value` of a Prometheus text exposition."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture
def behind(tmp_path):
    """A SQLite database migrated only to the first revision."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(config, "0001")
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    yield engine
    engine.dispose()


def test_healthz_says_the_process_is_alive_even_when_the_database_is_not(tmp_path):
    gone = make_engine(f"postgresql+psycopg2://nobody@127.0.0.1:{free_port()}/none")
    answer = client(gone).get("/healthz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


def test_readyz_is_ready_on_a_migrated_reachable_database(engine):
    answer = client(engine).get("/readyz")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": "ready", "checks": {"database": "ok", "scheduler": "ok"}}


def test_readyz_answers_503_with_a_reason_when_the_database_is_unreachable():
    gone = make_engine(f"postgresql+psycopg2://nobody@127.0.0.1:{free_port()}/none")
    answer = client(gone).get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "not ready"
    assert answer.json()["checks"]["database"].startswith("database unreachable")


def test_readyz_answers_503_when_the_migrations_are_behind(behind):
    answer = client(behind).get("/readyz")
    assert answer.status_code == 503
    reason = answer.json()["checks"]["database"]
    assert reason.startswith("migrations not at head (database at 0001, code at ")


def test_readyz_answers_503_when_redis_is_configured_but_unreachable(engine):
    answer = client(engine, redis_url=f"redis://127.0.0.1:{free_port()}/0").get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["redis"].startswith("redis unreachable")


def test_readyz_answers_503_when_the_scheduler_thread_is_gone_and_ok_when_it_is_switched_off(engine):
    assert client(engine, scheduler=lambda: False).get("/readyz").json()["checks"]["scheduler"] == \
        "scheduler thread not running"
    off = client(engine, scheduler=lambda: None).get("/readyz")
    assert off.status_code == 200 and off.json()["checks"]["scheduler"].startswith("off")


def test_the_scheduler_counts_as_alive_only_while_its_thread_runs(monkeypatch):
    scheduler = BackgroundScheduler(timezone="UTC")
    monkeypatch.setattr(jobs, "_scheduler", scheduler)
    assert jobs.scheduler_alive() is False
    scheduler.start()
    assert jobs.scheduler_alive() is True
    scheduler.shutdown(wait=True)
    assert jobs.scheduler_alive() is False


def test_every_response_carries_a_request_id_and_the_requests_log_lines_carry_it():
    gone = make_engine(f"postgresql+psycopg2://nobody@127.0.0.1:{free_port()}/none")
    app, lines = client(gone), io.StringIO()
    handler, logger = log_handler(lines), logging.getLogger("queue_app.readiness")
    logger.addHandler(handler)
    try:
        answer = app.get("/readyz", headers={"X-Request-ID": "lb-7f3a.1"})
        logger.warning("outside any request")
    finally:
        logger.removeHandler(handler)
    assert answer.headers["x-request-id"] == "lb-7f3a.1"  # the proxy's id, so both logs line up
    during, outside = lines.getvalue().splitlines()
    assert "WARNING queue_app.readiness [lb-7f3a.1]: not ready: database: database unreachable" in during
    assert "[-]: outside any request" in outside
    forged = app.get("/healthz", headers={"X-Request-ID": "x" * 65}).headers["x-request-id"]
    assert forged != "x" * 65 and len(forged) == 12  # not a safe id: a random one instead
    assert app.get("/healthz").headers["x-request-id"] != app.get("/healthz").headers["x-request-id"]


def test_metrics_count_open_stores_waiting_customers_and_reports_from_the_database(db, engine, now,
                                                                                   tmp_path):
    shop = open_shop(db, now)
    join_party(db, shop, now, "Ann", "Ben")
    other = open_shop(db, now, email="other@example.com")
    join_party(db, other, now, "Cid", browser="phone-2")
    closing.close_store(db, other.id, now=now)
    seen = samples(client(engine).get("/metrics").text)
    assert seen[("queue_database_up", ())] == 1
    assert seen[("queue_open_stores", ())] == 1
    assert seen[("queue_waiting_customers", ())] == 2  # the closed store's customer waits no more
    assert seen[("queue_report_deliveries", (("state", "pending"),))] == 1
    assert seen[("queue_report_deliveries", (("state", "failing"),))] == 0

    refused = confirm_address(db, open_shop(db, now, email="third@example.com"), now)
    closing.close_store(db, refused.id, now=now)
    before = samples(client(engine).get("/metrics").text)
    down = smtp_settings(free_port(), tmp_path)  # nobody listens: the attempt fails, retried later
    while delivery.deliver_next(db, now=now, config=down) is not None:
        pass
    seen = samples(client(engine).get("/metrics").text)
    assert seen[("queue_report_deliveries", (("state", "failing"),))] == 1  # the confirmed one
    assert seen[("queue_report_deliveries", (("state", "archived"),))] == 1  # the unconfirmed one
    assert seen[("queue_report_deliveries", (("state", "pending"),))] == 0
    for outcome in ("failed", "archived"):
        key = ("queue_report_attempts_total", (("outcome", outcome),))
        assert seen[key] - before.get(key, 0) == 1


def test_metrics_count_joins_calls_no_shows_and_rate_limit_refusals(db, engine, now):
    app = client(engine)
    before = samples(app.get("/metrics").text)
    shop = open_shop(db, now)
    party = join_party(db, shop, now, "Ann", "Ben")
    ann, ben = sorted(party_ids(db, party.id))
    customers.change_state(db, shop.id, ann, seen="waiting", target="processing", now=now)
    customers.change_state(db, shop.id, ben, seen="waiting", target=CustomerState.NO_SHOW, now=now)
    for _ in range(ratelimit.LIMITS["forgot-ip"][0]):
        ratelimit.record(db, "forgot-ip", "10.9.9.9", now=now)
    db.commit()
    with pytest.raises(RateLimited):
        ratelimit.check(db, "forgot-ip", "10.9.9.9", now=now)
    after = samples(app.get("/metrics").text)

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("queue_joins_total", source="qr") == 2
    assert grew("queue_calls_total") == 1
    assert grew("queue_no_shows_total") == 1
    assert grew("queue_rate_limit_refusals_total", kind="forgot-ip") == 1


def test_metrics_carry_no_store_ids_names_or_emails(db, engine, now):
    shop = open_shop(db, now, email="private-owner@example.com", name="Secret Shop")
    join_party(db, shop, now, "Zoë Private")
    text = client(engine).get("/metrics").text
    for private in ("private-owner", "Secret Shop", "Zoë", "store_id", shop.slug):
        assert private not in text
    labels = {name for family in text_string_to_metric_families(text) for s in family.samples
              for name in s.labels if family.name.startswith("queue_")}
    assert labels <= {"source", "kind", "job", "handler", "outcome", "state", "generation", "le"}


def party_ids(db, party_id: int) -> list[int]:
    from queue_app.models import Customer  # noqa: PLC0415

    return [c.id for c in db.exec(sa.select(Customer).where(Customer.party_id == party_id)).scalars()]


def test_a_database_that_stops_answering_shows_as_down_in_the_metrics():
    gone = make_engine(f"postgresql+psycopg2://nobody@127.0.0.1:{free_port()}/none")
    answer = client(gone).get("/metrics")
    assert answer.status_code == 200
    assert samples(answer.text)[("queue_database_up", ())] == 0


def exported_series() -> set[str]:
    """Every series name `/metrics` can answer with (counters, histograms, database gauges)."""
    names = set(metrics.DatabaseCollector.HELP)
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            kind, name = value._type, value._name  # noqa: SLF001
            suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}.get(kind, [""])
            names |= {name + suffix for suffix in suffixes}
    return names


@pytest.mark.parametrize("path", ["deploy/prometheus-alerts.yml", "deploy/grafana-dashboard.json"])
def test_the_alert_rules_and_the_dashboard_use_only_series_the_app_exports(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    used = set(re.findall(r"\bqueue_[a-z_]+", text)) - {"queue_system", "queue_app"}
    assert used and used <= exported_series(), used - exported_series()
    if path.endswith(".json"):
        assert all(target["expr"] for panel in json.loads(text)["panels"] for target in panel["targets"])
