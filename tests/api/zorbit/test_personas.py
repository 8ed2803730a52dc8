from __future__ import annotations

import httpx

from postwright.core.services import Services
from postwright.domain.accounts.models import Role
from tests.factories import add_member, make_tenant

PERSONA = {
    "name": "Tech Professional",
    "description": "A tech-savvy professional persona",
    "defaultPrompt": "Default prompt",
    "targetAudience": "Tech professionals",
    "profession": "Software Engineer",
    "relevantKeywords": "AI, ML, Tech",
    "opinions": "Innovation-focused",
    "vocabulary": "Technical terms",
    "avoidWords": "Jargon",
    "endGoal": "Engage tech community",
    "customHashtag": "#TechLife",
    "fixCta": "Call to action",
}


async def personas_used(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    quotas = (await client.get("/api/v1/usage/quotas", headers=headers)).json()
    return int(quotas["personas"]["used"])


async def test_create_get_list_update_delete(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    h = tenant.headers

    created = await client.post("/api/v1/persona", json=PERSONA, headers=h)
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"id", "name", "createdAt"}
    persona_id = body["id"]
    assert await personas_used(client, h) == 1

    got = (await client.get(f"/api/v1/persona/{persona_id}", headers=h)).json()
    assert got["targetAudience"] == "Tech professionals"
    assert got["customHashtag"] == "#TechLife"
    listed = (await client.get("/api/v1/persona", headers=h)).json()
    assert listed[0]["id"] == persona_id
    assert {p["isSystem"] for p in listed} == {False, True}
    dropdown = (await client.get("/api/v1/persona/dropdown", headers=h)).json()
    assert dropdown[0] == {"id": persona_id, "name": "Tech Professional"}

    updated = await client.put(
        f"/api/v1/persona/{persona_id}", json={"name": "Updated Name"}, headers=h
    )
    assert updated.status_code == 200
    assert set(updated.json()) == {"id", "name", "updatedAt"}
    assert updated.json()["name"] == "Updated Name"
    assert (
        await client.put(f"/api/v1/persona/{persona_id}", json={}, headers=h)
    ).status_code == 400

    deleted = await client.delete(f"/api/v1/persona/{persona_id}", headers=h)
    assert deleted.status_code == 200
    assert deleted.json()["success"] is True
    assert deleted.json()["deletedAt"].endswith("Z")
    assert (await client.get(f"/api/v1/persona/{persona_id}", headers=h)).status_code == 404
    assert await personas_used(client, h) == 0


async def test_persona_quota_is_a_standing_count(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    h = tenant.headers
    limit = (await client.get("/api/v1/usage/quotas", headers=h)).json()["personas"]["limit"]
    ids = []
    for index in range(limit):
        response = await client.post("/api/v1/persona", json={"name": f"P{index}"}, headers=h)
        assert response.status_code == 201
        ids.append(response.json()["id"])

    refused = await client.post("/api/v1/persona", json={"name": "One too many"}, headers=h)
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "QUOTA_EXHAUSTED"
    assert refused.json()["quota"]["type"] == "personas"
    assert refused.json()["quota"]["remaining"] == 0
    assert (
        len(
            [
                p
                for p in (await client.get("/api/v1/persona", headers=h)).json()
                if not p["isSystem"]
            ]
        )
        == limit
    )

    await client.delete(f"/api/v1/persona/{ids[0]}", headers=h)
    again = await client.post("/api/v1/persona", json={"name": "Fits again"}, headers=h)
    assert again.status_code == 201


async def test_system_personas_are_readable_not_editable(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    system = next(
        p
        for p in (await client.get("/api/v1/persona", headers=tenant.headers)).json()
        if p["isSystem"]
    )

    assert (
        await client.get(f"/api/v1/persona/{system['id']}", headers=tenant.headers)
    ).status_code == 200
    edit = await client.put(
        f"/api/v1/persona/{system['id']}", json={"name": "Mine"}, headers=tenant.headers
    )
    delete = await client.delete(f"/api/v1/persona/{system['id']}", headers=tenant.headers)
    assert edit.status_code == delete.status_code == 403
    assert (
        await client.get("/api/v1/persona/system_unknown", headers=tenant.headers)
    ).status_code == 404


async def test_only_owner_or_admin_changes_a_persona_and_other_workspaces_see_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    owner = await make_tenant(services, email="o@example.com")
    member = await add_member(services, owner, email="m@example.com")
    admin = await add_member(services, owner, email="a@example.com", role=Role.ADMIN)
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    created = (
        await client.post("/api/v1/persona", json={"name": "Brand"}, headers=member.headers)
    ).json()
    url = f"/api/v1/persona/{created['id']}"

    assert (await client.get(url, headers=owner.headers)).status_code == 200
    other_member = await add_member(services, owner, email="m2@example.com")
    forbidden = await client.put(url, json={"name": "X"}, headers=other_member.headers)
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "FORBIDDEN"
    assert (
        await client.put(url, json={"name": "By admin"}, headers=admin.headers)
    ).status_code == 200
    for method in ("GET", "PUT", "DELETE"):
        probe = await client.request(
            method, url, json={"name": "x"} if method == "PUT" else None, headers=stranger.headers
        )
        assert probe.status_code == 404, method
    assert created["id"] not in str(
        (await client.get("/api/v1/persona", headers=stranger.headers)).json()
    )


async def test_generate_persona_from_a_description(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    response = await client.post(
        "/api/v1/persona/generate",
        json={
            "prompt": "A healthcare professional who focuses on patient care and medical innovation"
        },
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {
        "id",
        "name",
        "description",
        "targetAudience",
        "profession",
        "relevantKeywords",
        "opinions",
        "vocabulary",
        "avoidWords",
        "endGoal",
        "createdAt",
    }
    assert body["name"]
    assert "patient" in (body["description"] + body["relevantKeywords"]).lower()
    assert await personas_used(client, tenant.headers) == 1
    stored = await client.get(f"/api/v1/persona/{body['id']}", headers=tenant.headers)
    assert stored.json()["name"] == body["name"]


async def test_missing_name_is_400(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    response = await client.post(
        "/api/v1/persona", json={"description": "no name"}, headers=tenant.headers
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "name"
    assert await personas_used(client, tenant.headers) == 0
