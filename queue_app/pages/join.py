"""`/join/[pass_token]` — a phone joins the queue with a party of 1–5."""

from __future__ import annotations

import reflex as rx

from queue_app import domain, styles
from queue_app.pages.components import brand, error_message, page_shell
from queue_app.state.boards import StoreBoard as B
from queue_app.state.join import STORE_CLOSED
from queue_app.state.join import JoinState as J

OURS = B.store_key == J.store_key  # the shared board in the browser is this store's


def refused_card(message: rx.Var | str) -> rx.Component:
    return rx.vstack(
        rx.icon("qr-code", size=40, color="var(--gray-9)"),
        rx.box(rx.heading(message, size="5", as_="h1", text_align="center"), role="alert"),
        rx.text("Ask at the counter if you need help.", color=styles.MUTED),
        align="center", style=styles.card, spacing="3")


def queue_overview(queues: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.foreach(queues, lambda q: rx.hstack(
            rx.text(q["name"], weight="bold"), rx.spacer(),
            rx.text(q["waiting"], " waiting · ", q["wait"], size="2", color="var(--gray-11)"),
            width="100%")),
        width="100%", style=styles.card, spacing="2", role="status", aria_label="Queues")


def _person(person: rx.Var, index: rx.Var) -> rx.Component:
    key = person["key"].to(str)
    return rx.el.fieldset(  # a screen reader hears "Person 2" before Name, Phone and Queue
        rx.el.legend("Person ", index + 1, style={  # floated: inside the card, not on its edge
            "font_weight": "700", "padding": "0", "line_height": "40px", "float": "left",
            "width": "100%", "margin": "0"}),
        rx.cond(J.people.length() > 1,
                rx.button("Remove person", type="button", variant="ghost", size="2",
                          color_scheme="red", on_click=J.remove_person(key),
                          style={"min_height": "40px", "position": "absolute", "top": "1.25rem",
                                 "right": "1rem"})),
        rx.vstack(
        rx.el.label("Name", html_for="name-" + key),
        rx.input(id="name-" + key, name="name-" + key, size="3", auto_complete="given-name",
                 max_length=domain.PERSON_NAME_MAX + 20, style=styles.input_box,
                 aria_describedby="name-" + key + "-error"),
        error_message(J.errors["name-" + key], "name-" + key + "-error"),
        rx.el.label("Phone", html_for="phone-" + key),
        rx.input(id="phone-" + key, name="phone-" + key, type="tel", size="3",
                 placeholder="optional", auto_complete="tel", style=styles.input_box,
                 aria_describedby="phone-" + key + "-error"),
        error_message(J.errors["phone-" + key], "phone-" + key + "-error"),
        rx.el.label("Queue", html_for="queue-" + key),
        rx.el.select(rx.foreach(B.queues, lambda q: rx.el.option(q["name"], value=q["key"])),
                     id="queue-" + key, name="queue-" + key,
                     style={**styles.input_box, "border_radius": "6px", "padding": "0 0.5rem",
                            "border": "1px solid var(--gray-7)"}),
        error_message(J.errors["queue-" + key], "queue-" + key + "-error"),
        spacing="1", width="100%", clear="both"),
        key=key, style={**styles.card, "border": "none", "margin": "0", "min_width": "0",
                        "position": "relative"})


def join_page() -> rx.Component:
    return page_shell(
        brand(),
        rx.cond(
            J.refused | (OURS & B.closed),
            refused_card(rx.cond(J.refused, J.refused, STORE_CLOSED)),
            rx.cond(OURS, rx.vstack(
                rx.heading(B.store_name, size="7"),
                rx.cond(B.description, rx.text(B.description)),
                queue_overview(B.queues),
                rx.form(
                    rx.vstack(
                        rx.foreach(J.people, _person),
                        error_message(J.errors["party"], "party-error"),
                        rx.cond(J.people.length() < domain.PARTY_MAX,
                                rx.button(rx.icon("user-plus"), "Add person", type="button",
                                          variant="soft", size="3", on_click=J.add_person,
                                          style=styles.big_button, width="100%")),
                        rx.button("Join the queue", type="submit", size="3", loading=J.busy,
                                  width="100%", style=styles.big_button),
                        spacing="3", width="100%"),
                    on_submit=J.submit, reset_on_submit=False, width="100%"),
                spacing="4", width="100%"),
                rx.center(rx.spinner(size="3"), height="40vh")),
        ),
    )
