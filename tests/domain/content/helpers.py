"""Acting as a tenant's user inside a domain test's own session."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.services import Services
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.context import Actor
from postwright.domain.accounts.models import User
from postwright.domain.context import RequestCtx
from tests.factories import Tenant


async def actor_for(session: AsyncSession, services: Services, tenant: Tenant) -> Actor:
    user = await session.get(User, tenant.user_id)
    assert user is not None
    workspace, role = await accounts.resolve_workspace(
        session, user=user, requested_id=tenant.workspace_id, default_id=None
    )
    return Actor(user=user, workspace=workspace, role=role, clock=services.clock)


async def ctx_for(session: AsyncSession, services: Services, tenant: Tenant) -> RequestCtx:
    """A signed-in member's context for the tenant, on the test's own session."""
    return RequestCtx(session, await actor_for(session, services, tenant), services)
