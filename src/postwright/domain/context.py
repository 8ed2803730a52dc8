"""``Ctx``: the one context every domain function takes first.

A request builds it in ``api.deps`` (``CtxDep``), a job step through ``Ctx.for_job``,
the dashboard and the MCP server from their own sign-in; domain code reads the session, the
actor and the process-wide services from it instead of having them threaded by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.clock import Clock
from postwright.core.pagination import CursorCodec
from postwright.core.security import SecretBox
from postwright.core.services import Services
from postwright.core.settings import Settings
from postwright.domain.accounts.context import Actor
from postwright.domain.media.backend import storage_for
from postwright.domain.media.storage import MediaStorage


@dataclass
class Ctx:
    session: AsyncSession
    actor: Actor
    services: Services

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def secrets(self) -> SecretBox:
        return self.services.secrets

    @property
    def cursors(self) -> CursorCodec:
        return self.services.cursors

    @property
    def workspace_id(self) -> str:
        return self.actor.workspace_id

    @property
    def user_id(self) -> str:
        return self.actor.user_id

    def now(self) -> datetime:
        return self.actor.now()

    @cached_property
    def storage(self) -> MediaStorage:
        """The configured media storage (local directory or S3); S3 clients are cached per
        process by ``storage_for``, so this is cheap."""
        return storage_for(self.services.settings, self.services.clock)
