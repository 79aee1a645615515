"""Confirming the owner's email address before the store's mails go to it.

The rule. Anyone can open a store with any address: the form cannot know whose it is. With a
real mail server configured (`QUEUE_SMTP_HOST`), the store's mails — the closing report and
password-reset links — go to that address only after someone opened the single-use link mailed
to it when the store opened (or re-sent from the dashboard). Until then:
- the only mail the address gets is that confirmation (one at opening, a few re-sends an hour);
- "Forgot password?" sends nothing (the page answers the same as always);
- at close the report is not mailed but archived to `QUEUE_REPORT_ARCHIVE_DIR` (owner-only), and
  only then is the data deleted — a report is never lost (SPEC §4), it just never reaches an
  address nobody vouched for;
- the confirmation mail also lets the address's real owner say "I did not open this store": the
  store is closed at once (report archived, data deleted) and the address is free for a store of
  their own, so squatting an address lasts only until its owner reads their mail.
With the embedded default (no SMTP server) every mail is a file in the operator's own outbox, not
a message to anyone, so no confirmation is asked.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select, update

from queue_app import routes
from queue_app.config import Settings, settings
from queue_app.mail.messages import Message, confirm_email_message
from queue_app.models import Store, StoreStatus
from queue_app.services import closing, ratelimit
from queue_app.services.errors import DomainError, NotAllowed
from queue_app.services.security import new_token, token_hash

BAD_LINK = "This confirmation link is not valid any more — use “Resend the link” on the dashboard."
ALREADY = "Your email address is already confirmed."


def required(config: Settings | None = None) -> bool:
    """Mails need a confirmed address only when they really leave the machine."""
    return (config or settings).uses_smtp


def may_mail(store: Store, config: Settings | None = None) -> bool:
    return not required(config) or store.email_confirmed_at is not None


def awaiting(confirmed: bool, config: Settings | None = None) -> bool:
    """Should the owner's dashboard ask them to confirm their address?"""
    return required(config) and not confirmed


def issue(db: Session, store: Store, *, config: Settings | None = None) -> Message:
    """A new single-use link for `store` (an older one stops working) and the mail carrying it."""
    token = new_token()
    db.exec(update(Store).where(Store.id == store.id).values(confirm_token_hash=token_hash(token)))
    db.commit()
    link = routes.confirm_url((config or settings).base_url or store.origin, token)
    return confirm_email_message(to=store.email, store_name=store.name, link=link)


def resend(db: Session, store: Store, *, now: datetime, config: Settings | None = None) -> Message:
    """The dashboard's "Resend the link" (rate-limited: it mails an address nobody confirmed)."""
    if store.email_confirmed_at is not None:
        raise DomainError(ALREADY)
    ratelimit.take(db, "confirm-resend", str(store.id), now=now)  # atomic: parallel taps count
    db.commit()
    return issue(db, store, config=config)


def store_for_link(db: Session, token: object) -> Store:
    """The open store a confirmation link belongs to, or `NotAllowed` (used, replaced, closed)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotAllowed(BAD_LINK)
    store = db.exec(select(Store).where(Store.confirm_token_hash == token_hash(token),
                                        Store.status == StoreStatus.OPEN)).first()
    if store is None:
        raise NotAllowed(BAD_LINK)
    return store


def confirm(db: Session, token: object, *, now: datetime) -> Store:
    """Mark the address confirmed; the link is spent (a second click finds nothing)."""
    store = store_for_link(db, token)
    spent = db.exec(update(Store).where(Store.id == store.id,
                                        col(Store.confirm_token_hash) == store.confirm_token_hash)
                    .values(email_confirmed_at=now, confirm_token_hash=None))
    if spent.rowcount != 1:
        db.rollback()
        raise NotAllowed(BAD_LINK)
    db.commit()
    return store


def disown(db: Session, token: object, *, now: datetime) -> Store:
    """"I did not open this store": close it now; its report is archived, not mailed."""
    store = store_for_link(db, token)
    db.exec(update(Store).where(Store.id == store.id).values(confirm_token_hash=None))
    closed = closing.close_store(db, store.id, now=now)  # commits both, or raises if already closed
    return closed
