"""Who a credential speaks for, and users kept in step with the identity provider.

``identify`` is the one sign-in rule, used by the API (every request) and the dashboard's
sign-in form: an API key (looked up read-only, cached in process for a few seconds) or the
identity provider's JWT (its user provisioned on first sight).

Clerk ``user.*`` events: the signed webhook is verified and deduplicated in
``domain.billing.webhooks``; what the event means for a user is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.errors import Unauthorized, ValidationFailed
from postwright.core.jwt import looks_like_jwt
from postwright.core.security import API_KEY_PREFIX, hash_api_key
from postwright.core.services import Services
from postwright.domain.accounts import keys
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.keys import KEY_CACHE, KeyIdentity


@dataclass(frozen=True)
class Identified:
    user_id: str
    # The credential's own workspace (an API key's); None for a JWT.
    workspace_id: str | None = None
    api_key_id: str | None = None


@dataclass(frozen=True)
class Refusals:
    """What a caller says when a credential is refused (the API's wording by default)."""

    bad_key: str = "Invalid or revoked API key"
    bad_token: str = "Invalid or expired token"
    unrecognised: str = "Invalid credentials"


async def identify(
    services: Services, credential: str, *, refusals: Refusals = Refusals()
) -> Identified:
    """The user behind an API key or a JWT (401 otherwise). An API key is read-only and
    remembered for ``api_key_cache_seconds``; its ``last_used_at`` is written by detached
    work at most once a minute, never inside the caller's transaction."""
    if credential.startswith(API_KEY_PREFIX):
        identity = await api_key_identity(services, credential)
        if identity is None:
            raise Unauthorized(refusals.bad_key)
        if KEY_CACHE.touch_due(identity.key_id):
            _record_key_use(services, identity.key_id)
        return Identified(identity.user_id, identity.workspace_id, identity.key_id)
    if services.jwt is not None and looks_like_jwt(credential):
        try:
            claims = await services.jwt.verify(credential)
        except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
            raise Unauthorized(refusals.bad_token) from exc
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
            return Identified(user.id)
    raise Unauthorized(refusals.unrecognised)


async def api_key_identity(services: Services, credential: str) -> KeyIdentity | None:
    ttl = services.settings.api_key_cache_seconds
    database = services.db.name
    key_hash = hash_api_key(credential)
    identity = KEY_CACHE.get(database, key_hash, ttl)
    if identity is None:
        async with services.db.read_transaction() as session:
            identity = await keys.find_active_key(session, credential)
        if identity is not None:
            KEY_CACHE.put(database, key_hash, identity, ttl)
    return identity


def _record_key_use(services: Services, key_id: str) -> None:
    now = services.clock.now()

    async def touch() -> None:
        async with services.db.transaction() as session:
            await keys.touch_api_key(session, key_id, now=now)

    services.db.detach(touch, name=f"touch-api-key-{key_id}")


def _primary_email(data: dict[str, Any]) -> str | None:
    addresses = [a for a in data.get("email_addresses") or [] if isinstance(a, dict)]
    primary = data.get("primary_email_address_id")
    for address in addresses:
        if address.get("id") == primary and isinstance(address.get("email_address"), str):
            return str(address["email_address"]).lower()
    for address in addresses:
        if isinstance(address.get("email_address"), str):
            return str(address["email_address"]).lower()
    return None


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


async def sync_clerk_user(
    session: AsyncSession, event_type: str, data: dict[str, Any], now: datetime
) -> None:
    """user.created / user.updated upsert names, email and photo; user.deleted soft-deletes.
    Other event types are ignored."""
    if event_type not in ("user.created", "user.updated", "user.deleted"):
        return
    external_id = _text(data, "id")
    if external_id is None:
        raise ValidationFailed("The Clerk event has no user id (data.id)")
    user = await accounts.get_user_by_external_id(session, external_id)
    if event_type == "user.deleted":
        if user is not None:
            user.soft_delete(now)
            user.updated_at = now
        return
    email = _primary_email(data)
    first_name, last_name = _text(data, "first_name"), _text(data, "last_name")
    image_url = _text(data, "image_url") or _text(data, "profile_image_url")
    if user is None:
        user = await accounts.provision_external_user(
            session,
            now=now,
            external_id=external_id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            image_url=image_url,
        )
    if email and email != user.email:
        owner = await accounts.get_user_by_email(session, email)
        if owner is None or owner.id == user.id:
            user.email = email
    user.first_name, user.last_name = first_name, last_name
    user.image_url = image_url
    user.updated_at = now
    await session.flush()
