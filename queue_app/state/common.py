"""Helpers every page state shares: who is asking, and the owner's sign-in token."""

from __future__ import annotations

import logging

import reflex as rx

from queue_app.config import settings

log = logging.getLogger("queue_app.state")


def client_ip(state: rx.State) -> str:
    """The caller's IP: the socket peer, or, behind a proxy we trust, the address that proxy saw.

    The proxy appends the peer it saw to `X-Forwarded-For`; everything left of that entry was
    written by the client and proves nothing, so only the rightmost entry counts.
    """
    if settings.trust_proxy:
        forwarded = state.router.headers.raw_headers.get("x-forwarded-for", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return state.router.session.client_ip or "unknown"


def page_origin(state: rx.State) -> str:
    """The address this page is viewed at (for links in QR codes and mails when no base URL is set)."""
    return settings.base_url or state.router.headers.origin.rstrip("/")


def route_param(state: rx.State, name: str) -> str:
    """A dynamic route segment (`/ticket/[secret]` → `secret`) as the browser sent it: untrusted."""
    value = state.router._page.params.get(name, "")  # noqa: SLF001  (`page` is deprecated)
    if not isinstance(value, str):
        return ""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no real segment (all URL-safe tokens) has one
        return ""
    return value


class OwnerAuth(rx.State):
    """The owner's sign-in token, kept in the browser's local storage (shared by its tabs)."""

    token: str = rx.LocalStorage("", name="queue_owner_token", sync=True)

    @rx.event
    def forget(self):
        self.token = ""
