"""`/w/[slug]` (a visitor's place in the waiting room) and `/room` (its owner's dashboard).

The visitor's status is computed here, in the browser, from its own position and the window the
room broadcasts (Reflex Var operations): one broadcast per slide serves every visitor.
"""

from __future__ import annotations

import reflex as rx

from queue_app import routes, styles
from queue_app.pages.components import brand, close_dialog, field, notice, page_shell, text_input
from queue_app.state.room import RoomDashboardState as R
from queue_app.state.room import VisitorState as V

# `fetch` the cheap endpoint; the answer (ticket or error) goes to `VisitorState.took`.
TAKE_TICKET_SCRIPT = (
    "fetch('" + routes.API + "/rooms/' + encodeURIComponent(window.location.pathname"
    ".split('/').filter(Boolean)[1]) + '/tickets', {method: 'POST', credentials: 'same-origin'})"
    ".then(r => r.json()).catch(() => ({error: {message: "
    "'No connection — check your network and try again.'}}))")

_CONTINUE = {**styles.big_button, "display": "inline-flex", "align_items": "center",
             "padding": "0 1.5rem", "border_radius": "8px", "color": "white", "font_weight": "600",
             "background": f"var(--{styles.ACCENT}-9)", "text_decoration": "none"}
_waiting = V.position > V.window_end
_active = (V.position <= V.window_end) & (V.position > V.window_end - V.active_windows * V.window_size)
_ahead = V.position - V.window_end - 1
_slides = (V.position - V.window_end + V.window_size - 1) // V.window_size
_eta_minutes = (_slides * V.window_interval + 59) // 60
_window_index = (V.window_end - V.position) // V.window_size


def _eta() -> rx.Component:
    """When the visitor can expect to be let in: the start first, then the room's rate."""
    return rx.cond(V.opens_at != "", rx.text("The line opens at ", V.opens_at,
                                             ". From then on people are let in, in order."),
                   _eta_at_rate())


def _eta_at_rate() -> rx.Component:
    return rx.cond(V.paused, rx.text("The line is paused for a moment; you keep your place."),
                   rx.cond(_slides * V.window_interval < 60,
                           rx.text("You should be let in within a minute."),
                           rx.text("About ", _eta_minutes, " min until it's your turn.")))


def _place() -> rx.Component:
    return rx.box(
        rx.cond(
            _waiting,
            rx.vstack(
                rx.text("Your place in line", size="2", color="var(--gray-11)"),
                rx.text(V.position, size="9", weight="bold"),
                rx.text(rx.cond(_ahead == 0, "You are next.",
                                rx.cond(_ahead == 1, "1 person ahead of you.",
                                        rx.text.span(_ahead, " people ahead of you.")))),
                _eta(), spacing="2"),
            rx.cond(
                _active,
                rx.vstack(
                    rx.heading("It's your turn — continue before ", V.until_by_window[_window_index],
                               size="6"),
                    rx.cond(V.has_target,
                            # a document load through the API's redirect, not the single-page
                            # router (which would render its own 404 for an API path)
                            rx.link("Continue", href=routes.API + "/rooms/" + V.slug + "/continue",
                                    reload_document=True, style=_CONTINUE),
                            rx.text("Show this screen at the entrance.")),
                    spacing="3"),
                rx.text("Your turn has passed: the window moved on before you continued. "
                        "You can take a new ticket at the back of the line.")),
        ),
        role="status", aria_live="polite", aria_label="Your place in line", style=styles.card)


def visitor_page() -> rx.Component:
    return page_shell(
        brand(),
        rx.cond(
            V.found,
            rx.vstack(
                rx.heading(V.name, size="7"),
                rx.cond(V.closed, rx.callout("This waiting room is closed.", color_scheme="gray",
                                             role="alert", width="100%")),
                rx.cond(V.position > 0, _place(),
                        rx.cond(~V.closed, rx.vstack(
                            rx.text("Take a ticket to hold your place. Keep this page open: it "
                                    "updates by itself, and tells you when it's your turn."),
                            rx.button("Take a ticket", size="4", width="100%",
                                      style=styles.big_button,
                                      on_click=rx.call_script(TAKE_TICKET_SCRIPT,
                                                              callback=V.took)),
                            width="100%"))),
                notice(V.error, color="red"),
                spacing="4", width="100%"),
            rx.callout("This waiting room does not exist.", color_scheme="red", role="alert",
                       width="100%")),
    )


def _count(label: str, value: rx.Var) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", color="var(--gray-11)"),
                     rx.text(value, size="7", weight="bold"), style=styles.card, spacing="1")


def _rate_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                field("Window size", text_input("window_size", input_type="number",
                                                default_value=R.window_size.to_string()),
                      field_id="window_size"),
                field("Window interval (seconds)", text_input(
                    "window_interval", input_type="number",
                    default_value=R.window_interval.to_string()), field_id="window_interval"),
                width="100%"),
            rx.button("Change rate", type="submit", variant="soft", style=styles.big_button),
            width="100%"),
        on_submit=R.change_rate, reset_on_submit=False, width="100%", key=R.rate)


def _close_dialog() -> rx.Component:
    return close_dialog(
        rx.button("Close waiting room", color_scheme="red", variant="soft", style=styles.big_button),
        title="Close the waiting room now?",
        description="Nobody else is let in, every visitor's page says it is closed, and the "
                    "report is emailed to you.",
        confirm="Close and send report", on_confirm=R.close_room)


def room_dashboard_page() -> rx.Component:
    return page_shell(
        brand(),
        rx.cond(R.loaded, rx.vstack(
            rx.heading(R.name, " — waiting room", size="7"),
            rx.text("Visitors open ", rx.link(R.visitor_url, href=R.visitor_url, is_external=True)),
            rx.cond(R.paused, rx.callout("Paused: nobody new is let in.", color_scheme="amber",
                                         width="100%")),
            notice(R.message), notice(R.error, color="red"),
            rx.grid(_count("Tickets issued", R.issued), _count("Let in", R.admitted),
                    _count("Expired", R.expired), _count("Waiting", R.waiting),
                    _count("Window end", R.window_end), _count("Rate", R.rate),
                    columns={"base": "2", "md": "3"}, gap="3", width="100%"),
            rx.hstack(rx.cond(R.paused,
                              rx.button("Resume", on_click=R.resume, style=styles.big_button),
                              rx.button("Pause", on_click=R.pause, variant="soft",
                                        style=styles.big_button)),
                      rx.button("Admit next batch", on_click=R.admit_next_batch,
                                style=styles.big_button),
                      wrap="wrap", spacing="3"),
            _rate_form(),
            rx.text("Admission key for your checkout (keep it secret): ",
                    rx.code(R.admission_key, style={"word_break": "break-all"}), size="2"),
            rx.box(_close_dialog(), padding_top="1rem"),
            spacing="4", width="100%"),
            rx.text("Loading…")),
        width="48rem",
    )
