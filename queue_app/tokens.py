"""Signed waiting-room tokens: compact JWTs (HS256) made and checked with the standard library.

Two kinds, told apart by the `typ` claim and signed with different keys, both derived from
`QUEUE_SECRET_KEY` with HKDF-SHA256 (RFC 5869):

- a *ticket* (`typ: "ticket"`): the visitor's place, `sub` = the position; key per installation,
  never leaves the server;
- an *admission* (`typ: "admission"`): proof for the target site that the visitor was let in; key
  per room (`info` = the room's slug), shown to the owner so their checkout can verify it.

A token is `base64url(header).base64url(claims).base64url(HMAC-SHA256(key, header.claims))`.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
from dataclasses import dataclass

ISSUER = "queue-system"
_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")


class TokenProblem(enum.StrEnum):
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    WRONG_ROOM = "wrong_room"
    WRONG_KIND = "wrong_kind"


class TokenError(Exception):
    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def hkdf(secret: str, info: str, length: int = 32) -> bytes:
    """HKDF-SHA256 extract-and-expand with a fixed salt: one independent key per purpose."""
    prk = hmac.new(b"queue-system-hkdf-salt-v1", secret.encode(), hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info.encode() + bytes([counter]), hashlib.sha256).digest()
        out, counter = out + block, counter + 1
    return out[:length]


def ticket_key(secret: str) -> bytes:
    return hkdf(secret, "waiting-room ticket v1")


def admission_key(secret: str, room_slug: str) -> bytes:
    return hkdf(secret, f"waiting-room admission v1 {room_slug}")


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def b64(data: bytes) -> str:
    """base64url without padding, as text (how a key is shown to the owner)."""
    return _b64(data).decode()


def _unb64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def sign(claims: dict, key: bytes) -> str:
    body = _HEADER + b"." + _b64(json.dumps(claims, separators=(",", ":")).encode())
    return (body + b"." + _b64(hmac.new(key, body, hashlib.sha256).digest())).decode()


def verify(token: str, key: bytes) -> dict:
    """The claims of a well-signed token (expiry is the caller's rule), or `TokenError`."""
    parts = token.split(".") if isinstance(token, str) and len(token) < 2048 else []
    if len(parts) != 3:
        raise TokenError(TokenProblem.MALFORMED)
    try:
        signature = _unb64(parts[2])
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeDecodeError):
        raise TokenError(TokenProblem.MALFORMED) from None
    expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if parts[0] != _HEADER.decode() or not hmac.compare_digest(signature, expected):
        raise TokenError(TokenProblem.BAD_SIGNATURE)
    if not isinstance(claims, dict):
        raise TokenError(TokenProblem.MALFORMED)
    return claims


@dataclass(frozen=True)
class Ticket:
    room: str  # the room's slug
    position: int
    issued_at: int
    expires_at: int


def make_ticket(ticket: Ticket, key: bytes) -> str:
    return sign({"iss": ISSUER, "typ": "ticket", "room": ticket.room, "sub": str(ticket.position),
                 "iat": ticket.issued_at, "exp": ticket.expires_at}, key)


def read_ticket(token: str, key: bytes, *, room: str, now: int) -> Ticket:
    """The ticket in `token` for `room`, or `TokenError` saying what is wrong with it."""
    claims = verify(token, key)
    if claims.get("typ") != "ticket" or claims.get("iss") != ISSUER:
        raise TokenError(TokenProblem.WRONG_KIND)
    try:
        ticket = Ticket(str(claims["room"]), int(claims["sub"]), int(claims["iat"]),
                        int(claims["exp"]))
    except (KeyError, TypeError, ValueError):
        raise TokenError(TokenProblem.MALFORMED) from None
    if ticket.room != room:
        raise TokenError(TokenProblem.WRONG_ROOM)
    if ticket.expires_at <= now:
        raise TokenError(TokenProblem.EXPIRED)
    return ticket


def make_admission(*, room: str, position: int, now: int, until: int, key: bytes) -> str:
    """What the target site receives: `aud` is the room, `exp` the "continue before" time."""
    return sign({"iss": ISSUER, "typ": "admission", "aud": room, "sub": str(position),
                 "iat": now, "exp": until}, key)
