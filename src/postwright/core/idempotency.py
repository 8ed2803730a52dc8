"""Idempotency store: (scope, endpoint, key) → request fingerprint and the response.

A claim is written in the same transaction as the work it guards, and the response is
stored in that transaction too. So a rolled-back request leaves no claim behind, and a
committed one always has its response. A concurrent duplicate either waits on the unique
index (PostgreSQL) or on the write lock (SQLite) and then finds the finished record — the
work never runs twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

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
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


@dataclass(frozen=True)
class Claimed:
    record: IdempotencyRecord


@dataclass(frozen=True)
class Previous:
    """The key was used before: with the same request (``matches``) or another one."""

    status_code: int
    body: str
    matches: bool


async def claim(
    session: AsyncSession,
    *,
    scope: str,
    endpoint: str,
    key: str,
    request_fingerprint: str,
    now: datetime,
    ttl: timedelta,
) -> Claimed | Previous:
    await session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope,
            IdempotencyRecord.endpoint == endpoint,
            IdempotencyRecord.key == key,
            IdempotencyRecord.created_at < now - ttl,
        )
    )
    record = IdempotencyRecord(
        id=new_id("idem"),
        scope=scope,
        endpoint=endpoint,
        key=key,
        fingerprint=request_fingerprint,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(record)
            await session.flush()
        return Claimed(record)
    except IntegrityError:
        existing = await session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope,
                IdempotencyRecord.endpoint == endpoint,
                IdempotencyRecord.key == key,
            )
        )
        if existing is None or existing.status_code is None or existing.response_body is None:
            raise
        return Previous(
            status_code=existing.status_code,
            body=existing.response_body,
            matches=existing.fingerprint == request_fingerprint,
        )


async def complete(session: AsyncSession, claimed: Claimed, *, status_code: int, body: str) -> None:
    claimed.record.status_code = status_code
    claimed.record.response_body = body
    await session.flush()


async def purge_expired(session: AsyncSession, *, now: datetime, ttl: timedelta) -> int:
    result: Any = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - ttl)
    )
    return int(result.rowcount or 0)
