from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import httpx
import yaml
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from postwright.core.services import Services
from tests.factories import make_tenant

SPEC_ROUTES = {
    "/api/v1/openapi.json",
    "/api/v1/openapi.yaml",
    "/api/v1/docs",
    "/api/v1/docs/oauth2-redirect",
}


async def test_spec_is_served_as_json_yaml_and_swagger_ui(client: httpx.AsyncClient) -> None:
    as_json = await client.get("/api/v1/openapi.json")
    as_yaml = await client.get("/api/v1/openapi.yaml")
    docs = await client.get("/api/v1/docs")

    assert as_json.status_code == as_yaml.status_code == docs.status_code == 200
    assert yaml.safe_load(as_yaml.text) == as_json.json()
    assert as_json.json()["openapi"].startswith("3.")
    assert "swagger-ui" in docs.text


def test_app_routes_and_spec_paths_are_the_same_set(app: FastAPI) -> None:
    spec = app.openapi()
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
    }
    served = {
        # path_format: a ``{key:path}`` route is documented as ``{key}``.
        (route.path_format, method)
        for route in api_routes(app.routes)
        if route.path not in SPEC_ROUTES and route.include_in_schema
        for method in route.methods - {"HEAD"}
    }
    assert served == documented
    hidden = {r.path for r in api_routes(app.routes) if not r.include_in_schema}
    assert hidden <= SPEC_ROUTES


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, walking into included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)


def test_every_authenticated_operation_documents_its_errors(app: FastAPI) -> None:
    spec = app.openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not operation.get("security"):
                continue
            responses = operation["responses"]
            for status in ("401", "429", "500"):
                assert status in responses, f"{method.upper()} {path} does not document {status}"
            envelope = responses["401"]["content"]["application/json"]["schema"]["$ref"]
            assert envelope.endswith("/ErrorEnvelope")


async def test_no_response_carries_a_key_hash_secret_or_traceback(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    created = await client.post("/api/v1/api-keys", json={"name": "x"}, headers=tenant.headers)
    from sqlalchemy import text

    async with services.db.transaction() as session:
        hashes = list((await session.execute(text("SELECT key_hash FROM api_keys"))).scalars())
    secret = services.settings.resolved_secret_key().decode()
    responses = [
        created,
        await client.get("/api/v1/api-keys", headers=tenant.headers),
        await client.get("/api/v1/user", headers=tenant.headers),
        await client.get("/api/v1/workspaces", headers=tenant.headers),
        await client.put(
            "/api/v1/user",
            content=b"{bad",
            headers={**tenant.headers, "Content-Type": "application/json"},
        ),
        await client.get("/api/v1/openapi.json"),
    ]
    for response in responses:
        body = response.text
        assert not any(h in body for h in hashes)
        assert secret not in body
        assert "Traceback" not in body
        assert 'File "' not in body
        assert not re.search(r"key_?hash", body, re.IGNORECASE)


async def test_fields_a_client_must_not_set_are_ignored(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    other = await make_tenant(services, name="Other", email="other@example.com")
    response = await client.put(
        "/api/v1/user",
        json={
            "name": "Eve Mallory",
            "role": "owner",
            "workspace_id": other.workspace_id,
            "credits": 1_000_000,
            "deleted_at": "2020-01-01T00:00:00Z",
            "is_platform_admin": True,
            "email": "eve@evil.test",
            "id": other.user_id,
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200
    assert response.json()["id"] == tenant.user_id
    me = (await client.get("/api/v1/user", headers=tenant.headers)).json()
    assert me["email"] is None
    assert me["firstName"] == "Eve"
    workspaces = (await client.get("/api/v1/workspaces", headers=tenant.headers)).json()[
        "workspaces"
    ]
    assert [w["id"] for w in workspaces] == [tenant.workspace_id]
    async with services.db.transaction() as session:
        from postwright.domain.accounts.models import User

        user = await session.get(User, tenant.user_id)
        assert user is not None
        assert not user.is_platform_admin
        assert user.deleted_at is None

    key = await client.post(
        "/api/v1/api-keys",
        json={"name": "k", "workspaceId": other.workspace_id, "role": "owner"},
        headers=tenant.headers,
    )
    assert key.json()["workspaceId"] == tenant.workspace_id
