"""`/confirm/[token]` — confirm the owner's email address (or disown the store)."""

from __future__ import annotations

import reflex as rx

from queue_app import routes, styles
from queue_app.pages.components import brand, link, page_shell
from queue_app.state.confirm import ConfirmState as C


def _choice() -> rx.Component:
    return rx.vstack(
        rx.text("Someone opened the store “", C.store_name, "” with this email address. Was it "
                "you? Once you confirm, the store's report is emailed to you when it closes."),
        rx.button(rx.icon("mail-check"), "Confirm my email", on_click=C.confirm, size="3",
                  width="100%", style=styles.big_button),
        rx.divider(margin_y="1rem"),
        rx.text("Not you? The store is closed at once, its report is kept on the server and never "
                "mailed to you, and your address is free again.", size="2"),
        rx.button("I did not open this store", on_click=C.disown, color_scheme="red",
                  variant="soft", size="3", width="100%", style=styles.big_button),
        spacing="3", width="100%")


def confirm_page() -> rx.Component:
    return page_shell(
        brand(),
        rx.heading("Confirm your email", size="7"),
        rx.cond(
            C.done == "confirmed",
            rx.callout("Your email address is confirmed. The report of “" + C.store_name
                       + "” will be emailed to you when the store closes.", color_scheme="green",
                       role="status", width="100%"),
            rx.cond(
                C.done == "disowned",
                rx.callout("The store “" + C.store_name + "” is closed and your address is free "
                           "again. Nothing more will be sent to you about it.",
                           color_scheme="green", role="status", width="100%"),
                rx.cond(C.link_ok, _choice(), rx.vstack(
                    rx.callout(rx.cond(C.error, C.error, "This confirmation link is not valid any "
                                       "more — it was used, a newer one was sent, or the store has "
                                       "closed."), color_scheme="red", role="alert", width="100%"),
                    link("Go to the dashboard", routes.DASHBOARD))))),
    )
