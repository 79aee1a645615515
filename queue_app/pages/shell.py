"""The loading shell: what a phone paints before the app's scripts arrive (issue #11, item 8).

Pages with a route parameter (`/join/…`, `/ticket/…`) are served from one prebuilt HTML file that
holds only the app's frame, so on a slow network the screen stayed white until the JavaScript ran
(~1.5 s at 1.6 Mbps). The shell sits in that frame: the brand, a bar where the store's name will
be, and a spinner, all plain HTML and CSS. Once a page renders beside it, `assets/queue.css` hides
it (`.loading-shell:not(:last-child)`).

The shell paints before the app's stylesheet (Radix Themes, ~50 KB compressed) arrives:
`scripts/defer_stylesheet.py` marks that stylesheet `media="print"` in the built HTML, with an
`onload` that switches it to `all`, so it no longer blocks the first paint, and the shell's own
rules (`SHELL_CSS`) travel inline in the head. While the stylesheet is still `print`, `SHELL_CSS`
shows the shell and hides whatever a prerendered page put beside it, so nothing unstyled flashes.
"""

from __future__ import annotations

import reflex as rx

from queue_app import styles

# Link previews (chat apps fetch the URL without running it, so no pass is consumed) read these.
DESCRIPTION = "Join the line from your phone and see your place live — no app, no account."
PREVIEW_META = [
    rx.el.meta(name="description", content=DESCRIPTION),
    rx.el.meta(property="og:title", content="Queue System — join the queue"),
    rx.el.meta(property="og:description", content=DESCRIPTION),
    rx.el.meta(property="og:type", content="website"),
]


# Radix's colour tokens are in the stylesheet that has not arrived yet: every colour has a fallback.
_WAITING_FOR_STYLES = 'html:has(link[rel="stylesheet"][media="print"])'
SHELL_CSS = f"""
.loading-shell {{ min-height: 100vh; display: flex; justify-content: center; padding: 1.5rem 1rem;
  background: var(--gray-2, #f9f9f9); box-sizing: border-box; font-family: system-ui, sans-serif; }}
.loading-shell-brand {{ font-weight: 700; color: var(--indigo-11, #3a5bc7); margin: 0; }}
.loading-shell-text {{ color: var(--gray-11, #646464); margin: 0; }}
.loading-shell-bar {{ width: 70%; height: 2rem; border-radius: 8px; background: var(--gray-4, #e8e8e8); }}
.loading-shell-spinner {{ width: 2.5rem; height: 2.5rem; border-radius: 50%;
  border: 4px solid var(--gray-5, #e0e0e0); border-top-color: var(--indigo-9, #3e63dd);
  animation: loading-shell-spin 0.9s linear infinite; }}
@keyframes loading-shell-spin {{ to {{ transform: rotate(360deg); }} }}
{_WAITING_FOR_STYLES} .loading-shell {{ display: flex; }}
{_WAITING_FOR_STYLES} .loading-shell ~ * {{ display: none; }}
"""


def shell_style() -> rx.Component:
    """The shell's rules, inline in the head (see the module's docstring)."""
    return rx.el.style(SHELL_CSS)


def loading_shell() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.p("Queue System", class_name="loading-shell-brand"),
            rx.el.div(class_name="loading-shell-bar"),
            rx.el.div(class_name="loading-shell-spinner"),
            rx.el.p("Loading…", class_name="loading-shell-text"),
            style={"width": "100%", "max_width": styles.MAX_FORM_WIDTH, "display": "flex",
                   "flex_direction": "column", "gap": "1rem", "align_items": "center"}),
        class_name="loading-shell", aria_busy="true")
