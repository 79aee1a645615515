"""Logging setup: one line per record with a request id where one is known; never secrets."""

from __future__ import annotations

import logging
import os
import secrets


def configure_logging() -> None:
    level = os.environ.get("QUEUE_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("queue_app")
    if not root.handlers:
        root.addHandler(handler)
    root.setLevel(level)


def report_unhandled(exception: Exception):
    """Reflex's backend exception handler: log with an error id, show the id, never a traceback."""
    import reflex as rx  # noqa: PLC0415

    error_id = secrets.token_hex(4)
    logging.getLogger("queue_app.errors").error("unhandled error [%s]", error_id, exc_info=exception)
    return rx.toast.error(f"Something went wrong — please try again. (error id {error_id})")
