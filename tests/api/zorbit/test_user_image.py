"""zorbit ``PUT /api/v1/user`` with an ``imageKey``: the workspace's own image becomes the
profile's working ``imageUrl``; another workspace's key or an unknown one is refused."""

from __future__ import annotations

import httpx

from postwright.core.services import Services
from tests.factories import make_tenant


async def test_an_owned_image_key_sets_a_fetchable_image_url(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other", email="other@example.com")
    image = (
        await client.post(
            "/api/v1/generate-image-replicate",
            json={"postContent": "Portrait"},
            headers=tenant.headers,
        )
    ).json()

    updated = await client.put(
        "/api/v1/user", json={"imageKey": image["imageKey"]}, headers=tenant.headers
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["imageKey"] == image["imageKey"]
    shown = (await client.get("/api/v1/user", headers=tenant.headers)).json()["imageUrl"]
    assert shown is not None
    fetched = await client.get(shown)
    assert fetched.status_code == 200
    assert fetched.content.startswith(b"\x89PNG")

    theirs = await client.put(
        "/api/v1/user", json={"imageKey": image["imageKey"]}, headers=stranger.headers
    )
    assert theirs.status_code == 403
    missing = await client.put(
        "/api/v1/user",
        json={"imageKey": f"{tenant.workspace_id}/images/med_missing.png"},
        headers=tenant.headers,
    )
    assert missing.status_code == 404
    malformed = await client.put(
        "/api/v1/user", json={"imageKey": "user/xxx"}, headers=tenant.headers
    )
    assert malformed.status_code == 400
    profile = (await client.get("/api/v1/user", headers=stranger.headers)).json()
    assert profile["imageKey"] is None
    assert profile["imageUrl"] is None
