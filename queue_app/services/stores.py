"""Opening a store, reading it for its owner, editing it."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from queue_app import domain
from queue_app.config import settings
from queue_app.models import Queue, Store, StoreStatus
from queue_app.services import ratelimit
from queue_app.services.errors import NotAllowed, NotFound, RateLimited, ValidationError
from queue_app.services.security import hash_password

EMAIL_TAKEN = "A store with this email is already open — sign in instead."


def open_store(db: Session, form: domain.StoreForm, *, now: datetime, client_ip: str = "",
               origin: str = "") -> Store:
    """Create a store and its queues in one transaction; one open store per email.

    `origin` is the address the owner opened it at: mailed links use it when no base URL is set.
    """
    try:
        ratelimit.take(db, "open-ip", client_ip, now=now)
        taken = _open_store_by_email(db, form.email) is not None
        db.commit()
    except RateLimited:
        db.rollback()
        raise
    if taken:
        raise ValidationError({"email": EMAIL_TAKEN})
    password_hash = hash_password(form.password)  # no transaction open: Argon2 takes ~0.2 s
    store = Store(email=form.email, password_hash=password_hash, name=form.name,
                  description=form.description, timezone=form.timezone, origin=origin[:255],
                  slug=secrets.token_urlsafe(12), display_key=secrets.token_urlsafe(24),
                  opened_at=now, closes_at=now + settings.store_lifetime)
    db.add(store)
    try:
        db.flush()
        prefixes = domain.ticket_prefixes(len(form.queue_names))
        for position, (name, prefix) in enumerate(zip(form.queue_names, prefixes, strict=True)):
            db.add(Queue(store_id=store.id, name=name, prefix=prefix, position=position,
                         default_service_seconds=settings.default_service_minutes * 60))
        db.commit()
    except sa.exc.IntegrityError:  # a concurrent open with the same email won the race
        db.rollback()
        raise ValidationError({"email": EMAIL_TAKEN}) from None
    return store


def _open_store_by_email(db: Session, email: str) -> Store | None:
    return db.exec(select(Store).where(Store.email == email, Store.status == StoreStatus.OPEN)).first()


def open_store_by_email(db: Session, email: str) -> Store | None:
    return _open_store_by_email(db, domain.normalize_email(email))


def closing_store_by_email(db: Session, email: str) -> Store | None:
    """A store of this email that closed and is still delivering its report (email kept until then)."""
    return db.exec(select(Store).where(Store.email == domain.normalize_email(email),
                                       Store.status == StoreStatus.CLOSING)
                   .order_by(col(Store.id).desc())).first()


def queues_of(db: Session, store_id: int) -> list[Queue]:
    return list(db.exec(select(Queue).where(Queue.store_id == store_id).order_by(Queue.position)))


def update_description(db: Session, store: Store, description: object, *, now: datetime) -> Store:
    text = domain.clean_text(description)
    message = domain.text_error(text, label="description", maximum=domain.DESCRIPTION_MAX,
                                required=False)
    if message:
        raise ValidationError({"description": message})
    _require_open(store)
    store.description = text
    db.add(store)
    db.commit()
    return store


def set_default_service(db: Session, store: Store, queue_id: object, minutes: object, *,
                        now: datetime) -> Queue:
    """The owner sets a queue's default service time (used until 3 services were seen)."""
    if message := domain.service_minutes_error(minutes):
        raise ValidationError({"minutes": message})
    _require_open(store)
    queue = db.exec(select(Queue).where(Queue.id == domain.to_int(queue_id),
                                        Queue.store_id == store.id)).first()
    if queue is None:
        raise NotFound("That queue is not in this store.")
    queue.default_service_seconds = domain.to_int(minutes) * 60
    db.add(queue)
    db.commit()
    return queue


def regenerate_display_key(db: Session, store: Store, *, now: datetime) -> Store:
    """A new wall-display secret; screens opened with the old key stop working."""
    _require_open(store)
    store.display_key = secrets.token_urlsafe(24)
    db.add(store)
    db.commit()
    return store


def store_by_slug(db: Session, slug: str) -> Store:
    store = db.exec(select(Store).where(Store.slug == str(slug)[:64])).first()
    if store is None:
        raise NotFound("This store page does not exist.")
    return store


def store_by_display_key(db: Session, key: str) -> Store:
    store = db.exec(select(Store).where(Store.display_key == str(key)[:64])).first()
    if store is None:  # a closed store's display still finds it, and says it is closed
        raise NotFound("This display link is not valid any more — open it again from the dashboard.")
    return store


def _require_open(store: Store) -> None:
    if store.status is not StoreStatus.OPEN:
        raise NotAllowed("This store is closed.")
