"""`live.adapter`: a room of tabs gets one emit, on one worker and across workers on Redis."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bench.client import Tab
from tests.app_process import REPO, free_port
from tests.conftest import REDIS_URL, require_service

STATE = "reflex___state____state.room_app____room_state"
RXCONFIG = ('import reflex as rx\nconfig = rx.Config(app_name="room_app", telemetry_enabled=False{})\n')


def _serve(tmp_path: Path, workers: int, redis_url: str = "") -> tuple[subprocess.Popen, int]:
    memory = "" if redis_url else ', state_manager_mode="memory"'
    (tmp_path / "rxconfig.py").write_text(RXCONFIG.format(memory))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFLEX_", "QUEUE_"))}
    env.update(PYTHONPATH=f"{REPO}:{REPO / 'tests' / 'integration'}", QUEUE_SCHEDULER="off")
    if redis_url:
        env["REFLEX_REDIS_URL"] = redis_url
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "granian"), "--interface", "asgi", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "room_app:asgi"],
        cwd=tmp_path, env=env, stdout=open(tmp_path / "server.log", "wb"), stderr=subprocess.STDOUT,
        start_new_session=True)
    # Every worker must answer before the test opens sockets: on a busy machine the first worker
    # can take every connection while the second is still importing the app.
    deadline, answered = time.monotonic() + 60, set()
    while time.monotonic() < deadline:
        try:
            answered.add(_get(port, "/whoami")["worker"])
        except OSError:
            pass
        if len(answered) == workers:
            return process, port
        time.sleep(0.05)
    _stop(process)
    pytest.fail(f"{len(answered)} of {workers} room app workers answered in 60 s: "
                f"{(tmp_path / 'server.log').read_text()[-2000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(5)


def _get(port: int, path: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return json.loads(response.read())


def _post(port: int, path: str, body: dict) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _frames(tab: Tab) -> list[dict]:
    return [json.loads(raw) for _, raw in tab.received if STATE in raw]


async def _open(port: int, count: int) -> list[Tab]:
    tabs = [Tab(f"ws://127.0.0.1:{port}", parse=True) for _ in range(count)]
    await asyncio.gather(*(tab.open(None) for tab in tabs))
    return tabs


async def _settle(tabs: list[Tab], value: str, timeout: float = 10.0) -> None:
    """Wait until every tab got the value, then a little longer for any duplicate."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(
            tab.state.get(STATE, {}).get("value_rx_state_") == value for tab in tabs):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)


def test_two_tabs_in_a_room_get_one_emit_and_a_tab_elsewhere_gets_none(tmp_path):
    process, port = _serve(tmp_path, workers=1)

    async def scenario():
        first, second, other = await _open(port, 3)
        for tab in (first, second):
            _post(port, "/join", {"token": tab.token, "room": "store:1:customer"})
        _post(port, "/join", {"token": other.token, "room": "store:2:customer"})
        _post(port, "/emit", {"room": "store:1:customer", "value": "A-007"})
        await _settle([first, second], "A-007")
        try:
            return [_frames(tab) for tab in (first, second, other)]
        finally:
            await asyncio.gather(*(tab.close() for tab in (first, second, other)))

    try:
        first, second, other = asyncio.run(scenario())
    finally:
        _stop(process)
    expected = [{"delta": {STATE: {"value_rx_state_": "A-007"}}}]
    assert first == expected and second == expected
    assert other == []


def test_joining_another_room_leaves_the_first(tmp_path):
    process, port = _serve(tmp_path, workers=1)

    async def scenario():
        (tab,) = await _open(port, 1)
        _post(port, "/join", {"token": tab.token, "room": "store:1:public"})
        _post(port, "/join", {"token": tab.token, "room": "store:1:customer"})
        _post(port, "/emit", {"room": "store:1:public", "value": "old page"})
        _post(port, "/emit", {"room": "store:1:customer", "value": "this page"})
        await _settle([tab], "this page")
        await tab.close()
        return _frames(tab)

    try:
        frames = asyncio.run(scenario())
    finally:
        _stop(process)
    assert frames == [{"delta": {STATE: {"value_rx_state_": "this page"}}}]


@pytest.mark.redis
def test_with_two_workers_on_redis_a_tab_on_the_other_worker_gets_the_emit(tmp_path):
    require_service(REDIS_URL, "QUEUE_TEST_REDIS_URL")
    import redis

    redis_url = REDIS_URL.rsplit("/", 1)[0] + "/6"  # a database of its own, emptied first
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    process, port = _serve(tmp_path, workers=2, redis_url=redis_url)

    def worker_of(tab: Tab) -> str:
        record = client.get(f"token_manager_socket_record_{tab.token}")
        return pickle.loads(record).instance_id if record else ""  # noqa: S301 (our own local Redis)

    async def scenario():
        tabs: list[Tab] = []
        while len(tabs) < 40 and len({worker_of(tab) for tab in tabs} - {""}) < 2:
            tabs += await _open(port, 2)
        workers = {worker_of(tab) for tab in tabs} - {""}
        handlers = set()
        for tab in tabs:  # the HTTP request lands on either worker: joins of remote sockets too
            handlers.add(_post(port, "/join", {"token": tab.token, "room": "store:9:public"})["worker"])
        _post(port, "/emit", {"room": "store:9:public", "value": "B-003"})
        await _settle(tabs, "B-003")
        try:
            return workers, [_frames(tab) for tab in tabs]
        finally:
            await asyncio.gather(*(tab.close() for tab in tabs))

    try:
        workers, frames = asyncio.run(scenario())
    finally:
        _stop(process)
        client.flushdb()
    assert len(workers) == 2, "the tabs never spread over both workers"
    assert all(got == [{"delta": {STATE: {"value_rx_state_": "B-003"}}}] for got in frames), frames
