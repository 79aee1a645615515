"""The connection-loss banner every page shows instead of Reflex's developer toast.

Reflex's default overlay says "Cannot connect to server: websocket error. Check if server is
reachable at ws://…" — words for developers, shown to customers. This one says what it means for
the person looking (SPEC §7) and disappears by itself once the socket is back (Reflex reconnects
and every page rebuilds its view from the database on load).
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var
from reflex_components_core.core.banner import has_connection_errors

# Ticket and join pages show positions and waits; the other screens show the queue in general.
_SHOWS_POSITIONS = Var(
    _js_expr="(typeof window !== 'undefined' && /^\\/(ticket|join)\\//.test(window.location.pathname))",
    _var_type=bool)


def connection_banner() -> rx.Component:
    """Always in the page (an empty live region), so screen readers announce it when it fills."""
    return rx.el.div(
        rx.cond(
            has_connection_errors,
            rx.el.div(
                rx.icon("wifi-off", size=18),
                rx.cond(_SHOWS_POSITIONS,
                        "Reconnecting… the position shown may be out of date.",
                        "Reconnecting… what this screen shows may be out of date."),
                style={"position": "fixed", "top": "0", "left": "0", "right": "0",
                       "z_index": "1000", "display": "flex", "gap": "8px", "align_items": "center",
                       "justify_content": "center", "padding": "10px 16px", "font_weight": "600",
                       "background": "var(--amber-3)", "color": "var(--amber-12)",
                       "border_bottom": "1px solid var(--amber-7)", "font_size": "1rem"}),
        ),
        # aria-live rather than role=status: the page's own status regions keep their role alone
        custom_attrs={"aria-live": "polite", "aria-atomic": "true"}, id="connection-banner")
