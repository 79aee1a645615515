"""A lean HTTP/1.1 load generator (keep-alive, fixed concurrency), so the client is never the limit.

Each of `concurrency` connections sends one request, reads the whole response (status line,
headers, `content-length` body), and sends the next, until `seconds` have passed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.stats import summary


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    bodies: list[bytes] = field(default_factory=list)
    seconds: float = 0.0

    def report(self) -> dict:
        ok = sum(n for status, n in self.statuses.items() if 200 <= status < 300)
        errors = sum(self.statuses.values()) - ok
        return {"requests": sum(self.statuses.values()), "per_s": round(ok / self.seconds, 1),
                "errors": errors, "statuses": {str(k): v for k, v in self.statuses.items()},
                "latency_ms": summary(self.latencies_ms)}


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length) if length else b""


async def hammer(port: int, request: Callable[[int], bytes], *, concurrency: int, seconds: float,
                 keep_bodies: bool = False, warmup: float = 1.0) -> Outcome:
    """Requests built by `request(i)` from `concurrency` connections for `seconds` (after warm-up)."""
    outcome, counter = Outcome(), iter(range(10**12))
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (sent := time.perf_counter()) < stop_at:
                writer.write(request(next(counter)))
                status, body = await _read_response(reader)
                if sent >= measure_from:
                    outcome.latencies_ms.append((time.perf_counter() - sent) * 1000)
                    outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
                if keep_bodies:
                    outcome.bodies.append(body)
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    outcome.seconds = seconds
    return outcome


def http_request(method: str, path: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Length: 0",
             *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()
