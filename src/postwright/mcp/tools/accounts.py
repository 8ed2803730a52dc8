"""Connected accounts: where posts can be published."""

from __future__ import annotations

from pydantic import BaseModel, Field

from postwright.core.clock import isoformat_z
from postwright.domain.context import RequestCtx
from postwright.domain.publishing import accounts
from postwright.domain.publishing.models import ConnectedAccount
from postwright.mcp.runtime import tool


class AccountOut(BaseModel):
    id: str = Field(description="Pass as account_id to schedule_post, suggest_time, bulk jobs")
    provider: str
    handle: str | None
    display_name: str | None
    timezone: str
    is_default: bool = Field(description="Used when a tool names the provider but no account")
    needs_reconnect: bool = Field(description="Publishing fails until it is reconnected")
    status_reason: str | None
    created_at: str


class AccountList(BaseModel):
    accounts: list[AccountOut]


def account_out(account: ConnectedAccount) -> AccountOut:
    return AccountOut(
        id=account.id,
        provider=account.provider,
        handle=account.handle,
        display_name=account.display_name,
        timezone=account.timezone,
        is_default=account.is_default,
        needs_reconnect=account.needs_reconnect,
        status_reason=account.status_reason,
        created_at=isoformat_z(account.created_at),
    )


@tool(title="List connected accounts")
async def list_accounts(ctx: RequestCtx) -> AccountList:
    """The social accounts connected to this workspace (LinkedIn, X, Bluesky, Mastodon,
    Buffer, Publer). Accounts are connected in the dashboard or the API, not here."""
    found = await accounts.list_accounts(ctx)
    return AccountList(accounts=[account_out(a) for a in found])
