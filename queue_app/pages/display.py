"""`/display/[key]` — the wall TV: every queue's now-serving number, the QR code, recent calls.

One screen, no scrollbars, at 1280×720 and 1920×1080 alike: sizes follow the viewport (`vh`) and
each queue's card (container units `cqw`/`cqh`), so a number is as large as its card allows and
never wraps. Up to 8 queues share a screen; more page through (CSS, `assets/queue.css`). A call
chimes and flashes its card (`assets/display.js`; the sound starts after one tap, as browsers
require).
"""

from __future__ import annotations

import reflex as rx

from queue_app import styles
from queue_app.state.public import DisplayState as Dp

_ONE_LINE = {"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis",
             "line_height": "1.3"}
# A TV on its side or a tablet held upright: the code and the recent calls go above the queues.
_PORTRAIT = "@media (orientation: portrait)"


def _card(queue: rx.Var) -> rx.Component:
    """A queue's region, named after it; the number's size is the card's width / its characters."""
    return rx.el.section(
        rx.el.h2(queue["name"], style={**_ONE_LINE, "font_size": "min(8cqw, 13cqh)",
                                       "font_weight": "700", "margin": "0"}),
        rx.el.p("Now serving", style={**_ONE_LINE, "font_size": "min(5cqw, 8cqh)",
                                      "color": styles.MUTED, "margin": "0", "max_width": "100%"}),
        rx.el.p(queue["number"], class_name="display-number", style={
            "font_size": "min(calc(150cqw / " + queue["chars"].to(str) + "), 40cqh)",
            "font_weight": "800", "line_height": "1.05", "white_space": "nowrap",
            "font_variant_numeric": "tabular-nums", "margin": "0",
            "color": rx.cond(queue["number"] == "—", styles.MUTED, "var(--gray-12)")}),
        rx.el.p(queue["also"], style={**_ONE_LINE, "font_size": "min(5cqw, 8cqh)",
                                      "margin": "0", "max_width": "100%"}),
        rx.el.p(queue["waiting"], style={**_ONE_LINE, "font_size": "min(6.5cqw, 10cqh)",
                                         "margin": "0", "font_weight": "500", "max_width": "100%"}),
        aria_label=queue["name"], custom_attrs={"data-queue-card": queue["id"]},
        style={**styles.card, "container_type": "size", "display": "flex",
               "flex_direction": "column", "align_items": "center", "justify_content": "center",
               "text_align": "center", "padding": "1vh 0.8vw", "min_height": "0",
               "overflow": "hidden", "gap": "0.6vh"})  # (cq units here would be the viewport's)


def _page(page: rx.Var) -> rx.Component:
    return rx.box(
        rx.foreach(page["cards"].to(list[dict]), _card),
        rx.cond(page["label"], rx.text(page["label"], style={
            "position": "absolute", "right": "0", "bottom": "-3.2vh", "font_size": "2vh",
            "color": styles.MUTED})),
        class_name="display-page", style={
            "grid_area": "1 / 1", "display": "grid", "gap": "1.6vh", "min_height": "0",
            "position": "relative", "grid_template_columns": page["columns"],
            "grid_template_rows": page["rows"], "animation": page["animation"]})


def _recent() -> rx.Component:
    return rx.box(
        rx.el.h2("Recently called", id="recent-heading",
                 style={"font_size": "min(3vh, 3.4vw)", "margin": "0 0 1vh", "font_weight": "700",
                        "white_space": "nowrap"}),
        rx.el.ol(rx.foreach(Dp.recent, lambda call: rx.el.li(
            rx.el.strong(call["ticket"], style={"font_variant_numeric": "tabular-nums",
                                                "white_space": "nowrap"}),
            rx.el.span(call["queue"], style={**_ONE_LINE, "flex": "1", "min_width": "0"}),
            rx.el.span(call["time"], style={"color": styles.MUTED}),
            key=call["key"], style={"display": "flex", "gap": "1.2vw", "align_items": "baseline",
                                    "padding": "0.6vh 0", "border_bottom": "1px solid var(--gray-5)"}
        )), aria_label="Recently called",
            style={"list_style": "none", "margin": "0", "padding": "0",
                   "font_size": "min(2.8vh, 3vw)"}),
        rx.cond(Dp.recent.length() == 0,
                rx.text("Nobody has been called yet.", style={"font_size": "2.4vh",
                                                               "color": styles.MUTED})),
        style={**styles.card, "flex": "1", "min_height": "0", "overflow": "hidden",
               "padding": "2vh"})


def _side() -> rx.Component:
    return rx.flex(
        rx.cond(
            Dp.qr_code,
            rx.vstack(
                rx.image(src=Dp.qr_code, alt="Join QR code", custom_attrs={"data-url": Dp.join_url},
                         style={"width": "min(100%, 46vh)", "aspect_ratio": "1",
                                "image_rendering": "pixelated",
                                _PORTRAIT: {"width": "auto", "height": "min(26vh, 40vw)"}}),
                rx.text("Scan to join the queue", style={"font_size": "min(3vh, 3.4vw)", "font_weight": "700",
                                                        "text_align": "center"}),
                align="center", spacing="1", style={**styles.card, "padding": "2vh",
                                                    _PORTRAIT: {"width": "auto", "flex": "0 0 auto"}}),
            rx.cond(Dp.closed, rx.box(
                rx.el.p("The store is closed for today.", style={"font_size": "3.4vh",
                                                                  "font_weight": "700"}),
                role="alert", style={**styles.card, "padding": "2vh"}))),
        _recent(),
        direction="column", gap="2vh", min_height="0",
        style={_PORTRAIT: {"flex_direction": "row", "grid_row": "2", "height": "min(34vh, 50vw)"}})


def _screen() -> rx.Component:
    return rx.el.main(
        rx.flex(
            rx.el.h1(Dp.store_name, style={**_ONE_LINE, "font_size": "min(4.4vh, 6vw)", "margin": "0",
                                           "font_weight": "700",
                                           "flex": "1", "min_width": "0"}),
            rx.el.button(rx.icon("volume-2", size=20), "Tap anywhere to turn on the sound",
                         class_name="display-sound-hint", type="button", style={
                             "font_size": "min(2vh, 2.6vw)", "display": "flex", "gap": "0.5vw",
                             "max_width": "45%", "align_items": "center", "padding": "0.8vh 1vw",
                             "cursor": "pointer",
                             "border_radius": "999px", "border": "1px solid var(--gray-7)",
                             "background": "var(--color-panel-solid)", "color": "var(--gray-12)"}),
            align="center", gap="2vw", style={"grid_column": "1 / -1", "min_width": "0"}),
        rx.box(rx.foreach(Dp.pages, _page),
               style={"display": "grid", "min_height": "0", "margin_bottom": "3vh",
                      _PORTRAIT: {"grid_row": "3"}}),
        _side(),
        rx.el.span(id="display-last-call", custom_attrs={
            "data-call": Dp.last_call, "data-queue": Dp.last_call_queue, "data-ready": "1"},
            hidden=True),
        rx.script(src="/display.js"),
        style={"height": "100vh", "width": "100vw", "overflow": "hidden", "display": "grid",
               "grid_template_columns": "minmax(0, 1fr) clamp(260px, 28vw, 560px)",
               "grid_template_rows": "auto minmax(0, 1fr)", "gap": "2vh 1.6vw",
               "padding": "2.4vh 2vw", "background": "var(--gray-2)", "box_sizing": "border-box",
               _PORTRAIT: {"grid_template_columns": "minmax(0, 1fr)",
                           "grid_template_rows": "auto auto minmax(0, 1fr)"}})


def display_page() -> rx.Component:
    return rx.cond(
        Dp.found,
        rx.cond(Dp.store_name, _screen(),
                rx.el.main(rx.center(rx.spinner(size="3"), height="100vh"))),
        rx.el.main(rx.callout("This display link is not valid any more — open it again from the "
                              "dashboard.", color_scheme="red", role="alert"),
                   style={"padding": "2rem"}))
