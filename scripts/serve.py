"""Serve the built app (run by scripts/start.sh after migrations and the frontend build).

`python scripts/serve.py --backend-host H --backend-port P` is `reflex run --env prod
--backend-only` with two changes:

- the backend mounts the prebuilt frontend (`.web/build/client`): Reflex 0.10.1 does that only
  when `run` builds the frontend itself, and with `--backend-only` it serves no page at all;
- the server runs `queue_app.asgi:app` (Reflex's app behind a front door that sends `/api/v1`
  straight to the API), on the ASGI server `QUEUE_SERVER` names, `uvicorn` or `granian`
  (Reflex's default), with `QUEUE_WORKERS` worker processes (else `GRANIAN_WORKERS`, else
  Reflex's default). Unset: uvicorn.

Why uvicorn (measured, docs/performance.md): an open page holds ~75 KB of server memory on uvicorn
with wsproto against ~230 KB on granian, whose websocket alone takes ~150 KB; a push to 1,000 pages
costs about a quarter less CPU. Permessage-deflate stays off, as on granian: a zlib context per
socket is ~50 KB and compressing every frame per socket tripled the CPU of a push. Proxy headers
are left to the app (`QUEUE_TRUST_PROXY`), so there is one rule for whom to believe.

Several uvicorn workers each listen on a socket of their own (`SO_REUSEPORT`), so the kernel
spreads new connections over them. With uvicorn's one shared socket, whichever worker woke first
accepted the whole burst waiting in the backlog: 40 websockets opened at once landed 39 / 1 on two
workers (40 opened one after another: 22 / 18), and the two-worker browser test saw every phone on
one worker. With a socket per worker the same burst landed 17 / 23 and 25 / 15.
"""

from __future__ import annotations

import functools
import os
import socket
import sys

from reflex.reflex import cli
from reflex.utils import exec as reflex_exec
from reflex.utils import prerequisites, processes

TARGET = "queue_app.asgi:app"


def listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A TCP socket listening on host:port; `reuse_port`: one of several, the kernel spreads over them."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run_worker(config, sockets=None) -> None:
    """One uvicorn worker process on a socket of its own (`sockets` from the supervisor: none)."""
    import uvicorn  # noqa: PLC0415

    own = listening_socket(config.host, config.port, reuse_port=True)
    uvicorn.Server(config).run(sockets=[own])


def serve(host: str, port: int, loglevel, *_args, **_kwargs) -> None:
    reflex_exec.environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    workers = int(os.environ.get("QUEUE_WORKERS") or os.environ.get("GRANIAN_WORKERS")
                  or processes.get_num_workers())
    server = os.environ.get("QUEUE_SERVER") or "uvicorn"
    if server == "uvicorn":
        import uvicorn  # noqa: PLC0415
        from uvicorn.supervisors import Multiprocess  # noqa: PLC0415

        # Several workers are spawned processes, which start from this one's sys.path: the app's
        # folder must be on it (here sys.path[0] is scripts/).
        sys.path.insert(0, os.getcwd())
        config = uvicorn.Config(
            TARGET, factory=True, host=host, port=int(port), workers=workers, loop="uvloop",
            http="httptools", ws="wsproto", ws_per_message_deflate=False, proxy_headers=False,
            server_header=False, lifespan="on", timeout_graceful_shutdown=10,
            log_level=loglevel.value)
        if workers == 1:
            uvicorn.Server(config).run()
        else:  # uvicorn's supervisor (restarts a worker that dies), each worker on its own socket
            Multiprocess(config, target=functools.partial(run_worker, config), sockets=[]).run()
    elif server == "granian":
        prerequisites.get_app()  # imported before the workers fork, as for Reflex's own target
        os.environ["GRANIAN_WORKERS"] = str(workers)
        reflex_exec.run_granian_backend_prod(host, port, loglevel, app_target=TARGET)
    else:
        sys.exit(f"QUEUE_SERVER={server!r}: use granian or uvicorn")


if __name__ == "__main__":
    reflex_exec.run_backend_prod = serve
    sys.argv = ["reflex", "run", "--env", "prod", "--backend-only", *sys.argv[1:]]
    cli(prog_name="reflex")
