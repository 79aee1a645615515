"""`/ticket/[secret]` — a customer's live ticket, one card and one banner per person.

Where each person stands is derived in the browser (Reflex Var operations) from the store's shared
`TicketBoard` and the person's opaque key: the server sends one payload to every ticket page.
"""

from __future__ import annotations

import math

import reflex as rx

from queue_app import styles
from queue_app.config import settings
from queue_app.pages.components import brand, page_shell
from queue_app.state.boards import TicketBoard as B
from queue_app.state.ticket import TicketState as T

FINISHED = ("done", "no_show", "delete")
OURS = B.store_key == T.store_key  # the board in the browser is this ticket's store's
CLOSED = OURS & B.closed


def live_state(person: rx.Var) -> rx.Var:
    """The person's state now: the board's, or (board not here yet) the state at page load.

    The board's line holds people ahead for a waiting person and -1 for a called one
    (`views/customer.py`).
    """
    key, at_load = person["key"].to(str), person["state"].to(str)
    gone = rx.cond((at_load == "done") | (at_load == "no_show"), at_load, "delete")
    in_line = rx.cond(B.line[key].to(int) < 0, "processing", "waiting")
    return rx.cond(OURS, rx.cond(B.line.contains(key), in_line,
                                 B.ended.get(key, gone).to(str)), at_load).to(str)


def _ahead(person: rx.Var) -> rx.Var:
    return B.line[person["key"].to(str)].to(int)


def wait_text(seconds: rx.Var) -> rx.Var:
    """`domain.format_wait` as a Var operation, step for step (a unit test runs both and compares)."""
    minutes = math.floor(seconds.to(float) / 60 + 0.5)
    hours, rest = (minutes // 60), (minutes % 60)
    return rx.cond(
        minutes < 1, "less than a minute",
        rx.cond(minutes < 60, "about " + minutes.to_string() + " min",
                rx.cond(rest == 0, "about " + hours.to_string() + " h",
                        "about " + hours.to_string() + " h " + rest.to_string() + " min"))).to(str)


def _wait(person: rx.Var) -> rx.Var:
    """(people ahead + 1) × the queue's average service time (`domain.estimated_wait_seconds`)."""
    average = B.waits[person["queue_key"].to(str)].to(float)
    return wait_text((_ahead(person) + 1) * average)


def _active(person: rx.Var) -> rx.Var:
    state = live_state(person)
    return ((state == "waiting") | (state == "processing")) & ~CLOSED


def _who(person: rx.Var) -> rx.Var:
    return person["name"].to(str) + " (" + person["ticket"].to(str) + ")"


def _ahead_text(person: rx.Var) -> rx.Component:
    ahead = _ahead(person)
    return rx.cond(ahead == 0, rx.text("You are next", size="5", weight="medium"),
                   rx.text(ahead, rx.cond(ahead == 1, " person ahead of you", " people ahead of you"),
                           size="5", weight="medium"))


def _banner(person: rx.Var) -> rx.Component:
    """Per person: "It's your turn — Ben (B-003)" or "Almost your turn — Anna (A-007)"."""
    state = live_state(person)
    return rx.cond(
        CLOSED, rx.fragment(),
        rx.cond(
            state == "processing",
            rx.box(rx.heading("It's your turn — ", _who(person), size="7", as_="h2",
                              overflow_wrap="anywhere"),
                   rx.text("Please come to the counter now."),
                   style={"background": "var(--green-11)", "color": "white", "padding": "1.25rem",
                          "border_radius": "12px", "width": "100%", "text_align": "center"},
                   role="alert", on_mount=T.alert_called),
            rx.cond((state == "waiting") & (_ahead(person) <= settings.almost_position),
                    rx.callout("Almost your turn — " + _who(person) + ". Please stay close to the "
                               "counter.", color_scheme="amber", width="100%",
                               overflow_wrap="anywhere", min_width="0")),
        ))


def _confirm(trigger: str, title: str, text: str, stay: str, go: str, action) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(trigger, variant="soft", color_scheme="red", size="3",
                                          style=styles.big_button)),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text),
            rx.hstack(rx.alert_dialog.cancel(rx.button(stay, variant="soft", color_scheme="gray",
                                                       style=styles.big_button)),
                      rx.alert_dialog.action(rx.button(go, color_scheme="red", on_click=action,
                                                       style=styles.big_button)),
                      justify="end", spacing="3", margin_top="1rem")))


def _person(person: rx.Var) -> rx.Component:
    state = live_state(person)
    return rx.vstack(
        rx.hstack(rx.text(person["ticket"], size="8", weight="bold"), rx.spacer(),
                  rx.badge(rx.match(state, ("waiting", "Waiting"), ("processing", "Your turn"),
                                    ("done", "Done"), ("no_show", "No-show"), "Left"),
                           size="3", color_scheme=rx.match(state, ("processing", "green"),
                                                           ("waiting", "blue"), "gray")),
                  width="100%", align="center"),
        rx.text(person["name"], " · ", person["queue"], color="var(--gray-11)",
                overflow_wrap="anywhere"),  # a 64-letter name must not widen a 360 px phone
        rx.cond(CLOSED, rx.text("The store has closed for today."), rx.match(
            state,
            ("waiting", rx.cond(  # the position and wait come with the board, a moment after the page
                OURS & B.line.contains(person["key"].to(str)),
                rx.vstack(_ahead_text(person), rx.text("Estimated wait: ", _wait(person)), spacing="1"),
                rx.text("Finding your place in the line…", color="var(--gray-11)"))),
            ("processing", rx.text("It's your turn — please come to the counter.", size="5",
                                   weight="bold", color="var(--green-11)")),
            ("done", rx.text("You have been served. Thank you!")),
            ("no_show", rx.text("You were marked as not present. Ask at the counter if this is "
                                "a mistake.")),
            rx.text("You are no longer in the queue."),
        )),
        rx.cond(_active(person), _confirm(
            "Leave the queue", "Leave the queue?",
            "You lose your place. To come back you have to scan the code at the counter again.",
            "Stay in the queue", "Leave", T.leave(person["key"].to(str)))),
        style=styles.card, spacing="2", align="start", custom_attrs={"aria-label": person["ticket"]})


def _leave_all() -> rx.Component:
    still_in = T.people.filter(lambda p: _active(p))
    return rx.cond(still_in.length() > 1, _confirm(
        "Leave all", "Leave the queue for your whole party?",
        "Everyone on this ticket loses their place. To come back you have to scan the code at "
        "the counter again.", "Stay in the queue", "Leave all", T.leave_all))


def ticket_page() -> rx.Component:
    return page_shell(
        brand(),
        rx.cond(
            T.found,
            rx.vstack(
                rx.heading(rx.cond(OURS, B.store_name, ""), size="6", as_="h1"),
                rx.cond(CLOSED, rx.callout(
                    "This store is closed for today, so this ticket has ended. Thank you for "
                    "waiting with us!", color_scheme="gray", role="alert", width="100%")),
                rx.foreach(T.people, _banner),
                rx.cond(T.message, rx.callout(T.message, width="100%")),
                rx.cond(T.error, rx.callout(T.error, color_scheme="red", width="100%")),
                rx.box(rx.foreach(T.people, _person), role="status", aria_live="polite",
                       aria_label="Your place in the queue", width="100%",
                       style={"display": "flex", "flex_direction": "column", "gap": "1rem"}),
                _leave_all(),
                rx.cond(~CLOSED, rx.text(
                    "Keep this page open — it updates by itself. You can also bookmark it.",
                    size="2", color="var(--gray-11)")),
                spacing="4", width="100%"),
            rx.callout("This ticket does not exist, or its store has closed for the day and its data "
                       "was deleted. To join a queue, scan the code at the counter.",
                       color_scheme="red", role="alert", width="100%"),
        ),
    )
