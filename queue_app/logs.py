"""Logging setup: one line per record with a request id where one is known; never secrets."""

from __future__ import annotations

import logging
import os


def configure_logging() -> None:
    level = os.environ.get("QUEUE_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("queue_app")
    if not root.handlers:
        root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
