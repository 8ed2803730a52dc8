"""The dashboard draws on the API's rate limiter: the same budgets per user and class as
the API, sign-in attempts per client address; a refusal is a page in words, not JSON.
In-process (ASGI) with small configured limits, on every database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.settings import RateLimitSettings
from tests.conftest import make_settings
from tests.factories import make_tenant

LIMITS = RateLimitSettings(read="3/minute", write="2/minute", ai="1/minute", anonymous="2/minute")


@pytest.fixture
async def app(database_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url, tmp_path, rate_limit=LIMITS), clock=clock)
    async with application.router.lifespan_context(application):
        yield application


def browser(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50_000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def _token(html: str, pattern: str) -> str:
    found = re.search(pattern, html)
    assert found, html[:500]
    return found[1]


async def sign_in(http: httpx.AsyncClient, key: str) -> httpx.Response:
    form = await http.get("/app/login")
    token = _token(form.text, r'name="csrf_token" value="([^"]+)"')
    return await http.post(
        "/app/login", data={"csrf_token": token, "api_key": key, "next": "/app/compose"}
    )


def assert_refused_in_words(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"].startswith("text/html")
    assert "too many requests for now. Try again in" in response.text
    assert '"error"' not in response.text
    assert 0 < int(response.headers["retry-after"]) <= 60


async def test_sign_in_attempts_are_limited_per_client_address(app: FastAPI) -> None:
    tenant = await make_tenant(app.state.services)
    async with browser(app, "203.0.113.7") as guesser:
        for _ in range(2):
            guessed = await sign_in(guesser, "pw_live_guessed-key")
            assert guessed.status_code == 401
            assert "not valid" in guessed.text
        # Even the right key is refused once this address has used its attempts.
        refused = await sign_in(guesser, tenant.api_key)
        assert_refused_in_words(refused)
        assert "pw_session" not in refused.cookies
    async with browser(app, "203.0.113.8") as someone_else:
        assert (await sign_in(someone_else, tenant.api_key)).status_code == 303


async def test_pages_share_the_users_read_budget_with_the_api(app: FastAPI) -> None:
    tenant = await make_tenant(app.state.services)
    other = await make_tenant(app.state.services, email="other@example.com")
    async with browser(app, "198.51.100.1") as http:
        assert (await sign_in(http, tenant.api_key)).status_code == 303
        through_api = await http.get("/api/v1/user", headers=tenant.headers)
        pages = [await http.get(path) for path in ("/app/compose", "/app/calendar")]
        refused = await http.get("/app/personas")
        assert [r.status_code for r in (through_api, *pages)] == [200, 200, 200]
        assert_refused_in_words(refused)
        # The API sees the same spent budget; another user has their own.
        assert (await http.get("/api/v1/user", headers=tenant.headers)).status_code == 429
        assert (await http.get("/api/v1/user", headers=other.headers)).status_code == 200


async def test_form_posts_use_the_write_budget_and_model_actions_the_ai_budget(
    app: FastAPI,
) -> None:
    tenant = await make_tenant(app.state.services)
    async with browser(app, "198.51.100.2") as http:
        assert (await sign_in(http, tenant.api_key)).status_code == 303
        compose = await http.get("/app/compose")
        csrf = _token(compose.text, r'name="csrf-token" content="([^"]+)"')
        form = {"csrf_token": csrf, "platforms": "linkedin", "topic": "quiet launches"}
        first = await http.post("/app/compose", data={**form, "op": "generate"})
        assert first.status_code != 429, first.text
        # The second model call is over the ai budget: refused on the page, the form kept.
        second = await http.post("/app/compose", data={**form, "op": "generate"})
        assert_refused_in_words(second)
        assert "quiet launches" in second.text
        # The third form post is over the write budget, whatever it does.
        third = await http.post("/app/compose", data={**form, "op": "refresh"})
        assert_refused_in_words(third)
        # Signing out always works, and ends the session.
        signed_out = await http.post("/app/logout", data={"csrf_token": csrf})
        assert signed_out.status_code == 303
        assert signed_out.headers["location"] == "/app/login"
        after = await http.get("/app/compose")
        assert after.status_code == 303
        assert after.headers["location"].startswith("/app/login")
