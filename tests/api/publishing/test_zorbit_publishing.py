"""zorbit: POST /api/v1/post/publish (cron) and POST /api/v1/post/share-linkedin."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import Settings
from postwright.domain.content.models import PublishState
from tests.domain.publishing.world import (
    CRON_KEY,
    Fakes,
    add_post,
    connect,
    post_row,
    world_settings,
)
from tests.factories import add_member, make_tenant


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fakes: Fakes) -> Settings:
    return world_settings(database_url, tmp_path, fakes)


async def test_publish_requires_the_internal_key(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)  # an ordinary user's key is not enough
    for headers, body in [
        ({}, {}),
        ({"Authorization": "Bearer wrong"}, {}),
        (tenant.headers, {}),
        ({}, {"apiKey": "wrong"}),
    ]:
        response = await client.post("/api/v1/post/publish", json=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    "auth",
    [
        {"headers": {"Authorization": f"Bearer {CRON_KEY}"}},
        {"headers": {"X-API-Key": CRON_KEY}},
        {"json": {"apiKey": CRON_KEY}},
    ],
)
async def test_publish_processes_due_and_overdue_posts_with_per_post_results(
    auth: dict[str, object],
    client: httpx.AsyncClient,
    services: Services,
    clock: FrozenClock,
    fakes: Fakes,
) -> None:
    tenant = await make_tenant(services)
    await connect(client, tenant, "linkedin", fakes)
    await connect(client, tenant, "mastodon", fakes)
    now = clock.now()
    overdue = await add_post(
        services, tenant, "Overdue", at=now - timedelta(hours=3), provider="linkedin"
    )
    soon = await add_post(
        services, tenant, "In 90 s", at=now + timedelta(seconds=90), provider="mastodon"
    )
    later = await add_post(
        services, tenant, "Tomorrow", at=now + timedelta(days=1), provider="linkedin"
    )
    broken = await add_post(services, tenant, "x" * 600, at=now, provider="mastodon")

    response = await client.post("/api/v1/post/publish", **auth)  # type: ignore[arg-type]

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["totalProcessed"] == 3
    assert body["successCount"] == 2
    assert body["failureCount"] == 1
    assert body["processedAt"].endswith("Z")
    results = {r["postId"]: r for r in body["results"]}
    assert set(results) == {overdue, soon, broken}
    assert results[overdue]["success"] is True
    assert results[overdue]["shareUrl"].startswith("https://www.linkedin.com/feed/update/")
    assert results[broken]["success"] is False
    assert results[broken]["shareUrl"] is None
    assert "500" in results[broken]["error"]
    assert (await post_row(services, later)).publish_state == PublishState.SCHEDULED

    again = (await client.post("/api/v1/post/publish", **auth)).json()  # type: ignore[arg-type]
    assert again["totalProcessed"] == 0
    assert len(fakes.linkedin.posts) == 1
    assert len(fakes.mastodon.posts) == 1


async def test_a_platform_admin_key_may_trigger_publishing(
    client: httpx.AsyncClient, services: Services
) -> None:
    admin = await make_tenant(services, platform_admin=True)
    response = await client.post("/api/v1/post/publish", json={}, headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["totalProcessed"] == 0


async def test_share_linkedin_publishes_now_and_replays(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    await connect(client, tenant, "linkedin", fakes)
    post_id = await add_post(services, tenant, "Share me", at=clock.now() + timedelta(days=3))
    headers = {**tenant.headers, "Idempotency-Key": "share-1"}

    response = await client.post(
        "/api/v1/post/share-linkedin", json={"postId": post_id}, headers=headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert (
        body["shareUrl"] == f"https://www.linkedin.com/feed/update/{fakes.linkedin.posts[0]['id']}/"
    )
    assert body["sharedAt"].endswith("Z")
    replay = await client.post(
        "/api/v1/post/share-linkedin", json={"postId": post_id}, headers=headers
    )
    assert replay.status_code == 409
    assert replay.json() == body
    # Sharing again without a key answers the existing share, never a second post.
    again = await client.post(
        "/api/v1/post/share-linkedin", json={"postId": post_id}, headers=tenant.headers
    )
    assert again.json()["shareUrl"] == body["shareUrl"]
    assert len(fakes.linkedin.posts) == 1
    post = await post_row(services, post_id)
    assert post.publish_state == PublishState.PUBLISHED
    assert post.external_url == body["shareUrl"]


async def test_share_linkedin_is_forbidden_without_the_linkedin_permission(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    post_id = await add_post(services, tenant, "No account", at=clock.now())
    response = await client.post(
        "/api/v1/post/share-linkedin", json={"postId": post_id}, headers=tenant.headers
    )
    assert response.status_code == 403
    assert "LinkedIn permission" in response.json()["error"]["message"]

    await connect(client, tenant, "linkedin", fakes)
    fakes.linkedin.valid_tokens.discard(fakes.linkedin_auth.issued[-1]["access_token"])
    revoked = await client.post(
        "/api/v1/post/share-linkedin", json={"postId": post_id}, headers=tenant.headers
    )
    assert revoked.status_code == 403
    assert "reconnect" in revoked.json()["error"]["message"]
    post = await post_row(services, post_id)
    assert post.publish_state == PublishState.FAILED
    assert fakes.linkedin.posts == []


async def test_share_linkedin_checks_owner_and_workspace(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    await connect(client, tenant, "linkedin", fakes)
    post_id = await add_post(services, tenant, "Mine", at=clock.now())
    member = await add_member(services, tenant, email="colleague@example.com")
    stranger = await make_tenant(services, name="Elsewhere")

    not_owner = await client.post(
        "/api/v1/post/share-linkedin", json={"postId": post_id}, headers=member.headers
    )
    other_workspace = await client.post(
        "/api/v1/post/share-linkedin", json={"postId": post_id}, headers=stranger.headers
    )
    missing = await client.post("/api/v1/post/share-linkedin", json={}, headers=tenant.headers)

    assert not_owner.status_code == 403
    assert not_owner.json()["error"]["message"] == "Not post owner"
    assert other_workspace.status_code == 404
    assert missing.status_code == 400
    assert fakes.linkedin.posts == []


async def test_publish_without_a_linkedin_connection_fails_the_post_and_keeps_it_schedulable(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    due = await add_post(services, tenant, "Due now", at=clock.now())

    response = await client.post("/api/v1/post/publish", json={"apiKey": CRON_KEY})

    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert result["postId"] == due
    assert result["success"] is False
    assert result["shareUrl"] is None
    assert "LinkedIn" in result["error"]
    shown = (await client.get(f"/api/v1/post/{due}", headers=tenant.headers)).json()
    assert shown["isPostedOnLinkedin"] is False
    assert shown["linkedinUrl"] is None
    rescheduled = await client.put(
        f"/api/v1/post/{due}",
        json={"scheduledOn": (clock.now() + timedelta(hours=1)).isoformat()},
        headers=tenant.headers,
    )
    assert rescheduled.status_code == 200, rescheduled.text
    assert (await post_row(services, due)).publish_state == PublishState.SCHEDULED
