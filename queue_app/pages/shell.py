"""The loading shell: what a phone paints before the app's scripts arrive (issue #11, item 8).

Pages with a route parameter (`/join/…`, `/ticket/…`) are served from one prebuilt HTML file that
holds only the app's frame, so on a slow network the screen stayed white until the JavaScript ran
(~1.5 s at 1.6 Mbps). The shell sits in that frame: the brand, a bar where the store's name will
be, and a spinner, all plain HTML and CSS. Once a page renders beside it, `assets/queue.css` hides
it (`.loading-shell:not(:last-child)`).
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


def loading_shell() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.p("Queue System", style={"font_weight": "700", "color": "var(--indigo-11)",
                                           "margin": "0"}),
            rx.el.div(class_name="loading-shell-bar"),
            rx.el.div(class_name="loading-shell-spinner"),
            rx.el.p("Loading…", style={"color": styles.MUTED, "margin": "0"}),
            style={"width": "100%", "max_width": styles.MAX_FORM_WIDTH, "display": "flex",
                   "flex_direction": "column", "gap": "1rem", "align_items": "center"}),
        class_name="loading-shell", aria_busy="true")
