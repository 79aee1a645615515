"""The ticket page works out the wait in the browser: its Var operations must match the domain rule.

`pages/ticket.wait_text` compiles to a JavaScript expression; Node runs it for many waits and the
result must be `domain.format_wait`'s, character for character (rounding at half minutes included).
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import reflex as rx

from queue_app import domain
from queue_app.pages.ticket import wait_text

NODE = shutil.which("node")
SECONDS = [0, 1, 29, 29.999, 30, 31, 59, 60, 89, 90, 91, 150, 719, 720, 3539, 3540, 3569, 3570, 3599,
           3600, 3629, 3630, 4800, 7510, 86_399, 90_000] + [n * 7.3 for n in range(0, 2000, 13)]


@pytest.mark.skipif(NODE is None, reason="needs Node.js (installed with the frontend's toolchain)")
def test_the_pages_wait_text_is_the_domains_format_wait_for_every_wait():
    expressions = ",".join(str(wait_text(rx.Var.create(float(s)))) for s in SECONDS)
    shown = json.loads(subprocess.run([NODE, "-e", f"console.log(JSON.stringify([{expressions}]))"],
                                      capture_output=True, text=True, check=True, timeout=60).stdout)
    assert shown == [domain.format_wait(s) for s in SECONDS]


def test_half_a_minute_rounds_up_as_people_expect():
    assert domain.format_wait(90) == "about 2 min"
    assert domain.format_wait(150) == "about 3 min"  # round() would say 2 (to even)
    assert domain.format_wait(29) == "less than a minute"
