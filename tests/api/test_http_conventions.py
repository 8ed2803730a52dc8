from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from postwright.api.app import create_app
from postwright.api.deps import ActorDep, deprecated
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import HttpSettings, RateLimitSettings
from tests.conftest import make_settings
from tests.factories import make_tenant


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    generated = await client.get("/healthz")

    assert echoed.headers["x-request-id"] == "abc-123"
    assert generated.headers["x-request-id"].startswith("req_")
    unsafe = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"].startswith("req_")


async def test_body_over_five_megabytes_is_refused_with_413(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    big = b'{"name": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    headers = {**tenant.headers, "Content-Type": "application/json"}

    declared = await client.put("/api/v1/user", content=big, headers=headers)

    async def stream() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 1024 * 1024):
            yield big[start : start + 1024 * 1024]

    streamed = await client.put("/api/v1/user", content=stream(), headers=headers)

    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    profile = (await client.get("/api/v1/user", headers=tenant.headers)).json()
    assert profile["firstName"] == "Ada"


async def test_malformed_json_is_400_with_details(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    response = await client.put(
        "/api/v1/user",
        content=b'{"name": "Ada',
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"][0]["field"] == "body"
    assert "Traceback" not in response.text


async def test_field_validation_errors_name_the_field(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    response = await client.put("/api/v1/user", json={"name": ""}, headers=tenant.headers)
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "name"


async def test_json_routes_refuse_other_content_types(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    response = await client.put(
        "/api/v1/user",
        content=b'{"name": "Bob"}',
        headers={**tenant.headers, "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (rb'{"name": "Ada\u0000Lovelace"}', "name"),
        (rb'{"name": "x\udb72y"}', "name"),
        (rb'{"name": "Ada", "extra": {"notes": ["ok", "\u0000"]}}', "extra.notes.1"),
    ],
)
async def test_text_no_database_can_store_is_400_naming_the_field(
    client: httpx.AsyncClient, services: Services, body: bytes, field: str
) -> None:
    tenant = await make_tenant(services)
    headers = {**tenant.headers, "Content-Type": "application/json"}

    response = await client.put("/api/v1/user", content=body, headers=headers)
    query = await client.get("/api/v1/quotas/check", params={"type": "po\x00sts"}, headers=headers)

    assert response.status_code == 400
    assert response.json()["error"]["details"][0] == {
        "field": field,
        "message": "NUL characters and unpaired surrogates are not allowed",
        "type": "string_unstorable",
    }
    assert query.status_code == 400
    assert (await client.get("/api/v1/user", headers=tenant.headers)).json()["firstName"] == "Ada"


async def test_escaped_backslashes_and_emoji_pairs_are_ordinary_text(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    body = rb'{"name": "C:\\u0000dir \ud83d\ude80"}'
    response = await client.put(
        "/api/v1/user", content=body, headers={**tenant.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text


async def test_unknown_route_and_method_use_the_envelope(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nope")
    wrong_method = await client.delete("/healthz")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.fixture
async def limited_app(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[FastAPI]:
    settings = make_settings(
        database_url,
        tmp_path,
        rate_limit=RateLimitSettings(read="3/minute", write="2/minute"),
        http=HttpSettings(cors_origins=["https://app.example.com"]),
    )
    app = create_app(settings, clock=clock)
    extra = APIRouter()

    @extra.get(
        "/api/v1/_test/old", dependencies=[deprecated(sunset="Wed, 01 Jul 2026 00:00:00 GMT")]
    )
    async def old_route(actor: ActorDep) -> dict[str, str]:
        return {"ok": actor.user_id}

    @extra.get("/api/v1/_test/boom")
    async def boom(actor: ActorDep) -> dict[str, str]:
        raise RuntimeError("secret internals: password=hunter2")

    app.include_router(extra)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def limited_client(limited_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=limited_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_rate_limit_headers_and_429(
    limited_client: httpx.AsyncClient, limited_app: FastAPI
) -> None:
    tenant = await make_tenant(limited_app.state.services)
    responses = [await limited_client.get("/api/v1/user", headers=tenant.headers) for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["x-ratelimit-remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert all(r.headers["x-ratelimit-limit"] == "3" for r in responses)
    refused = responses[-1]
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert int(refused.headers["x-ratelimit-reset"]) > 0
    assert "ratelimit-policy" in refused.headers
    # Writes are their own class with their own budget.
    write = await limited_client.put("/api/v1/user", json={"name": "Bo"}, headers=tenant.headers)
    assert write.status_code == 200
    assert write.headers["x-ratelimit-limit"] == "2"


async def test_rate_limits_are_per_user(
    limited_client: httpx.AsyncClient, limited_app: FastAPI
) -> None:
    services = limited_app.state.services
    first = await make_tenant(services, email="one@example.com")
    second = await make_tenant(services, email="two@example.com")
    for _ in range(3):
        await limited_client.get("/api/v1/user", headers=first.headers)
    assert (await limited_client.get("/api/v1/user", headers=first.headers)).status_code == 429
    assert (await limited_client.get("/api/v1/user", headers=second.headers)).status_code == 200


async def test_cors_for_configured_origins_only(limited_client: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "Idempotency-Key",
    }
    allowed = await limited_client.options(
        "/api/v1/user", headers={"Origin": "https://app.example.com", **preflight}
    )
    refused = await limited_client.options(
        "/api/v1/user", headers={"Origin": "https://evil.example.com", **preflight}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in refused.headers


async def test_deprecated_routes_announce_their_sunset(
    limited_client: httpx.AsyncClient, limited_app: FastAPI
) -> None:
    tenant = await make_tenant(limited_app.state.services)
    response = await limited_client.get("/api/v1/_test/old", headers=tenant.headers)
    assert response.status_code == 200
    assert response.headers["deprecation"] == "true"
    assert response.headers["sunset"] == "Wed, 01 Jul 2026 00:00:00 GMT"


async def test_unexpected_errors_are_500_without_internals(
    limited_client: httpx.AsyncClient, limited_app: FastAPI
) -> None:
    tenant = await make_tenant(limited_app.state.services)
    response = await limited_client.get("/api/v1/_test/boom", headers=tenant.headers)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "INTERNAL_ERROR"
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-request-id"]


async def test_health_readiness_and_metrics(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    await client.get("/api/v1/user", headers=tenant.headers)
    await client.get("/api/v1/user")

    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    metrics = (await client.get("/metrics")).text
    assert (
        'postwright_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/user",status="200"}'
        in metrics
    )
    errors = 'postwright_http_errors_total{code="UNAUTHORIZED",method="GET",route="/api/v1/user"'
    assert f'{errors},status="401"}} 1.0' in metrics


async def test_readiness_fails_when_the_database_is_gone(
    tmp_path: Path, clock: FrozenClock
) -> None:
    settings = make_settings("sqlite+aiosqlite:////nonexistent-dir/x/y.db", tmp_path)
    settings.database.url = "sqlite+aiosqlite:///file:missing?mode=ro&uri=true"
    app = create_app(settings, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"


async def test_concurrent_requests_are_served(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    responses = await asyncio.gather(
        *[
            client.put("/api/v1/user", json={"name": f"N{i}"}, headers=tenant.headers)
            for i in range(10)
        ]
    )
    assert all(r.status_code == 200 for r in responses)
