"""Who a billing operation is for: a request's ``Actor`` or, for jobs, webhooks and the CLI,
a ``SystemActor`` naming only the workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


class Acting(Protocol):
    @property
    def workspace_id(self) -> str: ...

    @property
    def user_id(self) -> str | None: ...

    def now(self) -> datetime: ...


@dataclass(frozen=True)
class SystemActor:
    """Billing on behalf of a workspace with no user at the keyboard."""

    workspace_id: str
    at: datetime
    user_id: str | None = None

    def now(self) -> datetime:
        return self.at


async def insert_if_absent(
    session: AsyncSession, model: type[Any], values: dict[str, Any], conflict: list[str]
) -> None:
    """``INSERT … ON CONFLICT DO NOTHING``: concurrent first uses create one row, never fail."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)
    )
    await session.execute(statement)
