"""``Ctx``: the one context every domain function takes first.

A request builds a ``RequestCtx`` in ``api.deps`` (``CtxDep``), the dashboard and the MCP
server from their own sign-in; a job step builds a ``Ctx`` through ``Ctx.for_job``. Domain code
reads the session, who it acts for and the process-wide services (settings, clock, secrets,
cursor codec, media storage) from it instead of having them threaded by hand.

``Ctx.actor`` is only what every caller has: a workspace, maybe a user, a clock
(``Acting``). A rule that needs the signed-in member (their role, their user row) takes a
``RequestCtx``, whose actor is a request's ``Actor``; mypy then keeps jobs away from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.clock import Clock
from postwright.core.db import commit_point
from postwright.core.pagination import CursorCodec
from postwright.core.security import SecretBox
from postwright.core.services import Services
from postwright.core.settings import Settings
from postwright.domain.accounts.context import Actor
from postwright.domain.billing.context import Acting, SystemActor
from postwright.domain.media.backend import storage_for
from postwright.domain.media.storage import MediaStorage


@dataclass(frozen=True)
class Ctx:
    session: AsyncSession
    actor: Acting
    services: Services

    @classmethod
    def for_job(
        cls,
        session: AsyncSession,
        services: Services,
        *,
        workspace_id: str,
        user_id: str | None,
        at: datetime | None = None,
    ) -> Ctx:
        """A job step's context: it acts for the job's workspace (and the user who started
        it) at the step's own time (or ``at``), in the step's own transaction."""
        when = at or services.clock.now()
        acting = SystemActor(workspace_id=workspace_id, at=when, user_id=user_id)
        return cls(session=session, actor=acting, services=services)

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
    def user_id(self) -> str | None:
        return self.actor.user_id

    def now(self) -> datetime:
        return self.actor.now()

    async def end_transaction(self) -> None:
        """Before a network call (a provider, DNS): commit what the session holds so no
        transaction (nor SQLite's write lock) stays open across it; the session's next
        statement opens a new one. A no-op when nothing has begun."""
        await commit_point(self.session)

    @cached_property
    def storage(self) -> MediaStorage:
        """The configured media storage (local directory or S3); S3 clients are cached per
        process by ``storage_for``, so this is cheap."""
        return storage_for(self.services.settings, self.services.clock)


@dataclass(frozen=True)
class RequestCtx(Ctx):
    """A signed-in member's context (API request, dashboard, MCP call)."""

    actor: Actor

    @property
    def user_id(self) -> str:
        return self.actor.user_id
