"""`/store` — the owner's tablet: queues, customers and actions, live."""

from __future__ import annotations

import reflex as rx

from queue_app import routes, styles
from queue_app.pages import customers
from queue_app.pages.components import brand, close_dialog, notice
from queue_app.state.dashboard import DashboardState as D


def _countdown() -> rx.Component:
    return rx.hstack(
        rx.icon("clock", size=16),
        rx.text("Closes ", D.closes_local, " · "),
        rx.moment(D.closes_at, from_now=True, interval=30_000),
        align="center", spacing="1", color="var(--gray-11)", size="2", white_space="nowrap")


def _description() -> rx.Component:
    return rx.cond(
        D.editing,
        rx.form(
            rx.vstack(
                rx.el.label("Description", html_for="description", style={"font_weight": "500"}),
                rx.text_area(id="description", name="description", default_value=D.description,
                             max_length=600, rows="3", width="100%"),
                rx.text(D.error, role="alert", style=styles.error_text),
                rx.hstack(rx.button("Save description", type="submit", style=styles.big_button),
                          rx.button("Cancel", type="button", variant="soft", color_scheme="gray",
                                    on_click=D.cancel_editing, style=styles.big_button)),
                width="100%"),
            on_submit=D.save_description, reset_on_submit=False, width="100%"),
        rx.hstack(
            rx.text(rx.cond(D.description, D.description, "No description yet."),
                    color=rx.cond(D.description, "var(--gray-12)", styles.MUTED)),
            rx.button(rx.icon("pencil", size=14), "Edit description", variant="ghost", size="2",
                      on_click=D.start_editing, style={"min_height": "40px"}),
            align="center", wrap="wrap"),
    )


def _close_dialog() -> rx.Component:
    return close_dialog(
        rx.button(rx.icon("lock"), "Close store", color_scheme="red", variant="soft",
                  style=styles.big_button),
        title="Close the store now?",
        description="Customers can no longer join, every screen shows that the store is closed, "
                    "the report is emailed to you, and then all customer data is deleted. This "
                    "cannot be undone.",
        confirm="Close store and send report", on_confirm=D.close_store)


def _confirm_email() -> rx.Component:
    """With a real mail server: the report waits for an address the owner confirmed."""
    return rx.cond(D.confirm_email, rx.callout(
        rx.vstack(
            rx.text("Confirm your email address", weight="bold"),
            rx.text("We sent a link to the address you opened this store with. Until you open "
                    "it, the closing report is kept on the server instead of being emailed to "
                    "you, and password-reset links are not sent."),
            rx.button(rx.icon("mail"), "Resend the link", variant="soft",
                      on_click=D.resend_confirmation, style=styles.big_button),
            spacing="2", align="start"),
        icon="mail-warning", color_scheme="amber", role="status", width="100%"))


def _header() -> rx.Component:
    return rx.flex(
        rx.vstack(brand(), rx.heading(D.store_name, size="6"), _countdown(), _description(),
                  spacing="1", min_width="0"),
        rx.spacer(),
        rx.hstack(customers.header_actions(), _close_dialog(),
                  rx.button(rx.icon("log-out"), "Sign out", variant="soft", color_scheme="gray",
                            on_click=D.sign_out, style=styles.big_button),
                  wrap="wrap", spacing="2", justify={"initial": "start", "sm": "end"}),
        direction={"initial": "column", "sm": "row"}, gap="12px", width="100%")


def dashboard_page() -> rx.Component:
    return rx.el.main(
        rx.cond(
            D.signed_out,
            rx.vstack(
                brand(),
                rx.callout("You were signed out on this device (signed out or the password was "
                           "changed). Sign in again to see the queues.", color_scheme="amber",
                           role="alert", width="100%"),
                rx.link("Sign in", href=routes.SIGN_IN),
                spacing="4", max_width="40rem", margin_x="auto"),
            rx.cond(
            D.closed,
            rx.vstack(
                brand(),
                rx.heading(D.store_name, size="7"),
                rx.callout("This store is closed. Customers can no longer join; the report of the "
                           "day is being emailed to you, then all customer data is deleted.",
                           color_scheme="gray", role="alert", width="100%"),
                rx.link("Open a new store", href="/"),
                spacing="4", max_width="40rem", margin_x="auto"),
            rx.cond(
            D.loaded,
            rx.vstack(
                _header(),
                _confirm_email(),
                notice(D.message),
                rx.cond(D.error & ~D.editing, rx.callout(D.error, color_scheme="red", role="alert",
                                                         width="100%")),
                rx.box(customers.side_panel(), customers.queue_grid(),
                       style=styles.dashboard_body),
                spacing="3", width="100%", max_width="1800px", margin_x="auto"),
            rx.center(rx.spinner(size="3"), height="60vh"),
        ))),
        style=styles.page,
    )
