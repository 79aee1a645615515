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
        rx.button(rx.link(rx.icon("monitor"), "Show on a second screen", href=D.display_url,
                          is_external=True, underline="none"),
                  as_child=True, variant="soft", style=styles.big_button),  # a link, drawn as a button
        rx.button(rx.icon("download"), "Export CSV", variant="soft", on_click=D.export_csv,
                  style=styles.big_button),
        wrap="wrap", spacing="2")


def qr_panel() -> rx.Component:
    return rx.vstack(
        rx.heading("Scan to join the queue", size="5", as_="h2", text_align="center"),
        rx.cond(D.qr_code,
                rx.image(src=D.qr_code, alt="Join QR code", width="100%", max_width="240px",
                         custom_attrs={"data-url": D.join_url},  # what the code encodes (tests)
                         style={"image_rendering": "pixelated", "aspect_ratio": "1"}),
                rx.text("The store is closed.")),
        rx.text("A new code appears as soon as this one is scanned.", size="2",
                color=styles.MUTED, text_align="center"),
        rx.link("Public page for this store", href=D.public_url, is_external=True, size="2"),
        rx.button("New display link", variant="ghost", size="2", on_click=D.regenerate_display_key,
                  style={"min_height": "40px"}),
        align="center", style=styles.card, spacing="2")


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
    """QR and walk-ins: a column beside the queues from 1024 px, two cards side by side below."""
    return rx.box(qr_panel(), walk_in_form(), style=styles.side_panel)


def _action_button(customer: rx.Var, label: str, target: str, shown_in: tuple, color: str):
    visible = rx.Var.create(list(shown_in)).contains(customer["state"])
    act = D.set_state(customer["id"], customer["state"], target)
    if target == "delete":  # destructive: an icon at the far end of the row, apart from the rest
        return rx.cond(visible, rx.icon_button(
            rx.icon("trash-2", size=18), size="2", variant="soft", color_scheme="red",
            high_contrast=True, on_click=act, aria_label=label, title=label,
            style=styles.row_button))
    return rx.cond(visible, rx.button(
        label, size="2", variant="solid" if target == "processing" else "soft", color_scheme=color,
        high_contrast=target != "processing", on_click=act, aria_label=label,
        style=styles.row_button))


def _customer_row(customer: rx.Var) -> rx.Component:
    """Two lines: who (ticket, name, marks) and what can be done (time waited before Remove)."""
    muted = {"color": styles.MUTED, "font_size": "0.8125rem", "white_space": "nowrap"}
    keep = {"flex_shrink": "0"}
    return rx.box(
        rx.flex(
            rx.text(customer["ticket"], weight="bold", size="2",
                    style={**keep, "white_space": "nowrap", "font_variant_numeric": "tabular-nums"}),
            rx.text(customer["name"], weight="medium", size="2", style=styles.one_line),
            rx.cond(customer["state"] != "waiting", rx.badge(
                customer["state_label"], style=keep,
                color_scheme=rx.match(customer["state"], *_BADGE.items(), "gray"))),
            rx.cond(customer["walk_in"], rx.badge("walk-in", variant="outline", style=keep)),
            rx.cond(customer["online"], rx.badge("online", variant="outline", color_scheme="cyan",
                                                 style=keep)),
            rx.cond(customer["party"], rx.badge(customer["party"], variant="outline",
                                                color_scheme="purple", style=keep)),
            rx.cond(customer["phone"], rx.text(customer["phone"], style={**muted, **keep})),
            align="center", spacing="2", wrap="nowrap", min_width="0"),
        rx.flex(
            *[_action_button(customer, *action) for action in _ACTIONS[:4]],
            rx.cond(customer["state"] == "waiting",  # ticks by itself while they wait
                    rx.text("waiting ", rx.moment(customer["joined_iso"], from_now_short=True,
                                                  interval=30_000),
                            title="joined " + customer["joined"].to(str),
                            style={**muted, "margin_left": "auto"}),
                    rx.text("waited ", customer["waited"], style={**muted, "margin_left": "auto"})),
            _action_button(customer, *_ACTIONS[4]),
            spacing="2", wrap="wrap", align="center", margin_top="3px"),
        rx.el.div(rx.cond(D.conflict_id == customer["id"], D.conflict, ""), role="status",
                  style=styles.conflict_text),
        role="listitem", aria_label=customer["ticket"], width="100%",
        style={"padding": "4px 0", "border_bottom": "1px solid var(--gray-4)"})


def _service_time_popover(queue: rx.Var) -> rx.Component:
    """The queue's default service time: used for estimates until 3 services were seen."""
    field_id = "minutes-" + queue["id"].to(str)
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("pencil", size=12), "Edit", variant="ghost", size="1",
                                     aria_label="Edit default time", title="Edit default time",
                                     style={"min_height": "28px"})),
        rx.popover.content(rx.form(
            rx.vstack(
                rx.el.label("Default service time (minutes)", html_for=field_id),
                rx.input(id=field_id, name="minutes", type="number", min=1,
                         max=domain.SERVICE_MINUTES_MAX, default_value=queue["default_minutes"],
                         style=styles.input_box),
                rx.text("Wait estimates start from it and move to the real service times as "
                        "customers of this queue are served.", size="1", color=styles.MUTED),
                rx.el.input(type="hidden", name="queue_id", value=queue["id"]),
                rx.popover.close(rx.button("Save", type="submit", style=styles.big_button)),
                spacing="2"),
            on_submit=D.set_default_service,
            reset_on_submit=False)),
    )


def _finished(queue: rx.Var) -> rx.Component:
    """Done, no-show and removed customers, folded away behind `Finished (n)`."""
    shown = D.shown_finished.contains(queue["id"])
    return rx.cond(queue["finished_count"].to(int) > 0, rx.box(
        rx.button(rx.icon(rx.cond(shown, "chevron-down", "chevron-right"), size=16),
                  "Finished (", queue["finished_count"], ")", variant="ghost", size="2",
                  color_scheme="gray", high_contrast=True, aria_expanded=shown,
                  on_click=D.toggle_finished(queue["id"]), style={"min_height": "36px"}),
        rx.cond(shown, rx.box(rx.foreach(queue["finished"].to(list[dict]), _customer_row),
                              role="list", aria_label=queue["name"].to(str) + " finished")),
        width="100%", margin_top="4px"))


def _show_more(queue: rx.Var) -> rx.Component:
    """Under a long line: the dashboard lists the first customers of a queue, more on request."""
    return rx.cond(queue["unlisted"].to(int) > 0, rx.button(
        rx.icon("chevrons-down", size=16), "Show more (", queue["unlisted"], " more in line)",
        variant="soft", color_scheme="gray", high_contrast=True, size="2", width="100%",
        on_click=D.show_more(queue["id"]), style={"min_height": "44px", "margin_top": "6px"}))


def _online_switch(queue: rx.Var) -> rx.Component:
    """`Online check-in`: remote joins from the public page (beside the queue's other settings)."""
    return rx.el.label(
        rx.switch(checked=queue["online"].to(bool), on_change=D.set_online(queue["id"]),
                  aria_label="Online check-in"),
        "Online check-in", title="Customers may also join from the store's public page",
        style={"display": "flex", "gap": "0.375rem", "align_items": "center", "min_height": "24px",
               "flex_shrink": "0", "font_size": "0.875rem", "cursor": "pointer"})


def _online_cap(queue: rx.Var) -> rx.Component:
    """With online check-in on: the cap of online parties waiting, editable in a popover."""
    field_id = "online-cap-" + queue["id"].to(str)
    return rx.cond(queue["online"], rx.popover.root(
        rx.popover.trigger(rx.button("Online cap: ", queue["online_cap"], variant="ghost", size="1",
                                     style={"min_height": "32px"})),
        rx.popover.content(rx.form(rx.vstack(
            rx.el.label("Online parties waiting at most", html_for=field_id),
            rx.input(id=field_id, name="online_cap", type="number", min=1,
                     default_value=queue["online_cap"].to(str), style=styles.input_box),
            rx.el.input(type="hidden", name="queue_id", value=queue["id"]),
            rx.el.input(type="hidden", name="online", value="on"),
            rx.popover.close(rx.button("Save", type="submit", style=styles.big_button)),
            spacing="2"), on_submit=D.set_online_cap, reset_on_submit=False))))


def _queue_panel(queue: rx.Var) -> rx.Component:
    small = {"color": styles.MUTED, "font_size": "0.8125rem"}
    return rx.vstack(
        rx.hstack(
            rx.heading(queue["name"], size="5", as_="h2", style=styles.one_line),
            rx.button(rx.icon("bell-ring", size=18), "Call next", size="2",
                      on_click=D.call_next(queue["id"], queue["next_id"]), aria_label="Call next",
                      style={"min_height": "40px", "cursor": "pointer", "flex_shrink": "0"}),
            width="100%", align="center"),
        rx.text(queue["waiting"], " waiting · now serving ", queue["serving"], size="2",
                color="var(--gray-11)"),
        rx.flex(
            rx.text("Served ", queue["served"], " · average wait ", queue["average_wait"],
                    " · service time ", queue["average_service"],
                    rx.cond(queue["estimate_basis"], " · " + queue["estimate_basis"].to(str), ""),
                    style=small),
            _service_time_popover(queue), _online_switch(queue), _online_cap(queue), align="center",
            wrap="wrap",
            column_gap="8px"),
        rx.cond(queue["customers"].to(list).length() > 0,
                rx.box(rx.foreach(queue["customers"].to(list[dict]), _customer_row), role="list",
                       aria_label=queue["name"].to(str) + " customers", width="100%"),
                rx.center(rx.vstack(rx.icon("inbox", size=28, color="var(--gray-8)"),
                                    rx.text("Nobody in this queue yet.", color="var(--gray-11)"),
                                    align="center"), padding="1.5rem", width="100%")),
        _show_more(queue),
        _finished(queue),
        style={**styles.card, "padding": "0.875rem"}, spacing="1", role="region",
        aria_label=queue["name"], min_width="0")


def queue_grid() -> rx.Component:
    """Side by side on tablets and up; a sideways scroller of queues on a phone."""
    return rx.box(rx.foreach(D.queues, _queue_panel), width="100%", min_width="0",
                  style=styles.queue_columns)
