"""Running the real app in tests: a private copy of the source tree, a free port, process groups."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COPIED = ("rxconfig.py", "queue_app", "assets", "alembic", "alembic.ini", "scripts", "requirements.txt",
          "reflex.lock")
LINKED = (".venv", ".tools")


def private_tree(root: Path) -> Path:
    """A copy of the source tree, so a build never touches the shared `.web/` of the repo.

    `.web/node_modules` is not copied: measured here, start-to-serving took 10-12 s without it
    (bun links from its cache) and 21-27 s with a 150 MB copy.
    """
    tree = root / "app"
    tree.mkdir()
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, tree / name)
    for name in LINKED:
        (tree / name).symlink_to(REPO / name)
    return tree


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop the whole process group (start.sh → reflex → granian/bun children)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass
    try:  # children that outlived the leader
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
