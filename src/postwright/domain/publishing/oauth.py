"""Connecting accounts: OAuth 2 for LinkedIn and X (Authlib), sessions and keys for the rest.

OAuth 2 follows RFC 6749 with PKCE (RFC 7636, S256) where the provider requires it (X);
Authlib builds the authorization URL, the code challenge and the token requests. Endpoints
are configurable so tests run against a fake authorization server.

- LinkedIn: "Sign In with LinkedIn using OpenID Connect" + "Share on LinkedIn" — scopes
  ``openid profile w_member_social``; client secret sent in the body.
- X: "OAuth 2.0 Authorization Code Flow with PKCE" — scopes ``tweet.read tweet.write
  users.read offline.access`` (``offline.access`` yields a refresh token); confidential clients
  authenticate with HTTP Basic.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client

from postwright.domain.publishing.adapters.base import AccountProfile, Credentials
from postwright.domain.publishing.adapters.bluesky import (
    DEFAULT_BASE_URL as BLUESKY_PDS,
)
from postwright.domain.publishing.adapters.bluesky import (
    create_session,
    refresh_session,
)
from postwright.domain.publishing.adapters.errors import (
    NeedsReconnect,
    PublishingError,
    RetryableError,
)
from postwright.domain.publishing.adapters.http import (
    DEFAULT_TIMEOUT_SECONDS,
    HttpOptions,
    ProviderHttp,
)

try:  # Authlib's httpx integration runs on httpx2 when installed, else on httpx.
    import httpx2

    _HTTP_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPError, httpx2.HTTPError)
    _STATUS_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPStatusError, httpx2.HTTPStatusError)
except ImportError:  # pragma: no cover - depends on Authlib's own dependencies
    _HTTP_ERRORS = (httpx.HTTPError,)
    _STATUS_ERRORS = (httpx.HTTPStatusError,)

# What a token request can fail with: an OAuth error answer, HTTP trouble, a non-JSON body.
_TOKEN_ERRORS: tuple[type[Exception], ...] = (AuthlibBaseError, *_HTTP_ERRORS, ValueError)

LINKEDIN_SCOPES = ("openid", "profile", "w_member_social")
X_SCOPES = ("tweet.read", "tweet.write", "users.read", "offline.access")
# Temporary token-endpoint failures; every other OAuth error means the grant is unusable.
_RETRYABLE_OAUTH_ERRORS = {"temporarily_unavailable", "server_error", "slow_down"}


@dataclass(frozen=True, slots=True)
class OAuthClientConfig:
    provider: str
    client_id: str
    client_secret: str | None
    redirect_uri: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    pkce: bool
    token_auth_method: str = "client_secret_post"
    extra_authorize_params: dict[str, str] = field(default_factory=dict)
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS


def linkedin_oauth(
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    *,
    authorize_url: str = "https://www.linkedin.com/oauth/v2/authorization",
    token_url: str = "https://www.linkedin.com/oauth/v2/accessToken",
) -> OAuthClientConfig:
    return OAuthClientConfig(
        provider="linkedin",
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        authorize_url=authorize_url,
        token_url=token_url,
        scopes=LINKEDIN_SCOPES,
        pkce=False,
    )


def x_oauth(
    client_id: str,
    client_secret: str | None,
    redirect_uri: str,
    *,
    authorize_url: str = "https://x.com/i/oauth2/authorize",
    token_url: str = "https://api.x.com/2/oauth2/token",
) -> OAuthClientConfig:
    return OAuthClientConfig(
        provider="x",
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        authorize_url=authorize_url,
        token_url=token_url,
        scopes=X_SCOPES,
        pkce=True,
        # A public client (no secret) identifies itself by client_id in the body.
        token_auth_method="client_secret_basic" if client_secret else "none",
    )


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """Where to send the user, and what to keep (server-side) until the callback."""

    url: str
    state: str
    code_verifier: str | None


def _client(config: OAuthClientConfig) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scope=" ".join(config.scopes),
        redirect_uri=config.redirect_uri,
        token_endpoint_auth_method=config.token_auth_method,
        code_challenge_method="S256" if config.pkce else None,
        timeout=config.timeout_seconds,
    )


def start_authorization(config: OAuthClientConfig) -> AuthorizationRequest:
    """The authorization URL with a fresh ``state`` (and PKCE verifier when required)."""
    verifier = generate_token(64) if config.pkce else None
    client = _client(config)
    url, state = client.create_authorization_url(
        config.authorize_url,
        state=generate_token(32),
        code_verifier=verifier,
        **config.extra_authorize_params,
    )
    return AuthorizationRequest(url=url, state=state, code_verifier=verifier)


def _credentials_from(token: dict[str, Any], base: Credentials | None = None) -> Credentials:
    expires_at = token.get("expires_at")
    expiry = datetime.fromtimestamp(int(expires_at), UTC) if expires_at else None
    extra = dict(base.extra) if base else {}
    if token.get("scope"):
        extra["scope"] = str(token["scope"])
    credentials = base or Credentials()
    return replace(
        credentials.with_tokens(str(token["access_token"]), token.get("refresh_token"), expiry),
        extra=extra,
    )


def _oauth_failure(provider: str, exc: Exception) -> PublishingError:
    if isinstance(exc, AuthlibBaseError):
        error = str(getattr(exc, "error", "") or "")
        description = str(getattr(exc, "description", "") or error)
        if error in _RETRYABLE_OAUTH_ERRORS:
            return RetryableError(f"{provider} sign-in is busy: {description}", provider=provider)
        return NeedsReconnect(
            f"{provider} refused the authorization ({description}); connect the account again.",
            provider=provider,
        )
    response = getattr(exc, "response", None)
    if isinstance(exc, _STATUS_ERRORS) and response is not None:
        status = int(response.status_code)
        if status == 429 or status >= 500:
            return RetryableError(
                f"{provider} sign-in is unavailable ({status}).",
                provider=provider,
                status_code=status,
            )
        return NeedsReconnect(
            f"{provider} refused the token request ({status}); connect the account again.",
            provider=provider,
            status_code=status,
        )
    if isinstance(exc, _HTTP_ERRORS):
        return RetryableError(f"Could not reach {provider} to sign in.", provider=provider)
    return RetryableError(f"{provider} answered the token request oddly: {exc}", provider=provider)


async def exchange_code(
    config: OAuthClientConfig,
    code: str,
    *,
    code_verifier: str | None = None,
    state: str | None = None,
    expected_state: str | None = None,
) -> Credentials:
    """Trade the callback's ``code`` for tokens. Checks ``state`` when both are given."""
    if expected_state is not None and state != expected_state:
        raise NeedsReconnect(
            "The sign-in response does not belong to this request; start again.",
            provider=config.provider,
        )
    if config.pkce and not code_verifier:
        raise NeedsReconnect(
            "The sign-in lost its PKCE verifier; start again.", provider=config.provider
        )
    async with _client(config) as client:
        try:
            token = await client.fetch_token(
                config.token_url, code=code, code_verifier=code_verifier
            )
        except _TOKEN_ERRORS as exc:
            raise _oauth_failure(config.provider, exc) from exc
    return _credentials_from(dict(token))


async def refresh_credentials(config: OAuthClientConfig, credentials: Credentials) -> Credentials:
    if not credentials.refresh_token:
        raise NeedsReconnect(
            f"The {config.provider} token expired and there is no refresh token; reconnect.",
            provider=config.provider,
        )
    async with _client(config) as client:
        try:
            token = await client.refresh_token(
                config.token_url, refresh_token=credentials.refresh_token
            )
        except _TOKEN_ERRORS as exc:
            raise _oauth_failure(config.provider, exc) from exc
    return _credentials_from(dict(token), credentials)


async def refresh_if_expiring(
    config: OAuthClientConfig,
    credentials: Credentials,
    *,
    within: timedelta = timedelta(minutes=10),
    now: datetime | None = None,
) -> Credentials | None:
    """Refreshed credentials when the token expires within ``within``; None when still good.

    A token without a known expiry is left alone: the next 401 will say if it died.
    """
    if credentials.expires_at is None:
        return None
    moment = now or datetime.now(UTC)
    if credentials.expires_at - moment > within:
        return None
    return await refresh_credentials(config, credentials)


async def connect_bluesky(
    identifier: str,
    app_password: str,
    *,
    pds_url: str = BLUESKY_PDS,
    client: httpx.AsyncClient | None = None,
    allow_loopback: bool = False,
) -> Credentials:
    """Log in with an app password; the credentials keep it to log in again when needed."""
    http = ProviderHttp("bluesky", HttpOptions(pds_url, allow_loopback=allow_loopback), client)
    try:
        return await create_session(http, identifier, app_password)
    finally:
        await http.aclose()


async def refresh_bluesky(
    credentials: Credentials,
    *,
    client: httpx.AsyncClient | None = None,
    allow_loopback: bool = False,
) -> Credentials:
    options = HttpOptions(credentials.instance_url or BLUESKY_PDS, allow_loopback=allow_loopback)
    http = ProviderHttp("bluesky", options, client)
    try:
        return await refresh_session(http, credentials)
    finally:
        await http.aclose()


__all__ = [
    "LINKEDIN_SCOPES",
    "X_SCOPES",
    "AccountProfile",
    "AuthorizationRequest",
    "OAuthClientConfig",
    "connect_bluesky",
    "exchange_code",
    "linkedin_oauth",
    "refresh_bluesky",
    "refresh_credentials",
    "refresh_if_expiring",
    "start_authorization",
    "x_oauth",
]
