from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from postwright.domain.publishing.adapters.base import Credentials
from postwright.domain.publishing.adapters.errors import NeedsReconnect, RetryableError
from postwright.domain.publishing.oauth import (
    OAuthClientConfig,
    connect_bluesky,
    exchange_code,
    linkedin_oauth,
    refresh_bluesky,
    refresh_credentials,
    refresh_if_expiring,
    start_authorization,
    x_oauth,
)
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.oauth import FakeOAuth

REDIRECT = "https://pw.example.com/connect/callback"


@pytest.fixture(scope="module")
def linkedin_auth() -> Iterator[FakeOAuth]:
    with FakeOAuth("li-client", "li-secret").running() as fake:
        yield fake


@pytest.fixture(scope="module")
def x_auth() -> Iterator[FakeOAuth]:
    with FakeOAuth("x-client", "x-secret", require_pkce=True).running() as fake:
        yield fake


@pytest.fixture
def linkedin(linkedin_auth: FakeOAuth) -> OAuthClientConfig:
    linkedin_auth.reset()
    return linkedin_oauth(
        "li-client",
        "li-secret",
        REDIRECT,
        authorize_url=linkedin_auth.authorize_url,
        token_url=linkedin_auth.token_url,
    )


@pytest.fixture
def x(x_auth: FakeOAuth) -> OAuthClientConfig:
    x_auth.reset()
    return x_oauth(
        "x-client",
        "x-secret",
        REDIRECT,
        authorize_url=x_auth.authorize_url,
        token_url=x_auth.token_url,
    )


async def consent(url: str) -> dict[str, str]:
    """Play the user's browser: follow the authorization URL to the redirect."""
    async with httpx.AsyncClient() as browser:
        response = await browser.get(url)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_linkedin_authorization_url_has_scopes_and_state(linkedin: OAuthClientConfig) -> None:
    first, second = start_authorization(linkedin), start_authorization(linkedin)
    query = parse_qs(urlsplit(first.url).query)
    assert query["scope"] == ["openid profile w_member_social"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [REDIRECT]
    assert query["state"] == [first.state]
    assert first.state != second.state
    assert len(first.state) >= 32
    assert "code_challenge" not in query
    assert first.code_verifier is None


def test_x_authorization_url_uses_pkce_s256(x: OAuthClientConfig) -> None:
    request = start_authorization(x)
    query = parse_qs(urlsplit(request.url).query)
    assert query["scope"] == ["tweet.read tweet.write users.read offline.access"]
    assert query["code_challenge_method"] == ["S256"]
    assert request.code_verifier is not None
    assert 43 <= len(request.code_verifier) <= 128
    digest = hashlib.sha256(request.code_verifier.encode()).digest()
    assert query["code_challenge"] == [base64.urlsafe_b64encode(digest).rstrip(b"=").decode()]


async def test_linkedin_code_exchange(
    linkedin: OAuthClientConfig, linkedin_auth: FakeOAuth
) -> None:
    request = start_authorization(linkedin)
    callback = await consent(request.url)
    credentials = await exchange_code(
        linkedin, callback["code"], state=callback["state"], expected_state=request.state
    )
    token = linkedin_auth.issued[-1]
    assert credentials.access_token == token["access_token"]
    assert credentials.refresh_token == token["refresh_token"]
    assert credentials.expires_at is not None
    assert credentials.expires_at > datetime.now(UTC) + timedelta(minutes=59)
    assert credentials.extra["scope"] == "openid profile w_member_social"


async def test_state_mismatch_is_refused(linkedin: OAuthClientConfig) -> None:
    request = start_authorization(linkedin)
    callback = await consent(request.url)
    with pytest.raises(NeedsReconnect, match="does not belong"):
        await exchange_code(
            linkedin, callback["code"], state="forged", expected_state=request.state
        )


async def test_x_code_exchange_with_pkce_and_basic_auth(
    x: OAuthClientConfig, x_auth: FakeOAuth
) -> None:
    request = start_authorization(x)
    callback = await consent(request.url)
    credentials = await exchange_code(x, callback["code"], code_verifier=request.code_verifier)
    assert credentials.access_token == x_auth.issued[-1]["access_token"]
    token_call = [r for r in x_auth.requests if r.path == "/token"][-1]
    assert token_call.headers["authorization"].startswith("Basic ")


async def test_x_wrong_verifier_needs_reconnect(x: OAuthClientConfig) -> None:
    request = start_authorization(x)
    callback = await consent(request.url)
    with pytest.raises(NeedsReconnect, match="PKCE verification failed"):
        await exchange_code(x, callback["code"], code_verifier="x" * 64)


async def test_refresh_only_when_expiring(x: OAuthClientConfig, x_auth: FakeOAuth) -> None:
    request = start_authorization(x)
    callback = await consent(request.url)
    credentials = await exchange_code(x, callback["code"], code_verifier=request.code_verifier)
    assert credentials.expires_at is not None
    now = credentials.expires_at - timedelta(minutes=30)
    assert await refresh_if_expiring(x, credentials, now=now) is None
    refreshed = await refresh_if_expiring(
        x,
        credentials,
        within=timedelta(minutes=10),
        now=credentials.expires_at - timedelta(minutes=5),
    )
    assert refreshed is not None
    assert refreshed.access_token == x_auth.issued[-1]["access_token"]
    assert refreshed.refresh_token != credentials.refresh_token
    # The old refresh token was rotated out: using it again means the grant is gone.
    with pytest.raises(NeedsReconnect, match="Refresh token is invalid"):
        await refresh_credentials(x, credentials)


async def test_refresh_keeps_account_fields(
    linkedin: OAuthClientConfig, linkedin_auth: FakeOAuth
) -> None:
    request = start_authorization(linkedin)
    callback = await consent(request.url)
    credentials = await exchange_code(linkedin, callback["code"])
    stored = Credentials(
        access_token=credentials.access_token,
        refresh_token=credentials.refresh_token,
        expires_at=datetime.now(UTC),
        account_id="urn:li:person:abc",
    )
    refreshed = await refresh_credentials(linkedin, stored)
    assert refreshed.account_id == "urn:li:person:abc"
    assert refreshed.access_token != stored.access_token


async def test_token_endpoint_outage_is_retryable(
    linkedin: OAuthClientConfig, linkedin_auth: FakeOAuth
) -> None:
    linkedin_auth.fail_next(503)
    stored = Credentials(access_token="a", refresh_token="r")
    with pytest.raises(RetryableError):
        await refresh_credentials(linkedin, stored)


async def test_missing_refresh_token_needs_reconnect(linkedin: OAuthClientConfig) -> None:
    with pytest.raises(NeedsReconnect, match="no refresh token"):
        await refresh_if_expiring(
            linkedin, Credentials(access_token="a", expires_at=datetime.now(UTC))
        )


async def test_bluesky_app_password_session_and_refresh() -> None:
    with FakeBluesky().running() as fake:
        credentials = await connect_bluesky(
            fake.handle, fake.app_password, pds_url=fake.base_url, allow_loopback=True
        )
        assert credentials.account_id == fake.did
        assert credentials.instance_url == fake.base_url
        refreshed = await refresh_bluesky(credentials, allow_loopback=True)
        assert refreshed.access_token != credentials.access_token
        assert refreshed.api_key == fake.app_password
        with pytest.raises(NeedsReconnect):
            await connect_bluesky(fake.handle, "wrong", pds_url=fake.base_url, allow_loopback=True)
