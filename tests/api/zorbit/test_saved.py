from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from tests.api.test_auth import assert_envelope
from tests.factories import make_tenant

SAVED_POST_KEYS = {
    "id",
    "content",
    "timestamp",
    "isSaved",
    "isLiked",
    "isDisliked",
    "isPostedOnLinkedin",
    "linkedinUrl",
    "linkedinPostedAt",
    "scheduledOn",
}


async def test_saved_posts_and_ideas_page_through_one_cursor(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    tenant = await make_tenant(services)
    h = tenant.headers
    expected: list[str] = []
    for index in range(3):
        clock.advance(timedelta(minutes=1))
        saved = await client.post(
            "/api/v1/post", json={"content": f"Saved {index}", "isSaved": True}, headers=h
        )
        expected.append(saved.json()["id"])
        await client.post("/api/v1/post", json={"content": f"Not saved {index}"}, headers=h)
        clock.advance(timedelta(minutes=1))
        run = await client.post("/api/v1/idea", json={"prompt": f"Topic {index}"}, headers=h)
        expected.extend(i["id"] for i in run.json()["responseMessage"]["contentIdeas"])

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "limit=4" + (f"&cursor={cursor}" if cursor else "")
        page = await client.get(f"/api/v1/saved?{query}", headers=h)
        assert page.status_code == 200, page.text
        body = page.json()
        assert set(body) == {"posts", "ideas", "nextCursor", "hasMore"}
        for post in body["posts"]:
            assert set(post) == SAVED_POST_KEYS
            assert post["isSaved"] is True
            assert set(post["content"]) == {"text", "image", "imageKey"}
        seen.extend(p["id"] for p in body["posts"])
        seen.extend(i["id"] for i in body["ideas"])
        pages += 1
        if not body["hasMore"]:
            assert body["nextCursor"] is None
            break
        cursor = body["nextCursor"]
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen)) == 12
    assert pages == 3

    only_posts = (await client.get("/api/v1/saved?type=post", headers=h)).json()
    assert (len(only_posts["posts"]), only_posts["ideas"]) == (3, [])
    only_ideas = (await client.get("/api/v1/saved?type=idea&limit=100", headers=h)).json()
    assert (only_ideas["posts"], len(only_ideas["ideas"])) == ([], 9)


async def test_unsaving_removes_a_post_and_bad_queries_are_400(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other")
    h = tenant.headers
    post = (
        await client.post("/api/v1/post", json={"content": "x", "isSaved": True}, headers=h)
    ).json()
    assert len((await client.get("/api/v1/saved", headers=h)).json()["posts"]) == 1
    assert (await client.get("/api/v1/saved", headers=stranger.headers)).json()["posts"] == []
    await client.put(f"/api/v1/post/{post['id']}", json={"isSaved": False}, headers=h)
    assert (await client.get("/api/v1/saved", headers=h)).json()["posts"] == []

    for query in ("type=video", "cursor=forged.cursor", "limit=0", "limit=101"):
        response = await client.get(f"/api/v1/saved?{query}", headers=h)
        assert_envelope(response, 400, "VALIDATION_ERROR")
