"""`/api/v1/rooms/...`: take a waiting-room ticket and read its status (the seed's two calls).

Neither call writes a row or opens a Reflex tab: a ticket is a signed position from the room's
counter (Redis `INCR`, or the one counter row), and a status is the ticket checked against the
room's window end. A browser keeps its ticket in an HttpOnly cookie, so a second "Take a ticket"
from it returns the same ticket.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from queue_app import tokens
from queue_app.api_v1 import cache as rooms_cache
from queue_app.api_v1.errors import UNAVAILABLE, ApiError, client_ip
from queue_app.api_v1.limits import MinuteLimiter
from queue_app.clock import utcnow
from queue_app.config import settings
from queue_app.db import session
from queue_app.domain import rooms as rules
from queue_app.domain.rooms import TicketStatus
from queue_app.services import room_counter
from queue_app.services.rooms import RoomInfo

ADMISSION_PARAM = "queue_admission"
_limiter = MinuteLimiter()
_PROBLEMS = {
    tokens.TokenProblem.EXPIRED: (401, "token_expired", "This ticket has expired."),
    tokens.TokenProblem.WRONG_ROOM: (403, "wrong_room", "This ticket belongs to another waiting room."),
}


@cache
def _ticket_key() -> bytes:
    return tokens.ticket_key(settings.secret_key)


def cookie_name(slug: str) -> str:
    return f"qw_{slug}"


async def _open_room(request: Request) -> RoomInfo:
    info = await rooms_cache.room(request.path_params["slug"])
    if info is None:
        raise ApiError(404, "not_found", "This waiting room does not exist.")
    return info


def _read(token: str | None, info: RoomInfo) -> tokens.Ticket:
    try:
        return tokens.read_ticket(token or "", _ticket_key(), room=info.slug, now=int(utcnow().timestamp()))
    except tokens.TokenError as error:
        status, code, message = _PROBLEMS.get(error.problem, (
            401, "invalid_token", "This ticket is not valid (it was changed or is not a ticket)."))
        raise ApiError(status, code, message) from None


def describe(position: int, info: RoomInfo) -> dict:
    """A ticket's status as the API and the visitor page show it."""
    now = utcnow()
    status = rules.ticket_status(position, info.window_end, info.window)
    body = {"position": position, "status": status.value,
            "people_ahead": rules.people_ahead(position, info.window_end),
            "window_end": info.window_end, "paused": info.paused, "eta_seconds": None}
    if status is TicketStatus.WAITING and not info.paused:
        body["eta_seconds"] = rules.eta_seconds(position, info.window_end, info.window,
                                                until_next=(info.next_slide_at - now).total_seconds())
    if status is TicketStatus.ACTIVE:
        until = rules.admitted_until(position, info.window_end, info.window,
                                     next_slide=max(info.next_slide_at, now))
        admission = tokens.make_admission(
            room=info.slug, position=position, now=int(now.timestamp()), until=int(until.timestamp()),
            key=tokens.admission_key(settings.secret_key, info.slug))
        body |= {"eta_seconds": 0, "continue_before": until.isoformat(timespec="seconds"),
                 "admission_token": admission, "continue_url": continue_url(info, admission)}
    return body


def continue_url(info: RoomInfo, admission: str) -> str | None:
    if not info.target_url:
        return None
    joiner = "&" if "?" in info.target_url else "?"
    return info.target_url + joiner + urlencode({ADMISSION_PARAM: admission})


async def _issue(info: RoomInfo, caller: str) -> int:
    counter = room_counter.redis_counter()
    try:
        if counter is not None:
            return await counter.issue(info, caller, settings.api_join_limit)
    except room_counter.Limited as limited:
        raise ApiError(429, "rate_limited", "Too many tickets from this address; try again soon.",
                       retry_after=limited.retry_after) from None
    except room_counter.Unavailable:
        raise ApiError(503, "unavailable", UNAVAILABLE, retry_after=5) from None
    if (wait := _limiter.hit(f"ticket:{caller}", settings.api_join_limit)) is not None:
        raise ApiError(429, "rate_limited", "Too many tickets from this address; try again soon.",
                       retry_after=wait)

    def db_issue() -> int:
        with session() as db:
            return room_counter.db_issue(db, info.id)
    return await run_in_threadpool(db_issue)


async def take_ticket(request: Request) -> Response:
    """`POST /rooms/{slug}/tickets`: a new ticket, or this browser's ticket again."""
    info = await _open_room(request)
    kept = request.cookies.get(cookie_name(info.slug))
    if kept:
        try:
            ticket = _read(kept, info)
            return JSONResponse({"token": kept, **describe(ticket.position, info)})
        except ApiError:
            pass  # a stale cookie (another room's key, an old room): take a fresh ticket
    if not info.open:
        raise ApiError(409, "room_closed", "This waiting room is closed.")
    position = await _issue(info, client_ip(request))
    now = int(utcnow().timestamp())
    token = tokens.make_ticket(tokens.Ticket(info.slug, position, now,
                                             int(info.closes_at.timestamp())), _ticket_key())
    response = JSONResponse({"token": token, **describe(position, info)}, status_code=201)
    # The header by hand (a token is cookie-safe base64url): Starlette's SimpleCookie costs more
    # than signing the ticket.
    cookie = (f"{cookie_name(info.slug)}={token}; HttpOnly; Max-Age="
              f"{max(60, int(info.closes_at.timestamp()) - now)}; Path=/; SameSite=lax")
    if request.url.scheme == "https":
        cookie += "; Secure"
    response.raw_headers.append((b"set-cookie", cookie.encode()))
    return response


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


async def ticket_status(request: Request) -> Response:
    """`GET /rooms/{slug}/ticket` with `Authorization: Bearer <token>` (or the browser's cookie)."""
    if (wait := _limiter.hit(f"status:{client_ip(request)}", settings.api_status_limit)) is not None:
        raise ApiError(429, "rate_limited", "Too many status reads; slow down.", retry_after=wait)
    info = await _open_room(request)
    token = _bearer(request) or request.cookies.get(cookie_name(info.slug))
    if not token:
        raise ApiError(401, "missing_token", "Send the ticket as `Authorization: Bearer <token>`.")
    ticket = _read(token, info)
    if not info.open:
        return JSONResponse({**describe(ticket.position, info), "status": "closed",
                             "admission_token": None, "continue_url": None})
    return JSONResponse(describe(ticket.position, info))


async def room_summary(request: Request) -> Response:
    """`GET /rooms/{slug}`: the room's public state (what every visitor page shares)."""
    info = await _open_room(request)
    return JSONResponse({"name": info.name, "open": info.open, "paused": info.paused,
                         "window_end": info.window_end, "window_size": info.window.size,
                         "window_interval": info.window.interval_seconds,
                         "active_windows": info.window.active_windows,
                         "next_slide_at": info.next_slide_at.isoformat(timespec="seconds"),
                         "starts_at": info.starts_at.isoformat() if info.starts_at else None})


async def go_on(request: Request) -> Response:
    """`GET /rooms/{slug}/continue`: the visitor page's `Continue` link, from the browser's cookie.

    Admitted: a redirect to the target carrying a fresh admission token. Otherwise back to the
    room's page, which says why.
    """
    info = await _open_room(request)
    back = RedirectResponse(f"/w/{info.slug}", status_code=303)
    try:
        ticket = _read(request.cookies.get(cookie_name(info.slug)), info)
    except ApiError:
        return back
    body = describe(ticket.position, info)
    if not info.open or body["status"] != TicketStatus.ACTIVE.value or not body["continue_url"]:
        return back
    return RedirectResponse(body["continue_url"], status_code=303)
