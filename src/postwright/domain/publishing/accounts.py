"""Connected accounts: listing, updating, removing, the default account per provider, token
refresh, and marking an account that needs reconnecting. Connecting lives in ``connect``.
The outbox provider needs no account.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.errors import NotFound
from postwright.core.services import Services
from postwright.core.tenancy import get_scoped, scoped
from postwright.domain.context import Ctx
from postwright.domain.generation.timing import zone
from postwright.domain.publishing import credentials as sealed
from postwright.domain.publishing.adapters import PROVIDERS
from postwright.domain.publishing.adapters.base import Credentials
from postwright.domain.publishing.adapters.errors import (
    NeedsReconnect,
)
from postwright.domain.publishing.config import OAUTH_PROVIDERS, oauth_client
from postwright.domain.publishing.models import AccountStatus, ConnectedAccount
from postwright.domain.publishing.oauth import (
    refresh_if_expiring,
)


async def make_default(session: AsyncSession, account: ConnectedAccount) -> None:
    await session.execute(
        update(ConnectedAccount)
        .where(
            ConnectedAccount.workspace_id == account.workspace_id,
            ConnectedAccount.provider == account.provider,
            ConnectedAccount.id != account.id,
        )
        .values(is_default=False)
    )
    account.is_default = True


async def list_accounts(ctx: Ctx) -> list[ConnectedAccount]:
    rows = await ctx.session.scalars(
        scoped(ConnectedAccount, ctx.workspace_id).order_by(ConnectedAccount.created_at)
    )
    return list(rows)


async def get_account(ctx: Ctx, account_id: str) -> ConnectedAccount:
    found: ConnectedAccount = await get_scoped(
        ctx.session, ConnectedAccount, ctx.workspace_id, account_id
    )
    return found


async def update_account(
    ctx: Ctx,
    account_id: str,
    *,
    timezone: str | None = None,
    is_default: bool | None = None,
) -> ConnectedAccount:
    account = await get_account(ctx, account_id)
    if timezone is not None:
        zone(timezone)
        account.timezone = timezone
    if is_default:
        await make_default(ctx.session, account)
    account.updated_at = ctx.now()
    return account


async def delete_account(ctx: Ctx, account_id: str) -> None:
    account = await get_account(ctx, account_id)
    await ctx.session.delete(account)
    await ctx.session.flush()
    if account.is_default:
        successor = await ctx.session.scalar(
            scoped(ConnectedAccount, ctx.workspace_id)
            .where(ConnectedAccount.provider == account.provider)
            .order_by(ConnectedAccount.created_at)
            .limit(1)
        )
        if successor is not None:
            successor.is_default = True


async def default_account(
    session: AsyncSession, workspace_id: str, provider: str
) -> ConnectedAccount | None:
    """The provider's default account in the workspace (or its only one)."""
    found: ConnectedAccount | None = await session.scalar(
        scoped(ConnectedAccount, workspace_id)
        .where(ConnectedAccount.provider == provider)
        .order_by(ConnectedAccount.is_default.desc(), ConnectedAccount.created_at)
        .limit(1)
    )
    return found


async def resolve_account(
    session: AsyncSession, workspace_id: str, provider: str, account_id: str | None
) -> ConnectedAccount:
    """The account a post goes out through: the one named (by our id or the provider's), or
    the provider's default. NotFound when the workspace has no such connection."""
    if account_id:
        found = await session.scalar(
            scoped(ConnectedAccount, workspace_id).where(
                ConnectedAccount.provider == provider,
                (ConnectedAccount.id == account_id)
                | (ConnectedAccount.external_account_id == account_id),
            )
        )
    else:
        found = await default_account(session, workspace_id, provider)
    if found is None:
        name = PROVIDERS[provider].display_name if provider in PROVIDERS else provider
        raise NotFound(f"No connected {name} account; connect one first")
    return found


def mark_needs_reconnect(account: ConnectedAccount, reason: str, now: datetime) -> None:
    account.status = AccountStatus.NEEDS_RECONNECT
    account.status_reason = reason
    account.updated_at = now


async def fresh_credentials(services: Services, account: ConnectedAccount) -> Credentials:
    """The account's credentials, its OAuth token refreshed first when it expires soon.
    The caller stores them back (``credentials.store``) when they changed."""
    current = sealed.load(services.secrets, account)
    if account.provider not in OAUTH_PROVIDERS or current.expires_at is None:
        return current
    window = timedelta(seconds=services.settings.publishing.refresh_before_seconds)
    now = services.clock.now()
    if current.expires_at - now > window:
        return current
    client = oauth_client(services.settings, account.provider)
    refreshed = await refresh_if_expiring(client, current, within=window, now=now)
    return refreshed or current


__all__ = [
    "NeedsReconnect",
    "default_account",
    "delete_account",
    "fresh_credentials",
    "get_account",
    "list_accounts",
    "make_default",
    "mark_needs_reconnect",
    "resolve_account",
    "update_account",
]
