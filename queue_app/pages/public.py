"""`/s/[slug]` (public store page) and `/closed`; the wall screen is `pages/display.py`."""

from __future__ import annotations

import reflex as rx

from queue_app import routes, styles
from queue_app.pages.components import brand, link, page_shell
from queue_app.state.boards import StoreBoard as B
from queue_app.state.public import PublicState as P


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
                rx.cond(~B.closed, rx.text("To join, scan the code at the counter.",
                                           color="var(--gray-11)")),
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
