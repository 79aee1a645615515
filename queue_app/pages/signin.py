"""`/signin`, `/forgot` and `/reset/[token]`."""

from __future__ import annotations

import reflex as rx

from queue_app import routes
from queue_app.pages.components import brand, field, link, notice, page_shell, submit_button, text_input
from queue_app.state.signin import ForgotState, ResetState, SigninState


def signin_page() -> rx.Component:
    return page_shell(
        brand(),
        rx.heading("Sign in to your store", size="7"),
        rx.form(
            rx.vstack(
                notice(SigninState.error, color="red"),
                field("Email", text_input("email", input_type="email", auto_complete="email"),
                      field_id="email"),
                field("Password", text_input("password", input_type="password",
                                             auto_complete="current-password"),
                      field_id="password"),
                submit_button("Sign in"),
                spacing="4", width="100%"),
            on_submit=SigninState.submit, reset_on_submit=False, width="100%"),
        rx.hstack(link("Forgot password?", routes.FORGOT), rx.spacer(),
                  link("Open a new store", routes.OPEN_STORE), width="100%"),
    )


def forgot_page() -> rx.Component:
    return page_shell(
        brand(),
        rx.heading("Forgot your password?", size="7"),
        rx.text("Enter the email of your open store. We will send you a link to choose a new "
                "password."),
        rx.form(
            rx.vstack(
                notice(ForgotState.sent),
                field("Email", text_input("email", input_type="email", auto_complete="email"),
                      ForgotState.error, field_id="email"),
                submit_button("Send reset link"),
                spacing="4", width="100%"),
            on_submit=ForgotState.submit, reset_on_submit=False, width="100%"),
        link("Back to sign in", routes.SIGN_IN),
    )


def reset_page() -> rx.Component:
    errors = ResetState.errors
    return page_shell(
        brand(),
        rx.heading("Choose a new password", size="7"),
        rx.cond(
            ResetState.link_ok,
            rx.form(
                rx.vstack(
                    field("Password", text_input("password", input_type="password",
                                                 auto_complete="new-password"),
                          errors["password"], field_id="password", hint="8 to 128 characters."),
                    field("Confirm password", text_input("confirm", input_type="password",
                                                         auto_complete="new-password"),
                          errors["confirm"], field_id="confirm"),
                    submit_button("Set new password"),
                    spacing="4", width="100%"),
                on_submit=ResetState.submit, reset_on_submit=False, width="100%"),
            rx.vstack(
                rx.callout("This reset link is not valid any more — it was used, it expired, or "
                           "the store has closed. Ask for a new one.", color_scheme="red",
                           role="alert", width="100%"),
                link("Ask for a new link", routes.FORGOT)),
        ),
    )
