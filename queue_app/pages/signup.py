"""`/` — open a store for the day."""

from __future__ import annotations

import reflex as rx

from queue_app import domain, routes, styles
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
from queue_app.state.signup import SignupState

E = SignupState.errors


def _queue_row(slot: rx.Var[str], index: rx.Var[int]) -> rx.Component:
    field_id = "queue-" + slot
    return rx.vstack(
        rx.hstack(
            rx.el.label("Queue name", html_for=field_id, style={"font_weight": "500"}),
            rx.text(f"({domain.QUEUE_NAME_MAX} characters at most)", size="1", color=styles.MUTED),
            align="baseline"),
        rx.hstack(
            rx.input(id=field_id, name=field_id, placeholder=rx.cond(index == 0, "e.g. Haircut", ""),
                     max_length=domain.QUEUE_NAME_MAX + 20, size="3", style=styles.input_box,
                     aria_describedby=field_id + "-error"),
            rx.cond(SignupState.slots.length() > 1,
                    rx.icon_button(rx.icon("x"), type="button", variant="soft", color_scheme="gray",
                                   size="3", aria_label="Remove queue",
                                   on_click=SignupState.remove_queue(slot), style=styles.big_button)),
            width="100%"),
        error_message(E[field_id], field_id + "-error"),
        spacing="1", width="100%", key=slot)


def _timezone_select() -> rx.Component:
    return rx.el.select(
        *[rx.el.option(zone, value=zone) for zone in domain.time_zones()],
        id="timezone", name="timezone", value=SignupState.timezone,
        on_change=SignupState.set_browser_timezone,
        style={**styles.input_box, "padding": "0 0.5rem", "border_radius": "6px",
               "border": "1px solid var(--gray-7)", "background": "var(--color-surface)"})


def signup_page() -> rx.Component:
    return page_shell(
        brand(),
        rx.heading("Open your store for today", size="7"),
        rx.text("Customers scan a code at your counter, join from their phones and see their place "
                "in line. The store closes by itself after 24 hours and you get a report by email."),
        rx.form(
            rx.vstack(
                notice(E["form"], color="red"),
                field("Email", text_input("email", input_type="email", auto_complete="email"),
                      E["email"], field_id="email"),
                rx.cond(SignupState.email_taken, link("Sign in to that store", routes.SIGN_IN)),
                field("Password", text_input("password", input_type="password",
                                             auto_complete="new-password"),
                      E["password"], field_id="password", hint="8 to 128 characters."),
                field("Confirm password", text_input("confirm", input_type="password",
                                                     auto_complete="new-password"),
                      E["confirm"], field_id="confirm"),
                field("Store name", text_input("name", max_length=domain.STORE_NAME_MAX + 20),
                      E["name"], field_id="name"),
                rx.foreach(SignupState.slots, _queue_row),
                error_message(E["queues"], "queues-error"),
                rx.button(rx.icon("plus"), "Add queue", type="button", variant="soft", size="3",
                          on_click=SignupState.add_queue, style=styles.big_button),
                field("Time zone", _timezone_select(), E["timezone"], field_id="timezone"),
                submit_button("Open store", loading=SignupState.busy),
                spacing="4", width="100%"),
            on_submit=SignupState.submit, reset_on_submit=False, width="100%"),
        rx.hstack(rx.text("Already open today?"), link("Sign in", routes.SIGN_IN)),
    )
