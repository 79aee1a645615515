"""Signed waiting-room tokens: JWT-shaped, HS256, refused when tampered, expired or of another room."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from queue_app import tokens
from queue_app.tokens import Ticket, TokenError, TokenProblem

KEY = tokens.ticket_key("x" * 40)
T = Ticket(room="room-a", position=42, issued_at=1000, expires_at=5000)


def test_a_ticket_reads_back_with_its_position_and_room():
    assert tokens.read_ticket(tokens.make_ticket(T, KEY), KEY, room="room-a", now=2000) == T


@pytest.mark.parametrize(("room", "now", "problem"), [
    ("room-b", 2000, TokenProblem.WRONG_ROOM), ("room-a", 5000, TokenProblem.EXPIRED)])
def test_a_ticket_of_another_room_or_past_its_expiry_is_refused(room, now, problem):
    with pytest.raises(TokenError) as caught:
        tokens.read_ticket(tokens.make_ticket(T, KEY), KEY, room=room, now=now)
    assert caught.value.problem is problem


def test_a_tampered_position_breaks_the_signature():
    head, body, sig = tokens.make_ticket(T, KEY).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["sub"] = "1"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenError) as caught:
        tokens.read_ticket(f"{head}.{forged}.{sig}", KEY, room="room-a", now=2000)
    assert caught.value.problem is TokenProblem.BAD_SIGNATURE


@pytest.mark.parametrize("junk", ["", "a.b", "a.b.c", "!!.??.**", "x" * 5000, None])
def test_junk_is_malformed_or_unsigned_never_an_exception(junk):
    with pytest.raises(TokenError):
        tokens.read_ticket(junk, KEY, room="room-a", now=2000)


def test_an_admission_token_is_not_a_ticket_and_uses_its_rooms_own_key():
    secret = "y" * 40
    admission = tokens.make_admission(room="room-a", position=7, now=10, until=70,
                                      key=tokens.admission_key(secret, "room-a"))
    with pytest.raises(TokenError):
        tokens.verify(admission, tokens.admission_key(secret, "room-b"))
    with pytest.raises(TokenError) as caught:
        tokens.read_ticket(admission, tokens.admission_key(secret, "room-a"), room="room-a", now=20)
    assert caught.value.problem is TokenProblem.WRONG_KIND


def test_an_admission_verifies_with_nothing_but_the_standard_library():
    key = tokens.admission_key("z" * 40, "room-a")
    token = tokens.make_admission(room="room-a", position=7, now=10, until=70, key=key)
    head, body, sig = token.split(".")
    good = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(sig + "=") == good
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    assert claims == {"iss": "queue-system", "typ": "admission", "aud": "room-a", "sub": "7",
                      "iat": 10, "exp": 70}


def test_hkdf_matches_the_rfc_5869_construction_with_independent_keys_per_purpose():
    assert tokens.ticket_key("s") != tokens.admission_key("s", "r")
    assert len(tokens.hkdf("s", "i", 64)) == 64
    assert tokens.hkdf("s", "i", 64)[:32] == tokens.hkdf("s", "i", 32)


def test_the_readme_example_verifies_an_admission_token_and_refuses_a_forged_one():
    from queue_app.config import ROOT

    readme = (ROOT / "README.md").read_text()
    example = readme.split("def unb64(text):", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec("import base64, hashlib, hmac, json, time\ndef unb64(text):" + example, namespace)  # noqa: S102
    secret, now = "r" * 40, 1_900_000_000
    key = tokens.b64(tokens.admission_key(secret, "room-a"))
    token = tokens.make_admission(room="room-a", position=9, now=now - 10, until=now + 10**8,
                                  key=tokens.admission_key(secret, "room-a"))
    assert namespace["verify_admission"](token, key, "room-a")["sub"] == "9"
    for wrong in ((token, key, "room-b"), (token[:-2] + "xx", key, "room-a"),
                  (token, tokens.b64(tokens.admission_key(secret, "room-b")), "room-a")):
        with pytest.raises(ValueError):
            namespace["verify_admission"](*wrong)
