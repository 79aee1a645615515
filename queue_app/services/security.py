"""Password hashing (Argon2id) and random tokens; only hashes of tokens are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from queue_app.config import settings

_hasher = PasswordHasher()  # argon2id with the library's maintained defaults
# Verifying against this keeps a wrong email as slow as a wrong password (no timing oracle).
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(_utf8(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, _utf8(password)) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _utf8(password: str) -> bytes:
    """UTF-8 as Argon2 gets it from a `str`; a lone surrogate from a browser encodes too."""
    return password.encode("utf-8", "surrogatepass")


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Keyed hash of a token for storage and lookup (a stolen table holds no usable tokens)."""
    return hmac.new(settings.secret_key.encode(), token.encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()
