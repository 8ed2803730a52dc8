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


async def test_a_connection_given_back_mid_transaction_is_rolled_back(
    services: Services, backend: str
) -> None:
    """The pool rolls back only connections that come back with a transaction open (one
    behind SQLAlchemy's back here); the next user of the connection starts clean."""
    if backend != "sqlite":
        pytest.skip("SQLite's pool reset")
    async with services.db.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.execute("BEGIN IMMEDIATE")
        assert driver.in_transaction
    assert not driver.in_transaction
    # The write lock went with it: a write transaction (BEGIN IMMEDIATE) starts at once.
    async with services.db.transaction() as session:
        assert await session.scalar(text("SELECT 1")) == 1


async def test_reads_and_writes_begin_in_their_own_sqlite_mode(
    services: Services, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite transaction modes")
    async with services.db.read_transaction() as reader:
        await reader.scalar(text("SELECT 1"))
        raw = await (await reader.connection()).get_raw_connection()
        assert raw.driver_connection is not None
        assert raw.driver_connection.in_transaction
        # A deferred read holds no write lock: a writer takes it meanwhile.
        async with services.db.transaction() as writer:
            assert await writer.scalar(text("SELECT 1")) == 1
