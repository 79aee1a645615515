"""Owner sign-in: sessions (random tokens, stored hashed), lock-out, password reset."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select, update

from queue_app import domain
from queue_app.config import Settings, settings
from queue_app.models import OwnerSession, ResetToken, Store, StoreStatus
from queue_app.services import confirmation, ratelimit
from queue_app.services.errors import (
    DomainError,
    NotAllowed,
    RateLimited,
    StoreClosed,
    ValidationError,
)
from queue_app.services.security import hash_password, new_token, token_hash, verify_password
from queue_app.services.stores import closing_store_by_email, open_store_by_email

WRONG_CREDENTIALS = "Wrong email or password."
STORE_HAS_CLOSED = ("This store has closed, so it can no longer be signed in to: its report is on "
                    "the way to your email. To run another day, open a new store.")
RESET_TTL = timedelta(minutes=30)
BAD_RESET_LINK = "This reset link is not valid any more — ask for a new one."


def start_session(db: Session, store: Store, *, now: datetime) -> str:
    """Issue a sign-in token for `store`; it lives until the store closes."""
    token = new_token()
    db.add(OwnerSession(store_id=store.id, token_hash=token_hash(token), created_at=now,
                        expires_at=store.closes_at))
    db.commit()
    return token


def sign_in(db: Session, email: object, password: object, *, now: datetime, client_ip: str = "") -> str:
    """Check credentials (with lock-out) and return a new session token.

    The attempt is counted (atomically, per address and per caller) and committed BEFORE the
    password is checked, and the check runs with no transaction open: parallel guesses cannot
    overrun the lock-out, and Argon2's ~0.2 s never holds SQLite's write lock. A right password
    uncounts its attempt and clears the address's failures.
    """
    address, password = domain.normalize_email(email), domain.raw_password(password)
    plausible = not domain.email_error(address) and len(password) <= domain.PASSWORD_MAX
    try:
        by_ip = ratelimit.take(db, "signin-ip", client_ip, now=now)
        if plausible:
            ratelimit.take(db, "signin-fail", address, now=now)
        store = open_store_by_email(db, address) if plausible else None
        db.commit()
    except RateLimited:
        db.rollback()
        raise
    if not plausible or not verify_password(store.password_hash if store else None, password):
        closing = closing_store_by_email(db, address) if plausible and store is None else None
        db.commit()  # no transaction open during Argon2
        if closing is not None and verify_password(closing.password_hash, password):
            raise StoreClosed(STORE_HAS_CLOSED)  # the right password: no secret is told
        raise DomainError(WRONG_CREDENTIALS)
    ratelimit.forget(db, "signin-fail", address)
    ratelimit.discard(db, by_ip)
    return start_session(db, store, now=now)


def store_for_token(db: Session, token: object, *, now: datetime) -> Store:
    """The open store this sign-in token belongs to, or `NotAllowed`."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotAllowed("Please sign in.")
    row = db.exec(_SIGNED_IN, params={"token_hash": token_hash(token)}).first()
    if row is None or row[0].expires_at <= now:
        raise NotAllowed("Please sign in.")
    if row[1].status is not StoreStatus.OPEN:
        raise StoreClosed("This store is closed.")
    return row[1]


# Built once: every dashboard action checks the sign-in first.
_SIGNED_IN = select(OwnerSession, Store).join(Store, Store.id == OwnerSession.store_id).where(
    OwnerSession.token_hash == sa.bindparam("token_hash"))


def sign_out(db: Session, token: object) -> None:
    if isinstance(token, str) and 20 <= len(token) <= 100:
        db.exec(delete(OwnerSession).where(OwnerSession.token_hash == token_hash(token)))
        db.commit()


def request_reset(db: Session, email: object, *, now: datetime, client_ip: str = "",
                  config: Settings = settings) -> tuple[Store, str] | None:
    """A single-use reset token for an open store's owner, or None (the caller says the same either way).

    None too while the owner's address is unconfirmed (`services/confirmation.py`): a reset link
    is mailed only to an address somebody vouched for.
    """
    address = domain.normalize_email(email)
    if domain.email_error(address):
        raise ValidationError({"email": domain.email_error(address)})
    try:
        ratelimit.take(db, "forgot-ip", client_ip, now=now)
        ratelimit.take(db, "forgot-email", address, now=now)
        db.commit()
    except RateLimited:
        db.rollback()
        raise
    store = open_store_by_email(db, address)
    if store is None or not confirmation.may_mail(store, config):
        return None
    token = new_token()
    db.add(ResetToken(store_id=store.id, token_hash=token_hash(token), expires_at=now + RESET_TTL))
    db.commit()
    return store, token


def check_reset_token(db: Session, token: object, *, now: datetime) -> ResetToken:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotAllowed(BAD_RESET_LINK)
    reset = db.exec(select(ResetToken).where(ResetToken.token_hash == token_hash(token))).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise NotAllowed(BAD_RESET_LINK)
    store = db.get(Store, reset.store_id)
    if store is None or store.status is not StoreStatus.OPEN:
        raise NotAllowed(BAD_RESET_LINK)
    return reset


def reset_password(db: Session, token: object, password: object, confirm: object, *,
                   now: datetime) -> str:
    """Set a new password, sign out every device, and return a fresh session for this one."""
    password = domain.raw_password(password)
    errors = domain.password_error(password, domain.raw_password(confirm))
    if errors:
        raise ValidationError(errors)
    check_reset_token(db, token, now=now)
    db.rollback()  # end the read: Argon2 (~0.2 s) runs with no transaction (no SQLite write lock)
    new_hash = hash_password(password)
    reset = check_reset_token(db, token, now=now)
    claimed = db.exec(update(ResetToken).where(ResetToken.id == reset.id,
                                               col(ResetToken.used_at).is_(None))
                      .values(used_at=now))
    if claimed.rowcount != 1:  # two tabs racing on one link: only the first wins
        db.rollback()
        raise NotAllowed(BAD_RESET_LINK)
    store = db.get(Store, reset.store_id)
    store.password_hash = new_hash
    db.add(store)
    db.exec(delete(OwnerSession).where(OwnerSession.store_id == store.id))
    db.exec(delete(ResetToken).where(ResetToken.store_id == store.id, ResetToken.id != reset.id))
    db.commit()
    return start_session(db, store, now=now)


def prune_sessions(db: Session, *, now: datetime) -> int:
    """Delete expired sign-in sessions and reset links; returns how many sessions went."""
    gone = db.exec(delete(OwnerSession).where(OwnerSession.expires_at <= now)).rowcount
    db.exec(delete(ResetToken).where(ResetToken.expires_at <= now))
    db.commit()
    return gone
