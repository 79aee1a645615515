"""Public pages find their store by slug through a per-process cache: slugs never change.

A flood of public page loads (`/s/<slug>`, forged or reloaded) then costs a dictionary look-up
each; what the page shows comes from the store's room payload (`live`), not from a database read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

MAX_STORES = 10_000


class SlugCache:
    def __init__(self) -> None:
        self._slugs: dict[str, int] = {}
        self._lock = threading.Lock()

    def store_id(self, slug: str, find: Callable[[str], int]) -> int:
        """The store of a public slug, looked up with `find` once (it raises for an unknown slug)."""
        with self._lock:
            found = self._slugs.get(slug)
        if found is None:
            found = find(slug)  # an unknown slug raises NotFound: nothing is cached
            with self._lock:
                if len(self._slugs) >= MAX_STORES:
                    self._slugs.clear()
                self._slugs[slug] = found
        return found


public_slugs = SlugCache()
