"""The build step that keeps the app's stylesheet from blocking the first paint (issue #11)."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location(
    "defer_stylesheet", Path(__file__).resolve().parents[2] / "scripts" / "defer_stylesheet.py")
defer_stylesheet = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(defer_stylesheet)

HEAD = ('<head><link as="style" href="/assets/__reflex_global_styles-CORH0wwQ.css" rel="preload">'
        '<link href="/assets/__reflex_global_styles-CORH0wwQ.css" rel="stylesheet" type="text/css">'
        '<link rel="stylesheet" href="/assets/other.css"></head>')


def test_only_the_global_stylesheet_link_is_deferred_and_the_preload_stays():
    deferred = defer_stylesheet.defer(HEAD)
    assert ('<link href="/assets/__reflex_global_styles-CORH0wwQ.css" rel="stylesheet" '
            'type="text/css" media="print" onload="this.media=\'all\'">') in deferred
    assert '<link as="style" href="/assets/__reflex_global_styles-CORH0wwQ.css" rel="preload">' \
        in deferred
    assert '<link rel="stylesheet" href="/assets/other.css">' in deferred
    assert defer_stylesheet.defer(deferred) == deferred  # running the build step twice is harmless


def test_the_pages_and_their_compressed_copies_change_and_a_build_without_the_link_fails_loudly(
        tmp_path, capsys):
    page = tmp_path / "index.html"
    page.write_text(HEAD)
    (tmp_path / "index.html.gz").write_bytes(gzip.compress(HEAD.encode()))
    (tmp_path / "index.html.br").write_bytes(b"stale")
    (tmp_path / "join").mkdir()
    (tmp_path / "join" / "index.html").write_text("<head></head>")
    assert defer_stylesheet.main(tmp_path) == 0
    assert 'media="print"' in page.read_text()
    # the server prefers the compressed copies: they say the same, or are gone
    assert gzip.decompress((tmp_path / "index.html.gz").read_bytes()).decode() == page.read_text()
    assert not (tmp_path / "index.html.br").exists()
    (tmp_path / "index.html").write_text("<head></head>")
    assert defer_stylesheet.main(tmp_path) == 1
    assert "no global stylesheet link" in capsys.readouterr().err

