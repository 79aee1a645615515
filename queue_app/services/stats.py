"""Counts the metrics read from the database at scrape time (no names, no ids: just numbers)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, func, select

from queue_app.models import Customer, CustomerState, DeliveryState, ReportDelivery, Store, StoreStatus


def counts(db: Session) -> dict[str, int | dict[str, int]]:
    """Open stores, waiting customers, and report deliveries by state (`failing`: retrying)."""
    stores = db.exec(select(func.count()).select_from(Store)
                     .where(Store.status == StoreStatus.OPEN)).one()
    waiting = db.exec(select(func.count()).select_from(Customer).join(Store, Store.id == Customer.store_id)
                      .where(Customer.state == CustomerState.WAITING,
                             Store.status == StoreStatus.OPEN)).one()
    failing = sa.and_(ReportDelivery.state == DeliveryState.PENDING, ReportDelivery.last_error != "")
    kind = sa.case((failing, "failing"), else_=ReportDelivery.state)
    deliveries = {str(state): 0 for state in (*DeliveryState, "failing")}
    for state, count in db.exec(select(kind, func.count()).group_by(kind)).all():
        deliveries[str(state)] = count
    db.rollback()
    return {"queue_open_stores": stores, "queue_waiting_customers": waiting,
            "queue_report_deliveries": deliveries}
