"""Settings: read once from QUEUE_* variables, loud about unsafe or malformed values."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from queue_app.config import SettingsError, load_settings


def test_defaults_need_nothing_set():
    settings = load_settings({})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("var/queue.db")
    assert settings.store_lifetime == timedelta(hours=24)
    assert settings.pass_ttl == timedelta(minutes=15)
    assert settings.report_retry_for == timedelta(hours=72)
    assert settings.almost_position == 3 and settings.scheduler and not settings.uses_smtp


@pytest.mark.parametrize(("text", "expected"), [("90", timedelta(seconds=90)), ("15m", timedelta(minutes=15)),
                                                ("24h", timedelta(hours=24)), ("3d", timedelta(days=3)),
                                                ("1.5h", timedelta(minutes=90))])
def test_durations_accept_seconds_minutes_hours_and_days(text, expected):
    assert load_settings({"QUEUE_STORE_LIFETIME": text}).store_lifetime == expected


@pytest.mark.parametrize("text", ["soon", "-5m", "0", "h"])
def test_a_malformed_duration_is_refused_at_start(text):
    with pytest.raises(SettingsError):
        load_settings({"QUEUE_PASS_TTL": text})


def test_production_refuses_the_development_secret():
    with pytest.raises(SettingsError, match="QUEUE_SECRET_KEY"):
        load_settings({"QUEUE_ENV": "production"})
    with pytest.raises(SettingsError, match="QUEUE_SECRET_KEY"):
        load_settings({"QUEUE_ENV": "production", "QUEUE_SECRET_KEY": "short"})
    assert load_settings({"QUEUE_ENV": "production", "QUEUE_SECRET_KEY": "x" * 40}).is_production


def test_the_base_url_is_optional_but_must_be_a_web_address():
    assert load_settings({"QUEUE_BASE_URL": "https://queue.example.com/"}).base_url == "https://queue.example.com"
    with pytest.raises(SettingsError, match="QUEUE_BASE_URL"):
        load_settings({"QUEUE_BASE_URL": "queue.example.com"})


def test_numbers_flags_and_folders_are_parsed():
    settings = load_settings({"QUEUE_SMTP_PORT": "2525", "QUEUE_SMTP_HOST": "mail.local",
                              "QUEUE_SMTP_STARTTLS": "no", "QUEUE_SCHEDULER": "off",
                              "QUEUE_OUTBOX_DIR": "/tmp/out", "QUEUE_ALMOST_POSITION": "5"})
    assert (settings.smtp_port, settings.uses_smtp, settings.smtp_starttls) == (2525, True, False)
    assert not settings.scheduler and settings.outbox_dir == Path("/tmp/out")
    assert settings.almost_position == 5
    with pytest.raises(SettingsError, match="QUEUE_SMTP_PORT"):
        load_settings({"QUEUE_SMTP_PORT": "twenty-five"})


def test_the_garbage_collector_thresholds_default_to_the_measured_ones_and_can_be_set():
    import gc  # noqa: PLC0415

    from queue_app import gcpolicy  # noqa: PLC0415

    saved = gc.get_threshold()
    try:
        assert gcpolicy.tune({}) == gcpolicy.DEFAULT
        assert gcpolicy.tune({"QUEUE_GC_THRESHOLD": "700,10,10"}) == (700, 10, 10)  # CPython's own
        assert gcpolicy.tune({"QUEUE_GC_THRESHOLD": " "}) == gcpolicy.DEFAULT
    finally:
        gc.set_threshold(*saved)


def test_the_young_collection_runs_at_a_quiet_point_only_once_it_is_half_due():
    import gc  # noqa: PLC0415

    from queue_app import gcpolicy  # noqa: PLC0415

    saved, enabled = gc.get_threshold(), gc.isenabled()
    try:
        gc.set_threshold(1_000_000, 10, 100)  # nothing starts by itself, whatever other threads do
        gc.collect(0)
        kept = [[] for _ in range(400)]  # young objects that stay alive: the count goes up
        assert not gcpolicy.collect_young_if_due()  # 400 of 1,000,000: not half way
        assert gc.get_count()[0] >= 300
        assert gcpolicy.collect_young_if_due(share=0.0001)  # 400 of the 100 asked for: collected
        assert gc.get_count()[0] < 300
        kept += [[] for _ in range(400)]
        gc.disable()
        assert not gcpolicy.collect_young_if_due()  # a disabled collector stays off
        assert kept
    finally:
        gc.set_threshold(*saved)
        if enabled:
            gc.enable()


@pytest.mark.parametrize("text", ["many", "1,2,3,4", "0,10,10", "-5", "5000,,10"])
def test_a_malformed_gc_threshold_is_refused_with_a_clear_message(text):
    from queue_app import gcpolicy  # noqa: PLC0415

    with pytest.raises(ValueError, match="QUEUE_GC_THRESHOLD"):
        gcpolicy.thresholds(text)
