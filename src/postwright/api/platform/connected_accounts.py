"""Connected accounts (no dialect documents them): list, connect, update, remove, OAuth
sign-in for LinkedIn and X, and engagement history import."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep, ServicesDep
from postwright.core.errors import AppError, NotFound, ValidationFailed, error_responses
from postwright.domain.publishing import accounts, connect, engagement
from postwright.domain.publishing.models import ConnectedAccount

router = APIRouter(prefix="/api/v1/accounts", tags=["platform: connected accounts"])
TIMEZONE = Field(default="UTC", min_length=1, max_length=64, description="IANA timezone")


class AccountOut(BaseModel):
    id: str
    provider: str
    externalAccountId: str
    handle: str | None
    displayName: str | None
    timezone: str
    isDefault: bool
    status: str = Field(description="active or needs_reconnect")
    needsReconnect: bool
    statusReason: str | None
    scopes: list[str]
    tokenExpiresAt: datetime | None
    createdAt: datetime
    updatedAt: datetime


class AccountList(BaseModel):
    accounts: list[AccountOut]


def account_out(account: ConnectedAccount) -> AccountOut:
    return AccountOut(
        id=account.id,
        provider=account.provider,
        externalAccountId=account.external_account_id,
        handle=account.handle,
        displayName=account.display_name,
        timezone=account.timezone,
        isDefault=account.is_default,
        status=account.status,
        needsReconnect=account.needs_reconnect,
        statusReason=account.status_reason,
        scopes=(account.scopes or "").split(),
        tokenExpiresAt=account.token_expires_at,
        createdAt=account.created_at,
        updatedAt=account.updated_at,
    )


class ConnectBody(BaseModel):
    """Fields by provider — bluesky: identifier, appPassword (instanceUrl for another PDS);
    mastodon: instanceUrl, accessToken; buffer: apiKey, externalAccountId (channel id);
    publer: apiKey, publerWorkspaceId, externalAccountId (network optional)."""

    model_config = ConfigDict(extra="ignore")

    provider: str = Field(min_length=1, max_length=40)
    timezone: str = TIMEZONE
    isDefault: bool = False
    identifier: str | None = Field(default=None, max_length=500)
    appPassword: str | None = Field(default=None, max_length=500)
    instanceUrl: str | None = Field(default=None, max_length=2000)
    accessToken: str | None = Field(default=None, max_length=5000)
    apiKey: str | None = Field(default=None, max_length=5000)
    externalAccountId: str | None = Field(default=None, max_length=500)
    publerWorkspaceId: str | None = Field(default=None, max_length=200)
    network: str | None = Field(default=None, max_length=40)


class UpdateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    isDefault: bool | None = None


class OAuthStartBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    timezone: str = TIMEZONE
    isDefault: bool = False


class OAuthStartOut(BaseModel):
    authorizationUrl: str = Field(description="Send the user here; the provider redirects back")


class SampleIn(BaseModel):
    externalId: str = Field(min_length=1, max_length=500)
    postedAt: datetime
    engagement: float = Field(ge=0, description="Any engagement measure, consistently")


class ImportBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    samples: list[SampleIn] = Field(min_length=1, max_length=engagement.MAX_IMPORT)


class ImportOut(BaseModel):
    imported: int
    updated: int
    total: int


@router.get("", response_model=AccountList, responses=error_responses())
async def list_accounts(ctx: CtxDep) -> AccountList:
    rows = await accounts.list_accounts(ctx)
    return AccountList(accounts=[account_out(a) for a in rows])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountOut,
    responses=error_responses(ValidationFailed),
)
async def connect_account(body: ConnectBody, ctx: CtxDep) -> AccountOut:
    """Connect a Bluesky, Mastodon, Buffer or Publer account. The credentials are checked
    with the provider, then stored encrypted. LinkedIn and X use the OAuth routes."""
    account = await connect.connect_account(
        ctx,
        connect.AccountInput(
            provider=body.provider,
            timezone=body.timezone,
            is_default=body.isDefault,
            identifier=body.identifier,
            app_password=body.appPassword,
            instance_url=body.instanceUrl,
            access_token=body.accessToken,
            api_key=body.apiKey,
            external_account_id=body.externalAccountId,
            publer_workspace_id=body.publerWorkspaceId,
            network=body.network,
        ),
    )
    return account_out(account)


@router.post(
    "/oauth/{provider}",
    response_model=OAuthStartOut,
    responses=error_responses(ValidationFailed),
)
async def start_oauth(
    provider: str,
    ctx: CtxDep,
    body: OAuthStartBody | None = None,
) -> OAuthStartOut:
    """Begin connecting a LinkedIn or X account (X with PKCE)."""
    options = body or OAuthStartBody()
    url = await connect.start_oauth(
        ctx,
        provider,
        timezone=options.timezone,
        is_default=options.isDefault,
    )
    return OAuthStartOut(authorizationUrl=url)


@router.get(
    "/oauth/{provider}/callback",
    response_model=AccountOut,
    responses=error_responses(ValidationFailed),
)
async def oauth_callback(
    provider: str,
    services: ServicesDep,
    state: Annotated[str, Query(min_length=1, max_length=200)],
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    error_description: Annotated[str | None, Query(max_length=2000)] = None,
) -> AccountOut | Response:
    """Where the provider sends the user back. The ``state`` names the sign-in (and so the
    workspace and user); it works once. A sign-in started from the dashboard sends the
    browser back there (``?oauth=connected`` or ``?oauth=failed&reason=…``) instead."""
    return_to = await connect.sign_in_return_to(services, state)
    if error or not code:
        if return_to is not None:
            return _back_to_dashboard(return_to, provider, failed="denied")
        raise ValidationFailed(
            f"The {provider} sign-in did not complete: {error_description or error or 'no code'}"
        )
    try:
        account = await connect.finish_oauth(services, provider, code=code, state=state)
    except AppError as exc:
        if return_to is None:
            raise
        refused = not isinstance(exc, ValidationFailed) or isinstance(exc, connect.ProviderRefused)
        return _back_to_dashboard(return_to, provider, failed="refused" if refused else "expired")
    if return_to is not None:
        return _back_to_dashboard(return_to, provider)
    return account_out(account)


def _back_to_dashboard(return_to: str, provider: str, *, failed: str | None = None) -> Response:
    """The dashboard puts the outcome into words; only fixed words travel in the URL."""
    outcome = {"oauth": "failed", "reason": failed} if failed else {"oauth": "connected"}
    query = urlencode({**outcome, "provider": provider})
    return RedirectResponse(f"{return_to}?{query}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/{account_id}", response_model=AccountOut, responses=error_responses(NotFound))
async def get_account(account_id: str, ctx: CtxDep) -> AccountOut:
    return account_out(await accounts.get_account(ctx, account_id))


@router.patch("/{account_id}", response_model=AccountOut, responses=error_responses(NotFound))
async def update_account(account_id: str, body: UpdateBody, ctx: CtxDep) -> AccountOut:
    account = await accounts.update_account(
        ctx, account_id, timezone=body.timezone, is_default=body.isDefault
    )
    return account_out(account)


@router.delete(
    "/{account_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(NotFound),
)
async def delete_account(account_id: str, ctx: CtxDep) -> Response:
    await accounts.delete_account(ctx, account_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{account_id}/engagement",
    response_model=ImportOut,
    responses=error_responses(NotFound, ValidationFailed),
)
async def import_engagement(account_id: str, body: ImportBody, ctx: CtxDep) -> ImportOut:
    """Import how the account's past posts performed; suggest-time learns from it."""
    result = await engagement.import_history(
        ctx,
        account_id,
        [engagement.SampleInput(s.externalId, s.postedAt, s.engagement) for s in body.samples],
    )
    return ImportOut(imported=result.imported, updated=result.updated, total=result.total)
