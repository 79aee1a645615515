"""`/s/[slug]` (public store page) and `/closed`; the wall screen is `pages/display.py`."""

from __future__ import annotations

import reflex as rx

from queue_app import routes, styles
from queue_app.pages.components import (
    brand,
    error_message,
    field,
    link,
    notice,
    page_shell,
    submit_button,
    text_input,
)
from queue_app.state.boards import StoreBoard as B
from queue_app.state.public import PublicState as P


def _online_form() -> rx.Component:
    """Remote check-in (SPEC §5.3): shown while a queue of the store takes online joins."""
    return rx.form(
        rx.vstack(
            rx.heading("Join from here", size="5", as_="h2"),
            notice(P.errors["form"], color="red"),
            field("Name", text_input("name", auto_complete="name"), P.errors["name"], field_id="name"),
            field("Phone", text_input("phone", input_type="tel", auto_complete="tel"),
                  P.errors["phone"], field_id="phone", hint="Optional."),
            rx.vstack(
                rx.el.label("Queue", html_for="queue", style={"font_weight": "500"}),
                rx.el.select(rx.foreach(B.queues, lambda q: rx.cond(
                    q["online"], rx.el.option(q["name"], value=q["key"]))), id="queue", name="queue",
                    style={**styles.input_box, "border_radius": "6px", "padding": "0 0.5rem",
                           "border": "1px solid var(--gray-7)"}),
                error_message(P.errors["queue"], "queue-error"), spacing="1", width="100%"),
            submit_button("Join the queue", loading=P.busy),
            spacing="3", width="100%"),
        on_submit=P.join, reset_on_submit=False, width="100%", style=styles.card)


def public_page() -> rx.Component:
    ours = B.store_key == P.store_key  # the shared board in the browser is this store's
    return page_shell(
        brand(),
        rx.cond(
            P.found,
            rx.cond(ours, rx.vstack(
                rx.heading(B.store_name, size="7"),
                rx.cond(B.description, rx.text(B.description)),
                rx.cond(B.closed, rx.callout("This store is closed for today.", color_scheme="gray",
                                             role="alert", width="100%")),
                rx.foreach(B.queues, lambda q: rx.vstack(
                    rx.heading(q["name"], size="5", as_="h2"),
                    rx.text("Now serving: ", rx.text.strong(q["serving"])),
                    rx.text(q["waiting"], " waiting · a newcomer waits ", q["wait"]),
                    style=styles.card, spacing="1")),
                rx.cond(B.online, _online_form(),
                        rx.cond(~B.closed, rx.text("To join, scan the code at the counter.",
                                                   color="var(--gray-11)"))),
                spacing="4", width="100%"), rx.center(rx.spinner(size="3"), height="40vh")),
            rx.callout("This store page does not exist.", color_scheme="red", role="alert",
                       width="100%")),
    )


def closed_page() -> rx.Component:
    return page_shell(
        brand(),
        rx.heading("Your store is closed", size="7"),
        rx.text("Customers can no longer join. The report of the day is being emailed to you; once "
                "it is delivered, all customer data is deleted."),
        rx.text("A closed store cannot be signed in to again. To run another day, open a new "
                "store — the same email works."),
        link("Open a new store", routes.OPEN_STORE),
    )
