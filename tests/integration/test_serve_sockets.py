"""Several uvicorn workers each listen on a socket of their own, so a burst of connects spreads.

`scripts/serve.py` gives every worker its own `SO_REUSEPORT` socket. With uvicorn's one shared
socket, the worker that woke first accepted the whole burst waiting in the backlog (39 of 40 on
two workers); the kernel's spreading over a socket per worker is what this checks, on two real
uvicorn servers and 40 websockets opened at once.
"""

from __future__ import annotations

import asyncio
import collections
import socket
import subprocess
import sys
import time
from pathlib import Path

from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[2]
APP = '''
import os
async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": str(os.getpid())})
        while (await receive())["type"] != "websocket.disconnect":
            pass
'''
WORKER = '''
import sys, uvicorn
sys.path[:0] = [{scripts!r}, {here!r}]
from serve import listening_socket
config = uvicorn.Config("bare_app:app", host="127.0.0.1", port={port}, ws="wsproto", log_level="warning")
uvicorn.Server(config).run(sockets=[listening_socket("127.0.0.1", {port}, reuse_port=True)])
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _burst(port: int, n: int) -> collections.Counter:
    deadline = time.monotonic() + 60
    while True:  # both workers up: a connect succeeds
        try:
            async with connect(f"ws://127.0.0.1:{port}/") as ws:
                await ws.recv()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
    await asyncio.sleep(1)  # the second worker may start a moment after the first
    sockets = await asyncio.gather(*(connect(f"ws://127.0.0.1:{port}/") for _ in range(n)))
    try:
        return collections.Counter([await ws.recv() for ws in sockets])
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))


def test_a_burst_of_connects_spreads_over_workers_with_a_socket_each(tmp_path):
    (tmp_path / "bare_app.py").write_text(APP)
    port = _free_port()
    code = WORKER.format(scripts=str(ROOT / "scripts"), here=str(tmp_path), port=port)
    workers = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT) for _ in range(2)]
    try:
        by_worker = asyncio.run(_burst(port, 40))
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    assert sum(by_worker.values()) == 40
    assert len(by_worker) == 2 and min(by_worker.values()) >= 5, by_worker
