"""Alembic environment: runs migrations on the async engine for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from postwright.core.db import create_engine
from postwright.core.settings import DatabaseSettings
from postwright.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection | None = None, **kwargs: Any) -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        connection=connection,
        url=None if connection is not None else url,
        target_metadata=target_metadata,
        render_as_batch=bool(url and url.startswith("sqlite")),  # SQLite cannot ALTER much
        compare_type=True,
        **kwargs,
    )


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or DatabaseSettings().url
    engine = create_engine(DatabaseSettings(url=url))
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    _configure(literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_sync(connection)
    else:
        asyncio.run(_run_online())
