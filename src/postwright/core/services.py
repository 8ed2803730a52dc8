"""The process-wide parts built once from settings and shared by API, CLI and workers."""

from __future__ import annotations

from dataclasses import dataclass, field

from postwright.core.clock import Clock, SystemClock
from postwright.core.db import Database
from postwright.core.jwt import JwtVerifier
from postwright.core.metrics import Metrics
from postwright.core.pagination import CursorCodec
from postwright.core.ratelimit import RateLimiter
from postwright.core.security import SecretBox
from postwright.core.settings import Settings


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    limiter: RateLimiter
    metrics: Metrics
    cursors: CursorCodec
    secrets: SecretBox
    jwt: JwtVerifier | None = field(default=None)

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock | None = None) -> Services:
        secret = settings.resolved_secret_key()
        return cls(
            settings=settings,
            db=Database(settings.database),
            clock=clock or SystemClock(),
            limiter=RateLimiter(settings.redis.url),
            metrics=Metrics(),
            cursors=CursorCodec(secret),
            secrets=SecretBox(secret),
            jwt=JwtVerifier(settings.jwt) if settings.jwt.jwks_url else None,
        )

    async def close(self) -> None:
        await self.db.dispose()
