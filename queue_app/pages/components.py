"""Shared building blocks: page shell, labelled fields, messages."""

from __future__ import annotations

import reflex as rx

from queue_app import styles


def page_shell(*children: rx.Component, width: str = styles.MAX_FORM_WIDTH) -> rx.Component:
    """A centred column on a soft background, the page's `<main>` landmark; forms and tickets use it."""
    return rx.el.main(
        rx.vstack(*children, spacing="4", width="100%", max_width=width, margin_x="auto",
                  padding_y="1rem"),
        style=styles.page,
    )


def brand() -> rx.Component:
    return rx.hstack(rx.icon("users", size=22), rx.text("Queue System", weight="bold"),
                     align="center", color=f"var(--{styles.ACCENT}-11)")


def field(label: str, control: rx.Component, error: rx.Var | str = "", *,
          field_id: str, hint: str = "") -> rx.Component:
    """A visible <label> bound to its control, an optional hint, and the field's error below it."""
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"font_weight": "500"}),
        control,
        rx.text(hint, size="1", color=styles.MUTED) if hint else rx.fragment(),
        error_message(error, f"{field_id}-error"),
        spacing="1", width="100%", align="stretch",
    )


def text_input(field_id: str, *, name: str = "", input_type: str = "text", **props) -> rx.Component:
    return rx.input(id=field_id, name=name or field_id, type=input_type, size="3",
                    aria_describedby=f"{field_id}-error", style=styles.input_box, **props)


def error_message(error: rx.Var | str, error_id: str) -> rx.Component:
    """A red message that screen readers hear when it appears."""
    return rx.text(error, id=error_id, role="alert", style=styles.error_text)


def notice(message: rx.Var | str, color: str = "green") -> rx.Component:
    return rx.cond(message, rx.callout(message, color_scheme=color, role="status", width="100%"))


def submit_button(label: str, loading: rx.Var | bool = False, **props) -> rx.Component:
    return rx.button(label, type="submit", size="3", loading=loading, width="100%",
                     style=styles.big_button, **props)


def link(text: str, href: str) -> rx.Component:
    return rx.link(text, href=href, style={"min_height": "32px", "display": "inline-block",
                                           "padding_y": "6px"})


def close_dialog(trigger: rx.Component, *, title: str, description: str, confirm: str,
                 on_confirm: rx.EventHandler) -> rx.Component:
    """The owner's "close now?" confirmation: `Keep open` or the red `confirm` button."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep open", variant="soft", color_scheme="gray",
                                                 style=styles.big_button)),
                rx.alert_dialog.action(rx.button(confirm, color_scheme="red", on_click=on_confirm,
                                                 style=styles.big_button)),
                justify="end", spacing="3", margin_top="1rem")))
