"""A recorder in place of `live.adapter` (the socket edge): rooms joined and every emit, in order.

The hub, the views, the snapshot and the database are the real ones; only the sockets are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from queue_app import live
from queue_app.live import adapter
from queue_app.live.core import Hub
from queue_app.live.ledger import MemoryLedger
from queue_app.live.registry import Registry


@dataclass
class Sockets:
    rooms: dict[str, str] = field(default_factory=dict)  # token → its room
    sent: list[tuple[str, frozenset[str], str, dict]] = field(default_factory=list)
    offline: set[str] = field(default_factory=set)  # tokens whose tab is closed

    async def join_room(self, token: str, room: str) -> None:
        self.rooms[token] = room

    async def leave_rooms(self, token: str) -> None:
        self.rooms.pop(token, None)

    async def emit_to_room(self, room: str, state_cls: type, values: dict) -> None:
        members = frozenset(t for t, r in self.rooms.items() if r == room and t not in self.offline)
        self.sent.append((room, members, state_cls.get_full_name(), values))

    async def emit_to_tab(self, token: str, state_cls: type, values: dict) -> bool:
        if token in self.offline:
            return False
        self.sent.append((token, frozenset({token}), state_cls.get_full_name(), values))
        return True

    def frames(self, token: str) -> list[tuple[str, dict]]:
        """(state full name, values) of every emit that reached this tab, in order."""
        return [(state, values) for _, members, state, values in self.sent if token in members]

    def seen(self, token: str, state_cls: type) -> dict:
        """The vars of `state_cls` as this tab's browser holds them now (every delta merged)."""
        merged: dict = {}
        for state, values in self.frames(token):
            if state == state_cls.get_full_name():
                merged.update(values)
        return merged

    def room_emits(self, room: str) -> list[dict]:
        return [values for to, _, _, values in self.sent if to == room]


@pytest.fixture
def sockets(monkeypatch) -> Sockets:
    recorder = Sockets()
    for name in ("join_room", "leave_rooms", "emit_to_room", "emit_to_tab"):
        monkeypatch.setattr(adapter, name, getattr(recorder, name))
    hub = Hub(registry=Registry(), ledger=MemoryLedger())
    hub.bind(live.hub.states)
    monkeypatch.setattr(live, "hub", hub)
    return recorder
