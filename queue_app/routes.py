"""Every path of the app, as constants and URL builders."""

from __future__ import annotations

from urllib.parse import quote

OPEN_STORE = "/"
SIGN_IN = "/signin"
FORGOT = "/forgot"
RESET = "/reset/[token]"
DASHBOARD = "/store"
CLOSED = "/closed"
JOIN = "/join/[pass_token]"
TICKET = "/ticket/[secret]"
PUBLIC = "/s/[slug]"
DISPLAY = "/display/[key]"
HEALTH = "/healthz"
READY = "/readyz"
METRICS = "/metrics"
CONFIRM = "/confirm/[token]"


def _fill(route: str, value: str) -> str:
    return route.split("[", 1)[0] + quote(value, safe="")


def reset_url(base: str, token: str) -> str:
    return base.rstrip("/") + _fill(RESET, token)


def confirm_url(base: str, token: str) -> str:
    return base.rstrip("/") + _fill(CONFIRM, token)


def join_url(base: str, pass_token: str) -> str:
    return base.rstrip("/") + _fill(JOIN, pass_token)


def ticket_path(secret: str) -> str:
    return _fill(TICKET, secret)


def public_path(slug: str) -> str:
    return _fill(PUBLIC, slug)


def display_path(key: str) -> str:
    return _fill(DISPLAY, key)
