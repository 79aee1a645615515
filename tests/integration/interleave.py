"""Forcing an interleaving: pause a transaction at one SQL statement, run another, then go on.

`pause_at(engine, "INSERT INTO party")` stops the first session that sends that statement right
before it does (its earlier statements, and their locks, already happened) until `release()`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import sqlalchemy as sa
from sqlmodel import Session


class Pause:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.upper()
        self.reached = threading.Event()
        self._go = threading.Event()
        self._taken = threading.Lock()

    def hook(self, _conn, _cursor, statement: str, *_args) -> None:
        if not statement.lstrip().upper().startswith(self.prefix):
            return
        if self._taken.acquire(blocking=False):  # only the first session to get here waits
            self.reached.set()
            self._go.wait(timeout=30)

    def release(self) -> None:
        self._go.set()


@contextlib.contextmanager
def pause_at(engine: sa.Engine, prefix: str) -> Iterator[Pause]:
    pause = Pause(prefix)
    sa.event.listen(engine, "before_cursor_execute", pause.hook)
    try:
        yield pause
    finally:
        pause.release()
        sa.event.remove(engine, "before_cursor_execute", pause.hook)


# Waits that are meant to run out poll with `time.sleep` instead of `Event.wait(timeout)`,
# `Future.result(timeout)` or `Barrier(timeout)`: under Debian's faketime (libfaketime 0.9.10) a
# thread wait that should time out never does, because Python's `sem_clockwait` deadline comes
# from the faked monotonic clock and the kernel waits for it. Waits that end by being woken are fine.

def wait_until(done: Callable[[], bool], seconds: float) -> bool:
    """Poll `done()` for up to `seconds`; whether it came true."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def still_blocked(future: Future, seconds: float = 1.0) -> bool:
    """True when `future` has not finished after `seconds`."""
    return not wait_until(future.done, seconds)


_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="interleave")


def in_thread(engine: sa.Engine, work: Callable[[Session], object]) -> Future:
    """Run `work(session)` with a session of its own on another thread."""
    def run():
        with Session(engine, expire_on_commit=False) as session:
            return work(session)
    return _pool.submit(run)
