"""Closing a store: claim it atomically (once, whoever asks first), then queue its report.

Closing stops joins at once (status `closing`); `services.delivery` then mails the report and only
after the server accepted it deletes the data (status `closed`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select, update

from queue_app.db import is_postgres
from queue_app.models import ReportDelivery, Store, StoreStatus
from queue_app.services.errors import NotAllowed


def close_store(db: Session, store_id: int, *, now: datetime) -> Store:
    """Close one open store now (the owner's button). Joins stop at once; the report is queued."""
    if not _claim(db, store_id, now=now):
        db.rollback()
        raise NotAllowed("This store is already closed.")
    db.commit()
    return db.get(Store, store_id)


def close_expired_stores(db: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Close every open store whose lifetime has passed; safe with several schedulers at once."""
    query = (select(Store.id).where(Store.status == StoreStatus.OPEN, Store.closes_at <= now)
             .order_by(Store.closes_at).limit(limit))
    if is_postgres(db):
        query = query.with_for_update(skip_locked=True)
    closed = [store_id for store_id in db.exec(query).all() if _claim(db, store_id, now=now)]
    db.commit()
    return closed


def _claim(db: Session, store_id: int, *, now: datetime) -> bool:
    """Open → closing, exactly once (the row count tells who won), plus its pending delivery."""
    result = db.exec(update(Store).where(Store.id == store_id, Store.status == StoreStatus.OPEN)
                     .values(status=StoreStatus.CLOSING, closed_at=now))
    if result.rowcount != 1:
        return False
    db.add(ReportDelivery(store_id=store_id, next_attempt_at=now, created_at=now))
    return True
