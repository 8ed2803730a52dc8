"""Who a credential belongs to, and who acts in which workspace.

One path for every face that signs callers in with API keys or identity-provider JWTs: the
HTTP API's dependencies and the MCP server call these, so a key revoked for one is revoked
for all, and workspace selection follows one rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import errors
from postwright.core.clock import Clock
from postwright.core.jwt import looks_like_jwt
from postwright.core.security import API_KEY_PREFIX
from postwright.core.services import Services
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.context import Actor
from postwright.domain.accounts.models import User


@dataclass(frozen=True)
class Identity:
    """A verified caller: the user, the credential's own workspace (API keys belong to one)
    and the key's id."""

    user_id: str
    workspace_id: str | None
    api_key_id: str | None


async def identify(services: Services, credential: str) -> Identity:
    """Verify ``credential`` in a short transaction of its own, so a read never turns into a
    write and the caller's unit of work starts clean. Unauthorized when it is not valid."""
    now = services.clock.now()
    if credential.startswith(API_KEY_PREFIX):
        async with services.db.transaction() as session:
            key = await accounts.authenticate_api_key(session, credential, now=now)
            if key is None:
                raise errors.Unauthorized("Invalid or revoked API key")
            return Identity(key.user_id, key.workspace_id, key.id)
    if services.jwt is not None and looks_like_jwt(credential):
        try:
            claims = await services.jwt.verify(credential)
        except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
            raise errors.Unauthorized("Invalid or expired token") from exc
        async with services.db.transaction() as session:
            user = await accounts.provision_external_user(
                session,
                now=now,
                external_id=claims.subject,
                email=claims.email,
                first_name=claims.first_name,
                last_name=claims.last_name,
                image_url=claims.image_url,
            )
            return Identity(user.id, None, None)
    raise errors.Unauthorized("Invalid credentials")


async def acting_as(
    session: AsyncSession,
    identity: Identity,
    *,
    clock: Clock,
    requested_workspace_id: str | None = None,
) -> Actor:
    """The actor for ``identity`` in the workspace asked for (``X-Workspace-Id``), else the
    credential's, else the user's oldest; a workspace the user is not a member of is 403."""
    user = await session.get(User, identity.user_id)
    if user is None or user.deleted_at is not None:
        raise errors.Unauthorized("User no longer exists")
    workspace, role = await accounts.resolve_workspace(
        session,
        user=user,
        requested_id=requested_workspace_id,
        default_id=identity.workspace_id,
    )
    return Actor(
        user=user, workspace=workspace, role=role, clock=clock, api_key_id=identity.api_key_id
    )
