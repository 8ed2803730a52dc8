"""Idempotency store: (scope, endpoint, key) → request fingerprint and the response.

Each step is its own short committed transaction, never the request's: a claim records the
fingerprint with no response (in flight) and commits before the handler runs, so a
concurrent duplicate sees it at once and waits; the response is stored in a second
transaction after the handler's own work committed. A request that fails releases its claim,
so a retry runs again. A claim left in flight by a process that died is taken over after
``lease``. None of this shares the request's transaction, so handlers that commit in
several steps (reserve → model call → settle) are covered the same way.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.db import Database
from postwright.core.ids import new_id
from postwright.core.models import Base


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "endpoint", "key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope: Mapped[str] = mapped_column(String(100))
    endpoint: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    # None while the request is in flight.
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    media_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(index=True)


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256(method.encode() + b" " + path.encode() + b"?" + query + b"\n")
    digest.update(body)
    return digest.hexdigest()


@dataclass(frozen=True)
class Claimed:
    record_id: str


@dataclass(frozen=True)
class Finished:
    """The key was used before and its response stored."""

    status_code: int
    body: str
    media_type: str | None
    matches: bool


@dataclass(frozen=True)
class InFlight:
    """Another request holds the key and has not finished yet."""

    matches: bool


async def claim(
    db: Database,
    *,
    scope: str,
    endpoint: str,
    key: str,
    request_fingerprint: str,
    now: datetime,
    ttl: timedelta,
    lease: timedelta,
) -> Claimed | Finished | InFlight:
    where = (
        IdempotencyRecord.scope == scope,
        IdempotencyRecord.endpoint == endpoint,
        IdempotencyRecord.key == key,
    )
    for _ in range(3):
        async with db.transaction() as session:
            await session.execute(
                delete(IdempotencyRecord).where(*where, IdempotencyRecord.created_at < now - ttl)
            )
            # A claim that stayed in flight past its lease belongs to a process that died.
            await session.execute(
                delete(IdempotencyRecord).where(
                    *where,
                    IdempotencyRecord.status_code.is_(None),
                    IdempotencyRecord.created_at < now - lease,
                )
            )
        record_id = new_id("idem")
        try:
            async with db.transaction() as session:
                session.add(
                    IdempotencyRecord(
                        id=record_id,
                        scope=scope,
                        endpoint=endpoint,
                        key=key,
                        fingerprint=request_fingerprint,
                        created_at=now,
                    )
                )
            return Claimed(record_id)
        except IntegrityError:
            pass
        async with db.read_sessionmaker() as session:
            existing = await session.scalar(select(IdempotencyRecord).where(*where))
        if existing is None:
            continue  # released between our insert and this read: try again
        matches = existing.fingerprint == request_fingerprint
        if existing.status_code is None or existing.response_body is None:
            return InFlight(matches=matches)
        return Finished(
            status_code=existing.status_code,
            body=existing.response_body,
            media_type=existing.media_type,
            matches=matches,
        )
    return InFlight(matches=True)


IN_FLIGHT_LEASE = timedelta(minutes=10)
POLL_SECONDS = (0.02, 0.05, 0.1, 0.2)


async def claim_or_wait(
    db: Database,
    *,
    scope: str,
    endpoint: str,
    key: str,
    request_fingerprint: str,
    clock: Callable[[], datetime],
    ttl: timedelta,
    wait_seconds: float,
) -> Claimed | Finished | InFlight:
    """Claim ``key``; while the same request holds it in flight, wait for it to finish (up to
    ``wait_seconds``) so a concurrent duplicate never runs twice. Returns Claimed (run it),
    Finished (replay it), or InFlight (a different payload, or still running at the deadline).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    attempt = 0
    while True:
        outcome = await claim(
            db,
            scope=scope,
            endpoint=endpoint,
            key=key,
            request_fingerprint=request_fingerprint,
            now=clock(),
            ttl=ttl,
            lease=IN_FLIGHT_LEASE,
        )
        if not isinstance(outcome, InFlight) or not outcome.matches:
            return outcome
        if loop.time() >= deadline:
            return outcome
        await asyncio.sleep(POLL_SECONDS[min(attempt, len(POLL_SECONDS) - 1)])
        attempt += 1


async def complete(
    db: Database, claimed: Claimed, *, status_code: int, body: str, media_type: str | None
) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.id == claimed.record_id)
            .values(status_code=status_code, response_body=body, media_type=media_type)
        )


async def release(db: Database, claimed: Claimed) -> None:
    """Give the key up: the request failed and changed nothing a retry should not redo."""
    async with db.transaction() as session:
        await session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.id == claimed.record_id,
                IdempotencyRecord.status_code.is_(None),
            )
        )


async def purge_expired(session: AsyncSession, *, now: datetime, ttl: timedelta) -> int:
    result: Any = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - ttl)
    )
    return int(result.rowcount or 0)
