"""Pagination: page/limit with totals, and keyset cursors that are opaque and tamper-evident.

A cursor is the sort key of the last row returned, JSON-encoded and HMAC-signed, so a
client can neither read meaning into it nor forge one that skips the workspace scope.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Result, Row, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from postwright.core.errors import ValidationFailed
from postwright.core.security import sign, verify_signature

T = TypeVar("T")
# A statement of any columns, and its rows.
AnySelect = Select[*tuple[Any, ...]]
AnyRow = Row[*tuple[Any, ...]]
# Deeper pages are refused: an offset past this is a client bug (and overflows SQLite).
MAX_PAGE = 100_000


@dataclass(frozen=True)
class PageResult(Generic[T]):
    items: list[T]
    total_count: int
    page: int
    limit: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total_count / self.limit) if self.total_count else 0

    @property
    def has_more(self) -> bool:
        return self.page < self.total_pages


async def paginate_page(
    session: AsyncSession, statement: Select[T], *, page: int, limit: int
) -> PageResult[T]:
    """``statement`` selects one entity; its rows come back as that entity."""
    total, result = await _count_and_page(session, statement, page=page, limit=limit)
    rows: list[T] = list(result.scalars())
    return PageResult(items=rows, total_count=total, page=page, limit=limit)


async def paginate_rows(
    session: AsyncSession, statement: AnySelect, *, page: int, limit: int
) -> PageResult[AnyRow]:
    """``statement`` selects columns; its rows come back as rows (read by column name)."""
    total, result = await _count_and_page(session, statement, page=page, limit=limit)
    return PageResult(items=list(result.all()), total_count=total, page=page, limit=limit)


async def _count_and_page(
    session: AsyncSession, statement: AnySelect, *, page: int, limit: int
) -> tuple[int, Result[*tuple[Any, ...]]]:
    total = await session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    result = await session.execute(statement.offset((page - 1) * limit).limit(limit))
    return int(total or 0), result


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def encode(self, values: dict[str, Any]) -> str:
        payload = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{sign(self._secret, payload).rstrip('=')}"

    def decode(self, cursor: str) -> dict[str, Any]:
        try:
            body, signature = cursor.split(".", 1)
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            padded = signature + "=" * (-len(signature) % 4)
            if not verify_signature(self._secret, payload, padded):
                raise ValueError("bad signature")
            values = json.loads(payload)
            if not isinstance(values, dict):
                raise ValueError("bad payload")
            return values
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationFailed(
                "Invalid cursor", details=[{"field": "cursor", "message": "cursor is not valid"}]
            ) from exc


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    items: list[T]
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


async def paginate_keyset(
    session: AsyncSession,
    statement: Select[T],
    *,
    codec: CursorCodec,
    created_at: InstrumentedAttribute[datetime],
    id_column: InstrumentedAttribute[str],
    cursor: str | None,
    limit: int,
    scope: str,
) -> KeysetPage[T]:
    """Newest first by (created_at, id). ``scope`` ties a cursor to one listing and tenant."""
    if cursor:
        values = codec.decode(cursor)
        if values.get("s") != scope:
            raise ValidationFailed(
                "Invalid cursor", details=[{"field": "cursor", "message": "cursor is not valid"}]
            )
        after_time = datetime.fromisoformat(values["t"])
        statement = statement.where(
            or_(
                created_at < after_time,
                and_(created_at == after_time, id_column < values["i"]),
            )
        )
    ordered = statement.order_by(created_at.desc(), id_column.desc()).limit(limit + 1)
    rows: list[T] = list((await session.execute(ordered)).scalars())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = codec.encode(
            {
                "s": scope,
                "t": getattr(last, created_at.key).isoformat(),
                "i": getattr(last, id_column.key),
            }
        )
    return KeysetPage(items=rows, next_cursor=next_cursor)
