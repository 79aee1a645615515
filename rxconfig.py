"""Reflex configuration: telemetry off, the one database URL from our settings."""

import os

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

from queue_app.config import settings

# One worker keeps tab states in memory: they are a cache (every page rebuilds its view in
# on_load), and the default disk manager stats every state file every ~2 s — measured by
# `make bench`: 100 stores × 21 pages p95 2,222 ms → 400 ms. With REFLEX_REDIS_URL, Reflex picks
# its Redis manager (several workers) by itself.
_state_manager = {} if os.environ.get("REFLEX_REDIS_URL") else {"state_manager_mode": "memory"}

config = rx.Config(
    app_name="queue_app",
    db_url=settings.database_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="large"))],
    disable_plugins=[SitemapPlugin],
    # Phones on slow networks: brotli is ~25 % smaller than gzip for the CSS and JS bundles
    # (zstd needs Node 22+; this machine has Node 20).
    frontend_compression_formats=["brotli", "gzip"],
    # A ticket page may sit quietly for hours: keep each tab's state as long as a store can live,
    # so a live push never lands on an expired (empty) state. Reflex's default is one hour.
    redis_token_expiration=int(settings.store_lifetime.total_seconds()) + 3600,
    **_state_manager,
)
