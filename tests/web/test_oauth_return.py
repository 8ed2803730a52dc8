"""An OAuth connect started from the dashboard ends in the dashboard, whatever the outcome;
one started through the API keeps the API's JSON answer. In-process, on every database,
against the fake OAuth server and fake networks the API tests use."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from postwright.core.services import Services
from postwright.core.settings import Settings
from tests.domain.publishing.world import Fakes, world_settings
from tests.factories import make_tenant
from tests.web.test_limits import sign_in


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fakes: Fakes) -> Settings:
    return world_settings(database_url, tmp_path, fakes)


async def _start_from_dashboard(client: httpx.AsyncClient, provider: str) -> str:
    """Press "Connect with …" on the accounts page; the provider's authorization URL."""
    page = await client.get("/app/accounts")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf, page.text[:300]
    started = await client.post(
        f"/app/accounts/oauth/{provider}", data={"csrf_token": csrf[1], "timezone": "UTC"}
    )
    assert started.status_code == 303, started.text
    return started.headers["location"]


async def _consent(authorization_url: str) -> str:
    """The user consents at the fake provider: the callback path and query it sends back."""
    async with httpx.AsyncClient() as browser:
        redirect = await browser.get(authorization_url)
    assert redirect.status_code == 302
    parts = urlsplit(redirect.headers["location"])
    return f"{parts.path}?{parts.query}"


async def test_dashboard_oauth_lands_on_the_accounts_page_with_the_outcome_in_words(
    client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    fakes.accept_issued_tokens()
    assert (await sign_in(client, tenant.api_key)).status_code == 303

    for provider, name in (("linkedin", "LinkedIn"), ("x", "X")):
        callback = await client.get(await _consent(await _start_from_dashboard(client, provider)))
        assert callback.status_code == 303
        assert callback.headers["location"] == (
            f"/app/accounts?oauth=connected&provider={provider}"
        )
        landed = await client.get(callback.headers["location"])
        assert f"{name} account connected." in landed.text
    listed = (await client.get("/api/v1/accounts", headers=tenant.headers)).json()
    assert sorted(a["provider"] for a in listed["accounts"]) == ["linkedin", "x"]

    # The provider refuses to trade the code: back on the page, in words, nothing stored.
    fakes.linkedin_auth.fail_next(500)
    refused = await client.get(await _consent(await _start_from_dashboard(client, "linkedin")))
    assert parse_qs(urlsplit(refused.headers["location"]).query)["reason"] == ["refused"]
    landed = await client.get(refused.headers["location"])
    assert "Connecting LinkedIn did not finish: LinkedIn did not accept the sign-in." in (
        landed.text
    )
    assert '"error"' not in landed.text

    # The user says no at the provider; a replayed callback finds its sign-in used up.
    authorize = await _start_from_dashboard(client, "linkedin")
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    denied = await client.get(
        "/api/v1/accounts/oauth/linkedin/callback",
        params={"state": state, "error": "access_denied"},
    )
    assert parse_qs(urlsplit(denied.headers["location"]).query)["reason"] == ["denied"]
    assert (
        "access was not allowed on LinkedIn" in (await client.get(denied.headers["location"])).text
    )
    callback = await _consent(await _start_from_dashboard(client, "linkedin"))
    assert (await client.get(callback)).status_code == 303
    replayed = await client.get(callback)
    assert replayed.status_code == 400
    assert replayed.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_api_started_oauth_still_answers_json(
    client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    fakes.accept_issued_tokens()
    started = await client.post("/api/v1/accounts/oauth/linkedin", json={}, headers=tenant.headers)
    authorize = started.json()["authorizationUrl"]
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    denied = await client.get(
        "/api/v1/accounts/oauth/linkedin/callback",
        params={"state": state, "error": "access_denied"},
    )
    assert denied.status_code == 400
    assert "did not complete" in denied.json()["error"]["message"]
    callback = await client.get(await _consent(authorize))
    assert callback.status_code == 200
    assert callback.json()["provider"] == "linkedin"
