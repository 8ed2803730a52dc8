"""A dashboard session in use is renewed as it goes, by any request, a form post included:
the renewal is a short write of its own, taken while the request holds no transaction."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.settings import DatabaseSettings
from postwright.domain.accounts import sessions
from postwright.domain.accounts.sessions import DashboardSession
from tests.conftest import make_settings
from tests.factories import make_tenant
from tests.web.test_limits import sign_in


@pytest.fixture
async def app(database_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[FastAPI]:
    # Short: a renewal waiting on the request's own write lock fails instead of hanging.
    database = DatabaseSettings(url=database_url, sqlite_busy_timeout_ms=2000)
    application = create_app(make_settings(database_url, tmp_path, database=database), clock=clock)
    async with application.router.lifespan_context(application):
        yield application


async def _expiry(app: FastAPI) -> list[object]:
    async with app.state.services.db.transaction() as session:
        return list(await session.scalars(select(DashboardSession.expires_at)))


async def test_a_form_post_renews_an_aging_session(app: FastAPI, clock: FrozenClock) -> None:
    tenant = await make_tenant(app.state.services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await sign_in(http, tenant.api_key)).status_code == 303
        page = await http.get("/app/compose")
        found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
        assert found, page.text[:300]
        before = await _expiry(app)

        clock.advance(sessions.RENEW_AFTER * 2)
        measured = await http.post(
            "/app/measure",
            json={"text": "Hello", "platforms": ["x"]},
            headers={"x-csrf-token": found[1]},
        )
        assert measured.status_code == 200, measured.text
        assert measured.json()["x"]["count"] == 5
    after = await _expiry(app)
    assert len(before) == len(after) == 1
    assert after[0] == before[0] + sessions.RENEW_AFTER * 2  # type: ignore[operator]
