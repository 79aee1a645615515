"""Column types and field helpers shared by every table."""

from __future__ import annotations

import enum
from datetime import UTC

import sqlalchemy as sa
from sqlmodel import Field


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC in Python; naive UTC in the column (SQLite has no time zones)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def utc_time(nullable: bool = False, index: bool = False):
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index))


def status_column(enum_cls: type[enum.StrEnum], default, index: bool = False):
    """A str-enum column stored as VARCHAR (no native PostgreSQL enum to migrate)."""
    kind = sa.Enum(enum_cls, native_enum=False, create_constraint=False, length=16,
                   values_callable=lambda e: [member.value for member in e])
    return Field(default=default, sa_column=sa.Column(kind, nullable=False, index=index))


def foreign_key(target: str, index: bool = True):
    return Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey(target, ondelete="CASCADE"),
                                     nullable=False, index=index))
