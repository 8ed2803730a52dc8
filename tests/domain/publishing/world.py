"""A workspace wired to every fake provider: settings pointing at the fakes, accounts
connected through the real endpoints (OAuth for LinkedIn and X), posts scheduled."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from postwright.core.services import Services
from postwright.core.settings import PublishingSettings, Settings
from postwright.domain.content.models import Post, PublishState
from postwright.domain.publishing.models import Publication
from tests.conftest import make_settings
from tests.factories import Tenant
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.buffer import FakeBuffer
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.oauth import FakeOAuth
from tests.fakes.publer import FakePubler
from tests.fakes.x import FakeX

CRON_KEY = "cron-key-for-tests-0123456789"


class AcceptsIssuedTokens(set[str]):
    """A fake API's token set that also accepts what the fake authorization servers issue
    (``access-N``), until revoked."""

    def __init__(self, tokens: set[str]) -> None:
        super().__init__(tokens)
        self.revoked: set[str] = set()

    def __contains__(self, token: object) -> bool:
        if super().__contains__(token):
            return True
        return isinstance(token, str) and token.startswith("access-") and token not in self.revoked

    def discard(self, token: str) -> None:
        self.revoked.add(token)
        super().discard(token)


@dataclass
class Fakes:
    linkedin: FakeLinkedIn
    x: FakeX
    bluesky: FakeBluesky
    mastodon: FakeMastodon
    buffer: FakeBuffer
    publer: FakePubler
    linkedin_auth: FakeOAuth
    x_auth: FakeOAuth

    def network(self, provider: str) -> Any:
        return getattr(self, provider)

    def accept_issued_tokens(self) -> None:
        """The fake authorization servers issue ``access-N``; the fake APIs accept them."""
        for fake in (self.linkedin, self.x):
            if not isinstance(fake.valid_tokens, AcceptsIssuedTokens):
                fake.valid_tokens = AcceptsIssuedTokens(fake.valid_tokens)


def publishing_settings(fakes: Fakes, **overrides: Any) -> PublishingSettings:
    values: dict[str, Any] = {
        "base_urls": {
            "linkedin": fakes.linkedin.base_url,
            "x": fakes.x.base_url,
            "bluesky": fakes.bluesky.base_url,
            "buffer": fakes.buffer.base_url,
            "publer": fakes.publer.base_url,
        },
        "linkedin_client_id": "li-client",
        "linkedin_client_secret": "li-secret",
        "linkedin_authorize_url": fakes.linkedin_auth.authorize_url,
        "linkedin_token_url": fakes.linkedin_auth.token_url,
        "x_client_id": "x-client",
        "x_client_secret": "x-secret",
        "x_authorize_url": fakes.x_auth.authorize_url,
        "x_token_url": fakes.x_auth.token_url,
        "cron_api_key": CRON_KEY,
        "retry_initial_seconds": 0.01,
        "retry_attempts": 4,
        "timeout_seconds": 5,
    }
    values.update(overrides)
    return PublishingSettings(**values)


def world_settings(database_url: str, data_dir: Path, fakes: Fakes, **extra: Any) -> Settings:
    return make_settings(database_url, data_dir, publishing=publishing_settings(fakes), **extra)


async def connect_oauth(
    client: httpx.AsyncClient, tenant: Tenant, provider: str, **options: Any
) -> dict[str, Any]:
    started = await client.post(
        f"/api/v1/accounts/oauth/{provider}", json=options, headers=tenant.headers
    )
    assert started.status_code == 200, started.text
    async with httpx.AsyncClient() as browser:  # the user consents at the fake provider
        redirect = await browser.get(started.json()["authorizationUrl"])
    assert redirect.status_code == 302
    query = urlsplit(redirect.headers["location"]).query
    params = {k: v[0] for k, v in parse_qs(query).items()}
    callback = await client.get(f"/api/v1/accounts/oauth/{provider}/callback", params=params)
    assert callback.status_code == 200, callback.text
    return dict(callback.json())


def direct_body(provider: str, fakes: Fakes) -> dict[str, Any]:
    if provider == "bluesky":
        return {
            "provider": "bluesky",
            "identifier": fakes.bluesky.handle,
            "appPassword": fakes.bluesky.app_password,
            "instanceUrl": fakes.bluesky.base_url,
        }
    if provider == "mastodon":
        return {
            "provider": "mastodon",
            "instanceUrl": fakes.mastodon.base_url,
            "accessToken": fakes.mastodon.token,
        }
    if provider == "buffer":
        return {
            "provider": "buffer",
            "apiKey": fakes.buffer.api_key,
            "externalAccountId": "chan_linkedin",
        }
    return {
        "provider": "publer",
        "apiKey": fakes.publer.api_key,
        "publerWorkspaceId": fakes.publer.workspace_id,
        "externalAccountId": "acc_li",
    }


async def connect(
    client: httpx.AsyncClient, tenant: Tenant, provider: str, fakes: Fakes, **options: Any
) -> dict[str, Any]:
    if provider in ("linkedin", "x"):
        fakes.accept_issued_tokens()
        return await connect_oauth(client, tenant, provider, **options)
    response = await client.post(
        "/api/v1/accounts", json={**direct_body(provider, fakes), **options}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def add_post(
    services: Services,
    tenant: Tenant,
    text: str,
    *,
    at: datetime,
    provider: str | None = None,
    account_id: str | None = None,
    first_comment: str | None = None,
) -> str:
    """A scheduled post, as the posts endpoints of the dialects store one."""
    from postwright.core.ids import new_id

    now = services.clock.now()
    async with services.db.transaction() as session:
        post = Post(
            id=new_id("post"),
            workspace_id=tenant.workspace_id,
            user_id=tenant.user_id,
            content=text,
            first_comment=first_comment,
            scheduled_on=at,
            publish_state=PublishState.SCHEDULED,
            publish_provider=provider,
            publish_account_id=account_id,
            created_at=now,
            updated_at=now,
        )
        session.add(post)
        return post.id


async def post_row(services: Services, post_id: str) -> Post:
    async with services.db.transaction() as session:
        post = await session.get(Post, post_id)
        assert post is not None
        return post


async def publications(services: Services, post_id: str) -> list[Publication]:
    async with services.db.transaction() as session:
        rows = await session.scalars(select(Publication).where(Publication.post_id == post_id))
        return list(rows)


# Fixtures: registered for every test by tests/conftest.py (pytest_plugins).
@pytest.fixture(scope="session")
def linkedin_auth_server() -> Iterator[FakeOAuth]:
    with FakeOAuth("li-client", "li-secret").running() as fake:
        yield fake


@pytest.fixture(scope="session")
def x_auth_server() -> Iterator[FakeOAuth]:
    with FakeOAuth("x-client", "x-secret", require_pkce=True).running() as fake:
        yield fake


@pytest.fixture
def fakes(
    request: pytest.FixtureRequest,
    linkedin_auth_server: FakeOAuth,
    x_auth_server: FakeOAuth,
) -> Fakes:
    """Every fake network, reset (through their ``fake_*`` fixtures)."""
    linkedin_auth_server.reset()
    x_auth_server.reset()
    linkedin_auth_server.expires_in = 3600
    networks = ["linkedin", "x", "bluesky", "mastodon", "buffer", "publer"]
    found = [request.getfixturevalue(f"fake_{name}") for name in networks]
    return Fakes(*found, linkedin_auth_server, x_auth_server)
