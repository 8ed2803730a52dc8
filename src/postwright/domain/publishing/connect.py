"""Connecting accounts: OAuth 2 for LinkedIn and X (X with PKCE), app passwords for Bluesky,
access tokens for Mastodon, API keys for Buffer and Publer. Credentials are verified with
the provider before an account is stored, and stored sealed (``credentials.seal``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.errors import ValidationFailed
from postwright.core.ids import new_id
from postwright.core.services import Services
from postwright.domain.context import RequestCtx
from postwright.domain.generation.timing import zone
from postwright.domain.publishing import credentials as sealed
from postwright.domain.publishing.accounts import make_default
from postwright.domain.publishing.adapters import PROVIDERS, provider_info, verify_account
from postwright.domain.publishing.adapters.base import AccountProfile, Credentials
from postwright.domain.publishing.adapters.bluesky import DEFAULT_BASE_URL as BLUESKY_PDS
from postwright.domain.publishing.adapters.errors import (
    PublishingError,
)
from postwright.domain.publishing.config import OAUTH_PROVIDERS, oauth_client, publishing_config
from postwright.domain.publishing.models import AccountStatus, ConnectedAccount, OAuthSignIn
from postwright.domain.publishing.oauth import (
    connect_bluesky,
    exchange_code,
    start_authorization,
)
from postwright.domain.publishing.urls import check_public_url

SIGN_IN_LIFETIME = timedelta(minutes=15)


class ProviderRefused(ValidationFailed):
    """The provider would not accept the credentials given."""


@dataclass(frozen=True, slots=True)
class AccountInput:
    """What a user gives to connect an account without OAuth. Which fields matter depends on
    the provider: Bluesky ``identifier`` + ``app_password`` (+ ``instance_url`` for another
    PDS); Mastodon ``instance_url`` + ``access_token``; Buffer ``api_key`` +
    ``external_account_id`` (channel id); Publer ``api_key`` + ``publer_workspace_id`` +
    ``external_account_id`` (+ ``network``)."""

    provider: str
    timezone: str = "UTC"
    is_default: bool = False
    identifier: str | None = None
    app_password: str | None = None
    instance_url: str | None = None
    access_token: str | None = None
    api_key: str | None = None
    external_account_id: str | None = None
    publer_workspace_id: str | None = None
    network: str | None = None


def _require(value: str | None, field: str, provider: str) -> str:
    if not value or not value.strip():
        raise ValidationFailed(
            f"{field} is required to connect a {provider} account",
            details=[{"field": field, "message": "required", "type": "missing"}],
        )
    return value.strip()


async def _credentials_for(services: Services, data: AccountInput) -> Credentials:
    allow_loopback = services.settings.http.allow_loopback_urls
    provider = data.provider
    if provider == "bluesky":
        pds = None
        if data.instance_url:
            pds = await check_public_url(
                data.instance_url, field="instanceUrl", allow_loopback=allow_loopback
            )
        base = pds or services.settings.publishing.base_urls.get("bluesky") or BLUESKY_PDS
        return await connect_bluesky(
            _require(data.identifier, "identifier", provider),
            _require(data.app_password, "appPassword", provider),
            pds_url=base,
            allow_loopback=allow_loopback,
        )
    if provider == "mastodon":
        instance = await check_public_url(
            _require(data.instance_url, "instanceUrl", provider),
            field="instanceUrl",
            allow_loopback=allow_loopback,
        )
        return Credentials(
            access_token=_require(data.access_token, "accessToken", provider),
            instance_url=instance,
        )
    if provider == "buffer":
        return Credentials(
            api_key=_require(data.api_key, "apiKey", provider),
            account_id=_require(data.external_account_id, "externalAccountId", provider),
        )
    if provider == "publer":
        return Credentials(
            api_key=_require(data.api_key, "apiKey", provider),
            account_id=_require(data.external_account_id, "externalAccountId", provider),
            extra={
                "workspace_id": _require(data.publer_workspace_id, "publerWorkspaceId", provider),
                "network": (data.network or "linkedin").strip().lower(),
            },
        )
    raise ValidationFailed(
        f"{provider} accounts connect through OAuth: POST /api/v1/accounts/oauth/{provider}",
        details={"provider": provider},
    )


def _known_provider(name: str) -> str:
    try:
        info = provider_info(name)
    except PublishingError as exc:
        raise ValidationFailed(exc.reason, details={"provider": name}) from None
    if not info.capabilities.needs_account:
        raise ValidationFailed(
            f"The {info.display_name} provider needs no account", details={"provider": name}
        )
    return info.name


async def _verify(services: Services, provider: str, credentials: Credentials) -> AccountProfile:
    config = publishing_config(services.settings, services.db, services.clock)
    try:
        return await verify_account(provider, credentials, config)
    except PublishingError as exc:
        raise ProviderRefused(
            f"{PROVIDERS[provider].display_name} did not accept these credentials: {exc.reason}",
            details={"provider": provider},
        ) from exc


async def _save(
    session: AsyncSession,
    services: Services,
    *,
    workspace_id: str,
    user_id: str,
    provider: str,
    credentials: Credentials,
    profile: AccountProfile,
    timezone: str,
    is_default: bool,
) -> ConnectedAccount:
    """Insert the account, or refresh it when this workspace already connected it."""
    zone(timezone)
    now = services.clock.now()
    credentials = replace(credentials, account_id=credentials.account_id or profile.account_id)
    account = await session.scalar(
        select(ConnectedAccount)
        .where(
            ConnectedAccount.workspace_id == workspace_id,
            ConnectedAccount.provider == provider,
            ConnectedAccount.external_account_id == profile.account_id,
        )
        .with_for_update()
    )
    if account is None:
        has_default = await session.scalar(
            select(ConnectedAccount.id).where(
                ConnectedAccount.workspace_id == workspace_id,
                ConnectedAccount.provider == provider,
                ConnectedAccount.is_default.is_(True),
            )
        )
        account = ConnectedAccount(
            id=new_id("acc"),
            workspace_id=workspace_id,
            user_id=user_id,
            provider=provider,
            external_account_id=profile.account_id,
            is_default=has_default is None,
            created_at=now,
        )
        session.add(account)
    account.handle = profile.handle or credentials.handle
    account.display_name = profile.display_name
    account.timezone = timezone
    account.status = AccountStatus.ACTIVE
    account.status_reason = None
    account.updated_at = now
    sealed.store(services.secrets, account, credentials)
    await session.flush()
    if is_default:
        await make_default(session, account)
    return account


async def connect_account(ctx: RequestCtx, data: AccountInput) -> ConnectedAccount:
    provider = _known_provider(data.provider)
    data = replace(data, provider=provider)
    await ctx.end_transaction()  # the provider is asked below
    try:
        credentials = await _credentials_for(ctx.services, data)
    except PublishingError as exc:
        raise ProviderRefused(exc.reason, details={"provider": provider}) from exc
    profile = await _verify(ctx.services, provider, credentials)
    return await _save(
        ctx.session,
        ctx.services,
        workspace_id=ctx.workspace_id,
        user_id=ctx.user_id,
        provider=provider,
        credentials=credentials,
        profile=profile,
        timezone=data.timezone,
        is_default=data.is_default,
    )


async def start_oauth(
    ctx: RequestCtx,
    provider: str,
    *,
    timezone: str = "UTC",
    is_default: bool = False,
    return_to: str | None = None,
) -> str:
    """The provider's authorization URL; the sign-in is remembered until the callback.
    ``return_to`` (a dashboard path) makes the callback send the browser there."""
    provider = _known_provider(provider)
    if provider not in OAUTH_PROVIDERS:
        raise ValidationFailed(
            f"{provider} accounts connect with credentials: POST /api/v1/accounts",
            details={"provider": provider},
        )
    zone(timezone)
    request = start_authorization(oauth_client(ctx.settings, provider))
    now = ctx.clock.now()
    ctx.session.add(
        OAuthSignIn(
            state=request.state,
            workspace_id=ctx.workspace_id,
            user_id=ctx.user_id,
            provider=provider,
            encrypted_verifier=(
                ctx.secrets.encrypt(request.code_verifier) if request.code_verifier else None
            ),
            timezone=timezone,
            is_default=is_default,
            return_to=return_to,
            created_at=now,
            expires_at=now + SIGN_IN_LIFETIME,
        )
    )
    await ctx.session.flush()
    return request.url


async def sign_in_return_to(services: Services, state: str) -> str | None:
    """Where the sign-in named by ``state`` asked the browser to go after the callback."""
    async with services.db.read_sessionmaker() as session:
        sign_in = await session.get(OAuthSignIn, state)
        return sign_in.return_to if sign_in is not None else None


async def finish_oauth(
    services: Services, provider: str, *, code: str, state: str
) -> ConnectedAccount:
    """The callback: the ``state`` names the workspace and user who started the sign-in.

    Runs its own transactions (the callback is a browser GET): the sign-in is used up first,
    so a replayed callback fails; the account is stored after the provider answered.
    """
    async with services.db.transaction() as session:
        sign_in = await session.get(OAuthSignIn, state, with_for_update=True)
        if sign_in is None or sign_in.provider != provider:
            raise ValidationFailed("Unknown or already used sign-in; start connecting again")
        await session.delete(sign_in)
    if sign_in.expires_at < services.clock.now():
        raise ValidationFailed("The sign-in expired; start connecting again")
    client = oauth_client(services.settings, provider)
    verifier = (
        services.secrets.decrypt(sign_in.encrypted_verifier) if sign_in.encrypted_verifier else None
    )
    try:
        credentials = await exchange_code(client, code, code_verifier=verifier)
    except PublishingError as exc:
        raise ProviderRefused(exc.reason, details={"provider": provider}) from exc
    profile = await _verify(services, provider, credentials)
    async with services.db.transaction() as session:
        return await _save(
            session,
            services,
            workspace_id=sign_in.workspace_id,
            user_id=sign_in.user_id,
            provider=provider,
            credentials=credentials,
            profile=profile,
            timezone=sign_in.timezone,
            is_default=sign_in.is_default,
        )


__all__ = [
    "AccountInput",
    "ProviderRefused",
    "connect_account",
    "finish_oauth",
    "sign_in_return_to",
    "start_oauth",
]
