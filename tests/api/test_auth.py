from __future__ import annotations

import httpx
import pytest

from postwright.core.services import Services
from tests.factories import add_member, make_tenant


def assert_envelope(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["requestId"] == response.headers["x-request-id"]
    assert error["timestamp"].endswith("Z")
    return dict(error)


async def test_user_profile_with_bearer_and_x_api_key(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services, email="ada@example.com")

    by_bearer = await client.get("/api/v1/user", headers=tenant.headers)
    by_header = await client.get("/api/v1/user", headers={"x-api-key": tenant.api_key})

    assert by_bearer.status_code == 200
    assert by_bearer.json() == by_header.json()
    assert by_bearer.json() == {
        "id": tenant.user_id,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
        "bio": None,
        "imageUrl": None,
        "imageKey": None,
    }


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer pw_live_not-a-real-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"x-api-key": "garbage"},
        {"Authorization": "Bearer ey.garbled.jwt"},
    ],
)
async def test_missing_or_garbled_credentials_get_401_envelope(
    client: httpx.AsyncClient, services: Services, headers: dict[str, str]
) -> None:
    await make_tenant(services)
    response = await client.get("/api/v1/user", headers=headers)
    assert_envelope(response, 401, "UNAUTHORIZED")


async def test_revoked_key_gets_401(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    second = (
        await client.post("/api/v1/api-keys", json={"name": "ci"}, headers=tenant.headers)
    ).json()
    second_headers = {"Authorization": f"Bearer {second['key']}"}
    assert (await client.get("/api/v1/user", headers=second_headers)).status_code == 200

    revoked = await client.delete(f"/api/v1/api-keys/{second['id']}", headers=tenant.headers)

    assert revoked.status_code == 200
    assert revoked.json()["revokedAt"] is not None
    assert_envelope(await client.get("/api/v1/user", headers=second_headers), 401, "UNAUTHORIZED")
    assert (await client.get("/api/v1/user", headers=tenant.headers)).status_code == 200


async def test_api_key_is_shown_once_and_only_its_hash_is_stored(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    created = (
        await client.post("/api/v1/api-keys", json={"name": "ci"}, headers=tenant.headers)
    ).json()

    assert created["key"].startswith("pw_live_")
    listed = (await client.get("/api/v1/api-keys", headers=tenant.headers)).json()["keys"]
    assert all("key" not in k and "keyHash" not in k for k in listed)
    assert created["key"] not in str(listed)
    async with services.db.transaction() as session:
        from sqlalchemy import text

        stored = (await session.execute(text("SELECT key_hash FROM api_keys"))).scalars().all()
    assert created["key"] not in stored
    assert all(len(h) == 64 for h in stored)


async def test_last_used_time_is_recorded(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    await client.get("/api/v1/user", headers=tenant.headers)
    await services.db.drain()  # recorded by detached work, off the request's path
    keys = (await client.get("/api/v1/api-keys", headers=tenant.headers)).json()["keys"]
    assert keys[0]["lastUsedAt"] is not None


async def test_workspace_header_selects_a_membership_and_refuses_others(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services, name="First", email="owner@example.com")
    second = await make_tenant(services, name="Second", email="owner@example.com")
    stranger = await make_tenant(services, name="Stranger", email="s@example.com")

    workspaces = (await client.get("/api/v1/workspaces", headers=tenant.headers)).json()[
        "workspaces"
    ]
    assert {w["id"] for w in workspaces} == {tenant.workspace_id, second.workspace_id}

    chosen = await client.get(
        "/api/v1/api-keys", headers={**tenant.headers, "X-Workspace-Id": second.workspace_id}
    )
    assert chosen.status_code == 200
    assert {k["workspaceId"] for k in chosen.json()["keys"]} == {second.workspace_id}

    refused = await client.get(
        "/api/v1/user", headers={**tenant.headers, "X-Workspace-Id": stranger.workspace_id}
    )
    assert_envelope(refused, 403, "FORBIDDEN")


async def test_another_workspace_key_cannot_be_read_or_revoked(
    client: httpx.AsyncClient, services: Services
) -> None:
    a = await make_tenant(services, name="A", email="a@example.com")
    b = await make_tenant(services, name="B", email="b@example.com")
    b_keys = (await client.get("/api/v1/api-keys", headers=b.headers)).json()["keys"]

    response = await client.delete(f"/api/v1/api-keys/{b_keys[0]['id']}", headers=a.headers)

    assert_envelope(response, 404, "NOT_FOUND")
    a_keys = (await client.get("/api/v1/api-keys", headers=a.headers)).json()["keys"]
    assert b_keys[0]["id"] not in {k["id"] for k in a_keys}
    assert (await client.get("/api/v1/user", headers=b.headers)).status_code == 200


async def test_member_cannot_revoke_a_colleagues_key_but_admin_can(
    client: httpx.AsyncClient, services: Services
) -> None:
    from postwright.domain.accounts.models import Role

    owner = await make_tenant(services, email="o@example.com")
    member = await add_member(services, owner, email="m@example.com")
    admin = await add_member(services, owner, email="ad@example.com", role=Role.ADMIN)
    owner_key = (await client.get("/api/v1/api-keys", headers=owner.headers)).json()["keys"][0]

    by_member = await client.delete(f"/api/v1/api-keys/{owner_key['id']}", headers=member.headers)
    by_admin = await client.delete(f"/api/v1/api-keys/{owner_key['id']}", headers=admin.headers)

    assert by_member.status_code == 404
    assert by_admin.status_code == 200
