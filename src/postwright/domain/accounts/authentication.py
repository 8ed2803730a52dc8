"""Who a credential belongs to, and who acts in which workspace.

One path for every face that signs callers in with API keys or identity-provider JWTs: the
HTTP API's dependencies, the MCP server and the dashboard call these, so a key revoked for
one is revoked for all, and workspace selection follows one rule.

Authentication is read-only: an API key is looked up in a read transaction and remembered in
process for ``api_key_cache_seconds`` (a revocation in this process drops it at once); its
``last_used_at`` is written by detached work at most once a minute, never inside a request.
"""

from __future__ import annotations

from dataclasses import dataclass

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import errors
from postwright.core.clock import Clock
from postwright.core.jwt import looks_like_jwt
from postwright.core.security import API_KEY_PREFIX, hash_api_key
from postwright.core.services import Services
from postwright.domain.accounts import keys, members
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.context import Actor
from postwright.domain.accounts.keys import KEY_CACHE, KeyIdentity
from postwright.domain.accounts.members import MEMBER_CACHE


@dataclass(frozen=True)
class Identity:
    """A verified caller: the user, the credential's own workspace (API keys belong to one)
    and the key's id."""

    user_id: str
    workspace_id: str | None
    api_key_id: str | None


async def identify(services: Services, credential: str) -> Identity:
    """Verify ``credential``; Unauthorized when it is not valid. Never writes for an API key
    (a first JWT sign-in provisions its user in a short transaction of its own)."""
    if credential.startswith(API_KEY_PREFIX):
        found = await _api_key_identity(services, credential)
        if found is None:
            raise errors.Unauthorized("Invalid or revoked API key")
        if KEY_CACHE.touch_due(found.key_id):
            _record_key_use(services, found.key_id)
        return Identity(found.user_id, found.workspace_id, found.key_id)
    if services.jwt is not None and looks_like_jwt(credential):
        try:
            claims = await services.jwt.verify(credential)
        except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
            raise errors.Unauthorized("Invalid or expired token") from exc
        async with services.db.transaction() as session:
            user = await accounts.provision_external_user(
                session,
                now=services.clock.now(),
                external_id=claims.subject,
                email=claims.email,
                first_name=claims.first_name,
                last_name=claims.last_name,
                image_url=claims.image_url,
            )
            return Identity(user.id, None, None)
    raise errors.Unauthorized("Invalid credentials")


async def _api_key_identity(services: Services, credential: str) -> KeyIdentity | None:
    ttl = services.settings.api_key_cache_seconds
    database = services.db.name
    key_hash = hash_api_key(credential)
    found = KEY_CACHE.get(database, key_hash, ttl)
    if found is None:
        async with services.db.read_transaction() as session:
            found = await keys.find_active_key(session, credential)
        if found is not None:
            KEY_CACHE.put(database, key_hash, found, ttl)
    return found


def _record_key_use(services: Services, key_id: str) -> None:
    now = services.clock.now()

    async def touch() -> None:
        async with services.db.transaction() as session:
            await keys.touch_api_key(session, key_id, now=now)

    services.db.detach(touch, name=f"touch-api-key-{key_id}")


async def acting_as(
    session: AsyncSession,
    identity: Identity,
    *,
    clock: Clock,
    requested_workspace_id: str | None = None,
    database: str | None = None,
    cache_seconds: float = 0.0,
) -> Actor:
    """The actor for ``identity`` in the workspace asked for (``X-Workspace-Id``), else the
    credential's, else the user's oldest; a workspace the user is not a member of is 403.
    One statement when the workspace is known; none when that membership was read in this
    process within ``cache_seconds`` (``database`` names the cache's database)."""
    wanted = requested_workspace_id or identity.workspace_id
    cache_key = (database, identity.user_id, wanted) if database and wanted else None
    if cache_key is not None and cache_seconds > 0:
        cached = MEMBER_CACHE.get(*cache_key, cache_seconds)
        if cached is not None:
            return members.CachedMemberActor(
                session, cached, clock=clock, api_key_id=identity.api_key_id
            )
    read_at_generation = MEMBER_CACHE.generation
    user, workspace, role = await accounts.resolve_member(
        session,
        user_id=identity.user_id,
        requested_id=requested_workspace_id,
        default_id=identity.workspace_id,
    )
    found = members.snapshot(user, workspace, role) if cache_key else None
    if cache_key is not None and found is not None and workspace.id == wanted:
        MEMBER_CACHE.put(
            *cache_key, found, ttl=cache_seconds, read_at_generation=read_at_generation
        )
    return Actor(
        user=user, workspace=workspace, role=role, clock=clock, api_key_id=identity.api_key_id
    )
