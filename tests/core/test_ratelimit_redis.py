"""Several API processes share one rate-limit budget through Redis."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
import redis

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.settings import RateLimitSettings, RedisSettings
from tests.conftest import make_settings
from tests.factories import make_tenant

REDIS_URL = os.environ.get("POSTWRIGHT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("POSTWRIGHT_TEST_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis at {REDIS_URL} unreachable: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} unreachable: {exc}")
    return REDIS_URL


async def test_two_app_processes_share_the_budget(
    database_url: str, tmp_path: Path, clock: FrozenClock, redis_url: str
) -> None:
    settings = make_settings(
        database_url,
        tmp_path,
        redis=RedisSettings(url=redis_url),
        rate_limit=RateLimitSettings(read="4/minute"),
    )
    first, second = create_app(settings, clock=clock), create_app(settings, clock=clock)
    tenant = await make_tenant(first.state.services)
    statuses = []
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://a") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://b") as b,
    ):
        for http in (a, b, a, b, a, b):
            response = await http.get("/api/v1/user", headers=tenant.headers)
            statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 200, 429, 429]
    await first.state.services.close()
    await second.state.services.close()
