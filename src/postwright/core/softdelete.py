"""Soft delete: rows get ``deleted_at``, vanish from lists, can be restored for a retention
window, and are purged after it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.errors import Gone
from postwright.core.models import Base

DEFAULT_RETENTION = timedelta(days=30)


class SoftDeleteMixin:
    deleted_at: Mapped[datetime | None] = mapped_column(default=None, index=True)

    @classmethod
    def alive(cls) -> ColumnElement[bool]:
        """Filter for rows that have not been deleted."""
        return cls.deleted_at.is_(None)

    def soft_delete(self, now: datetime) -> None:
        if self.deleted_at is None:
            self.deleted_at = now

    def restore(self, now: datetime, retention: timedelta = DEFAULT_RETENTION) -> None:
        if self.deleted_at is None:
            return
        if now - self.deleted_at > retention:
            raise Gone("This item was deleted more than the retention period ago")
        self.deleted_at = None


SoftDeletable = TypeVar("SoftDeletable", bound=SoftDeleteMixin)


def soft_deletable_models() -> list[type[Any]]:
    return [
        mapper.class_
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, SoftDeleteMixin)
    ]


async def purge_expired(
    session: AsyncSession, *, now: datetime, retention: timedelta = DEFAULT_RETENTION
) -> dict[str, int]:
    """Delete for good every soft-deleted row older than the retention window."""
    cutoff = now - retention
    purged: dict[str, int] = {}
    for model in soft_deletable_models():
        result = await session.execute(
            delete(model).where(model.deleted_at.is_not(None), model.deleted_at < cutoff)
        )
        purged[model.__tablename__] = int(getattr(result, "rowcount", 0) or 0)
    return purged
