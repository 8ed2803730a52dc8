from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from postwright.core import migrate
from postwright.core.db import Database
from postwright.core.ids import new_id
from postwright.core.services import Services
from postwright.core.settings import DatabaseSettings
from postwright.domain.accounts.models import Workspace


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


async def test_a_connection_dropped_while_idle_is_replaced_not_used(
    database_url: str, backend: str
) -> None:
    """A server restart or failover kills the pool's idle connections; the next request must
    get a live one. (Here every connection counts as idle: the threshold is 0.)"""
    if backend != "postgresql":
        pytest.skip("PostgreSQL connections only")
    database = Database(DatabaseSettings(url=database_url, ping_after_idle_seconds=0))
    try:
        async with database.transaction() as session:
            pid_before = await session.scalar(text("SELECT pg_backend_pid()"))
        # As a restart would, from outside the pool.
        outside = create_async_engine(database.engine.url, poolclass=NullPool)
        try:
            async with outside.begin() as admin:
                await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid_before})
        finally:
            await outside.dispose()
        async with database.transaction() as session:
            pid_after = await session.scalar(text("SELECT pg_backend_pid()"))
        assert pid_after is not None
        assert pid_after != pid_before
    finally:
        await database.dispose()


async def test_a_busy_connection_is_not_pinged(
    services: Services, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL connections only")
    async with services.db.transaction() as session:
        await session.scalar(text("SELECT 1"))
    pings_seen: list[object] = []
    original = services.db.engine.dialect.do_ping

    def counting_ping(dbapi_connection: object) -> bool:
        pings_seen.append(dbapi_connection)
        return original(dbapi_connection)

    monkeypatch.setattr(services.db.engine.dialect, "do_ping", counting_ping)
    for _ in range(5):
        async with services.db.transaction() as session:
            await session.scalar(text("SELECT 1"))
    assert pings_seen == []


async def test_the_suite_refuses_a_read_session_that_writes(
    services: Services, backend: str
) -> None:
    """``reads_never_write`` (conftest) holds every test to it: a flush of changes through a
    read session fails, and the same change through a write session does not."""
    now = datetime.now(UTC)
    async with services.db.transaction() as session:
        session.add(Workspace(id=new_id("ws"), name="written", created_at=now, updated_at=now))
    async with services.db.read_transaction() as session:
        session.add(Workspace(id=new_id("ws"), name="read", created_at=now, updated_at=now))
        with pytest.raises(AssertionError, match="read session flushes changes"):
            await session.flush()
