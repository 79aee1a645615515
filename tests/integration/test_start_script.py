"""The container's start path: build the frontend once, then start without rebuilding it.

`scripts/build-frontend.sh` runs at image build and `QUEUE_PREBUILT_FRONTEND=1 scripts/start.sh`
at container start; both run here for real, in a private copy of the tree (never the shared `.web/`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.app_process import REPO, free_port, private_tree, stop_process_group

pytestmark = pytest.mark.e2e

BUILD_TIMEOUT = 240  # seconds; ~15 s here with bun's cache warm
START_TIMEOUT = 60  # seconds; the prebuilt start answered in ~5 s here



def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""





@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict]:
    """A tree whose frontend was built by the build script, then started with the prebuilt flag."""
    if not (REPO / ".tools/node_modules/.bin/bun").exists():
        pytest.skip("bun is not installed in .tools (run `make setup-dev`)")
    root = tmp_path_factory.mktemp("start")
    tree, port = private_tree(root), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUEUE_", "REFLEX_"))}
    env.update(QUEUE_PORT=str(port), QUEUE_DATABASE_URL=f"sqlite:///{root / 'queue.db'}",
               QUEUE_OUTBOX_DIR=str(root / "outbox"), QUEUE_REPORT_ARCHIVE_DIR=str(root / "archive"))
    build = subprocess.run(["bash", "scripts/build-frontend.sh"], cwd=tree, env=env, capture_output=True,
                           text=True, timeout=BUILD_TIMEOUT, stdin=subprocess.DEVNULL)
    if build.returncode != 0:
        output = build.stdout[-3000:] + build.stderr[-3000:]
        pytest.fail(f"the build script failed:\n{output}", pytrace=False)
    log = root / "start.log"
    with log.open("wb") as out:
        process = subprocess.Popen(["bash", "scripts/start.sh"], cwd=tree, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env={**env, "QUEUE_PREBUILT_FRONTEND": "1"}, start_new_session=True)
    url, started = f"http://127.0.0.1:{port}", time.monotonic()
    try:
        while time.monotonic() - started < START_TIMEOUT and process.poll() is None:
            if _get(url + "/")[0] == 200:
                break
            time.sleep(0.25)
        yield {"url": url, "tree": tree, "root": root, "log": log, "env": env,
               "seconds_to_first_page": time.monotonic() - started}
    finally:
        stop_process_group(process)


def test_the_prebuilt_app_serves_its_pages_and_health_on_one_port_within_seconds(site):
    log = site["log"].read_text(errors="replace")
    status, html = _get(site["url"] + "/")
    assert status == 200, log[-4000:]
    assert "<title>Open a store · Queue System</title>" in html
    assert _get(site["url"] + "/join/any-pass")[0] == 200  # dynamic routes are served too
    status, body = _get(site["url"] + "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert "building it now" not in log and "Creating Production Build" not in log
    assert site["seconds_to_first_page"] < 30, f"took {site['seconds_to_first_page']:.1f}s"


def test_start_applied_every_migration_before_serving(site):
    head = ScriptDirectory.from_config(Config(str(site["tree"] / "alembic.ini"))).get_current_head()
    with sqlite3.connect(site["root"] / "queue.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"store", "queue"} <= tables


def test_a_build_made_for_another_port_or_older_source_is_not_reused(site):
    def stamp(port: str) -> str:
        return subprocess.run(["bash", "scripts/build-frontend.sh", "--stamp"], cwd=site["tree"],
                              env={**site["env"], "QUEUE_PORT": port}, capture_output=True, text=True,
                              check=True).stdout.strip()

    port = site["env"]["QUEUE_PORT"]
    built = (site["tree"] / ".web/build/queue-stamp").read_text().strip()
    assert stamp(port) == built
    assert stamp("8123") != built  # the browser would look for the websocket on the wrong port
    (site["tree"] / "queue_app/new_page.py").write_text('"""A page added since."""\n', encoding="utf-8")
    assert stamp(port) != built  # the frontend would be compiled from other pages
