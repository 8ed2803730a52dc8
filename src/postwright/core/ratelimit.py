"""Per-user, per-endpoint-class rate limits on the `limits` library.

Memory storage in a single process; Redis when ``POSTWRIGHT_REDIS_URL`` is set, so several
API processes share one budget.

The window is a sliding-window counter (this fixed window's hits plus the previous window's,
weighted by how much of it still overlaps): two counters per user and class. A moving window
keeps one timestamp per hit and prepends to that list on every hit — memory and time that grow
with the hits in the window (at the benchmark's wide limit, ~15 % of `GET /api/v1/user`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from math import ceil

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string


@dataclass(frozen=True)
class RateLimitState:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # unix seconds
    window_seconds: int
    retry_after: int

    def headers(self) -> dict[str, str]:
        reset_in = self.retry_after
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
            # IETF draft-ietf-httpapi-ratelimit-headers fields
            "RateLimit-Policy": f'"default";q={self.limit};w={self.window_seconds}',
            "RateLimit": f'"default";r={self.remaining};t={reset_in}',
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def _now() -> float:
    return time.time()


class RateLimiter:
    def __init__(self, redis_url: str | None) -> None:
        self.storage: Storage = MemoryStorage()
        if redis_url:
            redis_storage = storage_from_string(_async_redis_uri(redis_url))
            assert isinstance(redis_storage, Storage)
            self.storage = redis_storage
        self._strategy = SlidingWindowCounterRateLimiter(self.storage)
        self._parsed: dict[str, RateLimitItem] = {}

    def _item(self, limit: str) -> RateLimitItem:
        if limit not in self._parsed:
            self._parsed[limit] = parse(limit)
        return self._parsed[limit]

    async def hit(self, limit: str, *identifiers: str) -> RateLimitState:
        item = self._item(limit)
        allowed = await self._strategy.hit(item, *identifiers)
        stats = await self._strategy.get_window_stats(item, *identifiers)
        reset_at = ceil(stats.reset_time)
        seconds_left = max(1, ceil(stats.reset_time - _now()))
        return RateLimitState(
            allowed=allowed,
            limit=item.amount,
            remaining=max(0, stats.remaining),
            reset_at=reset_at,
            window_seconds=item.get_expiry(),
            retry_after=seconds_left,
        )

    async def reset(self) -> None:
        await self.storage.reset()


def _async_redis_uri(url: str) -> str:
    return url if url.startswith("async+") else f"async+{url}"
