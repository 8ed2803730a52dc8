from __future__ import annotations

import httpx

from postwright.core.services import Services
from tests.api.test_auth import assert_envelope
from tests.api.zorbit.helpers import on_plan, quota_used
from tests.factories import make_tenant

FEED_POST_KEYS = {"id", "content", "timestamp", "isLiked", "isDisliked", "isSaved", "metadata"}


async def test_the_feed_is_built_from_ideas_personas_liked_and_saved_posts(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    h = tenant.headers
    await client.post("/api/v1/idea", json={"prompt": "Remote work"}, headers=h)
    liked = await client.post("/api/v1/post", json={"content": "Shipping fast."}, headers=h)
    await client.put(f"/api/v1/post/{liked.json()['id']}", json={"isLiked": True}, headers=h)
    await client.post("/api/v1/post", json={"content": "Kept.", "isSaved": True}, headers=h)
    await client.post("/api/v1/persona", json={"name": "Voice"}, headers=h)

    response = await client.get("/api/v1/feed", headers=h)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"posts", "nextCursor", "hasMore"}
    assert len(body["posts"]) == 5
    post = body["posts"][0]
    assert set(post) == FEED_POST_KEYS
    assert set(post["metadata"]) == {
        "sourceType",
        "sourceId",
        "contentLength",
        "generatedWithWebSearch",
    }
    kinds = {p["metadata"]["sourceType"] for p in body["posts"]}
    assert kinds == {"idea", "liked_post", "saved_post", "persona"}
    assert all(p["metadata"]["generatedWithWebSearch"] is False for p in body["posts"])
    assert len({p["content"]["text"] for p in body["posts"]}) == 5
    assert body["hasMore"] is True
    assert body["nextCursor"] == body["posts"][-1]["id"]
    assert await quota_used(client, tenant, "post_generation") == 5

    more = (await client.get(f"/api/v1/feed?limit=2&cursor={body['nextCursor']}", headers=h)).json()
    assert len(more["posts"]) == 2
    assert {p["id"] for p in more["posts"]}.isdisjoint({p["id"] for p in body["posts"]})

    history = (await client.get("/api/v1/feed/history?limit=100", headers=h)).json()
    assert len(history) == 7
    assert set(history[0]) == {"id", "content", "createdAt", "source"}
    assert {item["source"] for item in history} == {"feed"}
    paged = (await client.get("/api/v1/feed/history?limit=3&page=3", headers=h)).json()
    assert len(paged) == 1


async def test_a_new_user_gets_a_feed_from_the_system_personas(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    body = (await client.get("/api/v1/feed?limit=1", headers=tenant.headers)).json()
    assert body["posts"][0]["metadata"]["sourceType"] == "persona"


async def test_feed_quota_and_errors(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other")
    await on_plan(services, tenant, post_generation_limit=3)
    h = tenant.headers
    for query in ("limit=0", "limit=6", "cursor=post_unknown"):
        assert_envelope(
            await client.get(f"/api/v1/feed?{query}", headers=h), 400, "VALIDATION_ERROR"
        )
    theirs = (await client.get("/api/v1/feed?limit=1", headers=stranger.headers)).json()
    foreign = await client.get(f"/api/v1/feed?cursor={theirs['nextCursor']}", headers=h)
    assert_envelope(foreign, 400, "VALIDATION_ERROR")
    assert await quota_used(client, tenant, "post_generation") == 0

    capped = (await client.get("/api/v1/feed", headers=h)).json()
    assert len(capped["posts"]) == 3
    assert (capped["hasMore"], capped["nextCursor"]) == (False, None)
    refused = await client.get("/api/v1/feed", headers=h)
    assert_envelope(refused, 402, "QUOTA_EXHAUSTED")
    assert refused.json()["quota"]["type"] == "post_generation"
    assert await quota_used(client, tenant, "post_generation") == 3
    assert (await client.get("/api/v1/feed/history", headers=stranger.headers)).json()[0][
        "id"
    ] == theirs["posts"][0]["id"]
