"""End-to-end harness: the app in prod mode from a private copy of the tree, driven by Chromium.

One server runs for the whole session (`scripts/start.sh`, exactly as `make run` starts it), on a
free 127.0.0.1 port, with its own SQLite database and outbox. Each test gets fresh browser
contexts: a tablet (the owner's counter) and phones (customers).
"""

from __future__ import annotations

import email
import email.policy
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.app_process import REPO, free_port, private_tree, stop_process_group
from tests.conftest import REQUIRE_SERVICES
from tests.e2e import a11y

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
START_TIMEOUT = 240.0  # seconds: migrations + frontend build took 10-45 s here (busy 2 cores)
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

TABLET = {"viewport": {"width": 1280, "height": 800}, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
SIZES = ((360, 740), (800, 1280), (1280, 800), (1920, 1080))  # phone, portrait tablet, tablet, TV


def _unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} and CI requires browser tests (QUEUE_TEST_REQUIRE_SERVICES=1)",
                    pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Server:
    """The running app: where it answers, and where its mail lands."""

    url: str
    outbox: Path
    log: Path

    def mails(self) -> list[EmailMessage]:
        """Every mail written to the outbox so far, oldest first."""
        files = sorted(self.outbox.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
        return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in files]

    def wait_for_mail(self, to: str, subject_part: str, timeout: float = 20.0) -> EmailMessage:
        """The first mail to `to` whose subject contains `subject_part`, waiting up to `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for mail in self.mails():
                if mail["To"] == to and subject_part in mail["Subject"]:
                    return mail
            time.sleep(0.25)
        seen = [(m["To"], m["Subject"]) for m in self.mails()]
        raise AssertionError(f"no mail to {to} about {subject_part!r} within {timeout}s; outbox: {seen}")



def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _wait_until_serving(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _answers(url + "/healthz") and _answers(url + "/"):
            return
        time.sleep(1)
    if process.poll() is not None:
        state = f"exited with {process.returncode}"
    else:
        state = f"did not answer within {START_TIMEOUT:.0f}s"
    stop_process_group(process)
    tail = log.read_text(errors="replace")[-6000:]
    pytest.fail(f"the app at {url} did not start ({state}); its log:\n{tail}", pytrace=False)





@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    return CHROMIUM


def start_app(root: Path, **extra_env: str) -> tuple[subprocess.Popen, str, Path]:
    """Start the app from a private tree under `root`; returns (process, url, log) once it answers.

    The environment is this one without any `QUEUE_*`/`REFLEX_*` variable, plus a free port, a
    SQLite database, an outbox and a secret of its own, plus `extra_env`.
    """
    tree, port, log = private_tree(root), free_port(), root / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUEUE_", "REFLEX_"))}
    env.update({"QUEUE_PORT": str(port), "QUEUE_DATABASE_URL": f"sqlite:///{root / 'queue.db'}",
                "QUEUE_OUTBOX_DIR": str(root / "outbox"), "QUEUE_SECRET_KEY": secrets.token_urlsafe(48),
                "QUEUE_REPORT_ARCHIVE_DIR": str(root / "archive"), **extra_env})  # extra_env wins
    with log.open("wb") as out:
        process = subprocess.Popen(["bash", "scripts/start.sh"], cwd=tree, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    _wait_until_serving(process, url, log)
    return process, url, log


stop_app = stop_process_group  # for tests that start an app of their own


@pytest.fixture(scope="session")
def server(chromium) -> Iterator[Server]:
    """The app in prod mode on a free port, started by `scripts/start.sh` like `make run`.

    Its folder is not under pytest's `tmp_path`: other pytest runs on this machine rotate those
    folders away, and this one must live until the session ends.
    """
    root = Path(tempfile.mkdtemp(prefix="queue-e2e-"))
    # Behind a "proxy": each browser context is a device with an address of its own (see
    # `new_page`), so the whole session's stores do not share one IP's open-store limit.
    process, url, log = start_app(root, QUEUE_TRUST_PROXY="1")
    yield Server(url=url, outbox=root / "outbox", log=log)
    stop_process_group(process)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(chromium, server):
    from playwright.sync_api import expect, sync_playwright

    if not a11y.AXE_JS.exists():
        _unavailable(f"{a11y.AXE_JS} is missing (make setup-dev installs axe-core)")
    (a11y.RESULTS / "audits.jsonl").unlink(missing_ok=True)
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    a11y.write_summary()


@pytest.fixture
def new_page(browser, server, request) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh browser context (its own storage: a separate device).

    When the test ends, axe audits every page still open (the last state each one reached).
    """
    contexts = []

    def open_page(device: dict | None = None, **options):
        address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
        options.setdefault("extra_http_headers", {"X-Forwarded-For": address})
        context = browser.new_context(base_url=server.url, **(device or {}), **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    open_page.contexts = contexts
    yield open_page
    failures = []
    for number, page in enumerate((p for c in contexts for p in c.pages), start=1):
        if not page.is_closed() and page.url.startswith(server.url):
            found = a11y.blocking(a11y.audit(page, f"{request.node.name}-end-{number}"))
            failures += [f"{page.url}:\n{a11y.describe(found)}"] if found else []
    for context in contexts:
        context.close()
    assert not failures, "axe found serious/critical violations:\n" + "\n".join(failures)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """When a browser test fails: a screenshot of every open page, and the server log's tail."""
    report = yield
    if report.when != "call" or not report.failed or "new_page" not in getattr(item, "funcargs", {}):
        return report
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = [page for context in item.funcargs["new_page"].contexts for page in context.pages]
    for number, page in enumerate(pages, start=1):
        try:
            page.screenshot(path=str(SCREENSHOTS / f"{item.name}-failure-{number}.png"), full_page=True)
        except Exception as error:  # noqa: BLE001  (a closed page must not hide the real failure)
            report.sections.append((f"screenshot {number}", repr(error)))
    server = item.funcargs.get("server")
    if server is not None:
        report.sections.append(("server log (tail)", server.log.read_text(errors="replace")[-4000:]))
    return report


@pytest.fixture
def tablet(new_page):
    """The owner's counter tablet (landscape 1280×800, touch)."""
    return new_page(TABLET, timezone_id="Europe/Paris")


@pytest.fixture
def phone(new_page):
    """A customer's phone (390×844, mobile, touch)."""
    return new_page(PHONE)


@pytest.fixture
def second_phone(new_page):
    return new_page(PHONE)


@pytest.fixture
def shot(request) -> Callable[[object, str], Path]:
    """`shot(page, "step")` audits the page with axe, then saves `<test>-<step>.png`.

    `shot.sizes(page, "step")` does it at every size of `SIZES` (`<test>-<step>-<width>.png`) and
    gives the viewport back.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, step: str, *, full_page: bool = True) -> Path:
        where = f"{request.node.name}-{step}"
        a11y.assert_accessible(page, where)
        path = SCREENSHOTS / f"{where}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    def sizes(page, step: str, *, full_page: bool = True) -> list[Path]:
        before, paths = page.viewport_size, []
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(300)  # layout and fonts settle
            paths.append(save(page, f"{step}-{width}", full_page=full_page))
        page.set_viewport_size(before)
        return paths

    save.sizes = sizes
    return save
