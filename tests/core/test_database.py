from __future__ import annotations

import pytest
from sqlalchemy import text

from postwright.core import migrate
from postwright.core.services import Services


async def test_sqlite_runs_in_wal_with_foreign_keys(services: Services, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite pragmas only")
    async with services.db.transaction() as session:
        journal = await session.scalar(text("PRAGMA journal_mode"))
        foreign_keys = await session.scalar(text("PRAGMA foreign_keys"))
    assert (journal, foreign_keys) == ("wal", 1)


def test_models_and_migrations_agree(database_url: str) -> None:
    """``alembic check``: no model change is missing its migration."""
    migrate.check(database_url)
