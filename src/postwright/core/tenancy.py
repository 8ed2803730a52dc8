"""The one place tenant scoping is written: every workspace-owned query starts here."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped

from postwright.core.errors import NotFound
from postwright.core.softdelete import SoftDeleteMixin


class WorkspaceOwned(Protocol):
    id: Mapped[str]
    workspace_id: Mapped[str]


M = TypeVar("M", bound=Any)


def scoped(model: type[M], workspace_id: str, *, include_deleted: bool = False) -> Select[M]:
    """``SELECT model WHERE workspace_id = :ws`` (and not soft-deleted, unless asked)."""
    statement = select(model).where(model.workspace_id == workspace_id)
    if not include_deleted and issubclass(model, SoftDeleteMixin):
        statement = statement.where(model.deleted_at.is_(None))
    return statement


async def get_scoped(
    session: AsyncSession,
    model: type[M],
    workspace_id: str,
    object_id: str,
    *,
    include_deleted: bool = False,
    for_update: bool = False,
) -> M:
    """One workspace-owned row, or NotFound (another workspace's id never reveals itself)."""
    statement = scoped(model, workspace_id, include_deleted=include_deleted).where(
        model.id == object_id
    )
    if for_update:
        statement = statement.with_for_update()
    found: M | None = await session.scalar(statement)
    if found is None:
        raise NotFound(f"{getattr(model, '__label__', model.__name__)} not found")
    return found
