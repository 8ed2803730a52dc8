"""zorbit images: generate (quota, attach to post), download and refresh (owner only)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.domain.media.models import MediaAsset
from tests.domain.billing.helpers import funded_tenant
from tests.domain.media.helpers import image_size, load_post, local_path, make_post
from tests.factories import add_member, make_tenant

GENERATE = "/api/v1/generate-image-replicate"


async def test_generates_a_card_signed_for_download(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    response = await client.post(
        GENERATE,
        json={"postContent": "Three lessons from our first year of remote work.\nMore below."},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["imageKey"].startswith(f"{tenant.workspace_id}/images/")
    image = await client.get(local_path(body["imageUrl"]))
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image_size(image.content) == (1080, 1080)
    usage = (await client.get("/api/v1/usage/quotas", headers=tenant.headers)).json()
    assert usage["image_creation"]["used"] == 1


async def test_post_id_attaches_the_image_and_supplies_the_content(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    post_id = await make_post(services, workspace_id=tenant.workspace_id, user_id=tenant.user_id)
    response = await client.post(GENERATE, json={"postId": post_id}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    key = response.json()["imageKey"]
    post = await load_post(services, post_id)
    assert post.image_key == key
    async with services.db.read_sessionmaker() as session:
        asset = await session.scalar(select(MediaAsset).where(MediaAsset.key == key))
    assert asset is not None
    assert asset.post_id == post_id
    assert asset.provider == "builtin"
    assert "Fridays" in (asset.prompt or "")


async def test_custom_prompt_is_used_as_given(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    response = await client.post(
        GENERATE,
        json={"postContent": "Hiring news", "customPrompt": "A lighthouse at dawn"},
        headers=tenant.headers,
    )
    assert response.status_code == 200
    async with services.db.read_sessionmaker() as session:
        asset = await session.scalar(
            select(MediaAsset).where(MediaAsset.key == response.json()["imageKey"])
        )
    assert asset is not None
    assert asset.prompt == "A lighthouse at dawn"


async def test_posts_of_others_are_forbidden_or_invisible(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    colleague = await add_member(services, tenant, email="bo@example.com")
    stranger = await make_tenant(services, name="Other")
    post_id = await make_post(services, workspace_id=tenant.workspace_id, user_id=tenant.user_id)
    body = {"postId": post_id, "postContent": "x"}
    forbidden = await client.post(GENERATE, json=body, headers=colleague.headers)
    assert forbidden.status_code == 403
    hidden = await client.post(GENERATE, json=body, headers=stranger.headers)
    assert hidden.status_code == 404
    assert (await load_post(services, post_id)).image_key is None


async def test_missing_post_content_is_400(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    response = await client.post(GENERATE, json={}, headers=tenant.headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_exhausted_quota_is_402_and_stores_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await funded_tenant(services, 0, image_creation_limit=1)
    first = await client.post(GENERATE, json={"postContent": "One"}, headers=tenant.headers)
    assert first.status_code == 200
    second = await client.post(GENERATE, json={"postContent": "Two"}, headers=tenant.headers)
    assert second.status_code == 402
    assert second.json()["quota"]["type"] == "image_creation"
    assert second.json()["quota"]["remaining"] == 0
    async with services.db.read_sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(MediaAsset)
            .where(MediaAsset.workspace_id == tenant.workspace_id)
        )
    assert count == 1


async def test_download_is_for_the_owner_only(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other")
    created = await client.post(GENERATE, json={"postContent": "Hi"}, headers=tenant.headers)
    key = created.json()["imageKey"]

    mine = await client.get("/api/v1/download-image", params={"key": key}, headers=tenant.headers)
    assert mine.status_code == 200
    assert mine.headers["content-type"] == "image/png"
    assert mine.content.startswith(b"\x89PNG")

    theirs = await client.get(
        "/api/v1/download-image", params={"key": key}, headers=stranger.headers
    )
    assert theirs.status_code == 403
    missing = await client.get(
        "/api/v1/download-image",
        params={"key": f"{tenant.workspace_id}/images/none.png"},
        headers=tenant.headers,
    )
    assert missing.status_code == 404
    no_key = await client.get("/api/v1/download-image", headers=tenant.headers)
    assert no_key.status_code == 400
    traversal = await client.get(
        "/api/v1/download-image",
        params={"key": f"{tenant.workspace_id}/../etc/passwd"},
        headers=tenant.headers,
    )
    assert traversal.status_code == 400


async def test_refresh_signs_a_new_url_and_old_ones_expire(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other")
    created = (
        await client.post(GENERATE, json={"postContent": "Hi"}, headers=tenant.headers)
    ).json()
    clock.advance(timedelta(hours=2))
    expired = await client.get(local_path(created["imageUrl"]))
    assert expired.status_code == 403

    refreshed = await client.post(
        "/api/v1/refresh-image-url",
        json={"imageKey": created["imageKey"]},
        headers=tenant.headers,
    )
    assert refreshed.status_code == 200
    body = refreshed.json()
    assert body["expiresAt"].endswith("Z")
    assert (await client.get(local_path(body["imageUrl"]))).status_code == 200

    theirs = await client.post(
        "/api/v1/refresh-image-url",
        json={"imageKey": created["imageKey"]},
        headers=stranger.headers,
    )
    assert theirs.status_code == 403
    missing = await client.post("/api/v1/refresh-image-url", json={}, headers=tenant.headers)
    assert missing.status_code == 400


async def test_tampered_media_urls_are_refused(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    created = (
        await client.post(GENERATE, json={"postContent": "Hi"}, headers=tenant.headers)
    ).json()
    path = local_path(created["imageUrl"])
    assert (await client.get(path.replace("signature=", "signature=x"))).status_code == 403
    assert (await client.get(path.split("?")[0])).status_code == 403
