"""SQLModel tables and the str enums of their statuses; the schema changes only through Alembic.

Importing this package registers every table on `SQLModel.metadata` (Alembic's `env.py` does).
"""

from queue_app.models.columns import UTCDateTime
from queue_app.models.rooms import RoomCounter, RoomMinute, WaitingRoom
from queue_app.models.store import (
    Attempt,
    Customer,
    CustomerState,
    DeliveryState,
    OwnerSession,
    Party,
    Pass,
    PassState,
    Queue,
    ReportDelivery,
    ResetToken,
    Source,
    Store,
    StoreStatus,
)

__all__ = [
    "UTCDateTime",
    "WaitingRoom",
    "RoomCounter",
    "RoomMinute",
    "StoreStatus",
    "CustomerState",
    "PassState",
    "Source",
    "DeliveryState",
    "Store",
    "Queue",
    "Pass",
    "Party",
    "Customer",
    "OwnerSession",
    "ResetToken",
    "Attempt",
    "ReportDelivery",
]
