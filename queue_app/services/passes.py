"""One-time QR passes: the counter shows one `normal` pass; a scan binds it to a browser."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from queue_app.config import settings
from queue_app.models import Pass, PassState, Store, StoreStatus
from queue_app.services.errors import NotAllowed

SCAN_AGAIN = "This code was already used — scan the code at the counter again."
STORE_CLOSED = "This store is closed — it no longer takes new customers today."
NOT_A_CODE = ("This is not a valid queue code (or its store has closed) — scan the code at the "
              "counter.")
EXPIRED = "This code has expired — scan the code at the counter again."


def current_pass(db: Session, store_id: int, *, now: datetime) -> Pass:
    """The pass the counter shows; created when there is none (exactly one is `normal`)."""
    shown = _shown(db, store_id)
    if shown is not None:
        return shown
    try:
        _new_pass(db, store_id, now=now)
        db.commit()
    except sa.exc.IntegrityError:  # another screen created it at the same moment: show that one
        db.rollback()
    return _shown(db, store_id)


def _shown(db: Session, store_id: int) -> Pass | None:
    return db.exec(select(Pass).where(Pass.store_id == store_id, Pass.state == PassState.NORMAL)
                   .order_by(col(Pass.id).desc())).first()


def _new_pass(db: Session, store_id: int, *, now: datetime) -> None:
    """Add the counter's next pass to the caller's transaction: the one place a pass is made.

    A Core `INSERT` (no ORM instance, no flush: the scan makes one per phone). A second `normal`
    pass of a store raises `IntegrityError` here, at once (a partial unique index).
    """
    db.connection().execute(_INSERT_PASS, {"store_id": store_id, "token": _new_token(),
                                           "created_at": now, "state": PassState.NORMAL})


class Scanned(NamedTuple):
    """A pass as a scan left it (read and written with Core statements: no ORM instance)."""

    id: int
    store_id: int
    token: str
    state: PassState
    browser_hash: str | None
    scanned_at: datetime | None


def _new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


def scan(db: Session, token: object, browser: str, *, now: datetime) -> tuple[Scanned, bool]:
    """Bind a pass to the browser opening it; returns (pass, whether the counter needs a new one).

    Reopening a pass in the browser that scanned it is allowed (a reload); anything else is refused.
    Four statements: the pass with its store's status, the claim, the counter's next pass, commit.
    """
    found = _find(db, token)
    if found is None:  # made up, mistyped, or purged with its closed store
        raise NotAllowed(NOT_A_CODE)
    shown, status = Scanned(*found[:-1]), found[-1]
    if status is not StoreStatus.OPEN:
        raise NotAllowed(STORE_CLOSED)
    if shown.state is PassState.SCANNED and shown.browser_hash == browser:
        if shown.scanned_at + settings.pass_ttl <= now:
            raise NotAllowed(EXPIRED)
        return shown, False
    run = db.connection().execute
    claimed = run(_CLAIM, {"pass_id": shown.id, "browser": browser, "at": now})
    if claimed.rowcount != 1:  # already scanned elsewhere, used, or lost a race
        db.rollback()
        raise NotAllowed(SCAN_AGAIN)
    _new_pass(db, shown.store_id, now=now)  # same transaction: the counter is never without a code
    db.commit()
    return shown._replace(state=PassState.SCANNED, browser_hash=browser, scanned_at=now), True


# A scan's statements, built once (building one cost about as much as running it).
_FIND = select(Pass.id, Pass.store_id, Pass.token, Pass.state, Pass.browser_hash, Pass.scanned_at,
               Store.status).join(Store, Store.id == Pass.store_id).where(Pass.token == sa.bindparam("token"))
_CLAIM = (update(Pass).where(Pass.id == sa.bindparam("pass_id"), Pass.state == PassState.NORMAL)
          .values(state=PassState.SCANNED, browser_hash=sa.bindparam("browser"),
                  scanned_at=sa.bindparam("at")))
_INSERT_PASS = sa.insert(Pass)


def _find(db: Session, token: object) -> sa.Row | None:
    if not isinstance(token, str) or not 16 <= len(token) <= 64:
        return None
    return db.connection().execute(_FIND, {"token": token}).first()


def rotate_stale_passes(db: Session, *, now: datetime) -> list[int]:
    """Replace `normal` passes shown longer than the pass TTL (a photo of the counter ages out).

    Returns the ids of the stores whose counter now shows a new code.
    """
    stale = db.exec(select(Pass).join(Store, Store.id == Pass.store_id)
                    .where(Pass.state == PassState.NORMAL, Pass.created_at <= now - settings.pass_ttl,
                           Store.status == StoreStatus.OPEN)).all()
    stores = []
    for old in stale:
        gone = db.exec(update(Pass).where(Pass.id == old.id, Pass.state == PassState.NORMAL)
                       .values(state=PassState.USED, used_at=now))
        if gone.rowcount == 1 and old.store_id not in stores:
            stores.append(old.store_id)
            _new_pass(db, old.store_id, now=now)  # same transaction: never a counter without a code
    db.commit()
    return stores
