"""Database engine and sessions for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys on, and write transactions start with
``BEGIN IMMEDIATE``: SQLite allows one writer, and a deferred transaction that reads and
then writes fails at once with SQLITE_BUSY instead of waiting. Taking the write lock up
front makes concurrent writers queue on ``busy_timeout`` instead. Sessions from
``read_sessionmaker`` begin DEFERRED and must not write.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolResetState
from sqlalchemy.util import await_

from postwright.core.settings import DatabaseSettings

_log = logging.getLogger("postwright.db")


def _install_sqlite_pragmas(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # Every call into aiosqlite is a hop to the connection's thread and back, and under load
    # each hop waits for the GIL: a request's cost on SQLite is mostly its number of hops.
    # BEGIN goes straight to the driver (one hop, not cursor/execute/close), and a connection
    # that comes back to the pool with no transaction open is not rolled back again.

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        driver = connection.connection.dbapi_connection._connection  # aiosqlite.Connection
        await_(driver.execute(f"BEGIN {mode}"))

    @event.listens_for(engine.sync_engine.pool, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
        if state.asyncio_safe and dbapi_connection._connection.in_transaction:
            dbapi_connection.rollback()


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    url = make_url(settings.url)
    kwargs: dict[str, Any] = {"echo": settings.echo}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": settings.sqlite_busy_timeout_ms / 1000}
        kwargs.update(pool_size=settings.pool_size, max_overflow=settings.pool_size)
        # Reset by ``_on_reset`` instead: a rollback only when a transaction is open.
        kwargs["pool_reset_on_return"] = None
        engine = create_async_engine(url, **kwargs)
        _install_sqlite_pragmas(engine, settings.sqlite_busy_timeout_ms)
        return engine
    kwargs.update(pool_size=settings.pool_size, max_overflow=settings.pool_size)
    engine = create_async_engine(url, **kwargs)
    _ping_after_idle(engine, settings.ping_after_idle_seconds)
    return engine


def _ping_after_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """A pooled connection is pinged before use only when it sat idle for ``idle_seconds``.

    ``pool_pre_ping`` pings on every checkout: a round trip per request, about a tenth of a
    list request's time on PostgreSQL. A server restart, a failover or an idle timeout leaves
    dead connections in a pool that nobody used meanwhile — the idle ones; under steady
    traffic a connection dropped in use is still found by SQLAlchemy's disconnect handling,
    which invalidates the pool, so only the request that met it fails."""

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception:  # the driver's error for a closed connection, whatever it is
            alive = False
        if not alive:
            # The pool discards this connection and checks out another: a fresh one, whose
            # connect raises a clear error if the server is really gone.
            raise DisconnectionError("connection found dead after idling")


# ``Session.info`` key of sessions from ``read_sessionmaker`` (the test suite refuses a flush
# of changes through one: a read that writes would take SQLite's lock mid-transaction).
READ_ONLY = "postwright_read_only"


def is_read_session(session: Session) -> bool:
    return bool(session.info.get(READ_ONLY))


AfterCommit = Callable[[], Awaitable[None]]


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` once ``session`` has committed (never if it rolls back): how work
    for another system (a job queue) is started only for rows that really exist."""
    session.info.setdefault("after_commit", []).append(callback)


async def run_after_commit(session: AsyncSession) -> None:
    for callback in session.info.pop("after_commit", []):
        await callback()


def discard_after_commit(session: AsyncSession) -> None:
    session.info.pop("after_commit", None)


async def commit_point(session: AsyncSession) -> None:
    """End the session's transaction here, before a network call: its work so far is
    committed, the connection goes back to the pool, and work waiting for the commit runs.
    The session's next statement opens a new transaction."""
    await session.commit()
    await run_after_commit(session)


class Database:
    """Owns the engine and hands out sessions; one per process."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self.settings = settings
        self.engine = create_engine(settings)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        # Reads take no write lock on SQLite; PostgreSQL ignores the option.
        self.read_sessionmaker = async_sessionmaker(
            self.engine.execution_options(sqlite_begin="DEFERRED"),
            expire_on_commit=False,
            info={READ_ONLY: True},
        )
        self._detached: set[asyncio.Task[None]] = set()
        # Names this database in process-wide caches (tests run many databases at once).
        self.name = self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits when the block ends, or rolls back on error. (A
        metered call inside may commit at its own commit point: see ``billing.holds``.)"""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                discard_after_commit(session)
                raise
            await run_after_commit(session)

    @asynccontextmanager
    async def read_transaction(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit: never takes SQLite's write lock; rolled back at the end."""
        async with self.read_sessionmaker() as session:
            try:
                yield session
            finally:
                await session.rollback()

    def detach(self, work: Callable[[], Coroutine[Any, Any, None]], *, name: str) -> None:
        """Run small bookkeeping (``last_used_at``) off the request's critical path. Errors
        are logged and swallowed; ``dispose`` waits for what is still running."""

        async def guarded() -> None:
            try:
                await work()
            except Exception:
                _log.warning("detached work %s failed", name, exc_info=True)

        task = asyncio.get_running_loop().create_task(guarded(), name=name)
        self._detached.add(task)
        task.add_done_callback(self._detached.discard)

    async def drain(self) -> None:
        """Wait for detached work still running (tests, shutdown)."""
        while self._detached:
            await asyncio.gather(*list(self._detached), return_exceptions=True)

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.drain()
        await self.engine.dispose()
