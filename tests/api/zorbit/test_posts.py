from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from tests.api.test_auth import assert_envelope
from tests.api.zorbit.helpers import png_data_uri
from tests.factories import Tenant, add_member, make_tenant

LIST_ITEM_KEYS = {
    "id",
    "content",
    "type",
    "personaId",
    "createdAt",
    "scheduledOn",
    "isPostedOnLinkedin",
    "linkedinUrl",
}


async def create(client: httpx.AsyncClient, tenant: Tenant, **body: object) -> dict[str, object]:
    response = await client.post(
        "/api/v1/post", json={"content": "Hello", **body}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_create_get_update_delete_a_post(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    tenant = await make_tenant(services)
    h = tenant.headers

    created = await create(client, tenant, content="Post content here", type="post")
    assert created == {
        "id": created["id"],
        "content": "Post content here",
        "type": "post",
        "userId": tenant.user_id,
        "createdAt": "2026-03-02T09:00:00.000Z",
    }
    url = f"/api/v1/post/{created['id']}"

    got = (await client.get(url, headers=h)).json()
    assert got == {
        "id": created["id"],
        "title": None,
        "content": "Post content here",
        "imageUrl": None,
        "imageKey": None,
        "published": False,
        "isPostedOnLinkedin": False,
        "linkedinUrl": None,
        "linkedinPostedAt": None,
        "type": "post",
        "source": "manual",
        "createdAt": "2026-03-02T09:00:00.000Z",
        "updatedAt": "2026-03-02T09:00:00.000Z",
        "isLiked": False,
        "isDisliked": False,
        "isSaved": False,
        "userId": tenant.user_id,
        "personaId": None,
    }

    clock.advance(timedelta(minutes=5))
    updated = await client.put(
        url,
        json={"content": "Updated content", "isLiked": True, "isSaved": True},
        headers=h,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json() == {
        "id": created["id"],
        "content": "Updated content",
        "updatedAt": "2026-03-02T09:05:00.000Z",
    }
    disliked = await client.put(url, json={"isDisliked": True}, headers=h)
    assert disliked.status_code == 200
    after = (await client.get(url, headers=h)).json()
    assert (after["isLiked"], after["isDisliked"], after["isSaved"]) == (False, True, True)

    deleted = await client.delete(url, headers=h)
    assert deleted.json() == {"success": True, "deletedAt": "2026-03-02T09:05:00.000Z"}
    assert_envelope(await client.get(url, headers=h), 404, "NOT_FOUND")
    assert (await client.get("/api/v1/post", headers=h)).json()["totalCount"] == 0


async def test_scheduled_on_is_entered_with_a_timezone_and_stored_in_utc(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    tenant = await make_tenant(services)
    post = await create(client, tenant)
    url = f"/api/v1/post/{post['id']}"

    scheduled = await client.put(
        url, json={"scheduledOn": "2026-03-05T14:30:00+02:00"}, headers=tenant.headers
    )
    assert scheduled.status_code == 200, scheduled.text
    listed = (await client.get("/api/v1/post?scheduledOnly=true", headers=tenant.headers)).json()
    assert listed["posts"][0]["scheduledOn"] == "2026-03-05T12:30:00.000Z"

    for wrong in ("2026-03-05T14:30:00", "2026-03-01T00:00:00Z", "tomorrow"):
        refused = await client.put(url, json={"scheduledOn": wrong}, headers=tenant.headers)
        assert_envelope(refused, 400, "VALIDATION_ERROR")

    cleared = await client.put(url, json={"scheduledOn": None}, headers=tenant.headers)
    assert cleared.status_code == 200
    again = (await client.get("/api/v1/post?scheduledOnly=true", headers=tenant.headers)).json()
    assert again["totalCount"] == 0


async def test_list_pages_filters_and_sorts(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    tenant = await make_tenant(services)
    persona = (
        await client.post("/api/v1/persona", json={"name": "Voice"}, headers=tenant.headers)
    ).json()
    ids = []
    for index in range(12):
        clock.advance(timedelta(minutes=1))
        body: dict[str, object] = {"content": f"Post {index}"}
        if index % 3 == 0:
            body |= {"type": "article", "personaId": persona["id"]}
        ids.append((await create(client, tenant, **body))["id"])

    first = (await client.get("/api/v1/post?limit=5", headers=tenant.headers)).json()
    assert set(first) == {"posts", "hasMore", "totalCount", "page", "totalPages"}
    assert (first["totalCount"], first["totalPages"], first["page"], first["hasMore"]) == (
        12,
        3,
        1,
        True,
    )
    assert set(first["posts"][0]) == LIST_ITEM_KEYS
    assert [p["id"] for p in first["posts"]] == ids[::-1][:5]
    last = (await client.get("/api/v1/post?limit=5&page=3", headers=tenant.headers)).json()
    assert len(last["posts"]) == 2
    assert last["hasMore"] is False

    oldest = (
        await client.get("/api/v1/post?sort=createdAt:asc&limit=1", headers=tenant.headers)
    ).json()
    assert oldest["posts"][0]["id"] == ids[0]
    articles = (await client.get("/api/v1/post?type=article", headers=tenant.headers)).json()
    assert articles["totalCount"] == 4
    by_persona = (
        await client.get(f"/api/v1/post?personaId={persona['id']}", headers=tenant.headers)
    ).json()
    assert by_persona["totalCount"] == 4
    posted = (await client.get("/api/v1/post?postedOnly=true", headers=tenant.headers)).json()
    assert posted["totalCount"] == 0

    for query in (
        "sort=title:asc",
        "sort=createdAt",
        "page=0",
        "page=2523409431390250496",
        "limit=101",
    ):
        bad = await client.get(f"/api/v1/post?{query}", headers=tenant.headers)
        assert_envelope(bad, 400, "VALIDATION_ERROR")


async def test_bad_input_is_400_and_writes_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    h = tenant.headers
    assert_envelope(await client.post("/api/v1/post", json={}, headers=h), 400, "VALIDATION_ERROR")
    unknown_persona = await client.post(
        "/api/v1/post", json={"content": "x", "personaId": "persona_nope"}, headers=h
    )
    error = assert_envelope(unknown_persona, 400, "VALIDATION_ERROR")
    assert error["details"] == [
        {"field": "personaId", "message": "no such persona in this workspace"}
    ]
    bad_image = await client.post(
        "/api/v1/post",
        json={"content": "x", "image": "data:image/png;base64,bm90IGFuIGltYWdl"},
        headers=h,
    )
    assert_envelope(bad_image, 400, "VALIDATION_ERROR")
    assert (await client.get("/api/v1/post", headers=h)).json()["totalCount"] == 0

    post = await create(client, tenant)
    url = f"/api/v1/post/{post['id']}"
    assert_envelope(await client.put(url, json={}, headers=h), 400, "VALIDATION_ERROR")
    both = await client.put(url, json={"isLiked": True, "isDisliked": True}, headers=h)
    assert_envelope(both, 400, "VALIDATION_ERROR")


async def test_an_image_data_uri_is_stored_with_the_post(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    post = await create(client, tenant, image=png_data_uri())
    got = (await client.get(f"/api/v1/post/{post['id']}", headers=tenant.headers)).json()
    assert got["imageKey"].startswith(f"{tenant.workspace_id}/posts/")
    assert got["imageKey"].endswith(".png")
    # imageUrl is signed at read time and serves the very bytes that were sent.
    served = await client.get(got["imageUrl"])
    assert served.status_code == 200
    assert served.content.startswith(b"\x89PNG")
    downloaded = await client.get(
        "/api/v1/download-image", params={"key": got["imageKey"]}, headers=tenant.headers
    )
    assert downloaded.status_code == 200
    assert downloaded.content == served.content
    stranger = await make_tenant(services, name="Other", email="other@example.com")
    refused = await client.get(
        "/api/v1/download-image", params={"key": got["imageKey"]}, headers=stranger.headers
    )
    assert refused.status_code == 403

    removed = await client.put(
        f"/api/v1/post/{post['id']}", json={"image": ""}, headers=tenant.headers
    )
    assert removed.status_code == 200
    again = (await client.get(f"/api/v1/post/{post['id']}", headers=tenant.headers)).json()
    assert again["imageKey"] is None


async def test_only_the_owner_changes_a_post_and_other_workspaces_see_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    owner = await make_tenant(services, email="o@example.com")
    member = await add_member(services, owner, email="m@example.com")
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    post = await create(client, owner)
    url = f"/api/v1/post/{post['id']}"

    assert (await client.get(url, headers=member.headers)).status_code == 200
    assert_envelope(
        await client.put(url, json={"isLiked": True}, headers=member.headers), 403, "FORBIDDEN"
    )
    assert_envelope(await client.delete(url, headers=member.headers), 403, "FORBIDDEN")
    for method in ("GET", "PUT", "DELETE"):
        probe = await client.request(
            method,
            url,
            json={"content": "x"} if method == "PUT" else None,
            headers=stranger.headers,
        )
        assert_envelope(probe, 404, "NOT_FOUND")
    listed = (await client.get("/api/v1/post", headers=stranger.headers)).json()
    assert listed["totalCount"] == 0


async def test_a_repeated_idempotency_key_replays_with_409(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    headers = {**tenant.headers, "Idempotency-Key": "create-1"}
    first = await client.post("/api/v1/post", json={"content": "Once"}, headers=headers)
    again = await client.post("/api/v1/post", json={"content": "Once"}, headers=headers)
    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json() == first.json()
    assert (await client.get("/api/v1/post", headers=tenant.headers)).json()["totalCount"] == 1


async def test_sorting_by_schedule_puts_unscheduled_posts_last(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    tenant = await make_tenant(services)
    late, unscheduled, early = [(await create(client, tenant))["id"] for _ in range(3)]
    for post_id, day in ((late, 20), (early, 10)):
        response = await client.put(
            f"/api/v1/post/{post_id}",
            json={"scheduledOn": f"2026-03-{day}T09:00:00Z"},
            headers=tenant.headers,
        )
        assert response.status_code == 200
    for direction, expected in (("asc", [early, late]), ("desc", [late, early])):
        listed = (
            await client.get(f"/api/v1/post?sort=scheduledOn:{direction}", headers=tenant.headers)
        ).json()
        assert [p["id"] for p in listed["posts"]] == [*expected, unscheduled]
