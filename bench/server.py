"""The app under test: a private copy of the source tree, its own database, started in prod mode.

The server runs `scripts/start.sh` (the production start script) pinned to core 0 with `taskset`;
the load generator pins itself to core 1. `QUEUE_TRUST_PROXY=1` lets each simulated phone carry its
own address in `X-Forwarded-For`, as phones behind a shop's reverse proxy do, so the per-IP join
limit (30 per 10 min) applies per phone and not to the whole benchmark.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

log = logging.getLogger("bench.server")
REPO = Path(__file__).resolve().parent.parent
COPIED = ("rxconfig.py", "queue_app", "assets", "alembic", "alembic.ini", "scripts", "requirements.txt",
          "reflex.lock")
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
SERVER_CPUS = os.environ.get("BENCH_SERVER_CPUS", "0")
CLIENT_CPUS = os.environ.get("BENCH_CLIENT_CPUS", "1")
# Other jobs may share this machine: the bench (and so the app and browsers it starts, which inherit
# it) runs at a higher priority (root only), so that they, not a neighbour's test, decide the figures.
NICE = int(os.environ.get("BENCH_NICE", "-10"))


def pin_self() -> str:
    """Pin the load generator to its own core(s) where the machine has more than one."""
    priority = ""
    if NICE and os.geteuid() == 0:
        os.nice(NICE)
        priority = f", both at nice {NICE}"
    if (os.cpu_count() or 1) < 2:
        return "not pinned (1 core)" + priority
    os.sched_setaffinity(0, {int(c) for c in CLIENT_CPUS.split(",")})
    return f"server on CPU {SERVER_CPUS}, load generator on CPU {CLIENT_CPUS}{priority}"


def private_copy() -> Path:
    """Copy the source tree into a temp dir (its own `.web`), sharing `.venv` and `.tools`."""
    root = Path(tempfile.mkdtemp(prefix="queue-bench-"))
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, root / name)
    for name in (".venv", ".tools"):
        (root / name).symlink_to(REPO / name)
    if os.environ.get("BENCH_VENV"):  # another interpreter for the app, e.g. one with uvicorn added
        (root / ".venv").unlink()
        (root / ".venv").symlink_to(os.environ["BENCH_VENV"])
    return root


@contextlib.contextmanager
def database(use_sqlite: bool, root: Path):
    """A fresh database for this run: PostgreSQL (dropped afterwards) or a SQLite file."""
    if use_sqlite:
        yield f"sqlite:///{root / 'var' / 'bench.db'}"
        return
    name = f"queue_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# One secret for the app and for the bench's seeding (sign-in tokens are stored as keyed hashes).
SECRET_KEY = secrets.token_urlsafe(48)
EXTRA_ENV: dict[str, str] = {}  # `--app-env KEY=VALUE`: try a setting without changing the code


def app_env(root: Path, db_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUEUE_", "REFLEX_"))}
    env.update(QUEUE_PORT=str(port), QUEUE_DATABASE_URL=db_url, QUEUE_SCHEDULER="off", QUEUE_TRUST_PROXY="1",
               QUEUE_SECRET_KEY=SECRET_KEY, QUEUE_EVENTS_PER_SECOND="0",
               QUEUE_LOG_LEVEL="WARNING", QUEUE_OUTBOX_DIR=str(root / "var"), QUEUE_PREBUILT_FRONTEND="1")
    env.update(EXTRA_ENV)
    return env


def build_frontend(root: Path, db_url: str, port: int) -> float:
    """`scripts/build-frontend.sh` in the copy, for `port` (the port every start of this run uses)."""
    (root / "var").mkdir(exist_ok=True)
    started = time.perf_counter()
    with open(root / "var" / "build.log", "ab") as out:
        subprocess.run(["bash", "scripts/build-frontend.sh"], cwd=root, env=app_env(root, db_url, port),
                       stdout=out, stderr=subprocess.STDOUT, check=True, timeout=900)
    return time.perf_counter() - started


def tree_pids(root: int) -> list[int]:
    """`root` and every process below it."""
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        found.append(pid)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    frontier.extend(int(c) for c in f.read().split())
    return found


def tree_rss(root: int) -> int:
    """Resident memory of `root` and its descendants, in bytes."""
    total = 0
    for pid in tree_pids(root):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


class AppServer:
    """One run of `QUEUE_PREBUILT_FRONTEND=1 scripts/start.sh`.

    `start()` returns the seconds from the spawn until the first page and the backend both answered.
    """

    def __init__(self, root: Path, db_url: str, port: int) -> None:
        self.root, self.db_url, self.port = root, db_url, port
        self.proc: subprocess.Popen | None = None
        self.log_path = root / "var" / "server.log"

    def env(self) -> dict[str, str]:
        return app_env(self.root, self.db_url, self.port)

    def start(self, timeout: float = 300.0) -> float:
        (self.root / "var").mkdir(exist_ok=True)
        command = ["scripts/start.sh"]
        if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
            command = ["taskset", "-c", SERVER_CPUS, *command]
        started = time.perf_counter()
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(command, cwd=self.root, env=self.env(), stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log_path}")
            if self.serves("/") and self.serves("/ping"):
                return time.perf_counter() - started
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"server not up after {timeout:.0f} s; see {self.log_path}")

    def serves(self, path: str) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def pids(self) -> list[int]:
        """The server process and every descendant (Reflex runs its worker in a child process)."""
        return tree_pids(self.proc.pid) if self.proc is not None else []

    def rss_bytes(self) -> int:
        return tree_rss(self.proc.pid) if self.proc is not None else 0

    def worker_pid(self) -> int:
        """The process that runs the app's event loop (the largest Python process of the tree)."""
        def rss(pid: int) -> int:
            with contextlib.suppress(OSError), open(f"/proc/{pid}/statm") as f:
                return int(f.read().split()[1])
            return 0
        return max(self.pids(), key=rss)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
