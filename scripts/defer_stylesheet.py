"""Let the built pages paint before the app's stylesheet arrives (run by build-frontend.sh).

Reflex puts the global stylesheet (Radix Themes + assets/queue.css, ~50 KB compressed) in every
page's head as a render-blocking `<link rel="stylesheet">`. On a 1.6 Mbps phone it shares the line
with ~30 script downloads, so nothing painted for ~1.6 s. This marks that link `media="print"`
(fetched without blocking the paint) with an `onload` that switches it to `all`, the usual
"load CSS without blocking" pattern. Until then the inline `SHELL_CSS` (queue_app/pages/shell.py)
shows the loading shell and nothing else. React does not compare attributes when it hydrates a
production build, so the app takes over the same element.

Reflex's build also leaves compressed copies beside each page (`.gz`, `.br`), which the server
prefers: the `.gz` is written anew from the changed page, and the others are removed (the
standard library has no Brotli), so a browser gets the gzip copy.

    python scripts/defer_stylesheet.py .web/build/client
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

_GLOBAL_STYLESHEET = re.compile(
    r'<link\b(?=[^>]*\brel="stylesheet")(?=[^>]*\bhref="[^"]*__reflex_global_styles[^"]*")[^>]*>')
DEFERRED = ' media="print" onload="this.media=\'all\'"'


def defer(html: str) -> str:
    """The page with its global stylesheet link deferred (unchanged if it already is)."""
    def rewrite(link: re.Match) -> str:
        tag = link.group(0)
        if " media=" in tag:
            return tag
        return tag[:-2] + DEFERRED + "/>" if tag.endswith("/>") else tag[:-1] + DEFERRED + ">"
    return _GLOBAL_STYLESHEET.sub(rewrite, html)


def _write(page: Path, html: str) -> None:
    page.write_text(html, encoding="utf-8")
    for sidecar in (".br", ".zst"):
        page.with_name(page.name + sidecar).unlink(missing_ok=True)
    gzipped = page.with_name(page.name + ".gz")
    if gzipped.exists():
        gzipped.write_bytes(gzip.compress(html.encode("utf-8"), compresslevel=9, mtime=0))


def main(build: Path) -> int:
    pages = sorted(build.rglob("*.html"))
    changed = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        deferred = defer(html)
        if _GLOBAL_STYLESHEET.search(html):
            changed += 1
        if deferred != html:
            _write(page, deferred)
    if not changed:  # a Reflex upgrade changed the markup: say so instead of building slow pages
        sys.stderr.write(f"defer_stylesheet: no global stylesheet link in {len(pages)} pages under "
                         f"{build}\n")
        return 1
    sys.stdout.write(f"defer_stylesheet: {changed} of {len(pages)} pages paint before the stylesheet "
                     "arrives\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".web/build/client")))
