"""Design prototypes, applied as text patches to the bench's private copy only (never to the repo).

They put numbers on a proposed change before the owner of the module makes it for real. A patch
whose anchor text is gone refuses to apply, so a stale prototype fails loudly instead of measuring
the unpatched code.
"""

from __future__ import annotations

from pathlib import Path

PATCHES: dict[str, tuple[str, str, str]] = {
    # Fan out concurrently (one task per changed tab, owner screens first) instead of awaiting each
    # tab's socket write in turn.
    "concurrent-push": ("queue_app/live/__init__.py", """    pushed = 0
    for token, watch in members:
        view_cls = _views.get(watch.view)
        if view_cls is not None:
            pushed += await _push(token, view_cls, view_cls.view(snapshot, watch.context))
""", """    work = sorted(((token, _views[watch.view], watch) for token, watch in members
                   if watch.view in _views),
                  key=lambda item: not any(k in item[2].view for k in ("dashboard", "display")))
    pushed = sum(await asyncio.gather(*(_push(token, cls, cls.view(snapshot, watch.context))
                                        for token, cls, watch in work)))
"""),
}


def apply(root: Path, name: str) -> None:
    path, anchor, replacement = PATCHES[name]
    target = root / path
    text = target.read_text()
    if anchor not in text:
        raise RuntimeError(f"prototype {name!r}: {path} changed, the patch no longer applies")
    target.write_text(text.replace(anchor, replacement))
