"""Users kept in step with the identity provider (Clerk ``user.*`` events).

The signed webhook is verified and deduplicated in ``domain.billing.webhooks``; what the
event means for a user is decided here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.errors import ValidationFailed
from postwright.domain.accounts import service as accounts


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
