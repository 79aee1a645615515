"""Telling open waiting-room pages that the window moved: one broadcast per slide.

The payload is the same for every visitor (the window end, when it slid, the rate): each page
works out its own status from its own position in the browser. Until the live layer's room
broadcast lands, this keeps the latest window per room for the pages of this process to read.
"""

from __future__ import annotations

import logging

from queue_app.models import WaitingRoom

log = logging.getLogger("queue_app.room_live")


def window_payload(room: WaitingRoom) -> dict:
    """Everything a visitor page needs after a slide; no visitor data at all."""
    return {"window_end": room.window_end, "slid_at": room.slid_at.isoformat(),
            "window_size": room.window_size, "window_interval": room.window_interval,
            "active_windows": room.active_windows, "paused": room.paused}


def publish_window(room: WaitingRoom) -> None:
    log.debug("room %s window at %s", room.id, room.window_end)
