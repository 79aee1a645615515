"""Dashboard parts: the QR panel, walk-ins, and one panel per queue with its customers."""

from __future__ import annotations

import reflex as rx

from queue_app import domain, styles
from queue_app.state.dashboard import DashboardState as D

_ACTIONS = (  # (label, target state, shown when the customer is in one of these states, colour)
    ("Call", "processing", ("waiting",), "indigo"),
    ("Done", "done", ("processing",), "green"),
    ("No-show", "no_show", ("waiting", "processing"), "orange"),
    ("Back to waiting", "waiting", ("processing", "done", "no_show", "delete"), "gray"),
    ("Remove", "delete", ("waiting", "processing", "done", "no_show"), "red"),
)
_BADGE = {"waiting": "blue", "processing": "green", "done": "gray", "no_show": "orange",
          "delete": "red"}


def header_actions() -> rx.Component:
    return rx.hstack(
        rx.link(rx.button(rx.icon("monitor"), "Show on a second screen", variant="soft",
                          style=styles.big_button), href=D.display_url, is_external=True),
        rx.button(rx.icon("download"), "Export CSV", variant="soft", on_click=D.export_csv,
                  style=styles.big_button),
        wrap="wrap", spacing="2")


def qr_panel() -> rx.Component:
    return rx.vstack(
        rx.heading("Scan to join the queue", size="5", as_="h2", text_align="center"),
        rx.cond(D.qr_code,
                rx.image(src=D.qr_code, alt="Join QR code", width="100%", max_width="320px",
                         custom_attrs={"data-url": D.join_url},  # what the code encodes (tests)
                         style={"image_rendering": "pixelated", "aspect_ratio": "1"}),
                rx.text("The store is closed.")),
        rx.text("A new code appears as soon as this one is scanned.", size="2",
                color="var(--gray-10)", text_align="center"),
        rx.link("Public page for this store", href=D.public_url, is_external=True, size="2"),
        rx.button("New display link", variant="ghost", size="2", on_click=D.regenerate_display_key,
                  style={"min_height": "40px"}),
        align="center", style=styles.card, spacing="3")


def walk_in_form() -> rx.Component:
    errors = D.walk_in_error
    return rx.vstack(
        rx.heading("Add walk-in", size="4", as_="h2"),
        rx.form(
            rx.vstack(
                rx.el.label("Name", html_for="walk-in-name"),
                rx.input(id="walk-in-name", name="name", size="3", style=styles.input_box,
                         max_length=domain.PERSON_NAME_MAX + 20),
                rx.text(errors["name"], role="alert", style=styles.error_text),
                rx.el.label("Phone (optional)", html_for="walk-in-phone"),
                rx.input(id="walk-in-phone", name="phone", type="tel", size="3",
                         style=styles.input_box),
                rx.text(errors["phone"], role="alert", style=styles.error_text),
                rx.el.label("Queue", html_for="walk-in-queue"),
                rx.el.select(rx.foreach(D.queues, lambda q: rx.el.option(q["name"], value=q["id"])),
                             id="walk-in-queue", name="queue",
                             style={**styles.input_box, "border_radius": "6px",
                                    "border": "1px solid var(--gray-7)"}),
                rx.text(errors["queue"], errors["form"], role="alert", style=styles.error_text),
                rx.button(rx.icon("user-plus"), "Add walk-in", type="submit", width="100%",
                          style=styles.big_button),
                rx.cond(D.walk_in_ticket, rx.callout(
                    rx.text("Ticket ", rx.text.strong(D.walk_in_ticket, size="6"),
                            " — tell the customer their number."),
                    color_scheme="green", role="status", width="100%")),
                spacing="2", width="100%"),
            on_submit=D.add_walk_in, reset_on_submit=False, width="100%"),
        style=styles.card)


def side_panel() -> rx.Component:
    return rx.vstack(qr_panel(), walk_in_form(), width={"base": "100%", "lg": "340px"},
                     flex_shrink="0", spacing="4")


def _action_button(customer: rx.Var, label: str, target: str, shown_in: tuple, color: str):
    visible = rx.Var.create(list(shown_in)).contains(customer["state"])
    return rx.cond(visible, rx.button(
        label, size="3", variant="soft" if target != "processing" else "solid", color_scheme=color,
        on_click=D.set_state(customer["id"], customer["state"], target),
        aria_label=label, style={"min_height": styles.TOUCH, "min_width": "64px"}))


def _customer_row(customer: rx.Var) -> rx.Component:
    finished = rx.Var.create(["done", "no_show", "delete"]).contains(customer["state"])
    return rx.vstack(
        rx.hstack(rx.text(customer["ticket"], weight="bold", size="5"),
                  rx.text(customer["name"], size="4", weight="medium"),
                  rx.badge(customer["state_label"], color_scheme=rx.match(
                      customer["state"], *_BADGE.items(), "gray")),
                  rx.cond(customer["walk_in"], rx.badge("walk-in", variant="outline")),
                  rx.cond(customer["online"], rx.badge("online", variant="outline",
                                                       color_scheme="cyan")),
                  rx.cond(customer["party"], rx.badge(customer["party"], variant="outline",
                                                      color_scheme="purple")),
                  align="center", wrap="wrap"),
        rx.hstack(rx.cond(customer["phone"], rx.text(customer["phone"], size="2")),
                  rx.text("joined ", customer["joined"], " · ", size="2", color="var(--gray-10)"),
                  rx.cond(customer["state"] == "waiting",  # ticks by itself while they wait
                          rx.moment(customer["joined_iso"], from_now=True, interval=30_000,
                                    color="var(--gray-10)", font_size="0.875rem"),
                          rx.text("waited ", customer["waited"], size="2", color="var(--gray-10)")),
                  wrap="wrap", spacing="1", align="baseline"),
        rx.flex(*[_action_button(customer, *action) for action in _ACTIONS], gap="2", wrap="wrap"),
        role="listitem", aria_label=customer["ticket"], spacing="2", width="100%",
        style={"padding": "0.75rem 0", "border_bottom": "1px solid var(--gray-4)",
               "opacity": rx.cond(finished, "0.6", "1")})


def _service_time_popover(queue: rx.Var) -> rx.Component:
    """The queue's default service time: used for estimates until 3 services were seen."""
    field_id = "minutes-" + queue["id"].to(str)
    return rx.popover.root(
        rx.popover.trigger(rx.button("Edit default time", variant="ghost", size="1",
                                     style={"min_height": "32px"})),
        rx.popover.content(rx.form(
            rx.vstack(
                rx.el.label("Default service time (minutes)", html_for=field_id),
                rx.input(id=field_id, name="minutes", type="number", min=1,
                         max=domain.SERVICE_MINUTES_MAX, default_value=queue["default_minutes"],
                         style=styles.input_box),
                rx.text("Used for wait estimates until 3 customers of this queue were served.",
                        size="1", color="var(--gray-10)"),
                rx.el.input(type="hidden", name="queue_id", value=queue["id"]),
                rx.popover.close(rx.button("Save", type="submit", style=styles.big_button)),
                spacing="2"),
            on_submit=D.set_default_service,
            reset_on_submit=False)),
    )


def _online_controls(queue: rx.Var) -> rx.Component:
    """`Online check-in` (remote joins from the public page) and its cap of online parties."""
    field_id = "online-cap-" + queue["id"].to(str)
    return rx.hstack(
        rx.el.label(rx.switch(checked=queue["online"].to(bool), on_change=D.set_online(queue["id"]),
                              aria_label="Online check-in"),
                    "Online check-in", style={"display": "flex", "gap": "0.5rem",
                                              "align_items": "center", "min_height": "40px"}),
        rx.cond(queue["online"], rx.popover.root(
            rx.popover.trigger(rx.button("Cap: ", queue["online_cap"], variant="ghost", size="1",
                                         style={"min_height": "32px"})),
            rx.popover.content(rx.form(rx.vstack(
                rx.el.label("Online parties waiting at most", html_for=field_id),
                rx.input(id=field_id, name="online_cap", type="number", min=1,
                         default_value=queue["online_cap"].to(str), style=styles.input_box),
                rx.el.input(type="hidden", name="queue_id", value=queue["id"]),
                rx.el.input(type="hidden", name="online", value="on"),
                rx.popover.close(rx.button("Save", type="submit", style=styles.big_button)),
                spacing="2"), on_submit=D.set_online_cap, reset_on_submit=False)))),
        align="center", spacing="3")


def _queue_panel(queue: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(rx.heading(queue["name"], size="5", as_="h2"),
                      rx.text(queue["waiting"], " waiting · now serving ", queue["serving"],
                              size="2", color="var(--gray-11)"),
                      spacing="0"),
            rx.spacer(),
            rx.button(rx.icon("bell-ring"), "Call next", size="3",
                      on_click=D.call_next(queue["id"], queue["next_id"]),
                      aria_label="Call next", style=styles.big_button),
            width="100%", align="center"),
        rx.hstack(
            rx.text("Served ", queue["served"], " · average wait ", queue["average_wait"],
                    " · service time ", queue["average_service"], size="1", color="var(--gray-10)"),
            _service_time_popover(queue), align="center", wrap="wrap"),
        _online_controls(queue),
        rx.cond(queue["customers"].to(list).length() > 0,
                rx.box(rx.foreach(queue["customers"].to(list[dict]), _customer_row), role="list",
                       aria_label=queue["name"].to(str) + " customers", width="100%"),
                rx.center(rx.vstack(rx.icon("inbox", size=28, color="var(--gray-8)"),
                                    rx.text("Nobody in this queue yet.", color="var(--gray-10)"),
                                    align="center"), padding="2rem", width="100%")),
        style=styles.card, spacing="2", role="region", aria_label=queue["name"])


def queue_grid() -> rx.Component:
    return rx.grid(rx.foreach(D.queues, _queue_panel), width="100%", gap="4",
                   grid_template_columns="repeat(auto-fill, minmax(min(100%, 380px), 1fr))")
