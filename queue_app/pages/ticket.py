"""`/ticket/[secret]` — a customer's live ticket."""

from __future__ import annotations

import reflex as rx

from queue_app import styles
from queue_app.pages.components import brand, page_shell
from queue_app.state.ticket import TicketState as T

# A short beep and a vibration when called, where the browser allows (Reflex's call_script).
ALERT_SCRIPT = ("try{navigator.vibrate&&navigator.vibrate([300,100,300]);"
                "const c=new (window.AudioContext||window.webkitAudioContext)();"
                "const o=c.createOscillator();o.frequency.value=880;o.connect(c.destination);"
                "o.start();o.stop(c.currentTime+0.4);}catch(e){}")


def _leave_dialog(person: rx.Var) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Leave the queue", variant="soft", color_scheme="red",
                                          size="3", style=styles.big_button)),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Leave the queue?"),
            rx.alert_dialog.description("You lose your place. To come back you have to scan the "
                                        "code at the counter again."),
            rx.hstack(rx.alert_dialog.cancel(rx.button("Stay in the queue", variant="soft",
                                                       color_scheme="gray", style=styles.big_button)),
                      rx.alert_dialog.action(rx.button("Leave", color_scheme="red",
                                                       on_click=T.leave(person["id"]),
                                                       style=styles.big_button)),
                      justify="end", spacing="3", margin_top="1rem")))


def _person(person: rx.Var) -> rx.Component:
    state = person["state"].to(str)
    return rx.vstack(
        rx.hstack(rx.text(person["ticket"], size="8", weight="bold"), rx.spacer(),
                  rx.badge(person["state_label"], size="3", color_scheme=rx.match(
                      state, ("processing", "green"), ("waiting", "blue"), "gray")),
                  width="100%", align="center"),
        rx.text(person["name"], " · ", person["queue"], color="var(--gray-11)",
                overflow_wrap="anywhere"),  # a 64-letter name must not widen a 360 px phone
        rx.match(
            state,
            ("waiting", rx.vstack(rx.text(person["ahead_text"], size="5", weight="medium"),
                                  rx.text("Estimated wait: ", person["wait"]), spacing="1")),
            ("processing", rx.text("It's your turn — please come to the counter.", size="5",
                                   weight="bold", color="var(--green-11)")),
            ("done", rx.text("You have been served. Thank you!")),
            ("no_show", rx.text("You were marked as not present. Ask at the counter if this is "
                                "a mistake.")),
            rx.text("You are no longer in the queue."),
        ),
        rx.cond((state == "waiting") | (state == "processing"), _leave_dialog(person)),
        style=styles.card, spacing="2", align="start")


def ticket_page() -> rx.Component:
    return page_shell(
        brand(),
        rx.cond(
            T.found,
            rx.vstack(
                rx.heading(T.store_name, size="6", as_="h1"),
                rx.cond(T.store_closed, rx.callout(
                    "This store is closed for today, so this ticket has ended. Thank you for "
                    "waiting with us!", color_scheme="gray", role="alert", width="100%")),
                rx.cond(T.your_turn & ~T.store_closed, rx.box(
                    rx.heading("It's your turn", size="8", as_="h2"),
                    rx.text("Please come to the counter now."),
                    style={"background": "var(--green-9)", "color": "white", "padding": "1.5rem",
                           "border_radius": "12px", "width": "100%", "text_align": "center"},
                    role="alert", on_mount=T.alert_called)),
                rx.cond(T.almost & ~T.store_closed, rx.callout(
                    "Almost your turn — please stay close to the counter.", color_scheme="amber",
                    width="100%")),
                rx.cond(T.message, rx.callout(T.message, width="100%")),
                rx.cond(T.error, rx.callout(T.error, color_scheme="red", width="100%")),
                rx.box(rx.foreach(T.people, _person), role="status", aria_live="polite",
                       aria_label="Your place in the queue", width="100%",
                       style={"display": "flex", "flex_direction": "column", "gap": "1rem"}),
                rx.cond(T.active & ~T.store_closed, rx.text(
                    "Keep this page open — it updates by itself. You can also bookmark it.",
                    size="2", color="var(--gray-10)")),
                spacing="4", width="100%"),
            rx.callout("This ticket does not exist, or its store has closed for the day and its data "
                       "was deleted. To join a queue, scan the code at the counter.",
                       color_scheme="red", role="alert", width="100%"),
        ),
    )
