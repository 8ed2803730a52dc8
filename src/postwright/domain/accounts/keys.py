"""API-key authentication that never writes on the request path.

A process remembers the keys it has looked up for a few seconds (``api_key_cache_seconds``):
a hit costs no SQL at all. Revoking a key forgets it at once in the revoking process; other
processes stop accepting it within the cache's bound. ``last_used_at`` is written at most
once a minute per key, by a detached task with its own short transaction, after the
request's work — never inside it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.security import hash_api_key
from postwright.domain.accounts.models import ApiKey

# Writing last_used_at on every request would turn each read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class KeyIdentity:
    """Who a key speaks for: its user, its default workspace and its own id."""

    user_id: str
    workspace_id: str
    key_id: str


class ApiKeyCache:
    """key hash → identity for ``ttl`` seconds, per database (tests run many in a process)."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self._entries: dict[tuple[str, str], tuple[float, KeyIdentity]] = {}
        self._touched: dict[str, float] = {}

    def get(self, database: str, key_hash: str, ttl: float) -> KeyIdentity | None:
        found = self._entries.get((database, key_hash))
        if found is None:
            return None
        stored_at, identity = found
        if self.now() - stored_at >= ttl:
            self._entries.pop((database, key_hash), None)
            return None
        return identity

    def put(self, database: str, key_hash: str, identity: KeyIdentity, ttl: float) -> None:
        if ttl <= 0:
            return
        if len(self._entries) > 10_000:  # bounded: stale entries go first
            self.prune(ttl)
        self._entries[(database, key_hash)] = (self.now(), identity)

    def prune(self, ttl: float) -> None:
        cutoff = self.now() - ttl
        for entry, (stored_at, _) in list(self._entries.items()):
            if stored_at <= cutoff:
                self._entries.pop(entry, None)

    def forget(self, key_id: str) -> None:
        """Stop trusting a key in this process (revoked or deleted)."""
        for entry, (_, identity) in list(self._entries.items()):
            if identity.key_id == key_id:
                self._entries.pop(entry, None)

    def touch_due(self, key_id: str) -> bool:
        """True at most once a minute per key: time to write ``last_used_at``."""
        now = self.now()
        last = self._touched.get(key_id)
        if last is not None and now - last < LAST_USED_GRANULARITY.total_seconds():
            return False
        if len(self._touched) > 10_000:
            self._touched.clear()
        self._touched[key_id] = now
        return True

    def clear(self) -> None:
        self._entries.clear()
        self._touched.clear()


KEY_CACHE = ApiKeyCache()


async def find_active_key(session: AsyncSession, plaintext: str) -> KeyIdentity | None:
    """Read-only lookup of an unrevoked key (one indexed SELECT)."""
    row = (
        await session.execute(
            select(ApiKey.id, ApiKey.user_id, ApiKey.workspace_id).where(
                ApiKey.key_hash == hash_api_key(plaintext), ApiKey.revoked_at.is_(None)
            )
        )
    ).first()
    if row is None:
        return None
    return KeyIdentity(user_id=row.user_id, workspace_id=row.workspace_id, key_id=row.id)


async def touch_api_key(session: AsyncSession, key_id: str, *, now: datetime) -> None:
    """Record use, unless another process did within the last minute."""
    await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - LAST_USED_GRANULARITY),
        )
        .values(last_used_at=now)
    )
